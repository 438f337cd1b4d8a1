// SPDX-License-Identifier: MIT
/*
 * tplant.c - the test plant. The runner's centre of mass bounces once per
 * step; the cylinder's air spring turns that into pressure swings
 * (dp = -c p dx) that the regulator only slowly corrects (50 ms lag,
 * 200 kPa/s slew), so a passive
 * system sees the support force swing at stride frequency. Deterministic:
 * its own PRNG, no clock.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tplant.h"

#define FORCE_PER_PA	0.002		/* N/Pa, 2000 uN/Pa */
#define MAX_PA		600000.0
#define SLEW_PA_S	200000.0
#define REG_TAU_S	0.050
#define AIR_SPRING_C	4.0		/* 1/m: dp/p per m of travel */
#define DRIVE_ACCEL	1500.0		/* mm/s^2 */
#define BRAKE_ACCEL	2500.0		/* mm/s^2 */
#define TWO_PI		6.283185307179586

struct tplant {
	uint64_t rng, t_ns;
	uint32_t seq;
	double mass_kg, bounce_scale;
	double p_pa;			/* cylinder, gauge */
	double belt, belt_sp, incline, incline_sp;
	double phase, x_m;		/* bounce phase, height */
	double dist_amp_n, dist_hz;
	bool drive, faults[TPLANT_FAULT_COUNT];
	uint32_t board_faults;
	int32_t stuck_force_mn;
	struct lever_dev_command cmd;
};

static uint64_t rng_next(struct tplant *p)
{
	uint64_t z = (p->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* approximately normal, sigma 1: sum of four uniforms */
static double rng_gauss(struct tplant *p)
{
	uint64_t r = rng_next(p);
	double s = 0;
	int i;

	for (i = 0; i < 4; i++, r >>= 16)
		s += (r & 0xffff) / 65536.0;
	return (s - 2.0) * 1.7320508;
}

int tplant_new(uint64_t seed, double mass_kg, struct tplant **out)
{
	struct tplant *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->rng = seed * 0x2545f4914f6cdd1dull + 1;
	p->mass_kg = mass_kg;
	p->bounce_scale = 1.0;
	*out = p;
	return 0;
}

void tplant_free(struct tplant *p)
{
	free(p);
}

void tplant_info(const struct tplant *p, struct lever_dev_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->serial, "TPLANT");
	strcpy(info->node, "sim:");
	info->transport = LEVER_DEV_TRANSPORT_SIM;
	info->sample_rate_hz = 1000;
	info->max_support_pressure_pa = MAX_PA;
	info->max_support_force_mn = (int32_t)(MAX_PA * FORCE_PER_PA * 1000);
	info->max_belt_speed_mm_s = 5556;
	info->max_belt_accel_mm_s2 = DRIVE_ACCEL;
	info->stop_decel_mm_s2 = 1000;
	info->incline_min_centi_pct = -300;
	info->incline_max_centi_pct = 1500;
	info->force_per_pressure_un_pa = (uint32_t)(FORCE_PER_PA * 1e6);
	info->max_pressure_slew_pa_s = SLEW_PA_S;
	info->board_watchdog_ms = 100;
	info->watchdog_ms = 50;
}

void tplant_set_bounce(struct tplant *p, double scale)
{
	p->bounce_scale = scale;
}

void tplant_set_disturbance(struct tplant *p, double amp_n, double freq_hz)
{
	p->dist_amp_n = amp_n;
	p->dist_hz = freq_hz;
}

void tplant_command(struct tplant *p, const struct lever_dev_command *c,
		    bool drive)
{
	p->cmd = *c;
	p->drive = drive;
}

void tplant_fault(struct tplant *p, enum tplant_fault f, bool on)
{
	if (f == TPLANT_FORCE_STUCK && on && !p->faults[f])
		p->stuck_force_mn = (int32_t)(p->p_pa * FORCE_PER_PA * 1000);
	p->faults[f] = on;
}

int tplant_reset(struct tplant *p)
{
	if (p->faults[TPLANT_ESTOP] || p->faults[TPLANT_SAFETY_KEY])
		return -EBUSY;
	p->board_faults = 0;
	return 0;
}

double tplant_force_n(const struct tplant *p)
{
	return p->p_pa * FORCE_PER_PA;
}

void tplant_push_belt(struct tplant *p, double mm_s)
{
	p->belt = mm_s;
}

double tplant_belt_mm_s(const struct tplant *p)
{
	return p->belt;
}

double tplant_pressure_pa(const struct tplant *p)
{
	return p->p_pa;
}

uint64_t tplant_time_ns(const struct tplant *p)
{
	return p->t_ns;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* stride: walking below 7 km/h, running above */
static void tplant_gait(struct tplant *p, double dt, double *xdot)
{
	double v = p->belt, amp, hz, x;

	if (v < 100) {
		amp = 0;
		hz = 1.8;
	} else if (v < 1950) {
		amp = 0.02;
		hz = 1.8;
	} else {
		amp = 0.04;
		hz = 2.8;
	}
	amp *= p->bounce_scale;
	p->phase += TWO_PI * hz * dt;
	if (p->phase > TWO_PI)
		p->phase -= TWO_PI;
	x = amp * sin(p->phase);
	*xdot = (x - p->x_m) / dt;
	p->x_m = x;
}

int tplant_step(struct tplant *p, uint64_t dt_ns, struct lever_dev_sample *s)
{
	double dt = dt_ns * 1e-9, xdot, want, rate, f_n, sp, acc;
	bool hard = p->board_faults & (LEVER_DEV_BFAULT_ESTOP |
				       LEVER_DEV_BFAULT_SAFETY_KEY);

	p->t_ns += dt_ns;
	if (p->faults[TPLANT_ESTOP])
		p->board_faults |= LEVER_DEV_BFAULT_ESTOP;
	if (p->faults[TPLANT_SAFETY_KEY])
		p->board_faults |= LEVER_DEV_BFAULT_SAFETY_KEY;
	hard = p->board_faults & (LEVER_DEV_BFAULT_ESTOP |
				  LEVER_DEV_BFAULT_SAFETY_KEY);

	/*
	 * cylinder: the regulator pulls it toward the set-point (lag and
	 * slew limited); the runner's bounce squeezes the air spring
	 */
	sp = clampd(p->cmd.support_pressure_pa, 0, MAX_PA);
	rate = clampd((sp - p->p_pa) / REG_TAU_S, -SLEW_PA_S, SLEW_PA_S);
	tplant_gait(p, dt, &xdot);
	p->p_pa += rate * dt - AIR_SPRING_C * p->p_pa * xdot * dt;
	if (p->p_pa < 0)
		p->p_pa = 0;

	/* belt drive: cut by the board on e-stop / key, then braked */
	if (hard || !p->drive) {
		p->belt = fmax(p->belt - BRAKE_ACCEL * dt, 0);
	} else {
		want = p->cmd.belt_speed_mm_s;
		if (p->faults[TPLANT_OVERSPEED])
			want += 1000;
		acc = clampd((want - p->belt) / 0.05, -DRIVE_ACCEL,
			     DRIVE_ACCEL);
		p->belt += acc * dt;
	}
	p->incline += clampd(p->cmd.incline_centi_pct - p->incline,
			     -50 * dt, 50 * dt);

	if (p->faults[TPLANT_STALL])
		return 0;
	p->seq++;
	if (p->faults[TPLANT_DROP] && (p->seq % 16))
		return 0;

	memset(s, 0, sizeof(*s));
	s->timestamp_ns = p->t_ns;
	s->board_time_ns = p->t_ns;
	s->seq = p->seq;
	f_n = p->p_pa * FORCE_PER_PA +
	      p->dist_amp_n * sin(TWO_PI * p->dist_hz * p->t_ns * 1e-9);
	s->support_force_mn = (int32_t)lrint((f_n + 0.5 * rng_gauss(p)) *
					     1000);
	if (p->faults[TPLANT_FORCE_STUCK])
		s->support_force_mn = p->stuck_force_mn;
	if (p->faults[TPLANT_FORCE_OFFSET])
		s->support_force_mn += 300000;
	s->support_pressure_pa = (uint32_t)lrint(fmax(p->p_pa +
						      50 * rng_gauss(p), 0));
	if (p->faults[TPLANT_PRESSURE_INVALID])
		s->support_pressure_pa = (uint32_t)(2 * MAX_PA);
	s->belt_speed_mm_s = (int32_t)lrint(p->belt + 2 * rng_gauss(p));
	if (p->belt < 1)
		s->belt_speed_mm_s = 0;
	s->incline_centi_pct = (int16_t)lrint(p->incline);
	if (p->faults[TPLANT_ESTOP])
		s->lines |= LEVER_DEV_LINE_ESTOP;
	if (p->faults[TPLANT_SAFETY_KEY])
		s->lines |= LEVER_DEV_LINE_SAFETY_KEY;
	if (p->faults[TPLANT_BTN_STOP])
		s->buttons |= LEVER_DEV_BTN_STOP;
	if (p->faults[TPLANT_BTN_PAIN])
		s->buttons |= LEVER_DEV_BTN_PAIN;
	s->board_state = hard ? LEVER_DEV_BOARD_HARD_STOPPED :
			 p->drive ? LEVER_DEV_BOARD_RUNNING :
				    LEVER_DEV_BOARD_IDLE;
	s->board_faults = p->board_faults;
	s->pressure_setpoint_pa = p->cmd.support_pressure_pa;
	s->belt_setpoint_mm_s = p->cmd.belt_speed_mm_s;
	return 1;
}
