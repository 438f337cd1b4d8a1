// SPDX-License-Identifier: MIT
/*
 * law.c - support-force control laws. "pi": geometry feed-forward plus a
 * PI loop on the load-cell force, conditional-integration anti-windup, an
 * output clamp and slew limit, and a ramped set-point. Called from the RT
 * thread: no allocation, no syscall, no lock after law_new().
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "law.h"

struct law {
	const struct law_ops *ops;
	struct law_params p;
	enum law_state state;
	double sp_n;		/* ramped set-point */
	double target_n;	/* last target seen */
	double ramp_rate_n_s;	/* rate chosen when the target changed */
	double integ_n;		/* integral term, in N of support */
	double out_pa;		/* last output */
};

static int pi_init(struct law *l, const struct law_params *p)
{
	if (!(p->force_per_pa > 0) || !(p->max_pressure_pa > 0) ||
	    !(p->max_slew_pa_s > 0) || !(p->kp >= 0) || !(p->ki_1_s >= 0))
		return -EINVAL;
	l->p = *p;
	l->state = LAW_IDLE;
	return 0;
}

static void pi_reset(struct law *l, double pressure_pa, double force_n)
{
	l->state = LAW_IDLE;
	l->out_pa = pressure_pa;
	l->sp_n = force_n;
	l->target_n = force_n;
	l->ramp_rate_n_s = 0;
	/* bumpless: what the integral must hold so output stays put */
	l->integ_n = pressure_pa * l->p.force_per_pa - force_n;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double pi_update(struct law *l, const struct law_input *in)
{
	double k = l->p.force_per_pa, dt = in->dt_s, err, raw, out, step;
	double rate;

	if (l->state == LAW_HOLDING)
		return l->out_pa;

	/* set-point ramp: a new target fixes the rate for the whole move */
	if (in->target_force_n != l->target_n || l->state == LAW_IDLE) {
		double dist = fabs(in->target_force_n - l->sp_n);

		l->target_n = in->target_force_n;
		l->ramp_rate_n_s = in->ramp_s > 0 ? dist / in->ramp_s :
						    INFINITY;
	}
	rate = l->ramp_rate_n_s;
	if (rate > in->max_rate_n_s)
		rate = in->max_rate_n_s;
	step = rate * dt;
	if (fabs(l->target_n - l->sp_n) <= step) {
		l->sp_n = l->target_n;
		l->state = LAW_TRACKING;
	} else {
		l->sp_n += l->target_n > l->sp_n ? step : -step;
		l->state = LAW_RAMPING;
	}

	err = l->sp_n - in->force_n;
	raw = (l->sp_n + l->p.kp * err + l->integ_n) / k;
	/*
	 * Anti-windup: integrate only when the output is not pushed past a
	 * clamp in the direction the error asks for.
	 */
	out = clamp(raw, 0, l->p.max_pressure_pa);
	step = l->p.max_slew_pa_s * dt;
	out = clamp(out, l->out_pa - step, l->out_pa + step);
	/*
	 * Anti-windup: integrate only when the output is not held by the
	 * clamp or the slew limit against the direction the error asks for.
	 */
	if (!((out < raw && err > 0) || (out > raw && err < 0))) {
		double lim = l->p.max_pressure_pa * k;

		l->integ_n = clamp(l->integ_n + l->p.ki_1_s * err * dt,
				   -lim, lim);
	}
	l->out_pa = out;
	return out;
}

static void pi_hold(struct law *l)
{
	l->state = LAW_HOLDING;
}

static enum law_state pi_state(const struct law *l)
{
	return l->state;
}

static double pi_setpoint(const struct law *l)
{
	return l->sp_n;
}

static const struct law_ops law_pi_ops = {
	.name = "pi",
	.init = pi_init,
	.update = pi_update,
	.reset = pi_reset,
	.hold = pi_hold,
	.state = pi_state,
	.setpoint_n = pi_setpoint,
};

static const struct law_ops *const law_table[] = { &law_pi_ops };

int law_new(const char *name, const struct law_params *p, struct law **out)
{
	struct law *l;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(law_table) / sizeof(law_table[0]); i++)
		if (!strcmp(law_table[i]->name, name))
			break;
	if (i == sizeof(law_table) / sizeof(law_table[0]))
		return -ENOENT;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ops = law_table[i];
	ret = l->ops->init(l, p);
	if (ret) {
		free(l);
		return ret;
	}
	l->ops->reset(l, 0, 0);
	*out = l;
	return 0;
}

void law_free(struct law *l)
{
	free(l);
}

double law_update(struct law *l, const struct law_input *in)
{
	return l->ops->update(l, in);
}

void law_reset(struct law *l, double pressure_pa, double force_n)
{
	l->ops->reset(l, pressure_pa, force_n);
}

void law_hold(struct law *l)
{
	l->ops->hold(l);
}

enum law_state law_state(const struct law *l)
{
	return l->ops->state(l);
}

double law_setpoint_n(const struct law *l)
{
	return l->ops->setpoint_n(l);
}

const char *law_state_name(enum law_state s)
{
	switch (s) {
	case LAW_IDLE:
		return "idle";
	case LAW_RAMPING:
		return "ramping";
	case LAW_TRACKING:
		return "tracking";
	case LAW_HOLDING:
		return "holding";
	}
	return "?";
}
