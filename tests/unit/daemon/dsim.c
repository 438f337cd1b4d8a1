// SPDX-License-Identifier: MIT
/*
 * dsim.c - the deterministic simulation. Everything follows from the seed:
 * athlete, session steps, fault times and kinds. A violation is recorded
 * with its cycle and what broke; the run goes on so the count is honest.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dsim.h"
#include "control/loop.h"
#include "control/sup.h"
#include "tplant.h"

#define MS		1000000ull
#define G		9.80665
#define FNV_PRIME	0x100000001b3ull

struct dsim {
	uint64_t rng;
	struct leverd_cfg cfg;
	struct tplant *p;
	struct loop *l;
	struct sess_targets t;
	struct loop_out out;
	struct loop_status st, prev;
	struct dsim_result *res;
	uint64_t now, cycle;
	double mass;
};

static uint64_t rnd(struct dsim *d)
{
	uint64_t z = (d->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uni(struct dsim *d, double lo, double hi)
{
	return lo + (hi - lo) * ((rnd(d) >> 11) * (1.0 / 9007199254740992.0));
}

static void violation(struct dsim *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!d->res->violations++) {
		n = snprintf(d->res->first_violation,
			     sizeof(d->res->first_violation), "cycle %llu: ",
			     (unsigned long long)d->cycle);
		va_start(ap, fmt);
		vsnprintf(d->res->first_violation + n,
			  sizeof(d->res->first_violation) - n, fmt, ap);
		va_end(ap);
	}
}

static void hash(struct dsim *d, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		d->res->trace_hash = (d->res->trace_hash ^ b[i]) * FNV_PRIME;
}

/* The invariants of SAFETY.md, on this cycle against the previous one. */
static void check(struct dsim *d)
{
	const struct loop_status *s = &d->st, *p = &d->prev;
	double mg = d->mass * G, dt = d->cfg.period_us * 1e-6;
	double accel_max = fmax(d->cfg.comfort_accel_m_s2,
				d->cfg.stop_decel_m_s2) * 1000;
	bool moving = s->belt_meas_mm_s > 20 || s->belt_cmd_mm_s > 0;

	if (s->belt_cmd_mm_s < 0 ||
	    s->belt_cmd_mm_s > d->cfg.max_belt_speed_km_h / 3.6 * 1000)
		violation(d, "belt command %.1f mm/s out of limits",
			  s->belt_cmd_mm_s);
	if (fabs(s->belt_accel_mm_s2) > accel_max + 1e-6 ||
	    fabs(s->belt_cmd_mm_s - p->belt_cmd_mm_s) > accel_max * dt + 1e-6)
		violation(d, "belt acceleration %.1f mm/s^2 above limit",
			  s->belt_accel_mm_s2);
	if (s->mode == LOOP_RUN && p->mode == LOOP_RUN &&
	    fabs(s->belt_accel_mm_s2) >
	    d->cfg.comfort_accel_m_s2 * 1000 + 1e-6)
		violation(d, "belt acceleration %.1f above comfort",
			  s->belt_accel_mm_s2);
	if ((s->mode == LOOP_RUN || s->mode == LOOP_PAUSE) &&
	    p->mode == s->mode && moving &&
	    p->support_setpoint_n - s->support_setpoint_n >
	    d->cfg.support_rate_pct_bw_s / 100 * mg * dt + 1e-6)
		violation(d, "support set-point lowered %.3f N in a cycle",
			  p->support_setpoint_n - s->support_setpoint_n);
	if (s->safe_state && p->safe_state) {
		if (s->pressure_cmd_pa > p->pressure_cmd_pa)
			violation(d, "support raised in the safe state");
		if (moving && s->pressure_cmd_pa < p->pressure_cmd_pa)
			violation(d, "support lowered while the belt moves (mode %d->%d meas %.1f->%.1f cmd %.1f cause %x)",
				  p->mode, s->mode, p->belt_meas_mm_s,
				  s->belt_meas_mm_s, p->belt_cmd_mm_s, s->cause);
		if (s->pressure_cmd_pa < p->pressure_cmd_pa - 1e-6 &&
		    p->pressure_cmd_pa - s->pressure_cmd_pa >
		    d->cfg.release_rate_pct_bw_s / 100 * mg * dt / 0.002 + 1e-6)
			violation(d, "support released too fast");
		if (s->belt_cmd_mm_s > p->belt_cmd_mm_s)
			violation(d, "belt sped up in the safe state");
	}
	if (s->safe_state && s->generation != p->generation)
		violation(d, "generation changed while in the safe state");
}

static void step(struct dsim *d)
{
	struct lever_dev_sample smp;
	int got;

	d->now += MS;
	d->cycle++;
	got = tplant_step(d->p, MS, &smp);
	d->prev = d->st;
	loop_cycle(d->l, got ? &smp : NULL, d->now, &d->out);
	tplant_command(d->p, &d->out.cmd, d->out.drive);
	loop_status(d->l, &d->st);
	check(d);
	hash(d, &d->out.cmd, sizeof(d->out.cmd));
	hash(d, &d->out.faults, sizeof(d->out.faults));
	hash(d, &d->st.mode, sizeof(d->st.mode));
}

/* a new step of the session: walk or run, speed, BW carried */
static void next_step(struct dsim *d, int k)
{
	bool run = k & 1;

	d->t.run = SESS_RUN;
	d->t.belt_speed_mm_s = (int32_t)(uni(d, run ? 7.5 : 3.5,
					      run ? 12.0 : 6.0) / 3.6 * 1000);
	d->t.bw_carried_pct_x100 = (int32_t)uni(d, 70, 95) * 100;
	d->t.incline_centi_pct = (int32_t)uni(d, 0, 3) * 100;
	d->t.ramp_ms = 3000;
	d->t.mass_kg = d->mass;
	loop_set_targets(d->l, &d->t);
}

/* cycles allowed between a fault and the safe state */
static unsigned int bound(const struct dsim *d, enum tplant_fault f)
{
	switch (f) {
	case TPLANT_STALL:
		return d->cfg.stale_samples + 2;
	case TPLANT_DROP:
		/* 15 of 16 lost: the first loss may be 15 cycles away */
		return 15 + d->cfg.stale_samples + 2;
	case TPLANT_FORCE_STUCK:
		return d->cfg.stuck_samples + 2;
	case TPLANT_FORCE_OFFSET:
		return 20 + 2;
	case TPLANT_OVERSPEED:
		return 500;
	default:
		return 2;	/* SAFETY.md: 2 cycles at 1 kHz */
	}
}

static void inject(struct dsim *d)
{
	enum tplant_fault f = rnd(d) % TPLANT_FAULT_COUNT;
	unsigned int lim = bound(d, f), i, hold_ms;

	hold_ms = (unsigned int)uni(d, 50, 1500);
	if (f == TPLANT_FORCE_STUCK)
		hold_ms = d->cfg.stuck_samples + 500;
	d->res->faults_injected++;
	tplant_fault(d->p, f, true);
	for (i = 0; i < lim && !d->st.safe_state; i++)
		step(d);
	if (!d->st.safe_state)
		violation(d, "fault %d: no safe state within %u cycles", f,
			  lim);
	for (i = 0; i < hold_ms; i++) {
		/* the session keeps sending the old targets: queued ones */
		if (i % 100 == 0)
			loop_set_targets(d->l, &d->t);
		step(d);
	}
	tplant_fault(d->p, f, false);
	/* wait for the belt to be at zero, then reset and start anew */
	for (i = 0; i < 20000 && d->st.belt_cmd_mm_s > 0; i++)
		step(d);
	for (i = 0; i < 1000; i++)
		step(d);
	if (d->st.belt_cmd_mm_s != 0)
		violation(d, "belt still commanded after a stop");
	tplant_reset(d->p);
	step(d);
	loop_reset(d->l);
	d->t.generation++;
	d->res->restarts++;
	next_step(d, (int)(rnd(d) & 1));
}

int dsim_run(uint64_t seed, double minutes, int inject_faults,
	     struct dsim_result *res)
{
	struct lever_dev_info info;
	struct dsim d;
	uint64_t end, next_change, next_fault;
	int k = 0, ret;

	memset(&d, 0, sizeof(d));
	memset(res, 0, sizeof(*res));
	res->trace_hash = 0xcbf29ce484222325ull;
	d.res = res;
	d.rng = seed;
	cfg_defaults(&d.cfg);
	d.mass = uni(&d, 50, 100);
	ret = tplant_new(seed, d.mass, &d.p);
	if (ret)
		return ret;
	tplant_info(d.p, &info);
	ret = loop_new(&d.cfg, &info, 0, &d.l);
	if (ret) {
		tplant_free(d.p);
		return ret;
	}
	/* the plant takes every command, as an armed gate does */
	loop_commanding(d.l, true);
	end = (uint64_t)(minutes * 60000) * MS;
	d.t.generation = 1;
	next_step(&d, k++);
	next_change = d.now + (uint64_t)uni(&d, 20000, 90000) * MS;
	next_fault = d.now + (uint64_t)uni(&d, 30000, 150000) * MS;
	while (d.now < end) {
		step(&d);
		if (d.now >= next_change) {
			next_step(&d, k++);
			next_change = d.now +
				      (uint64_t)uni(&d, 20000, 90000) * MS;
		}
		if (inject_faults && d.now >= next_fault &&
		    d.st.mode == LOOP_RUN) {
			inject(&d);
			next_fault = d.now +
				     (uint64_t)uni(&d, 30000, 150000) * MS;
		}
	}
	res->cycles = d.cycle;
	loop_free(d.l);
	tplant_free(d.p);
	return 0;
}
