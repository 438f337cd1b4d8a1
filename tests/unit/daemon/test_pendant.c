// SPDX-License-Identifier: MIT
/*
 * test_pendant.c - specification of the pendant's adjustments: steps of
 * 0.5 km/h and 1 %BW on top of the plan's targets, bounded (more support
 * never near the supervisor's +5 %BW, safety.rst rule 8), applied only
 * while running, and forgotten at every new explicit start.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "pendant.h"

#define MAX_MM_S	5556	/* 20 km/h */

static struct sess_targets running(uint32_t gen, int32_t mm_s, int32_t bw)
{
	struct sess_targets t;

	memset(&t, 0, sizeof(t));
	t.generation = gen;
	t.run = SESS_RUN;
	t.belt_speed_mm_s = mm_s;
	t.bw_carried_pct_x100 = bw;
	t.mass_kg = 70;
	return t;
}

static void test_a_speed_press_adds_half_a_km_h(void **state)
{
	struct pendant p = { 0 };
	struct sess_targets t = running(1, 2778, 8000);

	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(pendant_key(&p, PENDANT_SPEED_UP), 0);
	t = running(1, 2778, 8000);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, 2778 + 139);
}

static void test_speed_offset_stops_at_2_km_h(void **state)
{
	struct pendant p = { 0 };
	int i, refused = 0;

	for (i = 0; i < 10; i++)
		refused += pendant_key(&p, PENDANT_SPEED_UP) == -ERANGE;
	assert_int_equal(p.speed_offset_mm_s, 4 * PENDANT_SPEED_STEP_MM_S);
	assert_int_equal(refused, 6);
	for (i = 0; i < 20; i++)
		pendant_key(&p, PENDANT_SPEED_DOWN);
	assert_true(p.speed_offset_mm_s >= -PENDANT_SPEED_MAX_MM_S);
}

static void test_more_support_stays_under_the_supervisor_bound(void **s)
{
	struct pendant p = { 0 };
	struct sess_targets t;
	int i;

	for (i = 0; i < 20; i++)
		pendant_key(&p, PENDANT_SUPPORT_UP);
	t = running(0, 2778, 8000);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_true(8000 - t.bw_carried_pct_x100 < 500);
	assert_int_equal(t.bw_carried_pct_x100, 8000 - 400);
}

static void test_less_support_stops_at_10_pct(void **state)
{
	struct pendant p = { 0 };
	struct sess_targets t;
	int i;

	for (i = 0; i < 30; i++)
		pendant_key(&p, PENDANT_SUPPORT_DOWN);
	t = running(0, 2778, 8000);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.bw_carried_pct_x100, 9000);
}

static void test_targets_stay_inside_their_limits(void **state)
{
	struct pendant p = { 0 };
	struct sess_targets t;
	int i;

	for (i = 0; i < 4; i++)
		pendant_key(&p, PENDANT_SPEED_UP);
	for (i = 0; i < 10; i++)
		pendant_key(&p, PENDANT_SUPPORT_DOWN);
	t = running(0, 5500, 9800);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, MAX_MM_S);
	assert_int_equal(t.bw_carried_pct_x100, 10000);
	for (i = 0; i < 8; i++)
		pendant_key(&p, PENDANT_SPEED_DOWN);
	t = running(0, 100, 8000);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, 0);
}

static void test_a_new_start_forgets_the_adjustments(void **state)
{
	struct pendant p = { 0 };
	struct sess_targets t = running(1, 2778, 8000);

	pendant_apply(&p, &t, MAX_MM_S);
	pendant_key(&p, PENDANT_SPEED_UP);
	pendant_key(&p, PENDANT_SUPPORT_UP);
	t = running(2, 2778, 8000);
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, 2778);
	assert_int_equal(t.bw_carried_pct_x100, 8000);
}

static void test_nothing_is_applied_unless_running(void **state)
{
	struct pendant p = { 0 };
	struct sess_targets t = running(1, 0, 8000);

	pendant_apply(&p, &t, MAX_MM_S);
	pendant_key(&p, PENDANT_SPEED_UP);
	t.run = SESS_PAUSE;
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, 0);
	t.run = SESS_STOP;
	pendant_apply(&p, &t, MAX_MM_S);
	assert_int_equal(t.belt_speed_mm_s, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_speed_press_adds_half_a_km_h),
		cmocka_unit_test(test_speed_offset_stops_at_2_km_h),
		cmocka_unit_test(test_more_support_stays_under_the_supervisor_bound),
		cmocka_unit_test(test_less_support_stops_at_10_pct),
		cmocka_unit_test(test_targets_stay_inside_their_limits),
		cmocka_unit_test(test_a_new_start_forgets_the_adjustments),
		cmocka_unit_test(test_nothing_is_applied_unless_running),
	};

	return cmocka_run_group_tests_name("leverd pendant", tests, NULL, NULL);
}
