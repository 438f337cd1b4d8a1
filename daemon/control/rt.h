/* SPDX-License-Identifier: MIT */
/*
 * rt.h - leverd's real-time side: the thread (SCHED_FIFO, locked memory,
 * pre-faulted stack) that runs one control cycle per sample, and the
 * lock-free channels to the event loop and the recorder. The event loop
 * never touches the device or the loop state directly, only through here.
 */
#ifndef LEVERD_RT_H
#define LEVERD_RT_H

#include <stdbool.h>
#include <stdint.h>

#include <lever/lever.h>

#include "cfg.h"
#include "loop.h"

enum rt_msg_type {
	RT_MSG_TARGETS,		/* follow msg.targets */
	RT_MSG_EXTERNAL,	/* safety lines / pendant stop keys */
	RT_MSG_RESET,		/* operator reset after a latched fault */
	RT_MSG_RESET_DONE,	/* rt_reset_device() done: err, device back */
};

struct rt_msg {
	enum rt_msg_type type;
	struct sess_targets targets;
	unsigned int lines;	/* LEVER_DEV_LINE_* from the GPIO watch */
	unsigned int keys;	/* SUP_F_OPERATOR_STOP / SUP_F_PAIN */
	int err;		/* RT_MSG_RESET_DONE: the device's answer */
};

enum rt_event_type {
	RT_EV_FAULT,		/* safe state entered; bits = SUP_F_* */
	RT_EV_BUTTONS,		/* console buttons pressed; LEVER_DEV_BTN_* */
	RT_EV_RESET,		/* reset done (err 0) or refused (err < 0) */
	RT_EV_IO,		/* device call failed: err */
	RT_EV_SIM_FAULT,	/* sim fault injection: bits = fault, err = on */
	RT_EV_LINK,		/* bits 1: board lost (err), 0: back */
	RT_EV_START_REFUSED,	/* a new start met faults: bits = SUP_F_* */
	RT_EV_RESET_DEVICE,	/* device lent: call rt_reset_device() now */
};

struct rt_event {
	uint64_t now_ns;
	enum rt_event_type type;
	uint32_t bits;
	int32_t err;
};

/* One record per cycle for the recorder (and the trace hash). */
struct rt_trace {
	uint64_t now_ns;
	uint32_t seq;
	int32_t support_force_mn;
	uint32_t support_pressure_pa;
	int32_t belt_speed_mm_s;
	struct lever_dev_command cmd;
	uint32_t faults;
	uint32_t mode;
};

struct rt_snapshot {
	struct loop_status st;
	uint64_t cycles;
	uint64_t overruns;	/* cycles that took longer than a period */
	uint64_t late_wakeups;	/* woke more than half a period late */
	uint64_t missed_samples;/* sequence gaps */
	uint64_t io_errors;
	uint64_t trace_dropped;	/* recorder ring full */
	bool armed;
	bool link_lost;		/* the board is gone; looked for again */
};

#define RT_HIST_US	10000	/* wake-up latency histogram, 1 us bins */

struct rt;

/*
 * @dev is used only by the RT side after rt_new(). @stepped: the sim
 * transport with speed=0, driven by rt_cycle() from the caller's thread.
 */
int rt_new(const struct leverd_cfg *cfg, struct lever_dev *dev,
	   bool stepped, struct rt **out);
void rt_free(struct rt *rt);

/*
 * Starts the RT thread: SCHED_FIFO at cfg->rt_priority (clamped to what
 * the system allows), optional CPU affinity. Call after mlockall().
 * Returns 0, or -EPERM with @err naming what is missing.
 */
int rt_start(struct rt *rt, char *err, size_t errlen);
/*
 * The same thread at the caller's own scheduling, for the simulated board
 * only, when SCHED_FIFO is not allowed (make demo as an ordinary user):
 * the plant model does not need hard real time, the treadmill does.
 */
int rt_start_unscheduled(struct rt *rt, char *err, size_t errlen);
void rt_stop(struct rt *rt);

/* One cycle in the caller's thread (stepped mode, tests). */
void rt_cycle(struct rt *rt);

/* Event loop side. */
int rt_post(struct rt *rt, const struct rt_msg *msg);
/* The safety inputs thread's own channel (sin.h): lines and stop keys. */
int rt_post_input(struct rt *rt, const struct rt_msg *msg);
int rt_next_event(struct rt *rt, struct rt_event *ev);
/* Up to @max trace records, oldest first: how many (0: none waiting). */
unsigned int rt_next_traces(struct rt *rt, struct rt_trace *tr,
			    unsigned int max);
/*
 * The same records without their copy: up to @max of the oldest, where
 * the RT side wrote them (*@tr), how many (0: none waiting); they are the
 * caller's until rt_release_traces() of that many.
 */
unsigned int rt_peek_traces(struct rt *rt, const struct rt_trace **tr,
			    unsigned int max);
void rt_release_traces(struct rt *rt, unsigned int n);
/*
 * On RT_EV_RESET_DEVICE: the device's fault reset, which may wait on the
 * board (up to 1.5 s on lever.ko), made on the caller's thread while the
 * RT thread keeps its period without the device; then hands it back.
 * RT_EV_RESET follows with the whole reset's result.
 */
void rt_reset_device(struct rt *rt);
void rt_snapshot(struct rt *rt, struct rt_snapshot *snap);
/* rt_snapshot()'s st.now_ns alone, without the copy of the rest. */
uint64_t rt_snapshot_now_ns(struct rt *rt);
/*
 * Stepped only (no RT thread, rt_cycle() called by the caller): the
 * snapshot rt_snapshot() would copy, lent in place; valid until the next
 * rt_cycle().
 */
const struct rt_snapshot *rt_snapshot_stepped(struct rt *rt);
/* p-quantile (0..1) of wake-up latency, us; -1 before any sample. */
double rt_latency_quantile_us(struct rt *rt, double q);
/* The priority actually used after clamping, 0 if not real-time. */
int rt_priority(const struct rt *rt);

/* Clamps @want to the system's SCHED_FIFO maximum and RLIMIT_RTPRIO. */
int rt_clamp_priority(int want, char *err, size_t errlen);

#endif /* LEVERD_RT_H */
