// SPDX-License-Identifier: MIT
/*
 * pplant.c - the tplant.h interface on the project's own plant model
 * (sim/plant.h), so the deterministic simulation also runs against it.
 * The plant has no board: this adapter plays the board's part for what
 * the tests need (drive cut and latched fault on e-stop/key, a stalled or
 * gappy sample stream, a reading offset or out of range). Test fixture.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lever_wire.h"
#include "plant.h"
#include "tplant.h"

struct tplant {
	struct plant *p;
	uint32_t seq, board_faults;
	uint64_t t_ns;
	bool faults[TPLANT_FAULT_COUNT];
	bool drive;
};

int tplant_new(uint64_t seed, double mass_kg, struct tplant **out)
{
	struct plant_config pc;
	struct tplant *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	plant_default_config(&pc);
	pc.seed = seed;
	pc.runner_mass_kg = mass_kg;
	ret = plant_new(&pc, &t->p);
	if (ret) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void tplant_free(struct tplant *t)
{
	if (!t)
		return;
	plant_free(t->p);
	free(t);
}

void tplant_info(const struct tplant *t, struct lever_dev_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->serial, "PPLANT");
	strcpy(info->node, "sim:");
	info->transport = LEVER_DEV_TRANSPORT_SIM;
	info->sample_rate_hz = 1000;
	info->max_support_pressure_pa = PLANT_MAX_PRESSURE_PA;
	info->max_support_force_mn = PLANT_MAX_FORCE_MN;
	info->max_belt_speed_mm_s = PLANT_MAX_BELT_SPEED_MM_S;
	info->max_belt_accel_mm_s2 = PLANT_MAX_BELT_ACCEL_MM_S2;
	info->stop_decel_mm_s2 = 1000;
	info->incline_min_centi_pct = PLANT_INCLINE_MIN_CENTI_PCT;
	info->incline_max_centi_pct = PLANT_INCLINE_MAX_CENTI_PCT;
	info->force_per_pressure_un_pa = PLANT_FORCE_PER_PRESSURE_UN_PA;
	info->max_pressure_slew_pa_s = PLANT_MAX_PRESSURE_SLEW_PA_S;
	info->board_watchdog_ms = 100;
	info->watchdog_ms = 50;
}

void tplant_set_bounce(struct tplant *t, double scale)
{
	/* the plant's runner always bounces with the belt; unused here */
}

void tplant_set_disturbance(struct tplant *t, double amp_n, double freq_hz)
{
}

static bool hard_stopped(const struct tplant *t)
{
	return t->board_faults & (LEVER_DEV_BFAULT_ESTOP |
				  LEVER_DEV_BFAULT_SAFETY_KEY);
}

void tplant_command(struct tplant *t, const struct lever_dev_command *c,
		    bool drive)
{
	t->drive = drive;
	plant_set_pressure_setpoint(t->p, c->support_pressure_pa);
	plant_set_belt_drive(t->p, drive && !hard_stopped(t),
			     c->belt_speed_mm_s, PLANT_MAX_BELT_ACCEL_MM_S2);
	plant_set_incline(t->p, true, c->incline_centi_pct);
}

void tplant_fault(struct tplant *t, enum tplant_fault f, bool on)
{
	t->faults[f] = on;
	switch (f) {
	case TPLANT_FORCE_STUCK:
		plant_set_fault(t->p, PLANT_FAULT_FORCE_STUCK, on);
		break;
	case TPLANT_OVERSPEED:
		plant_set_fault(t->p, PLANT_FAULT_BELT_OVERSPEED, on);
		break;
	case TPLANT_ESTOP:
		plant_set_line(t->p, LEVER_LINE_ESTOP, on);
		break;
	case TPLANT_SAFETY_KEY:
		plant_set_line(t->p, LEVER_LINE_SAFETY_KEY, on);
		break;
	case TPLANT_BTN_STOP:
		plant_set_button(t->p, LEVER_BTN_STOP, on);
		break;
	case TPLANT_BTN_PAIN:
		plant_set_button(t->p, LEVER_BTN_PAIN, on);
		break;
	default:
		break;
	}
}

int tplant_reset(struct tplant *t)
{
	if (t->faults[TPLANT_ESTOP] || t->faults[TPLANT_SAFETY_KEY])
		return -EBUSY;
	t->board_faults = 0;
	return 0;
}

double tplant_force_n(const struct tplant *t)
{
	struct plant_state st;

	plant_get_state(t->p, &st);
	return st.support_force_n;
}

double tplant_belt_mm_s(const struct tplant *t)
{
	struct plant_state st;

	plant_get_state(t->p, &st);
	return st.belt_speed_mm_s;
}

double tplant_pressure_pa(const struct tplant *t)
{
	struct plant_state st;

	plant_get_state(t->p, &st);
	return st.support_pressure_pa;
}

uint64_t tplant_time_ns(const struct tplant *t)
{
	return t->t_ns;
}

int tplant_step(struct tplant *t, uint64_t dt_ns, struct lever_dev_sample *s)
{
	struct plant_state st;

	t->t_ns += dt_ns;
	/* the board's part: e-stop and key cut the drive and latch */
	if (t->faults[TPLANT_ESTOP])
		t->board_faults |= LEVER_DEV_BFAULT_ESTOP;
	if (t->faults[TPLANT_SAFETY_KEY])
		t->board_faults |= LEVER_DEV_BFAULT_SAFETY_KEY;
	if (hard_stopped(t))
		plant_set_belt_drive(t->p, false, 0, 0);
	plant_step(t->p, dt_ns);
	if (t->faults[TPLANT_STALL])
		return 0;
	t->seq++;
	if (t->faults[TPLANT_DROP] && (t->seq % 16))
		return 0;
	plant_get_state(t->p, &st);
	memset(s, 0, sizeof(*s));
	s->timestamp_ns = t->t_ns;
	s->board_time_ns = t->t_ns;
	s->seq = t->seq;
	s->support_pressure_pa = (uint32_t)st.readings.pressure_reading_pa;
	s->support_force_mn = st.readings.force_reading_mn;
	if (t->faults[TPLANT_FORCE_OFFSET])
		s->support_force_mn += 300000;
	if (t->faults[TPLANT_PRESSURE_INVALID])
		s->support_pressure_pa = 2 * PLANT_MAX_PRESSURE_PA;
	s->belt_speed_mm_s = st.readings.belt_reading_mm_s;
	s->incline_centi_pct = st.readings.incline_reading_centi_pct;
	s->lines = st.readings.lines;
	s->buttons = st.readings.buttons;
	s->board_state = hard_stopped(t) ? LEVER_DEV_BOARD_HARD_STOPPED :
			 t->drive ? LEVER_DEV_BOARD_RUNNING :
				    LEVER_DEV_BOARD_IDLE;
	s->board_faults = t->board_faults;
	return 1;
}
