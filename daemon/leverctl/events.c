// SPDX-License-Identifier: MIT
/*
 * leverctl events: what leverd recorded as it happened (faults, stops,
 * resets, pain reports, starts, ends, e-stop and safety-key edges), oldest
 * first. Pages through leverd's answers on one connection so that no
 * reply line outgrows the protocol; it only reads.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leverctl.h"

#define EVENTS_PAGE	100
#define EVENTS_MAX	100000

/* "2026-11-24", "2026-11-24 14:30", "2026-11-24T14:30:05", local time */
static int parse_since(const char *s, int64_t *ms)
{
	static const char *const fmts[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};
	struct tm tm;
	const char *end;
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (!end || *end)
			continue;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1 || t < 0)
			return -EINVAL;
		*ms = (int64_t)t * 1000;
		return 0;
	}
	return -EINVAL;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_event(const json_t *e)
{
	int64_t ms = json_integer_value(json_object_get(e, "wall_ms"));
	time_t t = (time_t)(ms / 1000);
	const json_t *sid = json_object_get(e, "session");
	char when[32], session[24];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (json_is_integer(sid))
		snprintf(session, sizeof(session), "#%lld",
			 (long long)json_integer_value(sid));
	else
		snprintf(session, sizeof(session), "-");
	printf("%s.%03d  %-10s %-6s %-12s %s%s%s\n", when, (int)(ms % 1000),
	       str(e, "kind"), session,
	       json_is_string(json_object_get(e, "athlete")) ?
	       str(e, "athlete") : "-", str(e, "cause"),
	       *str(e, "detail") ? ": " : "", str(e, "detail"));
}

/* Pages of newest-first events into all (newest first). */
static int fetch(struct ctl *c, json_t *filter, long long limit, json_t *all)
{
	struct ctl_conn *k;
	json_t *args, *res, *page, *e;
	long long before = 0;
	size_t i;
	int ret;

	ret = ctl_connect(c, &k);
	while (!ret && (long long)json_array_size(all) < limit) {
		long long want = limit - (long long)json_array_size(all);

		args = json_deep_copy(filter);
		if (!args) {
			ret = LEVER_CTL_EXIT_FAIL;
			break;
		}
		json_object_set_new(args, "limit", json_integer(
			want < EVENTS_PAGE ? want : EVENTS_PAGE));
		if (before)
			json_object_set_new(args, "before_id",
					    json_integer(before));
		ret = ctl_call_on(k, "events", args, &res);
		if (ret)
			break;
		page = json_object_get(res, "events");
		json_array_foreach(page, i, e) {
			json_array_append(all, e);
			before = json_integer_value(json_object_get(e, "id"));
		}
		if (!json_is_true(json_object_get(res, "more")) ||
		    !json_array_size(page)) {
			json_decref(res);
			break;
		}
		json_decref(res);
	}
	ctl_disconnect(k);
	return ret;
}

int ctl_events(struct ctl *c, int argc, char **argv)
{
	json_t *filter, *all, *out;
	long long limit = 50, id;
	int64_t since_ms;
	int i, r, ret;
	size_t n;

	filter = json_object();
	all = json_array();
	if (!filter || !all) {
		json_decref(filter);
		json_decref(all);
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	ret = LEVER_CTL_EXIT_OK;
	for (i = 1; i < argc && !ret; i++) {
		const char *v = NULL;

		if ((r = ctl_opt_value(argc, argv, &i, "--athlete", &v))) {
			if (r < 0)
				ret = ctl_usage("events", "--athlete needs a name");
			else
				json_object_set_new(filter, "athlete",
						    json_string(v));
		} else if ((r = ctl_opt_value(argc, argv, &i, "--session",
					      &v))) {
			if (r < 0 || ctl_parse_count(v, 1, INT64_MAX, &id))
				ret = ctl_usage("events",
						"--session '%s' is not a session record id (a whole number from 1; 'leverctl athlete show NAME' lists them)",
						r < 0 ? "" : v);
			else
				json_object_set_new(filter, "session",
						    json_integer(id));
		} else if ((r = ctl_opt_value(argc, argv, &i, "--since",
					      &v))) {
			if (r < 0 || parse_since(v, &since_ms))
				ret = ctl_usage("events",
						"--since '%s' is not a date like 2026-11-24 or '2026-11-24 14:30' (local time)",
						r < 0 ? "" : v);
			else
				json_object_set_new(filter, "since_ms",
						    json_integer(since_ms));
		} else if ((r = ctl_opt_value(argc, argv, &i, "--limit",
					      &v))) {
			if (r < 0 || ctl_parse_count(v, 1, EVENTS_MAX, &limit))
				ret = ctl_usage("events",
						"--limit '%s' must be a whole number from 1 to %d",
						r < 0 ? "" : v, EVENTS_MAX);
		} else {
			ret = ctl_usage("events", "unknown argument '%s'",
					argv[i]);
		}
	}
	if (!ret)
		ret = fetch(c, filter, limit, all);
	json_decref(filter);
	if (ret) {
		json_decref(all);
		return ret;
	}
	n = json_array_size(all);
	if (c->json) {
		out = json_array();
		for (i = (int)n - 1; out && i >= 0; i--)
			json_array_append(out, json_array_get(all, i));
		out = json_pack("{s:o}", "events", out ? out : json_null());
		ret = out ? ctl_print_json(out) : LEVER_CTL_EXIT_FAIL;
		json_decref(out);
	} else if (!n) {
		printf("no events recorded\n");
	} else {
		for (i = (int)n - 1; i >= 0; i--)
			print_event(json_array_get(all, i));
	}
	json_decref(all);
	return ret;
}
