// SPDX-License-Identifier: MIT
/*
 * bench.c - lever-simbench: how fast the board and plant model run on
 * this machine (simulated seconds per wall-clock second, cost of one
 * 1 ms board step). A benchmark, never a pass/fail test.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	const unsigned int steps = 60000;	/* one simulated minute */
	struct lever_wire_command c;
	struct lever_wire_sample s;
	struct board_config cfg;
	struct board *b;
	uint64_t *cost, t0, t1, start;
	unsigned int i;

	cost = calloc(steps, sizeof(*cost));
	board_default_config(&cfg);
	if (!cost || board_new(&cfg, &b)) {
		free(cost);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.version = LEVER_WIRE_VERSION;
	c.type = LEVER_FRAME_COMMAND;
	c.length = htole16(sizeof(c));
	c.support_pressure_pa = htole32(103000);
	c.belt_speed_mm_s = htole32(2778);
	c.flags = htole16(LEVER_CMD_RUN);
	start = now_ns();
	for (i = 0; i < steps; i++) {
		t0 = now_ns();
		if (i % 10 == 0) {
			c.seq = htole32(i);
			board_command(b, &c, sizeof(c));
		}
		board_step(b, 1000000);
		while (board_sample(b, &s) == 0)
			;
		t1 = now_ns();
		cost[i] = t1 - t0;
	}
	t1 = now_ns();
	qsort(cost, steps, sizeof(*cost), cmp_u64);
	printf("bench: sim_board_speedup %.0f x\n",
	       steps * 1e6 / (double)(t1 - start));
	printf("bench: sim_board_step_1ms_median %.2f us\n",
	       cost[steps / 2] / 1000.0);
	printf("bench: sim_board_step_1ms_p99 %.2f us\n",
	       cost[steps * 99 / 100] / 1000.0);
	board_free(b);
	free(cost);
	return 0;
}
