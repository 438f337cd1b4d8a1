// SPDX-License-Identifier: MIT
/*
 * test_plan.c - specification of the plan parser: every rule of
 * Documentation/plans.rst, each error naming file:line:col and what was
 * expected. Uses throw-away directories under /tmp; never the shipped plan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "plan.h"

static const char good_session[] =
	"lever-session 1\n"
	"# a comment\n"
	"title: Test day\n"
	"incline: 1 %\n"
	"bw: 80 %\n"
	"ramp: 10 s\n"
	"\n"
	"warmup 5:00 speed 5.0 km/h incline 0 %\n"
	"repeat 3\n"
	"  run 2:00 speed 8.5 km/h\n"
	"  walk 1:00 speed 5.5 km/h bw 82.5 % ramp 5 s\n"
	"end\n"
	"cooldown 5:00 speed 4.5 km/h\n";

static const char good_plan[] =
	"lever-plan 1\n"
	"name: Test plan\n"
	"author: tester\n"
	"scope: tests\n"
	"description: first line\n"
	"  second line\n"
	"  .\n"
	"  new paragraph\n"
	"provenance: made up\n"
	"disclaimer: not advice\n"
	"weeks: 1\n"
	"sessions-per-week: 2\n"
	"criterion: cleared\n"
	"regression: go back a week\n";

static struct plan_session sess;
static struct plan_error err;

static int parse(const char *text)
{
	return plan_parse_session("t/week1-day1", "week1-day1", text,
				  strlen(text), &sess, &err);
}

/* Parse a session made of the good header plus the given step lines. */
static int parse_steps(const char *steps)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "lever-session 1\nincline: 1 %%\nbw: 80 %%\nramp: 10 s\n%s",
		 steps);
	return parse(buf);
}

static void assert_error_at(unsigned int line, unsigned int col,
			    const char *needle)
{
	if (err.line != line || err.col != col || !strstr(err.msg, needle))
		fail_msg("got %s:%u:%u: %s; wanted %u:%u and '%s'", err.file,
			 err.line, err.col, err.msg, line, col, needle);
	assert_string_equal(err.file, "t/week1-day1");
}

static int teardown(void **state)
{
	plan_session_clear(&sess);
	return 0;
}

static void test_good_session_parses_with_units_converted(void **state)
{
	assert_int_equal(parse(good_session), 0);
	assert_int_equal(sess.week, 1);
	assert_int_equal(sess.day, 1);
	assert_string_equal(sess.title, "Test day");
	assert_int_equal(sess.n_steps, 8);	/* warmup, 3 x 2, cooldown */
	assert_int_equal(sess.steps[0].kind, PLAN_WARMUP);
	assert_int_equal(sess.steps[0].belt_speed_km_h_x100, 500);
	assert_int_equal(sess.steps[0].belt_speed_mm_s, 1389);
	assert_int_equal(sess.steps[0].incline_centi_pct, 0);
	assert_int_equal(sess.steps[0].bw_carried_pct_x100, 8000);
	assert_int_equal(sess.steps[0].ramp_ms, 10000);
	assert_int_equal(sess.steps[0].duration_ms, 300000);
	assert_int_equal(sess.steps[1].kind, PLAN_RUN);
	assert_int_equal(sess.steps[1].belt_speed_mm_s, 2361);
	assert_int_equal(sess.steps[1].incline_centi_pct, 100);
	assert_int_equal(sess.steps[2].bw_carried_pct_x100, 8250);
	assert_int_equal(sess.steps[2].ramp_ms, 5000);
	assert_int_equal(sess.steps[5].repeat_index, 3);
	assert_int_equal(sess.steps[5].repeat_count, 3);
	assert_int_equal(sess.steps[7].kind, PLAN_COOLDOWN);
	assert_int_equal(sess.total_ms, (5 + 9 + 5) * 60000);
	assert_int_equal(sess.run_ms, 6 * 60000);
	assert_int_equal(sess.bw_min_pct_x100, 8000);
	assert_int_equal(sess.bw_max_pct_x100, 8250);
}

static void test_hour_durations_parse(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "run 0:59:00 speed 8 km/h\n"
				     "cooldown 0:05:00 speed 4 km/h\n"), 0);
	assert_int_equal(sess.steps[1].duration_ms, 59 * 60000);
}

static void test_crlf_line_ends_are_accepted(void **state)
{
	assert_int_equal(parse("lever-session 1\r\nincline: 1 %\r\n"
			       "bw: 80 %\r\nramp: 10 s\r\n"
			       "warmup 5:00 speed 5 km/h\r\n"
			       "cooldown 5:00 speed 4 km/h\r\n"), 0);
	assert_int_equal(sess.n_steps, 2);
}

static void test_unknown_header_key_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nspeedd: 3 km/h\n"), -EINVAL);
	assert_error_at(2, 1, "unknown key 'speedd'");
}

static void test_unknown_step_attribute_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h slope 2 %\n"),
			 -EINVAL);
	assert_error_at(5, 26, "unknown attribute 'slope'");
}

static void test_unknown_step_kind_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "jog 2:00 speed 7 km/h\n"), -EINVAL);
	assert_error_at(6, 1, "unknown step 'jog'");
}

static void test_speed_in_wrong_unit_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 mph\n"), -EINVAL);
	assert_error_at(5, 21, "expected the unit 'km/h'");
}

static void test_speed_without_unit_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5\n"), -EINVAL);
	assert_error_at(5, 21, "expected the unit 'km/h' after the belt speed, got the end");
}

static void test_bw_in_kg_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nbw: 56 kg\n"), -EINVAL);
	assert_error_at(2, 8, "expected the unit '%'");
}

static void test_ramp_in_minutes_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nramp: 1 min\n"), -EINVAL);
	assert_error_at(2, 9, "expected the unit 's'");
}

static void test_number_with_three_decimals_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5.125 km/h\n"),
			 -EINVAL);
	assert_error_at(5, 19, "at most 2 decimals");
}

static void test_speed_above_20_km_h_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 20.01 km/h\n"),
			 -EINVAL);
	assert_error_at(5, 19, "expected 0 to 20 km/h");
}

static void test_negative_speed_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed -1 km/h\n"), -EINVAL);
	assert_error_at(5, 19, "expected belt speed as a number");
}

static void test_speed_of_20_km_h_is_accepted(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 20 km/h\n"
				     "cooldown 5:00 speed 0 km/h\n"), 0);
}

static void test_incline_above_15_pct_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h incline 15.5 %\n"),
			 -EINVAL);
	assert_error_at(5, 34, "expected -3 to 15 %");
}

static void test_incline_below_minus_3_pct_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nincline: -3.5 %\n"), -EINVAL);
	assert_error_at(2, 10, "expected -3 to 15 %");
}

static void test_bw_below_50_pct_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nbw: 49.99 %\n"), -EINVAL);
	assert_error_at(2, 5, "expected 50 to 100 %");
}

static void test_bw_above_100_pct_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h bw 101 %\n"),
			 -EINVAL);
	assert_error_at(5, 29, "expected 50 to 100 %");
}

static void test_step_shorter_than_5_s_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 0:04 speed 5 km/h\n"), -EINVAL);
	assert_error_at(5, 8, "expected 0:05 to 60:00");
}

static void test_step_longer_than_60_min_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 60:01 speed 5 km/h\n"), -EINVAL);
	assert_error_at(5, 8, "expected 0:05 to 60:00");
}

static void test_malformed_duration_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:7 speed 5 km/h\n"), -EINVAL);
	assert_error_at(5, 8, "expected a duration like 5:00");
}

static void test_session_longer_than_2_h_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "repeat 3\n"
				     " run 40:00 speed 8 km/h\n"
				     "end\n"
				     "cooldown 5:00 speed 4 km/h\n"), -EINVAL);
	assert_true(strstr(err.msg, "at most 2:00:00") != NULL);
}

static void test_ramp_not_shorter_than_step_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 0:10 speed 5 km/h ramp 10 s\n"),
			 -EINVAL);
	assert_error_at(5, 31, "not shorter than the step");
}

static void test_ramp_above_60_s_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nramp: 61 s\n"), -EINVAL);
	assert_error_at(2, 7, "expected 0 to 60 s");
}

static void test_step_without_speed_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 incline 1 %\n"), -EINVAL);
	assert_error_at(5, 1, "expected 'speed N km/h'");
}

static void test_step_without_bw_and_no_default_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\nincline: 0 %\nramp: 5 s\n"
			       "warmup 5:00 speed 5 km/h\n"), -EINVAL);
	assert_error_at(4, 1, "expected 'bw N %'");
}

static void test_attribute_given_twice_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h speed 6 km/h\n"),
			 -EINVAL);
	assert_error_at(5, 26, "given twice");
}

static void test_first_step_must_be_warmup(void **state)
{
	assert_int_equal(parse_steps("run 5:00 speed 8 km/h\n"), -EINVAL);
	assert_error_at(5, 1, "expected a walking warmup first");
}

static void test_last_step_must_be_cooldown(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "run 5:00 speed 8 km/h\n"), -EINVAL);
	assert_error_at(7, 1, "expected a walking cooldown last");
}

static void test_step_after_cooldown_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "cooldown 5:00 speed 4 km/h\n"
				     "run 5:00 speed 8 km/h\n"), -EINVAL);
	assert_error_at(7, 1, "cooldown to be the last step");
}

static void test_nested_repeat_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "repeat 2\n"
				     "repeat 2\n"), -EINVAL);
	assert_error_at(7, 1, "repeat inside a repeat");
}

static void test_repeat_count_out_of_range_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "repeat 51\n"), -EINVAL);
	assert_error_at(6, 8, "from 1 to 50");
}

static void test_empty_repeat_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "repeat 2\nend\n"), -EINVAL);
	assert_error_at(7, 1, "empty repeat");
}

static void test_end_without_repeat_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\nend\n"),
			 -EINVAL);
	assert_error_at(6, 1, "'end' without a 'repeat'");
}

static void test_header_key_after_steps_is_an_error(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\nbw: 90 %\n"),
			 -EINVAL);
	assert_error_at(6, 1, "after the first step");
}

static void test_missing_magic_line_is_an_error(void **state)
{
	assert_int_equal(parse("title: x\n"), -EINVAL);
	assert_error_at(1, 1, "expected 'lever-session 1'");
}

static void test_empty_file_is_an_error(void **state)
{
	assert_int_equal(parse(""), -EINVAL);
	assert_error_at(1, 1, "empty file");
}

static void test_file_cut_mid_line_is_truncated(void **state)
{
	assert_int_equal(parse("lever-session 1\nincline: 1 %\nbw: 80 %\n"
			       "ramp: 10 s\nwarmup 5:00 speed 5 km/h\n"
			       "cooldown 5:00 spe"), -EINVAL);
	assert_error_at(6, 18, "truncated");
}

static void test_file_cut_inside_repeat_is_truncated(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"
				     "repeat 2\n run 1:00 speed 8 km/h\n"),
			 -EINVAL);
	assert_error_at(8, 1, "inside the repeat of line 6 (truncated?)");
}

static void test_file_cut_before_cooldown_is_truncated(void **state)
{
	assert_int_equal(parse_steps("warmup 5:00 speed 5 km/h\n"), -EINVAL);
	assert_error_at(6, 1, "(truncated?)");
}

static void test_nul_byte_is_an_error(void **state)
{
	static const char text[] = "lever-session 1\nti\0tle: x\n";

	assert_int_equal(plan_parse_session("t/week1-day1", "week1-day1",
					    text, sizeof(text) - 1, &sess,
					    &err), -EINVAL);
	assert_error_at(2, 3, "NUL byte");
}

/*
 * A plan is shown as JSON, which holds only UTF-8: a title saved in
 * Latin-1 parsed, and `leverctl show` then said "out of memory".
 */
static void test_byte_that_is_not_utf8_is_an_error(void **state)
{
	assert_int_equal(parse("lever-session 1\ntitle: \xe9t\xe9\n"), -EINVAL);
	assert_error_at(2, 8, "byte 0xe9 is not UTF-8");
}

/* a title of two, three and four byte characters */
static void test_utf8_text_is_accepted(void **state)
{
	const char *title = strstr(good_session, "Test day");
	char text[1024];

	snprintf(text, sizeof(text), "%.*s%s%s", (int)(title - good_session),
		 good_session, "\xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8f\x83",
		 title + strlen("Test day"));
	assert_int_equal(parse(text), 0);
	assert_string_equal(sess.title, "\xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8f\x83");
}

static void test_bad_session_file_name_is_an_error(void **state)
{
	assert_int_equal(plan_parse_session("t/week01-day1", "week01-day1",
					    good_session,
					    strlen(good_session), &sess, &err),
			 -EINVAL);
	assert_true(strstr(err.msg, "weekN-dayM") != NULL);
}

static void test_session_name_parse_is_strict(void **state)
{
	unsigned int w, d;

	assert_int_equal(plan_session_name_parse("week3-day2", &w, &d), 0);
	assert_int_equal(w, 3);
	assert_int_equal(d, 2);
	assert_int_equal(plan_session_name_parse("week3-day2x", &w, &d),
			 -EINVAL);
	assert_int_equal(plan_session_name_parse("week0-day1", &w, &d),
			 -EINVAL);
	assert_int_equal(plan_session_name_parse("week1-day8", &w, &d),
			 -EINVAL);
	assert_int_equal(plan_session_name_parse("week+1-day1", &w, &d),
			 -EINVAL);
	assert_int_equal(plan_session_name_parse("Week1-day1", &w, &d),
			 -EINVAL);
}

/* ---- plan files and directories ---- */

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_dir(void **state)
{
	strcpy(dir, "/tmp/lever-test-plan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("plan", good_plan);
	put("week1-day1", good_session);
	put("week1-day2", good_session);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_good_plan_directory_loads(void **state)
{
	struct plan *p;

	assert_int_equal(plan_load(dir, &p, &err), 0);
	assert_string_equal(p->name, "Test plan");
	assert_string_equal(p->description,
			    "first line second line\n\nnew paragraph");
	assert_int_equal(p->weeks, 1);
	assert_int_equal(p->sessions_per_week, 2);
	assert_int_equal(p->n_sessions, 2);
	assert_int_equal(p->criteria.n, 1);
	assert_string_equal(p->sessions[1].name, "week1-day2");
	assert_non_null(plan_find_session(p, "week1-day2"));
	assert_null(plan_find_session(p, "week1-day3"));
	plan_free(p);
}

static void test_missing_session_file_is_an_error(void **state)
{
	struct plan *p;
	char path[128];

	snprintf(path, sizeof(path), "%s/week1-day2", dir);
	unlink(path);
	assert_int_equal(plan_load(dir, &p, &err), -EINVAL);
	assert_null(p);
	assert_true(strstr(err.msg, "session week1-day2 is missing") != NULL);
	snprintf(path, sizeof(path), "%s/plan", dir);
	assert_string_equal(err.file, path);
}

/*
 * Found by scan-build: the parser cleared a plan it refused, and the
 * loader freed it again (a double free, leverctl validate aborted).
 */
static void test_plan_file_missing_a_key_is_an_error_freed_once(void **state)
{
	struct plan *p;
	char path[128];

	put("plan", "lever-plan 1\n"
	    "name: Test plan\n"
	    "author: tester\n"
	    "scope: tests\n"
	    "description: d\n"
	    "provenance: made up\n"
	    "disclaimer: not advice\n"
	    "sessions-per-week: 2\n"
	    "criterion: cleared\n"
	    "regression: go back a week\n");
	assert_int_equal(plan_load(dir, &p, &err), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(err.msg, "missing 'weeks:'"));
	snprintf(path, sizeof(path), "%s/plan", dir);
	assert_string_equal(err.file, path);
}

static void test_session_outside_plan_is_an_error(void **state)
{
	struct plan *p;

	put("week2-day1", good_session);
	assert_int_equal(plan_load(dir, &p, &err), -EINVAL);
	assert_true(strstr(err.msg, "session outside the plan") != NULL);
}

static void test_unexpected_file_in_plan_dir_is_an_error(void **state)
{
	struct plan *p;

	put("week1-day1~", good_session);
	assert_int_equal(plan_load(dir, &p, &err), -EINVAL);
	assert_true(strstr(err.msg, "unexpected file") != NULL);
}

static void test_bad_session_in_directory_names_its_file(void **state)
{
	struct plan *p;
	char path[128];

	put("week1-day2", "lever-session 1\nbw: 40 %\n");
	assert_int_equal(plan_load(dir, &p, &err), -EINVAL);
	snprintf(path, sizeof(path), "%s/week1-day2", dir);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 5);
}

static void test_directory_without_plan_file_is_an_error(void **state)
{
	struct plan *p;
	char path[128];

	snprintf(path, sizeof(path), "%s/plan", dir);
	unlink(path);
	assert_int_equal(plan_load(dir, &p, &err), -ENOENT);
	assert_true(strstr(err.msg, "no plan file") != NULL);
}

static struct plan pl;

static int parse_plan(const char *text)
{
	memset(&pl, 0, sizeof(pl));
	return plan_parse_plan("t/plan", text, strlen(text), &pl, &err);
}

static void test_unknown_plan_key_is_an_error(void **state)
{
	assert_int_equal(parse_plan("lever-plan 1\nname: x\nauthr: me\n"),
			 -EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 1);
	assert_true(strstr(err.msg, "unknown key 'authr'") != NULL);
}

static void test_plan_missing_required_key_is_an_error(void **state)
{
	char text[1024];

	/* Drop the last line (the regression rule), as a cut file would. */
	snprintf(text, sizeof(text), "%.*s", (int)(strlen(good_plan) - 27),
		 good_plan);
	assert_int_equal(parse_plan(text), -EINVAL);
	assert_true(strstr(err.msg, "missing 'regression:'") != NULL);
}

static void test_plan_weeks_out_of_range_is_an_error(void **state)
{
	assert_int_equal(parse_plan("lever-plan 1\nweeks: 53\n"), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 8);
	assert_true(strstr(err.msg, "from 1 to 52") != NULL);
}

static void test_plan_duplicate_key_is_an_error(void **state)
{
	assert_int_equal(parse_plan("lever-plan 1\nname: a\nname: b\n"),
			 -EINVAL);
	assert_int_equal(err.line, 3);
	assert_true(strstr(err.msg, "given twice") != NULL);
}

static void test_error_format_is_file_line_col(void **state)
{
	char buf[512];

	assert_int_equal(parse_steps("warmup 5:00 speed 25 km/h\n"), -EINVAL);
	plan_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf,
			    "t/week1-day1:5:19: belt speed 25.00 km/h is out of range; expected 0 to 20 km/h");
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
#define D(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_session_parses_with_units_converted),
		T(test_hour_durations_parse),
		T(test_crlf_line_ends_are_accepted),
		T(test_unknown_header_key_is_an_error),
		T(test_unknown_step_attribute_is_an_error),
		T(test_unknown_step_kind_is_an_error),
		T(test_speed_in_wrong_unit_is_an_error),
		T(test_speed_without_unit_is_an_error),
		T(test_bw_in_kg_is_an_error),
		T(test_ramp_in_minutes_is_an_error),
		T(test_number_with_three_decimals_is_an_error),
		T(test_speed_above_20_km_h_is_an_error),
		T(test_negative_speed_is_an_error),
		T(test_speed_of_20_km_h_is_accepted),
		T(test_incline_above_15_pct_is_an_error),
		T(test_incline_below_minus_3_pct_is_an_error),
		T(test_bw_below_50_pct_is_an_error),
		T(test_bw_above_100_pct_is_an_error),
		T(test_step_shorter_than_5_s_is_an_error),
		T(test_step_longer_than_60_min_is_an_error),
		T(test_malformed_duration_is_an_error),
		T(test_session_longer_than_2_h_is_an_error),
		T(test_ramp_not_shorter_than_step_is_an_error),
		T(test_ramp_above_60_s_is_an_error),
		T(test_step_without_speed_is_an_error),
		T(test_step_without_bw_and_no_default_is_an_error),
		T(test_attribute_given_twice_is_an_error),
		T(test_first_step_must_be_warmup),
		T(test_last_step_must_be_cooldown),
		T(test_step_after_cooldown_is_an_error),
		T(test_nested_repeat_is_an_error),
		T(test_repeat_count_out_of_range_is_an_error),
		T(test_empty_repeat_is_an_error),
		T(test_end_without_repeat_is_an_error),
		T(test_header_key_after_steps_is_an_error),
		T(test_missing_magic_line_is_an_error),
		T(test_empty_file_is_an_error),
		T(test_file_cut_mid_line_is_truncated),
		T(test_file_cut_inside_repeat_is_truncated),
		T(test_file_cut_before_cooldown_is_truncated),
		T(test_nul_byte_is_an_error),
		T(test_byte_that_is_not_utf8_is_an_error),
		T(test_utf8_text_is_accepted),
		T(test_bad_session_file_name_is_an_error),
		cmocka_unit_test(test_session_name_parse_is_strict),
		D(test_good_plan_directory_loads),
		D(test_missing_session_file_is_an_error),
		D(test_plan_file_missing_a_key_is_an_error_freed_once),
		D(test_session_outside_plan_is_an_error),
		D(test_unexpected_file_in_plan_dir_is_an_error),
		D(test_bad_session_in_directory_names_its_file),
		D(test_directory_without_plan_file_is_an_error),
		cmocka_unit_test(test_unknown_plan_key_is_an_error),
		cmocka_unit_test(test_plan_missing_required_key_is_an_error),
		cmocka_unit_test(test_plan_weeks_out_of_range_is_an_error),
		cmocka_unit_test(test_plan_duplicate_key_is_an_error),
		T(test_error_format_is_file_line_col),
	};

	return cmocka_run_group_tests_name("plan parser", tests, NULL, NULL);
}
