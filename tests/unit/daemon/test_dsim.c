// SPDX-License-Identifier: MIT
/*
 * test_dsim.c - deterministic simulation: 200 seeded 10-minute mixed
 * walk/run sessions with random faults, every safety invariant checked on
 * every cycle; one seed replayed twice gives the same trace hash. The
 * seeds are split over two threads (independent runs, nothing shared).
 * DSIM_RUNS=N runs fewer (make check-arm64: under qemu-user a run takes
 * some 25 times as long); never more than N_RUNS, the count built in.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "dsim.h"

/* built twice: on the small test plant (200 runs) and on sim/plant.h */
#ifndef N_RUNS
#define N_RUNS		200
#endif
#ifndef PLANT_NAME
#define PLANT_NAME	"test plant"
#endif
#define MINUTES		10.0

struct part {
	unsigned int first, step, runs;
	unsigned int violations, bad_seed, faults, restarts;
	char msg[256];
};

static void *run_part(void *arg)
{
	struct part *p = arg;
	struct dsim_result r;
	unsigned int s;

	for (s = p->first; s < p->runs; s += p->step) {
		if (dsim_run(s + 1, MINUTES, 1, &r))
			abort();
		p->faults += r.faults_injected;
		p->restarts += r.restarts;
		if (r.violations && !p->violations) {
			p->bad_seed = s + 1;
			snprintf(p->msg, sizeof(p->msg), "%s",
				 r.first_violation);
		}
		p->violations += r.violations;
	}
	return NULL;
}

/* N_RUNS, or fewer when DSIM_RUNS asks (1..N_RUNS; anything else: N_RUNS) */
static unsigned int dsim_runs(void)
{
	const char *e = getenv("DSIM_RUNS");
	char *end;
	unsigned long n;

	if (!e || !*e)
		return N_RUNS;
	n = strtoul(e, &end, 10);
	return *end || n < 1 || n > N_RUNS ? N_RUNS : (unsigned int)n;
}

static void test_seeded_sessions_keep_every_safety_invariant(void **s)
{
	unsigned int runs = dsim_runs();
	struct part parts[2] = { { .first = 0, .step = 2, .runs = runs },
				 { .first = 1, .step = 2, .runs = runs } };
	pthread_t t;
	unsigned int v, f;

	assert_int_equal(pthread_create(&t, NULL, run_part, &parts[1]), 0);
	run_part(&parts[0]);
	pthread_join(t, NULL);
	v = parts[0].violations + parts[1].violations;
	f = parts[0].faults + parts[1].faults;
	print_message("# %s: %u runs x %.0f min: %u faults injected, %u restarts, %u violations\n",
		      PLANT_NAME, runs, MINUTES, f,
		      parts[0].restarts + parts[1].restarts, v);
	if (parts[0].violations)
		print_message("# seed %u: %s\n", parts[0].bad_seed,
			      parts[0].msg);
	if (parts[1].violations)
		print_message("# seed %u: %s\n", parts[1].bad_seed,
			      parts[1].msg);
	assert_true(f >= runs);		/* the faults really happened */
	assert_int_equal(v, 0);
}

static void test_same_seed_gives_identical_trace_hash(void **state)
{
	struct dsim_result a, b;

	assert_int_equal(dsim_run(4242, MINUTES, 1, &a), 0);
	assert_int_equal(dsim_run(4242, MINUTES, 1, &b), 0);
	print_message("# trace hash %016llx\n",
		      (unsigned long long)a.trace_hash);
	assert_true(a.cycles == b.cycles);
	assert_true(a.trace_hash == b.trace_hash);
}

static void test_different_seeds_give_different_traces(void **state)
{
	struct dsim_result a, b;

	assert_int_equal(dsim_run(1, 1.0, 1, &a), 0);
	assert_int_equal(dsim_run(2, 1.0, 1, &b), 0);
	assert_true(a.trace_hash != b.trace_hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeded_sessions_keep_every_safety_invariant),
		cmocka_unit_test(test_same_seed_gives_identical_trace_hash),
		cmocka_unit_test(test_different_seeds_give_different_traces),
	};

	return cmocka_run_group_tests_name("leverd dsim", tests, NULL, NULL);
}
