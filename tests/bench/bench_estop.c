// SPDX-License-Identifier: MIT
/*
 * bench_estop.c - e-stop edge to leverd's safe state, beside the 2 ms
 * bound of safety.rst ("e-stop or fault edge -> daemon in safe state"):
 *
 *  - on the sim transport in virtual time: the board's e-stop line goes
 *    active at a random phase of the sample period; the latency is the
 *    board time from the edge to the first cycle whose state is safe;
 *  - on the host RT thread (SCHED_FIFO, as root): a GPIO e-stop edge, as
 *    the safety inputs thread hands it over (rt_post_input()), to the
 *    snapshot showing the safe state, in CLOCK_MONOTONIC.
 *
 * Prints `bench: NAME VALUE UNIT` lines, p99 of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/rt.h"

#define TRIALS_VIRTUAL	400
#define TRIALS_HOST	100
#define BOUND_US	2000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t p99(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n * 99 + 99) / 100 - 1];
}

static void post_run(struct rt *rt)
{
	struct rt_msg m = { .type = RT_MSG_TARGETS };

	m.targets.generation = 1;
	m.targets.run = SESS_RUN;
	m.targets.belt_speed_mm_s = 2778;
	m.targets.bw_carried_pct_x100 = 8000;
	m.targets.mass_kg = 70;
	rt_post(rt, &m);
}

/* One trial on virtual time; the latency in ns, or 0 on a set-up error. */
static uint64_t trial_virtual(const struct leverd_cfg *cfg, int k)
{
	struct lever_dev *dev;
	struct rt_snapshot s;
	struct rt *rt;
	char spec[64];
	uint64_t t0, lat = 0;
	int i;

	snprintf(spec, sizeof(spec), "sim:seed=%d,speed=0", k + 1);
	if (lever_dev_open(spec, &dev))
		return 0;
	if (rt_new(cfg, dev, true, &rt)) {
		lever_dev_close(dev);
		return 0;
	}
	post_run(rt);
	for (i = 0; i < 2000; i++)
		rt_cycle(rt);
	/* the edge at a random phase of the period */
	lever_sim_step(dev, (uint64_t)(rand() % (cfg->period_us * 1000)));
	lever_sim_now(dev, &t0);
	lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1);
	for (i = 0; i < 100; i++) {
		rt_cycle(rt);
		rt_snapshot(rt, &s);
		if (s.st.safe_state) {
			lat = s.st.now_ns - t0;
			break;
		}
	}
	rt_free(rt);
	lever_dev_close(dev);
	return lat;
}

/* One trial on the host's RT thread; ns, or 0 when it cannot run. */
static uint64_t trial_host(const struct leverd_cfg *cfg)
{
	struct rt_msg m = { .type = RT_MSG_EXTERNAL };
	struct lever_dev *dev;
	struct rt_snapshot s;
	struct rt *rt;
	char err[256];
	uint64_t t0, lat = 0;

	if (lever_dev_open("sim:seed=3,speed=1", &dev))
		return 0;
	if (rt_new(cfg, dev, false, &rt) || rt_start(rt, err, sizeof(err))) {
		lever_dev_close(dev);
		return 0;
	}
	post_run(rt);
	usleep(50000 + rand() % 1000);
	m.lines = LEVER_DEV_LINE_ESTOP;
	t0 = mono_ns();
	rt_post_input(rt, &m);
	do {
		rt_snapshot(rt, &s);
	} while (!s.st.safe_state && mono_ns() - t0 < 1000000000ull);
	if (s.st.safe_state)
		lat = mono_ns() - t0;
	rt_stop(rt);
	rt_free(rt);
	lever_dev_close(dev);
	return lat;
}

int main(void)
{
	static uint64_t v[TRIALS_VIRTUAL], h[TRIALS_HOST];
	struct leverd_cfg cfg;
	int i, n = 0;

	srand(1);
	cfg_defaults(&cfg);
	for (i = 0; i < TRIALS_VIRTUAL; i++) {
		v[i] = trial_virtual(&cfg, i);
		if (!v[i]) {
			fprintf(stderr, "bench_estop: sim trial %d failed\n", i);
			return 1;
		}
	}
	printf("bench: estop_edge_to_safe_state_us_sim %llu us (p99 of %d, virtual time; bound %d)\n",
	       (unsigned long long)(p99(v, TRIALS_VIRTUAL) / 1000),
	       TRIALS_VIRTUAL, BOUND_US);
	if (geteuid() != 0) {
		printf("bench: estop_edge_to_safe_state_us_host - (needs root for SCHED_FIFO)\n");
		return 0;
	}
	cfg.speed_factor = 1;
	for (i = 0; i < TRIALS_HOST; i++) {
		h[n] = trial_host(&cfg);
		n += h[n] != 0;
	}
	if (!n) {
		printf("bench: estop_edge_to_safe_state_us_host - (RT thread did not start)\n");
		return 0;
	}
	printf("bench: estop_edge_to_safe_state_us_host %llu us (p99 of %d, GPIO edge on the SCHED_FIFO thread; bound %d)\n",
	       (unsigned long long)(p99(h, n) / 1000), n, BOUND_US);
	return 0;
}
