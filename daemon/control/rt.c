// SPDX-License-Identifier: MIT
/*
 * rt.c - the RT thread. Per cycle: drain the event loop's messages, take
 * the next sample, run the loop, send one command, publish state. After
 * rt_start() it never allocates, never takes a lock a non-RT thread
 * holds, and makes no syscall but the device I/O (clock_gettime is vDSO).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "rt_priv.h"
#include "sup.h"


static uint64_t rng_next(struct rt *rt)
{
	uint64_t z = (rt->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rt_event(struct rt *rt, uint64_t now, enum rt_event_type type,
		     uint32_t bits, int32_t err)
{
	struct rt_event ev = { now, type, bits, err };

	ring_push(rt->events, &ev);
}

void rt_publish(struct rt *rt)
{
	uint32_t s = atomic_load_explicit(&rt->snap_seq, memory_order_relaxed);

	atomic_store_explicit(&rt->snap_seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	loop_status(rt->loop, &rt->snap.st);
	rt->snap.cycles = rt->cycles;
	rt->snap.overruns = rt->overruns;
	rt->snap.late_wakeups = rt->late;
	rt->snap.missed_samples = rt->missed;
	rt->snap.io_errors = rt->io_errors;
	rt->snap.trace_dropped = ring_dropped(rt->trace);
	rt->snap.armed = rt->armed;
	rt->snap.link_lost = rt->link_lost;
	atomic_store_explicit(&rt->snap_seq, s + 2, memory_order_release);
}

/* The end of a cycle: publish, or (stepped, no thread) mark it due. */
static void rt_publish_cycle(struct rt *rt)
{
	if (rt->stepped && !rt->started) {
		rt->snap_stale = true;
		return;
	}
	rt_publish(rt);
}

static bool rt_board_faulted(struct rt *rt)
{
	struct loop_status st;

	loop_status(rt->loop, &st);
	return (st.faults | st.cause) & SUP_F_BOARD;
}

/*
 * After the device's reset (or with none needed): samples queued before
 * it still show the faults it cleared; they are dropped, so they cannot
 * latch again what was just reset. Then the supervisor. Disarmed,
 * nothing moves until a new start arms the device again.
 */
static int rt_reset_finish(struct rt *rt, int device_ret)
{
	struct lever_dev_sample s;
	int n;

	if (device_ret)
		return device_ret;
	for (n = 0; n < RT_DRAIN_MAX &&
	     lever_dev_try_read_sample(rt->dev, &s) == 0; n++)
		;
	rt->have_seq = false;
	/* frames the board had made before its reset may follow */
	rt->settle_until_ns = rt->last_now_ns + RT_RESET_SETTLE_NS;
	return loop_reset(rt->loop);
}

/*
 * The operator's reset. The device first: armed and the gate still
 * taking our commands, it has nothing latched (one that stopped by itself
 * refused a command and disarmed us), and only a fault the board latched
 * needs its reset, which the device refuses from its controller (lever.ko
 * and sim: alike): then give up control first.
 *
 * The device's reset waits on the board (lever.ko: a control transfer
 * and a fresh sample, up to 1.5 s if the board does not answer). On its
 * own thread the RT side does not wait: it lends the device to the event
 * loop for that call (RT_EV_RESET_DEVICE, rt_reset_device()) and keeps its
 * period without touching the device until RT_MSG_RESET_DONE hands it
 * back. Stepped, there is no thread to keep in time: the same steps run
 * here, in this cycle.
 */
static void rt_reset(struct rt *rt, uint64_t now)
{
	int ret = 0;

	if (rt->link_lost) {
		ret = -ENODEV;
		goto out;
	}
	/* one at a time: the device is lent once */
	if (rt->lent) {
		ret = -EBUSY;
		goto out;
	}
	if (rt->armed && rt_board_faulted(rt)) {
		ret = lever_dev_disarm(rt->dev);
		if (ret)
			goto out;
		rt->armed = false;
	}
	if (rt->armed) {
		ret = loop_reset(rt->loop);
		goto out;
	}
	if (rt->started) {
		rt->lent = true;
		rt_event(rt, now, RT_EV_RESET_DEVICE, 0, 0);
		return;
	}
	ret = rt_reset_finish(rt, lever_dev_reset_faults(rt->dev));
out:
	rt_event(rt, now, RT_EV_RESET, 0, ret);
}

/* The device is back from the event loop with its reset's result. */
static void rt_reset_done(struct rt *rt, int device_ret, uint64_t now)
{
	int ret;

	if (!rt->lent)
		return;
	rt->lent = false;
	ret = rt_reset_finish(rt, device_ret);
	/* no sample came while it was lent, and none was missing */
	rt->restart_stale = true;
	rt_event(rt, now, RT_EV_RESET, 0, ret);
}

void rt_reset_device(struct rt *rt)
{
	struct rt_msg m = { .type = RT_MSG_RESET_DONE };

	m.err = lever_dev_reset_faults(rt->dev);
	/* the ring has room: the RT side waits for nothing else now */
	while (rt_post(rt, &m) == -EAGAIN)
		sched_yield();
}

/* One message from the event loop. */
static void rt_message(struct rt *rt, const struct rt_msg *m, uint64_t now)
{
	switch (m->type) {
	case RT_MSG_TARGETS:
		loop_set_targets(rt->loop, &m->targets);
		if (rt->is_sim && !rt->lent &&
		    m->targets.mass_kg >= LEVERD_MASS_MIN_KG &&
		    (uint32_t)(m->targets.mass_kg * 1000) !=
		    rt->runner_mass_g) {
			rt->runner_mass_g =
				(uint32_t)(m->targets.mass_kg * 1000);
			lever_sim_set_runner(rt->dev, rt->runner_mass_g,
					     CADENCE_SPM);
		}
		break;
	case RT_MSG_EXTERNAL:
		loop_set_external(rt->loop, m->lines, m->keys);
		break;
	case RT_MSG_RESET:
		rt_reset(rt, now);
		break;
	case RT_MSG_RESET_DONE:
		rt_reset_done(rt, m->err, now);
		break;
	}
}

/*
 * Both rings are empty on nearly every cycle: the messages' handling out
 * of line, so that finding them empty saves and restores few registers.
 */
static __attribute__((noinline)) void rt_messages_slow(struct rt *rt,
							uint64_t now)
{
	struct rt_msg m;

	/* the safety inputs first: nothing the event loop says delays them */
	while (ring_pop(rt->inputs, &m) == 0)
		if (m.type == RT_MSG_EXTERNAL)
			loop_set_external(rt->loop, m.lines, m.keys);
	while (ring_pop(rt->to_rt, &m) == 0)
		rt_message(rt, &m, now);
}

/* Inline: every cycle, two loads each ring to find them empty. */
static inline __attribute__((always_inline)) void
rt_messages(struct rt *rt, uint64_t now)
{
	if (ring_count(rt->inputs) || ring_count(rt->to_rt))
		rt_messages_slow(rt, now);
}

/*
 * Seeded fault injection on the sim transport: one fault at a time, on
 * for 0.2..2 s of virtual time, at exponential-ish intervals.
 */
static void rt_sim_faults(struct rt *rt, uint64_t now)
{
	static const unsigned int kinds[] = {
		LEVER_SIM_FAULT_PRESSURE_SENSOR, LEVER_SIM_FAULT_FORCE_SENSOR,
		LEVER_SIM_FAULT_VALVE, LEVER_SIM_FAULT_BELT_DRIVE,
		LEVER_SIM_FAULT_STALL, 100 /* e-stop line */,
	};
	double mean_ns;

	/* nearly every cycle: no fault to end and none to begin */
	if (now < rt->fault_due_ns)
		return;
	if (!rt->is_sim || rt->cfg.sim_faults_per_min <= 0)
		return;
	if (rt->next_fault_ns != UINT64_MAX &&
	    (rt->fault_kind ? now < rt->fault_off_ns :
			      now < rt->next_fault_ns))
		return;
	mean_ns = 60e9 / rt->cfg.sim_faults_per_min;
	if (rt->next_fault_ns == UINT64_MAX)
		rt->next_fault_ns = now + (uint64_t)(mean_ns *
				    (0.5 + (rng_next(rt) % 1000) / 1000.0));
	if (rt->fault_kind && now >= rt->fault_off_ns) {
		if (rt->fault_kind == 100)
			lever_sim_set_line(rt->dev, LEVER_DEV_LINE_ESTOP, 0);
		else
			lever_sim_inject(rt->dev, rt->fault_kind, 0);
		rt_event(rt, now, RT_EV_SIM_FAULT, rt->fault_kind, 0);
		rt->fault_kind = 0;
	}
	if (!rt->fault_kind && now >= rt->next_fault_ns) {
		rt->fault_kind = kinds[rng_next(rt) %
				       (sizeof(kinds) / sizeof(kinds[0]))];
		rt->fault_off_ns = now + 200000000ull +
				   rng_next(rt) % 1800000000ull;
		if (rt->fault_kind == 100)
			lever_sim_set_line(rt->dev, LEVER_DEV_LINE_ESTOP, 1);
		else
			lever_sim_inject(rt->dev, rt->fault_kind, 1);
		rt_event(rt, now, RT_EV_SIM_FAULT, rt->fault_kind, 1);
		rt->next_fault_ns = rt->fault_off_ns + (uint64_t)(mean_ns *
				    (0.5 + (rng_next(rt) % 1000) / 1000.0));
	}
	/* the tests above, on the state they leave, as one time */
	rt->fault_due_ns = rt->next_fault_ns == UINT64_MAX ? 0 :
			   rt->fault_kind ? rt->fault_off_ns :
			   rt->next_fault_ns;
}

static void rt_hist(struct rt *rt, int64_t lat_ns)
{
	uint64_t lat_us = lat_ns > 0 ? (uint64_t)lat_ns / 1000 : 0;

	if (lat_us > RT_HIST_US)
		lat_us = RT_HIST_US;
	rt->hist[lat_us]++;
	atomic_fetch_add_explicit(&rt->hist_n, 1, memory_order_release);
	if (lat_us * 2000 > (uint64_t)rt->cfg.period_us * 1000)
		rt->late++;
}

/*
 * Sim at N x real time: wake at each virtual tick on an absolute
 * CLOCK_MONOTONIC grid (as cyclictest does), then take the sample the sim
 * produced for it. The wake-up latency is measured against that tick.
 */
static int rt_sim_tick(struct rt *rt, struct lever_dev_sample *s)
{
	uint64_t period = rt->cfg.period_us * 1000ull / rt->sim_speed;
	struct timespec ts;
	uint64_t now = mono_ns();
	int ret;

	if (!rt->next_tick_ns)
		rt->next_tick_ns = now - (now - rt->clock_offset_ns) % period;
	rt->next_tick_ns += period;
	if (rt->next_tick_ns + period <= now) {
		/* a whole tick lost: resynchronise, count it */
		rt->overruns++;
		rt->next_tick_ns = now - (now - rt->clock_offset_ns) % period +
				   period;
	}
	ts.tv_sec = (time_t)(rt->next_tick_ns / 1000000000ull);
	ts.tv_nsec = (long)(rt->next_tick_ns % 1000000000ull);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
	rt->woke_ns = mono_ns();
	rt_hist(rt, (int64_t)(rt->woke_ns - rt->next_tick_ns));
	ret = lever_dev_try_read_sample(rt->dev, s);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}

/* Stepped, rt_get_sample(): virtual time, one period per cycle. */
static inline int rt_step_sample(struct rt *rt, struct lever_dev_sample *s)
{
	int ret;

	/*
	 * exactly one period per cycle, even in a stall: a sample still
	 * queued, else the period stepped and the sample it made
	 */
	ret = lever_sim_step_read(rt->dev, rt->period_ns, s);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}

/*
 * With a clock to wait on, rt_get_sample(). Out of line: its locals and
 * their registers are not the stepped cycle's to save and restore.
 */
static __attribute__((noinline)) int
rt_wait_sample(struct rt *rt, struct lever_dev_sample *s)
{
	struct timespec tmo;
	struct pollfd pfd;
	int ret, fd;

	rt->woke_ns = mono_ns();
	ret = lever_dev_try_read_sample(rt->dev, s);
	if (ret != -EAGAIN)
		return ret ? ret : 1;
	if (rt->is_sim)
		return rt_sim_tick(rt, s);
	fd = lever_dev_fd(rt->dev);
	if (fd < 0)
		return fd;
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* two periods, in ns: a period under 1 ms must not poll for 0 */
	tmo.tv_sec = 0;
	tmo.tv_nsec = rt->cfg.period_us * 2000l;
	ret = ppoll(&pfd, 1, &tmo, NULL);
	/* woken: what follows is the transport's work, not the wake-up */
	rt->woke_ns = mono_ns();
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
		return -ENODEV;
	ret = lever_dev_try_read_sample(rt->dev, s);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}

/* The next sample: 1 got, 0 none within a period (stale check runs). */
static inline int rt_get_sample(struct rt *rt, struct lever_dev_sample *s)
{
	return rt->stepped ? rt_step_sample(rt, s) : rt_wait_sample(rt, s);
}

static void rt_latency(struct rt *rt, const struct lever_dev_sample *s,
		       uint64_t woke_ns)
{
	rt_hist(rt, (int64_t)(woke_ns - s->timestamp_ns) -
		rt->clock_offset_ns);
}

/* One period on CLOCK_MONOTONIC with no device to wait on; when woken. */
static uint64_t rt_sleep_period(struct rt *rt)
{
	uint64_t t = mono_ns() + rt->cfg.period_us * 1000ull;
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
	rt->woke_ns = mono_ns();
	return rt->woke_ns;
}

/*
 * While the event loop resets the device (rt_reset()): one period and no
 * device call. The safety inputs are still taken (a line active now makes
 * the supervisor refuse the reset when the device is back), the snapshot
 * still published, and the control cycle waits: disarmed, with the board
 * holding, it has nothing to command.
 */
static void rt_lent_cycle(struct rt *rt)
{
	rt_sleep_period(rt);
	rt_messages(rt, rt->last_now_ns);
	rt->cycles++;
	rt_publish_cycle(rt);
}

/*
 * The board is gone: nothing to read or command until it is back. Wait
 * one period (no spinning on a dead handle: the RT thread runs SCHED_FIFO
 * and would starve the machine), and look for the board again now and
 * then. Reopening allocates and opens files, which the RT thread does
 * nowhere else; with no board there is no control to keep in time.
 */
static int rt_link_wait(struct rt *rt)
{
	uint64_t period = rt->cfg.period_us * 1000ull;
	uint64_t now;
	int ret;

	if (rt->stepped) {
		/* virtual time: one period per cycle, as with a board */
		lever_sim_step(rt->dev, period);
		lever_sim_now(rt->dev, &now);
		rt->woke_ns = mono_ns();
	} else {
		now = rt_sleep_period(rt);
	}
	if (now < rt->next_reopen_ns)
		return -ENODEV;
	rt->next_reopen_ns = now + REOPEN_EVERY_NS;
	ret = lever_dev_reopen(rt->dev);
	if (ret)
		return -ENODEV;
	/* a new file: the configured watchdog, not the device's default */
	lever_dev_set_watchdog(rt->dev, rt->cfg.kernel_watchdog_ms);
	rt->link_lost = false;
	rt->have_seq = false;
	return 0;
}

void rt_cycle(struct rt *rt)
{
	struct lever_dev_sample s;
	struct loop_out out;
	struct rt_trace *tr;
	uint64_t woke, now;
	int got, ret;

	if (rt->lent) {
		rt_lent_cycle(rt);
		return;
	}
	if (rt->link_lost) {
		got = rt_link_wait(rt);
		if (!got) {
			/* back, disarmed: nothing moves until a new start */
			rt_event(rt, rt->woke_ns, RT_EV_LINK, 0, 0);
			got = rt_get_sample(rt, &s);
		}
	} else {
		got = rt_get_sample(rt, &s);
	}
	/* stepped: the clock is read only for what goes wrong (events) */
	woke = rt->stepped ? 0 : rt->woke_ns;
	if (got < 0 && rt->stepped)
		woke = mono_ns();
	if (got == -ENODEV && !rt->link_lost) {
		rt->link_lost = true;
		rt->armed = false;
		rt->next_reopen_ns = 0;
		/* virtual time: this cycle's period passes all the same */
		if (rt->stepped)
			lever_sim_step(rt->dev, rt->cfg.period_us * 1000ull);
		loop_external_fault(rt->loop, SUP_F_LINK);
		rt_event(rt, woke, RT_EV_LINK, 1, got);
		got = 0;
	} else if (got == -ENODEV) {
		got = 0;
	} else if (got < 0) {
		rt->io_errors++;
		rt_event(rt, woke, RT_EV_IO, 0, got);
		got = 0;
	}
	if (got) {
		now = s.timestamp_ns;
		if (!rt->stepped && !rt->is_sim)
			rt_latency(rt, &s, woke);
		if (rt->have_seq && s.seq - rt->last_seq != 1)
			rt->missed += s.seq - rt->last_seq - 1;
		rt->have_seq = true;
		rt->last_seq = s.seq;
	} else {
		now = woke;
		if (rt->is_sim)
			lever_sim_now(rt->dev, &now);
		else if (rt->stepped)
			now = mono_ns();
	}
	rt->last_now_ns = now;
	rt_messages(rt, now);
	rt_sim_faults(rt, now);
	/*
	 * Just after a reset, a sample still showing the latched e-stop or
	 * key the board has cleared was made before the reset (the board's
	 * own buffer, frames in flight): it must not latch them again.
	 */
	if (got && rt->settle_until_ns) {
		if (!(s.board_faults & (LEVER_DEV_BFAULT_ESTOP |
					LEVER_DEV_BFAULT_SAFETY_KEY)) ||
		    s.timestamp_ns >= rt->settle_until_ns)
			rt->settle_until_ns = 0;
		else
			got = 0;
	}

	if (rt->restart_stale) {
		loop_restart_stale(rt->loop, now);
		rt->restart_stale = false;
	}
	loop_cycle(rt->loop, got ? &s : NULL, now, &out);

	/* arm only at an explicit new start, never to resume by itself */
	if (out.start && !rt->armed) {
		ret = lever_dev_arm(rt->dev);
		if (!ret) {
			rt->armed = true;
		} else {
			rt_event(rt, now, RT_EV_IO, 2, ret);
			loop_external_fault(rt->loop, SUP_F_GATE);
		}
	}
	if (rt->armed) {
		ret = lever_dev_command(rt->dev, &out.cmd);
		if (ret == -ENODEV) {
			/* gone between the read and the command */
			rt->armed = false;
			rt->link_lost = true;
			rt->next_reopen_ns = 0;
			loop_external_fault(rt->loop, SUP_F_LINK);
			rt_event(rt, now, RT_EV_LINK, 1, ret);
		} else if (ret == -EPERM) {
			/*
			 * The gate stopped on its own (watchdog, board fault):
			 * the safe state here too, and no re-arm until a new
			 * start.
			 */
			rt->armed = false;
			loop_external_fault(rt->loop, SUP_F_GATE);
		} else if (ret) {
			rt->io_errors++;
			rt_event(rt, now, RT_EV_IO, 1, ret);
		}
	}
	/* the loop keeps what it was told: a call only when it changes */
	if (rt->armed != rt->loop_told_armed) {
		loop_commanding(rt->loop, rt->armed);
		rt->loop_told_armed = rt->armed;
	}
	/* nearly every cycle has none of the three: one test then */
	if (out.new_faults | out.buttons | out.start_refused) {
		if (out.new_faults)
			rt_event(rt, now, RT_EV_FAULT, out.new_faults, 0);
		if (out.buttons)
			rt_event(rt, now, RT_EV_BUTTONS, out.buttons, 0);
		if (out.start_refused)
			rt_event(rt, now, RT_EV_START_REFUSED,
				 out.start_refused, 0);
	}

	/* written where the event loop will read it (full: dropped) */
	tr = ring_claim(rt->trace);
	if (tr) {
		/*
		 * Every field written, none cleared first (the slot holds an
		 * older record): no padding, and the replay hash reads it all.
		 */
		_Static_assert(sizeof(*tr) == 56, "every field written below");
		tr->now_ns = now;
		if (got) {
			tr->seq = s.seq;
			tr->support_force_mn = s.support_force_mn;
			tr->support_pressure_pa = s.support_pressure_pa;
			tr->belt_speed_mm_s = s.belt_speed_mm_s;
		} else {
			tr->seq = 0;
			tr->support_force_mn = 0;
			tr->support_pressure_pa = 0;
			tr->belt_speed_mm_s = 0;
		}
		tr->cmd = out.cmd;
		tr->faults = out.faults;
		tr->mode = 0;
		ring_publish(rt->trace);
	}

	rt->cycles++;
	if (!rt->stepped && mono_ns() - woke >
	    (uint64_t)rt->cfg.period_us * 1000)
		rt->overruns++;
	rt_publish_cycle(rt);
}
