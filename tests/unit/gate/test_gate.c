// SPDX-License-Identifier: GPL-2.0
/*
 * test_gate.c - host tests of lever.ko's safety gate (driver/lever_gate.c),
 * one behaviour each. Time is passed in, so every test is exact and never
 * depends on the machine's speed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lever_gate.h"

#define MS(x)	((__u64)(x) * 1000000u)
#define T0	MS(1000)	/* any start time; not zero on purpose */

static const struct lever_gate_limits board = {
	.max_support_pressure_pa = 300000,
	.max_belt_speed_mm_s = 5000,
	.max_belt_accel_mm_s2 = 1000,
	.stop_decel_mm_s2 = 1000,
	.incline_min_centi_pct = -300,
	.incline_max_centi_pct = 1500,
	.max_pressure_slew_pa_s = 20000,
};

static struct lever_gate_cmd cmd(__u32 pa, __s32 mm_s, __s16 incline)
{
	struct lever_gate_cmd c = {
		.support_pressure_pa = pa,
		.belt_speed_mm_s = mm_s,
		.incline_centi_pct = incline,
	};
	return c;
}

static void fresh(struct lever_gate *g)
{
	lever_gate_init(g, &board);
	/* the board reports 100 kPa applied, no lines, no faults */
	lever_gate_observe(g, 0, 0, 100000, 0, T0);
}

static void armed(struct lever_gate *g)
{
	fresh(g);
	assert_int_equal(lever_gate_arm(g, 50, T0), 0);
}

/* Runs the belt up to @mm_s, commanding every 10 ms as a daemon would. */
static __u64 run_up(struct lever_gate *g, __s32 mm_s, __u64 t)
{
	struct lever_gate_cmd c = cmd(100000, mm_s, 0);
	struct lever_gate_frame f;

	for (int i = 0; i < 1000; i++) {
		t += MS(10);
		assert_int_equal(lever_gate_command(g, &c, t, NULL), 0);
		assert_true(lever_gate_tick(g, t, &f));
		if (f.belt_speed_mm_s == mm_s)
			return t;
	}
	fail_msg("belt never reached %d mm/s", mm_s);
	return t;
}

static void test_init_is_disarmed_without_fault(void **state)
{
	struct lever_gate g;

	fresh(&g);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
	assert_int_equal(lever_gate_faults(&g), 0);
}

static void test_check_limits_accepts_a_sane_board(void **state)
{
	assert_int_equal(lever_gate_check_limits(&board), 0);
}

static void test_check_limits_refuses_zero_belt_speed(void **state)
{
	struct lever_gate_limits l = board;

	l.max_belt_speed_mm_s = 0;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
}

static void test_check_limits_refuses_belt_above_20_km_h(void **state)
{
	struct lever_gate_limits l = board;

	l.max_belt_speed_mm_s = LEVER_GATE_BELT_MAX_MM_S + 1;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
}

static void test_check_limits_refuses_stop_decel_out_of_bounds(void **state)
{
	struct lever_gate_limits l = board;

	l.stop_decel_mm_s2 = 499;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
	l.stop_decel_mm_s2 = 2001;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
}

static void test_check_limits_refuses_inverted_incline_range(void **state)
{
	struct lever_gate_limits l = board;

	l.incline_min_centi_pct = 500;
	l.incline_max_centi_pct = 400;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
}

static void test_check_limits_refuses_zero_pressure_slew(void **state)
{
	struct lever_gate_limits l = board;

	l.max_pressure_slew_pa_s = 0;
	assert_int_equal(lever_gate_check_limits(&l), -EINVAL);
}

static void test_no_frame_is_sent_while_disarmed(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;

	fresh(&g);
	assert_false(lever_gate_tick(&g, T0 + MS(10), &f));
}

static void test_arm_refused_while_estop_active(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, LEVER_GATE_LINE_ESTOP, 0, 100000, 0, T0);
	assert_int_equal(lever_gate_arm(&g, 50, T0), -EPERM);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_FAULT);
}

static void test_arm_refused_while_safety_key_active(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, LEVER_GATE_LINE_SAFETY_KEY, 0, 100000, 0, T0);
	assert_int_equal(lever_gate_arm(&g, 50, T0), -EPERM);
}

static void test_arm_refused_while_fault_latched(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, LEVER_GATE_LINE_ESTOP, 0, 100000, 0, T0);
	lever_gate_observe(&g, 0, 0, 100000, 0, T0 + MS(1));
	/* line released, but the e-stop fault stays latched */
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_ESTOP);
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(2)), -EPERM);
}

static void test_arm_refuses_watchdog_out_of_range(void **state)
{
	struct lever_gate g;

	fresh(&g);
	assert_int_equal(lever_gate_arm(&g, 4, T0), -EINVAL);
	assert_int_equal(lever_gate_arm(&g, 1001, T0), -EINVAL);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
}

static void test_arm_twice_is_busy(void **state)
{
	struct lever_gate g;

	armed(&g);
	assert_int_equal(lever_gate_arm(&g, 50, T0), -EBUSY);
}

static void test_arm_holds_pressure_and_keeps_belt_at_zero(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;

	armed(&g);
	assert_true(lever_gate_tick(&g, T0 + MS(10), &f));
	assert_int_equal(f.flags, LEVER_GATE_CMD_RUN);
	assert_int_equal(f.belt_speed_mm_s, 0);
	assert_int_equal(f.support_pressure_pa, 100000);
}

static void test_command_refused_unless_armed(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 1000, 0);

	fresh(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), -EPERM);
}

static void test_command_refuses_negative_belt_speed(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, -1, 0);

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), -EINVAL);
}

static void test_command_refuses_nonzero_flags(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 1000, 0);

	armed(&g);
	c.flags = 1;
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), -EINVAL);
}

static void test_command_refuses_nonzero_reserved(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 1000, 0);

	armed(&g);
	c.reserved[3] = 1;
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), -EINVAL);
}

static void test_command_refuses_pressure_that_is_a_negative_number(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd((__u32)-5, 1000, 0);

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), -EINVAL);
}

static void test_refused_command_does_not_feed_watchdog(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, -1, 0);
	struct lever_gate_frame f;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(40), NULL),
			 -EINVAL);
	lever_gate_tick(&g, T0 + MS(50), &f);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_WATCHDOG);
}

static void test_command_clamps_belt_speed_to_board_limit(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 9000, 0);
	bool clamped;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, &clamped), 0);
	assert_true(clamped);
	assert_int_equal(g.clamped, 1);
	run_up(&g, 5000, T0);
}

static void test_command_clamps_pressure_to_board_limit(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(400000, 0, 0);
	struct lever_gate_frame f;
	bool clamped;
	__u64 t = T0;

	armed(&g);
	for (int i = 0; i < 2000; i++) {
		t += MS(10);
		assert_int_equal(lever_gate_command(&g, &c, t, &clamped), 0);
		assert_true(clamped);
		lever_gate_tick(&g, t, &f);
	}
	assert_int_equal(f.support_pressure_pa, 300000);
}

static void test_command_clamps_incline_to_range(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd lo = cmd(100000, 0, -2000);
	struct lever_gate_cmd hi = cmd(100000, 0, 2000);
	struct lever_gate_frame f;
	bool clamped;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &lo, T0, &clamped), 0);
	assert_true(clamped);
	lever_gate_tick(&g, T0, &f);
	assert_int_equal(f.incline_centi_pct, -300);
	assert_int_equal(lever_gate_command(&g, &hi, T0 + MS(1), &clamped), 0);
	lever_gate_tick(&g, T0 + MS(1), &f);
	assert_int_equal(f.incline_centi_pct, 1500);
	assert_int_equal(g.clamped, 2);
}

static void test_value_inside_limits_is_not_counted_as_clamped(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(300000, 5000, 1500);
	bool clamped = true;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, &clamped), 0);
	assert_false(clamped);
	assert_int_equal(g.clamped, 0);
}

static void test_belt_speed_rises_no_faster_than_max_accel(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 3000, 0);
	struct lever_gate_frame f;

	fresh(&g);
	assert_int_equal(lever_gate_arm(&g, 1000, T0), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), 0);
	assert_true(lever_gate_tick(&g, T0 + MS(100), &f));
	/* 1000 mm/s^2 for 100 ms */
	assert_int_equal(f.belt_speed_mm_s, 100);
}

static void test_pressure_changes_no_faster_than_max_slew(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(50000, 0, 0);
	struct lever_gate_frame f;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), 0);
	assert_true(lever_gate_tick(&g, T0 + MS(40), &f));
	/* 20000 Pa/s for 40 ms, down from 100 kPa */
	assert_int_equal(f.support_pressure_pa, 100000 - 800);
}

static void test_slew_keeps_fractions_over_many_small_steps(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 3000, 0);
	struct lever_gate_frame f;
	__u64 t = T0;

	armed(&g);
	/* 1000 steps of 100.5 us: each alone is 0.1005 mm/s */
	for (int i = 0; i < 1000; i++) {
		t += 100500;
		assert_int_equal(lever_gate_command(&g, &c, t, NULL), 0);
	}
	lever_gate_tick(&g, t, &f);
	assert_int_equal(f.belt_speed_mm_s, 100);
}

static void test_watchdog_not_tripped_before_period(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;

	armed(&g);
	assert_true(lever_gate_tick(&g, T0 + MS(50) - 1, &f));
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
	assert_int_equal(lever_gate_deadline_ns(&g), T0 + MS(50));
}

static void test_watchdog_trip_keeps_the_slew_up_to_the_deadline(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 3000, 0);
	struct lever_gate_frame f;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), 0);
	/* the tick comes 30 ms late: 50 ms up at 1 m/s^2, 30 ms down */
	assert_true(lever_gate_tick(&g, T0 + MS(80), &f));
	assert_int_equal(f.belt_speed_mm_s, 20);
}

static void test_watchdog_stops_belt_after_timeout(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	assert_true(lever_gate_tick(&g, t + MS(50), &f));
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
	assert_int_equal(f.flags, LEVER_GATE_CMD_STOP);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_WATCHDOG);
	assert_int_equal(g.watchdog_trips, 1);
}

static void test_watchdog_period_is_settable_within_bounds(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;

	armed(&g);
	assert_int_equal(lever_gate_set_watchdog(&g, 4, T0), -EINVAL);
	assert_int_equal(lever_gate_set_watchdog(&g, 1001, T0), -EINVAL);
	assert_int_equal(lever_gate_set_watchdog(&g, 200, T0), 0);
	lever_gate_tick(&g, T0 + MS(199), &f);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
	lever_gate_tick(&g, T0 + MS(200), &f);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_WATCHDOG);
}

static void test_late_command_does_not_revive_a_tripped_watchdog(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 1000, 0);

	armed(&g);
	/* no tick ran at the deadline; the command itself finds it passed */
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(51), NULL),
			 -EPERM);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_WATCHDOG);
}

static void test_controlled_stop_ramps_belt_at_stop_decel(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_stop(&g, t);
	assert_true(lever_gate_tick(&g, t + MS(300), &f));
	/* 1000 mm/s^2 for 300 ms */
	assert_int_equal(f.belt_speed_mm_s, 700);
	assert_int_equal(f.flags, LEVER_GATE_CMD_STOP);
}

static void test_controlled_stop_holds_support_pressure(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(200000, 0, 0);
	struct lever_gate_frame f;

	fresh(&g);
	assert_int_equal(lever_gate_arm(&g, 1000, T0), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), 0);
	lever_gate_tick(&g, T0 + MS(100), &f);
	assert_int_equal(f.support_pressure_pa, 102000);
	lever_gate_stop(&g, T0 + MS(100));
	lever_gate_tick(&g, T0 + MS(500), &f);
	assert_int_equal(f.support_pressure_pa, 102000);
}

static void test_stop_ends_disarmed_without_fault(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 500, T0);
	lever_gate_stop(&g, t);
	lever_gate_tick(&g, t + MS(600), &f);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
	assert_int_equal(lever_gate_faults(&g), 0);
}

static void test_one_drive_off_frame_follows_the_end_of_a_stop(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 500, T0);
	lever_gate_stop(&g, t);
	assert_true(lever_gate_tick(&g, t + MS(600), &f));
	assert_int_equal(f.belt_speed_mm_s, 0);
	assert_int_equal(f.flags, LEVER_GATE_CMD_STOP);
	assert_false(lever_gate_tick(&g, t + MS(610), &f));
}

static void test_release_stops_and_latches_closed_fault(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_release(&g, t);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_CLOSED);
	lever_gate_tick(&g, t + MS(1100), &f);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_FAULT);
}

static void test_release_when_disarmed_latches_nothing(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_release(&g, T0);
	assert_int_equal(lever_gate_faults(&g), 0);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
}

static void test_release_during_a_clean_stop_latches_nothing(void **state)
{
	struct lever_gate g;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_stop(&g, t);
	lever_gate_release(&g, t + MS(1));
	assert_int_equal(lever_gate_faults(&g), 0);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
}

static void test_estop_while_running_latches_and_zeroes_belt(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_observe(&g, LEVER_GATE_LINE_ESTOP, 0, 100000, 0, t);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_FAULT);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_ESTOP);
	assert_true(lever_gate_tick(&g, t + MS(1), &f));
	assert_int_equal(f.belt_speed_mm_s, 0);
	assert_int_equal(f.flags, LEVER_GATE_CMD_STOP);
}

static void test_board_fault_starts_controlled_stop(void **state)
{
	struct lever_gate g;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_observe(&g, 0, 1u << 3, 100000, 0, t);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_BOARD);
}

static void test_board_fault_already_reported_does_not_latch_again(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, 0, 1u << 3, 100000, 0, T0);
	assert_int_equal(lever_gate_reset_faults(&g), 0);
	/* a report sent before the board's own reset still shows the bit */
	lever_gate_observe(&g, 0, 1u << 3, 100000, 0, T0 + MS(1));
	assert_int_equal(lever_gate_faults(&g), 0);
}

static void test_arm_refused_while_board_reports_a_fault(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, 0, 1u << 3, 100000, 0, T0);
	assert_int_equal(lever_gate_reset_faults(&g), 0);
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(1)), -EPERM);
	lever_gate_observe(&g, 0, 0, 100000, 0, T0 + MS(2));
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(3)), 0);
}

static void test_io_fault_stops_and_latches(void **state)
{
	struct lever_gate g;

	armed(&g);
	lever_gate_io_fault(&g, T0 + MS(1));
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_IO);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
}

static void test_reset_refused_while_estop_active(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, LEVER_GATE_LINE_ESTOP, 0, 100000, 0, T0);
	assert_int_equal(lever_gate_reset_faults(&g), -EBUSY);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_ESTOP);
}

static void test_reset_refused_while_belt_ramps_down(void **state)
{
	struct lever_gate g;
	__u64 t;

	armed(&g);
	t = run_up(&g, 1000, T0);
	lever_gate_release(&g, t);
	assert_int_equal(lever_gate_reset_faults(&g), -EBUSY);
}

static void test_reset_after_release_of_lines_disarms(void **state)
{
	struct lever_gate g;

	fresh(&g);
	lever_gate_observe(&g, LEVER_GATE_LINE_ESTOP, 0, 100000, 0, T0);
	lever_gate_observe(&g, 0, 0, 100000, 0, T0 + MS(1));
	assert_int_equal(lever_gate_reset_faults(&g), 0);
	assert_int_equal(lever_gate_faults(&g), 0);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(2)), 0);
}

static void test_command_refused_after_stop_until_rearmed(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 1000, 0);
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 500, T0);
	lever_gate_stop(&g, t);
	lever_gate_tick(&g, t + MS(600), &f);
	assert_int_equal(lever_gate_command(&g, &c, t + MS(610), NULL),
			 -EPERM);
}

static void test_nothing_moves_after_rearm_until_a_command(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;
	__u64 t;

	armed(&g);
	t = run_up(&g, 500, T0);
	lever_gate_stop(&g, t);
	lever_gate_tick(&g, t + MS(600), &f);
	lever_gate_tick(&g, t + MS(610), &f);
	/* the old 500 mm/s target is gone: re-arming starts at zero */
	assert_int_equal(lever_gate_arm(&g, 50, t + MS(620)), 0);
	assert_true(lever_gate_tick(&g, t + MS(660), &f));
	assert_int_equal(f.belt_speed_mm_s, 0);
}

static void test_set_watchdog_does_not_rescue_an_overdue_controller(void **state)
{
	struct lever_gate g;
	struct lever_gate_frame f;

	armed(&g);
	/* 60 ms after the last feed of a 50 ms watchdog, no tick between */
	assert_int_equal(lever_gate_set_watchdog(&g, 1000, T0 + MS(60)),
			 -EPERM);
	lever_gate_tick(&g, T0 + MS(61), &f);
	assert_int_not_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_WATCHDOG);
}

static void test_reset_refused_while_armed(void **state)
{
	struct lever_gate g;

	armed(&g);
	assert_int_equal(lever_gate_reset_faults(&g), -EBUSY);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
}

static void test_reset_refused_while_armed_with_a_fault_latched(void **state)
{
	struct lever_gate g;

	armed(&g);
	lever_gate_observe(&g, 0, 1u << 3, 100000, 0, T0 + MS(1));
	lever_gate_observe(&g, 0, 0, 100000, 0, T0 + MS(2));
	/* the board fault started a stop: still held by the controller */
	assert_int_equal(lever_gate_reset_faults(&g), -EBUSY);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_BOARD);
}

/* A 1 kHz board: stale after 50 ms, or twice the watchdog if longer. */
static void fresh_1khz(struct lever_gate *g)
{
	fresh(g);
	assert_int_equal(lever_gate_set_sample_rate(g, 1000, T0), 0);
	lever_gate_observe(g, 0, 0, 100000, 0, T0);
}

static void test_sample_rate_out_of_range_is_einval(void **state)
{
	struct lever_gate g;

	fresh(&g);
	assert_int_equal(lever_gate_set_sample_rate(&g, 0, T0), -EINVAL);
	assert_int_equal(lever_gate_set_sample_rate(&g, 10001, T0), -EINVAL);
}

static void test_arm_refused_without_a_sample_since_link_up(void **state)
{
	struct lever_gate g;

	lever_gate_init(&g, &board);
	assert_int_equal(lever_gate_set_sample_rate(&g, 1000, T0), 0);
	assert_int_equal(lever_gate_arm(&g, 5, T0 + MS(51)), -ENODATA);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_DISARMED);
}

static void test_arm_refused_when_the_last_sample_is_stale(void **state)
{
	struct lever_gate g;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(101)), -ENODATA);
	lever_gate_observe(&g, 0, 0, 100000, 0, T0 + MS(102));
	assert_int_equal(lever_gate_arm(&g, 50, T0 + MS(103)), 0);
}

static void test_stale_bound_is_50_periods_for_a_short_watchdog(void **state)
{
	struct lever_gate g;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 5, T0 + MS(50)), 0);
	lever_gate_init(&g, &board);
	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 5, T0 + MS(51)), -ENODATA);
}

static void test_stale_bound_is_twice_the_watchdog_if_longer(void **state)
{
	struct lever_gate g;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 200, T0 + MS(400)), 0);
	lever_gate_init(&g, &board);
	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 200, T0 + MS(401)), -ENODATA);
}

static void test_stale_samples_while_armed_stop_with_io_fault(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 500, 0);
	struct lever_gate_frame f;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 50, T0), 0);
	/* fed by the controller, but the board says nothing */
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(40), NULL), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(80), NULL), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(120), NULL),
			 -EPERM);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_STOPPING);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_IO);
	assert_true(lever_gate_tick(&g, T0 + MS(121), &f));
	assert_int_equal(f.flags, LEVER_GATE_CMD_STOP);
}

static void test_tick_stops_an_armed_gate_whose_samples_stopped(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 0, 0);
	struct lever_gate_frame f;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 100, T0), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(90), NULL), 0);
	assert_int_equal(lever_gate_command(&g, &c, T0 + MS(180), NULL), 0);
	lever_gate_tick(&g, T0 + MS(199), &f);
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
	lever_gate_tick(&g, T0 + MS(201), &f);
	assert_int_equal(lever_gate_faults(&g), LEVER_GATE_FAULT_IO);
}

static void test_fresh_samples_keep_an_armed_gate_running(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(100000, 0, 0);
	struct lever_gate_frame f;
	__u64 t;

	fresh_1khz(&g);
	assert_int_equal(lever_gate_arm(&g, 50, T0), 0);
	for (t = T0 + MS(10); t < T0 + MS(1000); t += MS(10)) {
		lever_gate_observe(&g, 0, 0, 100000, 0, t);
		assert_int_equal(lever_gate_command(&g, &c, t, NULL), 0);
		lever_gate_tick(&g, t, &f);
	}
	assert_int_equal(lever_gate_state(&g), LEVER_GATE_ARMED);
	assert_int_equal(lever_gate_faults(&g), 0);
}

/*
 * A controller that streamed a stride-cancelling swing and then went
 * silent (hung, stopped) leaves no trough or peak: after 20 ms without a
 * request the gate aims at the stride average of its requests.
 */
static void test_a_silent_streaming_controller_leaves_its_average(void **s)
{
	struct lever_gate g;
	struct lever_gate_cmd c;
	struct lever_gate_frame f;
	__u64 t = T0;
	int i;

	fresh(&g);
	assert_int_equal(lever_gate_arm(&g, 1000, T0), 0);
	for (i = 0; i < 1200; i++) {
		t += MS(1);
		c = cmd((i / 100) % 2 ? 70000 : 130000, 0, 0);
		assert_int_equal(lever_gate_command(&g, &c, t, NULL), 0);
	}
	/* the last request was a trough */
	assert_true(lever_gate_tick(&g, t + MS(30), &f));
	assert_true(g.pressure_target_mpa / 1000 > 85000);
	assert_true(g.pressure_target_mpa / 1000 < 115000);
}

/* one request and a wait is no silence: the request stands */
static void test_a_single_request_is_kept_while_armed(void **state)
{
	struct lever_gate g;
	struct lever_gate_cmd c = cmd(50000, 0, 0);
	struct lever_gate_frame f;

	armed(&g);
	assert_int_equal(lever_gate_command(&g, &c, T0, NULL), 0);
	assert_true(lever_gate_tick(&g, T0 + MS(40), &f));
	assert_int_equal(g.pressure_target_mpa, 50000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_disarmed_without_fault),
		cmocka_unit_test(test_check_limits_accepts_a_sane_board),
		cmocka_unit_test(test_check_limits_refuses_zero_belt_speed),
		cmocka_unit_test(test_check_limits_refuses_belt_above_20_km_h),
		cmocka_unit_test(test_check_limits_refuses_stop_decel_out_of_bounds),
		cmocka_unit_test(test_check_limits_refuses_inverted_incline_range),
		cmocka_unit_test(test_check_limits_refuses_zero_pressure_slew),
		cmocka_unit_test(test_no_frame_is_sent_while_disarmed),
		cmocka_unit_test(test_arm_refused_while_estop_active),
		cmocka_unit_test(test_arm_refused_while_safety_key_active),
		cmocka_unit_test(test_arm_refused_while_fault_latched),
		cmocka_unit_test(test_arm_refuses_watchdog_out_of_range),
		cmocka_unit_test(test_arm_twice_is_busy),
		cmocka_unit_test(test_arm_holds_pressure_and_keeps_belt_at_zero),
		cmocka_unit_test(test_command_refused_unless_armed),
		cmocka_unit_test(test_command_refuses_negative_belt_speed),
		cmocka_unit_test(test_command_refuses_nonzero_flags),
		cmocka_unit_test(test_command_refuses_nonzero_reserved),
		cmocka_unit_test(test_command_refuses_pressure_that_is_a_negative_number),
		cmocka_unit_test(test_refused_command_does_not_feed_watchdog),
		cmocka_unit_test(test_command_clamps_belt_speed_to_board_limit),
		cmocka_unit_test(test_command_clamps_pressure_to_board_limit),
		cmocka_unit_test(test_command_clamps_incline_to_range),
		cmocka_unit_test(test_value_inside_limits_is_not_counted_as_clamped),
		cmocka_unit_test(test_belt_speed_rises_no_faster_than_max_accel),
		cmocka_unit_test(test_pressure_changes_no_faster_than_max_slew),
		cmocka_unit_test(test_slew_keeps_fractions_over_many_small_steps),
		cmocka_unit_test(test_watchdog_not_tripped_before_period),
		cmocka_unit_test(test_watchdog_stops_belt_after_timeout),
		cmocka_unit_test(test_watchdog_trip_keeps_the_slew_up_to_the_deadline),
		cmocka_unit_test(test_watchdog_period_is_settable_within_bounds),
		cmocka_unit_test(test_late_command_does_not_revive_a_tripped_watchdog),
		cmocka_unit_test(test_controlled_stop_ramps_belt_at_stop_decel),
		cmocka_unit_test(test_controlled_stop_holds_support_pressure),
		cmocka_unit_test(test_stop_ends_disarmed_without_fault),
		cmocka_unit_test(test_one_drive_off_frame_follows_the_end_of_a_stop),
		cmocka_unit_test(test_release_stops_and_latches_closed_fault),
		cmocka_unit_test(test_release_when_disarmed_latches_nothing),
		cmocka_unit_test(test_release_during_a_clean_stop_latches_nothing),
		cmocka_unit_test(test_estop_while_running_latches_and_zeroes_belt),
		cmocka_unit_test(test_board_fault_starts_controlled_stop),
		cmocka_unit_test(test_board_fault_already_reported_does_not_latch_again),
		cmocka_unit_test(test_arm_refused_while_board_reports_a_fault),
		cmocka_unit_test(test_io_fault_stops_and_latches),
		cmocka_unit_test(test_reset_refused_while_estop_active),
		cmocka_unit_test(test_reset_refused_while_belt_ramps_down),
		cmocka_unit_test(test_reset_after_release_of_lines_disarms),
		cmocka_unit_test(test_command_refused_after_stop_until_rearmed),
		cmocka_unit_test(test_nothing_moves_after_rearm_until_a_command),
		cmocka_unit_test(test_set_watchdog_does_not_rescue_an_overdue_controller),
		cmocka_unit_test(test_reset_refused_while_armed),
		cmocka_unit_test(test_reset_refused_while_armed_with_a_fault_latched),
		cmocka_unit_test(test_sample_rate_out_of_range_is_einval),
		cmocka_unit_test(test_arm_refused_without_a_sample_since_link_up),
		cmocka_unit_test(test_arm_refused_when_the_last_sample_is_stale),
		cmocka_unit_test(test_stale_bound_is_50_periods_for_a_short_watchdog),
		cmocka_unit_test(test_stale_bound_is_twice_the_watchdog_if_longer),
		cmocka_unit_test(test_stale_samples_while_armed_stop_with_io_fault),
		cmocka_unit_test(test_tick_stops_an_armed_gate_whose_samples_stopped),
		cmocka_unit_test(test_fresh_samples_keep_an_armed_gate_running),
		cmocka_unit_test(test_a_silent_streaming_controller_leaves_its_average),
		cmocka_unit_test(test_a_single_request_is_kept_while_armed),
	};

	return cmocka_run_group_tests_name("lever_gate", tests, NULL, NULL);
}
