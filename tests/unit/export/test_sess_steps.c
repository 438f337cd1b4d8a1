// SPDX-License-Identifier: MIT
/*
 * test_sess_steps.c - specification of the steps leverd records for laps:
 * the session logic (sess_) writes where each plan step began, from the
 * session's start, also when its ticks come late and jump over steps, and
 * after a skip. Runs on the shipped plan with injected clocks, like
 * tests/unit/session/test_sess.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sess.h"
#include "store.h"

#define S(x)	((uint64_t)(x) * 1000000000ull)
#define T0	S(100)

static char dir[64];
static struct sess *s;
static struct sess_feedback fb;
static struct sess_targets tg;

static time_t test_wall(void *ctx)
{
	return 1795000000;	/* 2026-11-18 */
}

static void tick(uint64_t t)
{
	fb.now_ns = t;
	sess_tick(s, &fb, &tg);
}

static int req(const char *cmd, const char *args_json, uint64_t t)
{
	json_t *args = args_json ? json_loads(args_json, 0, NULL) : NULL;
	json_t *res = NULL;
	char msg[512];
	int ret;

	ret = sess_request(s, cmd, args, true, t, &res, msg, sizeof(msg));
	json_decref(args);
	json_decref(res);
	return ret;
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/lever-test-steps-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sess_open(&s, LEVER_SRCDIR "/plans", dir), 0);
	sess_set_wall_clock(s, test_wall, NULL);
	memset(&fb, 0, sizeof(fb));
	fb.belt_stopped = true;
	fb.max_support_force_n = 1000.0f;
	tick(S(1));
	assert_int_equal(req("athlete_add",
			     "{\"name\": \"anna\", \"mass_kg\": 70}", S(1)), 0);
	/* week1-day1: warm-up 300 s, then run 60 s / walk 120 s ... */
	assert_int_equal(req("start", "{\"session\": \"week1-day1\","
			     " \"athlete\": \"anna\","
			     " \"confirm_start_criteria\": true}", T0), 0);
	fb.belt_stopped = false;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	sess_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct store_step *steps(size_t *n)
{
	struct store_step *l;

	assert_int_equal(store_steps(sess_store(s), 1, &l, n), 0);
	return l;
}

static void test_each_step_is_recorded_where_it_began(void **state)
{
	struct store_step *l;
	uint64_t t;
	size_t n;

	for (t = T0; t <= T0 + S(700); t += S(1) / 10)
		tick(t);
	l = steps(&n);
	/* warm-up 0 s, run 300 s, walk 360 s, run 480 s, walk 540 s, run 660 s */
	assert_int_equal(n, 6);
	assert_string_equal(l[0].kind, "warmup");
	assert_int_equal(l[0].t_ms, 0);
	assert_string_equal(l[1].kind, "run");
	assert_int_equal(l[1].t_ms, 300000);
	assert_int_equal(l[1].step_index, 1);
	assert_int_equal(l[1].step_count, 10);
	assert_int_equal(l[2].t_ms, 360000);
	assert_int_equal(l[5].t_ms, 660000);
	free(l);
}

static void test_steps_a_late_tick_jumped_over_are_recorded(void **state)
{
	struct store_step *l;
	size_t n;

	tick(T0 + S(1));
	tick(T0 + S(650));	/* the event loop was held up 649 s */
	l = steps(&n);
	assert_int_equal(n, 5);
	assert_int_equal(l[1].t_ms, 300000);
	assert_int_equal(l[2].t_ms, 360000);
	assert_int_equal(l[3].t_ms, 480000);
	assert_int_equal(l[4].step_index, 4);
	assert_int_equal(l[4].t_ms, 540000);
	free(l);
}

static void test_a_skipped_step_ends_where_the_skip_was(void **state)
{
	struct store_step *l;
	size_t n;

	tick(T0 + S(1));
	assert_int_equal(req("skip", NULL, T0 + S(20)), 0);
	tick(T0 + S(20));
	l = steps(&n);
	assert_int_equal(n, 2);
	assert_int_equal(l[1].step_index, 1);
	assert_int_equal(l[1].t_ms, 20000);
	free(l);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_each_step_is_recorded_where_it_began),
		T(test_steps_a_late_tick_jumped_over_are_recorded),
		T(test_a_skipped_step_ends_where_the_skip_was),
	};

	return cmocka_run_group_tests_name("steps recorded for laps", tests,
					   NULL, NULL);
}
