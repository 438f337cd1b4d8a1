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

#include "records.h"

/* athlete-date-session-sID.ext: sorts by athlete and date on a stick */
static void default_name(char *buf, size_t len, const struct ctl_records *r,
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

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
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
	struct ctl_records r = { 0 };
	struct export_session x;
	struct ctl_conn *k;
	char name[512], path[1024], msg[512];
	json_t *j;
	int ret;

	ret = ctl_connect(c, &k);
	if (ret)
		return ret;
	ret = ctl_records_head(k, id, &r);
	if (!out && !ret) {
		default_name(name, sizeof(name), &r, fmt);
		snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "",
			 dir ? "/" : "", name);
		out = path;
		if (skip_existing && !access(out, F_OK)) {
			if (!json)
				printf("%s is there already: session #%lld skipped\n",
				       out, id);
			ctl_disconnect(k);
			ctl_records_free(&r);
			return LEVER_CTL_EXIT_OK;
		}
	}
	if (!ret)
		ret = ctl_records_trace(k, &r);
	ctl_disconnect(k);
	if (!ret)
		ret = ctl_records_build(&r, &x);
	if (ret) {
		ctl_records_free(&r);
		return ret;
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
	ctl_records_free(&r);
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
		ret = export_one(c, json_integer_value(json_object_get(r, "id")), fmt, NULL, dir, true, all);
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
