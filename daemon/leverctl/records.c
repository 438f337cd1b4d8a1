// SPDX-License-Identifier: MIT
/*
 * leverctl: one finished session's records fetched from leverd (see
 * records.h), shared by export, report and plot. Reads only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

#define EXPORT_PAGE	500

void ctl_records_free(struct ctl_records *r)
{
	free(r->ev);
	free(r->steps);
	free(r->rows);
	r->ev = NULL;
	r->steps = NULL;
	r->rows = NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static json_int_t aint(const json_t *a, size_t i)
{
	return json_integer_value(json_array_get(a, i));
}

static const char *astr(const json_t *a, size_t i)
{
	return json_string_value(json_array_get(a, i)) ?: "";
}

/*
 * The "export" request on its own: a session still running is exit 7,
 * which ctl_reply_error() does not know (it is export's alone).
 */
static int call_export(struct ctl_conn *k, long long id, json_t **res)
{
	json_t *reply = NULL, *e;
	int ret;

	*res = NULL;
	ret = ctl_send(k, "export", json_pack("{s:I}", "session",
					      (json_int_t)id), 1);
	while (!ret) {
		ret = ctl_recv(k, &reply, CTL_REPLY_TIMEOUT_MS);
		if (ret)
			return ret;
		if (jint(reply, "id") == 1)
			break;
		json_decref(reply);	/* an event */
		reply = NULL;
	}
	if (ret)
		return ret;
	if (json_is_true(json_object_get(reply, "ok"))) {
		*res = json_incref(json_object_get(reply, "result"));
		json_decref(reply);
		return LEVER_CTL_EXIT_OK;
	}
	e = json_object_get(reply, "error");
	if (!strcmp(jstr(e, "code"), "EBUSY")) {
		ctl_err("%s", jstr(e, "message"));
		ret = LEVER_CTL_EXIT_BUSY;
	} else {
		ret = ctl_reply_error(reply);
	}
	json_decref(reply);
	return ret;
}

static int take_record(struct ctl_records *r, const json_t *res)
{
	const json_t *rec = json_object_get(res, "record");
	const json_t *evs = json_object_get(res, "events");
	const json_t *sts = json_object_get(res, "steps");
	struct store_session *s = &r->rec;
	size_t i;

	s->id = jint(rec, "id");
	snprintf(r->athlete, sizeof(r->athlete), "%s", jstr(rec, "athlete"));
	snprintf(s->plan, sizeof(s->plan), "%s", jstr(rec, "plan"));
	snprintf(s->session, sizeof(s->session), "%s", jstr(rec, "session"));
	snprintf(s->date, sizeof(s->date), "%s", jstr(rec, "date"));
	s->started_s = jint(rec, "started_s");
	s->ended_s = jint(rec, "ended_s");
	s->completed = json_is_true(json_object_get(rec, "completed"));
	s->pain = json_is_true(json_object_get(rec, "pain"));
	s->pain_score = (int)jint(rec, "pain_score");
	snprintf(s->end_cause, sizeof(s->end_cause), "%s",
		 jstr(rec, "end_cause"));
	s->elapsed_ms = (uint32_t)jint(rec, "elapsed_ms");
	s->steps_skipped = (unsigned int)jint(rec, "steps_skipped");
	s->mass_g = (uint32_t)jint(rec, "mass_g");
	snprintf(s->board_serial, sizeof(s->board_serial), "%s",
		 jstr(rec, "board_serial"));
	s->operator_uid = jint(rec, "operator_uid");

	r->nev = json_array_size(evs);
	r->nsteps = json_array_size(sts);
	r->ev = calloc(r->nev + 1, sizeof(*r->ev));
	r->steps = calloc(r->nsteps + 1, sizeof(*r->steps));
	if (!r->ev || !r->steps)
		return -ENOMEM;
	for (i = 0; i < r->nev; i++) {
		const json_t *a = json_array_get(evs, i);
		struct store_event *e = &r->ev[i];

		e->id = aint(a, 0);
		e->wall_ms = aint(a, 1);
		e->mono_ns = (uint64_t)aint(a, 2);
		e->session_id = s->id;
		snprintf(e->kind, sizeof(e->kind), "%s", astr(a, 3));
		snprintf(e->cause, sizeof(e->cause), "%s", astr(a, 4));
		snprintf(e->detail, sizeof(e->detail), "%s", astr(a, 5));
	}
	for (i = 0; i < r->nsteps; i++) {
		const json_t *a = json_array_get(sts, i);
		struct store_step *p = &r->steps[i];

		p->t_ms = (uint32_t)aint(a, 0);
		p->step_index = (int32_t)aint(a, 1);
		p->step_count = (int32_t)aint(a, 2);
		snprintf(p->kind, sizeof(p->kind), "%s", astr(a, 3));
		p->bw_carried_pct_x100 = (int32_t)aint(a, 4);
		p->belt_speed_mm_s = (int32_t)aint(a, 5);
	}
	return 0;
}

/* leverd's trace columns we read, by name (see leverctl trace). */
enum {
	T_T, T_N, T_F, T_FMIN, T_FMAX, T_P, T_BELT, T_CP, T_CB, T_CI, T_FLT,
	T_COUNT
};
static const char *const cols[T_COUNT] = {
	"t_ms", "samples", "support_force_mn_mean", "support_force_mn_min",
	"support_force_mn_max", "support_pressure_pa_mean",
	"belt_speed_mm_s_mean", "cmd_support_pressure_pa",
	"cmd_belt_speed_mm_s", "cmd_incline_centi_pct", "faults",
};

int ctl_records_trace(struct ctl_conn *k, struct ctl_records *r)
{
	size_t rows_total = r->rows_total;
	json_t *res = NULL, *row;
	int idx[T_COUNT], c, ret = 0;
	size_t i, j, n;

	r->rows = calloc(rows_total + 1, sizeof(*r->rows));
	if (!r->rows) {
		ctl_err("out of memory for %zu trace rows", rows_total);
		return LEVER_CTL_EXIT_FAIL;
	}
	while (r->nrows < rows_total) {
		ret = ctl_call_on(k, "trace", json_pack("{s:I, s:I, s:i}",
				  "session", (json_int_t)r->rec.id, "offset",
				  (json_int_t)r->nrows, "limit", EXPORT_PAGE),
				  &res);
		if (ret)
			return ret;
		for (c = 0; c < T_COUNT; c++) {
			idx[c] = -1;
			json_array_foreach(json_object_get(res, "columns"), j,
					   row)
				if (!strcmp(json_string_value(row) ?: "",
					    cols[c]))
					idx[c] = (int)j;
			if (idx[c] < 0) {
				ctl_err("leverd's trace lacks the column %s; leverctl and leverd differ in version",
					cols[c]);
				json_decref(res);
				return LEVER_CTL_EXIT_FAIL;
			}
		}
		n = json_array_size(json_object_get(res, "rows"));
		json_array_foreach(json_object_get(res, "rows"), i, row) {
			struct store_trace_row *t = &r->rows[r->nrows];

			if (r->nrows >= rows_total)
				break;
			t->t_ms = (uint32_t)aint(row, idx[T_T]);
			t->samples = (uint32_t)aint(row, idx[T_N]);
			t->force_mn_mean = (int32_t)aint(row, idx[T_F]);
			t->force_mn_min = (int32_t)aint(row, idx[T_FMIN]);
			t->force_mn_max = (int32_t)aint(row, idx[T_FMAX]);
			t->pressure_pa_mean = (uint32_t)aint(row, idx[T_P]);
			t->belt_mm_s_mean = (int32_t)aint(row, idx[T_BELT]);
			t->cmd_pressure_pa = (uint32_t)aint(row, idx[T_CP]);
			t->cmd_belt_mm_s = (int32_t)aint(row, idx[T_CB]);
			t->cmd_incline_centi_pct = (int32_t)aint(row,
								 idx[T_CI]);
			t->faults = (uint32_t)aint(row, idx[T_FLT]);
			r->nrows++;
		}
		json_decref(res);
		if (!n)		/* rows gone since the count: keep what came */
			break;
	}
	return LEVER_CTL_EXIT_OK;
}

int ctl_records_head(struct ctl_conn *k, long long id, struct ctl_records *r)
{
	json_t *res = NULL;
	int ret;

	ret = call_export(k, id, &res);
	if (ret)
		return ret;
	if (take_record(r, res)) {
		ctl_err("out of memory");
		ret = LEVER_CTL_EXIT_FAIL;
	}
	r->rows_total = (size_t)jint(res, "rows_total");
	json_decref(res);
	return ret;
}

int ctl_records_fetch(struct ctl *c, long long id, struct ctl_records *r)
{
	struct ctl_conn *k;
	int ret;

	ret = ctl_connect(c, &k);
	if (ret)
		return ret;
	ret = ctl_records_head(k, id, r);
	if (!ret)
		ret = ctl_records_trace(k, r);
	ctl_disconnect(k);
	if (ret)
		ctl_records_free(r);
	return ret;
}

int ctl_records_build(struct ctl_records *r, struct export_session *x)
{
	char msg[512];
	int ret;

	ret = export_build(x, &r->rec, r->athlete, r->ev, r->nev, r->steps,
			   r->nsteps, r->rows, r->nrows, msg, sizeof(msg));
	if (!ret)
		return LEVER_CTL_EXIT_OK;
	ctl_err("%s", msg);
	return ret == -EBUSY ? LEVER_CTL_EXIT_BUSY :
	       ret == -ENOMEM ? LEVER_CTL_EXIT_FAIL : LEVER_CTL_EXIT_BAD_RECORD;
}
