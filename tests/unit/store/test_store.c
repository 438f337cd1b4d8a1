// SPDX-License-Identifier: MIT
/*
 * test_store.c - specification of the records store: athletes and session
 * records survive closing and reopening (a daemon restart), a session that
 * was running when the daemon died reads back as interrupted, durability is
 * synchronous=FULL; events and 10 Hz trace rows read back as written, in
 * WAL mode so that the recorder's connection does not block the daemon's.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/lever-test-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_athletes_survive_reopen(void **state)
{
	struct store *st;
	struct store_athlete a;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_add(st, "anna", 70000, 100), 0);
	store_close(st);
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_get(st, "anna", &a), 0);
	assert_string_equal(a.name, "anna");
	assert_int_equal(a.mass_g, 70000);
	assert_int_equal(a.created_s, 100);
	store_close(st);
}

static void test_duplicate_athlete_is_refused(void **state)
{
	struct store *st;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_add(st, "anna", 70000, 1), 0);
	assert_int_equal(store_athlete_add(st, "anna", 60000, 2), -EEXIST);
	store_close(st);
}

static void test_unknown_athlete_is_enoent(void **state)
{
	struct store *st;
	struct store_athlete a;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_get(st, "bob", &a), -ENOENT);
	assert_int_equal(store_athlete_weigh(st, "bob", 1000, 5), -ENOENT);
	store_close(st);
}

static void test_weigh_in_is_the_mass_from_then_on(void **state)
{
	struct store *st;
	struct store_athlete a;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	assert_int_equal(store_athlete_weigh(st, "anna", 68500, 86400), 0);
	store_close(st);
	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(a.mass_g, 68500);
	assert_int_equal(a.weighed_s, 86400);
	store_close(st);
}

static void test_weigh_ins_are_a_dated_history(void **state)
{
	struct store *st;
	struct store_athlete a;
	struct store_weighin *w;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 100);
	store_athlete_weigh(st, "anna", 71000, 200);
	store_athlete_weigh(st, "anna", 69500, 300);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(store_weighins(st, a.id, &w, &n), 0);
	assert_int_equal(n, 3);
	/* the first is the mass given when the athlete was added */
	assert_int_equal(w[0].weighed_s, 100);
	assert_int_equal(w[0].mass_g, 70000);
	assert_int_equal(w[1].mass_g, 71000);
	assert_int_equal(w[2].weighed_s, 300);
	assert_int_equal(w[2].mass_g, 69500);
	free(w);
	store_close(st);
}

static void test_rename_keeps_the_records(void **state)
{
	struct store *st;
	struct store_athlete a, b;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	store_athlete_add(st, "ben", 80000, 1);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(store_athlete_rename(st, "anna", "anna-k"), 0);
	assert_int_equal(store_athlete_get(st, "anna", &b), -ENOENT);
	assert_int_equal(store_athlete_get(st, "anna-k", &b), 0);
	assert_int_equal(b.id, a.id);
	assert_int_equal(b.weighed_s, 1);
	assert_int_equal(store_athlete_rename(st, "anna-k", "ben"), -EEXIST);
	assert_int_equal(store_athlete_get(st, "anna-k", &b), 0);
	assert_int_equal(store_athlete_rename(st, "zoe", "zed"), -ENOENT);
	store_close(st);
}

static void test_athlete_list_is_sorted_by_name(void **state)
{
	struct store *st;
	struct store_athlete *l;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "zoe", 60000, 1);
	store_athlete_add(st, "anna", 70000, 1);
	assert_int_equal(store_athlete_list(st, &l, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].name, "anna");
	assert_string_equal(l[1].name, "zoe");
	free(l);
	store_close(st);
}

static void test_session_record_survives_reopen(void **state)
{
	struct store *st;
	struct store_athlete a;
	struct store_session r = { 0 }, *l;
	int64_t id;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(store_session_begin(st, a.id, "p", "week3-day2",
					     "2026-11-24", 1000, &id), 0);
	r.id = id;
	r.ended_s = 2000;
	r.pain = true;
	r.pain_score = 6;
	r.elapsed_ms = 612000;
	r.steps_skipped = 1;
	strcpy(r.end_cause, "pain");
	assert_int_equal(store_session_end(st, &r), 0);
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_sessions(st, a.id, "p", &l, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].session, "week3-day2");
	assert_string_equal(l[0].date, "2026-11-24");
	assert_false(l[0].completed);
	assert_true(l[0].pain);
	assert_int_equal(l[0].pain_score, 6);
	assert_string_equal(l[0].end_cause, "pain");
	assert_int_equal(l[0].elapsed_ms, 612000);
	assert_int_equal(l[0].steps_skipped, 1);
	free(l);
	store_close(st);
}

static void test_running_session_reads_back_interrupted(void **state)
{
	struct store *st;
	struct store_athlete a;
	struct store_session *l;
	int64_t id;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	store_athlete_get(st, "anna", &a);
	store_session_begin(st, a.id, "p", "week1-day1", "2026-11-24", 1,
			    &id);
	store_close(st);	/* as if leverd died here */
	assert_int_equal(store_open(&st, dir), 0);
	store_sessions(st, a.id, NULL, &l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].end_cause, "interrupted");
	assert_false(l[0].completed);
	free(l);
	store_close(st);
}

static void test_sessions_filter_by_plan_in_order(void **state)
{
	struct store *st;
	struct store_athlete a;
	struct store_session *l;
	int64_t id;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	store_athlete_get(st, "anna", &a);
	store_session_begin(st, a.id, "p", "week1-day1", "2026-11-20", 1, &id);
	store_session_begin(st, a.id, "q", "week1-day1", "2026-11-21", 2, &id);
	store_session_begin(st, a.id, "p", "week1-day2", "2026-11-22", 3, &id);
	store_sessions(st, a.id, "p", &l, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[1].session, "week1-day2");
	free(l);
	store_sessions(st, a.id, NULL, &l, &n);
	assert_int_equal(n, 3);
	free(l);
	store_close(st);
}

static void test_criteria_confirmation_is_kept(void **state)
{
	struct store *st;
	struct store_athlete a;
	bool yes;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(store_criteria_confirmed(st, a.id, "p", &yes), 0);
	assert_false(yes);
	assert_int_equal(store_criteria_confirm(st, a.id, "p", 5), 0);
	store_close(st);
	assert_int_equal(store_open(&st, dir), 0);
	store_criteria_confirmed(st, a.id, "p", &yes);
	assert_true(yes);
	store_criteria_confirmed(st, a.id, "q", &yes);
	assert_false(yes);
	store_close(st);
}

static void test_database_is_synchronous_full(void **state)
{
	struct store *st;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_synchronous(st), 2);	/* FULL */
	store_close(st);
}

static void test_unwritable_state_dir_is_an_error(void **state)
{
	struct store *st;

	assert_true(store_open(&st, "/proc/lever-no-such-dir") < 0);
	assert_null(st);
}

static int64_t anna_session(struct store *st, int64_t *athlete_id)
{
	struct store_athlete a;
	int64_t id;

	assert_int_equal(store_athlete_add(st, "anna", 70000, 1), 0);
	assert_int_equal(store_athlete_get(st, "anna", &a), 0);
	assert_int_equal(store_session_begin(st, a.id, "p", "week3-day2",
					     "2026-11-24", 1000, &id), 0);
	if (athlete_id)
		*athlete_id = a.id;
	return id;
}

static void end_session(struct store *st, int64_t sid)
{
	struct store_session r = { .id = sid, .ended_s = 2000 };

	strcpy(r.end_cause, "completed");
	assert_int_equal(store_session_end(st, &r), 0);
}

static void add_event(struct store *st, int64_t wall_ms, int64_t sid,
		      int64_t aid, const char *kind, const char *cause)
{
	struct store_event ev = { 0 };

	ev.wall_ms = wall_ms;
	ev.mono_ns = (uint64_t)wall_ms * 1000000 + 7;
	ev.session_id = sid;
	ev.athlete_id = aid;
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.cause, sizeof(ev.cause), "%s", cause);
	snprintf(ev.detail, sizeof(ev.detail), "detail of %s", kind);
	assert_int_equal(store_event_add(st, &ev, NULL), 0);
}

static struct store_event *events(struct store *st, int64_t aid,
				  int64_t sid, int64_t since_ms,
				  int64_t before_id, unsigned int limit,
				  size_t *n)
{
	struct store_event_filter f = { aid, sid, since_ms, before_id, limit };
	struct store_event *l;

	assert_int_equal(store_events(st, &f, &l, n), 0);
	return l;
}

static void test_events_survive_reopen_newest_first(void **state)
{
	struct store *st;
	struct store_event *l;
	int64_t sid, aid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, &aid);
	add_event(st, 5000, sid, aid, "start", "operator");
	add_event(st, 6000, 0, 0, "fault", "stale-samples");
	end_session(st, sid);
	add_event(st, 7000, sid, aid, "end", "completed");
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	l = events(st, 0, 0, 0, 0, 10, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].kind, "end");
	assert_int_equal(l[0].wall_ms, 7000);
	assert_string_equal(l[1].kind, "fault");
	assert_string_equal(l[1].cause, "stale-samples");
	assert_int_equal(l[1].session_id, 0);
	assert_int_equal(l[1].athlete_id, 0);
	assert_string_equal(l[1].athlete, "");
	assert_string_equal(l[2].kind, "start");
	assert_int_equal(l[2].wall_ms, 5000);
	assert_true(l[2].mono_ns == 5000000007ull);
	assert_int_equal(l[2].session_id, sid);
	assert_string_equal(l[2].athlete, "anna");
	assert_string_equal(l[2].detail, "detail of start");
	assert_true(l[0].id > l[1].id && l[1].id > l[2].id);
	free(l);
	store_close(st);
}

static void test_event_of_unknown_kind_is_refused(void **state)
{
	struct store *st;
	struct store_event ev = { .wall_ms = 1 };
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	strcpy(ev.kind, "explosion");
	assert_int_equal(store_event_add(st, &ev, NULL), -EINVAL);
	free(events(st, 0, 0, 0, 0, 10, &n));
	assert_int_equal(n, 0);
	store_close(st);
}

/*
 * What leverd reads back goes out as JSON, which holds only UTF-8: a
 * hand-edited database's stray byte, or a text longer than its field cut
 * inside a character, made a reply that could not be built. Read back,
 * each is valid UTF-8 with '?' for a byte that starts no character.
 */
static void test_text_read_back_is_utf8_whatever_the_database_holds(void **s)
{
	char path[128], sql[1024], e_acute[2 * STORE_EVENT_DETAIL_MAX + 1];
	struct store *st;
	struct store_event *l;
	sqlite3 *db;
	size_t n, i;

	assert_int_equal(store_open(&st, dir), 0);
	add_event(st, 5000, 0, 0, "fault", "stale-samples");
	add_event(st, 6000, 0, 0, "fault", "stale-samples");
	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i + 2 < sizeof(e_acute); i += 2)
		memcpy(e_acute + i, "\xc3\xa9", 2);
	e_acute[i] = '\0';
	snprintf(sql, sizeof(sql),
		 "UPDATE events SET detail = CAST(X'6361666580E9' AS TEXT)"
		 " WHERE wall_ms = 5000;"
		 "UPDATE events SET detail = '%s' WHERE wall_ms = 6000;",
		 e_acute);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	l = events(st, 0, 0, 0, 0, 10, &n);
	assert_int_equal(n, 2);
	/* 255 bytes: 127 whole characters, the cut one's lead byte a '?' */
	assert_int_equal(strlen(l[0].detail), STORE_EVENT_DETAIL_MAX - 1);
	assert_int_equal(strncmp(l[0].detail, e_acute, 254), 0);
	assert_int_equal(l[0].detail[254], '?');
	assert_string_equal(l[1].detail, "cafe??");
	free(l);
	store_close(st);
}

static void test_events_filter_by_session_athlete_time_and_page(void **state)
{
	struct store *st;
	struct store_event *l;
	int64_t sid, aid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, &aid);
	add_event(st, 1000, 0, 0, "estop", "pressed");
	add_event(st, 2000, sid, aid, "start", "operator");
	add_event(st, 3000, sid, aid, "pain", "operator");
	add_event(st, 4000, sid, aid, "end", "pain");
	add_event(st, 5000, 0, 0, "reset", "operator");

	free(events(st, 0, sid, 0, 0, 10, &n));
	assert_int_equal(n, 3);
	free(events(st, aid, 0, 0, 0, 10, &n));
	assert_int_equal(n, 3);
	l = events(st, 0, 0, 3000, 0, 10, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[2].kind, "pain");
	free(l);
	/* pages: the two newest, then the two before them */
	l = events(st, 0, 0, 0, 0, 2, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[1].kind, "end");
	free(l);
	l = events(st, 0, 0, 0, 4, 2, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "pain");
	assert_string_equal(l[1].kind, "start");
	free(l);
	store_close(st);
}

/*
 * The control socket's "events" runs in the event loop: a page of one
 * session's or one athlete's events, or the page before an id, is found
 * through an index, never by stepping through every event ever recorded.
 */
static void test_event_pages_use_an_index_not_a_scan(void **state)
{
	struct store *st;
	struct store_event *l;
	int64_t sid, aid, other;
	size_t n;
	int i;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, &aid);
	assert_int_equal(store_session_begin(st, aid, "p", "week3-day3",
					     "2026-11-25", 3000, &other), 0);
	add_event(st, 1000, sid, aid, "start", "operator");
	for (i = 0; i < 200; i++)
		add_event(st, 2000 + i, other, 0, "fault", "stale-sample");
	l = events(st, 0, sid, 0, 0, 50, &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].session_id, sid);
	free(l);
	assert_int_equal(store_events_scan_steps(st), 0);
	l = events(st, aid, 0, 0, 0, 50, &n);
	assert_int_equal(n, 1);
	free(l);
	assert_int_equal(store_events_scan_steps(st), 0);
	l = events(st, 0, 0, 0, 100, 10, &n);
	assert_int_equal(n, 10);
	assert_int_equal(l[0].id, 99);
	free(l);
	assert_int_equal(store_events_scan_steps(st), 0);
	store_close(st);
}

static void test_running_session_at_reopen_gets_an_end_event(void **state)
{
	struct store *st;
	struct store_event *l;
	int64_t sid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	store_close(st);	/* as if leverd died here */
	assert_int_equal(store_open(&st, dir), 0);
	l = events(st, 0, sid, 0, 0, 10, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].kind, "end");
	assert_string_equal(l[0].cause, "interrupted");
	free(l);
	store_close(st);
	/* and only once */
	assert_int_equal(store_open(&st, dir), 0);
	free(events(st, 0, sid, 0, 0, 10, &n));
	assert_int_equal(n, 1);
	store_close(st);
}

/*
 * A session's end record and its end event are two commits: a power cut
 * between them (make check-powercut's cut 14) left a session ended
 * "operator stop" with no end event, for good. The next open adds it,
 * once, saying why; a session of before the events (no start event) gets
 * none invented, and one whose end event was written gets no second.
 */
static void test_ended_session_whose_end_event_was_lost_gets_it_at_reopen(void **state)
{
	struct store_session r = { .ended_s = 2000, .elapsed_ms = 12000 };
	struct store *st;
	struct store_event *l;
	int64_t sid, aid, old, whole;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, &aid);
	add_event(st, 5000, sid, aid, "start", "operator");
	add_event(st, 6000, sid, aid, "stop", "operator");
	r.id = sid;
	strcpy(r.end_cause, "operator stop");
	assert_int_equal(store_session_end(st, &r), 0);
	/* the power goes here, before the end event's commit */
	assert_int_equal(store_session_begin(st, aid, "p", "week3-day3",
					     "2026-11-24", 3000, &old), 0);
	end_session(st, old);	/* no start event: recorded before events */
	assert_int_equal(store_session_begin(st, aid, "p", "week3-day1",
					     "2026-11-24", 4000, &whole), 0);
	add_event(st, 7000, whole, aid, "start", "operator");
	end_session(st, whole);
	add_event(st, 8000, whole, aid, "end", "completed");
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	l = events(st, 0, sid, 0, 0, 10, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].kind, "end");	/* newest first */
	assert_string_equal(l[0].cause, "operator stop");
	assert_int_equal(l[0].session_id, sid);
	assert_int_equal(l[0].athlete_id, aid);
	assert_non_null(strstr(l[0].detail, "lost"));
	free(l);
	free(events(st, 0, old, 0, 0, 10, &n));
	assert_int_equal(n, 0);
	free(events(st, 0, whole, 0, 0, 10, &n));
	assert_int_equal(n, 2);
	store_close(st);
	/* and only once */
	assert_int_equal(store_open(&st, dir), 0);
	free(events(st, 0, sid, 0, 0, 10, &n));
	assert_int_equal(n, 3);
	store_close(st);
}

/*
 * A started session, then its end record and end event written inside a
 * transaction left open (as sess_record_end() writes them); its id.
 */
static int64_t end_in_a_transaction(struct store *st)
{
	struct store_session r = { .ended_s = 2000, .elapsed_ms = 12000 };
	int64_t sid, aid;

	sid = anna_session(st, &aid);
	add_event(st, 5000, sid, aid, "start", "operator");
	r.id = sid;
	strcpy(r.end_cause, "operator stop");
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_session_end(st, &r), 0);
	add_event(st, 6000, sid, aid, "end", "operator stop");
	return sid;
}

/* A session's end record and its end event, one commit: both stay. */
static void test_writes_of_one_transaction_are_kept_together(void **state)
{
	struct store_session got;
	struct store *st;
	struct store_event *l;
	int64_t sid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = end_in_a_transaction(st);
	assert_int_equal(store_commit(st), 0);
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_session_get(st, sid, &got), 0);
	assert_string_equal(got.end_cause, "operator stop");
	l = events(st, 0, sid, 0, 0, 10, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "end");
	assert_string_equal(l[0].cause, "operator stop");
	assert_null(strstr(l[0].detail, "lost"));	/* the real one */
	free(l);
	store_close(st);
}

/*
 * The power goes before the commit: neither the end record nor its event
 * is kept, and the session is the interrupted one it then was, with one
 * end event (a connection closed inside a transaction loses it as a cut
 * does: its frames in the log have no commit).
 */
static void test_a_cut_inside_a_transaction_keeps_none_of_it(void **state)
{
	struct store_session got;
	struct store *st;
	struct store_event *l;
	int64_t sid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = end_in_a_transaction(st);
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_session_get(st, sid, &got), 0);
	assert_string_equal(got.end_cause, "interrupted");
	l = events(st, 0, sid, 0, 0, 10, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "end");
	assert_string_equal(l[0].cause, "interrupted");
	free(l);
	store_close(st);
}

/* A rollback keeps nothing of the transaction; later writes commit. */
static void test_a_rolled_back_transaction_keeps_nothing(void **state)
{
	struct store *st;
	struct store_event *l;
	int64_t sid, aid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, &aid);
	assert_int_equal(store_begin(st), 0);
	add_event(st, 5000, sid, aid, "start", "operator");
	store_rollback(st);
	add_event(st, 6000, sid, aid, "stop", "operator");
	store_close(st);

	assert_int_equal(store_open(&st, dir), 0);
	/* the stop, and the end the reopen gave the running session */
	l = events(st, 0, sid, 0, 0, 10, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "end");
	assert_string_equal(l[1].kind, "stop");
	free(l);
	store_close(st);
}

/*
 * In WAL mode synchronous=NORMAL syncs the log only at a checkpoint: a
 * power cut would take every trace batch since then, minutes of trace.
 * The recorder's commits are durable as the event loop's are.
 */
static void test_trace_writer_commits_are_durable(void **state)
{
	struct store *st, *w;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_open_trace_writer(&w, dir), 0);
	assert_int_equal(store_synchronous(w), 2);	/* FULL */
	store_close(w);
	store_close(st);
}

static void test_database_is_in_wal_mode(void **state)
{
	struct store *st, *w;
	char mode[16] = "";

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_journal_mode(st, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "wal");
	assert_int_equal(store_open_trace_writer(&w, dir), 0);
	assert_int_equal(store_synchronous(st), 2);	/* FULL */
	store_close(w);
	store_close(st);
}

/*
 * A WAL checkpoint copies up to a thousand pages into the database and
 * fsyncs it: the recorder's connection does that, never the event loop's,
 * which forwards the e-stop line and answers the control socket.
 */
static void test_only_the_recorder_connection_checkpoints(void **state)
{
	struct store *st, *w;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_open_trace_writer(&w, dir), 0);
	assert_int_equal(store_wal_autocheckpoint(st), 0);
	assert_true(store_wal_autocheckpoint(w) > 0);
	store_close(w);
	store_close(st);
}

/* A clinic's database as the first release (schema version 1) left it. */
static void make_version_1_database(void)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"PRAGMA journal_mode=DELETE;"
		"CREATE TABLE athletes (id INTEGER PRIMARY KEY,"
		" name TEXT NOT NULL UNIQUE,"
		" mass_g INTEGER NOT NULL CHECK (mass_g > 0),"
		" created_s INTEGER NOT NULL);"
		"CREATE TABLE sessions (id INTEGER PRIMARY KEY,"
		" athlete_id INTEGER NOT NULL REFERENCES athletes(id),"
		" plan TEXT NOT NULL, session TEXT NOT NULL,"
		" date TEXT NOT NULL, started_s INTEGER NOT NULL,"
		" ended_s INTEGER NOT NULL DEFAULT 0,"
		" completed INTEGER NOT NULL DEFAULT 0,"
		" pain INTEGER NOT NULL DEFAULT 0,"
		" pain_score INTEGER NOT NULL DEFAULT -1,"
		" end_cause TEXT NOT NULL DEFAULT 'running',"
		" elapsed_ms INTEGER NOT NULL DEFAULT 0,"
		" steps_skipped INTEGER NOT NULL DEFAULT 0);"
		"CREATE INDEX sessions_by_athlete ON sessions(athlete_id, id);"
		"CREATE TABLE criteria ("
		" athlete_id INTEGER NOT NULL REFERENCES athletes(id),"
		" plan TEXT NOT NULL, confirmed_s INTEGER NOT NULL,"
		" PRIMARY KEY (athlete_id, plan));"
		"INSERT INTO athletes VALUES (1, 'anna', 70000, 100);"
		"INSERT INTO sessions VALUES (1, 1, 'p', 'week3-day2',"
		" '2026-11-20', 1000, 2560, 1, 0, -1, 'completed', 1560000, 0);"
		"INSERT INTO sessions(athlete_id, plan, session, date, started_s)"
		" VALUES (1, 'p', 'week3-day3', '2026-11-22', 2000);"
		"INSERT INTO criteria VALUES (1, 'p', 900);"
		"PRAGMA user_version=1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_version_1_database_keeps_its_records(void **state)
{
	struct store *st, *w;
	struct store_session *list;
	struct store_trace_row row = { .t_ms = 0, .samples = 100 };
	struct store_athlete a;
	struct store_event *ev;
	char mode[16] = "";
	bool yes = false;
	size_t n;

	make_version_1_database();
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_athlete_get(st, "anna", &a), 0);
	assert_int_equal(a.mass_g, 70000);
	assert_int_equal(store_sessions(st, a.id, NULL, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].end_cause, "completed");
	assert_int_equal(list[0].elapsed_ms, 1560000);
	assert_string_equal(list[1].end_cause, "interrupted");
	free(list);
	assert_int_equal(store_criteria_confirmed(st, a.id, "p", &yes), 0);
	assert_true(yes);
	ev = events(st, 0, 2, 0, 0, 10, &n);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].cause, "interrupted");
	free(ev);
	assert_int_equal(store_journal_mode(st, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "wal");
	assert_int_equal(store_open_trace_writer(&w, dir), 0);
	assert_int_equal(store_trace_add(w, 1, &row, 1), 0);
	store_close(w);
	assert_int_equal(store_trace_count(st, 1, &n), 0);
	assert_int_equal(n, 1);
	store_close(st);
}

/*
 * A clinic's database as the second release (schema version 2: events and
 * traces, no mass or unit per session) left it, with one row of each.
 */
static void make_version_2_database(void)
{
	char path[128];
	sqlite3 *db;

	make_version_1_database();
	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"UPDATE sessions SET end_cause = 'interrupted'"
		" WHERE end_cause = 'running';"
		"CREATE TABLE events (id INTEGER PRIMARY KEY,"
		" wall_ms INTEGER NOT NULL, mono_ns INTEGER NOT NULL,"
		" session_id INTEGER REFERENCES sessions(id),"
		" athlete_id INTEGER REFERENCES athletes(id),"
		" kind TEXT NOT NULL, cause TEXT NOT NULL,"
		" detail TEXT NOT NULL DEFAULT '');"
		"CREATE INDEX events_by_session ON events(session_id);"
		"CREATE INDEX events_by_athlete ON events(athlete_id);"
		"CREATE TABLE trace (session_id INTEGER NOT NULL"
		" REFERENCES sessions(id), t_ms INTEGER NOT NULL,"
		" samples INTEGER NOT NULL, force_mn_mean INTEGER NOT NULL,"
		" force_mn_min INTEGER NOT NULL, force_mn_max INTEGER NOT NULL,"
		" pressure_pa_mean INTEGER NOT NULL,"
		" belt_mm_s_mean INTEGER NOT NULL,"
		" cmd_pressure_pa INTEGER NOT NULL,"
		" cmd_belt_mm_s INTEGER NOT NULL,"
		" cmd_incline_centi_pct INTEGER NOT NULL,"
		" faults INTEGER NOT NULL, mode INTEGER NOT NULL,"
		" PRIMARY KEY (session_id, t_ms)) WITHOUT ROWID;"
		"INSERT INTO events VALUES (1, 1000000, 5, 1, 1, 'start',"
		" 'operator', '');"
		"INSERT INTO events VALUES (2, 1001560, 6, 1, 1, 'end',"
		" 'completed', '');"
		"INSERT INTO trace VALUES (1, 0, 100, 1, 2, 3, 4, 2500, 6, 7,"
		" 8, 0, 1);"
		"PRAGMA user_version=2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_version_1_database_migrates_to_the_current_schema(void **state)
{
	struct store *st;
	struct store_session r;

	make_version_1_database();
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_session_get(st, 1, &r), 0);
	assert_string_equal(r.end_cause, "completed");
	/* not recorded then: unknown, never guessed from today's athlete */
	assert_int_equal(r.mass_g, 0);
	assert_string_equal(r.board_serial, "");
	assert_int_equal(r.operator_uid, -1);
	store_close(st);
}

static void test_version_2_database_keeps_every_row(void **state)
{
	struct store *st;
	struct store_session *list;
	struct store_trace_row *rows;
	struct store_event *ev;
	size_t n;

	make_version_2_database();
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_sessions(st, 1, NULL, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].elapsed_ms, 1560000);
	assert_int_equal(list[0].mass_g, 0);
	assert_string_equal(list[1].end_cause, "interrupted");
	free(list);
	ev = events(st, 0, 1, 0, 0, 10, &n);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].kind, "end");
	assert_string_equal(ev[1].kind, "start");
	free(ev);
	assert_int_equal(store_trace_rows(st, 1, 0, 10, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].belt_mm_s_mean, 2500);
	free(rows);
	store_close(st);
}

/*
 * A clinic's database as the third release (schema version 3: mass, unit
 * and operator per session, steps) left it; the athlete's mass has no date.
 */
static void make_version_3_database(void)
{
	char path[128];
	sqlite3 *db;

	make_version_2_database();
	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"ALTER TABLE sessions ADD COLUMN mass_g INTEGER"
		" CHECK (mass_g IS NULL OR mass_g > 0);"
		"ALTER TABLE sessions ADD COLUMN board_serial TEXT NOT NULL"
		" DEFAULT '';"
		"ALTER TABLE sessions ADD COLUMN operator_uid INTEGER;"
		"CREATE TABLE steps (session_id INTEGER NOT NULL"
		" REFERENCES sessions(id), t_ms INTEGER NOT NULL,"
		" step_index INTEGER NOT NULL, step_count INTEGER NOT NULL,"
		" kind TEXT NOT NULL, bw_carried_pct_x100 INTEGER NOT NULL,"
		" belt_speed_mm_s INTEGER NOT NULL,"
		" PRIMARY KEY (session_id, t_ms, step_index)) WITHOUT ROWID;"
		"UPDATE sessions SET mass_g = 70000, board_serial = 'LVR-7',"
		" operator_uid = 1000 WHERE id = 1;"
		"INSERT INTO steps VALUES (1, 0, 0, 5, 'warmup', 9000, 1400);"
		"PRAGMA user_version=3;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_version_3_database_keeps_every_row_without_a_weigh_in(void **state)
{
	struct store *st;
	struct store_session r;
	struct store_athlete a;
	struct store_weighin *w;
	struct store_step *steps;
	size_t n;

	make_version_3_database();
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_session_get(st, 1, &r), 0);
	assert_int_equal(r.mass_g, 70000);
	assert_string_equal(r.board_serial, "LVR-7");
	assert_int_equal(r.operator_uid, 1000);
	assert_int_equal(store_steps(st, 1, &steps, &n), 0);
	assert_int_equal(n, 1);
	free(steps);
	assert_int_equal(store_athlete_get(st, "anna", &a), 0);
	assert_int_equal(a.mass_g, 70000);
	/* when the mass was last checked is unknown: no date is invented */
	assert_int_equal(a.weighed_s, 0);
	assert_int_equal(store_weighins(st, a.id, &w, &n), 0);
	assert_int_equal(n, 0);
	free(w);
	assert_int_equal(a.anonymised_s, 0);
	store_close(st);
}

static void test_migration_happens_once_and_keeps_new_columns(void **state)
{
	struct store *st;
	struct store_session r;

	make_version_2_database();
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_session_set_unit(st, 1, "SIM-0001", 1000), 0);
	store_close(st);
	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_session_get(st, 1, &r), 0);
	assert_string_equal(r.board_serial, "SIM-0001");
	assert_int_equal(r.operator_uid, 1000);
	store_close(st);
}

/*
 * The schema of the database in @d as text without spaces, case or IF NOT
 * EXISTS: every table's and index's columns, types, defaults, keys and
 * checks, whatever statements made them and however they were laid out.
 */
static char *schema_of(const char *d)
{
	char path[128], *out, *o;
	sqlite3_stmt *s;
	size_t len = 1;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/lever.db", d);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT type || ' ' || name || ' ' || tbl_name || ' '"
		" || coalesce(sql, '') FROM sqlite_master ORDER BY name;",
		-1, &s, NULL), SQLITE_OK);
	out = calloc(1, 1);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		len += strlen(t) + 1;
		out = realloc(out, len);
		assert_non_null(out);
		strcat(out, t);
		strcat(out, "\n");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	for (o = out; *o; o++)
		*o = (char)tolower((unsigned char)*o);
	while ((o = strstr(out, "if not exists ")))
		memmove(o, o + 14, strlen(o + 14) + 1);
	for (o = out; *o; )
		if (*o == ' ' || *o == '\t')
			memmove(o, o + 1, strlen(o + 1) + 1);
		else
			o++;
	return out;
}

static void test_new_database_has_the_schema_a_migrated_one_has(void **state)
{
	char migrated[64] = "/tmp/lever-test-store-XXXXXX", cmd[128];
	struct store *st;
	char *fresh, *old;

	assert_int_equal(store_open(&st, dir), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	fresh = schema_of(dir);

	/* a first release's database, brought forward version by version */
	assert_non_null(mkdtemp(migrated));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	strcpy(dir, migrated);
	make_version_1_database();
	assert_int_equal(store_open(&st, dir), 0);
	store_close(st);
	old = schema_of(dir);

	assert_string_equal(fresh, old);
	/* and it is the whole schema, not two empty answers */
	assert_non_null(strstr(fresh, "anonymised_sintegernotnulldefault0"));
	assert_non_null(strstr(fresh, "mass_gintegercheck(mass_gisnullormass_g>0)"));
	assert_non_null(strstr(fresh, "tableweighinsweighins"));
	free(fresh);
	free(old);
}

static void test_database_of_a_newer_leverd_is_refused(void **state)
{
	char path[128];
	struct store *st;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99;", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st, dir), -EPROTO);
}

/* Whether any byte of the database or its log holds @needle. */
static bool files_hold(const char *needle)
{
	static const char *const names[] = { "lever.db", "lever.db-wal" };
	char path[128], *buf;
	bool found = false;
	size_t len, nl = strlen(needle);
	FILE *f;

	for (size_t i = 0; i < 2 && !found; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		if (!f)
			continue;
		buf = malloc(1 << 24);
		assert_non_null(buf);
		len = fread(buf, 1, 1 << 24, f);
		fclose(f);
		for (size_t j = 0; j + nl <= len && !found; j++)
			found = !memcmp(buf + j, needle, nl);
		free(buf);
	}
	return found;
}

static void test_anonymise_drops_the_name_everywhere_keeps_the_records(void **state)
{
	struct store_event ev = { .kind = "start", .cause = "operator" }, *l;
	struct store *st;
	struct store_athlete a;
	struct store_session *recs;
	char anon[64];
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	ev.session_id = anna_session(st, NULL);
	store_athlete_get(st, "anna", &a);
	ev.athlete_id = a.id;
	snprintf(ev.detail, sizeof(ev.detail),
		 "plan p, session week1-day1, athlete anna, 70.0 kg");
	assert_int_equal(store_event_add(st, &ev, NULL), 0);
	assert_int_equal(store_athlete_anonymise(st, "anna", 500, anon,
						 sizeof(anon)), 0);
	assert_string_equal(anon, "anonymous-1");
	assert_int_equal(store_athlete_get(st, "anna", &a), -ENOENT);
	assert_int_equal(store_athlete_get(st, anon, &a), 0);
	assert_int_equal(a.anonymised_s, 500);
	assert_int_equal(store_sessions(st, a.id, NULL, &recs, &n), 0);
	assert_int_equal(n, 1);
	free(recs);
	l = events(st, a.id, 0, 0, 0, 10, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].detail,
			    "plan p, session week1-day1, athlete anonymous-1, 70.0 kg");
	free(l);
	store_close(st);
	/* and not in a freed page or the log either */
	assert_false(files_hold("athlete anna"));
}

static void test_anonymise_after_a_rename_drops_every_name_it_had(void **state)
{
	struct store_event ev = { .kind = "start", .cause = "operator" }, *l;
	struct store *st;
	struct store_athlete a;
	char anon[64];
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	ev.session_id = anna_session(st, &ev.athlete_id);
	strcpy(ev.detail, "plan p, session week3-day2, athlete anna, 70.0 kg");
	assert_int_equal(store_event_add(st, &ev, NULL), 0);
	assert_int_equal(store_athlete_rename(st, "anna", "zuzanna-q"), 0);
	l = events(st, ev.athlete_id, 0, 0, 0, 10, &n);
	assert_string_equal(l[0].detail,
			    "plan p, session week3-day2, athlete zuzanna-q, 70.0 kg");
	free(l);
	assert_int_equal(store_athlete_anonymise(st, "zuzanna-q", 9, anon,
						 sizeof(anon)), 0);
	assert_int_equal(store_athlete_get(st, anon, &a), 0);
	store_close(st);
	assert_false(files_hold("athlete anna"));
	assert_false(files_hold("zuzanna-q"));
}

static void test_remove_erases_every_record_of_the_athlete_only(void **state)
{
	struct store_event ev = { .kind = "start", .cause = "operator" }, *l;
	struct store_trace_row row = { .samples = 100 };
	struct store_step step = { .kind = "warmup" };
	struct store_removed r;
	struct store *st;
	struct store_athlete a, b;
	struct store_session *recs, one;
	int64_t sid, bid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	store_athlete_add(st, "ben", 80000, 1);
	store_athlete_get(st, "anna", &a);
	store_athlete_get(st, "ben", &b);
	assert_int_equal(store_session_begin(st, b.id, "p", "week1-day1",
					     "2026-11-20", 10, &bid), 0);
	assert_int_equal(store_athlete_weigh(st, "anna", 71000, 50), 0);
	assert_int_equal(store_trace_add(st, sid, &row, 1), 0);
	assert_int_equal(store_trace_add(st, bid, &row, 1), 0);
	assert_int_equal(store_step_add(st, sid, &step), 0);
	assert_int_equal(store_criteria_confirm(st, a.id, "p", 9), 0);
	ev.session_id = sid;
	ev.athlete_id = a.id;
	strcpy(ev.detail, "athlete anna-secret-marker");
	assert_int_equal(store_event_add(st, &ev, NULL), 0);
	ev.session_id = bid;
	ev.athlete_id = b.id;
	strcpy(ev.detail, "athlete ben");
	assert_int_equal(store_event_add(st, &ev, NULL), 0);

	assert_int_equal(store_athlete_remove(st, "anna", &r), 0);
	assert_int_equal(r.sessions, 1);
	assert_int_equal(r.events, 1);
	assert_int_equal(r.trace_rows, 1);
	assert_int_equal(r.weighins, 2);
	assert_int_equal(store_athlete_get(st, "anna", &a), -ENOENT);
	assert_int_equal(store_session_get(st, sid, &one), -ENOENT);
	assert_int_equal(store_trace_count(st, sid, &n), 0);
	assert_int_equal(n, 0);
	/* ben's records are untouched */
	assert_int_equal(store_sessions(st, b.id, NULL, &recs, &n), 0);
	assert_int_equal(n, 1);
	free(recs);
	assert_int_equal(store_trace_count(st, bid, &n), 0);
	assert_int_equal(n, 1);
	l = events(st, 0, 0, 0, 0, 10, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].detail, "athlete ben");
	free(l);
	assert_int_equal(store_athlete_remove(st, "anna", NULL), -ENOENT);
	store_close(st);
	assert_false(files_hold("anna-secret-marker"));
}

static void test_session_keeps_the_mass_it_started_with(void **state)
{
	struct store *st;
	struct store_session r;
	int64_t sid;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	assert_int_equal(store_athlete_weigh(st, "anna", 72500, 3000), 0);
	assert_int_equal(store_session_get(st, sid, &r), 0);
	assert_int_equal(r.mass_g, 70000);
	store_close(st);
}

static void test_session_records_its_board_and_operator(void **state)
{
	struct store *st;
	struct store_session r;
	int64_t sid;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	assert_int_equal(store_session_set_unit(st, sid, "LVR-42", 0), 0);
	assert_int_equal(store_session_get(st, sid, &r), 0);
	assert_string_equal(r.board_serial, "LVR-42");
	assert_int_equal(r.operator_uid, 0);
	assert_int_equal(store_session_set_unit(st, sid + 1, "x", 0),
			 -ENOENT);
	store_close(st);
}

static void test_steps_read_back_in_time_order(void **state)
{
	struct store *st;
	struct store_step a = { .t_ms = 300000, .step_index = 1,
				.step_count = 3, .kind = "run",
				.bw_carried_pct_x100 = 8000,
				.belt_speed_mm_s = 2500 };
	struct store_step b = { .t_ms = 0, .step_index = 0, .step_count = 3,
				.kind = "warmup" }, *l;
	int64_t sid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	assert_int_equal(store_step_add(st, sid, &a), 0);
	assert_int_equal(store_step_add(st, sid, &b), 0);
	assert_int_equal(store_steps(st, sid, &l, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].kind, "warmup");
	assert_memory_equal(&l[1], &a, sizeof(a));
	free(l);
	store_close(st);
}

static void test_trace_rows_read_back_in_time_order_by_page(void **state)
{
	struct store *st, *w;
	struct store_trace_row rows[3] = {
		{ .t_ms = 200, .samples = 50, .force_mn_mean = -5 },
		{ .t_ms = 0, .samples = 100, .force_mn_mean = 1,
		  .force_mn_min = -2, .force_mn_max = 3,
		  .pressure_pa_mean = 4, .belt_mm_s_mean = 5,
		  .cmd_pressure_pa = 6, .cmd_belt_mm_s = 7,
		  .cmd_incline_centi_pct = -8, .faults = 9, .mode = 1 },
		{ .t_ms = 100, .samples = 100 },
	}, *r;
	int64_t sid;
	size_t n;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	assert_int_equal(store_open_trace_writer(&w, dir), 0);
	assert_int_equal(store_trace_add(w, sid, rows, 3), 0);
	store_close(w);
	assert_int_equal(store_trace_count(st, sid, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_trace_rows(st, sid, 0, 2, &r, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&r[0], &rows[1], sizeof(r[0]));
	assert_int_equal(r[1].t_ms, 100);
	free(r);
	assert_int_equal(store_trace_rows(st, sid, 2, 2, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].t_ms, 200);
	assert_int_equal(r[0].force_mn_mean, -5);
	free(r);
	store_close(st);
}

static void test_session_get_by_id(void **state)
{
	struct store *st;
	struct store_session r;
	int64_t sid;

	assert_int_equal(store_open(&st, dir), 0);
	sid = anna_session(st, NULL);
	assert_int_equal(store_session_get(st, sid, &r), 0);
	assert_string_equal(r.session, "week3-day2");
	assert_int_equal(store_session_get(st, sid + 1, &r), -ENOENT);
	store_close(st);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_athletes_survive_reopen),
		T(test_duplicate_athlete_is_refused),
		T(test_unknown_athlete_is_enoent),
		T(test_weigh_in_is_the_mass_from_then_on),
		T(test_weigh_ins_are_a_dated_history),
		T(test_rename_keeps_the_records),
		T(test_anonymise_drops_the_name_everywhere_keeps_the_records),
		T(test_anonymise_after_a_rename_drops_every_name_it_had),
		T(test_remove_erases_every_record_of_the_athlete_only),
		T(test_athlete_list_is_sorted_by_name),
		T(test_session_record_survives_reopen),
		T(test_running_session_reads_back_interrupted),
		T(test_sessions_filter_by_plan_in_order),
		T(test_criteria_confirmation_is_kept),
		T(test_database_is_synchronous_full),
		T(test_trace_writer_commits_are_durable),
		T(test_unwritable_state_dir_is_an_error),
		T(test_events_survive_reopen_newest_first),
		T(test_event_of_unknown_kind_is_refused),
		T(test_text_read_back_is_utf8_whatever_the_database_holds),
		T(test_events_filter_by_session_athlete_time_and_page),
		T(test_event_pages_use_an_index_not_a_scan),
		T(test_running_session_at_reopen_gets_an_end_event),
		T(test_ended_session_whose_end_event_was_lost_gets_it_at_reopen),
		T(test_writes_of_one_transaction_are_kept_together),
		T(test_a_cut_inside_a_transaction_keeps_none_of_it),
		T(test_a_rolled_back_transaction_keeps_nothing),
		T(test_database_is_in_wal_mode),
		T(test_only_the_recorder_connection_checkpoints),
		T(test_version_1_database_keeps_its_records),
		T(test_version_1_database_migrates_to_the_current_schema),
		T(test_version_2_database_keeps_every_row),
		T(test_version_3_database_keeps_every_row_without_a_weigh_in),
		T(test_migration_happens_once_and_keeps_new_columns),
		T(test_new_database_has_the_schema_a_migrated_one_has),
		T(test_database_of_a_newer_leverd_is_refused),
		T(test_session_keeps_the_mass_it_started_with),
		T(test_session_records_its_board_and_operator),
		T(test_steps_read_back_in_time_order),
		T(test_trace_rows_read_back_in_time_order_by_page),
		T(test_session_get_by_id),
	};

	return cmocka_run_group_tests_name("records store", tests, NULL, NULL);
}
