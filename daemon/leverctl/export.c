// SPDX-License-Identifier: MIT
/*
 * leverctl export SESSION-ID [--format fit|tcx|csv] [-o FILE|--dir DIR]: a
 * finished session as a file for TrainingPeaks, Garmin Connect or a
 * spreadsheet; --athlete NAME [--since DATE] --dir DIR every session of an
 * athlete not yet in DIR (a USB stick, say).
 * leverd hands out the records ("export", then "trace" page by page);
 * leverctl encodes them (daemon/export/) and writes the file as the
 * operator, whole or not at all.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "leverctl.h"

#define EXPORT_PAGE	500

struct records {
	struct store_session rec;
	char athlete[64];
	struct store_event *ev;
	struct store_step *steps;
	struct store_trace_row *rows;
	size_t nev, nsteps, nrows;
};

static void records_free(struct records *r)
{
	free(r->ev);
	free(r->steps);
	free(r->rows);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static json_int_t aint(const json_t *a, size_t i)
{
	return json_integer_value(json_array_get(a, i));
}

static const char *astr(const json_t *a, size_t i)
{
	return json_string_value(json_array_get(a, i)) ?: "";
}

/*
 * The "export" request on its own: a session still running is exit 7,
 * which ctl_reply_error() does not know (it is export's alone).
 */
static int call_export(struct ctl_conn *k, long long id, json_t **res)
{
	json_t *reply = NULL, *e;
	int ret;

	*res = NULL;
	ret = ctl_send(k, "export", json_pack("{s:I}", "session",
					      (json_int_t)id), 1);
	while (!ret) {
		ret = ctl_recv(k, &reply, CTL_REPLY_TIMEOUT_MS);
		if (ret)
			return ret;
		if (jint(reply, "id") == 1)
			break;
		json_decref(reply);	/* an event */
		reply = NULL;
	}
	if (ret)
		return ret;
	if (json_is_true(json_object_get(reply, "ok"))) {
		*res = json_incref(json_object_get(reply, "result"));
		json_decref(reply);
		return LEVER_CTL_EXIT_OK;
	}
	e = json_object_get(reply, "error");
	if (!strcmp(jstr(e, "code"), "EBUSY")) {
		ctl_err("%s", jstr(e, "message"));
		ret = LEVER_CTL_EXIT_BUSY;
	} else {
		ret = ctl_reply_error(reply);
	}
	json_decref(reply);
	return ret;
}

static int take_record(struct records *r, const json_t *res)
{
	const json_t *rec = json_object_get(res, "record");
	const json_t *evs = json_object_get(res, "events");
	const json_t *sts = json_object_get(res, "steps");
	struct store_session *s = &r->rec;
	size_t i;

	s->id = jint(rec, "id");
	snprintf(r->athlete, sizeof(r->athlete), "%s", jstr(rec, "athlete"));
	snprintf(s->plan, sizeof(s->plan), "%s", jstr(rec, "plan"));
	snprintf(s->session, sizeof(s->session), "%s", jstr(rec, "session"));
	snprintf(s->date, sizeof(s->date), "%s", jstr(rec, "date"));
	s->started_s = jint(rec, "started_s");
	s->ended_s = jint(rec, "ended_s");
	s->completed = json_is_true(json_object_get(rec, "completed"));
	s->pain = json_is_true(json_object_get(rec, "pain"));
	s->pain_score = (int)jint(rec, "pain_score");
	snprintf(s->end_cause, sizeof(s->end_cause), "%s",
		 jstr(rec, "end_cause"));
	s->elapsed_ms = (uint32_t)jint(rec, "elapsed_ms");
	s->steps_skipped = (unsigned int)jint(rec, "steps_skipped");
	s->mass_g = (uint32_t)jint(rec, "mass_g");
	snprintf(s->board_serial, sizeof(s->board_serial), "%s",
		 jstr(rec, "board_serial"));
	s->operator_uid = jint(rec, "operator_uid");

	r->nev = json_array_size(evs);
	r->nsteps = json_array_size(sts);
	r->ev = calloc(r->nev + 1, sizeof(*r->ev));
	r->steps = calloc(r->nsteps + 1, sizeof(*r->steps));
	if (!r->ev || !r->steps)
		return -ENOMEM;
	for (i = 0; i < r->nev; i++) {
		const json_t *a = json_array_get(evs, i);
		struct store_event *e = &r->ev[i];

		e->id = aint(a, 0);
		e->wall_ms = aint(a, 1);
		e->mono_ns = (uint64_t)aint(a, 2);
		e->session_id = s->id;
		snprintf(e->kind, sizeof(e->kind), "%s", astr(a, 3));
		snprintf(e->cause, sizeof(e->cause), "%s", astr(a, 4));
		snprintf(e->detail, sizeof(e->detail), "%s", astr(a, 5));
	}
	for (i = 0; i < r->nsteps; i++) {
		const json_t *a = json_array_get(sts, i);
		struct store_step *p = &r->steps[i];

		p->t_ms = (uint32_t)aint(a, 0);
		p->step_index = (int32_t)aint(a, 1);
		p->step_count = (int32_t)aint(a, 2);
		snprintf(p->kind, sizeof(p->kind), "%s", astr(a, 3));
		p->bw_carried_pct_x100 = (int32_t)aint(a, 4);
		p->belt_speed_mm_s = (int32_t)aint(a, 5);
	}
	return 0;
}

/* leverd's trace columns we read, by name (see leverctl trace). */
enum {
	T_T, T_N, T_F, T_FMIN, T_FMAX, T_P, T_BELT, T_CP, T_CB, T_CI, T_FLT,
	T_COUNT
};
static const char *const cols[T_COUNT] = {
	"t_ms", "samples", "support_force_mn_mean", "support_force_mn_min",
	"support_force_mn_max", "support_pressure_pa_mean",
	"belt_speed_mm_s_mean", "cmd_support_pressure_pa",
	"cmd_belt_speed_mm_s", "cmd_incline_centi_pct", "faults",
};

static int take_trace(struct ctl_conn *k, struct records *r,
		      size_t rows_total)
{
	json_t *res = NULL, *row;
	int idx[T_COUNT], c, ret = 0;
	size_t i, j, n;

	r->rows = calloc(rows_total + 1, sizeof(*r->rows));
	if (!r->rows) {
		ctl_err("out of memory for %zu trace rows", rows_total);
		return LEVER_CTL_EXIT_FAIL;
	}
	while (r->nrows < rows_total) {
		ret = ctl_call_on(k, "trace", json_pack("{s:I, s:I, s:i}",
				  "session", (json_int_t)r->rec.id, "offset",
				  (json_int_t)r->nrows, "limit", EXPORT_PAGE),
				  &res);
		if (ret)
			return ret;
		for (c = 0; c < T_COUNT; c++) {
			idx[c] = -1;
			json_array_foreach(json_object_get(res, "columns"), j,
					   row)
				if (!strcmp(json_string_value(row) ?: "",
					    cols[c]))
					idx[c] = (int)j;
			if (idx[c] < 0) {
				ctl_err("leverd's trace lacks the column %s; leverctl and leverd differ in version",
					cols[c]);
				json_decref(res);
				return LEVER_CTL_EXIT_FAIL;
			}
		}
		n = json_array_size(json_object_get(res, "rows"));
		json_array_foreach(json_object_get(res, "rows"), i, row) {
			struct store_trace_row *t = &r->rows[r->nrows];

			if (r->nrows >= rows_total)
				break;
			t->t_ms = (uint32_t)aint(row, idx[T_T]);
			t->samples = (uint32_t)aint(row, idx[T_N]);
			t->force_mn_mean = (int32_t)aint(row, idx[T_F]);
			t->force_mn_min = (int32_t)aint(row, idx[T_FMIN]);
			t->force_mn_max = (int32_t)aint(row, idx[T_FMAX]);
			t->pressure_pa_mean = (uint32_t)aint(row, idx[T_P]);
			t->belt_mm_s_mean = (int32_t)aint(row, idx[T_BELT]);
			t->cmd_pressure_pa = (uint32_t)aint(row, idx[T_CP]);
			t->cmd_belt_mm_s = (int32_t)aint(row, idx[T_CB]);
			t->cmd_incline_centi_pct = (int32_t)aint(row,
								 idx[T_CI]);
			t->faults = (uint32_t)aint(row, idx[T_FLT]);
			r->nrows++;
		}
		json_decref(res);
		if (!n)		/* rows gone since the count: keep what came */
			break;
	}
	return LEVER_CTL_EXIT_OK;
}

/* athlete-date-session-sID.ext: sorts by athlete and date on a stick */
static void default_name(char *buf, size_t len, const struct records *r,
			 enum export_format fmt)
{
	char who[64];
	size_t i;

	snprintf(who, sizeof(who), "%s", r->athlete[0] ? r->athlete :
		 "athlete");
	for (i = 0; who[i]; i++)
		if (who[i] == '/' || who[i] == ' ')
			who[i] = '_';
	snprintf(buf, len, "%s-%s-%s-s%lld.%s", who, r->rec.date,
		 r->rec.session, (long long)r->rec.id,
		 export_format_ext(fmt));
}

static int exit_of_build(int err)
{
	return err == -EBUSY ? LEVER_CTL_EXIT_BUSY :
	       err == -ENOMEM ? LEVER_CTL_EXIT_FAIL : LEVER_CTL_EXIT_BAD_RECORD;
}

/*
 * One session to @out, or (@out NULL) to its default name in @dir (NULL:
 * the current directory), skipped when that file exists and @skip_existing.
 * Prints a line (or appends to @json); returns an exit code.
 */
static int export_one(struct ctl *c, long long id, enum export_format fmt,
		      const char *out, const char *dir, bool skip_existing,
		      json_t *json)
{
	struct records r = { 0 };
	struct export_session x;
	struct ctl_conn *k;
	char name[512], path[1024], msg[512];
	json_t *res = NULL, *j;
	int ret;

	ret = ctl_connect(c, &k);
	if (ret)
		return ret;
	ret = call_export(k, id, &res);
	if (!ret && take_record(&r, res)) {
		ctl_err("out of memory");
		ret = LEVER_CTL_EXIT_FAIL;
	}
	if (!out && !ret) {
		default_name(name, sizeof(name), &r, fmt);
		snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "",
			 dir ? "/" : "", name);
		out = path;
		if (skip_existing && !access(out, F_OK)) {
			if (!json)
				printf("%s is there already: session #%lld skipped\n",
				       out, id);
			json_decref(res);
			ctl_disconnect(k);
			records_free(&r);
			return LEVER_CTL_EXIT_OK;
		}
	}
	if (!ret)
		ret = take_trace(k, &r, (size_t)jint(res, "rows_total"));
	json_decref(res);
	ctl_disconnect(k);
	if (ret) {
		records_free(&r);
		return ret;
	}
	ret = export_build(&x, &r.rec, r.athlete, r.ev, r.nev, r.steps,
			   r.nsteps, r.rows, r.nrows, msg, sizeof(msg));
	if (ret) {
		ctl_err("%s", msg);
		records_free(&r);
		return exit_of_build(ret);
	}
	ret = export_write(&x, fmt, out, msg, sizeof(msg));
	if (ret) {
		ctl_err("%s", msg);
		ret = LEVER_CTL_EXIT_OUTPUT;
	} else if (json) {
		j = json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f}",
			      "file", out, "format", export_format_ext(fmt),
			      "session", (json_int_t)r.rec.id,
			      "laps", (json_int_t)x.n_laps,
			      "distance_m", x.distance_mm / 1000.0,
			      "timer_s", x.timer_ms / 1000.0,
			      "elapsed_s", x.duration_ms / 1000.0);
		json_array_append_new(json, j);
	} else {
		char t[32];

		ctl_fmt_duration(t, sizeof(t), x.timer_ms / 1000.0);
		printf("wrote %s: session #%lld (%s %s, %s), %zu laps, %.2f km in %s\n",
		       out, (long long)r.rec.id, r.rec.session, r.rec.date,
		       r.rec.end_cause, x.n_laps, x.distance_mm / 1e6, t);
	}
	export_free(&x);
	records_free(&r);
	return ret;
}

/*
 * --athlete NAME [--since DATE] --dir DIR: every session of the athlete
 * that has ended, from DATE on, whose file is not in DIR yet. A session
 * that cannot be exported is named and the others still written; the
 * exit code is the first failure's.
 */
static int export_athlete(struct ctl *c, const char *athlete,
			  const char *since, const char *dir,
			  enum export_format fmt)
{
	json_t *res, *r, *all = c->json ? json_array() : NULL;
	size_t i;
	int ret, first = LEVER_CTL_EXIT_OK;

	ret = ctl_call(c, "athlete_show", json_pack("{s:s}", "name", athlete),
		       &res);
	if (ret) {
		json_decref(all);
		return ret;
	}
	json_array_foreach(json_object_get(res, "sessions"), i, r) {
		if (!strcmp(jstr(r, "end_cause"), "running") ||
		    (since && strcmp(jstr(r, "date"), since) < 0))
			continue;
		ret = export_one(c, jint(r, "id"), fmt, NULL, dir, true, all);
		if (ret && !first)
			first = ret;
	}
	json_decref(res);
	if (all) {
		ret = ctl_print_json(all);
		json_decref(all);
		if (!first)
			first = ret;
	}
	return first;
}

static bool is_date(const char *s)
{
	unsigned int y, m, d;
	char end;

	return strlen(s) == 10 &&
	       sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &end) == 3 &&
	       m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

int ctl_export(struct ctl *c, int argc, char **argv)
{
	enum export_format fmt = EXPORT_FIT;
	const char *id_s = NULL, *out = NULL, *f = NULL, *athlete = NULL;
	const char *since = NULL, *dir = NULL;
	struct stat sb;
	json_t *all;
	long long id;
	int i, m, ret;

	for (i = 1; i < argc; i++) {
		m = ctl_opt_value(argc, argv, &i, "--format", &f);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "-o", &out);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--output", &out);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--athlete", &athlete);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--since", &since);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--dir", &dir);
		if (m < 0)
			return ctl_usage("export", "%s needs a value", argv[i]);
		if (m > 0)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			return ctl_usage("export", "unknown option '%s'",
					 argv[i]);
		} else if (id_s) {
			return ctl_usage("export", "one session at a time ('%s' and '%s' given)",
					 id_s, argv[i]);
		} else {
			id_s = argv[i];
		}
	}
	if (f && export_format_parse(f, &fmt))
		return ctl_usage("export", "--format '%s' is not one of fit, tcx, csv",
				 f);
	if (out && !*out)
		return ctl_usage("export", "-o needs a file name");
	if (since && !is_date(since))
		return ctl_usage("export", "--since '%s' is not a date like 2026-11-24",
				 since);
	if (dir && (stat(dir, &sb) || !S_ISDIR(sb.st_mode))) {
		ctl_err("--dir %s is not a directory", dir);
		return LEVER_CTL_EXIT_OUTPUT;
	}
	if (athlete) {
		if (id_s || out)
			return ctl_usage("export", "--athlete exports every session: give no SESSION-ID and no -o");
		if (!dir)
			return ctl_usage("export", "--athlete needs --dir DIR (where the files go)");
		return export_athlete(c, athlete, since, dir, fmt);
	}
	if (since)
		return ctl_usage("export", "--since goes with --athlete");
	if (!id_s)
		return ctl_usage("export", "which session? give its record id ('leverctl history --athlete NAME' lists them)");
	if (ctl_parse_count(id_s, 1, INT64_MAX, &id))
		return ctl_usage("export",
				 "SESSION-ID '%s' is not a session record id (a whole number from 1; 'leverctl history --athlete NAME' lists them)",
				 id_s);
	if (out && dir)
		return ctl_usage("export", "-o and --dir: choose one");
	if (!c->json)
		return export_one(c, id, fmt, out, dir, false, NULL);
	all = json_array();
	ret = export_one(c, id, fmt, out, dir, false, all);
	if (!ret)
		ret = ctl_print_json(json_array_get(all, 0));
	json_decref(all);
	return ret;
}
