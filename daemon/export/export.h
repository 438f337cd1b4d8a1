/* SPDX-License-Identifier: MIT */
/*
 * export_: a finished session as the files a physiotherapist uploads (FIT
 * activity, TCX, CSV). export_build() turns the records leverd keeps (the
 * session row, its events, its steps and its 10 Hz trace) into one model
 * the encoders read; the encoders never look at the store. Nothing here
 * ever writes under the target name until the whole file is on disk.
 */
#ifndef LEVER_EXPORT_H
#define LEVER_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"
#include "../control/targets.h"

#define EXPORT_STANDARD_GRAVITY_M_S2	LEVERD_G_M_S2
#define EXPORT_ROW_MS			100	/* one trace row per 100 ms */
#define EXPORT_BELT_MAX_MM_S		10000	/* 36 km/h: beyond, corrupt */
/*
 * A stopped belt reads a few mm/s either side of zero; below this it ran
 * backwards, which it cannot: corrupt. Readings below zero count as zero.
 */
#define EXPORT_BELT_MIN_MM_S		(-200)

/* FIT's lap intensities: the plan's step kinds map onto them. */
enum export_intensity {
	EXPORT_ACTIVE = 0,	/* run */
	EXPORT_REST = 1,	/* walk between runs */
	EXPORT_WARMUP = 2,
	EXPORT_COOLDOWN = 3,
};

/* One plan step as it ran: a lap. Times from the session start. */
struct export_lap {
	uint32_t start_ms, end_ms;
	uint32_t timer_ms;		/* of it the timer ran (no pauses) */
	uint64_t distance_mm;		/* integral of measured belt speed */
	int32_t max_belt_mm_s;
	int step_index;			/* -1: no steps recorded */
	char kind[16];			/* plan step kind, "session" */
	enum export_intensity intensity;
	int32_t bw_carried_pct_x100;	/* the step's target */
	int32_t target_belt_mm_s;
};

/* The timer: started at the start and each resume, stopped else. */
struct export_timer {
	uint32_t t_ms;
	bool start;
	bool end;			/* the session's end (stop all) */
};

/* One point a second: the FIT records and TCX trackpoints. */
struct export_point {
	uint32_t t_ms;
	uint64_t distance_mm;		/* from the start to t_ms */
	int32_t belt_mm_s;		/* mean over the second before t */
	double support_force_n;		/* mean, measured */
	double bw_carried_pct;		/* from force and mass; < 0: unknown */
	int lap;			/* index into laps */
};

struct export_session {
	struct store_session rec;
	char athlete[64];
	int64_t start_wall_ms;		/* unix time of the start, ms */
	uint32_t duration_ms;		/* start to the last trace row end */
	uint32_t timer_ms;		/* pauses excluded */
	uint64_t distance_mm;
	int32_t max_belt_mm_s;
	size_t n_laps, n_timer, n_points, n_rows;
	struct export_lap *laps;
	struct export_timer *timer;
	struct export_point *points;
	const struct store_trace_row *rows;	/* borrowed (CSV) */
};

/*
 * Build the model. @ev are the session's events oldest first, @steps its
 * steps in time order, @rows its trace in time order (kept, not copied:
 * they must outlive @x). -EBUSY for a session still running, -ENODATA
 * when it has no trace, -EBADMSG for a record that contradicts itself;
 * each with one sentence in @msg. export_free() after success.
 */
int export_build(struct export_session *x, const struct store_session *rec,
		 const char *athlete, const struct store_event *ev, size_t nev,
		 const struct store_step *steps, size_t nsteps,
		 const struct store_trace_row *rows, size_t nrows,
		 char *msg, size_t len);
void export_free(struct export_session *x);

/* The plan's step kind as a FIT intensity (walk is the rest between runs). */
enum export_intensity export_intensity_of(const char *kind);
const char *export_intensity_name(enum export_intensity i);

/* The encoders: 0 or -errno (-EIO: the stream failed). */
int export_fit(const struct export_session *x, FILE *f);
int export_tcx(const struct export_session *x, FILE *f);
int export_csv(const struct export_session *x, FILE *f);

struct plan;
struct plan_session;
/*
 * A plan session as a FIT workout (file type workout, sport running,
 * sub-sport treadmill): a step per plan step (repeats unrolled) with its
 * time, a speed target of the step's belt speed +- 0.05 m/s, its intensity
 * and, in its notes, the body weight carried. @created_s: unix time.
 */
int export_fit_workout(const struct plan *p, const struct plan_session *ps,
		       int64_t created_s, FILE *f);

enum export_format { EXPORT_FIT, EXPORT_TCX, EXPORT_CSV };
/* "fit", "tcx", "csv": 0 or -EINVAL. */
int export_format_parse(const char *name, enum export_format *fmt);
const char *export_format_ext(enum export_format fmt);

/*
 * Write @x as @fmt to @path through a temporary file in the same
 * directory, flushed and renamed over @path only when complete: a failure
 * leaves no file under @path (and an older one untouched). 0 or -errno
 * with a sentence naming the path in @msg.
 */
int export_write(const struct export_session *x, enum export_format fmt,
		 const char *path, char *msg, size_t len);
/* The same for any encoder: @encode(@ctx, f) returns 0 or -errno. */
int export_write_with(int (*encode)(const void *ctx, FILE *f),
		      const void *ctx, const char *path, char *msg,
		      size_t len);

#endif /* LEVER_EXPORT_H */
