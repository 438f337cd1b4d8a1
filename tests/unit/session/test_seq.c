// SPDX-License-Identifier: MIT
/*
 * test_seq.c - specification of the session sequencer: steps in order with
 * linear ramps, pause (belt to zero, support held) and resume, skip, stop,
 * pain, and the generation that makes the RT side drop stale commands.
 * Time is handed in; nothing here reads a clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "seq.h"

#define S(x)	((uint64_t)(x) * 1000000000ull)
#define MS(x)	((uint64_t)(x) * 1000000ull)

/* warmup 60 s at 1000 mm/s, run 120 s at 2500 mm/s, cooldown 60 s */
static const struct plan_step steps[] = {
	{ .kind = PLAN_WARMUP, .duration_ms = 60000, .belt_speed_mm_s = 1000,
	  .incline_centi_pct = 0, .bw_carried_pct_x100 = 7000,
	  .ramp_ms = 10000 },
	{ .kind = PLAN_RUN, .duration_ms = 120000, .belt_speed_mm_s = 2500,
	  .incline_centi_pct = 100, .bw_carried_pct_x100 = 7500,
	  .ramp_ms = 10000 },
	{ .kind = PLAN_COOLDOWN, .duration_ms = 60000,
	  .belt_speed_mm_s = 1200, .incline_centi_pct = 0,
	  .bw_carried_pct_x100 = 7500, .ramp_ms = 5000 },
};

static struct seq *q;
static struct seq_out o;
static const uint64_t t0 = S(1000);	/* any monotonic origin */

static int setup(void **state)
{
	assert_int_equal(seq_create(&q, steps, 3), 0);
	return 0;
}

static int teardown(void **state)
{
	seq_destroy(q);
	return 0;
}

static void at(uint64_t t)
{
	seq_update(q, t, &o);
}

static void test_new_sequencer_is_idle_and_still(void **state)
{
	at(t0);
	assert_int_equal(o.state, SEQ_IDLE);
	assert_false(o.moving);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.step_index, -1);
	assert_int_equal(o.generation, 0);
}

static void test_empty_session_is_refused(void **state)
{
	struct seq *e;

	assert_int_equal(seq_create(&e, steps, 0), -EINVAL);
	assert_null(e);
}

static void test_start_ramps_belt_from_standstill(void **state)
{
	assert_int_equal(seq_start(q, t0), 0);
	at(t0);
	assert_int_equal(o.state, SEQ_RUNNING);
	assert_true(o.moving);
	assert_int_equal(o.step_index, 0);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.ramp_remaining_ms, 10000);
	assert_int_equal(o.bw_carried_pct_x100, 7000);
	at(t0 + S(5));
	assert_int_equal(o.belt_speed_mm_s, 500);
	assert_int_equal(o.ramp_remaining_ms, 5000);
	at(t0 + S(10));
	assert_int_equal(o.belt_speed_mm_s, 1000);
	assert_int_equal(o.ramp_remaining_ms, 0);
}

static void test_next_step_ramps_from_previous_targets(void **state)
{
	seq_start(q, t0);
	at(t0 + S(60));
	assert_int_equal(o.step_index, 1);
	assert_int_equal(o.belt_speed_mm_s, 1000);
	assert_int_equal(o.bw_carried_pct_x100, 7000);
	at(t0 + S(65));
	assert_int_equal(o.belt_speed_mm_s, 1750);
	assert_int_equal(o.incline_centi_pct, 50);
	assert_int_equal(o.bw_carried_pct_x100, 7250);
	at(t0 + S(70));
	assert_int_equal(o.belt_speed_mm_s, 2500);
	assert_int_equal(o.incline_centi_pct, 100);
	assert_int_equal(o.bw_carried_pct_x100, 7500);
}

static void test_steps_follow_in_order_with_times(void **state)
{
	seq_start(q, t0);
	at(t0 + S(30));
	assert_int_equal(o.step_index, 0);
	assert_int_equal(o.step_elapsed_ms, 30000);
	assert_int_equal(o.step_remaining_ms, 30000);
	assert_int_equal(o.session_elapsed_ms, 30000);
	assert_int_equal(o.session_remaining_ms, 210000);
	at(t0 + S(200));
	assert_int_equal(o.step_index, 2);
	assert_int_equal(o.step_elapsed_ms, 20000);
	assert_int_equal(o.session_elapsed_ms, 200000);
	assert_int_equal(o.session_remaining_ms, 40000);
}

static void test_session_finishes_after_last_step_and_stops_belt(void **state)
{
	seq_start(q, t0);
	at(t0 + S(240));
	assert_int_equal(o.state, SEQ_FINISHED);
	assert_false(o.moving);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.bw_carried_pct_x100, 7500);
	assert_int_equal(o.session_elapsed_ms, 240000);
	assert_int_equal(o.session_remaining_ms, 0);
	assert_int_equal(seq_end_cause(q), SEQ_END_COMPLETED);
}

static void test_large_time_jump_crosses_several_steps(void **state)
{
	seq_start(q, t0);
	at(t0 + S(185));
	assert_int_equal(o.step_index, 2);
	assert_int_equal(o.step_elapsed_ms, 5000);
}

static void test_pause_stops_belt_and_holds_support(void **state)
{
	seq_start(q, t0);
	at(t0 + S(65));
	assert_int_equal(seq_pause(q, t0 + S(65)), 0);
	at(t0 + S(66));
	assert_int_equal(o.state, SEQ_PAUSED);
	assert_false(o.moving);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.bw_carried_pct_x100, 7250);
	assert_int_equal(o.incline_centi_pct, 50);
}

static void test_pause_freezes_step_clock(void **state)
{
	seq_start(q, t0);
	seq_pause(q, t0 + S(30));
	at(t0 + S(500));
	assert_int_equal(o.step_index, 0);
	assert_int_equal(o.step_elapsed_ms, 30000);
	assert_int_equal(o.session_remaining_ms, 210000);
}

static void test_resume_ramps_up_from_standstill_and_continues(void **state)
{
	uint32_t gen;

	seq_start(q, t0);
	at(t0 + S(30));
	gen = o.generation;
	seq_pause(q, t0 + S(30));
	assert_int_equal(seq_resume(q, t0 + S(100)), 0);
	at(t0 + S(100));
	assert_int_equal(o.state, SEQ_RUNNING);
	assert_int_equal(o.generation, gen + 1);
	assert_int_equal(o.belt_speed_mm_s, 0);
	at(t0 + S(105));
	assert_int_equal(o.belt_speed_mm_s, 500);
	assert_int_equal(o.step_elapsed_ms, 35000);
	at(t0 + S(130));
	assert_int_equal(o.step_index, 1);
}

static void test_resume_when_not_paused_is_refused(void **state)
{
	seq_start(q, t0);
	assert_int_equal(seq_resume(q, t0 + S(1)), -EINVAL);
}

static void test_skip_moves_to_next_step_now(void **state)
{
	seq_start(q, t0);
	at(t0 + S(20));
	assert_int_equal(seq_skip(q, t0 + S(20)), 0);
	at(t0 + S(20));
	assert_int_equal(o.step_index, 1);
	assert_int_equal(o.step_elapsed_ms, 0);
	assert_int_equal(o.belt_speed_mm_s, 1000);
	assert_int_equal(o.session_elapsed_ms, 20000);
	assert_int_equal(o.session_remaining_ms, 180000);
	assert_int_equal(seq_steps_skipped(q), 1);
}

static void test_skip_of_last_step_finishes(void **state)
{
	seq_start(q, t0);
	seq_skip(q, t0 + S(1));
	seq_skip(q, t0 + S(2));
	seq_skip(q, t0 + S(3));
	at(t0 + S(3));
	assert_int_equal(o.state, SEQ_FINISHED);
	assert_false(o.moving);
}

static void test_stop_brings_belt_to_zero_and_holds_support(void **state)
{
	seq_start(q, t0);
	at(t0 + S(90));
	assert_int_equal(seq_stop(q, t0 + S(90), SEQ_END_OPERATOR), 0);
	at(t0 + S(91));
	assert_int_equal(o.state, SEQ_STOPPED);
	assert_false(o.moving);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.bw_carried_pct_x100, 7500);
	assert_int_equal(seq_end_cause(q), SEQ_END_OPERATOR);
}

static void test_nothing_moves_after_stop_until_new_start(void **state)
{
	uint32_t gen;

	seq_start(q, t0);
	at(t0);
	gen = o.generation;
	seq_stop(q, t0 + S(10), SEQ_END_FAULT);
	assert_int_equal(seq_resume(q, t0 + S(11)), -EINVAL);
	assert_int_equal(seq_skip(q, t0 + S(11)), -EINVAL);
	at(t0 + S(1000));
	assert_false(o.moving);
	assert_int_equal(o.belt_speed_mm_s, 0);
	assert_int_equal(o.generation, gen);
	assert_int_equal(seq_start(q, t0 + S(1001)), 0);
	at(t0 + S(1001));
	assert_true(o.moving);
	assert_int_equal(o.generation, gen + 1);
	assert_int_equal(o.step_index, 0);
}

static void test_every_start_bumps_generation(void **state)
{
	at(t0);
	assert_int_equal(o.generation, 0);
	seq_start(q, t0);
	at(t0);
	assert_int_equal(o.generation, 1);
	seq_stop(q, t0, SEQ_END_OPERATOR);
	at(t0);
	assert_int_equal(o.generation, 1);
	seq_start(q, t0);
	at(t0);
	assert_int_equal(o.generation, 2);
}

static void test_start_while_running_is_refused(void **state)
{
	seq_start(q, t0);
	assert_int_equal(seq_start(q, t0 + S(1)), -EBUSY);
}

static void test_pain_stops_and_keeps_score(void **state)
{
	seq_start(q, t0);
	assert_int_equal(seq_pain(q, t0 + S(70), 4), 0);
	at(t0 + S(71));
	assert_int_equal(o.state, SEQ_STOPPED);
	assert_false(o.moving);
	assert_int_equal(seq_end_cause(q), SEQ_END_PAIN);
	assert_int_equal(seq_pain_score(q), 4);
}

static void test_pain_while_paused_stops(void **state)
{
	seq_start(q, t0);
	seq_pause(q, t0 + S(5));
	assert_int_equal(seq_pain(q, t0 + S(6), 2), 0);
	assert_int_equal(seq_state(q), SEQ_STOPPED);
	assert_int_equal(seq_end_cause(q), SEQ_END_PAIN);
}

static void test_pain_when_idle_is_refused(void **state)
{
	assert_int_equal(seq_pain(q, t0, 3), -EINVAL);
}

static void test_stop_after_finish_is_refused(void **state)
{
	seq_start(q, t0);
	at(t0 + S(241));
	assert_int_equal(seq_stop(q, t0 + S(242), SEQ_END_OPERATOR), -EINVAL);
	assert_int_equal(seq_end_cause(q), SEQ_END_COMPLETED);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_sequencer_is_idle_and_still),
		T(test_empty_session_is_refused),
		T(test_start_ramps_belt_from_standstill),
		T(test_next_step_ramps_from_previous_targets),
		T(test_steps_follow_in_order_with_times),
		T(test_session_finishes_after_last_step_and_stops_belt),
		T(test_large_time_jump_crosses_several_steps),
		T(test_pause_stops_belt_and_holds_support),
		T(test_pause_freezes_step_clock),
		T(test_resume_ramps_up_from_standstill_and_continues),
		T(test_resume_when_not_paused_is_refused),
		T(test_skip_moves_to_next_step_now),
		T(test_skip_of_last_step_finishes),
		T(test_stop_brings_belt_to_zero_and_holds_support),
		T(test_nothing_moves_after_stop_until_new_start),
		T(test_every_start_bumps_generation),
		T(test_start_while_running_is_refused),
		T(test_pain_stops_and_keeps_score),
		T(test_pain_while_paused_stops),
		T(test_pain_when_idle_is_refused),
		T(test_stop_after_finish_is_refused),
	};

	return cmocka_run_group_tests_name("session sequencer", tests, NULL,
					   NULL);
}
