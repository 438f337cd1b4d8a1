// SPDX-License-Identifier: MIT
/*
 * ramp.c - jerk-limited ramps. The rate aimed for is the one from which a
 * full-jerk bring-down to zero rate lands exactly on the target
 * (rate = sqrt(2 J |d|)), capped at the rate limit; the rate itself moves
 * at most J dt per step. Runs in the RT thread: plain arithmetic only.
 */
#include <math.h>

#include "ramp.h"

void ramp_init(struct ramp *r, double value)
{
	r->value = value;
	r->rate = 0;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void ramp_move(struct ramp *r, double target, const struct ramp_limits *lim,
	       double dt_s)
{
	double d = target - r->value, j = lim->max_jerk, dj = j * dt_s;
	double want, rate;

	/*
	 * Close enough to stop in one step without breaking a limit (at
	 * rest on the target ramp_step() has answered: the limits and dt_s
	 * are never negative, so this would hold there too).
	 */
	if (fabs(d) <= lim->max_rate * dt_s && fabs(r->rate) <= dj &&
	    fabs(d) <= (fabs(r->rate) + dj) * dt_s) {
		r->value = target;
		r->rate = 0;
		return;
	}
	/* the distance still covered while the rate is jerked down from
	 * its value one step ahead is allowed for, so as not to overshoot */
	want = copysign(sqrt(2 * j * fmax(fabs(d) - fabs(r->rate) * dt_s,
					  0)), d);
	want = clampd(want, -lim->max_rate, lim->max_rate);
	rate = r->rate + clampd(want - r->rate, -dj, dj);
	r->value += 0.5 * (r->rate + rate) * dt_s;
	r->rate = rate;
}
