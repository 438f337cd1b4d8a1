/* SPDX-License-Identifier: MIT */
/*
 * sessions.h - finished sessions written straight into a scratch store
 * through its API (as leverd would have recorded them), for the export
 * tests: a warm-up, a run, a walk and a cool-down at known speeds and
 * support, with a pause, a pain stop or a fault stop.
 */
#ifndef LEVER_TEST_EXPORT_SESSIONS_H
#define LEVER_TEST_EXPORT_SESSIONS_H

#include <stdint.h>

#include "export.h"
#include "store.h"

enum scenario {
	SC_PAUSE,	/* all four steps, paused 30 s in the run */
	SC_PAIN,	/* pain stop in the run, 150 s in */
	SC_FAULT,	/* fault stop in the walk, 200 s in */
	SC_RUNNING,	/* still running: no end */
};

#define SC_MASS_G		70000u
#define SC_START_S		1795000000	/* 2026-11-18, a Wednesday */
#define SC_BOARD		"SIM0001"

/* Writes an athlete (first call) and one session; returns its id. */
int64_t sc_record(struct store *st, enum scenario sc);

/* What the session should export as, from its own recorded trace. */
struct sc_expect {
	size_t laps;
	const char *intensity[4];	/* FIT names */
	uint32_t timer_ms;		/* session elapsed, pauses excluded */
	double distance_m;		/* sum of belt speed x 100 ms */
	double bw_pct[4];		/* each lap's target */
	int timer_events;		/* start/stop events in the file */
};

void sc_expect(enum scenario sc, struct sc_expect *e);

/* export_build() over the store's records of session @id. */
int sc_build(struct store *st, int64_t id, struct export_session *x,
	     struct store_trace_row **rows, char *msg, size_t len);

#endif
