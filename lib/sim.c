// SPDX-License-Identifier: MIT
/*
 * sim.c - liblever's "sim:" transport: the board model of sim/ (plant +
 * firmware) behind the very safety gate lever.ko runs (driver/lever_gate.c,
 * compiled in), on a virtual clock. It must never decide anything about
 * safety itself: every limit, slew, arming rule and watchdog is the gate's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <endian.h>

#include "board.h"
#include "lever_gate.h"
#include "lever_limits.h"
#include "lever_priv.h"

#define LEVER_SIM_RING		1024	/* samples queued for the caller */
#define LEVER_SIM_READ_LIMIT_NS	1000000000ull	/* speed=0: a blocking
						 * read gives up after 1 s of
						 * virtual time with no
						 * sample (board stalled) */

struct lever_sim {
	struct lever_dev base;
	struct board *board;
	struct lever_gate gate;
	uint64_t now_ns;		/* virtual clock */
	unsigned int speed;		/* 0: stepped; N: N x real time */
	bool lockstep;			/* speed>0: never past the caller */
	unsigned int reset_ms;		/* speed>0: the board's late answer */
	uint64_t base_virtual_ns;	/* speed>0: virtual time at ... */
	uint64_t base_mono_ns;		/* ... this CLOCK_MONOTONIC time */
	uint32_t watchdog_ms;		/* for the next arm */
	uint32_t cmd_seq;
	bool disconnected;		/* LEVER_SIM_FAULT_DISCONNECT on */
	bool link_down;			/* -ENODEV until reopen */
	bool stalled;			/* LEVER_SIM_FAULT_STALL on */
	bool armed_by_us;
	bool try_caught_up;		/* see lever_sim_try_read() */
	uint64_t button_release_ns[8];	/* 0: not held */
	unsigned int buttons_held;	/* bit i: button_release_ns[i] set */
	char serial[LEVER_DEV_SERIAL_MAX + 1];
	/* sample queue */
	struct lever_dev_sample ring[LEVER_SIM_RING];
	struct lever_squeue q;		/* over ring[] */
	/*
	 * The latest sample, made where it was queued (lost and flags
	 * then say the loss before it), or in spare when the queue was
	 * full: one copy a sample less.
	 */
	const struct lever_dev_sample *last;
	struct lever_dev_sample spare;
	uint64_t samples, commands;
	/* pollable fd */
	int epfd, evfd, tfd;
	bool ev_set;
	bool fd_wanted;			/* lever_dev_fd() was called: keep
					 * the eventfd in step (speed=0) */
	bool evfd_synced;		/* !speed && fd_wanted, as one */
};

static struct lever_sim *to_sim(struct lever_dev *dev)
{
	return lever_container_of(dev, struct lever_sim, base);
}

static uint64_t lever_sim_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * speed=0: keeps the eventfd readable exactly while samples are queued.
 * speed>0: the timerfd wakes pollers every sample period anyway; leaving
 * the eventfd alone keeps two syscalls per sample out of a drain loop,
 * which would otherwise cost more than a sample period at high speeds.
 */
static void lever_sim_sync_evfd_now(struct lever_sim *s)
{
	uint64_t v = 1;

	if (s->q.count && !s->ev_set) {
		if (write(s->evfd, &v, sizeof(v)) == sizeof(v))
			s->ev_set = true;
	} else if (!s->q.count && s->ev_set) {
		if (read(s->evfd, &v, sizeof(v)) == sizeof(v))
			s->ev_set = false;
	}
}

/* Twice a sample: the common case (nobody polls) without a call. */
static inline void lever_sim_sync_evfd(struct lever_sim *s)
{
	if (s->evfd_synced)
		lever_sim_sync_evfd_now(s);
}

/* The gate's frame as the board receives it on its OUT endpoint. */
static void lever_sim_send(struct lever_sim *s, const struct lever_gate_frame *f)
{
	struct lever_wire_command c;

	if (s->disconnected)
		return;		/* the link is cut: the board hears nothing */
	memset(&c, 0, sizeof(c));
	c.version = LEVER_WIRE_VERSION;
	c.type = LEVER_FRAME_COMMAND;
	c.length = htole16(sizeof(c));
	c.seq = htole32(++s->cmd_seq);
	c.support_pressure_pa = htole32(f->support_pressure_pa);
	c.belt_speed_mm_s = htole32((uint32_t)f->belt_speed_mm_s);
	c.incline_centi_pct = htole16((uint16_t)f->incline_centi_pct);
	c.flags = htole16(f->flags);
	if (board_command(s->board, &c, sizeof(c)) == 0)
		s->commands++;
}

static inline void lever_sim_tick(struct lever_sim *s)
{
	struct lever_gate_frame f;

	if (lever_gate_tick(&s->gate, s->now_ns, &f))
		lever_sim_send(s, &f);
}

static void lever_sim_queue(struct lever_sim *s,
			    const struct lever_wire_sample *w)
{
	struct lever_dev_sample *slot = lever_squeue_tail(&s->q);
	struct lever_dev_sample *d = slot ? slot : &s->spare;

	/* Like the driver's ring: a full queue drops the newest, counted. */
	lever_sample_from_wire(d, w, s->now_ns);
	s->last = d;
	s->samples++;
	lever_squeue_add(&s->q, slot, le32toh(w->seq));
}

/* Takes what the board made: the gate sees it, then the caller does. */
static void lever_sim_collect(struct lever_sim *s)
{
	const struct lever_wire_sample *w;

	/* lent by the board until it steps again: read in place */
	while ((w = board_take_sample(s->board))) {
		if (s->disconnected || s->stalled)
			continue;	/* lost on the way */
		lever_gate_observe(&s->gate, le16toh(w->lines),
				   le32toh(w->faults),
				   le32toh(w->pressure_setpoint_pa),
				   (int16_t)le16toh(
					w->incline_setpoint_centi_pct),
				   s->now_ns);
		lever_sim_queue(s, w);
	}
}

/* Out of line: a button is held for a few samples in a session, if ever. */
static __attribute__((noinline)) void
lever_sim_release_buttons_now(struct lever_sim *s)
{
	unsigned int i;

	for (i = 0; i < LEVER_ARRAY_SIZE(s->button_release_ns); i++) {
		if (s->button_release_ns[i] &&
		    s->button_release_ns[i] <= s->now_ns) {
			board_set_button(s->board, 1u << i, false);
			s->button_release_ns[i] = 0;
			s->buttons_held &= ~(1u << i);
		}
	}
}

static inline void lever_sim_release_buttons(struct lever_sim *s)
{
	/* every sample: nothing to look at while no button is held */
	if (s->buttons_held)
		lever_sim_release_buttons_now(s);
}

/*
 * Advances board, plant and gate by @ns in slices that end at each sample
 * time, so the gate observes and ticks once per sample as in the driver.
 */
static int lever_sim_advance(struct lever_sim *s, uint64_t ns)
{
	uint64_t end = s->now_ns + ns;

	while (s->now_ns < end) {
		uint64_t next = board_next_sample_ns(s->board);
		uint64_t dt;
		int ret;

		/* board time and the virtual clock are the same time */
		if (next <= s->now_ns)
			next = s->now_ns + board_sample_period_ns(s->board);
		dt = (next < end ? next : end) - s->now_ns;
		ret = board_step(s->board, dt);
		if (ret)
			return ret;
		s->now_ns += dt;
		lever_sim_collect(s);
		lever_sim_release_buttons(s);
		lever_sim_tick(s);
	}
	lever_sim_sync_evfd(s);
	return 0;
}

/*
 * speed>0: brings the virtual clock up to real time x speed. A machine
 * that cannot simulate that fast must not fall ever further behind (a
 * reader draining samples would never see -EAGAIN): when a catch-up took
 * longer than its virtual time divided by the speed, or hit the cap, the
 * time spent simulating is not owed and the clock slips (runs slower than
 * asked), as a real board drops frames rather than bursting.
 */
#define LEVER_SIM_MAX_CATCH_UP_NS	1000000000ull
static int lever_sim_follow_real_time_now(struct lever_sim *s)
{
	uint64_t mono, target, dv, spent_ns;
	int ret;

	mono = lever_sim_mono_ns();
	target = s->base_virtual_ns + (mono - s->base_mono_ns) * s->speed;
	if (target <= s->now_ns)
		return 0;
	if (s->lockstep) {
		uint64_t next = board_next_sample_ns(s->board);

		/*
		 * pace=lockstep: the clock waits for the caller. It moves
		 * on to the next sample only once the caller has taken
		 * every queued one and that sample is due in paced real
		 * time, so a caller preempted on a busy machine slows the
		 * simulation down instead of missing its own watchdog.
		 */
		if (s->q.count || target < next)
			return 0;
		ret = lever_sim_advance(s, next - s->now_ns);
		if (target - s->now_ns > LEVER_SIM_MAX_CATCH_UP_NS / 10) {
			/* far behind: slip rather than burst */
			s->base_virtual_ns = s->now_ns;
			s->base_mono_ns = mono;
		}
		return ret;
	}
	dv = target - s->now_ns;
	if (dv > LEVER_SIM_MAX_CATCH_UP_NS)
		dv = LEVER_SIM_MAX_CATCH_UP_NS;
	ret = lever_sim_advance(s, dv);
	spent_ns = lever_sim_mono_ns() - mono;
	if (dv == LEVER_SIM_MAX_CATCH_UP_NS || spent_ns * s->speed >= dv) {
		s->base_virtual_ns = s->now_ns;
		s->base_mono_ns = mono + spent_ns;
	}
	return ret;
}

/* Stepped (speed=0), the clock moves only by lever_sim_step(): no call. */
static inline int lever_sim_follow_real_time(struct lever_sim *s)
{
	return s->speed ? lever_sim_follow_real_time_now(s) : 0;
}

/* Every call but lever_dev_try_read_sample() catches up through here. */
static int lever_sim_catch_up(struct lever_sim *s)
{
	s->try_caught_up = false;
	return lever_sim_follow_real_time(s);
}

static int lever_sim_enter(struct lever_sim *s)
{
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	return s->link_down ? -ENODEV : 0;
}

static int lever_sim_info(struct lever_dev *dev, struct lever_dev_info *info)
{
	struct lever_sim *s = to_sim(dev);
	struct lever_wire_identity id;
	struct lever_wire_limits lim;
	__le32 wd;
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	if (board_control(s->board, LEVER_REQ_GET_IDENTITY, 0, &id,
			  sizeof(id)) != sizeof(id) ||
	    board_control(s->board, LEVER_REQ_GET_LIMITS, 0, &lim,
			  sizeof(lim)) != sizeof(lim) ||
	    board_control(s->board, LEVER_REQ_GET_WATCHDOG, 0, &wd,
			  sizeof(wd)) != sizeof(wd))
		return -EIO;
	memset(info, 0, sizeof(*info));
	memcpy(info->serial, id.serial, LEVER_SERIAL_LEN);
	info->fw_major = id.fw_major;
	info->fw_minor = id.fw_minor;
	info->fw_patch = id.fw_patch;
	info->protocol_version = (uint8_t)le16toh(id.protocol_version);
	info->transport = LEVER_DEV_TRANSPORT_SIM;
	lever_strlcpy(info->node, "sim:", sizeof(info->node));
	info->sample_rate_hz = le32toh(id.sample_rate_hz);
	info->max_support_pressure_pa = le32toh(lim.max_support_pressure_pa);
	info->max_support_force_mn = (int32_t)le32toh(lim.max_support_force_mn);
	info->max_belt_speed_mm_s = (int32_t)le32toh(lim.max_belt_speed_mm_s);
	info->max_belt_accel_mm_s2 = s->gate.lim.max_belt_accel_mm_s2;
	info->stop_decel_mm_s2 = s->gate.lim.stop_decel_mm_s2;
	info->incline_min_centi_pct =
		(int16_t)le16toh(lim.incline_min_centi_pct);
	info->incline_max_centi_pct =
		(int16_t)le16toh(lim.incline_max_centi_pct);
	info->force_per_pressure_un_pa = le32toh(lim.force_per_pressure_un_pa);
	info->max_pressure_slew_pa_s = s->gate.lim.max_pressure_slew_pa_s;
	info->board_watchdog_ms = le32toh(wd);
	info->watchdog_ms = s->armed_by_us ? s->gate.watchdog_ms :
			    s->watchdog_ms;
	return 0;
}

static int lever_sim_arm(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	ret = lever_gate_arm(&s->gate, s->watchdog_ms, s->now_ns);
	if (ret)
		return ret;
	s->armed_by_us = true;
	lever_sim_tick(s);
	return 0;
}

static int lever_sim_disarm(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	if (!s->armed_by_us)
		return 0;	/* as the driver: nothing armed, nothing to do */
	lever_gate_stop(&s->gate, s->now_ns);
	s->armed_by_us = false;
	lever_sim_tick(s);
	return 0;
}

static int lever_sim_command(struct lever_dev *dev,
			     const struct lever_dev_command *cmd)
{
	struct lever_sim *s = to_sim(dev);
	struct lever_gate_cmd gc;
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	memset(&gc, 0, sizeof(gc));
	gc.support_pressure_pa = cmd->support_pressure_pa;
	gc.belt_speed_mm_s = cmd->belt_speed_mm_s;
	gc.incline_centi_pct = cmd->incline_centi_pct;
	ret = lever_gate_command(&s->gate, &gc, s->now_ns, NULL);
	if (ret)
		return ret;
	lever_sim_tick(s);
	return 0;
}

static int lever_sim_stop(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	lever_gate_stop(&s->gate, s->now_ns);
	lever_sim_tick(s);
	return 0;
}

static int lever_sim_set_watchdog(struct lever_dev *dev, uint32_t period_ms)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	/* as the driver: the file keeps the period even if refused */
	s->watchdog_ms = period_ms;
	if (s->armed_by_us &&
	    lever_gate_state(&s->gate) == LEVER_GATE_ARMED) {
		ret = lever_gate_set_watchdog(&s->gate, period_ms, s->now_ns);
		lever_sim_tick(s);
	}
	return ret;
}

static int lever_sim_status(struct lever_dev *dev, struct lever_dev_status *st)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);

	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->last = *s->last;
	/* the queue's accounting, not the board's sample */
	st->last.lost = 0;
	st->last.flags = 0;
	st->state = lever_gate_state(&s->gate);
	st->faults = lever_gate_faults(&s->gate);
	st->samples = s->samples;
	st->dropped = s->q.dropped;
	st->fault_count = s->gate.fault_count;
	st->watchdog_trips = s->gate.watchdog_trips;
	st->commands = s->commands;
	st->clamped = s->gate.clamped;
	/* as the driver: the controller holds the gate until the stop ends */
	st->controller_pid = s->armed_by_us &&
			     (st->state == LEVER_GATE_ARMED ||
			      st->state == LEVER_GATE_STOPPING) ?
			     (uint32_t)getpid() : 0;
	return 0;
}

static int lever_sim_reset_faults(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_enter(s);
	uint32_t state;

	if (ret)
		return ret;
	/*
	 * As the driver: -EBUSY while a controller holds the gate (armed or
	 * stopping), before the board is asked anything; then the board's
	 * latched faults, if its last sample showed any, by its control
	 * request (refused, -EBUSY, while a line is active or the belt
	 * moves); then the gate's.
	 */
	state = lever_gate_state(&s->gate);
	if (state == LEVER_GATE_ARMED || state == LEVER_GATE_STOPPING)
		return -EBUSY;
	if (s->last->board_faults) {
		/*
		 * reset_ms: a board that answers late, as lever.ko meets it
		 * (its control transfer and the wait for a fresh sample take
		 * up to 1.5 s). Real time only: at speed=0 calls take none.
		 */
		if (s->speed && s->reset_ms) {
			struct timespec ts = {
				.tv_sec = s->reset_ms / 1000,
				.tv_nsec = (long)(s->reset_ms % 1000) * 1000000,
			};

			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		}
		ret = board_control(s->board, LEVER_REQ_RESET_FAULTS, 0,
				    NULL, 0);
		if (ret < 0)
			return ret;
	}
	ret = lever_gate_reset_faults(&s->gate);
	if (ret)
		return ret;
	s->armed_by_us = false;
	return 0;
}

/* Inline: once a sample, on the control loop's path. */
static inline __attribute__((always_inline)) void
lever_sim_pop(struct lever_sim *s, struct lever_dev_sample *out)
{
	lever_squeue_pop(&s->q, out);
	lever_sim_sync_evfd(s);
}

/* speed>0: sleeps until the virtual clock reaches @virtual_ns. */
static int lever_sim_sleep_until(struct lever_sim *s, uint64_t virtual_ns)
{
	uint64_t mono = s->base_mono_ns +
			(virtual_ns - s->base_virtual_ns) / s->speed;
	struct timespec ts = {
		.tv_sec = (time_t)(mono / 1000000000ull),
		.tv_nsec = (long)(mono % 1000000000ull),
	};
	int ret;

	ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	return ret ? -ret : 0;
}

static void lever_sim_clear_timer(struct lever_sim *s)
{
	uint64_t expirations;

	if (s->tfd >= 0 &&
	    read(s->tfd, &expirations, sizeof(expirations)) < 0)
		errno = 0;	/* EAGAIN: not expired, nothing to clear */
}

/* lever_sim_try_read() once caught up, or with no catching up to do. */
static inline int lever_sim_try_read_queued(struct lever_sim *s,
					    struct lever_dev_sample *out)
{
	if (s->link_down)
		return -ENODEV;
	if (!s->q.count) {
		s->try_caught_up = false;
		return -EAGAIN;
	}
	lever_sim_pop(s, out);
	return 0;
}

/*
 * speed>0 with nothing queued: the catch-up first. Out of line: at
 * speed=0 (leverd's deterministic mode) a try-read never catches up, and
 * without it here its path needs no stack frame.
 */
static __attribute__((noinline)) int
lever_sim_try_read_catching_up(struct lever_sim *s,
			       struct lever_dev_sample *out)
{
	int ret;

	lever_sim_clear_timer(s);
	ret = lever_sim_follow_real_time(s);
	if (ret)
		return ret;
	s->try_caught_up = true;
	return lever_sim_try_read_queued(s, out);
}

/*
 * Non-blocking: catches up only when nothing is queued, and at most once
 * between two -EAGAIN returns or calls of any other function. A loop that
 * drains "until -EAGAIN" therefore always ends, however slow the machine
 * (or however preempted the caller) is for speed=N; a control loop, which
 * commands every cycle, gets a catch-up in every cycle.
 */
static inline __attribute__((always_inline)) int
lever_sim_try_read(struct lever_sim *s, struct lever_dev_sample *out)
{
	if (!s->q.count && s->speed && !s->try_caught_up)
		return lever_sim_try_read_catching_up(s, out);
	return lever_sim_try_read_queued(s, out);
}

/* Out of line: a try-read, twice a cycle, needs none of its registers. */
static __attribute__((noinline)) int
lever_sim_read_blocking(struct lever_sim *s, struct lever_dev_sample *out)
{
	uint64_t limit;
	int ret;

	ret = lever_sim_enter(s);
	if (ret)
		return ret;
	lever_sim_clear_timer(s);
	limit = s->now_ns + LEVER_SIM_READ_LIMIT_NS;
	while (!s->q.count) {
		if (s->speed) {
			ret = lever_sim_sleep_until(s,
					board_next_sample_ns(s->board));
			if (!ret)
				ret = lever_sim_enter(s);
		} else {
			if (s->now_ns >= limit)
				return -ETIMEDOUT;
			ret = lever_sim_advance(s,
				board_next_sample_ns(s->board) - s->now_ns);
			if (!ret && s->link_down)
				ret = -ENODEV;
		}
		if (ret)
			return ret;
	}
	lever_sim_pop(s, out);
	return 0;
}

static int lever_sim_read_sample(struct lever_dev *dev,
				 struct lever_dev_sample *out, bool block)
{
	struct lever_sim *s = to_sim(dev);

	if (!block)
		return lever_sim_try_read(s, out);
	return lever_sim_read_blocking(s, out);
}

static int lever_sim_fd(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);

	/*
	 * A stepped caller that never polls (leverd's deterministic mode)
	 * pays no eventfd syscalls per sample; one that asks for the fd
	 * gets it in step from now on.
	 */
	if (!s->fd_wanted) {
		s->fd_wanted = true;
		/* speed is set once, at open */
		s->evfd_synced = !s->speed;
		lever_sim_sync_evfd(s);
	}
	return s->epfd;
}

/*
 * After a disconnect the handle's fd reports POLLHUP and POLLERR, as
 * /dev/leverN does after an unplug, instead of staying readable: its
 * number now holds a socket whose peer closed with data unread
 * (ECONNRESET pending, both directions shut). Pollers that kept the number
 * see the change; nobody reads the fd, so the error stays pending.
 */
static int lever_sim_hang_up(struct lever_sim *s)
{
	int sv[2], ret = 0;
	char c = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (write(sv[0], &c, 1) != 1 ||
	    dup3(sv[0], s->epfd, O_CLOEXEC) < 0)
		ret = -errno;
	close(sv[1]);
	close(sv[0]);
	return ret;
}

/* After a reopen: a fresh epoll fd under the same number. */
static int lever_sim_new_epoll(struct lever_sim *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = epoll_create1(EPOLL_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (epoll_ctl(fd, EPOLL_CTL_ADD, s->evfd, &ev) ||
	    (s->tfd >= 0 && epoll_ctl(fd, EPOLL_CTL_ADD, s->tfd, &ev)) ||
	    dup3(fd, s->epfd, O_CLOEXEC) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static uint32_t lever_sim_rate_hz(struct lever_sim *s)
{
	return (uint32_t)(1000000000ull / board_sample_period_ns(s->board));
}

static int lever_sim_reopen(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	if (s->disconnected)
		return -ENODEV;
	if (!s->link_down)
		return 0;
	/* A replugged board is a new device to the driver: fresh gate. */
	lever_gate_init(&s->gate, &s->gate.lim);
	lever_gate_set_sample_rate(&s->gate, lever_sim_rate_hz(s), s->now_ns);
	s->armed_by_us = false;
	s->link_down = false;
	lever_squeue_restart(&s->q);
	ret = lever_sim_new_epoll(s);
	if (ret)
		return ret;
	lever_sim_sync_evfd(s);
	return 0;
}

static void lever_sim_close(struct lever_dev *dev)
{
	struct lever_sim *s = to_sim(dev);

	if (s->armed_by_us)
		lever_gate_release(&s->gate, s->now_ns);
	if (s->board)
		board_free(s->board);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->evfd >= 0)
		close(s->evfd);
	if (s->tfd >= 0)
		close(s->tfd);
	free(s);
}

static int lever_sim_do_step(struct lever_dev *dev, uint64_t ns)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	s->base_virtual_ns += ns;	/* keeps the real-time link */
	return lever_sim_advance(s, ns);
}

/*
 * lever_sim_step_read(): the try-read, the step and the try-read again
 * that lever_dev_try_read_sample(), lever_sim_step() and
 * lever_dev_try_read_sample() would make, without their three calls
 * through the ops table (a stepped control loop's every period).
 */
static int lever_sim_do_step_read(struct lever_dev *dev, uint64_t ns,
				  struct lever_dev_sample *out)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_try_read(s, out);

	if (ret != -EAGAIN)
		return ret;
	ret = lever_sim_do_step(dev, ns);
	if (ret)
		return ret;
	return lever_sim_try_read(s, out);
}

static int lever_sim_do_now(struct lever_dev *dev, uint64_t *now_ns)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	*now_ns = s->now_ns;
	return 0;
}

static int lever_sim_do_truth(struct lever_dev *dev,
			     struct lever_sim_truth *t)
{
	struct lever_sim *s = to_sim(dev);
	struct board_status bs;
	struct plant_state ps;
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	plant_get_state(board_plant(s->board), &ps);
	board_get_status(s->board, &bs);
	memset(t, 0, sizeof(*t));
	t->now_ns = s->now_ns;
	t->support_pressure_pa = ps.support_pressure_pa;
	t->support_force_n = ps.support_force_n;
	t->belt_speed_mm_s = ps.belt_speed_mm_s;
	t->runner_mass_kg = ps.runner_mass_kg;
	t->pressure_setpoint_pa = bs.pressure_setpoint_pa;
	return 0;
}

static int lever_sim_do_inject(struct lever_dev *dev, unsigned int fault,
			       int on)
{
	static const int plant_fault[] = {
		[LEVER_SIM_FAULT_PRESSURE_SENSOR] = PLANT_FAULT_PRESSURE_STUCK,
		[LEVER_SIM_FAULT_FORCE_SENSOR] = PLANT_FAULT_FORCE_STUCK,
		[LEVER_SIM_FAULT_VALVE] = PLANT_FAULT_VALVE_STUCK,
		[LEVER_SIM_FAULT_BELT_DRIVE] = PLANT_FAULT_BELT_OVERSPEED,
		[LEVER_SIM_FAULT_DISCONNECT] = -1,
		[LEVER_SIM_FAULT_STALL] = -1,
		[LEVER_SIM_FAULT_PRESSURE_NOISE] = PLANT_FAULT_PRESSURE_NOISE,
		[LEVER_SIM_FAULT_FORCE_NOISE] = PLANT_FAULT_FORCE_NOISE,
		[LEVER_SIM_FAULT_DROP_FRAMES] = PLANT_FAULT_DROP_FRAMES,
		[LEVER_SIM_FAULT_DELAY_FRAMES] = PLANT_FAULT_DELAY_FRAMES,
	};
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	if (fault >= LEVER_ARRAY_SIZE(plant_fault))
		return -EINVAL;
	if (fault == LEVER_SIM_FAULT_DISCONNECT) {
		if (on && !s->disconnected) {
			/* what the driver does when the board goes away */
			lever_gate_io_fault(&s->gate, s->now_ns);
			s->link_down = true;
			s->armed_by_us = false;
			/* wake pollers with POLLHUP; reads see -ENODEV */
			ret = lever_sim_hang_up(s);
			if (ret)
				return ret;
		}
		s->disconnected = on;
		return 0;
	}
	if (fault == LEVER_SIM_FAULT_STALL) {
		s->stalled = on;
		return 0;
	}
	return board_set_fault(s->board, (enum plant_fault)plant_fault[fault],
			       on != 0);
}

static int lever_sim_do_set_line(struct lever_dev *dev, unsigned int line,
				 int active)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	return ret ? ret : board_set_line(s->board, line, active != 0);
}

static int lever_sim_do_press_button(struct lever_dev *dev,
				     unsigned int button, uint32_t hold_ms)
{
	struct lever_sim *s = to_sim(dev);
	unsigned int i = (unsigned int)__builtin_ctz(button);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	ret = board_set_button(s->board, button, true);
	if (ret)
		return ret;
	s->button_release_ns[i] = s->now_ns + (uint64_t)hold_ms * 1000000ull;
	s->buttons_held |= 1u << i;
	return 0;
}

static int lever_sim_do_set_runner(struct lever_dev *dev,
				   uint32_t body_mass_g, uint32_t cadence_spm)
{
	struct lever_sim *s = to_sim(dev);
	int ret = lever_sim_catch_up(s);

	if (ret)
		return ret;
	return board_set_runner(s->board, body_mass_g / 1000.0,
				cadence_spm / 60.0);
}

static const struct lever_ops lever_sim_ops = {
	.info = lever_sim_info,
	.arm = lever_sim_arm,
	.disarm = lever_sim_disarm,
	.command = lever_sim_command,
	.stop = lever_sim_stop,
	.set_watchdog = lever_sim_set_watchdog,
	.status = lever_sim_status,
	.reset_faults = lever_sim_reset_faults,
	.read_sample = lever_sim_read_sample,
	.fd = lever_sim_fd,
	.reopen = lever_sim_reopen,
	.close = lever_sim_close,
	.sim_step = lever_sim_do_step,
	.sim_step_read = lever_sim_do_step_read,
	.sim_now = lever_sim_do_now,
	.sim_truth = lever_sim_do_truth,
	.sim_inject = lever_sim_do_inject,
	.sim_set_line = lever_sim_do_set_line,
	.sim_press_button = lever_sim_do_press_button,
	.sim_set_runner = lever_sim_do_set_runner,
};

/*
 * "seed=42,speed=0,pace=real,serial=X,reset_ms=N" into @cfg and @s;
 * -EINVAL if malformed.
 */
static int lever_sim_parse(const char *opts, struct board_config *cfg,
			   struct lever_sim *s)
{
	char buf[256], *save = NULL, *tok;

	if (!lever_strlcpy(buf, opts, sizeof(buf)))
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '='), *end;
		unsigned long long v;

		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "serial")) {
			if (!*val || strlen(val) > LEVER_DEV_SERIAL_MAX)
				return -EINVAL;
			memset(cfg->serial, 0, sizeof(cfg->serial));
			memcpy(cfg->serial, val, strlen(val));
			continue;
		}
		if (!strcmp(tok, "pace")) {
			if (!strcmp(val, "lockstep"))
				s->lockstep = true;
			else if (!strcmp(val, "real"))
				s->lockstep = false;
			else
				return -EINVAL;
			continue;
		}
		if (*val < '0' || *val > '9')
			return -EINVAL;
		errno = 0;
		v = strtoull(val, &end, 10);
		if (*end || errno)
			return -EINVAL;
		if (!strcmp(tok, "seed")) {
			cfg->plant.seed = v;
		} else if (!strcmp(tok, "speed")) {
			if (v > 1000)
				return -EINVAL;
			s->speed = (unsigned int)v;
		} else if (!strcmp(tok, "reset_ms")) {
			if (v > 10000)
				return -EINVAL;
			s->reset_ms = (unsigned int)v;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int lever_sim_make_fds(struct lever_sim *s)
{
	struct epoll_event ev = { .events = EPOLLIN };

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->evfd < 0)
		return -errno;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &ev))
		return -errno;
	if (s->speed) {
		uint64_t period = board_sample_period_ns(s->board) / s->speed;
		struct itimerspec its = {
			.it_interval.tv_nsec = (long)(period ? period : 1),
			.it_value.tv_nsec = (long)(period ? period : 1),
		};

		s->tfd = timerfd_create(CLOCK_MONOTONIC,
					TFD_NONBLOCK | TFD_CLOEXEC);
		if (s->tfd < 0)
			return -errno;
		if (timerfd_settime(s->tfd, 0, &its, NULL) ||
		    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->tfd, &ev))
			return -errno;
	}
	return 0;
}

int lever_sim_open(const char *opts, unsigned int flags,
		   struct lever_dev **out)
{
	struct lever_wire_limits wl;
	struct lever_gate_limits gl;
	struct board_config cfg;
	struct lever_sim *s;
	int ret;

	board_default_config(&cfg);
	cfg.plant.seed = 1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	lever_squeue_init(&s->q, s->ring, LEVER_SIM_RING);
	s->last = &s->spare;	/* all zero until the first sample */
	ret = lever_sim_parse(opts, &cfg, s);
	if (ret) {
		free(s);
		return ret;
	}
	s->base.ops = &lever_sim_ops;
	s->base.flags = flags;
	s->epfd = s->evfd = s->tfd = -1;
	s->watchdog_ms = LEVER_GATE_WATCHDOG_DEF_MS;
	ret = board_new(&cfg, &s->board);
	if (ret)
		goto err;
	/* The gate gets the limits the board reports, as the driver does. */
	if (board_control(s->board, LEVER_REQ_GET_LIMITS, 0, &wl,
			  sizeof(wl)) != sizeof(wl)) {
		ret = -EIO;
		goto err;
	}
	lever_limits_from_wire(&gl, &wl);
	ret = lever_gate_check_limits(&gl);
	if (ret)
		goto err;
	lever_gate_init(&s->gate, &gl);
	/* as the driver at probe: the stream starts now */
	ret = lever_gate_set_sample_rate(&s->gate, lever_sim_rate_hz(s),
					 s->now_ns);
	if (ret)
		goto err;
	ret = lever_sim_make_fds(s);
	if (ret)
		goto err;
	s->base_mono_ns = lever_sim_mono_ns();
	*out = &s->base;
	return 0;
err:
	lever_sim_close(&s->base);
	return ret;
}
