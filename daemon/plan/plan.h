/* SPDX-License-Identifier: MIT */
/*
 * plan_: the one strict parser of LEVER plan directories (format in
 * Documentation/plans.rst). It never guesses: any unknown key, unit, or
 * out-of-range value is an error naming file:line:col and what was expected.
 */
#ifndef LEVER_PLAN_H
#define LEVER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds (documented in Documentation/plans.rst). */
#define PLAN_SPEED_MAX_KM_H_X100	2000	/* 20.00 km/h */
#define PLAN_INCLINE_MIN_CENTI_PCT	(-300)	/* -3.00 % */
#define PLAN_INCLINE_MAX_CENTI_PCT	1500	/* 15.00 % */
#define PLAN_BW_MIN_PCT_X100		5000	/* 50 % body weight carried */
#define PLAN_BW_MAX_PCT_X100		10000	/* 100 % */
#define PLAN_STEP_MIN_MS		5000u		/* 0:05 */
#define PLAN_STEP_MAX_MS		(60u * 60000u)	/* 60:00 */
#define PLAN_SESSION_MAX_MS		(120u * 60000u)	/* 2:00:00 */
#define PLAN_RAMP_MAX_MS		60000u		/* 60 s */
#define PLAN_REPEAT_MAX			50
#define PLAN_STEPS_MAX			200	/* after expanding repeats */
#define PLAN_WEEKS_MAX			52
#define PLAN_DAYS_MAX			7
#define PLAN_TEXT_MAX			4096	/* one text field, bytes */
#define PLAN_LIST_MAX			16	/* criteria, rules, ... */
#define PLAN_FILE_MAX			(256 * 1024)	/* bytes */

enum plan_step_kind {
	PLAN_WARMUP,
	PLAN_WALK,
	PLAN_RUN,
	PLAN_COOLDOWN,
};

struct plan_step {
	enum plan_step_kind kind;
	uint32_t duration_ms;		/* includes the ramp into the step */
	int32_t belt_speed_km_h_x100;	/* as written, 0.01 km/h */
	int32_t belt_speed_mm_s;	/* the same, mm/s (rounded) */
	int32_t incline_centi_pct;	/* 0.01 % */
	int32_t bw_carried_pct_x100;	/* body weight carried, 0.01 % */
	uint32_t ramp_ms;		/* ramp from the previous step */
	uint16_t repeat_index;		/* 1-based round of its repeat, 0 */
	uint16_t repeat_count;		/* rounds of its repeat block, 0 */
	uint32_t line;			/* where it was written */
};

struct plan_session {
	char name[16];			/* "week3-day2" */
	unsigned int week;		/* 1-based */
	unsigned int day;		/* 1-based run day within the week */
	char *title;			/* may be NULL */
	char *note;			/* may be NULL */
	size_t n_steps;			/* expanded: repeats unrolled */
	struct plan_step *steps;
	uint32_t total_ms;
	uint32_t run_ms;		/* time in run steps */
	int32_t bw_min_pct_x100;	/* lowest BW carried in the session */
	int32_t bw_max_pct_x100;
};

struct plan_text_list {
	size_t n;
	char *item[PLAN_LIST_MAX];
};

struct plan {
	char *dir;			/* as given */
	char *id;			/* directory base name */
	char *name;
	char *author;
	char *scope;
	char *description;
	char *provenance;
	char *note;
	char *disclaimer;
	struct plan_text_list criteria;	/* start criteria */
	struct plan_text_list progression;
	struct plan_text_list regression;
	struct plan_text_list rules;
	unsigned int weeks;
	unsigned int sessions_per_week;
	size_t n_sessions;		/* weeks * sessions_per_week */
	struct plan_session *sessions;	/* in order week1-day1, ... */
};

/* Where parsing failed; file is a path, line and col are 1-based. */
struct plan_error {
	char file[512];
	unsigned int line;
	unsigned int col;
	char msg[256];		/* "expected ..., got ..." */
};

/*
 * Load a plan directory. Returns 0 and *out (free with plan_free) or a
 * negative errno with *err filled in (for -ENOMEM err says so too).
 */
int plan_load(const char *dir, struct plan **out, struct plan_error *err);
void plan_free(struct plan *p);

/*
 * Parse one session file's text (the fuzz target and tests use this);
 * name is used for messages and must look like weekN-dayM.
 */
int plan_parse_session(const char *file, const char *name, const char *text,
		       size_t len, struct plan_session *out,
		       struct plan_error *err);
void plan_session_clear(struct plan_session *s);

/*
 * Parse a plan file's text (without loading sessions) into *out (zeroed
 * by the caller); free its fields with plan_clear().
 */
int plan_parse_plan(const char *file, const char *text, size_t len,
		    struct plan *out, struct plan_error *err);
void plan_clear(struct plan *p);

/* "file:line:col: msg" into buf. */
void plan_error_format(const struct plan_error *err, char *buf, size_t len);

const struct plan_session *plan_find_session(const struct plan *p,
					     const char *name);
/* Index of a session in plan order, or -1. */
int plan_session_index(const struct plan *p, const char *name);
const char *plan_step_kind_name(enum plan_step_kind k);

/* Up to three session names closest to name, "a, b, c", into buf. */
void plan_suggest(const struct plan *p, const char *name, char *buf,
		  size_t len);

/* Parse "weekN-dayM"; 0 or -EINVAL. */
int plan_session_name_parse(const char *name, unsigned int *week,
			    unsigned int *day);

#endif /* LEVER_PLAN_H */
