// SPDX-License-Identifier: MIT
/*
 * test_sim.c - the "sim:" transport through the public API: the safety
 * gate's rules as Documentation/userspace-api/lever.rst gives them for the
 * driver (clamping, slew, arming refusal under e-stop, watchdog stop),
 * the virtual clock, the sample queue, fault injection. Times are virtual:
 * nothing here depends on how fast the machine is.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <lever/lever.h>

#define MS	1000000ull

static struct lever_dev *open_sim(const char *spec)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open(spec, &dev), 0);
	assert_non_null(dev);
	return dev;
}

static int setup(void **state)
{
	*state = open_sim("sim:seed=3");
	return 0;
}

static int teardown(void **state)
{
	lever_dev_close(*state);
	return 0;
}

static struct lever_dev_info info_of(struct lever_dev *dev)
{
	struct lever_dev_info info;

	assert_int_equal(lever_dev_info(dev, &info), 0);
	return info;
}

static struct lever_dev_status status_of(struct lever_dev *dev)
{
	struct lever_dev_status st;

	assert_int_equal(lever_dev_status(dev, &st), 0);
	return st;
}

static int command(struct lever_dev *dev, uint32_t pa, int32_t mm_s,
		   int16_t incline)
{
	struct lever_dev_command cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.support_pressure_pa = pa;
	cmd.belt_speed_mm_s = mm_s;
	cmd.incline_centi_pct = incline;
	return lever_dev_command(dev, &cmd);
}

/* Commands every ms for @ms ms (feeding the watchdog), draining samples. */
static void run_commanding(struct lever_dev *dev, uint32_t pa, int32_t mm_s,
			   int16_t incline, unsigned int ms)
{
	struct lever_dev_sample s;
	unsigned int i;

	for (i = 0; i < ms; i++) {
		assert_int_equal(command(dev, pa, mm_s, incline), 0);
		assert_int_equal(lever_sim_step(dev, MS), 0);
		while (lever_dev_try_read_sample(dev, &s) == 0)
			;
	}
}

static struct lever_dev_sample latest(struct lever_dev *dev)
{
	return status_of(dev).last;
}

static void drain(struct lever_dev *dev)
{
	struct lever_dev_sample s;

	while (lever_dev_try_read_sample(dev, &s) == 0)
		;
}

static void test_info_reports_sim_board_identity_and_limits(void **state)
{
	struct lever_dev *dev = open_sim("sim:serial=RIG42,seed=9");
	struct lever_dev_info info = info_of(dev);

	assert_string_equal(info.serial, "RIG42");
	assert_int_equal(info.transport, LEVER_DEV_TRANSPORT_SIM);
	assert_string_equal(info.node, "sim:");
	assert_int_equal(info.sample_rate_hz, 1000);
	assert_true(info.max_belt_speed_mm_s > 0);
	assert_true(info.max_support_pressure_pa > 0);
	assert_true(info.max_belt_accel_mm_s2 > 0);
	assert_int_equal(info.watchdog_ms, LEVER_DEV_WATCHDOG_DEF_MS);
	lever_dev_close(dev);
}

static void test_open_rejects_malformed_sim_options(void **state)
{
	static const char *const bad[] = {
		"sim:speed=x", "sim:colour=red", "sim:seed=", "sim:seed",
		"sim:speed=-1", "sim:speed=100000", "sim:pace=fast",
		"sim:pace=",
		"sim:serial=ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	};
	struct lever_dev *dev = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lever_dev_open(bad[i], &dev), -EINVAL);
	assert_null(dev);
}

static void test_command_refused_until_armed(void **state)
{
	assert_int_equal(command(*state, 0, 100, 0), -EPERM);
}

static void test_arm_refused_while_estop_pressed(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1), 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(lever_dev_arm(dev), -EPERM);
	assert_true(status_of(dev).faults & LEVER_DEV_FAULT_ESTOP);
	assert_int_equal(command(dev, 0, 100, 0), -EPERM);
}

static void test_arm_refused_while_safety_key_pulled(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_SAFETY_KEY, 1),
			 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(lever_dev_arm(dev), -EPERM);
	assert_true(status_of(dev).faults & LEVER_DEV_FAULT_SAFETY_KEY);
}

static void test_fault_reset_needs_released_estop_then_arm_works(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1), 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(lever_dev_reset_faults(dev), -EBUSY);
	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 0), 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(lever_dev_reset_faults(dev), 0);
	/* the board's cleared faults show in its next sample */
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(status_of(dev).faults, 0);
	assert_int_equal(lever_dev_arm(dev), 0);
}

static void test_second_arm_is_busy(void **state)
{
	assert_int_equal(lever_dev_arm(*state), 0);
	assert_int_equal(lever_dev_arm(*state), -EBUSY);
}

static void test_belt_speed_clamped_to_board_max(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_info info = info_of(dev);

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 99999, 0, 6000);
	assert_int_equal(latest(dev).belt_setpoint_mm_s,
			 info.max_belt_speed_mm_s);
	assert_true(status_of(dev).clamped >= 1);
}

static void test_support_pressure_clamped_to_board_max(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_info info = info_of(dev);

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 2000000000u, 0, 0, 5000);
	assert_int_equal(latest(dev).pressure_setpoint_pa,
			 info.max_support_pressure_pa);
	assert_true(status_of(dev).clamped >= 1);
}

static void test_incline_clamped_to_board_range(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_info info = info_of(dev);

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 0, 30000, 20);
	assert_int_equal(latest(dev).incline_setpoint_centi_pct,
			 info.incline_max_centi_pct);
	run_commanding(dev, 0, 0, -30000, 20);
	assert_int_equal(latest(dev).incline_setpoint_centi_pct,
			 info.incline_min_centi_pct);
}

static void test_command_within_limits_is_not_counted_clamped(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 1000, 100, 0, 10);
	assert_int_equal(status_of(dev).clamped, 0);
}

static void test_belt_slew_limited_to_max_accel(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_info info = info_of(dev);
	int32_t after_100ms, allowed = info.max_belt_accel_mm_s2 / 10;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 3000, 0, 100);
	after_100ms = latest(dev).belt_setpoint_mm_s;
	/* 100 ms at the slew limit, give or take one sample period */
	assert_in_range(after_100ms,
			allowed - info.max_belt_accel_mm_s2 / 1000 - 1,
			allowed + 1);
}

static void test_support_pressure_slew_limited(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_info info = info_of(dev);
	uint32_t after_100ms, allowed = info.max_pressure_slew_pa_s / 10;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, info.max_support_pressure_pa, 0, 0, 100);
	after_100ms = latest(dev).pressure_setpoint_pa;
	assert_in_range(after_100ms,
			allowed - info.max_pressure_slew_pa_s / 1000 - 1,
			allowed + 1);
}

/*
 * A stop holds the support the runner had: the cylinder's stride average
 * by the board's sensor, a few per cent off the set-point it was sent
 * under a stride (test_board.c pins it to the cylinder's truth); held,
 * not released.
 */
static void assert_held_near(uint32_t held_pa, uint32_t sent_pa)
{
	assert_true(held_pa > sent_pa * 0.96 && held_pa < sent_pa * 1.04);
}

static void test_watchdog_stops_belt_after_timeout(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_status st;
	int i;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 50000, 1000, 0, 1500);
	assert_true(latest(dev).belt_speed_mm_s > 800);

	/* silent for less than the 50 ms default: still armed */
	assert_int_equal(lever_sim_step(dev, 45 * MS), 0);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_ARMED);
	assert_int_equal(st.watchdog_trips, 0);

	/* past the period: tripped, stopping, fault latched */
	assert_int_equal(lever_sim_step(dev, 10 * MS), 0);
	st = status_of(dev);
	assert_int_equal(st.watchdog_trips, 1);
	assert_true(st.faults & LEVER_DEV_FAULT_WATCHDOG);
	assert_int_not_equal(st.state, LEVER_DEV_STATE_ARMED);
	assert_int_equal(command(dev, 50000, 1000, 0), -EPERM);

	/* the belt ramps down to zero, support pressure held */
	for (i = 0; i < 3000; i++)
		assert_int_equal(lever_sim_step(dev, MS), 0);
	drain(dev);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_FAULT);
	assert_int_equal(st.last.belt_setpoint_mm_s, 0);
	assert_true(st.last.belt_speed_mm_s < 30);
	assert_held_near(st.last.pressure_setpoint_pa, 50000);
}

static void test_watchdog_period_can_be_set(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_dev_set_watchdog(dev, 200), 0);
	assert_int_equal(info_of(dev).watchdog_ms, 200);
	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 100, 0, 10);
	assert_int_equal(lever_sim_step(dev, 150 * MS), 0);
	assert_int_equal(status_of(dev).state, LEVER_DEV_STATE_ARMED);
	assert_int_equal(lever_sim_step(dev, 60 * MS), 0);
	assert_int_equal(status_of(dev).watchdog_trips, 1);
}

static void test_estop_while_running_latches_and_stops(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_status st;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 50000, 1000, 0, 1000);
	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1), 0);
	assert_int_equal(lever_sim_step(dev, 2 * MS), 0);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_FAULT);
	assert_true(st.faults & LEVER_DEV_FAULT_ESTOP);
	assert_int_equal(command(dev, 50000, 1000, 0), -EPERM);
	/* releasing the e-stop does not restart anything */
	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 0), 0);
	assert_int_equal(lever_sim_step(dev, 3000 * MS), 0);
	drain(dev);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_FAULT);
	assert_int_equal(st.last.belt_speed_mm_s < 30, 1);
}

static void test_stop_ramps_down_and_disarms_without_fault(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_status st;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 50000, 1000, 0, 1000);
	assert_int_equal(lever_dev_stop(dev), 0);
	assert_int_equal(status_of(dev).state, LEVER_DEV_STATE_STOPPING);
	assert_int_equal(lever_sim_step(dev, 3000 * MS), 0);
	drain(dev);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_DISARMED);
	assert_int_equal(st.faults, 0);
	assert_int_equal(st.last.belt_setpoint_mm_s, 0);
	assert_held_near(st.last.pressure_setpoint_pa, 50000);
}

static void test_disarm_without_arm_does_nothing(void **state)
{
	assert_int_equal(lever_dev_disarm(*state), 0);
	assert_int_equal(status_of(*state).state, LEVER_DEV_STATE_DISARMED);
}

static void test_disarm_stops_the_belt_without_fault(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_status st;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 50000, 1000, 0, 1000);
	assert_int_equal(lever_dev_disarm(dev), 0);
	assert_int_equal(command(dev, 50000, 1000, 0), -EPERM);
	assert_int_equal(lever_sim_step(dev, 3000 * MS), 0);
	drain(dev);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_DISARMED);
	assert_int_equal(st.faults, 0);
	assert_int_equal(st.last.belt_setpoint_mm_s, 0);
}

static void test_disconnect_gives_enodev_and_reopen_restores(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	struct lever_dev_status st;
	struct pollfd pfd;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 500, 0, 100);
	pfd.fd = lever_dev_fd(dev);
	pfd.events = POLLIN;
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 1),
			 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);	/* pollers wake up */
	assert_int_equal(lever_dev_try_read_sample(dev, &s), -ENODEV);
	assert_int_equal(lever_dev_read_sample(dev, &s), -ENODEV);
	assert_int_equal(lever_dev_status(dev, &st), -ENODEV);
	assert_int_equal(command(dev, 0, 500, 0), -ENODEV);
	assert_int_equal(lever_dev_reopen(dev), -ENODEV);	/* still out */

	assert_int_equal(lever_sim_step(dev, 500 * MS), 0);
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 0),
			 0);
	assert_int_equal(lever_dev_reopen(dev), 0);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_DISARMED);
	assert_int_equal(command(dev, 0, 500, 0), -EPERM);
	assert_int_equal(lever_dev_read_sample(dev, &s), 0);
}

static void test_fd_readable_only_while_samples_queued(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	struct pollfd pfd = { .fd = lever_dev_fd(dev), .events = POLLIN };

	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(lever_sim_step(dev, 3 * MS), 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	drain(dev);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(lever_dev_try_read_sample(dev, &s), -EAGAIN);
}

static void test_try_read_never_advances_stepped_clock(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	uint64_t before, after;

	assert_int_equal(lever_sim_now(dev, &before), 0);
	assert_int_equal(lever_dev_try_read_sample(dev, &s), -EAGAIN);
	assert_int_equal(lever_sim_now(dev, &after), 0);
	assert_int_equal(before, after);
}

static void test_step_read_takes_a_queued_sample_without_stepping(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample first, s;
	uint64_t before, after;

	assert_int_equal(lever_sim_step(dev, 3 * MS), 0);
	assert_int_equal(lever_sim_now(dev, &before), 0);
	assert_int_equal(lever_sim_step_read(dev, MS, &first), 0);
	assert_int_equal(lever_sim_now(dev, &after), 0);
	assert_int_equal(before, after);
	assert_int_equal(lever_sim_step_read(dev, MS, &s), 0);
	assert_int_equal(s.seq, first.seq + 1);
}

static void test_step_read_steps_and_reads_when_nothing_is_queued(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	uint64_t before, after;

	assert_int_equal(lever_sim_now(dev, &before), 0);
	assert_int_equal(lever_sim_step_read(dev, MS, &s), 0);
	assert_int_equal(lever_sim_now(dev, &after), 0);
	assert_int_equal(after, before + MS);
	assert_int_equal(s.timestamp_ns, after);
	assert_int_equal(lever_dev_try_read_sample(dev, &s), -EAGAIN);
}

static void test_step_read_in_a_stall_steps_and_says_eagain(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	uint64_t before, after;

	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 1), 0);
	assert_int_equal(lever_sim_now(dev, &before), 0);
	assert_int_equal(lever_sim_step_read(dev, MS, &s), -EAGAIN);
	assert_int_equal(lever_sim_now(dev, &after), 0);
	assert_int_equal(after, before + MS);
}

/* The one call is the three it stands for, sample for sample. */
static void test_step_read_is_try_read_step_try_read(void **state)
{
	struct lever_dev *a = open_sim("sim:seed=12");
	struct lever_dev *b = open_sim("sim:seed=12");
	struct lever_dev_sample sa, sb;
	int i, ra, rb;

	assert_int_equal(lever_dev_arm(a), 0);
	assert_int_equal(lever_dev_arm(b), 0);
	for (i = 0; i < 500; i++) {
		assert_int_equal(command(a, 80000, 800, 0), 0);
		assert_int_equal(command(b, 80000, 800, 0), 0);
		/* frames delayed, then released together: queues differ */
		if (i == 100 || i == 300) {
			assert_int_equal(lever_sim_inject(a,
					LEVER_SIM_FAULT_DELAY_FRAMES, i == 100),
					0);
			assert_int_equal(lever_sim_inject(b,
					LEVER_SIM_FAULT_DELAY_FRAMES, i == 100),
					0);
		}
		if (i % 50 == 7) {
			assert_int_equal(lever_sim_step(a, 3 * MS), 0);
			assert_int_equal(lever_sim_step(b, 3 * MS), 0);
		}
		memset(&sa, 0, sizeof(sa));
		memset(&sb, 0, sizeof(sb));
		ra = lever_dev_try_read_sample(a, &sa);
		if (ra == -EAGAIN) {
			assert_int_equal(lever_sim_step(a, MS), 0);
			ra = lever_dev_try_read_sample(a, &sa);
		}
		rb = lever_sim_step_read(b, MS, &sb);
		assert_int_equal(ra, rb);
		assert_memory_equal(&sa, &sb, sizeof(sa));
	}
	lever_dev_close(a);
	lever_dev_close(b);
}

static void test_blocking_read_advances_clock_one_sample(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample a, b;
	uint64_t now;

	assert_int_equal(lever_dev_read_sample(dev, &a), 0);
	assert_int_equal(lever_dev_read_sample(dev, &b), 0);
	assert_int_equal(b.seq, a.seq + 1);
	assert_int_equal(b.timestamp_ns - a.timestamp_ns, MS);
	assert_int_equal(lever_sim_now(dev, &now), 0);
	assert_int_equal(now, b.timestamp_ns);
}

static void test_stalled_board_times_out_blocking_read(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;

	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 1), 0);
	assert_int_equal(lever_dev_read_sample(dev, &s), -ETIMEDOUT);
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 0), 0);
	assert_int_equal(lever_dev_read_sample(dev, &s), 0);
}

static void test_queue_overflow_is_counted_and_flagged(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	uint64_t dropped;
	unsigned int n = 0;

	/* 3000 samples made, nobody reading: the queue fills up */
	assert_int_equal(lever_sim_step(dev, 3000 * MS), 0);
	while (lever_dev_try_read_sample(dev, &s) == 0)
		n++;
	assert_true(n > 0 && n < 3000);
	dropped = status_of(dev).dropped;
	assert_int_equal(dropped, 3000 - n);
	/* the next sample queued says how many were lost before it */
	assert_int_equal(lever_sim_step(dev, MS), 0);
	assert_int_equal(lever_dev_try_read_sample(dev, &s), 0);
	assert_true(s.flags & LEVER_DEV_SAMPLE_OVERFLOW);
	assert_int_equal(s.lost, dropped);
}

static void test_dropped_frames_show_as_gaps(void **state)
{
	struct lever_dev *dev = *state;
	struct lever_dev_sample s;
	uint32_t lost = 0;
	int i;

	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_DROP_FRAMES, 1),
			 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(lever_dev_read_sample(dev, &s), 0);
		lost += s.lost;
	}
	assert_true(lost >= 15);
}

static void test_button_press_shows_then_releases(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_press_button(dev, LEVER_DEV_BTN_PAIN, 20),
			 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_true(latest(dev).buttons & LEVER_DEV_BTN_PAIN);
	assert_int_equal(lever_sim_step(dev, 30 * MS), 0);
	assert_false(latest(dev).buttons & LEVER_DEV_BTN_PAIN);
}

static void test_safety_line_shows_in_samples(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_HARNESS, 0),
			 0);
	assert_int_equal(lever_sim_step(dev, 2 * MS), 0);
	assert_false(latest(dev).lines & LEVER_DEV_LINE_HARNESS);
	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_HARNESS, 1),
			 0);
	assert_int_equal(lever_sim_step(dev, 2 * MS), 0);
	assert_true(latest(dev).lines & LEVER_DEV_LINE_HARNESS);
}

static void test_set_runner_is_accepted_in_range(void **state)
{
	assert_int_equal(lever_sim_set_runner(*state, 50000, 170), 0);
	assert_int_equal(lever_sim_set_runner(*state, 110000, 150), 0);
	assert_int_equal(lever_sim_step(*state, 10 * MS), 0);
}

static void test_same_seed_replays_same_samples(void **state)
{
	struct lever_dev *a = open_sim("sim:seed=11");
	struct lever_dev *b = open_sim("sim:seed=11");
	struct lever_dev_sample sa, sb;
	int i;

	assert_int_equal(lever_dev_arm(a), 0);
	assert_int_equal(lever_dev_arm(b), 0);
	for (i = 0; i < 500; i++) {
		assert_int_equal(command(a, 80000, 800, 0), 0);
		assert_int_equal(command(b, 80000, 800, 0), 0);
		assert_int_equal(lever_dev_read_sample(a, &sa), 0);
		assert_int_equal(lever_dev_read_sample(b, &sb), 0);
		assert_memory_equal(&sa, &sb, sizeof(sa));
	}
	lever_dev_close(a);
	lever_dev_close(b);
}

static void test_close_while_armed_is_safe(void **state)
{
	struct lever_dev *dev = open_sim("sim:");

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 50000, 1000, 0, 100);
	lever_dev_close(dev);	/* valgrind: nothing left behind */
}

static void test_speed_n_runs_clock_at_least_n_times_real_time(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=10");
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	uint64_t now;

	nanosleep(&ts, NULL);
	assert_int_equal(lever_sim_now(dev, &now), 0);
	/* a lower bound only: a slow machine makes it later, never less */
	assert_true(now >= 200 * MS);
	lever_dev_close(dev);
}

static void test_speed_n_blocking_read_waits_for_the_sample(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=50");
	struct lever_dev_sample a, b;

	assert_int_equal(lever_dev_read_sample(dev, &a), 0);
	assert_int_equal(lever_dev_read_sample(dev, &b), 0);
	assert_true(b.seq > a.seq);
	lever_dev_close(dev);
}

static void test_speed_n_drain_ends_with_eagain_even_when_too_fast(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=1000");
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	struct lever_dev_sample s;
	unsigned long n = 0;
	int ret, round;

	/* faster than any machine can simulate: every drain still ends */
	for (round = 0; round < 5; round++) {
		nanosleep(&ts, NULL);
		while ((ret = lever_dev_try_read_sample(dev, &s)) == 0)
			n++;
		assert_int_equal(ret, -EAGAIN);
	}
	assert_true(n > 0);
	lever_dev_close(dev);
}

static void test_lockstep_clock_waits_for_a_caller_that_stalls(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=100,pace=lockstep");
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct lever_dev_status st;
	uint64_t before, after;

	assert_int_equal(lever_dev_arm(dev), 0);
	assert_int_equal(command(dev, 50000, 500, 0), 0);
	assert_int_equal(lever_sim_now(dev, &before), 0);
	/* 50 ms of real time is 5 s of virtual time at speed=100 */
	nanosleep(&ts, NULL);
	assert_int_equal(lever_sim_now(dev, &after), 0);
	/* at most the one sample the caller has not read yet */
	assert_true(after - before <= 2 * MS);
	st = status_of(dev);
	assert_int_equal(st.state, LEVER_DEV_STATE_ARMED);
	assert_int_equal(st.watchdog_trips, 0);
	lever_dev_close(dev);
}

static void test_lockstep_samples_have_no_sequence_gap(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=1000,pace=lockstep");
	struct lever_dev_sample a, b;
	int i;

	assert_int_equal(lever_dev_read_sample(dev, &a), 0);
	for (i = 0; i < 500; i++) {
		assert_int_equal(lever_dev_read_sample(dev, &b), 0);
		assert_int_equal(b.seq, a.seq + 1);
		assert_int_equal(b.lost, 0);
		a = b;
	}
	lever_dev_close(dev);
}

static void test_real_pace_caller_stall_trips_the_watchdog(void **state)
{
	struct lever_dev *dev = open_sim("sim:speed=100,pace=real");
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct lever_dev_status st;

	/*
	 * 1 s of virtual time is 10 ms of real time: room for valgrind on a
	 * busy machine between arm and command, none for 5 s of silence.
	 */
	assert_int_equal(lever_dev_set_watchdog(dev, 1000), 0);
	assert_int_equal(lever_dev_arm(dev), 0);
	assert_int_equal(command(dev, 50000, 500, 0), 0);
	/* a caller silent for 5 s of virtual time is a hung controller */
	nanosleep(&ts, NULL);
	st = status_of(dev);
	assert_int_equal(st.watchdog_trips, 1);
	assert_true(st.faults & LEVER_DEV_FAULT_WATCHDOG);
	lever_dev_close(dev);
}

static void test_reset_faults_refused_while_armed_at_rest(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_dev_arm(dev), 0);
	run_commanding(dev, 0, 0, 0, 50);
	/* as lever.ko: the controller holds the gate, the board is not asked */
	assert_int_equal(lever_dev_reset_faults(dev), -EBUSY);
	assert_int_equal(status_of(dev).state, LEVER_DEV_STATE_ARMED);
	assert_int_equal(lever_dev_disarm(dev), 0);
	assert_int_equal(lever_sim_step(dev, 5 * MS), 0);
	assert_int_equal(lever_dev_reset_faults(dev), 0);
}

static void test_fd_reports_hangup_and_error_after_disconnect(void **state)
{
	struct lever_dev *dev = *state;
	struct pollfd pfd = { .fd = lever_dev_fd(dev), .events = POLLIN };

	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 1),
			 0);
	/* at once, and on every poll after: never a readable busy loop */
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents & (POLLHUP | POLLERR), POLLHUP | POLLERR);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents & (POLLHUP | POLLERR), POLLHUP | POLLERR);
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 0),
			 0);
	assert_int_equal(lever_dev_reopen(dev), 0);
	pfd.fd = lever_dev_fd(dev);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(lever_sim_step(dev, 3 * MS), 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLIN);
}

static void test_arm_refused_while_the_board_is_stalled(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 1), 0);
	assert_int_equal(lever_sim_step(dev, 150 * MS), 0);
	assert_int_equal(lever_dev_arm(dev), -ENODATA);
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 0), 0);
	assert_int_equal(lever_sim_step(dev, 2 * MS), 0);
	assert_int_equal(lever_dev_arm(dev), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_reports_sim_board_identity_and_limits),
		cmocka_unit_test(test_open_rejects_malformed_sim_options),
		T(test_command_refused_until_armed),
		T(test_arm_refused_while_estop_pressed),
		T(test_arm_refused_while_safety_key_pulled),
		T(test_fault_reset_needs_released_estop_then_arm_works),
		T(test_second_arm_is_busy),
		T(test_belt_speed_clamped_to_board_max),
		T(test_support_pressure_clamped_to_board_max),
		T(test_incline_clamped_to_board_range),
		T(test_command_within_limits_is_not_counted_clamped),
		T(test_belt_slew_limited_to_max_accel),
		T(test_support_pressure_slew_limited),
		T(test_watchdog_stops_belt_after_timeout),
		T(test_watchdog_period_can_be_set),
		T(test_estop_while_running_latches_and_stops),
		T(test_stop_ramps_down_and_disarms_without_fault),
		T(test_disarm_without_arm_does_nothing),
		T(test_disarm_stops_the_belt_without_fault),
		T(test_disconnect_gives_enodev_and_reopen_restores),
		T(test_reset_faults_refused_while_armed_at_rest),
		T(test_fd_reports_hangup_and_error_after_disconnect),
		T(test_arm_refused_while_the_board_is_stalled),
		T(test_fd_readable_only_while_samples_queued),
		T(test_try_read_never_advances_stepped_clock),
		T(test_step_read_takes_a_queued_sample_without_stepping),
		T(test_step_read_steps_and_reads_when_nothing_is_queued),
		T(test_step_read_in_a_stall_steps_and_says_eagain),
		cmocka_unit_test(test_step_read_is_try_read_step_try_read),
		T(test_blocking_read_advances_clock_one_sample),
		T(test_stalled_board_times_out_blocking_read),
		T(test_queue_overflow_is_counted_and_flagged),
		T(test_dropped_frames_show_as_gaps),
		T(test_button_press_shows_then_releases),
		T(test_safety_line_shows_in_samples),
		T(test_set_runner_is_accepted_in_range),
		cmocka_unit_test(test_same_seed_replays_same_samples),
		cmocka_unit_test(test_close_while_armed_is_safe),
		cmocka_unit_test(test_speed_n_runs_clock_at_least_n_times_real_time),
		cmocka_unit_test(test_speed_n_blocking_read_waits_for_the_sample),
		cmocka_unit_test(test_speed_n_drain_ends_with_eagain_even_when_too_fast),
		cmocka_unit_test(test_lockstep_clock_waits_for_a_caller_that_stalls),
		cmocka_unit_test(test_lockstep_samples_have_no_sequence_gap),
		cmocka_unit_test(test_real_pace_caller_stall_trips_the_watchdog),
	};

	return cmocka_run_group_tests_name("liblever sim transport", tests,
					   NULL, NULL);
}
