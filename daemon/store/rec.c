// SPDX-License-Identifier: MIT
/*
 * rec.c - the recorder. The event loop forwards every cycle's trace record
 * through an SPSC ring; this thread folds them into 100 ms windows of the
 * session in progress and writes the rows in batches on its own SQLite
 * connection. It must never make the RT side wait: nothing here is shared
 * with the RT thread, and a full ring drops and counts.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/loop.h"
#include "store.h"
#include "rec.h"
#include "control/ring.h"
#include "say.h"
#include "control/sup.h"

#define REC_PENDING_MAX		600	/* rows: a minute behind at most */
#define REC_IDLE_SLEEP_NS	5000000	/* nothing queued: look again */
#define REC_WAIT_SLEEP_NS	100000	/* stepped producer, ring full */
#define REC_WAIT_MAX_NS		5000000000ull
#define REC_REPLY_BYTES		(48 * 1024)	/* under the 64 KiB line */
#define REC_EVENTS_PAGE_MAX	100
#define REC_TRACE_PAGE_MAX	500

enum rec_msg_type { REC_MSG_SAMPLE, REC_MSG_SESSION };

struct rec_msg {
	uint32_t type;
	uint32_t mode;		/* enum loop_mode, as the event loop saw it */
	int64_t session_id;	/* REC_MSG_SESSION */
	struct rt_trace tr;	/* REC_MSG_SESSION: tr.now_ns is the start */
};

struct rec_window {
	bool open;
	uint64_t index;		/* 100 ms windows since the start */
	uint32_t n;
	int64_t force_sum_mn, pressure_sum_pa, belt_sum_mm_s;
	int32_t force_min_mn, force_max_mn;
	struct lever_dev_command cmd;
	uint32_t faults, mode;
};

struct rec {
	struct store *st;
	struct ring *ring;
	pthread_t thread;
	bool started;
	_Atomic bool quit;
	/* consumer side */
	int64_t sid;
	uint64_t t0_ns;
	struct rec_window w;
	struct store_trace_row *pending;
	size_t n_pending;
	/* read by anyone */
	_Atomic int64_t stat_sid;
	_Atomic uint64_t samples, rows, errors, dropped_extra;
};

int rec_new(const char *state_dir, uint32_t ring_records, struct rec **out)
{
	struct rec *r;
	int ret;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pending = calloc(REC_PENDING_MAX, sizeof(*r->pending));
	if (!r->pending) {
		ret = -ENOMEM;
		goto err;
	}
	ret = ring_new(sizeof(struct rec_msg), ring_records, &r->ring);
	if (ret)
		goto err;
	ret = store_open_trace_writer(&r->st, state_dir);
	if (ret)
		goto err_ring;
	*out = r;
	return 0;
err_ring:
	ring_free(r->ring);
err:
	free(r->pending);
	free(r);
	return ret;
}

void rec_free(struct rec *r)
{
	if (!r)
		return;
	rec_stop(r);
	rec_drain(r);
	rec_flush(r);
	store_close(r->st);
	ring_free(r->ring);
	free(r->pending);
	free(r);
}

/* ---- consumer ---- */

static int rec_commit(struct rec *r)
{
	int ret;

	if (!r->n_pending)
		return 0;
	ret = store_trace_add(r->st, r->sid, r->pending, r->n_pending);
	if (ret)
		atomic_fetch_add(&r->errors, 1);
	else
		atomic_fetch_add(&r->rows, r->n_pending);
	r->n_pending = 0;
	return ret;
}

static int32_t mean_i32(int64_t sum, uint32_t n)
{
	return (int32_t)llround((double)sum / n);
}

/* The open window becomes a row. */
static void rec_close_window(struct rec *r)
{
	struct rec_window *w = &r->w;
	struct store_trace_row *row;

	if (!w->open)
		return;
	w->open = false;
	if (r->n_pending == REC_PENDING_MAX)
		rec_commit(r);
	row = &r->pending[r->n_pending++];
	row->t_ms = (uint32_t)(w->index * (REC_WINDOW_NS / 1000000));
	row->samples = w->n;
	row->force_mn_mean = mean_i32(w->force_sum_mn, w->n);
	row->force_mn_min = w->force_min_mn;
	row->force_mn_max = w->force_max_mn;
	row->pressure_pa_mean = (uint32_t)mean_i32(w->pressure_sum_pa, w->n);
	row->belt_mm_s_mean = mean_i32(w->belt_sum_mm_s, w->n);
	row->cmd_pressure_pa = w->cmd.support_pressure_pa;
	row->cmd_belt_mm_s = w->cmd.belt_speed_mm_s;
	row->cmd_incline_centi_pct = w->cmd.incline_centi_pct;
	row->faults = w->faults;
	row->mode = w->mode;
}

static void rec_take_sample(struct rec *r, const struct rec_msg *m)
{
	const struct rt_trace *tr = &m->tr;
	struct rec_window *w = &r->w;
	uint64_t index;

	/* records of before the start (drained late) are not the session's */
	if (!r->sid || tr->now_ns < r->t0_ns)
		return;
	index = (tr->now_ns - r->t0_ns) / REC_WINDOW_NS;
	if (w->open && index != w->index)
		rec_close_window(r);
	if (!w->open) {
		memset(w, 0, sizeof(*w));
		w->open = true;
		w->index = index;
		w->force_min_mn = INT32_MAX;
		w->force_max_mn = INT32_MIN;
	}
	w->n++;
	w->force_sum_mn += tr->support_force_mn;
	w->pressure_sum_pa += tr->support_pressure_pa;
	w->belt_sum_mm_s += tr->belt_speed_mm_s;
	if (tr->support_force_mn < w->force_min_mn)
		w->force_min_mn = tr->support_force_mn;
	if (tr->support_force_mn > w->force_max_mn)
		w->force_max_mn = tr->support_force_mn;
	w->cmd = tr->cmd;
	w->faults |= tr->faults;
	w->mode = m->mode;
	atomic_fetch_add_explicit(&r->samples, 1, memory_order_relaxed);
}

static void rec_switch(struct rec *r, const struct rec_msg *m)
{
	rec_close_window(r);
	rec_commit(r);
	r->sid = m->session_id;
	r->t0_ns = m->tr.now_ns;
	atomic_store(&r->stat_sid, r->sid);
}

size_t rec_drain(struct rec *r)
{
	struct rec_msg m;
	size_t n = 0;

	while (ring_pop(r->ring, &m) == 0) {
		n++;
		if (m.type == REC_MSG_SESSION)
			rec_switch(r, &m);
		else
			rec_take_sample(r, &m);
	}
	if (r->n_pending >= REC_BATCH_ROWS)
		rec_commit(r);
	return n;
}

int rec_flush(struct rec *r)
{
	rec_close_window(r);
	return rec_commit(r);
}

static void *rec_main(void *arg)
{
	struct timespec idle = { 0, REC_IDLE_SLEEP_NS };
	struct rec *r = arg;

	while (!atomic_load(&r->quit))
		if (!rec_drain(r))
			nanosleep(&idle, NULL);
	rec_drain(r);
	rec_flush(r);
	return NULL;
}

int rec_start(struct rec *r, char *err, size_t errlen)
{
	pthread_attr_t attr;
	int ret;

	pthread_attr_init(&attr);
	/* mlockall(MCL_FUTURE) locks the whole stack: keep it small */
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	ret = pthread_create(&r->thread, &attr, rec_main, r);
	pthread_attr_destroy(&attr);
	if (ret) {
		snprintf(err, errlen, "cannot start the recorder thread: %s",
			 strerror(ret));
		return -ret;
	}
	r->started = true;
	return 0;
}

void rec_stop(struct rec *r)
{
	if (!r->started)
		return;
	atomic_store(&r->quit, true);
	pthread_join(r->thread, NULL);
	r->started = false;
}

/* ---- producer ---- */

static int rec_push(struct rec *r, const struct rec_msg *m, bool wait)
{
	struct timespec nap = { 0, REC_WAIT_SLEEP_NS };
	uint64_t waited = 0;

	while (ring_push(r->ring, m)) {
		/* the ring counted the drop; a wait that succeeds uncounts */
		if (!wait || !r->started || waited >= REC_WAIT_MAX_NS)
			return -ENOBUFS;
		atomic_fetch_sub(&r->dropped_extra, 1);
		nanosleep(&nap, NULL);
		waited += REC_WAIT_SLEEP_NS;
	}
	return 0;
}

int rec_session(struct rec *r, int64_t id, uint64_t start_ns)
{
	struct rec_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.type = REC_MSG_SESSION;
	m.session_id = id;
	m.tr.now_ns = start_ns;
	ret = rec_push(r, &m, false);
	if (ret)	/* retried by the caller: not a lost record */
		atomic_fetch_sub(&r->dropped_extra, 1);
	return ret;
}

int rec_sample(struct rec *r, const struct rt_trace *tr, uint32_t mode,
	       bool wait)
{
	struct rec_msg m;

	m.type = REC_MSG_SAMPLE;
	m.mode = mode;
	m.session_id = 0;
	m.tr = *tr;
	return rec_push(r, &m, wait);
}

void rec_count_dropped(struct rec *r, uint64_t n)
{
	atomic_fetch_add(&r->dropped_extra, n);
}

void rec_stats(struct rec *r, struct rec_stats *st)
{
	st->session_id = atomic_load(&r->stat_sid);
	st->samples = atomic_load(&r->samples);
	st->rows = atomic_load(&r->rows);
	st->errors = atomic_load(&r->errors);
	/* dropped_extra wraps below zero for waits that succeeded */
	st->dropped = ring_dropped(r->ring) + atomic_load(&r->dropped_extra);
}

/* ---- reading the records (event loop) ---- */

/* An optional whole-number argument within [min, max]. */
static int arg_int(const json_t *args, const char *key, json_int_t min,
		   json_int_t max, json_int_t *val, char *msg, size_t len)
{
	json_t *v = args ? json_object_get(args, key) : NULL;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return say(msg, len, -EINVAL,
			   "%s must be a whole number from %lld to %lld",
			   key, (long long)min, (long long)max);
	*val = json_integer_value(v);
	return 0;
}

static int known_session(struct store *st, json_int_t id,
			 struct store_session *rec, char *msg, size_t len)
{
	int ret = store_session_get(st, id, rec);

	if (ret == -ENOENT)
		return say(msg, len, ret,
			   "no session record %lld; 'leverctl athlete show NAME' lists an athlete's sessions with their ids",
			   (long long)id);
	if (ret)
		return say(msg, len, ret, "cannot read the records: %s",
			   strerror(-ret));
	return 0;
}

static json_t *event_json(const struct store_event *e)
{
	return json_pack("{s:I, s:I, s:f, s:o, s:o, s:s, s:s, s:s}",
			 "id", (json_int_t)e->id,
			 "wall_ms", (json_int_t)e->wall_ms,
			 "mono_s", e->mono_ns / 1e9,
			 "session", e->session_id ?
			 json_integer(e->session_id) : json_null(),
			 "athlete", e->athlete[0] ?
			 json_string(e->athlete) : json_null(),
			 "kind", e->kind, "cause", e->cause,
			 "detail", e->detail);
}

/* Adds j to arr unless the reply would outgrow a line; false if not. */
static bool append_bounded(json_t *arr, json_t *j, size_t *bytes)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	size_t n = s ? strlen(s) + 1 : 0;

	free(s);
	if (!n || *bytes + n > REC_REPLY_BYTES) {
		json_decref(j);
		return false;
	}
	*bytes += n;
	json_array_append_new(arr, j);
	return true;
}

int rec_events(struct store *st, const json_t *args, json_t **result,
	       char *msg, size_t len)
{
	struct store_event_filter f = { 0 };
	struct store_event *list;
	struct store_session rec;
	struct store_athlete a;
	json_int_t session = 0, since = 0, before = 0, limit = 50;
	json_t *v = args ? json_object_get(args, "athlete") : NULL, *arr;
	size_t n, i, bytes = 0;
	bool more;
	int ret;

	ret = arg_int(args, "session", 1, INT64_MAX, &session, msg, len);
	if (!ret)
		ret = arg_int(args, "since_ms", 0, INT64_MAX, &since, msg, len);
	if (!ret)
		ret = arg_int(args, "before_id", 0, INT64_MAX, &before, msg,
			      len);
	if (!ret)
		ret = arg_int(args, "limit", 1, REC_EVENTS_PAGE_MAX, &limit,
			      msg, len);
	if (ret)
		return ret;
	if (v && !json_is_string(v))
		return say(msg, len, -EINVAL, "athlete must be a name");
	if (v) {
		ret = store_athlete_get(st, json_string_value(v), &a);
		if (ret == -ENOENT)
			return say(msg, len, ret, "unknown athlete '%.40s'",
				   json_string_value(v));
		if (ret)
			return say(msg, len, ret, "cannot read athletes: %s",
				   strerror(-ret));
		f.athlete_id = a.id;
	}
	if (session) {
		ret = known_session(st, session, &rec, msg, len);
		if (ret)
			return ret;
	}
	f.session_id = session;
	f.since_ms = since;
	f.before_id = before;
	f.limit = (unsigned int)limit;
	ret = store_events(st, &f, &list, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the events: %s",
			   strerror(-ret));
	arr = json_array();
	more = n == f.limit;
	for (i = 0; arr && i < n; i++)
		if (!append_bounded(arr, event_json(&list[i]), &bytes)) {
			more = true;
			break;
		}
	free(list);
	*result = json_pack("{s:o, s:b}", "events", arr ? arr : json_null(),
			    "more", more);
	return *result ? 0 : -ENOMEM;
}

static json_t *trace_row_json(const struct store_trace_row *r)
{
	return json_pack("[I, I, i, i, i, I, i, I, i, i, I, s]",
			 (json_int_t)r->t_ms, (json_int_t)r->samples,
			 r->force_mn_mean, r->force_mn_min, r->force_mn_max,
			 (json_int_t)r->pressure_pa_mean, r->belt_mm_s_mean,
			 (json_int_t)r->cmd_pressure_pa, r->cmd_belt_mm_s,
			 r->cmd_incline_centi_pct, (json_int_t)r->faults,
			 loop_mode_name(r->mode));
}

int rec_trace(struct store *st, const json_t *args, json_t **result,
	      char *msg, size_t len)
{
	struct store_trace_row *rows;
	struct store_session rec;
	json_int_t session = 0, offset = 0, limit = REC_TRACE_PAGE_MAX;
	json_t *arr, *names;
	size_t total, n, i, bytes = 0;
	unsigned int b;
	int ret;

	ret = arg_int(args, "session", 1, INT64_MAX, &session, msg, len);
	if (!ret)
		ret = arg_int(args, "offset", 0, INT32_MAX, &offset, msg, len);
	if (!ret)
		ret = arg_int(args, "limit", 1, REC_TRACE_PAGE_MAX, &limit,
			      msg, len);
	if (ret)
		return ret;
	if (!session)
		return say(msg, len, -EINVAL,
			   "which session? give its record id as session");
	ret = known_session(st, session, &rec, msg, len);
	if (ret)
		return ret;
	ret = store_trace_count(st, session, &total);
	if (!ret)
		ret = store_trace_rows(st, session, (size_t)offset,
				       (size_t)limit, &rows, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the trace: %s",
			   strerror(-ret));
	arr = json_array();
	for (i = 0; arr && i < n; i++)
		if (!append_bounded(arr, trace_row_json(&rows[i]), &bytes))
			break;
	free(rows);
	names = json_array();
	for (b = 0; names && b < SUP_F_COUNT; b++)
		json_array_append_new(names, json_string(sup_fault_name(1u << b)));
	*result = json_pack("{s:{s:I, s:s, s:s, s:s, s:I, s:s, s:f},"
			    " s:I, s:I, s:I,"
			    " s:[s, s, s, s, s, s, s, s, s, s, s, s], s:o, s:o}",
		"record", "id", (json_int_t)rec.id, "plan", rec.plan,
		"session", rec.session, "date", rec.date,
		"started_s", (json_int_t)rec.started_s,
		"end_cause", rec.end_cause,
		"elapsed_s", rec.elapsed_ms / 1000.0,
		"window_ms", (json_int_t)(REC_WINDOW_NS / 1000000),
		"rows_total", (json_int_t)total, "offset", offset,
		"columns", "t_ms", "samples", "support_force_mn_mean",
		"support_force_mn_min", "support_force_mn_max",
		"support_pressure_pa_mean", "belt_speed_mm_s_mean",
		"cmd_support_pressure_pa", "cmd_belt_speed_mm_s",
		"cmd_incline_centi_pct", "faults", "mode",
		"rows", arr ? arr : json_null(),
		"fault_names", names ? names : json_null());
	return *result ? 0 : -ENOMEM;
}

int rec_request(struct store *st, const char *cmd, const json_t *args,
		json_t **result, char *msg, size_t len)
{
	if (!strcmp(cmd, "events"))
		return rec_events(st, args, result, msg, len);
	if (!strcmp(cmd, "trace"))
		return rec_trace(st, args, result, msg, len);
	return 1;
}
