// SPDX-License-Identifier: MIT
/*
 * rt_thread.c - the RT side's set-up and its thread: rt_new() allocates
 * everything the cycle will ever use, rt_start() starts the SCHED_FIFO
 * thread that runs rt_cycle() (rt.c), and the event loop's side of the
 * lock-free channels and the published snapshot live here.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ring.h"
#include "rt_priv.h"

int rt_new(const struct leverd_cfg *cfg, struct lever_dev *dev,
	   bool stepped, struct rt **out)
{
	struct rt *rt;
	int ret;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->cfg = *cfg;
	rt->period_ns = cfg->period_us * 1000ull;
	rt->dev = dev;
	rt->stepped = stepped;
	ret = lever_dev_info(dev, &rt->info);
	if (ret)
		goto err;
	rt->is_sim = rt->info.transport == LEVER_DEV_TRANSPORT_SIM;
	ret = loop_new(cfg, &rt->info, 0, &rt->loop);
	if (ret)
		goto err;
	ret = ring_new(sizeof(struct rt_msg), 256, &rt->to_rt);
	if (!ret)
		ret = ring_new(sizeof(struct rt_msg), 256, &rt->inputs);
	if (!ret)
		ret = ring_new(sizeof(struct rt_event), 1024, &rt->events);
	if (!ret)
		ret = ring_new(sizeof(struct rt_trace), 65536, &rt->trace);
	if (ret)
		goto err_rings;
	rt->hist = calloc(RT_HIST_US + 1, sizeof(*rt->hist));
	if (!rt->hist) {
		ret = -ENOMEM;
		goto err_rings;
	}
	/*
	 * Sample times are CLOCK_MONOTONIC on a device; on the sim they are
	 * its virtual clock, which at speed 1 runs with CLOCK_MONOTONIC from
	 * an offset taken here.
	 */
	if (rt->is_sim && !stepped) {
		uint64_t v = 0, m = mono_ns();

		lever_sim_now(dev, &v);
		rt->clock_offset_ns = (int64_t)(m - v);
	}
	rt->sim_speed = cfg->speed_factor >= 1 ?
			(unsigned int)cfg->speed_factor : 1;
	rt->rng = (uint64_t)cfg->seed * 0x2545f4914f6cdd1dull + 7;
	rt->next_fault_ns = UINT64_MAX;
	rt->fault_due_ns = rt->is_sim && cfg->sim_faults_per_min > 0 ?
			   0 : UINT64_MAX;
	*out = rt;
	return 0;
err_rings:
	ring_free(rt->trace);
	ring_free(rt->events);
	ring_free(rt->inputs);
	ring_free(rt->to_rt);
	loop_free(rt->loop);
err:
	free(rt);
	return ret;
}

void rt_free(struct rt *rt)
{
	if (!rt)
		return;
	rt_stop(rt);
	free(rt->hist);
	ring_free(rt->trace);
	ring_free(rt->events);
	ring_free(rt->inputs);
	ring_free(rt->to_rt);
	loop_free(rt->loop);
	free(rt);
}

/* A stepped loop's snapshot is published when first read, not per cycle. */
static void rt_snap_fresh(struct rt *rt)
{
	if (rt->snap_stale) {
		rt->snap_stale = false;
		rt_publish(rt);
	}
}

void rt_snapshot(struct rt *rt, struct rt_snapshot *snap)
{
	uint32_t a, b;

	rt_snap_fresh(rt);
	do {
		a = atomic_load_explicit(&rt->snap_seq, memory_order_acquire);
		memcpy(snap, &rt->snap, sizeof(*snap));
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&rt->snap_seq, memory_order_relaxed);
	} while ((a & 1) || a != b);
}

const struct rt_snapshot *rt_snapshot_stepped(struct rt *rt)
{
	rt_snap_fresh(rt);
	/* nobody writes it but rt_publish(), here or in rt_cycle() */
	return &rt->snap;
}

uint64_t rt_snapshot_now_ns(struct rt *rt)
{
	uint64_t now_ns;
	uint32_t a, b;

	rt_snap_fresh(rt);
	do {
		a = atomic_load_explicit(&rt->snap_seq, memory_order_acquire);
		now_ns = rt->snap.st.now_ns;
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&rt->snap_seq, memory_order_relaxed);
	} while ((a & 1) || a != b);
	return now_ns;
}

static void *rt_main(void *arg)
{
	struct rt *rt = arg;
	volatile unsigned char stack[RT_PREFAULT_BYTES];

	/* fault the stack in now, not in the middle of a cycle */
	memset((unsigned char *)stack, 0, sizeof(stack));
	while (!atomic_load_explicit(&rt->quit, memory_order_relaxed))
		rt_cycle(rt);
	return NULL;
}

int rt_clamp_priority(int want, char *err, size_t errlen)
{
	struct rlimit rl;
	int max = sched_get_priority_max(SCHED_FIFO);

	if (max > 0 && want > max)
		want = max;
	if (getrlimit(RLIMIT_RTPRIO, &rl) == 0 && geteuid() != 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)want > rl.rlim_cur) {
		if (rl.rlim_cur == 0) {
			snprintf(err, errlen,
				 "real-time scheduling not permitted: RLIMIT_RTPRIO is 0 (run as root, or set rtprio for the leverd user in limits.conf)");
			return -EPERM;
		}
		want = (int)rl.rlim_cur;
	}
	return want;
}

/* The loop's thread: SCHED_FIFO at @prio, or the caller's policy at 0. */
static int rt_spawn(struct rt *rt, int prio, char *err, size_t errlen)
{
	struct sched_param sp = { 0 };
	pthread_attr_t attr;
	cpu_set_t cpus;
	int ret;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, RT_STACK_BYTES);
	if (prio > 0) {
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		sp.sched_priority = prio;
		pthread_attr_setschedparam(&attr, &sp);
	}
	if (rt->cfg.cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(rt->cfg.cpu, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	ret = pthread_create(&rt->thread, &attr, rt_main, rt);
	pthread_attr_destroy(&attr);
	if (ret == EPERM) {
		snprintf(err, errlen,
			 "cannot start the RT thread with SCHED_FIFO priority %d: not permitted (needs root or CAP_SYS_NICE)",
			 prio);
		return -EPERM;
	}
	if (ret == EINVAL && rt->cfg.cpu >= 0) {
		snprintf(err, errlen, "cannot pin the RT thread to CPU %d",
			 rt->cfg.cpu);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen, "cannot start the RT thread: %s",
			 strerror(ret));
		return -ret;
	}
	rt->prio = prio;
	rt->started = true;
	return 0;
}

int rt_start(struct rt *rt, char *err, size_t errlen)
{
	int prio;

	prio = rt_clamp_priority(rt->cfg.rt_priority, err, errlen);
	if (prio < 0)
		return prio;
	return rt_spawn(rt, prio, err, errlen);
}

int rt_start_unscheduled(struct rt *rt, char *err, size_t errlen)
{
	return rt_spawn(rt, 0, err, errlen);
}

void rt_stop(struct rt *rt)
{
	if (!rt->started)
		return;
	atomic_store(&rt->quit, true);
	pthread_join(rt->thread, NULL);
	rt->started = false;
}

int rt_post(struct rt *rt, const struct rt_msg *msg)
{
	return ring_push(rt->to_rt, msg);
}

int rt_post_input(struct rt *rt, const struct rt_msg *msg)
{
	return ring_push(rt->inputs, msg);
}

int rt_next_event(struct rt *rt, struct rt_event *ev)
{
	return ring_pop(rt->events, ev);
}

unsigned int rt_next_traces(struct rt *rt, struct rt_trace *tr,
			    unsigned int max)
{
	return ring_pop_many(rt->trace, tr, max);
}

unsigned int rt_peek_traces(struct rt *rt, const struct rt_trace **tr,
			    unsigned int max)
{
	const void *recs;
	unsigned int n = ring_peek(rt->trace, &recs, max);

	*tr = recs;
	return n;
}

void rt_release_traces(struct rt *rt, unsigned int n)
{
	ring_release(rt->trace, n);
}

double rt_latency_quantile_us(struct rt *rt, double q)
{
	uint64_t n = atomic_load_explicit(&rt->hist_n, memory_order_acquire);
	uint64_t want, acc = 0;
	unsigned int i;

	if (!n)
		return -1;
	want = (uint64_t)ceil(q * n);
	for (i = 0; i <= RT_HIST_US; i++) {
		acc += rt->hist[i];
		if (acc >= want)
			return i;
	}
	return RT_HIST_US;
}

int rt_priority(const struct rt *rt)
{
	return rt->started ? rt->prio : 0;
}
