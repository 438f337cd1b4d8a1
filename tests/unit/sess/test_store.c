// SPDX-License-Identifier: MIT
/*
 * test_store.c - specification of the records store: athletes and session
 * records survive closing and reopening (a daemon restart), a session that
 * was running when the daemon died reads back as interrupted, durability is
 * synchronous=FULL.
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
	assert_int_equal(store_athlete_set_mass(st, "bob", 1000), -ENOENT);
	store_close(st);
}

static void test_set_mass_is_kept(void **state)
{
	struct store *st;
	struct store_athlete a;

	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_add(st, "anna", 70000, 1);
	assert_int_equal(store_athlete_set_mass(st, "anna", 68500), 0);
	store_close(st);
	assert_int_equal(store_open(&st, dir), 0);
	store_athlete_get(st, "anna", &a);
	assert_int_equal(a.mass_g, 68500);
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_athletes_survive_reopen),
		T(test_duplicate_athlete_is_refused),
		T(test_unknown_athlete_is_enoent),
		T(test_set_mass_is_kept),
		T(test_athlete_list_is_sorted_by_name),
		T(test_session_record_survives_reopen),
		T(test_running_session_reads_back_interrupted),
		T(test_sessions_filter_by_plan_in_order),
		T(test_criteria_confirmation_is_kept),
		T(test_database_is_synchronous_full),
		T(test_unwritable_state_dir_is_an_error),
	};

	return cmocka_run_group_tests_name("records store", tests, NULL, NULL);
}
