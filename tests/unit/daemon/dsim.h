/* SPDX-License-Identifier: MIT */
/*
 * dsim.h - deterministic simulation of leverd's control cycle against the
 * test plant: a seeded mixed walk/run session with seeded faults, the
 * safety invariants checked on every cycle, and a trace hash. Shared by
 * the dsim unit test and the benchmarks.
 */
#ifndef LEVERD_DSIM_H
#define LEVERD_DSIM_H

#include <stdint.h>

struct dsim_result {
	uint64_t trace_hash;	/* FNV-1a over every cycle's outputs */
	uint64_t cycles;
	unsigned int faults_injected;
	unsigned int restarts;	/* new starts after a safe state */
	unsigned int violations;
	char first_violation[256];
};

/* Runs @minutes of simulated session for @seed; 0 or -errno. */
int dsim_run(uint64_t seed, double minutes, int inject_faults,
	     struct dsim_result *res);

#endif /* LEVERD_DSIM_H */
