/* SPDX-License-Identifier: MIT */
/*
 * ramp.h - acceleration- and jerk-limited profile generator for the belt
 * speed and the incline. It only shapes set-points; it never decides
 * whether the belt may move (the supervisor and the loop do).
 */
#ifndef LEVERD_RAMP_H
#define LEVERD_RAMP_H

struct ramp_limits {
	double max_rate;	/* e.g. mm/s^2 for the belt speed */
	double max_jerk;	/* rate change per s, e.g. mm/s^3 */
};

/* A profile's state: small and public so the RT loop embeds it. */
struct ramp {
	double value;		/* e.g. belt speed, mm/s */
	double rate;		/* its derivative, e.g. mm/s^2 */
};

void ramp_init(struct ramp *r, double value);

/* ramp_step() of a ramp that is not at rest on its target */
void ramp_move(struct ramp *r, double target, const struct ramp_limits *lim,
	       double dt_s);

/*
 * Moves @r one step of @dt_s toward @target within @lim. At rest on the
 * target (an idle belt, an incline held) ramp_move()'s first test
 * answers; inline, the control cycle makes no call for it.
 */
static inline void ramp_step(struct ramp *r, double target,
			     const struct ramp_limits *lim, double dt_s)
{
	if (target - r->value == 0 && r->rate == 0) {
		r->value = target;
		r->rate = 0;
		return;
	}
	ramp_move(r, target, lim, dt_s);
}

/* True once the value sits on @target with zero rate. */
static inline int ramp_done(const struct ramp *r, double target)
{
	return r->value == target && r->rate == 0;
}

#endif /* LEVERD_RAMP_H */
