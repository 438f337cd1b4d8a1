// SPDX-License-Identifier: MIT
/*
 * test_loop.c - specification of the control cycle against the test
 * plant: it follows a session's targets; every fault ends in the safe
 * state (belt controlled stop, support held, released slowly only at
 * zero); the e-stop latches; nothing moves after a stop until targets of
 * a newer generation ask for it.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "control/loop.h"
#include "control/sup.h"
#include "tplant.h"

#define MS	1000000ull
#define MASS	70.0
#define MG	(MASS * 9.80665)

struct rig {
	struct leverd_cfg cfg;
	struct tplant *p;
	struct loop *l;
	struct loop_out out;
	struct loop_status st;
	struct sess_targets t;
	uint64_t now;
	bool gate_refuses;	/* the board gets none of the loop's commands */
};

static struct rig R;

static int setup(void **state)
{
	struct lever_dev_info info;

	memset(&R, 0, sizeof(R));
	cfg_defaults(&R.cfg);
	if (tplant_new(7, MASS, &R.p))
		return -1;
	tplant_info(R.p, &info);
	if (loop_new(&R.cfg, &info, 0, &R.l))
		return -1;
	/* the rig's board takes every command, as an armed gate does */
	loop_commanding(R.l, true);
	return 0;
}

static int teardown(void **state)
{
	loop_free(R.l);
	tplant_free(R.p);
	return 0;
}

static void cycles(int n)
{
	struct lever_dev_sample s;
	int i, got;

	for (i = 0; i < n; i++) {
		R.now += MS;
		got = tplant_step(R.p, MS, &s);
		loop_cycle(R.l, got ? &s : NULL, R.now, &R.out);
		if (!R.gate_refuses)
			tplant_command(R.p, &R.out.cmd, R.out.drive);
	}
	loop_status(R.l, &R.st);
}

static void targets(uint32_t gen, enum sess_run run, int32_t mm_s,
		    int32_t bw_x100)
{
	R.t.generation = gen;
	R.t.run = run;
	R.t.belt_speed_mm_s = mm_s;
	R.t.bw_carried_pct_x100 = bw_x100;
	R.t.ramp_ms = 2000;
	R.t.mass_kg = MASS;
	loop_set_targets(R.l, &R.t);
}

/* start, run at 10 km/h with 80 % BW carried until settled */
static void start_running(void)
{
	targets(1, SESS_RUN, 2778, 8000);
	cycles(15000);
	assert_int_equal(R.st.mode, LOOP_RUN);
}

static void test_nothing_moves_before_a_start(void **state)
{
	cycles(2000);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	assert_true(R.out.cmd.belt_speed_mm_s == 0);
	assert_true(R.out.cmd.support_pressure_pa == 0);
}

static void test_generation_zero_never_runs(void **state)
{
	targets(0, SESS_RUN, 2778, 8000);
	cycles(2000);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	assert_true(R.out.cmd.belt_speed_mm_s == 0);
}

static void test_follows_belt_and_support_targets(void **state)
{
	start_running();
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 2778);
	assert_true(fabs(R.st.support_setpoint_n - 0.2 * MG) < 0.01);
	assert_true(fabs(tplant_force_n(R.p) - 0.2 * MG) < 0.05 * MG);
}

static void test_targets_above_max_speed_are_refused(void **state)
{
	targets(1, SESS_RUN, 6000, 8000);	/* 21.6 km/h */
	cycles(1000);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	assert_true(R.st.targets_refused > 0);
}

/* the safe state's observable behaviour after a fault at 10 km/h */
static void check_safe_stop(enum tplant_fault f, uint32_t want_fault,
			    int detect_ms)
{
	double prev_belt, held;
	int i;

	start_running();
	tplant_fault(R.p, f, true);
	for (i = 0; i < detect_ms && !R.st.safe_state; i++)
		cycles(1);
	assert_true(R.st.safe_state);
	assert_true(R.st.cause & want_fault);
	held = R.out.cmd.support_pressure_pa;
	prev_belt = R.out.cmd.belt_speed_mm_s;
	/* belt comes down, never up; support held while it moves */
	while (R.st.belt_cmd_mm_s > 0 || (f != TPLANT_STALL &&
		!R.st.belt_stopped && R.now < 60000 * MS)) {
		cycles(1);
		assert_true(R.out.cmd.belt_speed_mm_s <= prev_belt);
		prev_belt = R.out.cmd.belt_speed_mm_s;
		if (R.st.mode == LOOP_STOPPING)
			assert_true(R.out.cmd.support_pressure_pa == held);
	}
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
	if (f != TPLANT_STALL)
		assert_true(R.st.belt_stopped);
}

static void test_stale_samples_stop_safely(void **state)
{
	check_safe_stop(TPLANT_STALL, SUP_F_STALE, 7);
}

static void test_support_not_released_without_samples(void **state)
{
	check_safe_stop(TPLANT_STALL, SUP_F_STALE, 7);
	cycles(5000);
	/* the belt cannot be seen at zero: support stays held */
	assert_int_equal(R.st.mode, LOOP_STOPPING);
}

static void test_sequence_gap_stops_safely(void **state)
{
	/* 15 of 16 samples lost: whichever check sees it first */
	check_safe_stop(TPLANT_DROP, SUP_F_SEQ_GAP | SUP_F_STALE, 40);
}

static void test_stuck_load_cell_stops_safely(void **state)
{
	check_safe_stop(TPLANT_FORCE_STUCK, SUP_F_STUCK, 2100);
}

static void test_implausible_force_stops_safely(void **state)
{
	check_safe_stop(TPLANT_FORCE_OFFSET, SUP_F_IMPLAUSIBLE, 22);
}

static void test_invalid_pressure_stops_safely(void **state)
{
	check_safe_stop(TPLANT_PRESSURE_INVALID, SUP_F_PRESSURE_RANGE, 2);
}

static void test_overspeed_stops_safely(void **state)
{
	check_safe_stop(TPLANT_OVERSPEED, SUP_F_OVERSPEED, 300);
}

static void test_estop_reaches_safe_state_within_two_cycles(void **s)
{
	check_safe_stop(TPLANT_ESTOP, SUP_F_ESTOP, 2);
}

static void test_safety_key_stops_safely(void **state)
{
	check_safe_stop(TPLANT_SAFETY_KEY, SUP_F_SAFETY_KEY, 2);
}

static void test_stop_button_stops_safely(void **state)
{
	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
}

static void test_pain_button_stops_safely(void **state)
{
	check_safe_stop(TPLANT_BTN_PAIN, SUP_F_PAIN, 2);
}

static void test_pendant_stop_key_stops_safely(void **state)
{
	start_running();
	loop_set_external(R.l, 0, SUP_F_OPERATOR_STOP);
	cycles(2);
	assert_true(R.st.safe_state);
}

static void test_gpio_estop_stops_safely(void **state)
{
	start_running();
	loop_set_external(R.l, LEVER_DEV_LINE_ESTOP, 0);
	cycles(2);
	assert_true(R.st.safe_state);
	assert_true(R.st.latched & SUP_F_ESTOP);
}

static void test_belt_decel_in_safe_state_within_stop_limit(void **state)
{
	double prev, max_decel = 0;

	start_running();
	tplant_fault(R.p, TPLANT_FORCE_OFFSET, true);
	cycles(25);
	prev = R.st.belt_cmd_mm_s;
	while (R.st.belt_cmd_mm_s > 0) {
		cycles(1);
		max_decel = fmax(max_decel, (prev - R.st.belt_cmd_mm_s) / 1e-3);
		prev = R.st.belt_cmd_mm_s;
	}
	assert_true(max_decel <= R.cfg.stop_decel_m_s2 * 1000 + 1e-6);
}

static void test_support_released_only_at_zero_and_slowly(void **state)
{
	double rate = R.cfg.release_rate_pct_bw_s / 100 * MG / 0.002 * 1e-3;
	double prev;
	int i;

	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
	cycles(1);
	assert_int_equal(R.st.mode, LOOP_RELEASING);
	prev = R.out.cmd.support_pressure_pa;
	for (i = 0; i < 5000; i++) {
		cycles(1);
		assert_true(R.out.cmd.support_pressure_pa <= prev);
		assert_true(prev - R.out.cmd.support_pressure_pa <= rate + 1);
		prev = R.out.cmd.support_pressure_pa;
	}
	assert_true(prev < 0.2 * MG / 0.002);
}

static void test_support_never_raised_in_safe_state(void **state)
{
	uint32_t held;
	int i;

	start_running();
	tplant_fault(R.p, TPLANT_BTN_STOP, true);
	cycles(2);
	held = R.out.cmd.support_pressure_pa;
	targets(1, SESS_RUN, 2778, 5000);	/* more support asked */
	for (i = 0; i < 10000; i++) {
		cycles(1);
		assert_true(R.out.cmd.support_pressure_pa <= held);
	}
}

static void test_estop_latches_until_reset_and_new_start(void **state)
{
	check_safe_stop(TPLANT_ESTOP, SUP_F_ESTOP, 2);
	tplant_fault(R.p, TPLANT_ESTOP, false);
	targets(2, SESS_RUN, 2778, 8000);	/* new start, not reset */
	cycles(1000);
	assert_true(R.st.safe_state);
	assert_true(R.st.latched & SUP_F_ESTOP);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
}

static void test_reset_refused_while_estop_held(void **state)
{
	check_safe_stop(TPLANT_ESTOP, SUP_F_ESTOP, 2);
	assert_int_equal(loop_reset(R.l), -EBUSY);
}

static void test_after_reset_nothing_moves_until_new_generation(void **s)
{
	check_safe_stop(TPLANT_ESTOP, SUP_F_ESTOP, 2);
	tplant_fault(R.p, TPLANT_ESTOP, false);
	assert_int_equal(tplant_reset(R.p), 0);
	cycles(10);
	assert_int_equal(loop_reset(R.l), 0);
	targets(1, SESS_RUN, 2778, 8000);	/* the old, queued targets */
	cycles(3000);
	assert_true(R.st.safe_state);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
	assert_true(R.st.stale_targets > 0);
	targets(2, SESS_RUN, 2778, 8000);	/* explicit new start */
	cycles(3000);
	assert_int_equal(R.st.mode, LOOP_RUN);
	assert_true(R.out.cmd.belt_speed_mm_s > 0);
}

static void test_stop_without_fault_needs_new_generation(void **state)
{
	start_running();
	targets(1, SESS_STOP, 0, 8000);
	cycles(10);
	assert_true(R.st.safe_state);
	targets(1, SESS_RUN, 2778, 8000);
	cycles(8000);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
}

static void test_pause_stops_belt_and_holds_support(void **state)
{
	start_running();
	targets(1, SESS_PAUSE, 2778, 8000);
	cycles(10000);
	assert_int_equal(R.st.mode, LOOP_PAUSE);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
	assert_true(fabs(R.st.support_setpoint_n - 0.2 * MG) < 0.01);
	targets(1, SESS_RUN, 2778, 8000);	/* same generation: no */
	cycles(1000);
	assert_int_equal(R.st.mode, LOOP_PAUSE);
	targets(2, SESS_RUN, 2778, 8000);	/* resume */
	cycles(1000);
	assert_int_equal(R.st.mode, LOOP_RUN);
}

static void test_start_refused_while_a_sensor_is_faulty(void **state)
{
	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, true);
	targets(1, SESS_RUN, 2778, 8000);
	cycles(2000);
	assert_int_not_equal(R.st.mode, LOOP_RUN);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
}

static void test_board_armed_only_at_an_explicit_start(void **state)
{
	int starts = 0, i;

	targets(1, SESS_RUN, 2778, 8000);
	for (i = 0; i < 3000; i++) {
		cycles(1);
		starts += R.out.start;
	}
	assert_int_equal(starts, 1);
	tplant_fault(R.p, TPLANT_BTN_STOP, true);
	for (i = 0; i < 10000; i++) {
		cycles(1);
		starts += R.out.start;
	}
	assert_int_equal(starts, 1);	/* stop: never armed again alone */
}

static void test_gate_stopping_by_itself_is_a_fault(void **state)
{
	start_running();
	loop_external_fault(R.l, SUP_F_GATE);
	cycles(1);
	assert_true(R.st.safe_state);
	assert_true(R.st.cause & SUP_F_GATE);
}

static void test_fault_in_idle_blocks_start_without_a_stop(void **state)
{
	tplant_fault(R.p, TPLANT_FORCE_OFFSET, true);
	cycles(100);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	assert_true(R.st.faults & SUP_F_IMPLAUSIBLE);
	targets(1, SESS_RUN, 2778, 8000);
	cycles(100);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	tplant_fault(R.p, TPLANT_FORCE_OFFSET, false);
	cycles(100);
	assert_int_equal(R.st.mode, LOOP_RUN);
}

/*
 * A stop button at 8 phases of the stride, from running or from a pause
 * whose belt still slows: the largest distance of the held support from
 * the target, above it (@sign 1) or below it (@sign -1), as force.
 */
static double worst_held_off_target(void **state, bool from_pause, int sign)
{
	double worst = 0;
	int k;

	for (k = 0; k < 8; k++) {
		teardown(state);
		setup(state);
		start_running();
		if (from_pause) {
			targets(1, SESS_PAUSE, 0, 8000);
			cycles(300);
		}
		cycles(k * 45);
		tplant_fault(R.p, TPLANT_BTN_STOP, true);
		cycles(2);
		/* what is held, as force: pressure x 0.002 N/Pa */
		worst = fmax(worst, sign * (R.out.cmd.support_pressure_pa *
					    0.002 - 0.2 * MG));
	}
	return worst;
}

static void test_safe_state_holds_no_stride_peak(void **state)
{
	double worst = worst_held_off_target(state, false, 1);

	/* never a stride peak: at most 2 %BW above the target */
	print_message("# worst held support above target: %.1f N\n", worst);
	assert_true(worst <= 0.02 * MG);
}

/* Documentation/safety.rst, rule 10: after a pause a stop still releases */
static void test_pause_then_stop_releases_support(void **state)
{
	double held_n, limit_n = 0.2 * MG + 0.05 * MG;
	int i;

	start_running();
	targets(1, SESS_PAUSE, 0, 8000);
	cycles(8000);
	held_n = tplant_pressure_pa(R.p) * 0.002;
	targets(1, SESS_STOP, 0, 8000);
	for (i = 0; i < 30; i++) {
		cycles(1000);
		assert_true(tplant_force_n(R.p) < limit_n);
	}
	assert_int_equal(R.st.mode, LOOP_RELEASING);
	/* 1 %BW/s for 30 s, less the wait for the belt: most of it gone */
	assert_true(tplant_pressure_pa(R.p) * 0.002 < held_n - 0.15 * MG);
}

/* a paused session dropped (reset, failed start): never raised, released */
static void test_paused_session_gone_never_raises_support(void **state)
{
	double limit_n = 0.2 * MG + 0.05 * MG;
	int i;

	start_running();
	targets(1, SESS_PAUSE, 0, 8000);
	cycles(8000);
	memset(&R.t, 0, sizeof(R.t));	/* idle: mass 0, BW 0 */
	R.t.generation = 1;
	loop_set_targets(R.l, &R.t);
	for (i = 0; i < 20000; i++) {
		cycles(1);
		assert_true(tplant_pressure_pa(R.p) * 0.002 < limit_n);
	}
	assert_true(R.st.safe_state);
}

/* a failed start after the pause: idle targets of a newer generation */
static void test_newer_idle_targets_after_pause_never_raise(void **state)
{
	double limit_n = 0.2 * MG + 0.05 * MG;
	int i;

	start_running();
	targets(1, SESS_PAUSE, 0, 8000);
	cycles(5000);
	memset(&R.t, 0, sizeof(R.t));
	R.t.generation = 2;
	loop_set_targets(R.l, &R.t);
	for (i = 0; i < 10000; i++) {
		cycles(1);
		assert_true(tplant_pressure_pa(R.p) * 0.002 < limit_n);
	}
	assert_int_not_equal(R.st.mode, LOOP_RUN);
	assert_int_not_equal(R.st.mode, LOOP_PAUSE);
}

/* the largest fall of the plant's true pressure within @ms, as force */
static double worst_fall_n(int ms)
{
	double start = tplant_pressure_pa(R.p), lo = start;
	int i;

	for (i = 0; i < ms; i++) {
		cycles(1);
		lo = fmin(lo, tplant_pressure_pa(R.p));
	}
	return (start - lo) * 0.002;
}

/*
 * After an e-stop the gate refuses every command, so whatever the loop
 * computes in the safe state never reaches the board; the restart must
 * continue from the pressure the board holds.
 */
static void test_restart_after_estop_begins_from_board_pressure(void **s)
{
	double allowed_n = R.cfg.support_rate_pct_bw_s / 100 * MG * 0.5;
	double fall_n;

	check_safe_stop(TPLANT_ESTOP, SUP_F_ESTOP, 2);
	R.gate_refuses = true;
	loop_commanding(R.l, false);
	cycles(30000);
	tplant_fault(R.p, TPLANT_ESTOP, false);
	assert_int_equal(tplant_reset(R.p), 0);
	cycles(10);
	assert_int_equal(loop_reset(R.l), 0);
	R.gate_refuses = false;
	loop_commanding(R.l, true);
	targets(2, SESS_RUN, 2778, 8000);
	fall_n = worst_fall_n(500);
	print_message("# true support fell %.1f N in 0.5 s (rate allows %.1f)\n",
		      fall_n, allowed_n);
	assert_true(fall_n <= allowed_n + 2);
}

/* a daemon started while the board holds support adopts what it holds */
/* The board holds @pa by itself (leverd not heard) for 3 s; then it is. */
static void board_holds(uint32_t pa)
{
	struct lever_dev_command hold = { .support_pressure_pa = pa };

	R.gate_refuses = true;
	loop_commanding(R.l, false);
	tplant_command(R.p, &hold, false);
	cycles(3000);
	R.gate_refuses = false;
	loop_commanding(R.l, true);
}

static void test_start_on_a_held_support_begins_from_it(void **state)
{
	double allowed_n = R.cfg.support_rate_pct_bw_s / 100 * MG * 0.5;
	double fall_n;

	board_holds(60000);
	targets(1, SESS_RUN, 0, 8000);
	fall_n = worst_fall_n(500);
	print_message("# true support fell %.1f N in 0.5 s (rate allows %.1f)\n",
		      fall_n, allowed_n);
	assert_true(fall_n <= allowed_n + 2);
}

/*
 * Soak seed 12832: a start finds the board holding far more than the
 * session asks (75 %BW carried earlier, 90 now) and a step whose ramp is
 * long. The support comes down over that ramp, and the over-support
 * reference comes down with it: the session runs, no false stop.
 */
static void test_start_far_above_a_long_ramped_target_never_trips(void **s)
{
	board_holds(86000);
	R.t.generation = 1;
	R.t.run = SESS_RUN;
	R.t.belt_speed_mm_s = 1389;
	R.t.bw_carried_pct_x100 = 9000;
	R.t.ramp_ms = 15000;
	R.t.mass_kg = MASS;
	loop_set_targets(R.l, &R.t);
	cycles(30000);
	assert_int_equal(R.st.mode, LOOP_RUN);
	assert_int_equal(R.st.latched, 0);
	assert_true(fabs(tplant_force_n(R.p) - 0.1 * MG) < 0.05 * MG);
}

/* release waits while the commands do not reach the board */
static void test_release_estimate_never_moves_while_nothing_is_sent(void **s)
{
	double board_pa;

	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
	R.gate_refuses = true;
	loop_commanding(R.l, false);
	cycles(10000);
	board_pa = tplant_pressure_pa(R.p);
	/* what the loop would command is what the board holds */
	assert_true(fabs(R.st.pressure_cmd_pa - board_pa) < 0.01 * board_pa);
}

/* release holds on every cycle without a fresh sample */
static void test_release_holds_while_samples_are_missing(void **state)
{
	uint32_t held;
	int i;

	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
	cycles(1000);
	assert_int_equal(R.st.mode, LOOP_RELEASING);
	tplant_fault(R.p, TPLANT_STALL, true);
	cycles(1);
	held = R.out.cmd.support_pressure_pa;
	for (i = 0; i < 2000; i++) {
		cycles(1);
		assert_int_equal(R.out.cmd.support_pressure_pa, held);
	}
}

/* the over-support check holds in the safe state too */
static void test_over_support_is_checked_in_the_safe_state(void **state)
{
	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
	tplant_set_disturbance(R.p, 0, 0);
	tplant_fault(R.p, TPLANT_FORCE_OFFSET, true);	/* +300 N */
	cycles(3000);
	assert_true(R.st.cause & SUP_F_OVERSUPPORT);
}

/* a start that meets a lasting fault is said once, and never runs later */
static void test_start_meeting_a_lasting_fault_is_reported_once(void **s)
{
	uint32_t said = 0;
	int n = 0, i;

	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, true);
	targets(1, SESS_RUN, 2778, 8000);
	for (i = 0; i < 5000; i++) {
		cycles(1);
		if (R.out.start_refused) {
			said |= R.out.start_refused;
			n++;
		}
	}
	assert_int_equal(n, 1);
	assert_true(said & SUP_F_PRESSURE_RANGE);
	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, false);
	cycles(3000);
	assert_int_equal(R.st.mode, LOOP_IDLE);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
}

static void test_safe_state_holds_no_stride_trough(void **state)
{
	double worst = worst_held_off_target(state, false, -1);

	/* nor a trough: the support never drops at once at a stop */
	print_message("# worst held support below target: %.1f N\n", worst);
	assert_true(worst <= 0.02 * MG);
}

/* a valve that sticks in the release: the command waits for the cylinder */
static void test_release_never_runs_ahead_of_a_stuck_valve(void **state)
{
	double one_s_pa = R.cfg.release_rate_pct_bw_s / 100 * MG / 0.002;

	check_safe_stop(TPLANT_BTN_STOP, SUP_F_OPERATOR_STOP, 2);
	cycles(1000);
	assert_int_equal(R.st.mode, LOOP_RELEASING);
	R.gate_refuses = true;		/* the plant stops following */
	cycles(10000);
	assert_true(tplant_pressure_pa(R.p) - R.out.cmd.support_pressure_pa <
		    1.5 * one_s_pa);
}

/*
 * Soak seed 61096: a valve that stopped following (the plant holds what
 * it had while the law winds its command up), then the pressure sensor
 * reads nonsense. The hold is what the load cell says the runner had,
 * not the wound-up command: that would raise the support the moment the
 * valve frees.
 */
static void test_dead_pressure_sensor_holds_what_the_load_cell_says(void **s)
{
	double truth_pa = 0;
	int i;

	start_running();
	R.gate_refuses = true;		/* commands go, the plant ignores them */
	targets(1, SESS_RUN, 2778, 3000);
	cycles(2000);
	/* what the cylinder has, over its swing */
	for (i = 0; i < 1000; i++) {
		cycles(1);
		truth_pa += tplant_pressure_pa(R.p) / 1000;
	}
	assert_true(R.out.cmd.support_pressure_pa > 1.1 * truth_pa);
	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, true);
	cycles(50);
	assert_true(R.st.safe_state);
	print_message("# held %u Pa, the cylinder has %.0f Pa\n",
		      R.out.cmd.support_pressure_pa, truth_pa);
	assert_true(fabs(R.out.cmd.support_pressure_pa - truth_pa) <
		    0.05 * truth_pa);
}

/*
 * A valve frozen where the support was (the plant takes no command): the
 * support stays right and nothing shows. The physio lowers it 10 %BW and
 * it does not follow: over-support (safety.rst rule 8) once the target's
 * ramp (2 s) has taken it past 5 %BW below what the valve holds, not
 * before.
 */
static void test_lowered_support_a_frozen_valve_does_not_follow_stops(void **s)
{
	start_running();
	R.gate_refuses = true;
	cycles(3000);
	assert_false(R.st.safe_state);
	targets(1, SESS_RUN, 2778, 9000);
	cycles(500);
	assert_false(R.st.safe_state);
	cycles(2000);
	assert_true(R.st.safe_state);
	assert_true(R.st.cause & SUP_F_OVERSUPPORT);
}

/* a fault while a pause slows the belt holds no stride peak either */
static void test_fault_in_a_pause_holds_no_stride_peak(void **state)
{
	double worst = worst_held_off_target(state, true, 1);

	print_message("# worst held support above target from a pause: %.1f N\n",
		      worst);
	assert_true(worst <= 0.02 * MG);
}

/* frames lost, a cycle every 2 ms: the stop still brakes at its rate */
static void test_stop_decelerates_at_its_rate_with_frames_lost(void **s)
{
	struct lever_dev_sample smp;
	double v0, v1;
	int i;

	start_running();
	targets(1, SESS_STOP, 0, 8000);
	cycles(300);			/* the jerk-limited onset */
	v0 = R.st.belt_cmd_mm_s;
	for (i = 0; i < 500; i++) {
		R.now += 2 * MS;
		tplant_step(R.p, MS, &smp);
		tplant_step(R.p, MS, &smp);
		loop_cycle(R.l, &smp, R.now, &R.out);
		tplant_command(R.p, &R.out.cmd, R.out.drive);
	}
	loop_status(R.l, &R.st);
	v1 = R.st.belt_cmd_mm_s;
	/* 1 s of board time: 1.0 m/s^2 takes 1000 mm/s off */
	print_message("# belt command fell %.0f mm/s in 1 s\n", v0 - v1);
	assert_true(v0 - v1 > 0.9 * R.cfg.stop_decel_m_s2 * 1000);
}

/* The true support over strides, as the soak judges it (tau 0.5 s). */
static double force_lp_n;

static void cycles_lp(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		cycles(1);
		force_lp_n += (tplant_force_n(R.p) - force_lp_n) * 1e-3 / 0.5;
	}
}

/*
 * Soak seed 879501: a start taken while a stop still brakes the belt,
 * the runner still striding. The law restarts from the support the
 * runner had over strides, not from the instant's load cell (a stride's
 * trough), and lowers it at the support rate, no faster.
 */
static void test_start_during_a_stop_lowers_support_at_its_rate(void **s)
{
	double allowed_n = R.cfg.support_rate_pct_bw_s / 100 * MG;
	double worst_n = 0, before_n;
	int k;

	/* each phase of the stride the start may meet */
	for (k = 0; k < 8; k++) {
		teardown(s);
		setup(s);
		start_running();
		force_lp_n = tplant_force_n(R.p);
		cycles_lp(2000);
		targets(1, SESS_STOP, 0, 8000);
		cycles_lp(300 + k * 45);
		before_n = force_lp_n;
		targets(2, SESS_RUN, 2778, 8500);
		cycles_lp(1000);
		worst_n = fmax(worst_n, before_n - force_lp_n);
	}
	print_message("# true support fell %.1f N in 1 s (%.1f allowed)\n",
		      worst_n, allowed_n);
	assert_true(worst_n <= allowed_n);
}

/*
 * Soak seed 838522: a start waiting on a fault that lasts (here a board
 * that came back after an unplug), paused before the wait ran out. The
 * pause does not hide the refusal: it is said once, and nothing runs.
 */
static void test_start_waiting_on_a_fault_then_paused_is_refused(void **s)
{
	int n = 0, i;

	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, true);
	targets(1, SESS_RUN, 2778, 8000);
	cycles(1000);
	targets(1, SESS_PAUSE, 0, 8000);
	for (i = 0; i < 5000; i++) {
		cycles(1);
		n += R.out.start_refused != 0;
	}
	assert_int_equal(n, 1);
	tplant_fault(R.p, TPLANT_PRESSURE_INVALID, false);
	targets(1, SESS_RUN, 2778, 8000);	/* a resume of it: too late */
	cycles(3000);
	assert_int_not_equal(R.st.mode, LOOP_RUN);
	assert_int_equal(R.out.cmd.belt_speed_mm_s, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nothing_moves_before_a_start),
		T(test_generation_zero_never_runs),
		T(test_follows_belt_and_support_targets),
		T(test_targets_above_max_speed_are_refused),
		T(test_stale_samples_stop_safely),
		T(test_support_not_released_without_samples),
		T(test_sequence_gap_stops_safely),
		T(test_stuck_load_cell_stops_safely),
		T(test_implausible_force_stops_safely),
		T(test_invalid_pressure_stops_safely),
		T(test_overspeed_stops_safely),
		T(test_estop_reaches_safe_state_within_two_cycles),
		T(test_safety_key_stops_safely),
		T(test_stop_button_stops_safely),
		T(test_pain_button_stops_safely),
		T(test_pendant_stop_key_stops_safely),
		T(test_gpio_estop_stops_safely),
		T(test_belt_decel_in_safe_state_within_stop_limit),
		T(test_support_released_only_at_zero_and_slowly),
		T(test_support_never_raised_in_safe_state),
		T(test_estop_latches_until_reset_and_new_start),
		T(test_reset_refused_while_estop_held),
		T(test_after_reset_nothing_moves_until_new_generation),
		T(test_stop_without_fault_needs_new_generation),
		T(test_pause_stops_belt_and_holds_support),
		T(test_start_refused_while_a_sensor_is_faulty),
		T(test_board_armed_only_at_an_explicit_start),
		T(test_gate_stopping_by_itself_is_a_fault),
		T(test_fault_in_idle_blocks_start_without_a_stop),
		T(test_safe_state_holds_no_stride_peak),
		T(test_pause_then_stop_releases_support),
		T(test_paused_session_gone_never_raises_support),
		T(test_newer_idle_targets_after_pause_never_raise),
		T(test_restart_after_estop_begins_from_board_pressure),
		T(test_start_on_a_held_support_begins_from_it),
		T(test_start_far_above_a_long_ramped_target_never_trips),
		T(test_release_estimate_never_moves_while_nothing_is_sent),
		T(test_release_holds_while_samples_are_missing),
		T(test_over_support_is_checked_in_the_safe_state),
		T(test_start_meeting_a_lasting_fault_is_reported_once),
		T(test_safe_state_holds_no_stride_trough),
		T(test_release_never_runs_ahead_of_a_stuck_valve),
		T(test_dead_pressure_sensor_holds_what_the_load_cell_says),
		T(test_lowered_support_a_frozen_valve_does_not_follow_stops),
		T(test_fault_in_a_pause_holds_no_stride_peak),
		T(test_stop_decelerates_at_its_rate_with_frames_lost),
		T(test_start_during_a_stop_lowers_support_at_its_rate),
		T(test_start_waiting_on_a_fault_then_paused_is_refused),
	};

	return cmocka_run_group_tests_name("leverd loop", tests, NULL, NULL);
}
