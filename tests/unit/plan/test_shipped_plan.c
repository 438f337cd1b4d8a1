// SPDX-License-Identifier: MIT
/*
 * test_shipped_plan.c - the figures issue 7 promises for the shipped plan
 * plans/bsi-2nd-metatarsal, checked on the parsed files (not on the prose):
 * 18 sessions, weekly average 1:19:00 +- 1 min, longest exactly 0:30:00,
 * walking warm-up first and cool-down last, run bouts growing, body weight
 * carried 70 % -> 95-100 % and never falling from one session to the next.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"

static struct plan *p;

static int setup(void **state)
{
	struct plan_error err;
	char msg[1024];
	int ret;

	ret = plan_load(LEVER_SRCDIR "/plans/bsi-2nd-metatarsal", &p, &err);
	if (ret) {
		plan_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "# %s\n", msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	plan_free(p);
	return 0;
}

static void test_has_6_weeks_of_3_sessions(void **state)
{
	size_t i;

	assert_int_equal(p->weeks, 6);
	assert_int_equal(p->sessions_per_week, 3);
	assert_int_equal(p->n_sessions, 18);
	for (i = 0; i < 18; i++) {
		assert_int_equal(p->sessions[i].week, i / 3 + 1);
		assert_int_equal(p->sessions[i].day, i % 3 + 1);
	}
}

static void test_weekly_average_is_1_19_00_within_1_min(void **state)
{
	uint64_t total_ms = 0;
	size_t i;

	for (i = 0; i < p->n_sessions; i++)
		total_ms += p->sessions[i].total_ms;
	/* 6 weeks: average = total / 6 */
	assert_in_range(total_ms / 6, 78 * 60000, 80 * 60000);
	assert_int_equal(total_ms / 6, 79 * 60000);
}

static void test_longest_session_is_exactly_30_min(void **state)
{
	uint32_t longest = 0;
	size_t i;

	for (i = 0; i < p->n_sessions; i++)
		if (p->sessions[i].total_ms > longest)
			longest = p->sessions[i].total_ms;
	assert_int_equal(longest, 30 * 60000);
}

static void test_every_session_opens_and_closes_walking(void **state)
{
	size_t i;

	for (i = 0; i < p->n_sessions; i++) {
		const struct plan_session *s = &p->sessions[i];
		const struct plan_step *first = &s->steps[0];
		const struct plan_step *last = &s->steps[s->n_steps - 1];

		assert_int_equal(first->kind, PLAN_WARMUP);
		assert_int_equal(last->kind, PLAN_COOLDOWN);
		/* walking: at most 6 km/h */
		assert_in_range(first->belt_speed_km_h_x100, 100, 600);
		assert_in_range(last->belt_speed_km_h_x100, 100, 600);
	}
}

static uint32_t longest_run_ms(const struct plan_session *s)
{
	uint32_t best = 0, cur = 0;
	size_t i;

	for (i = 0; i < s->n_steps; i++) {
		cur = s->steps[i].kind == PLAN_RUN ?
		      cur + s->steps[i].duration_ms : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void test_run_bouts_grow_week_by_week(void **state)
{
	uint32_t prev_bout = 0, prev_run = 0;
	size_t i;

	for (i = 0; i < p->n_sessions; i++) {
		uint32_t bout = longest_run_ms(&p->sessions[i]);

		assert_true(bout >= prev_bout);
		assert_true(p->sessions[i].run_ms >= prev_run);
		if (i % 3 == 0 && i > 0)
			assert_true(bout > longest_run_ms(&p->sessions[i - 3]));
		prev_bout = bout;
		prev_run = p->sessions[i].run_ms;
	}
	assert_int_equal(longest_run_ms(&p->sessions[0]), 60000);
	assert_int_equal(longest_run_ms(&p->sessions[17]), 20 * 60000);
}

static void test_bw_carried_starts_near_70_and_ends_95_to_100(void **state)
{
	size_t i;

	for (i = 0; i < 3; i++)
		assert_int_equal(p->sessions[i].bw_min_pct_x100, 7000);
	for (i = 15; i < 18; i++) {
		assert_in_range(p->sessions[i].bw_min_pct_x100, 9500, 10000);
		assert_in_range(p->sessions[i].bw_max_pct_x100, 9500, 10000);
	}
}

static void test_bw_carried_never_falls_between_sessions(void **state)
{
	int32_t prev = 0;
	size_t i, k;

	for (i = 0; i < p->n_sessions; i++) {
		const struct plan_session *s = &p->sessions[i];

		for (k = 0; k < s->n_steps; k++) {
			assert_true(s->steps[k].bw_carried_pct_x100 >= prev);
			prev = s->steps[k].bw_carried_pct_x100;
		}
	}
}

static void test_bw_carried_rises_every_week(void **state)
{
	size_t w;

	for (w = 1; w < 6; w++)
		assert_true(p->sessions[w * 3].bw_min_pct_x100 >
			    p->sessions[w * 3 - 3].bw_min_pct_x100);
}

static void test_four_start_criteria_are_listed(void **state)
{
	assert_int_equal(p->criteria.n, 4);
	assert_non_null(strstr(p->criteria.item[0], "physician or physical therapist"));
	assert_non_null(strstr(p->criteria.item[1], "4-6 weeks of rest"));
	assert_non_null(strstr(p->criteria.item[2], "Pain-free walking"));
	assert_non_null(strstr(p->criteria.item[3], "grade 1-2"));
	assert_non_null(strstr(p->criteria.item[3], "calcaneus"));
}

static void test_pain_rule_regresses_to_previous_week(void **state)
{
	assert_true(p->rules.n >= 1);
	assert_non_null(strstr(p->rules.item[0], "no pain at the injury site"));
	assert_int_equal(p->regression.n, 1);
	assert_non_null(strstr(p->regression.item[0], "previous week"));
	assert_non_null(strstr(p->regression.item[0], "consult"));
}

static void test_note_disclaimer_and_provenance_are_kept(void **state)
{
	assert_string_equal(p->name,
			    "Low Grade Bone Stress Injury, Low Impact \xe2\x80\x94 Second Metatarsal");
	assert_non_null(strstr(p->note, "relative energy deficiency"));
	assert_non_null(strstr(p->note, "low energy availability"));
	assert_non_null(strstr(p->note, "hormonal"));
	assert_non_null(strstr(p->note, "training-load"));
	assert_non_null(strstr(p->note, "strength deficits"));
	assert_non_null(strstr(p->note, "biomechanics"));
	assert_non_null(strstr(p->disclaimer, "education, not medical advice"));
	assert_non_null(strstr(p->provenance, "anti-gravity-treadmill"));
	assert_non_null(strstr(p->provenance, "70 % starting point"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has_6_weeks_of_3_sessions),
		cmocka_unit_test(test_weekly_average_is_1_19_00_within_1_min),
		cmocka_unit_test(test_longest_session_is_exactly_30_min),
		cmocka_unit_test(test_every_session_opens_and_closes_walking),
		cmocka_unit_test(test_run_bouts_grow_week_by_week),
		cmocka_unit_test(
			test_bw_carried_starts_near_70_and_ends_95_to_100),
		cmocka_unit_test(test_bw_carried_never_falls_between_sessions),
		cmocka_unit_test(test_bw_carried_rises_every_week),
		cmocka_unit_test(test_four_start_criteria_are_listed),
		cmocka_unit_test(test_pain_rule_regresses_to_previous_week),
		cmocka_unit_test(test_note_disclaimer_and_provenance_are_kept),
	};

	return cmocka_run_group_tests_name("shipped plan bsi-2nd-metatarsal",
					   tests, setup, teardown);
}
