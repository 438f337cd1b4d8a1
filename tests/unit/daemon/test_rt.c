// SPDX-License-Identifier: MIT
/*
 * test_rt.c - specification of the RT side's plumbing on liblever's sim
 * transport, stepped: priority clamping, targets through the ring reach
 * the cycle, the board is armed only by an explicit start, every cycle
 * leaves a trace record, the snapshot follows, a reset reports back, and
 * the real-time thread starts (as root) and stops.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "control/rt.h"
#include "control/sup.h"

static struct leverd_cfg cfg;
static struct lever_dev *dev;
static struct rt *rt;

static int setup(void **state)
{
	cfg_defaults(&cfg);
	if (lever_dev_open("sim:seed=9,speed=0", &dev))
		return -1;
	return rt_new(&cfg, dev, true, &rt);
}

static int teardown(void **state)
{
	rt_free(rt);
	lever_dev_close(dev);
	return 0;
}

static void run(int n)
{
	while (n--)
		rt_cycle(rt);
}

static void post_run(uint32_t gen)
{
	struct rt_msg m = { .type = RT_MSG_TARGETS };

	m.targets.generation = gen;
	m.targets.run = SESS_RUN;
	m.targets.belt_speed_mm_s = 1389;
	m.targets.bw_carried_pct_x100 = 8000;
	m.targets.mass_kg = 70;
	assert_int_equal(rt_post(rt, &m), 0);
}

static void test_priority_above_system_max_is_clamped(void **state)
{
	char err[256];
	int max = sched_get_priority_max(SCHED_FIFO);

	assert_int_equal(rt_clamp_priority(max + 10, err, sizeof(err)), max);
	assert_int_equal(rt_clamp_priority(10, err, sizeof(err)), 10);
}

static void test_targets_through_the_ring_move_the_belt(void **state)
{
	struct rt_snapshot s;

	post_run(1);
	run(5000);
	rt_snapshot(rt, &s);
	assert_int_equal(s.st.mode, LOOP_RUN);
	assert_true(s.armed);
	assert_true(s.st.belt_meas_mm_s > 1000);
}

static void test_nothing_is_armed_without_a_start(void **state)
{
	struct rt_snapshot s;

	run(2000);
	rt_snapshot(rt, &s);
	assert_false(s.armed);
	assert_int_equal(s.st.mode, LOOP_IDLE);
}

static void test_every_cycle_leaves_one_trace_record(void **state)
{
	struct rt_trace tr;
	int n = 0;

	run(100);
	while (rt_next_traces(rt, &tr, 1) == 1)
		n++;
	assert_int_equal(n, 100);
}

static void test_snapshot_counts_cycles_on_virtual_time(void **state)
{
	struct rt_snapshot s;

	run(250);
	rt_snapshot(rt, &s);
	assert_int_equal(s.cycles, 250);
	assert_true(s.st.now_ns >= 250000000ull);
	assert_int_equal(s.overruns, 0);
}

static void test_estop_gives_a_fault_event_and_reset_reports(void **s)
{
	struct rt_msg m = { .type = RT_MSG_RESET };
	struct rt_event ev;
	bool fault = false, reset = false;

	post_run(1);
	run(3000);
	lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1);
	run(5);
	lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 0);
	run(8000);
	rt_post(rt, &m);
	run(5);
	while (rt_next_event(rt, &ev) == 0) {
		if (ev.type == RT_EV_FAULT && (ev.bits & SUP_F_ESTOP))
			fault = true;
		if (ev.type == RT_EV_RESET && ev.err == 0)
			reset = true;
	}
	assert_true(fault);
	assert_true(reset);
}

static void test_rt_thread_starts_and_stops(void **state)
{
	struct lever_dev *d2;
	struct rt *r2;
	char err[256];

	if (geteuid() != 0) {
		skip();
		return;
	}
	cfg.speed_factor = 1;
	assert_int_equal(lever_dev_open("sim:seed=9,speed=1", &d2), 0);
	assert_int_equal(rt_new(&cfg, d2, false, &r2), 0);
	assert_int_equal(rt_start(r2, err, sizeof(err)), 0);
	assert_int_equal(rt_priority(r2), cfg.rt_priority);
	usleep(100000);
	rt_stop(r2);
	assert_true(rt_latency_quantile_us(r2, 0.5) >= 0);
	rt_free(r2);
	lever_dev_close(d2);
}

/* events of @type drained now; the bits of the last in *@bits */
static int count_events(enum rt_event_type type, uint32_t *bits)
{
	struct rt_event ev;
	int n = 0;

	while (rt_next_event(rt, &ev) == 0) {
		if (ev.type != type)
			continue;
		n++;
		if (bits)
			*bits |= ev.bits;
	}
	return n;
}

/*
 * An over-speed fault, and the operator's reset while the belt is still
 * stopping: refused and reported, nothing moves; the reset once the belt
 * stands still goes through, and the next explicit start runs the belt.
 * (The RT side used to drop its armed flag whatever the device said.)
 */
static void test_reset_while_stopping_then_start_runs(void **state)
{
	struct rt_msg m = { .type = RT_MSG_RESET };
	struct rt_snapshot s;
	struct rt_event ev;
	int refused = 0, done = 0;

	post_run(1);
	run(5000);
	lever_sim_inject(dev, LEVER_SIM_FAULT_BELT_DRIVE, 1);
	run(400);
	lever_sim_inject(dev, LEVER_SIM_FAULT_BELT_DRIVE, 0);
	rt_snapshot(rt, &s);
	assert_true(s.st.safe_state);
	assert_true(s.st.belt_meas_mm_s > 100);	/* still stopping */
	rt_post(rt, &m);
	run(5000);
	rt_snapshot(rt, &s);
	assert_true(s.st.belt_meas_mm_s < 50);	/* nothing moved */
	rt_post(rt, &m);
	run(200);
	while (rt_next_event(rt, &ev) == 0) {
		if (ev.type == RT_EV_RESET && ev.err == -EBUSY)
			refused++;
		if (ev.type == RT_EV_RESET && ev.err == 0)
			done++;
	}
	assert_int_equal(refused, 1);
	assert_int_equal(done, 1);
	post_run(2);
	run(5000);
	rt_snapshot(rt, &s);
	assert_int_equal(s.st.mode, LOOP_RUN);
	assert_true(s.st.belt_meas_mm_s > 1000);
}

/* unplugged mid-run: one wait per period, never a busy loop */
static void test_unplug_waits_a_period_per_cycle(void **state)
{
	struct rt_snapshot s;
	uint64_t t0;
	uint32_t bits = 0;

	post_run(1);
	run(3000);
	count_events(RT_EV_IO, NULL);
	lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 1);
	rt_snapshot(rt, &s);
	t0 = s.st.now_ns;
	run(1000);
	rt_snapshot(rt, &s);
	assert_true(s.link_lost);
	assert_false(s.armed);
	assert_true(s.st.safe_state);
	assert_true(s.st.cause & SUP_F_LINK);
	/* 1000 cycles took 1 s of the board's time, one period each */
	assert_true(s.st.now_ns - t0 >= 999000000ull);
	/* one link event, not one I/O error per cycle */
	assert_int_equal(count_events(RT_EV_LINK, &bits), 1);
	assert_int_equal(bits, 1);
}

/* back after an unplug: reopened by itself, nothing moves until a start */
static void test_replug_reopens_and_nothing_moves_until_a_start(void **s)
{
	struct rt_msg m = { .type = RT_MSG_RESET };
	struct rt_snapshot st;

	post_run(1);
	run(3000);
	lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 1);
	run(2000);
	lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, 0);
	post_run(1);		/* the old generation, queued meanwhile */
	run(5000);
	rt_snapshot(rt, &st);
	assert_false(st.link_lost);
	assert_false(st.armed);
	assert_true(st.st.belt_meas_mm_s < 50);
	rt_post(rt, &m);	/* the board's watchdog fault */
	run(100);
	post_run(2);
	run(5000);
	rt_snapshot(rt, &st);
	assert_true(st.armed);
	assert_true(st.st.belt_meas_mm_s > 1000);
}

/* a pain stop, the operator's reset, a new start: the belt runs again */
static void test_pain_stop_reset_then_start_runs(void **state)
{
	struct rt_msg m = { .type = RT_MSG_TARGETS };
	struct rt_msg r = { .type = RT_MSG_RESET };
	struct rt_snapshot s;
	uint32_t bits = 0;

	post_run(1);
	run(4000);
	lever_sim_press_button(dev, LEVER_DEV_BTN_PAIN, 200);
	run(50);
	m.targets.generation = 1;
	m.targets.run = SESS_STOP;
	m.targets.bw_carried_pct_x100 = 8000;
	m.targets.mass_kg = 70;
	rt_post(rt, &m);
	run(8000);
	rt_snapshot(rt, &s);
	assert_true(s.st.safe_state);
	rt_post(rt, &r);
	run(100);
	post_run(2);
	run(5000);
	rt_snapshot(rt, &s);
	count_events(RT_EV_FAULT, &bits);
	assert_false(bits & SUP_F_GATE);
	assert_int_equal(s.st.mode, LOOP_RUN);
	assert_true(s.st.belt_meas_mm_s > 1000);
}

/* an e-stop released and one reset: nothing latched again (HIL finding A) */
static void test_one_reset_after_an_estop_is_enough(void **state)
{
	struct rt_msg r = { .type = RT_MSG_RESET };
	struct rt_snapshot s;
	int i;

	post_run(1);
	run(3000);
	lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1);
	run(50);
	lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 0);
	run(8000);
	rt_post(rt, &r);
	for (i = 0; i < 1000; i++) {
		run(1);
		rt_snapshot(rt, &s);
		assert_int_equal(s.st.latched, 0);
	}
}

/*
 * Finding 5 of the safety review: the device's reset waits on the board
 * (lever.ko: up to 1.5 s on a board slow to answer). The RT thread lends
 * the device to the event loop for that call and keeps its period; it
 * used to make the call itself and stop cycling for as long.
 */
static void test_a_slow_device_reset_never_stalls_the_rt_thread(void **s)
{
	struct rt_msg m = { .type = RT_MSG_RESET };
	struct rt_snapshot before, after;
	struct lever_dev_sample smp;
	struct lever_dev *d2;
	struct rt_event ev;
	struct rt *r2;
	char err[256];
	int i, lent = 0, done = -1;

	if (geteuid() != 0) {
		skip();
		return;
	}
	cfg.speed_factor = 1;
	assert_int_equal(lever_dev_open("sim:seed=9,speed=1,reset_ms=1500",
					&d2), 0);
	/* an e-stop pressed and released: the board has it latched */
	lever_sim_set_line(d2, LEVER_DEV_LINE_ESTOP, 1);
	for (i = 0; i < 20; i++)
		assert_int_equal(lever_dev_read_sample(d2, &smp), 0);
	lever_sim_set_line(d2, LEVER_DEV_LINE_ESTOP, 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(lever_dev_read_sample(d2, &smp), 0);
	assert_true(smp.board_faults & LEVER_DEV_BFAULT_ESTOP);

	assert_int_equal(rt_new(&cfg, d2, false, &r2), 0);
	assert_int_equal(rt_start(r2, err, sizeof(err)), 0);
	usleep(200000);
	assert_int_equal(rt_post(r2, &m), 0);
	for (i = 0; i < 1000 && !lent; i++) {
		usleep(1000);
		while (rt_next_event(r2, &ev) == 0)
			lent |= ev.type == RT_EV_RESET_DEVICE;
	}
	assert_true(lent);

	rt_snapshot(r2, &before);
	rt_reset_device(r2);		/* 1.5 s on this thread */
	rt_snapshot(r2, &after);
	/* 1500 periods of 1 ms; a third is plenty on a loaded machine */
	assert_true(after.cycles - before.cycles >= 500);

	for (i = 0; i < 1000 && done < 0; i++) {
		usleep(1000);
		while (rt_next_event(r2, &ev) == 0)
			if (ev.type == RT_EV_RESET)
				done = -ev.err;
	}
	assert_int_equal(done, 0);
	usleep(300000);
	rt_snapshot(r2, &after);
	assert_int_equal(after.st.latched, 0);
	assert_false(after.armed);
	rt_stop(r2);
	rt_free(r2);
	lever_dev_close(d2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_priority_above_system_max_is_clamped),
		T(test_targets_through_the_ring_move_the_belt),
		T(test_nothing_is_armed_without_a_start),
		T(test_every_cycle_leaves_one_trace_record),
		T(test_snapshot_counts_cycles_on_virtual_time),
		T(test_estop_gives_a_fault_event_and_reset_reports),
		T(test_rt_thread_starts_and_stops),
		T(test_a_slow_device_reset_never_stalls_the_rt_thread),
		T(test_reset_while_stopping_then_start_runs),
		T(test_unplug_waits_a_period_per_cycle),
		T(test_replug_reopens_and_nothing_moves_until_a_start),
		T(test_pain_stop_reset_then_start_runs),
		T(test_one_reset_after_an_estop_is_enough),
	};

	return cmocka_run_group_tests_name("leverd rt", tests, NULL, NULL);
}
