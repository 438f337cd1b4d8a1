// SPDX-License-Identifier: MIT
/*
 * test_board.c - specification of the board firmware model: command
 * validation, clamping and counting, the sample stream, control requests,
 * hard stops by e-stop and key, the command watchdog, fault latching and
 * reset, board-level fault detection and bit-identical replay.
 */
#include <endian.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"

#define MS	1000000ULL

static uint32_t cmd_seq;

/* the cylinder's true pressure over the last strides (300 ms) */
static double true_avg_pa;

static struct plant_state truth(struct board *b);

static void track_truth(struct board *b)
{
	double pa = truth(b).support_pressure_pa;

	if (true_avg_pa < 0)
		true_avg_pa = pa;
	true_avg_pa += (pa - true_avg_pa) / 300.0;
}

static struct board *new_board_seed(uint64_t seed)
{
	struct board_config cfg;
	struct board *b;

	board_default_config(&cfg);
	cfg.plant.seed = seed;
	assert_int_equal(board_new(&cfg, &b), 0);
	cmd_seq = 0;
	true_avg_pa = -1;
	return b;
}

static struct board *new_board(void)
{
	return new_board_seed(7);
}

static struct lever_wire_command frame(uint32_t pressure_pa, int32_t belt,
				       int16_t incline, uint16_t flags)
{
	struct lever_wire_command c;

	memset(&c, 0, sizeof(c));
	c.version = LEVER_WIRE_VERSION;
	c.type = LEVER_FRAME_COMMAND;
	c.length = htole16(sizeof(c));
	c.seq = htole32(++cmd_seq);
	c.support_pressure_pa = htole32(pressure_pa);
	c.belt_speed_mm_s = htole32((uint32_t)belt);
	c.incline_centi_pct = htole16((uint16_t)incline);
	c.flags = htole16(flags);
	return c;
}

static int send(struct board *b, uint32_t pressure_pa, int32_t belt,
		uint16_t flags)
{
	struct lever_wire_command c = frame(pressure_pa, belt, 0, flags);

	return board_command(b, &c, sizeof(c));
}

static void drain(struct board *b)
{
	struct lever_wire_sample s;

	while (board_sample(b, &s) == 0)
		;
}

/* Steps @ms milliseconds, sending a command every 10 ms. */
static void run_cmds(struct board *b, unsigned int ms, uint32_t pressure_pa,
		     int32_t belt, uint16_t flags)
{
	unsigned int i;

	for (i = 0; i < ms; i++) {
		if (i % 10 == 0)
			assert_int_equal(send(b, pressure_pa, belt, flags), 0);
		assert_int_equal(board_step(b, MS), 0);
		drain(b);
		track_truth(b);
	}
}

static void run_quiet(struct board *b, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++) {
		assert_int_equal(board_step(b, MS), 0);
		drain(b);
		track_truth(b);
	}
}

static struct board_status status(struct board *b)
{
	struct board_status st;

	board_get_status(b, &st);
	return st;
}

static struct plant_state truth(struct board *b)
{
	struct plant_state ps;

	plant_get_state(board_plant(b), &ps);
	return ps;
}

/* Runs the belt at 2.5 m/s with 100 kPa support. */
/*
 * A stop while running holds what the runner had: the cylinder's stride
 * average (by the board's sensor, so within its noise), not the set-point
 * the host sent, whose mean the cylinder does not get under a stride.
 */
static void assert_holds_what_the_runner_had(struct board *b, double had_pa)
{
	double sp = status(b).pressure_setpoint_pa;

	print_message("# held %.0f Pa, the cylinder had %.0f Pa\n", sp, had_pa);
	assert_true(fabs(sp - had_pa) < 0.01 * had_pa);
}

static struct board *running_board(void)
{
	struct board *b = new_board();

	run_cmds(b, 3000, 100000, 2500, LEVER_CMD_RUN);
	assert_int_equal(status(b).board_state, LEVER_BOARD_RUNNING);
	assert_true(fabs(truth(b).belt_speed_mm_s - 2500) < 30);
	return b;
}

static void test_samples_come_at_the_sample_rate_with_consecutive_seq(void **s)
{
	struct board *b = new_board();
	struct lever_wire_sample f;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		board_step(b, MS);
		assert_int_equal(board_sample(b, &f), 0);
		assert_int_equal(le32toh(f.seq), i);
		assert_int_equal(le64toh(f.board_time_ns), (i + 1) * MS);
		assert_int_equal(f.version, LEVER_WIRE_VERSION);
		assert_int_equal(f.type, LEVER_FRAME_SAMPLE);
		assert_int_equal(le16toh(f.length), sizeof(f));
		assert_int_equal(board_sample(b, &f), -EAGAIN);
	}
	board_free(b);
}

static void test_slow_reader_sees_gap_not_burst(void **s)
{
	struct board *b = new_board();
	struct lever_wire_sample f;
	unsigned int n = 0;
	uint32_t first = 0;

	board_step(b, 1000 * MS);
	while (board_sample(b, &f) == 0) {
		if (!n++)
			first = le32toh(f.seq);
	}
	/* Only the newest few are kept; the older ones are gone. */
	assert_true(n <= 64);
	assert_true(first >= 1000 - 64);
	assert_int_equal(status(b).samples_dropped, 1000 - n);
	board_free(b);
}

/*
 * board_take_sample() lends the frames board_sample() copies, in the
 * same order, through a full queue that dropped its oldest and reads of
 * one frame at a time and of several.
 */
static void test_lent_frames_are_the_copied_ones(void **s)
{
	struct board *lend = new_board(), *copy = new_board();
	const struct lever_wire_sample *lent;
	struct lever_wire_sample f;
	unsigned int i, n = 0;

	for (i = 0; i < 300; i++) {
		/* 100 ms unread (the queue overflows), then 1 ms steps */
		uint64_t ns = i == 0 ? 100 * MS : i % 7 ? MS : 3 * MS;

		assert_int_equal(board_step(lend, ns), 0);
		assert_int_equal(board_step(copy, ns), 0);
		while ((lent = board_take_sample(lend))) {
			assert_int_equal(board_sample(copy, &f), 0);
			assert_memory_equal(lent, &f, sizeof(f));
			n++;
		}
		assert_int_equal(board_sample(copy, &f), -EAGAIN);
	}
	assert_true(n > 300);
	assert_null(board_take_sample(NULL));
	board_free(lend);
	board_free(copy);
}

static void test_run_command_moves_belt_and_sets_support(void **s)
{
	struct board *b = running_board();
	struct lever_wire_sample f;

	board_step(b, MS);
	assert_int_equal(board_sample(b, &f), 0);
	assert_int_equal(le16toh(f.board_state), LEVER_BOARD_RUNNING);
	assert_int_equal(le32toh(f.pressure_setpoint_pa), 100000);
	assert_int_equal(le32toh(f.belt_setpoint_mm_s), 2500);
	assert_int_equal(le32toh(f.cmd_seq_applied), cmd_seq);
	assert_true(abs((int32_t)le32toh(f.belt_speed_mm_s) - 2500) < 40);
	assert_true(fabs((int32_t)le32toh(f.support_pressure_pa) - 100000.0)
		    < 30000);
	board_free(b);
}

static void test_watchdog_stops_belt_after_timeout_with_pressure_held(void **s)
{
	struct board *b = running_board();
	struct plant_state ps;
	unsigned int i;
	double had_pa, held_pa;

	/*
	 * Last command was at most 10 ms ago; 89 ms more stays inside. A
	 * host silent for 20 ms no longer moves the board's averages.
	 */
	run_quiet(b, 20);
	had_pa = true_avg_pa;
	run_quiet(b, 65);
	assert_int_equal(status(b).board_state, LEVER_BOARD_RUNNING);
	run_quiet(b, 20);
	assert_int_equal(status(b).board_state, LEVER_BOARD_STOPPING);
	assert_holds_what_the_runner_had(b, had_pa);
	held_pa = status(b).pressure_setpoint_pa;
	assert_int_equal(status(b).faults, LEVER_FAULT_WATCHDOG);
	/* Controlled stop at 1.0 m/s^2: 1 s later about 1.5 m/s. */
	run_quiet(b, 1000);
	ps = truth(b);
	assert_true(fabs(ps.belt_speed_mm_s - 1500) < 60);
	for (i = 0; i < 2000 && status(b).board_state != LEVER_BOARD_IDLE; i++)
		run_quiet(b, 1);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	/* Idle: drive off, brake on; the last few mm/s are gone at once. */
	run_quiet(b, 20);
	assert_int_equal(status(b).faults, LEVER_FAULT_WATCHDOG);
	ps = truth(b);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	assert_true(ps.belt_speed_mm_s == 0);
	assert_false(ps.drive_enabled);
	assert_int_equal(status(b).pressure_setpoint_pa, held_pa);
	assert_true(fabs(ps.support_pressure_pa - held_pa) < 1000);
	board_free(b);
}

static void test_watchdog_quiet_while_commands_arrive(void **s)
{
	struct board *b = running_board();

	run_cmds(b, 5000, 100000, 2500, LEVER_CMD_RUN);
	assert_int_equal(status(b).board_state, LEVER_BOARD_RUNNING);
	assert_int_equal(status(b).faults, 0);
	board_free(b);
}

static void test_watchdog_period_follows_set_watchdog(void **s)
{
	struct board *b = new_board();
	unsigned int i;

	assert_int_equal(board_control(b, LEVER_REQ_SET_WATCHDOG, 500, NULL, 0),
			 0);
	run_cmds(b, 2000, 0, 1000, LEVER_CMD_RUN);
	for (i = 0; i < 480; i++)
		run_quiet(b, 1);
	assert_int_equal(status(b).faults, 0);
	run_quiet(b, 40);
	assert_true(status(b).faults & LEVER_FAULT_WATCHDOG);
	board_free(b);
}

static void test_watchdog_bounds_are_enforced(void **s)
{
	struct board *b = new_board();
	__le32 ms;

	assert_int_equal(board_control(b, LEVER_REQ_SET_WATCHDOG, 19, NULL, 0),
			 -ERANGE);
	assert_int_equal(board_control(b, LEVER_REQ_SET_WATCHDOG, 1001, NULL,
				       0), -ERANGE);
	assert_int_equal(board_control(b, LEVER_REQ_GET_WATCHDOG, 0, &ms,
				       sizeof(ms)), 4);
	assert_int_equal(le32toh(ms), LEVER_BOARD_WATCHDOG_DEF_MS);
	assert_int_equal(board_control(b, LEVER_REQ_SET_WATCHDOG, 20, NULL, 0),
			 0);
	assert_int_equal(board_control(b, LEVER_REQ_SET_WATCHDOG, 1000, NULL,
				       0), 0);
	board_control(b, LEVER_REQ_GET_WATCHDOG, 0, &ms, sizeof(ms));
	assert_int_equal(le32toh(ms), 1000);
	board_free(b);
}

static void test_nothing_moves_after_watchdog_stop_until_reset_and_run(void **s)
{
	struct board *b = running_board();

	run_quiet(b, 4000);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	/* RUN with a fault latched: accepted as a frame, belt stays. */
	run_cmds(b, 1000, 100000, 2500, LEVER_CMD_RUN);
	assert_true(truth(b).belt_speed_mm_s == 0);
	assert_int_equal(status(b).belt_setpoint_mm_s, 0);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 0);
	assert_int_equal(status(b).faults, 0);
	/* Reset alone moves nothing. */
	run_quiet(b, 50);
	assert_true(truth(b).belt_speed_mm_s == 0);
	run_cmds(b, 1000, 100000, 1000, LEVER_CMD_RUN);
	assert_true(truth(b).belt_speed_mm_s > 900);
	board_free(b);
}

static void test_stop_command_is_a_controlled_stop_without_fault(void **s)
{
	struct board *b = running_board();

	run_cmds(b, 1000, 100000, 2500, LEVER_CMD_STOP);
	assert_int_equal(status(b).board_state, LEVER_BOARD_STOPPING);
	assert_true(fabs(truth(b).belt_speed_mm_s - 1500) < 60);
	run_cmds(b, 2000, 100000, 2500, LEVER_CMD_STOP);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	assert_int_equal(status(b).faults, 0);
	assert_true(truth(b).belt_speed_mm_s == 0);
	board_free(b);
}

static void test_estop_cuts_drive_at_once_and_latches(void **s)
{
	struct board *b = running_board();
	uint32_t held_pa;

	assert_int_equal(board_set_line(b, LEVER_LINE_ESTOP, true), 0);
	/* No board_step in between: the cut needs no firmware cycle. */
	assert_false(truth(b).drive_enabled);
	assert_int_equal(status(b).board_state, LEVER_BOARD_HARD_STOPPED);
	assert_true(status(b).faults & LEVER_FAULT_ESTOP);
	held_pa = status(b).pressure_setpoint_pa;
	run_cmds(b, 2000, 100000, 2500, LEVER_CMD_RUN);
	assert_true(truth(b).belt_speed_mm_s == 0);
	assert_int_equal(status(b).pressure_setpoint_pa, held_pa);
	/* Released is not reset. */
	board_set_line(b, LEVER_LINE_ESTOP, false);
	run_cmds(b, 100, 100000, 2500, LEVER_CMD_RUN);
	assert_int_equal(status(b).board_state, LEVER_BOARD_HARD_STOPPED);
	assert_true(status(b).faults & LEVER_FAULT_ESTOP);
	assert_true(truth(b).belt_speed_mm_s == 0);
	board_free(b);
}

static void test_hard_stop_latches_only_its_own_fault(void **s)
{
	struct board *b = running_board();

	board_set_line(b, LEVER_LINE_ESTOP, true);
	run_quiet(b, 3000);
	assert_true(truth(b).belt_speed_mm_s == 0);
	assert_int_equal(status(b).faults, LEVER_FAULT_ESTOP);
	board_free(b);
}

static void test_estop_reset_refused_while_pressed(void **s)
{
	struct board *b = running_board();

	board_set_line(b, LEVER_LINE_ESTOP, true);
	run_quiet(b, 2000);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 -EBUSY);
	assert_true(status(b).faults & LEVER_FAULT_ESTOP);
	board_set_line(b, LEVER_LINE_ESTOP, false);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 0);
	assert_int_equal(status(b).faults, 0);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	run_cmds(b, 1000, 100000, 1000, LEVER_CMD_RUN);
	assert_true(truth(b).belt_speed_mm_s > 900);
	board_free(b);
}

static void test_reset_refused_while_belt_still_moves(void **s)
{
	struct board *b = running_board();

	board_set_line(b, LEVER_LINE_ESTOP, true);
	board_set_line(b, LEVER_LINE_ESTOP, false);
	run_quiet(b, 100);
	assert_true(truth(b).belt_speed_mm_s > 1000);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 -EBUSY);
	board_free(b);
}

static void test_safety_key_cuts_drive_and_latches(void **s)
{
	struct board *b = running_board();

	board_set_line(b, LEVER_LINE_SAFETY_KEY, true);
	assert_false(truth(b).drive_enabled);
	assert_true(status(b).faults & LEVER_FAULT_SAFETY_KEY);
	run_quiet(b, 2000);
	assert_true(truth(b).belt_speed_mm_s == 0);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 -EBUSY);
	board_set_line(b, LEVER_LINE_SAFETY_KEY, false);
	assert_int_equal(status(b).board_state, LEVER_BOARD_HARD_STOPPED);
	assert_int_equal(board_control(b, LEVER_REQ_RESET_FAULTS, 0, NULL, 0),
			 0);
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	board_free(b);
}

static void test_hard_stop_holds_support_pressure(void **s)
{
	struct board *b = running_board();

	board_set_line(b, LEVER_LINE_ESTOP, true);
	run_cmds(b, 2000, 0, 0, 0);
	/* Lowering is allowed once the belt is at rest, slowly; raising
	 * never. */
	assert_true(truth(b).support_pressure_pa > 80000);
	run_cmds(b, 70000, 0, 0, 0);
	assert_true(fabs(truth(b).support_pressure_pa) < 1000);
	run_cmds(b, 100, 300000, 0, 0);
	assert_true(truth(b).support_pressure_pa < 1000);
	board_free(b);
}

/*
 * A host cancelling the stride swings the set-point around its mean; an
 * e-stop at a peak holds the stride average, not the peak, so the runner
 * standing is not lifted above the step's target.
 */
static void test_estop_at_a_stride_peak_holds_the_stride_average(void **s)
{
	struct board *b = running_board();
	uint32_t sp;
	unsigned int i;

	/* 2.5 steps/s: 200 ms at 70 kPa, 200 ms at 130 kPa, mean 100 kPa */
	for (i = 0; i < 10; i++) {
		run_cmds(b, 200, 70000, 2500, LEVER_CMD_RUN);
		run_cmds(b, 200, 130000, 2500, LEVER_CMD_RUN);
	}
	board_set_line(b, LEVER_LINE_ESTOP, true);
	sp = status(b).pressure_setpoint_pa;
	assert_true(sp < 130000 * 0.95);
	assert_true(sp > 90000 && sp < 115000);
	board_free(b);
}

/* ... and one at a trough holds the average too: no sudden drop */
static void test_stop_at_a_stride_trough_holds_the_stride_average(void **s)
{
	struct board *b = running_board();
	uint32_t sp;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		run_cmds(b, 200, 130000, 2500, LEVER_CMD_RUN);
		run_cmds(b, 200, 70000, 2500, LEVER_CMD_RUN);
	}
	board_set_line(b, LEVER_LINE_ESTOP, true);
	sp = status(b).pressure_setpoint_pa;
	assert_true(sp > 70000 * 1.05);
	assert_true(sp > 85000 && sp < 110000);
	board_free(b);
}

/*
 * fuzz_board: at the regulator's maximum the cylinder's stride average
 * can read a little above it (the gas spring, the sensor's noise). A stop
 * holds what the runner had, never more than the board's own limit
 * (Documentation/safety.rst, rule 4); 16 seeds, as where the noise falls
 * decides the side.
 */
static void test_stop_at_the_maximum_holds_no_more_than_the_limit(void **s)
{
	uint32_t worst = 0;
	uint64_t seed;

	for (seed = 1; seed <= 16; seed++) {
		struct board *b = new_board_seed(seed);

		board_set_fault(b, PLANT_FAULT_PRESSURE_NOISE, true);
		run_cmds(b, 4000, PLANT_MAX_PRESSURE_PA, 2500, LEVER_CMD_RUN);
		assert_int_equal(status(b).board_state, LEVER_BOARD_RUNNING);
		board_set_line(b, LEVER_LINE_ESTOP, true);
		run_quiet(b, 1);
		assert_int_equal(status(b).board_state,
				 LEVER_BOARD_HARD_STOPPED);
		if (status(b).pressure_setpoint_pa > worst)
			worst = status(b).pressure_setpoint_pa;
		board_free(b);
	}
	print_message("# highest hold %u Pa, limit %u Pa\n", worst,
		      PLANT_MAX_PRESSURE_PA);
	assert_true(worst <= PLANT_MAX_PRESSURE_PA);
}

/* a valve stuck low: the stop holds what the cylinder has, not more */
static void test_stop_after_a_stuck_valve_never_raises_when_it_frees(void **s)
{
	struct board *b = running_board();
	double had = 0, after = 0;
	unsigned int i;

	board_set_fault(b, PLANT_FAULT_VALVE_STUCK, true);
	run_cmds(b, 600, 160000, 2500, LEVER_CMD_RUN);
	/* what the cylinder gave, over two strides */
	for (i = 0; i < 400; i++) {
		run_cmds(b, 1, 160000, 2500, LEVER_CMD_RUN);
		had += truth(b).support_pressure_pa / 400;
	}
	board_set_line(b, LEVER_LINE_ESTOP, true);
	board_set_fault(b, PLANT_FAULT_VALVE_STUCK, false);
	/* the host still asks for more; a stopped board never raises */
	run_cmds(b, 3000, 160000, 0, 0);
	for (i = 0; i < 400; i++) {
		run_cmds(b, 1, 160000, 0, 0);
		after += truth(b).support_pressure_pa / 400;
	}
	print_message("# cylinder %.0f Pa before the stop, %.0f Pa after\n",
		      had, after);
	assert_true(after < had * 1.06);
	board_free(b);
}

/* after a stop, only a new start raises the support: not a stop frame */
static void test_after_a_stop_no_frame_but_a_start_raises_support(void **s)
{
	struct board *b = running_board();

	run_cmds(b, 4000, 100000, 0, LEVER_CMD_STOP);	/* to rest, idle */
	assert_int_equal(status(b).board_state, LEVER_BOARD_IDLE);
	run_cmds(b, 500, 150000, 0, LEVER_CMD_STOP);
	assert_true(status(b).pressure_setpoint_pa <= 100000);
	run_cmds(b, 500, 150000, 0, 0);
	assert_true(status(b).pressure_setpoint_pa <= 100000);
	run_cmds(b, 500, 150000, 0, LEVER_CMD_RUN);	/* a new start */
	assert_int_equal(status(b).pressure_setpoint_pa, 150000);
	board_free(b);
}

/* a host gone silent mid-stride: the board holds the stride average */
static void test_a_silent_host_leaves_no_stride_trough(void **s)
{
	struct board *b = running_board();
	unsigned int i;

	for (i = 0; i < 10; i++) {
		run_cmds(b, 200, 130000, 2500, LEVER_CMD_RUN);
		run_cmds(b, 200, 70000, 2500, LEVER_CMD_RUN);
	}
	/* no command from here: leverd stopped at a trough */
	board_step(b, 50 * MS);
	drain(b);
	assert_true(status(b).pressure_setpoint_pa > 85000);
	board_free(b);
}

static void test_estop_holds_the_cylinders_stride_average(void **s)
{
	struct board *b = running_board();

	run_cmds(b, 2000, 120000, 2500, LEVER_CMD_RUN);
	board_set_line(b, LEVER_LINE_ESTOP, true);
	assert_holds_what_the_runner_had(b, true_avg_pa);
	board_free(b);
}

static void test_support_held_while_belt_stops(void **s)
{
	struct board *b = running_board();
	uint32_t held_pa;

	board_set_line(b, LEVER_LINE_ESTOP, true);
	held_pa = status(b).pressure_setpoint_pa;
	run_cmds(b, 200, 0, 0, 0);
	assert_true(truth(b).belt_speed_mm_s > 0);
	assert_int_equal(status(b).pressure_setpoint_pa, held_pa);
	board_free(b);
}

static void check_rejected(struct board *b, const void *f, size_t len,
			   int err)
{
	struct board_status before = status(b);
	struct lever_wire_sample smp;

	assert_int_equal(board_command(b, f, len), err);
	assert_int_equal(status(b).cmds_rejected, before.cmds_rejected + 1);
	assert_int_equal(status(b).cmds_accepted, before.cmds_accepted);
	assert_int_equal(status(b).cmd_seq_applied, before.cmd_seq_applied);
	drain(b);
	board_step(b, MS);
	assert_int_equal(board_sample(b, &smp), 0);
	assert_int_equal(le32toh(smp.cmds_rejected), before.cmds_rejected + 1);
}

static void test_short_frame_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, 0, 0, LEVER_CMD_RUN);

	check_rejected(b, &c, sizeof(c) - 1, -EMSGSIZE);
	check_rejected(b, &c, 0, -EMSGSIZE);
	board_free(b);
}

static void test_long_frame_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	unsigned char big[64];
	struct lever_wire_command c = frame(1000, 0, 0, LEVER_CMD_RUN);

	memset(big, 0, sizeof(big));
	memcpy(big, &c, sizeof(c));
	check_rejected(b, big, sizeof(big), -EMSGSIZE);
	board_free(b);
}

static void test_wrong_version_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, 0, 0, LEVER_CMD_RUN);

	c.version = 2;
	check_rejected(b, &c, sizeof(c), -EPROTO);
	board_free(b);
}

static void test_wrong_type_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, 0, 0, LEVER_CMD_RUN);

	c.type = LEVER_FRAME_SAMPLE;
	check_rejected(b, &c, sizeof(c), -EBADMSG);
	c = frame(1000, 0, 0, LEVER_CMD_RUN);
	c.length = htole16(31);
	check_rejected(b, &c, sizeof(c), -EBADMSG);
	board_free(b);
}

static void test_bad_flags_are_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, 0, 0, 0x4);

	check_rejected(b, &c, sizeof(c), -EINVAL);
	c = frame(1000, 0, 0, LEVER_CMD_RUN | LEVER_CMD_STOP);
	check_rejected(b, &c, sizeof(c), -EINVAL);
	board_free(b);
}

static void test_nonzero_reserved_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, 0, 0, LEVER_CMD_RUN);

	c.reserved[2] = htole32(1);
	check_rejected(b, &c, sizeof(c), -EINVAL);
	board_free(b);
}

static void test_negative_belt_speed_is_rejected_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c = frame(1000, -1, 0, LEVER_CMD_RUN);

	check_rejected(b, &c, sizeof(c), -ERANGE);
	assert_true(truth(b).belt_target_mm_s == 0);
	board_free(b);
}

static void test_rejected_frames_do_not_feed_watchdog(void **s)
{
	struct board *b = running_board();
	struct lever_wire_command c = frame(100000, 2500, 0, LEVER_CMD_RUN);
	unsigned int i;

	c.version = 9;
	for (i = 0; i < 200; i++) {
		board_command(b, &c, sizeof(c));
		run_quiet(b, 1);
	}
	assert_true(status(b).faults & LEVER_FAULT_WATCHDOG);
	board_free(b);
}

static void test_out_of_limit_values_are_clamped_and_counted(void **s)
{
	struct board *b = new_board();
	struct lever_wire_command c;
	struct lever_wire_sample f;

	c = frame(1000000, 9000, 5000, LEVER_CMD_RUN);
	assert_int_equal(board_command(b, &c, sizeof(c)), 0);
	assert_int_equal(status(b).cmds_clamped, 1);
	assert_int_equal(status(b).pressure_setpoint_pa, PLANT_MAX_PRESSURE_PA);
	assert_int_equal(status(b).belt_setpoint_mm_s,
			 PLANT_MAX_BELT_SPEED_MM_S);
	assert_int_equal(status(b).incline_setpoint_centi_pct,
			 PLANT_INCLINE_MAX_CENTI_PCT);
	c = frame(0, 0, -2000, LEVER_CMD_RUN);
	assert_int_equal(board_command(b, &c, sizeof(c)), 0);
	assert_int_equal(status(b).cmds_clamped, 2);
	assert_int_equal(status(b).incline_setpoint_centi_pct,
			 PLANT_INCLINE_MIN_CENTI_PCT);
	c = frame(PLANT_MAX_PRESSURE_PA, PLANT_MAX_BELT_SPEED_MM_S, 0,
		  LEVER_CMD_RUN);
	assert_int_equal(board_command(b, &c, sizeof(c)), 0);
	assert_int_equal(status(b).cmds_clamped, 2);
	assert_int_equal(status(b).cmds_rejected, 0);
	board_step(b, MS);
	assert_int_equal(board_sample(b, &f), 0);
	assert_int_equal(le32toh(f.cmds_clamped), 2);
	board_free(b);
}

static void test_garbage_frames_never_crash_and_are_counted(void **s)
{
	struct board *b = new_board();
	unsigned char buf[40];
	uint64_t x = 12345;
	unsigned int i, j, n = 0;
	int ret;

	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(buf); j++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[j] = x >> 56;
		}
		/* Often a valid header, so the later checks get reached. */
		if (i & 1) {
			buf[0] = LEVER_WIRE_VERSION;
			buf[1] = LEVER_FRAME_COMMAND;
			buf[2] = 32;
			buf[3] = 0;
		}
		ret = board_command(b, buf, i % 41);
		if (ret)
			n++;
		if (i % 100 == 0)
			run_quiet(b, 1);
	}
	assert_int_equal(status(b).cmds_rejected, n);
	assert_int_equal(status(b).cmds_accepted + n, 20000);
	board_free(b);
}

static void test_identity_reports_serial_version_and_rate(void **s)
{
	struct board *b = new_board();
	struct lever_wire_identity id;

	assert_int_equal(board_control(b, LEVER_REQ_GET_IDENTITY, 0, &id,
				       sizeof(id)), sizeof(id));
	assert_int_equal(le16toh(id.protocol_version), LEVER_WIRE_VERSION);
	assert_string_equal(id.serial, "SIM0001");
	assert_int_equal(le32toh(id.sample_rate_hz), 1000);
	assert_int_equal(id.fw_major, BOARD_FW_MAJOR);
	board_free(b);
}

/*
 * A host may ask with wLength 0: no data stage, no buffer. fuzz_board
 * found a memcpy() from it to NULL (undefined even for 0 bytes).
 */
static void test_in_request_without_data_stage_answers_zero_bytes(void **s)
{
	struct board *b = new_board();

	assert_int_equal(board_control(b, LEVER_REQ_GET_IDENTITY, 0, NULL, 0),
			 0);
	assert_int_equal(board_control(b, LEVER_REQ_GET_LIMITS, 0, NULL, 0),
			 0);
	assert_int_equal(board_control(b, LEVER_REQ_GET_WATCHDOG, 0, NULL, 0),
			 0);
	board_free(b);
}

static void test_limits_match_the_plant_geometry(void **s)
{
	struct board *b = new_board();
	struct lever_wire_limits l;
	uint64_t force_mn;

	assert_int_equal(board_control(b, LEVER_REQ_GET_LIMITS, 0, &l,
				       sizeof(l)), sizeof(l));
	force_mn = (uint64_t)le32toh(l.max_support_pressure_pa) *
		   le32toh(l.force_per_pressure_un_pa) / 1000;
	assert_int_equal(force_mn, le32toh(l.max_support_force_mn));
	assert_int_equal(le32toh(l.stop_decel_mm_s2), 1000);
	assert_int_equal(le32toh(l.watchdog_min_ms), 20);
	assert_int_equal(le32toh(l.watchdog_max_ms), 1000);
	assert_int_equal((int16_t)le16toh(l.incline_min_centi_pct), -300);
	board_free(b);
}

static void test_unknown_request_is_stalled(void **s)
{
	struct board *b = new_board();
	char buf[8];

	assert_int_equal(board_control(b, 0x7f, 0, buf, sizeof(buf)),
			 -EOPNOTSUPP);
	board_free(b);
}

static void test_board_detects_stuck_pressure_sensor(void **s)
{
	struct board *b = running_board();

	board_set_fault(b, PLANT_FAULT_PRESSURE_STUCK, true);
	run_cmds(b, 150, 100000, 2500, LEVER_CMD_RUN);
	assert_true(status(b).faults & LEVER_FAULT_PRESSURE_SENSOR);
	assert_int_equal(status(b).board_state, LEVER_BOARD_STOPPING);
	board_free(b);
}

static void test_board_detects_stuck_force_sensor(void **s)
{
	struct board *b = running_board();

	board_set_fault(b, PLANT_FAULT_FORCE_STUCK, true);
	run_cmds(b, 150, 100000, 2500, LEVER_CMD_RUN);
	assert_true(status(b).faults & LEVER_FAULT_FORCE_SENSOR);
	assert_int_equal(status(b).board_state, LEVER_BOARD_STOPPING);
	board_free(b);
}

static void test_board_detects_stuck_valve(void **s)
{
	struct board *b = running_board();

	board_set_fault(b, PLANT_FAULT_VALVE_STUCK, true);
	run_cmds(b, 300, 100000, 2500, LEVER_CMD_RUN);
	assert_int_equal(status(b).faults, 0);
	run_cmds(b, 1000, 200000, 2500, LEVER_CMD_RUN);
	assert_true(status(b).faults & LEVER_FAULT_VALVE);
	assert_int_equal(status(b).board_state, LEVER_BOARD_STOPPING);
	board_free(b);
}

static void test_board_cuts_drive_on_belt_overspeed(void **s)
{
	struct board *b = running_board();

	board_set_fault(b, PLANT_FAULT_BELT_OVERSPEED, true);
	run_cmds(b, 1000, 100000, 2500, LEVER_CMD_RUN);
	assert_true(status(b).faults & LEVER_FAULT_OVERSPEED);
	assert_int_equal(status(b).board_state, LEVER_BOARD_HARD_STOPPED);
	assert_false(truth(b).drive_enabled);
	board_free(b);
}

static void test_noise_burst_is_not_a_board_fault(void **s)
{
	struct board *b = running_board();

	board_set_fault(b, PLANT_FAULT_FORCE_NOISE, true);
	board_set_fault(b, PLANT_FAULT_PRESSURE_NOISE, true);
	run_cmds(b, 1000, 100000, 2500, LEVER_CMD_RUN);
	assert_int_equal(status(b).faults, 0);
	board_free(b);
}

static void test_no_false_faults_at_top_speed_and_full_support(void **s)
{
	struct board *b = new_board();

	run_cmds(b, 10000, PLANT_MAX_PRESSURE_PA, PLANT_MAX_BELT_SPEED_MM_S,
		 LEVER_CMD_RUN);
	run_cmds(b, 3000, 0, 1000, LEVER_CMD_RUN);
	assert_int_equal(status(b).faults, 0);
	assert_int_equal(status(b).board_state, LEVER_BOARD_RUNNING);
	board_free(b);
}

static void test_dropped_frames_show_as_seq_gaps(void **s)
{
	struct board *b = new_board();
	struct lever_wire_sample f;
	unsigned int i, got = 0;
	uint32_t prev = 0;

	board_set_fault(b, PLANT_FAULT_DROP_FRAMES, true);
	for (i = 0; i < 1000; i++) {
		board_step(b, MS);
		while (board_sample(b, &f) == 0) {
			if (got++)
				assert_int_equal(le32toh(f.seq), prev + 2);
			prev = le32toh(f.seq);
		}
	}
	assert_int_equal(got, 500);
	assert_int_equal(status(b).samples_dropped, 500);
	board_free(b);
}

static void test_delayed_frames_arrive_20ms_late(void **s)
{
	struct board *b = new_board();
	struct lever_wire_sample f;
	unsigned int i;

	board_set_fault(b, PLANT_FAULT_DELAY_FRAMES, true);
	/* The first frame, made at 1 ms, is due at 21 ms. */
	for (i = 0; i < 20; i++) {
		board_step(b, MS);
		assert_int_equal(board_sample(b, &f), -EAGAIN);
	}
	for (i = 0; i < 100; i++) {
		board_step(b, MS);
		assert_int_equal(board_sample(b, &f), 0);
		assert_int_equal(board_time_ns(b) - le64toh(f.board_time_ns),
				 20 * MS);
	}
	board_free(b);
}

static void test_buttons_and_lines_appear_in_samples(void **s)
{
	struct board *b = new_board();
	struct lever_wire_sample f;

	board_set_button(b, LEVER_BTN_PAIN, true);
	board_set_line(b, LEVER_LINE_HARNESS, false);
	board_step(b, MS);
	assert_int_equal(board_sample(b, &f), 0);
	assert_int_equal(le16toh(f.buttons), LEVER_BTN_PAIN);
	assert_int_equal(le16toh(f.lines), 0);
	board_free(b);
}

static void record(uint64_t seed, struct lever_wire_sample *out,
		   unsigned int n)
{
	struct board *b = new_board_seed(seed);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			send(b, 100000 + i * 10, i < n / 2 ? 3000 : 0,
			     LEVER_CMD_RUN);
		if (i == n / 3)
			board_set_fault(b, PLANT_FAULT_FORCE_NOISE, true);
		board_step(b, MS);
		assert_int_equal(board_sample(b, &out[i]), 0);
	}
	board_free(b);
}

static void test_equal_inputs_and_seed_give_bit_identical_samples(void **s)
{
	const unsigned int n = 5000;
	struct lever_wire_sample *a = calloc(n, sizeof(*a));
	struct lever_wire_sample *b = calloc(n, sizeof(*b));
	struct lever_wire_sample *c = calloc(n, sizeof(*c));

	record(99, a, n);
	record(99, b, n);
	record(100, c, n);
	assert_memory_equal(a, b, n * sizeof(*a));
	assert_memory_not_equal(a, c, n * sizeof(*a));
	free(a);
	free(b);
	free(c);
}

static void test_state_dump_has_key_value_lines(void **s)
{
	struct board *b = running_board();
	char buf[4096];
	int n;

	n = board_dump(b, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "state=running\n"));
	assert_non_null(strstr(buf, "belt_setpoint_mm_s=2500\n"));
	assert_non_null(strstr(buf, "faults=0x0\n"));
	assert_int_equal(board_dump(b, buf, 16), -ENOSPC);
	board_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_come_at_the_sample_rate_with_consecutive_seq),
		cmocka_unit_test(test_slow_reader_sees_gap_not_burst),
		cmocka_unit_test(test_lent_frames_are_the_copied_ones),
		cmocka_unit_test(test_run_command_moves_belt_and_sets_support),
		cmocka_unit_test(test_watchdog_stops_belt_after_timeout_with_pressure_held),
		cmocka_unit_test(test_watchdog_quiet_while_commands_arrive),
		cmocka_unit_test(test_watchdog_period_follows_set_watchdog),
		cmocka_unit_test(test_watchdog_bounds_are_enforced),
		cmocka_unit_test(test_nothing_moves_after_watchdog_stop_until_reset_and_run),
		cmocka_unit_test(test_stop_command_is_a_controlled_stop_without_fault),
		cmocka_unit_test(test_estop_cuts_drive_at_once_and_latches),
		cmocka_unit_test(test_hard_stop_latches_only_its_own_fault),
		cmocka_unit_test(test_estop_reset_refused_while_pressed),
		cmocka_unit_test(test_reset_refused_while_belt_still_moves),
		cmocka_unit_test(test_safety_key_cuts_drive_and_latches),
		cmocka_unit_test(test_hard_stop_holds_support_pressure),
		cmocka_unit_test(test_support_held_while_belt_stops),
		cmocka_unit_test(test_estop_at_a_stride_peak_holds_the_stride_average),
		cmocka_unit_test(test_stop_at_a_stride_trough_holds_the_stride_average),
		cmocka_unit_test(test_stop_at_the_maximum_holds_no_more_than_the_limit),
		cmocka_unit_test(test_stop_after_a_stuck_valve_never_raises_when_it_frees),
		cmocka_unit_test(test_after_a_stop_no_frame_but_a_start_raises_support),
		cmocka_unit_test(test_a_silent_host_leaves_no_stride_trough),
		cmocka_unit_test(test_estop_holds_the_cylinders_stride_average),
		cmocka_unit_test(test_short_frame_is_rejected_and_counted),
		cmocka_unit_test(test_long_frame_is_rejected_and_counted),
		cmocka_unit_test(test_wrong_version_is_rejected_and_counted),
		cmocka_unit_test(test_wrong_type_is_rejected_and_counted),
		cmocka_unit_test(test_bad_flags_are_rejected_and_counted),
		cmocka_unit_test(test_nonzero_reserved_is_rejected_and_counted),
		cmocka_unit_test(test_negative_belt_speed_is_rejected_and_counted),
		cmocka_unit_test(test_rejected_frames_do_not_feed_watchdog),
		cmocka_unit_test(test_out_of_limit_values_are_clamped_and_counted),
		cmocka_unit_test(test_garbage_frames_never_crash_and_are_counted),
		cmocka_unit_test(test_identity_reports_serial_version_and_rate),
		cmocka_unit_test(test_in_request_without_data_stage_answers_zero_bytes),
		cmocka_unit_test(test_limits_match_the_plant_geometry),
		cmocka_unit_test(test_unknown_request_is_stalled),
		cmocka_unit_test(test_board_detects_stuck_pressure_sensor),
		cmocka_unit_test(test_board_detects_stuck_force_sensor),
		cmocka_unit_test(test_board_detects_stuck_valve),
		cmocka_unit_test(test_board_cuts_drive_on_belt_overspeed),
		cmocka_unit_test(test_noise_burst_is_not_a_board_fault),
		cmocka_unit_test(test_no_false_faults_at_top_speed_and_full_support),
		cmocka_unit_test(test_dropped_frames_show_as_seq_gaps),
		cmocka_unit_test(test_delayed_frames_arrive_20ms_late),
		cmocka_unit_test(test_buttons_and_lines_appear_in_samples),
		cmocka_unit_test(test_equal_inputs_and_seed_give_bit_identical_samples),
		cmocka_unit_test(test_state_dump_has_key_value_lines),
	};

	return cmocka_run_group_tests_name("sim board", tests, NULL, NULL);
}
