// SPDX-License-Identifier: MIT
/*
 * leverctl trace SESSION-ID: a session's recorded 10 Hz trace, as a short
 * summary, as CSV with the units in the header (--csv), or as leverd's
 * JSON (--json). Pages through leverd's answers on one connection; the
 * CSV is written page by page, never held whole.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leverctl.h"

#define TRACE_PAGE	500

enum col {
	C_T, C_N, C_F_MEAN, C_F_MIN, C_F_MAX, C_P_MEAN, C_BELT_MEAN, C_CMD_P,
	C_CMD_BELT, C_CMD_INCL, C_FAULTS, C_MODE, C_COUNT
};

/* leverd's column names, in the order of enum col */
static const char *const wire_cols[C_COUNT] = {
	"t_ms", "samples", "support_force_mn_mean", "support_force_mn_min",
	"support_force_mn_max", "support_pressure_pa_mean",
	"belt_speed_mm_s_mean", "cmd_support_pressure_pa",
	"cmd_belt_speed_mm_s", "cmd_incline_centi_pct", "faults", "mode",
};

static const char csv_header[] =
	"t_s,samples,support_force_n_mean,support_force_n_min,"
	"support_force_n_max,support_pressure_kpa_mean,belt_speed_km_h_mean,"
	"cmd_support_pressure_kpa,cmd_belt_speed_km_h,cmd_incline_pct,"
	"faults,mode";

struct summary {
	size_t rows;
	double samples, force_sum_n, force_min_n, force_max_n, belt_max_km_h;
	double end_s;
	long long faults;
};

/* Where each of our columns is in leverd's rows; -1 when missing. */
static int map_columns(const json_t *page, int idx[C_COUNT])
{
	const json_t *cols = json_object_get(page, "columns");
	size_t i;
	int c;

	for (c = 0; c < C_COUNT; c++) {
		idx[c] = -1;
		for (i = 0; i < json_array_size(cols); i++)
			if (!strcmp(json_string_value(json_array_get(cols, i)) ?: "",
				    wire_cols[c]))
				idx[c] = (int)i;
		if (idx[c] < 0) {
			ctl_err("leverd's trace lacks the column %s; leverctl and leverd differ in version",
				wire_cols[c]);
			return LEVER_CTL_EXIT_FAIL;
		}
	}
	return LEVER_CTL_EXIT_OK;
}

static double val(const json_t *row, const int idx[C_COUNT], enum col c)
{
	return json_number_value(json_array_get(row, idx[c]));
}

static void print_faults(const json_t *names, long long bits)
{
	size_t i;
	int first = 1;

	for (i = 0; i < json_array_size(names) && i < 63; i++)
		if (bits & (1ll << i)) {
			printf("%s%s", first ? "" : "|",
			       json_string_value(json_array_get(names, i)));
			first = 0;
		}
}

static void print_csv_row(const json_t *row, const int idx[C_COUNT],
			  const json_t *names)
{
	printf("%.1f,%.0f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,",
	       val(row, idx, C_T) / 1000, val(row, idx, C_N),
	       val(row, idx, C_F_MEAN) / 1000, val(row, idx, C_F_MIN) / 1000,
	       val(row, idx, C_F_MAX) / 1000, val(row, idx, C_P_MEAN) / 1000,
	       val(row, idx, C_BELT_MEAN) * 0.0036,
	       val(row, idx, C_CMD_P) / 1000,
	       val(row, idx, C_CMD_BELT) * 0.0036,
	       val(row, idx, C_CMD_INCL) / 100);
	print_faults(names, (long long)val(row, idx, C_FAULTS));
	printf(",%s\n", json_string_value(json_array_get(row, idx[C_MODE])) ?:
	       "");
}

static void add_row(struct summary *s, const json_t *row,
		    const int idx[C_COUNT])
{
	double n = val(row, idx, C_N), belt;

	if (!s->rows || val(row, idx, C_F_MIN) / 1000 < s->force_min_n)
		s->force_min_n = val(row, idx, C_F_MIN) / 1000;
	if (!s->rows || val(row, idx, C_F_MAX) / 1000 > s->force_max_n)
		s->force_max_n = val(row, idx, C_F_MAX) / 1000;
	belt = val(row, idx, C_BELT_MEAN) * 0.0036;
	if (belt > s->belt_max_km_h)
		s->belt_max_km_h = belt;
	s->rows++;
	s->samples += n;
	s->force_sum_n += n * val(row, idx, C_F_MEAN) / 1000;
	s->end_s = (val(row, idx, C_T) + 100) / 1000;
	s->faults |= (long long)val(row, idx, C_FAULTS);
}

static void print_summary(const json_t *rec, const struct summary *s,
			  const json_t *names)
{
	char dur[32];

	ctl_fmt_duration(dur, sizeof(dur), s->end_s);
	printf("session #%lld: %s %s on %s, ended: %s\n",
	       json_integer_value(json_object_get(rec, "id")),
	       json_string_value(json_object_get(rec, "plan")) ?: "",
	       json_string_value(json_object_get(rec, "session")) ?: "",
	       json_string_value(json_object_get(rec, "date")) ?: "",
	       json_string_value(json_object_get(rec, "end_cause")) ?: "");
	if (!s->rows) {
		printf("  no trace recorded\n");
		return;
	}
	printf("  %zu rows at 10 Hz over %s\n", s->rows, dur);
	printf("  support force mean %.1f N (min %.1f, max %.1f), belt up to %.1f km/h\n",
	       s->samples ? s->force_sum_n / s->samples : 0.0,
	       s->force_min_n, s->force_max_n, s->belt_max_km_h);
	printf("  faults: ");
	if (s->faults)
		print_faults(names, s->faults);
	else
		printf("none");
	printf("\n  the rows as CSV: leverctl trace %lld --csv\n",
	       json_integer_value(json_object_get(rec, "id")));
}

int ctl_trace(struct ctl *c, int argc, char **argv)
{
	struct summary sum = { 0 };
	struct ctl_conn *k;
	const char *id_s = NULL;
	json_t *res = NULL, *first = NULL, *all = NULL, *row;
	long long id, offset = 0, total;
	bool csv = false;
	int idx[C_COUNT], i, ret;
	size_t j, n;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_flag(argv[i], "--csv"))
			csv = true;
		else if (argv[i][0] == '-')
			return ctl_usage("trace", "unknown option '%s'", argv[i]);
		else if (id_s)
			return ctl_usage("trace", "one session at a time ('%s' and '%s' given)",
					 id_s, argv[i]);
		else
			id_s = argv[i];
	}
	if (!id_s)
		return ctl_usage("trace", "which session? give its record id ('leverctl athlete show NAME' lists them)");
	if (ctl_parse_count(id_s, 1, INT64_MAX, &id))
		return ctl_usage("trace",
				 "SESSION-ID '%s' is not a session record id (a whole number from 1; 'leverctl athlete show NAME' lists them)",
				 id_s);
	if (csv && c->json)
		return ctl_usage("trace", "--csv and --json: choose one");
	ret = ctl_connect(c, &k);
	if (ret)
		return ret;
	do {
		ret = ctl_call_on(k, "trace", json_pack("{s:I, s:I, s:i}",
				  "session", (json_int_t)id, "offset",
				  (json_int_t)offset, "limit", TRACE_PAGE),
				  &res);
		if (ret)
			break;
		if (!first) {
			first = json_incref(res);
			ret = map_columns(res, idx);
			if (ret)
				break;
			if (csv)
				puts(csv_header);
			if (c->json)
				all = json_array();
		}
		n = json_array_size(json_object_get(res, "rows"));
		json_array_foreach(json_object_get(res, "rows"), j, row) {
			if (csv)
				print_csv_row(row, idx,
					      json_object_get(res, "fault_names"));
			else if (all)
				json_array_append(all, row);
			else
				add_row(&sum, row, idx);
		}
		offset += (long long)n;
		total = json_integer_value(json_object_get(res, "rows_total"));
		json_decref(res);
		res = NULL;
	} while (n && offset < total);
	json_decref(res);
	ctl_disconnect(k);
	if (!ret && c->json) {
		json_object_set_new(first, "rows", all ? all : json_null());
		json_object_del(first, "offset");
		all = NULL;
		ret = ctl_print_json(first);
	} else if (!ret && !csv) {
		print_summary(json_object_get(first, "record"), &sum,
			      json_object_get(first, "fault_names"));
	}
	json_decref(all);
	json_decref(first);
	return ret;
}
