// SPDX-License-Identifier: MIT
/*
 * test_sup.c - specification of the supervisor's checks, one fault each:
 * stale samples, sequence gaps, out-of-range, implausible and stuck
 * sensors, over-speed, board faults, e-stop and safety-key latching, and
 * the stop and pain keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "control/sup.h"

#define MS 1000000ull

static struct sup *sup;
static struct lever_dev_sample smp;
static uint64_t now;

static int setup(void **state)
{
	struct sup_params p = {
		.period_ns = MS, .stale_samples = 5, .stuck_samples = 100,
		.implausible_samples = 20, .plausibility_tol_n = 120,
		.force_per_pa = 0.002, .max_pressure_pa = 600000,
		.max_force_n = 1200, .max_belt_mm_s = 5556,
		.overspeed_margin_mm_s = 139,
	};

	now = 0;
	memset(&smp, 0, sizeof(smp));
	smp.support_pressure_pa = 50000;
	smp.support_force_mn = 100000;
	return sup_new(&p, now, &sup);
}

static int teardown(void **state)
{
	sup_free(sup);
	return 0;
}

/* one cycle with a fresh, consistent sample unless @none */
static uint32_t cycle(int none, double belt_cmd)
{
	struct sup_input in = { 0 };

	now += MS;
	if (!none) {
		smp.seq++;
		smp.support_force_mn += (smp.seq & 1) ? 7 : -7;
		smp.support_pressure_pa += (smp.seq & 1) ? 3 : -3;
		in.sample = &smp;
	}
	in.now_ns = now;
	in.belt_cmd_mm_s = belt_cmd;
	return sup_check(sup, &in, NULL);
}

static void test_consistent_samples_raise_no_fault(void **state)
{
	int i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(cycle(0, 2000), 0);
}

static void test_stale_after_configured_periods(void **state)
{
	int i;

	cycle(0, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(cycle(1, 0) & SUP_F_STALE, 0);
	assert_true(cycle(1, 0) & SUP_F_STALE);
}

static void test_no_sample_ever_is_stale(void **state)
{
	int i;
	uint32_t f = 0;

	for (i = 0; i < 6; i++)
		f = cycle(1, 0);
	assert_true(f & SUP_F_STALE);
}

static void test_large_sequence_gap_is_a_fault(void **state)
{
	cycle(0, 0);
	smp.seq += 4;		/* 4 lost: tolerated */
	assert_int_equal(cycle(0, 0) & SUP_F_SEQ_GAP, 0);
	smp.seq += 5;		/* 5 lost */
	assert_true(cycle(0, 0) & SUP_F_SEQ_GAP);
}

static void test_lost_field_is_not_counted_twice(void **state)
{
	cycle(0, 0);
	smp.seq += 3;		/* 3 lost, and the transport says so too */
	smp.lost = 3;
	assert_int_equal(cycle(0, 0) & SUP_F_SEQ_GAP, 0);
}

static void test_force_out_of_range_is_a_fault(void **state)
{
	smp.support_force_mn = -200000;
	smp.support_pressure_pa = 0;
	assert_true(cycle(0, 0) & SUP_F_FORCE_RANGE);
}

static void test_pressure_out_of_range_is_a_fault(void **state)
{
	smp.support_pressure_pa = 2 * 600000;
	smp.support_force_mn = 1200000;
	assert_true(cycle(0, 0) & SUP_F_PRESSURE_RANGE);
}

static void test_pressure_far_below_zero_is_out_of_range(void **state)
{
	smp.support_pressure_pa = (uint32_t)-100000;
	smp.support_force_mn = 0;
	assert_true(cycle(0, 0) & SUP_F_PRESSURE_RANGE);
}

static void test_gauge_noise_just_below_zero_is_tolerated(void **state)
{
	int i;

	for (i = 0; i < 100; i++) {
		smp.support_pressure_pa = (uint32_t)(-60 + (i & 7));
		smp.support_force_mn = 100 * (i & 3) - 150;
		assert_int_equal(cycle(0, 0), 0);
	}
}

static void test_force_pressure_disagreement_is_a_fault_if_it_persists(void **s)
{
	int i;

	smp.support_force_mn = 300000;	/* 50 kPa x 0.002 = 100 N */
	for (i = 0; i < 19; i++)
		assert_int_equal(cycle(0, 0) & SUP_F_IMPLAUSIBLE, 0);
	assert_true(cycle(0, 0) & SUP_F_IMPLAUSIBLE);
}

static void test_single_implausible_sample_is_tolerated(void **state)
{
	int i;

	smp.support_force_mn = 300000;
	cycle(0, 0);
	smp.support_force_mn = 100000;
	for (i = 0; i < 50; i++)
		assert_int_equal(cycle(0, 0) & SUP_F_IMPLAUSIBLE, 0);
}

static void test_frozen_load_cell_while_running_is_stuck(void **state)
{
	struct sup_input in = { 0 };
	uint32_t f = 0;
	int i;

	for (i = 0; i < 101; i++) {
		now += MS;
		smp.seq++;
		smp.support_pressure_pa += (i & 1) ? 10 : -10;
		in.sample = &smp;
		in.now_ns = now;
		in.belt_cmd_mm_s = 2000;
		f = sup_check(sup, &in, NULL);
	}
	assert_true(f & SUP_F_STUCK);
}

static void test_frozen_readings_at_standstill_are_not_stuck(void **state)
{
	struct sup_input in = { 0 };
	int i;

	for (i = 0; i < 500; i++) {
		now += MS;
		smp.seq++;
		in.sample = &smp;
		in.now_ns = now;
		assert_int_equal(sup_check(sup, &in, NULL) & SUP_F_STUCK, 0);
	}
}

static void test_belt_faster_than_commanded_is_overspeed(void **state)
{
	smp.belt_speed_mm_s = 2000 + 140;
	assert_true(cycle(0, 2000) & SUP_F_OVERSPEED);
	smp.belt_speed_mm_s = 2000 + 100;
	assert_int_equal(cycle(0, 2000) & SUP_F_OVERSPEED, 0);
}

static void test_board_fault_is_reported(void **state)
{
	smp.board_faults = LEVER_DEV_BFAULT_VALVE;
	assert_true(cycle(0, 0) & SUP_F_BOARD);
}

static void test_estop_latches_after_release(void **state)
{
	smp.lines = LEVER_DEV_LINE_ESTOP;
	assert_true(cycle(0, 0) & SUP_F_ESTOP);
	smp.lines = 0;
	assert_true(cycle(0, 0) & SUP_F_ESTOP);
	assert_true(sup_latched(sup) & SUP_F_ESTOP);
}

static void test_reset_refused_while_estop_pressed(void **state)
{
	smp.lines = LEVER_DEV_LINE_ESTOP;
	cycle(0, 0);
	assert_int_equal(sup_reset(sup), -EBUSY);
	assert_true(sup_latched(sup) & SUP_F_ESTOP);
}

static void test_reset_clears_latch_once_released(void **state)
{
	smp.lines = LEVER_DEV_LINE_SAFETY_KEY;
	cycle(0, 0);
	smp.lines = 0;
	cycle(0, 0);
	assert_int_equal(sup_reset(sup), 0);
	assert_int_equal(cycle(0, 0), 0);
}

static void test_gpio_estop_counts_like_the_sample_line(void **state)
{
	struct sup_input in = { 0 };

	now += MS;
	smp.seq++;
	in.sample = &smp;
	in.now_ns = now;
	in.ext_lines = LEVER_DEV_LINE_ESTOP;
	assert_true(sup_check(sup, &in, NULL) & SUP_F_ESTOP);
	assert_int_equal(sup_reset(sup), -EBUSY);
}

static void test_stop_and_pain_buttons_report_on_press(void **state)
{
	smp.buttons = LEVER_DEV_BTN_STOP;
	assert_true(cycle(0, 0) & SUP_F_OPERATOR_STOP);
	/* held down: reported once, on the edge */
	assert_int_equal(cycle(0, 0) & SUP_F_OPERATOR_STOP, 0);
	smp.buttons = LEVER_DEV_BTN_STOP | LEVER_DEV_BTN_PAIN;
	assert_true(cycle(0, 0) & SUP_F_PAIN);
}

static void test_fault_names_are_distinct(void **state)
{
	unsigned int i, j;

	for (i = 0; i < SUP_F_COUNT; i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(sup_fault_name(1u << i),
						sup_fault_name(1u << j));
	assert_string_equal(sup_fault_name(SUP_F_ESTOP), "estop");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_consistent_samples_raise_no_fault),
		T(test_stale_after_configured_periods),
		T(test_no_sample_ever_is_stale),
		T(test_large_sequence_gap_is_a_fault),
		T(test_lost_field_is_not_counted_twice),
		T(test_force_out_of_range_is_a_fault),
		T(test_pressure_out_of_range_is_a_fault),
		T(test_pressure_far_below_zero_is_out_of_range),
		T(test_gauge_noise_just_below_zero_is_tolerated),
		T(test_force_pressure_disagreement_is_a_fault_if_it_persists),
		T(test_single_implausible_sample_is_tolerated),
		T(test_frozen_load_cell_while_running_is_stuck),
		T(test_frozen_readings_at_standstill_are_not_stuck),
		T(test_belt_faster_than_commanded_is_overspeed),
		T(test_board_fault_is_reported),
		T(test_estop_latches_after_release),
		T(test_reset_refused_while_estop_pressed),
		T(test_reset_clears_latch_once_released),
		T(test_gpio_estop_counts_like_the_sample_line),
		T(test_stop_and_pain_buttons_report_on_press),
		T(test_fault_names_are_distinct),
	};

	return cmocka_run_group_tests_name("leverd sup", tests, NULL, NULL);
}
