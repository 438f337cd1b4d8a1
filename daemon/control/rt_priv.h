/* SPDX-License-Identifier: MIT */
/*
 * rt_priv.h - the RT side's state, shared by its two files: rt.c (the
 * cycle, on the RT thread) and rt_thread.c (set-up, the thread, and the
 * event loop's side of the channels). Nothing outside daemon/control/
 * includes it.
 */
#ifndef LEVERD_RT_PRIV_H
#define LEVERD_RT_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "rt.h"

/*
 * glibc carves a thread's static TLS out of its stack; ThreadSanitizer's
 * is about 770 KiB, more than the whole stack (make check SAN=thread).
 */
#if defined(__SANITIZE_THREAD__)
#define RT_STACK_BYTES		(512 * 1024 + 2 * 1024 * 1024)
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RT_STACK_BYTES		(512 * 1024 + 2 * 1024 * 1024)
#endif
#endif
#ifndef RT_STACK_BYTES
#define RT_STACK_BYTES		(512 * 1024)
#endif
#define RT_PREFAULT_BYTES	(256 * 1024)
#define CADENCE_SPM		168	/* sim runner, ~2.8 steps/s */
/* a lost board is looked for again this often */
#define REOPEN_EVERY_NS		500000000ull
/* samples dropped at a reset, at most (the device's queue) */
#define RT_DRAIN_MAX		4096
/* after a reset, samples still showing a cleared e-stop are old ones */
#define RT_RESET_SETTLE_NS	200000000ull

struct rt {
	struct leverd_cfg cfg;
	struct lever_dev *dev;
	struct lever_dev_info info;
	struct loop *loop;
	struct ring *to_rt, *inputs, *events, *trace;
	bool stepped, is_sim, armed, have_seq;
	bool link_lost;			/* -ENODEV seen; waiting for reopen */
	bool lent;			/* the event loop resets the device */
	bool restart_stale;		/* it is back: see rt_reset_done() */
	bool loop_told_armed;		/* last loop_commanding(); both false
					 * at start (calloc, loop_new()) */
	uint64_t settle_until_ns;	/* after a reset, see rt_reset() */
	uint64_t last_now_ns;
	uint64_t period_ns;		/* cfg.period_us * 1000ull, formed once */
	uint64_t next_reopen_ns;
	uint32_t last_seq;
	int prio;
	pthread_t thread;
	bool started;
	_Atomic bool quit;
	/* seqlock-published snapshot */
	_Atomic uint32_t snap_seq;
	struct rt_snapshot snap;
	/*
	 * Stepped with no thread, the reader is the thread that runs the
	 * cycles: it publishes what it reads when it reads it, not every
	 * cycle (rt_snapshot()).
	 */
	bool snap_stale;
	/* counters (RT side) */
	uint64_t cycles, overruns, late, missed, io_errors;
	int64_t clock_offset_ns;	/* CLOCK_MONOTONIC - sample clock */
	uint64_t woke_ns;		/* when the thread last woke */
	uint64_t next_tick_ns;		/* sim: next wake-up, monotonic */
	unsigned int sim_speed;
	uint64_t *hist;			/* RT_HIST_US + 1 bins */
	_Atomic uint64_t hist_n;
	/* sim: runner and seeded fault injection */
	uint32_t runner_mass_g;
	uint64_t rng, next_fault_ns, fault_off_ns;
	unsigned int fault_kind;
	/*
	 * The first virtual time rt_sim_faults() has anything to do at,
	 * from the four above (UINT64_MAX: injection off): one test a cycle.
	 */
	uint64_t fault_due_ns;
};

/* Publishes the snapshot now (rt.c). */
void rt_publish(struct rt *rt);

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif /* LEVERD_RT_PRIV_H */
