// SPDX-License-Identifier: MIT
/*
 * sup.c - the supervisor's checks. Runs in the RT thread once per cycle:
 * arithmetic on the sample only, no allocation or syscall. A check that
 * cannot decide (no sample yet) never reports "all well" by default: the
 * stale timer runs from start-up.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "sup.h"

struct sup {
	struct sup_params p;
	bool have_sample;
	uint64_t last_arrival_ns;
	uint32_t last_seq;
	int32_t last_force_mn;
	uint32_t last_pressure_pa;
	unsigned int force_same, pressure_same, implausible_run;
	double force_lp_n;		/* low-passed load cell, 1 s */
	bool lp_fresh;			/* restart the low-pass */
	uint16_t last_buttons;
	unsigned int sample_lines;
	unsigned int lines;
	uint32_t latched;
	unsigned int bad_sensors;	/* SUP_SENSOR_*, until a reset */
	/* products of the parameters the checks compare with, formed once
	 * instead of every sample (the same values) */
	double force_lo_n, force_hi_n, pressure_lo_pa, pressure_hi_pa;
	double lp_period_s;		/* period_ns / 1e9 */
};

int sup_new(const struct sup_params *p, uint64_t now_ns, struct sup **out)
{
	struct sup *s;

	if (!p->period_ns || p->stale_samples < 2 || !(p->force_per_pa > 0))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->p = *p;
	s->force_lo_n = -0.05 * p->max_force_n;
	s->force_hi_n = 1.2 * p->max_force_n;
	s->pressure_lo_pa = -0.05 * p->max_pressure_pa;
	s->pressure_hi_pa = 1.2 * p->max_pressure_pa;
	s->lp_period_s = p->period_ns / 1e9;
	s->last_arrival_ns = now_ns;
	*out = s;
	return 0;
}

void sup_free(struct sup *s)
{
	free(s);
}

static uint32_t sup_sample_checks(struct sup *s, const struct sup_input *in,
				  const struct lever_dev_sample *x)
{
	double force_n = x->support_force_mn / 1000.0;
	/* gauge pressure: noise around zero may read a little negative */
	double pressure_pa = (int32_t)x->support_pressure_pa;
	bool moving = in->belt_cmd_mm_s > 100 || x->belt_speed_mm_s > 100;
	double cmd_mm_s;
	uint32_t f = 0, gap;

	/*
	 * The sequence number alone tells the loss: x->lost repeats what
	 * the seq jump already shows (board gaps and ring drops alike).
	 */
	if (s->have_sample) {
		gap = x->seq - s->last_seq - 1;
		if (gap >= s->p.stale_samples)
			f |= SUP_F_SEQ_GAP;
	}

	if (force_n < s->force_lo_n || force_n > s->force_hi_n) {
		f |= SUP_F_FORCE_RANGE;
		s->bad_sensors |= SUP_SENSOR_FORCE;
	}
	if (pressure_pa > s->pressure_hi_pa ||
	    pressure_pa < s->pressure_lo_pa) {
		f |= SUP_F_PRESSURE_RANGE;
		s->bad_sensors |= SUP_SENSOR_PRESSURE;
	}
	if (fabs(force_n - pressure_pa * s->p.force_per_pa) >
	    s->p.plausibility_tol_n) {
		if (++s->implausible_run >= s->p.implausible_samples)
			f |= SUP_F_IMPLAUSIBLE;
	} else {
		s->implausible_run = 0;
	}

	/* a live load cell under a moving runner never repeats for long */
	if (s->have_sample && moving &&
	    x->support_force_mn == s->last_force_mn)
		s->force_same++;
	else
		s->force_same = 0;
	if (s->have_sample && moving &&
	    x->support_pressure_pa == s->last_pressure_pa)
		s->pressure_same++;
	else
		s->pressure_same = 0;
	if (s->force_same >= s->p.stuck_samples) {
		f |= SUP_F_STUCK;
		s->bad_sensors |= SUP_SENSOR_FORCE;
	}
	if (s->pressure_same >= s->p.stuck_samples) {
		f |= SUP_F_STUCK;
		s->bad_sensors |= SUP_SENSOR_PRESSURE;
	}

	/*
	 * fmax(cmd, 0) without the libm call: a NaN gives 0 as fmax does,
	 * and a zero's sign is lost in the margin's sum
	 */
	cmd_mm_s = in->belt_cmd_mm_s > 0 ? in->belt_cmd_mm_s : 0;
	if (x->belt_speed_mm_s > s->p.max_belt_mm_s ||
	    x->belt_speed_mm_s > cmd_mm_s + s->p.overspeed_margin_mm_s)
		f |= SUP_F_OVERSPEED;

	/* nearly every sample has none: one test then */
	if (x->board_faults) {
		/* the board names a sensor it found dead */
		if (x->board_faults & LEVER_DEV_BFAULT_PRESSURE_SENSOR)
			s->bad_sensors |= SUP_SENSOR_PRESSURE;
		if (x->board_faults & LEVER_DEV_BFAULT_FORCE_SENSOR)
			s->bad_sensors |= SUP_SENSOR_FORCE;
		if (x->board_faults & LEVER_DEV_BFAULT_ESTOP)
			f |= SUP_F_ESTOP;
		if (x->board_faults & LEVER_DEV_BFAULT_SAFETY_KEY)
			f |= SUP_F_SAFETY_KEY;
		if (x->board_faults & ~(LEVER_DEV_BFAULT_ESTOP |
					LEVER_DEV_BFAULT_SAFETY_KEY))
			f |= SUP_F_BOARD;
	}

	s->force_lp_n += (force_n - s->force_lp_n) * s->lp_period_s;
	if (!s->have_sample || s->lp_fresh)
		s->force_lp_n = force_n;
	s->lp_fresh = false;
	if (in->support_limit_n > 0 && s->force_lp_n > in->support_limit_n)
		f |= SUP_F_OVERSUPPORT;

	s->last_seq = x->seq;
	s->last_force_mn = x->support_force_mn;
	s->last_pressure_pa = x->support_pressure_pa;
	s->have_sample = true;
	return f;
}

uint32_t sup_check(struct sup *s, const struct sup_input *in,
		   uint16_t *buttons_pressed)
{
	const struct lever_dev_sample *x = in->sample;
	uint32_t f = 0;
	uint16_t pressed = 0;

	if (x) {
		s->last_arrival_ns = in->now_ns;
		f |= sup_sample_checks(s, in, x);
		s->sample_lines = x->lines;
		pressed = x->buttons & ~s->last_buttons;
		s->last_buttons = x->buttons;
	} else if (in->now_ns - s->last_arrival_ns >
		   s->p.stale_samples * s->p.period_ns) {
		f |= SUP_F_STALE;
	}
	s->lines = s->sample_lines | in->ext_lines;
	/* no line active and no button pressed: one test each */
	if (s->lines) {
		if (s->lines & LEVER_DEV_LINE_ESTOP)
			f |= SUP_F_ESTOP;
		if (s->lines & LEVER_DEV_LINE_SAFETY_KEY)
			f |= SUP_F_SAFETY_KEY;
	}
	if (pressed) {
		if (pressed & LEVER_DEV_BTN_STOP)
			f |= SUP_F_OPERATOR_STOP;
		if (pressed & LEVER_DEV_BTN_PAIN)
			f |= SUP_F_PAIN;
	}
	f |= in->ext_keys & (SUP_F_OPERATOR_STOP | SUP_F_PAIN);

	s->latched |= f & SUP_F_LATCHING;
	if (buttons_pressed)
		*buttons_pressed = pressed;
	return f | s->latched;
}

void sup_restart(struct sup *s)
{
	s->lp_fresh = true;
}

uint32_t sup_latched(const struct sup *s)
{
	return s->latched;
}

unsigned int sup_lines(const struct sup *s)
{
	return s->lines;
}

int sup_reset(struct sup *s)
{
	if (s->lines & (LEVER_DEV_LINE_ESTOP | LEVER_DEV_LINE_SAFETY_KEY))
		return -EBUSY;
	s->latched = 0;
	s->bad_sensors = 0;
	/* samples dropped at a reset are no sequence gap */
	s->have_sample = false;
	return 0;
}

unsigned int sup_bad_sensors(const struct sup *s)
{
	return s->bad_sensors;
}

void sup_restart_stale(struct sup *s, uint64_t now_ns)
{
	s->last_arrival_ns = now_ns;
}

const char *sup_fault_name(uint32_t bit)
{
	static const char *const names[SUP_F_COUNT] = {
		"stale-samples", "sequence-gap", "force-out-of-range",
		"pressure-out-of-range", "force-pressure-implausible",
		"sensor-stuck", "overspeed", "estop", "safety-key",
		"board-fault", "over-support", "operator-stop", "pain",
		"gate-stopped", "link-lost",
	};
	unsigned int i;

	for (i = 0; i < SUP_F_COUNT; i++)
		if (bit == 1u << i)
			return names[i];
	return "unknown";
}
