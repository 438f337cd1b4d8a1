// SPDX-License-Identifier: MIT
/*
 * test_rec.c - specification of leverd's recorder: per-cycle records of
 * the session in progress become one row per 100 ms window (mean, min and
 * max support force, mean pressure and belt speed, the commands at the
 * window's end, the OR of the fault bits, the mode), written in batches;
 * a session switch splits the rows; a full ring drops and counts, never
 * waits; the records read back through the control socket's "events" and
 * "trace" requests, with bad arguments named.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "control/loop.h"
#include "store/store.h"
#include "store/rec.h"

#define MS(x)	((uint64_t)(x) * 1000000ull)

static char dir[64];
static struct store *st;	/* the event loop's connection */
static struct rec *r;
static int64_t sid_a, sid_b;

static int setup(void **state)
{
	struct store_athlete a;

	strcpy(dir, "/tmp/lever-test-rec-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_add(st, "anna", 70000, 1), 0);
	assert_int_equal(store_athlete_get(st, "anna", &a), 0);
	assert_int_equal(store_session_begin(st, a.id, "p", "week1-day1",
					     "2026-11-24", 10, &sid_a), 0);
	assert_int_equal(store_session_begin(st, a.id, "p", "week1-day2",
					     "2026-11-26", 20, &sid_b), 0);
	assert_int_equal(rec_new(dir, 1024, &r), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	rec_free(r);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Cycle i of a session: values that make every window's figures known. */
static struct rt_trace cycle(uint64_t now_ns, int i)
{
	struct rt_trace tr;

	memset(&tr, 0, sizeof(tr));
	tr.now_ns = now_ns;
	tr.seq = (uint32_t)i;
	tr.support_force_mn = i * 10;
	tr.support_pressure_pa = 1000 + (uint32_t)i;
	tr.belt_speed_mm_s = 2000;
	tr.cmd.support_pressure_pa = 5000 + (uint32_t)i;
	tr.cmd.belt_speed_mm_s = i;
	tr.cmd.incline_centi_pct = (int16_t)-i;
	tr.faults = i == 150 ? 1u << 4 : i == 210 ? 1u << 7 : 0;
	return tr;
}

/* n cycles 1 ms apart from t0 + first ms; mode 1 before 200, then 3. */
static void feed(uint64_t t0, int first, int n)
{
	struct rt_trace tr;
	int i;

	for (i = first; i < first + n; i++) {
		tr = cycle(t0 + MS(i), i);
		assert_int_equal(rec_sample(r, &tr, i < 200 ? 1 : 3, false), 0);
	}
}

static struct store_trace_row *rows_of(int64_t sid, size_t *n)
{
	struct store_trace_row *rows;

	assert_int_equal(store_trace_rows(st, sid, 0, 1000, &rows, n), 0);
	return rows;
}

static void test_cycles_become_exact_100ms_rows(void **state)
{
	struct store_trace_row *w;
	size_t n;

	assert_int_equal(rec_session(r, sid_a, MS(1000)), 0);
	feed(MS(1000), 0, 250);
	rec_drain(r);
	assert_int_equal(rec_flush(r), 0);
	w = rows_of(sid_a, &n);
	assert_int_equal(n, 3);

	assert_int_equal(w[0].t_ms, 0);
	assert_int_equal(w[0].samples, 100);
	assert_int_equal(w[0].force_mn_mean, 495);	/* 10 x mean(0..99) */
	assert_int_equal(w[0].force_mn_min, 0);
	assert_int_equal(w[0].force_mn_max, 990);
	assert_int_equal(w[0].pressure_pa_mean, 1050);	/* 1049.5 rounded */
	assert_int_equal(w[0].belt_mm_s_mean, 2000);
	assert_int_equal(w[0].cmd_pressure_pa, 5099);	/* at the end */
	assert_int_equal(w[0].cmd_belt_mm_s, 99);
	assert_int_equal(w[0].cmd_incline_centi_pct, -99);
	assert_int_equal(w[0].faults, 0);
	assert_int_equal(w[0].mode, 1);

	assert_int_equal(w[1].t_ms, 100);
	assert_int_equal(w[1].force_mn_mean, 1495);
	assert_int_equal(w[1].force_mn_min, 1000);
	assert_int_equal(w[1].force_mn_max, 1990);
	assert_int_equal(w[1].faults, 1u << 4);
	assert_int_equal(w[1].mode, 1);

	/* the last window is partial: written by the flush */
	assert_int_equal(w[2].t_ms, 200);
	assert_int_equal(w[2].samples, 50);
	assert_int_equal(w[2].force_mn_mean, 2245);
	assert_int_equal(w[2].force_mn_max, 2490);
	assert_int_equal(w[2].cmd_pressure_pa, 5249);
	assert_int_equal(w[2].faults, 1u << 7);
	assert_int_equal(w[2].mode, 3);
	free(w);
}

/* at most half a second of rows waits for a power cut (rec.h) */
static void test_rows_are_committed_half_a_second_at_a_time(void **state)
{
	struct rec_stats rs;
	size_t n;

	assert_int_equal(rec_session(r, sid_a, 0), 0);
	feed(0, 0, 499);	/* 4 whole windows and one open */
	rec_drain(r);
	assert_int_equal(store_trace_count(st, sid_a, &n), 0);
	assert_int_equal(n, 0);	/* fewer than half a second's rows */
	feed(0, 499, 101);	/* the 5th closes, the 6th opens */
	rec_drain(r);
	assert_int_equal(store_trace_count(st, sid_a, &n), 0);
	assert_int_equal(n, 5);
	rec_stats(r, &rs);
	assert_int_equal(rs.rows, 5);
	assert_int_equal(rs.samples, 600);
	assert_int_equal(rs.session_id, sid_a);
	assert_int_equal(rs.errors, 0);
}

static void test_cycles_before_the_start_are_not_the_sessions(void **state)
{
	struct store_trace_row *w;
	struct rt_trace tr;
	size_t n;
	int i;

	assert_int_equal(rec_session(r, sid_a, MS(1000)), 0);
	for (i = 950; i < 1050; i++) {
		tr = cycle(MS(i), i);
		rec_sample(r, &tr, 1, false);
	}
	rec_drain(r);
	rec_flush(r);
	w = rows_of(sid_a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].samples, 50);
	assert_int_equal(w[0].force_mn_min, 10000);
	free(w);
}

static void test_a_session_switch_splits_the_rows(void **state)
{
	struct store_trace_row *w;
	size_t n;

	assert_int_equal(rec_session(r, sid_a, 0), 0);
	feed(0, 0, 150);
	assert_int_equal(rec_session(r, sid_b, MS(150)), 0);
	feed(0, 150, 200);
	assert_int_equal(rec_session(r, 0, 0), 0);
	feed(0, 350, 100);	/* no session: not recorded */
	rec_drain(r);
	rec_flush(r);

	w = rows_of(sid_a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].samples, 100);
	assert_int_equal(w[1].t_ms, 100);
	assert_int_equal(w[1].samples, 50);
	free(w);
	w = rows_of(sid_b, &n);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].t_ms, 0);		/* from b's own start */
	assert_int_equal(w[0].samples, 100);
	assert_int_equal(w[0].force_mn_min, 1500);
	assert_int_equal(w[1].force_mn_max, 3490);
	free(w);
}

static void test_nothing_is_recorded_without_a_session(void **state)
{
	struct rec_stats rs;
	size_t n;

	feed(0, 0, 300);
	rec_drain(r);
	rec_flush(r);
	assert_int_equal(store_trace_count(st, sid_a, &n), 0);
	assert_int_equal(n, 0);
	rec_stats(r, &rs);
	assert_int_equal(rs.samples, 0);
	assert_int_equal(rs.session_id, 0);
}

static void test_a_full_ring_drops_and_counts_without_waiting(void **state)
{
	struct rec_stats rs;
	struct rt_trace tr;
	int i, refused = 0;

	rec_free(r);
	assert_int_equal(rec_new(dir, 16, &r), 0);
	assert_int_equal(rec_session(r, sid_a, 0), 0);
	for (i = 0; i < 20; i++) {
		tr = cycle(MS(i), i);
		/* wait asked, but no thread to make room: no wait */
		if (rec_sample(r, &tr, 1, true) == -ENOBUFS)
			refused++;
	}
	assert_int_equal(refused, 5);
	rec_stats(r, &rs);
	assert_int_equal(rs.dropped, 5);
	/* a session message that does not fit is the caller's to retry */
	assert_int_equal(rec_session(r, sid_b, 0), -ENOBUFS);
	rec_stats(r, &rs);
	assert_int_equal(rs.dropped, 5);
	rec_count_dropped(r, 3);
	rec_stats(r, &rs);
	assert_int_equal(rs.dropped, 8);
}

static void test_the_thread_writes_everything_by_its_stop(void **state)
{
	struct rec_stats rs;
	struct rt_trace tr;
	char err[128];
	size_t n;
	int i;

	assert_int_equal(rec_start(r, err, sizeof(err)), 0);
	assert_int_equal(rec_session(r, sid_a, 0), 0);
	for (i = 0; i < 5000; i++) {
		tr = cycle(MS(i), i);
		/* five times the ring: the producer waits for the thread */
		assert_int_equal(rec_sample(r, &tr, 1, true), 0);
	}
	rec_stop(r);
	assert_int_equal(store_trace_count(st, sid_a, &n), 0);
	assert_int_equal(n, 50);
	rec_stats(r, &rs);
	assert_int_equal(rs.dropped, 0);
	assert_int_equal(rs.rows, 50);
}

/* ---- the control socket's reads ---- */

static json_t *res;
static char msg[256];

static int ask(const char *cmd, const char *args_json)
{
	json_t *args = args_json ? json_loads(args_json, 0, NULL) : NULL;
	int ret;

	json_decref(res);
	res = NULL;
	msg[0] = '\0';
	ret = rec_request(st, cmd, args, &res, msg, sizeof(msg));
	json_decref(args);
	return ret;
}

static void assert_msg(const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message '%s' lacks '%s'", msg, needle);
}

static void add_events(int n)
{
	struct store_event ev = { .wall_ms = 1000 };
	int i;

	strcpy(ev.kind, "fault");
	for (i = 0; i < n; i++) {
		snprintf(ev.cause, sizeof(ev.cause), "cause %d", i);
		ev.session_id = i % 2 ? sid_a : 0;
		assert_int_equal(store_event_add(st, &ev, NULL), 0);
	}
}

static void test_events_request_pages_newest_first(void **state)
{
	json_t *e;

	add_events(5);
	assert_int_equal(ask("events", "{\"limit\": 2}"), 0);
	assert_int_equal(json_array_size(json_object_get(res, "events")), 2);
	assert_true(json_is_true(json_object_get(res, "more")));
	e = json_array_get(json_object_get(res, "events"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "cause")),
			    "cause 3");
	assert_int_equal(json_integer_value(json_object_get(e, "session")),
			 sid_a);
	assert_string_equal(json_string_value(json_object_get(e, "kind")),
			    "fault");
	assert_int_equal(ask("events", "{\"before_id\": 2}"), 0);
	assert_int_equal(json_array_size(json_object_get(res, "events")), 1);
	assert_false(json_is_true(json_object_get(res, "more")));
	json_decref(res);
	res = NULL;
}

static void test_events_request_filters_by_session(void **state)
{
	add_events(5);
	assert_int_equal(ask("events", "{\"session\": 1}"), 0);
	assert_int_equal(json_array_size(json_object_get(res, "events")), 2);
	json_decref(res);
	res = NULL;
}

static void test_events_request_names_bad_arguments(void **state)
{
	assert_int_equal(ask("events", "{\"limit\": 0}"), -EINVAL);
	assert_msg("limit must be a whole number from 1 to 100");
	assert_int_equal(ask("events", "{\"since_ms\": \"yesterday\"}"),
			 -EINVAL);
	assert_msg("since_ms");
	assert_int_equal(ask("events", "{\"session\": 99}"), -ENOENT);
	assert_msg("no session record 99");
	assert_int_equal(ask("events", "{\"athlete\": \"bob\"}"), -ENOENT);
	assert_msg("unknown athlete 'bob'");
}

static void test_trace_request_pages_the_rows(void **state)
{
	json_t *row;

	assert_int_equal(rec_session(r, sid_a, 0), 0);
	feed(0, 0, 700);	/* 7 rows */
	rec_drain(r);
	rec_flush(r);
	assert_int_equal(ask("trace", "{\"session\": 1, \"offset\": 5, \"limit\": 10}"), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "rows_total")), 7);
	assert_int_equal(json_array_size(json_object_get(res, "rows")), 2);
	row = json_array_get(json_object_get(res, "rows"), 0);
	assert_int_equal(json_integer_value(json_array_get(row, 0)), 500);
	assert_int_equal(json_integer_value(json_array_get(row, 2)), 5495);
	assert_string_equal(json_string_value(json_array_get(row, 11)),
			    loop_mode_name(LOOP_STOPPING));	/* mode 3 */
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(res, "columns"), 2)), "support_force_mn_mean");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(res, "record"), "session")), "week1-day1");
	json_decref(res);
	res = NULL;
}

static void test_trace_request_names_bad_arguments(void **state)
{
	assert_int_equal(ask("trace", NULL), -EINVAL);
	assert_msg("which session?");
	assert_int_equal(ask("trace", "{\"session\": 42}"), -ENOENT);
	assert_msg("no session record 42");
	assert_int_equal(ask("trace", "{\"session\": 1, \"limit\": 501}"),
			 -EINVAL);
	assert_msg("limit must be a whole number from 1 to 500");
	assert_int_equal(ask("trace", "{\"session\": \"1\"}"), -EINVAL);
	assert_msg("session must be a whole number");
}

static void test_other_requests_are_not_the_recorders(void **state)
{
	assert_int_equal(ask("status", NULL), 1);
	assert_null(res);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cycles_become_exact_100ms_rows),
		T(test_rows_are_committed_half_a_second_at_a_time),
		T(test_cycles_before_the_start_are_not_the_sessions),
		T(test_a_session_switch_splits_the_rows),
		T(test_nothing_is_recorded_without_a_session),
		T(test_a_full_ring_drops_and_counts_without_waiting),
		T(test_the_thread_writes_everything_by_its_stop),
		T(test_events_request_pages_newest_first),
		T(test_events_request_filters_by_session),
		T(test_events_request_names_bad_arguments),
		T(test_trace_request_pages_the_rows),
		T(test_trace_request_names_bad_arguments),
		T(test_other_requests_are_not_the_recorders),
	};

	return cmocka_run_group_tests_name("recorder", tests, NULL, NULL);
}
