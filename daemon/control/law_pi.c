// SPDX-License-Identifier: MIT
/*
 * law_pi.c - the "pi" support-force law: geometry feed-forward plus a PI
 * loop on the load-cell force, conditional-integration anti-windup, an
 * output clamp and slew limit, and a ramped set-point. Called from the RT
 * thread: no allocation, no syscall, no lock after law_new().
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "law_priv.h"

struct law_pi {
	struct law law;
	struct law_pi_core core;
};

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int law_pi_core_init(struct law_pi_core *c, const struct law_params *p)
{
	if (!(p->force_per_pa > 0) || !(p->max_pressure_pa > 0) ||
	    !(p->max_slew_pa_s > 0) || !(p->kp >= 0) || !(p->ki_1_s >= 0))
		return -EINVAL;
	c->p = *p;
	c->state = LAW_IDLE;
	return 0;
}

void law_pi_core_reset(struct law_pi_core *c, double pressure_pa,
		       double force_n)
{
	c->state = LAW_IDLE;
	c->out_pa = pressure_pa;
	c->sp_n = force_n;
	c->target_n = force_n;
	c->ramp_rate_n_s = 0;
	/* bumpless: what the integral must hold so output stays put */
	c->integ_n = pressure_pa * c->p.force_per_pa - force_n;
}

double law_pi_core_ramp(struct law_pi_core *c, const struct law_input *in)
{
	double rate, step;

	/* a new target fixes the rate for the whole move */
	if (in->target_force_n != c->target_n || c->state == LAW_IDLE) {
		double dist = fabs(in->target_force_n - c->sp_n);

		c->target_n = in->target_force_n;
		c->ramp_rate_n_s = in->ramp_s > 0 ? dist / in->ramp_s :
						    INFINITY;
	}
	rate = c->ramp_rate_n_s;
	if (rate > in->max_rate_n_s)
		rate = in->max_rate_n_s;
	step = rate * in->dt_s;
	if (fabs(c->target_n - c->sp_n) <= step) {
		c->sp_n = c->target_n;
		c->state = LAW_TRACKING;
	} else {
		c->sp_n += c->target_n > c->sp_n ? step : -step;
		c->state = LAW_RAMPING;
	}
	return c->sp_n;
}

double law_pi_core_feedback_n(const struct law_pi_core *c, double force_n)
{
	return c->sp_n + c->p.kp * (c->sp_n - force_n) + c->integ_n;
}

double law_pi_core_output(struct law_pi_core *c, const struct law_input *in,
			  double extra_n)
{
	double k = c->p.force_per_pa, dt = in->dt_s, err, raw, out, step;

	err = c->sp_n - in->force_n;
	raw = (law_pi_core_feedback_n(c, in->force_n) + extra_n) / k;
	out = clamp(raw, 0, c->p.max_pressure_pa);
	step = c->p.max_slew_pa_s * dt;
	out = clamp(out, c->out_pa - step, c->out_pa + step);
	/*
	 * Anti-windup: integrate only when the output is not held by the
	 * clamp or the slew limit against the direction the error asks for.
	 */
	if (!((out < raw && err > 0) || (out > raw && err < 0))) {
		double lim = c->p.max_pressure_pa * k;

		c->integ_n = clamp(c->integ_n + c->p.ki_1_s * err * dt,
				   -lim, lim);
	}
	c->out_pa = out;
	return out;
}

static struct law_pi *to_pi(const struct law *l)
{
	return law_container_of(l, struct law_pi, law);
}

static struct law *pi_create(const struct law_params *p, int *err)
{
	struct law_pi *s = calloc(1, sizeof(*s));

	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = law_pi_core_init(&s->core, p);
	if (*err) {
		free(s);
		return NULL;
	}
	s->law.ops = &law_pi_ops;
	return &s->law;
}

static void pi_destroy(struct law *l)
{
	free(to_pi(l));
}

static double pi_update(struct law *l, const struct law_input *in)
{
	struct law_pi_core *c = &to_pi(l)->core;

	if (c->state == LAW_HOLDING)
		return c->out_pa;
	law_pi_core_ramp(c, in);
	return law_pi_core_output(c, in, 0);
}

static void pi_reset(struct law *l, double pressure_pa, double force_n)
{
	law_pi_core_reset(&to_pi(l)->core, pressure_pa, force_n);
}

static void pi_hold(struct law *l)
{
	to_pi(l)->core.state = LAW_HOLDING;
}

static enum law_state pi_state(const struct law *l)
{
	return to_pi(l)->core.state;
}

static double pi_setpoint(const struct law *l)
{
	return to_pi(l)->core.sp_n;
}

const struct law_ops law_pi_ops = {
	.name = "pi",
	.create = pi_create,
	.destroy = pi_destroy,
	.update = pi_update,
	.reset = pi_reset,
	.hold = pi_hold,
	.state = pi_state,
	.setpoint_n = pi_setpoint,
};
