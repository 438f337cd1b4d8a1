// SPDX-License-Identifier: MIT
/*
 * test_export.c - specification of the session exports: laps are the
 * steps as recorded, the timer stops for pauses, distance is the integral
 * of the measured belt speed, a FIT file has its header and file CRCs and
 * names no Garmin device, CSV carries steps and units, TCX has a lap per
 * step and a trackpoint a second; a running, empty or corrupt record is
 * refused, and a failed write leaves nothing under the target's name.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "export.h"
#include "sessions.h"

static char dir[64];
static struct store *st;
static struct store_trace_row *rows;
static struct export_session x;
static char msg[256];

static int setup(void **state)
{
	strcpy(dir, "/tmp/lever-test-export-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&st, dir), 0);
	rows = NULL;
	memset(&x, 0, sizeof(x));
	msg[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	export_free(&x);
	free(rows);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	return system(cmd);
}

static void build(enum scenario sc)
{
	int64_t id = sc_record(st, sc);

	assert_true(id > 0);
	assert_int_equal(sc_build(st, id, &x, &rows, msg, sizeof(msg)), 0);
}

/* The whole file in memory; *n its size. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = malloc(1 << 22);

	assert_non_null(f);
	*n = fread(p, 1, 1 << 22, f);
	fclose(f);
	return p;
}

static void write_as(enum export_format fmt, char *path, size_t len)
{
	snprintf(path, len, "%s/out.%s", dir, export_format_ext(fmt));
	assert_int_equal(export_write(&x, fmt, path, msg, sizeof(msg)), 0);
}

static void test_laps_are_the_recorded_steps_with_their_intensity(void **state)
{
	build(SC_PAUSE);
	assert_int_equal(x.n_laps, 4);
	assert_int_equal(x.laps[0].intensity, EXPORT_WARMUP);
	assert_int_equal(x.laps[1].intensity, EXPORT_ACTIVE);
	assert_int_equal(x.laps[2].intensity, EXPORT_REST);
	assert_int_equal(x.laps[3].intensity, EXPORT_COOLDOWN);
	assert_int_equal(x.laps[0].start_ms, 0);
	assert_int_equal(x.laps[1].start_ms, 60000);
	/* the step after the pause begins 30 s later on the clock */
	assert_int_equal(x.laps[2].start_ms, 210000);
	assert_int_equal(x.laps[3].end_ms, x.duration_ms);
}

static void test_a_pause_stops_the_timer_and_a_resume_starts_it(void **state)
{
	build(SC_PAUSE);
	assert_int_equal(x.n_timer, 4);
	assert_true(x.timer[0].start && x.timer[0].t_ms == 0);
	assert_true(!x.timer[1].start && x.timer[1].t_ms == 100000);
	assert_true(x.timer[2].start && x.timer[2].t_ms == 130000);
	assert_true(x.timer[3].end && x.timer[3].t_ms == 330000);
	assert_int_equal(x.timer_ms, 300000);
	assert_int_equal(x.laps[1].timer_ms, 120000);	/* its 120 s */
	assert_int_equal(x.laps[1].end_ms - x.laps[1].start_ms, 150000);
}

static void test_distance_is_the_integral_of_measured_belt_speed(void **state)
{
	struct sc_expect e;
	uint64_t laps = 0;
	size_t i;

	build(SC_PAUSE);
	sc_expect(SC_PAUSE, &e);
	assert_int_equal(x.distance_mm, (uint64_t)llround(e.distance_m * 1000));
	for (i = 0; i < x.n_laps; i++)
		laps += x.laps[i].distance_mm;
	assert_true(laps >= x.distance_mm - x.n_laps &&
		    laps <= x.distance_mm + x.n_laps);
	assert_int_equal(x.points[x.n_points - 1].distance_mm, x.distance_mm);
}

static void test_a_pain_stop_ends_the_timer_at_the_stop(void **state)
{
	build(SC_PAIN);
	assert_int_equal(x.n_laps, 2);
	assert_int_equal(x.timer_ms, 150000);
	assert_true(x.timer[x.n_timer - 1].end);
	/* the belt runs down after the stop: still in the file, untimed */
	assert_int_equal(x.duration_ms, 152000);
}

static void test_a_fault_stop_keeps_the_steps_done(void **state)
{
	build(SC_FAULT);
	assert_int_equal(x.n_laps, 3);
	assert_int_equal(x.laps[2].intensity, EXPORT_REST);
	assert_int_equal(x.timer_ms, 200000);
	assert_string_equal(x.rec.end_cause, "fault: stale-samples");
}

static void test_points_carry_the_support_and_body_weight_carried(void **state)
{
	build(SC_PAUSE);
	/* 30 s into the warm-up: 70 % carried, 30 % of 70 kg supported */
	assert_int_equal(x.points[30].t_ms, 30000);
	assert_true(fabs(x.points[30].bw_carried_pct - 70.0) < 0.05);
	assert_true(fabs(x.points[30].support_force_n -
			 0.3 * 70 * EXPORT_STANDARD_GRAVITY_M_S2) < 0.05);
	assert_int_equal(x.points[30].belt_mm_s, 1500);
}

static void test_the_session_records_mass_board_and_operator(void **state)
{
	build(SC_PAUSE);
	assert_int_equal(x.rec.mass_g, SC_MASS_G);
	assert_string_equal(x.rec.board_serial, SC_BOARD);
	assert_int_equal(x.rec.operator_uid, 1000);
}

static void test_a_running_session_is_refused(void **state)
{
	int64_t id = sc_record(st, SC_RUNNING);

	assert_int_equal(sc_build(st, id, &x, &rows, msg, sizeof(msg)),
			 -EBUSY);
	assert_non_null(strstr(msg, "still running"));
}

static void test_a_session_without_trace_is_refused(void **state)
{
	struct store_athlete a;
	int64_t id;
	struct store_session r = { .end_cause = "interrupted" };

	store_athlete_add(st, "ben", 80000, 1);
	store_athlete_get(st, "ben", &a);
	assert_int_equal(store_session_begin(st, a.id, "p", "week1-day1",
					     "2026-11-18", 1, &id), 0);
	r.id = id;
	assert_int_equal(store_session_end(st, &r), 0);
	assert_int_equal(sc_build(st, id, &x, &rows, msg, sizeof(msg)),
			 -ENODATA);
	assert_non_null(strstr(msg, "no recorded trace"));
}

static void test_a_corrupt_trace_row_is_named(void **state)
{
	char path[128];
	sqlite3 *db;
	int64_t id = sc_record(st, SC_PAUSE);

	snprintf(path, sizeof(path), "%s/lever.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* a belt running backwards at 0.5 m/s: not a stopped belt's noise */
	assert_int_equal(sqlite3_exec(db, "UPDATE trace SET belt_mm_s_mean ="
				      " -500 WHERE t_ms = 1200;", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sc_build(st, id, &x, &rows, msg, sizeof(msg)),
			 -EBADMSG);
	assert_non_null(strstr(msg, "corrupt: trace row 12 (t = 1200 ms)"));
}

/* fuzz_export: a row at 49 days made a TCX of 4 million trackpoints. */
static void test_a_trace_row_past_a_day_is_corrupt(void **state)
{
	struct store_session rec = {
		.id = 7, .started_s = 1700000000, .ended_s = 1700000060,
		.end_cause = "completed",
	};
	struct store_trace_row r[2] = {
		{ .t_ms = 0, .samples = 10 },
		{ .t_ms = 24u * 3600u * 1000u, .samples = 10 },
	};
	struct export_session e;

	assert_int_equal(export_build(&e, &rec, "anna", NULL, 0, NULL, 0, r,
				      2, msg, sizeof(msg)), -EBADMSG);
	assert_non_null(strstr(msg, "corrupt: trace row 1 is at t = 86400000 ms, past a day"));
	r[1].t_ms--;
	assert_int_equal(export_build(&e, &rec, "anna", NULL, 0, NULL, 0, r,
				      2, msg, sizeof(msg)), 0);
	export_free(&e);
}

static uint16_t crc16(const unsigned char *p, size_t n)
{
	uint16_t crc = 0;
	int b;

	while (n--) {
		crc ^= *p++;
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
	}
	return crc;
}

/*
 * fuzz_export: an athlete name of one byte 0xf9 (a damaged database) made
 * a TCX no XML reader opens; a comma in a step kind shifted the CSV.
 */
static void test_texts_of_a_damaged_record_export_as_plain_ascii(void **state)
{
	struct store_session rec = {
		.id = 9, .started_s = 1700000000, .ended_s = 1700000060,
		.end_cause = "board\001fault", .board_serial = "S\xc3(",
		.plan = "p", .session = "week1-day1", .date = "2026-11-28",
	};
	struct store_step step = { .t_ms = 0, .kind = "ru,n\"" };
	struct store_trace_row row = { .t_ms = 0, .samples = 10,
				       .belt_mm_s_mean = 1000 };
	struct export_session e;

	assert_int_equal(export_build(&e, &rec, "\371a", NULL, 0, &step, 1,
				      &row, 1, msg, sizeof(msg)), 0);
	assert_string_equal(e.athlete, "?a");
	assert_string_equal(e.rec.end_cause, "board?fault");
	assert_string_equal(e.rec.board_serial, "S?(");
	assert_string_equal(e.laps[0].kind, "ru?n?");
	export_free(&e);
}

static void test_fit_header_and_file_crcs_check(void **state)
{
	char path[128];
	unsigned char *p;
	size_t n;

	build(SC_PAUSE);
	write_as(EXPORT_FIT, path, sizeof(path));
	p = slurp(path, &n);
	assert_int_equal(p[0], 14);
	assert_memory_equal(p + 8, ".FIT", 4);
	assert_int_equal(p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24,
			 n - 16);
	assert_int_equal(crc16(p, 12), p[12] | p[13] << 8);
	/* a CRC over the data and its own CRC is zero */
	assert_int_equal(crc16(p, n), 0);
	free(p);
}

static void test_fit_starts_with_file_id_of_an_activity_not_by_garmin(void **state)
{
	char path[128];
	unsigned char *p;
	size_t n;

	build(SC_PAUSE);
	write_as(EXPORT_FIT, path, sizeof(path));
	p = slurp(path, &n);
	/* definition of local 0 as global message 0 (file_id) */
	assert_int_equal(p[14], 0x40);
	assert_int_equal(p[17] | p[18] << 8, 0);
	/* its data after 6 field definitions: type 4, manufacturer 255 */
	assert_int_equal(p[20 + 18], 0);
	assert_int_equal(p[20 + 18 + 1], 4);
	assert_int_equal(p[20 + 18 + 2] | p[20 + 18 + 3] << 8, 255);
	free(p);
}

static void test_csv_header_names_units_and_the_step(void **state)
{
	char path[128], line[512];
	FILE *f;

	build(SC_PAUSE);
	write_as(EXPORT_CSV, path, sizeof(path));
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "t_s,step,step_kind,intensity,timer,"
			    "distance_m,belt_speed_m_s,support_force_n,"
			    "body_weight_carried_pct,"
			    "target_body_weight_carried_pct,"
			    "target_belt_speed_m_s,incline_pct,faults\n");
	fclose(f);
}

static void test_csv_rows_say_which_step_and_whether_timed(void **state)
{
	char path[128], line[512];
	int n = 0;
	FILE *f;

	build(SC_PAUSE);
	write_as(EXPORT_CSV, path, sizeof(path));
	f = fopen(path, "r");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "61.0,", 5))
			assert_non_null(strstr(line, ",2,run,active,running,"));
		if (!strncmp(line, "110.0,", 6))
			assert_non_null(strstr(line, ",2,run,active,stopped,"));
		n++;
	}
	fclose(f);
	assert_int_equal(n, 1 + (int)x.n_rows);
}

static double xpath_count(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr c = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	double v;

	xmlXPathRegisterNs(c, BAD_CAST "t", BAD_CAST
		"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2");
	o = xmlXPathEvalExpression(BAD_CAST expr, c);
	assert_non_null(o);
	v = o->floatval;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	return v;
}

static void test_tcx_has_a_lap_per_step_and_a_trackpoint_a_second(void **state)
{
	char path[128];
	xmlDocPtr doc;

	build(SC_FAULT);
	write_as(EXPORT_TCX, path, sizeof(path));
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	assert_int_equal(xpath_count(doc, "count(/t:TrainingCenterDatabase/t:Activities/t:Activity[@Sport='Running'])"), 1);
	assert_int_equal(xpath_count(doc, "count(//t:Lap)"), 3);
	assert_int_equal(xpath_count(doc, "count(//t:Lap/t:Track/t:Trackpoint)"),
			 x.n_points);
	assert_int_equal(xpath_count(doc, "count(//t:Lap[t:Intensity='Active'])"), 1);
	assert_int_equal(xpath_count(doc, "sum(//t:Lap/t:TotalTimeSeconds)"), 200);
	assert_true(fabs(xpath_count(doc, "sum(//t:Lap/t:DistanceMeters)") -
			 x.distance_mm / 1000.0) < 0.01);
	xmlFreeDoc(doc);
}

static void test_a_failed_write_leaves_no_file_under_the_name(void **state)
{
	char sub[128], path[160], cmd[200];

	build(SC_PAUSE);
	snprintf(sub, sizeof(sub), "%s/ro", dir);
	assert_int_equal(mkdir(sub, 0555), 0);
	snprintf(path, sizeof(path), "%s/a.fit", sub);
	if (geteuid() == 0)	/* root writes anywhere: use a missing dir */
		snprintf(path, sizeof(path), "%s/missing/a.fit", dir);
	assert_true(export_write(&x, EXPORT_FIT, path, msg, sizeof(msg)) < 0);
	assert_non_null(strstr(msg, path));
	assert_int_equal(access(path, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", sub);
	assert_int_equal(system(cmd), 0);
}

static void test_a_write_replaces_an_older_file_whole(void **state)
{
	char path[128], cmd[512];
	FILE *f;

	build(SC_PAUSE);
	snprintf(path, sizeof(path), "%s/out.fit", dir);
	f = fopen(path, "w");
	fputs("old", f);
	fclose(f);
	assert_int_equal(export_write(&x, EXPORT_FIT, path, msg, sizeof(msg)),
			 0);
	/* no temporary file left beside it */
	snprintf(cmd, sizeof(cmd), "! ls -A '%s' | grep -q '^\\.out' && "
		 "head -c 12 '%s' | tail -c 4 | grep -q .FIT", dir, path);
	assert_int_equal(system(cmd), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_laps_are_the_recorded_steps_with_their_intensity),
		T(test_a_pause_stops_the_timer_and_a_resume_starts_it),
		T(test_distance_is_the_integral_of_measured_belt_speed),
		T(test_a_pain_stop_ends_the_timer_at_the_stop),
		T(test_a_fault_stop_keeps_the_steps_done),
		T(test_points_carry_the_support_and_body_weight_carried),
		T(test_the_session_records_mass_board_and_operator),
		T(test_a_running_session_is_refused),
		T(test_a_session_without_trace_is_refused),
		T(test_a_corrupt_trace_row_is_named),
		T(test_a_trace_row_past_a_day_is_corrupt),
		T(test_texts_of_a_damaged_record_export_as_plain_ascii),
		T(test_fit_header_and_file_crcs_check),
		T(test_fit_starts_with_file_id_of_an_activity_not_by_garmin),
		T(test_csv_header_names_units_and_the_step),
		T(test_csv_rows_say_which_step_and_whether_timed),
		T(test_tcx_has_a_lap_per_step_and_a_trackpoint_a_second),
		T(test_a_failed_write_leaves_no_file_under_the_name),
		T(test_a_write_replaces_an_older_file_whole),
	};

	return cmocka_run_group_tests_name("session exports", tests, NULL,
					   NULL);
}
