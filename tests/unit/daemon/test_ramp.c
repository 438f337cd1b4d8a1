// SPDX-License-Identifier: MIT
/*
 * test_ramp.c - specification of the belt/incline profile generator: it
 * reaches its target, never exceeds the rate (acceleration) or jerk limit,
 * and does not overshoot.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "control/ramp.h"

#define DT 0.001

static const struct ramp_limits belt = { 500.0, 2000.0 }; /* mm/s^2, mm/s^3 */

static int run(struct ramp *r, double target, int steps, double *max_rate,
	       double *max_jerk, double *overshoot)
{
	double prev_rate = r->rate, start = r->value;
	int i;

	*max_rate = *max_jerk = *overshoot = 0;
	for (i = 0; i < steps; i++) {
		ramp_step(r, target, &belt, DT);
		*max_rate = fmax(*max_rate, fabs(r->rate));
		*max_jerk = fmax(*max_jerk, fabs(r->rate - prev_rate) / DT);
		prev_rate = r->rate;
		if (target >= start)
			*overshoot = fmax(*overshoot, r->value - target);
		else
			*overshoot = fmax(*overshoot, target - r->value);
		if (ramp_done(r, target))
			return i + 1;
	}
	return -1;
}

static void test_reaches_target_from_rest(void **state)
{
	struct ramp r;
	double a, j, o;
	int n;

	ramp_init(&r, 0);
	n = run(&r, 2778, 20000, &a, &j, &o);
	assert_true(n > 0);
	assert_true(r.value == 2778);
	/* 5.556 s at full acceleration plus 0.25 s of jerk phases */
	assert_true(n * DT < 6.5);
}

static void test_never_exceeds_acceleration_limit(void **state)
{
	struct ramp r;
	double a, j, o;

	ramp_init(&r, 0);
	run(&r, 2778, 20000, &a, &j, &o);
	assert_true(a <= 500.0 + 1e-9);
}

static void test_never_exceeds_jerk_limit(void **state)
{
	struct ramp r;
	double a, j, o;

	ramp_init(&r, 1000);
	run(&r, 0, 20000, &a, &j, &o);
	assert_true(j <= 2000.0 + 1e-6);
}

static void test_does_not_overshoot(void **state)
{
	struct ramp r;
	double a, j, o;

	ramp_init(&r, 0);
	run(&r, 1234, 20000, &a, &j, &o);
	assert_true(o < 0.5);
	run(&r, 100, 20000, &a, &j, &o);
	assert_true(o < 0.5);
}

static void test_reverses_smoothly_when_target_changes_midway(void **s)
{
	struct ramp r;
	double a, j, o;
	int i;

	ramp_init(&r, 0);
	for (i = 0; i < 2000; i++)
		ramp_step(&r, 3000, &belt, DT);
	assert_true(r.rate > 0);
	assert_true(run(&r, 0, 20000, &a, &j, &o) > 0);
	assert_true(j <= 2000.0 + 1e-6);
	assert_true(a <= 500.0 + 1e-9);
	assert_true(r.value == 0);
}

static void test_small_step_settles_exactly(void **state)
{
	struct ramp r;
	double a, j, o;

	ramp_init(&r, 100);
	assert_true(run(&r, 100.4, 1000, &a, &j, &o) > 0);
	assert_true(r.value == 100.4 && r.rate == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reaches_target_from_rest),
		cmocka_unit_test(test_never_exceeds_acceleration_limit),
		cmocka_unit_test(test_never_exceeds_jerk_limit),
		cmocka_unit_test(test_does_not_overshoot),
		cmocka_unit_test(test_reverses_smoothly_when_target_changes_midway),
		cmocka_unit_test(test_small_step_settles_exactly),
	};

	return cmocka_run_group_tests_name("leverd ramp", tests, NULL, NULL);
}
