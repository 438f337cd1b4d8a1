// SPDX-License-Identifier: MIT
/*
 * test_loop_table.c - the control loop's state machine is the one
 * written in Documentation/safety.rst ("The daemon's state machine"): the
 * document's table equals the code's, and the real loop, driven against
 * the test plant into every mode and given every event, ends in the mode
 * the table names.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "control/loop.h"
#include "control/sup.h"
#include "tplant.h"

#define MS	1000000ull
#define MASS	70.0

struct rig {
	struct leverd_cfg cfg;
	struct tplant *p;
	struct loop *l;
	struct loop_out out;
	struct loop_status st;
	struct sess_targets t;
	uint64_t now;
};

static struct rig R;

static int rig_new(void)
{
	struct lever_dev_info info;

	memset(&R, 0, sizeof(R));
	cfg_defaults(&R.cfg);
	if (tplant_new(11, MASS, &R.p))
		return -1;
	tplant_info(R.p, &info);
	if (loop_new(&R.cfg, &info, 0, &R.l))
		return -1;
	loop_commanding(R.l, true);
	return 0;
}

static void rig_free(void)
{
	loop_free(R.l);
	tplant_free(R.p);
}

static void cycles(int n)
{
	struct lever_dev_sample s;
	int i, got;

	for (i = 0; i < n; i++) {
		R.now += MS;
		got = tplant_step(R.p, MS, &s);
		loop_cycle(R.l, got ? &s : NULL, R.now, &R.out);
		tplant_command(R.p, &R.out.cmd, R.out.drive);
	}
	loop_status(R.l, &R.st);
}

static void targets(uint32_t gen, enum sess_run run)
{
	memset(&R.t, 0, sizeof(R.t));
	R.t.generation = gen;
	R.t.run = run;
	if (run == SESS_RUN || run == SESS_PAUSE || run == SESS_STOP) {
		R.t.belt_speed_mm_s = run == SESS_RUN ? 2778 : 0;
		R.t.bw_carried_pct_x100 = 8000;
		R.t.mass_kg = MASS;
	}
	loop_set_targets(R.l, &R.t);
}

/* Drives a fresh loop into @m. */
static void reach(enum loop_mode m)
{
	int i;

	if (m == LOOP_IDLE)
		return;
	targets(1, SESS_RUN);
	cycles(3000);
	if (m == LOOP_PAUSE) {
		targets(1, SESS_PAUSE);
		cycles(8000);
	} else if (m == LOOP_STOPPING) {
		targets(1, SESS_STOP);
		cycles(5);
	} else if (m == LOOP_RELEASING) {
		targets(1, SESS_STOP);
		for (i = 0; i < 20000 && R.st.mode != LOOP_RELEASING; i++)
			cycles(1);
	}
	assert_int_equal(R.st.mode, m);
}

/* Gives the loop @ev; false when the event cannot arise in this mode. */
static bool give(enum loop_event ev)
{
	uint32_t gen = R.st.generation;
	enum loop_mode m = R.st.mode;
	int i;

	switch (ev) {
	case LOOP_EV_START:
		targets(gen + 1, SESS_RUN);
		cycles(1);
		return true;
	case LOOP_EV_RUN:
		/* outside run the same generation is an old one: refused */
		targets(gen, SESS_RUN);
		cycles(1);
		return true;
	case LOOP_EV_PAUSE:
		targets(gen, SESS_PAUSE);
		cycles(1);
		return true;
	case LOOP_EV_STOP:
		targets(gen, SESS_STOP);
		cycles(1);
		return true;
	case LOOP_EV_IDLE:
		targets(gen, SESS_IDLE);
		cycles(1);
		return true;
	case LOOP_EV_FAULT:
		loop_external_fault(R.l, SUP_F_GATE);
		cycles(1);
		return true;
	case LOOP_EV_BELT_STOPPED:
		/* a running belt is not seen at zero */
		if (m == LOOP_RUN)
			return false;
		for (i = 0; i < 20000 && R.st.mode == m; i++)
			cycles(1);
		if (m != LOOP_STOPPING)
			cycles(100);
		return true;
	case LOOP_EV_BELT_MOVING:
		tplant_push_belt(R.p, 100);	/* under the over-speed margin */
		cycles(2);
		return true;
	case LOOP_EV_RESET:
		assert_int_equal(loop_reset(R.l), 0);
		cycles(1);
		return true;
	case LOOP_EV_REFUSED:
		targets(0, SESS_RUN);
		cycles(1);
		return true;
	case LOOP_EV_COUNT:
		break;
	}
	return false;
}

static void test_every_cell_of_the_table_against_the_loop(void **state)
{
	enum loop_mode m, want;
	enum loop_event ev;
	int walked = 0;

	for (m = 0; m < LOOP_MODE_COUNT; m++) {
		for (ev = 0; ev < LOOP_EV_COUNT; ev++) {
			assert_int_equal(rig_new(), 0);
			reach(m);
			want = loop_next_mode(m, ev);
			if (give(ev)) {
				/*
				 * A belt already at rest is seen so in the
				 * same cycle: the event's mode, then the one
				 * belt-stopped takes it to.
				 */
				if (R.st.belt_stopped && R.st.mode != want &&
				    R.st.mode == loop_next_mode(want,
						LOOP_EV_BELT_STOPPED))
					want = R.st.mode;
				if (R.st.mode != want)
					print_message("# %s + %s: %s, table says %s\n",
						      loop_mode_name(m),
						      loop_event_name(ev),
						      loop_mode_name(R.st.mode),
						      loop_mode_name(want));
				assert_int_equal(R.st.mode, want);
				walked++;
			}
			rig_free();
		}
	}
	print_message("# %d of %d cells walked (a running belt is never seen stopped)\n",
		      walked, LOOP_MODE_COUNT * LOOP_EV_COUNT);
	assert_int_equal(walked, LOOP_MODE_COUNT * LOOP_EV_COUNT - 1);
}

/* the words of one table row, split on runs of spaces */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(line, " \n", &save); tok && n < max;
	     tok = strtok_r(NULL, " \n", &save))
		w[n++] = tok;
	return n;
}

static void test_documented_table_is_the_code_table(void **state)
{
	const char *path = getenv("LEVER_SAFETY_RST") ?
			   getenv("LEVER_SAFETY_RST") :
			   "Documentation/safety.rst";
	char line[512], *w[16];
	bool in_table = false;
	int rules = 0, rows = 0, n, i;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, ":name: loop-state-table"))
			in_table = true;
		if (!in_table || strncmp(line, "   ", 3) || line[3] == ':')
			continue;
		if (strstr(line, "====")) {
			if (++rules == 3)
				break;
			continue;
		}
		n = split(line, w, 16);
		if (n != 1 + LOOP_EV_COUNT) {
			fail_msg("%s: a row of %d words, %d expected", path, n,
				 1 + LOOP_EV_COUNT);
			break;
		}
		if (!strcmp(w[0], "mode")) {
			for (i = 0; i < LOOP_EV_COUNT; i++)
				assert_string_equal(w[1 + i],
						    loop_event_name(i));
			continue;
		}
		assert_string_equal(w[0], loop_mode_name(rows));
		for (i = 0; i < LOOP_EV_COUNT; i++)
			assert_string_equal(w[1 + i], loop_mode_name(
				loop_next_mode(rows, i)));
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, LOOP_MODE_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented_table_is_the_code_table),
		cmocka_unit_test(test_every_cell_of_the_table_against_the_loop),
	};

	return cmocka_run_group_tests_name("leverd loop state table", tests,
					   NULL, NULL);
}
