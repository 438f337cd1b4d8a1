// SPDX-License-Identifier: MIT
/*
 * export_build: a session's records (row, events, steps, 10 Hz trace) as
 * laps, timer events and one point a second. Distance is the integral of
 * the measured belt speed, row by row; nothing is taken from the plan's
 * targets. It refuses a record that contradicts itself rather than
 * smoothing it into a plausible file.
 */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"

enum export_intensity export_intensity_of(const char *kind)
{
	if (!strcmp(kind, "warmup"))
		return EXPORT_WARMUP;
	if (!strcmp(kind, "cooldown"))
		return EXPORT_COOLDOWN;
	if (!strcmp(kind, "walk"))
		return EXPORT_REST;
	return EXPORT_ACTIVE;
}

const char *export_intensity_name(enum export_intensity i)
{
	switch (i) {
	case EXPORT_WARMUP:
		return "warmup";
	case EXPORT_COOLDOWN:
		return "cooldown";
	case EXPORT_REST:
		return "rest";
	case EXPORT_ACTIVE:
		break;
	}
	return "active";
}

void export_free(struct export_session *x)
{
	if (!x)
		return;
	free(x->laps);
	free(x->timer);
	free(x->points);
	memset(x, 0, sizeof(*x));
}

/*
 * The texts of a record go into XML, FIT strings and CSV cells as they
 * are. leverd only ever writes printable ASCII there, but a damaged or
 * hand-edited database may hold anything, and one control byte or
 * broken UTF-8 sequence makes a TCX no reader opens (found by
 * tests/fuzz/fuzz_export); a comma moves the CSV columns. Anything else
 * becomes '?'.
 */
static void plain_text(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c > 0x7e || c == ',' || c == '"')
			*s = '?';
	}
}

static uint32_t clamp_ms(int64_t t, uint32_t max)
{
	if (t < 0)
		return 0;
	return t > max ? max : (uint32_t)t;
}

/* Timer events from start, pause, resume and end, in time order. */
static int build_timer(struct export_session *x, const struct store_event *ev,
		       size_t nev, char *msg, size_t len)
{
	uint64_t start_ns = 0;
	bool have_start = false, running = true;
	size_t i;

	x->timer = calloc(nev + 2, sizeof(*x->timer));
	if (!x->timer)
		return say(msg, len, -ENOMEM, "out of memory");
	for (i = 0; i < nev; i++) {
		if (!strcmp(ev[i].kind, "start")) {
			start_ns = ev[i].mono_ns;
			x->start_wall_ms = ev[i].wall_ms;
			have_start = true;
			break;
		}
	}
	if (!have_start)	/* recorded before events existed */
		x->start_wall_ms = x->rec.started_s * 1000;
	x->timer[x->n_timer++] = (struct export_timer){ 0, true, false };
	for (i = 0; have_start && i < nev; i++) {
		const struct store_event *e = &ev[i];
		bool pause = !strcmp(e->kind, "pause");
		bool resume = !strcmp(e->kind, "resume");
		bool end = !strcmp(e->kind, "end");
		uint32_t t;

		if (!pause && !resume && !end)
			continue;
		if (e->mono_ns < start_ns)
			return say(msg, len, -EBADMSG,
				   "event #%lld (%s) of session %lld is before its start",
				   (long long)e->id, e->kind,
				   (long long)x->rec.id);
		t = clamp_ms((int64_t)((e->mono_ns - start_ns) / 1000000u),
			     x->duration_ms);
		if (end) {
			x->timer[x->n_timer++] =
				(struct export_timer){ t, false, true };
			return 0;
		}
		if (resume == running)	/* a resume that resumes nothing */
			continue;
		running = resume;
		x->timer[x->n_timer++] =
			(struct export_timer){ t, resume, false };
	}
	/* no end recorded (interrupted): the timer stops with the trace */
	x->timer[x->n_timer++] =
		(struct export_timer){ x->duration_ms, false, true };
	return 0;
}

/* How much of [a, b) the timer ran. */
static uint32_t timer_overlap(const struct export_session *x, uint32_t a,
			      uint32_t b)
{
	uint32_t sum = 0, from = 0, lo, hi;
	bool on = false;
	size_t i;

	for (i = 0; i < x->n_timer; i++) {
		const struct export_timer *t = &x->timer[i];

		if (t->start && !on) {
			on = true;
			from = t->t_ms;
		} else if (!t->start && on) {
			on = false;
			lo = from > a ? from : a;
			hi = t->t_ms < b ? t->t_ms : b;
			if (hi > lo)
				sum += hi - lo;
		}
	}
	return sum;
}

static int build_laps(struct export_session *x, const struct store_step *st,
		      size_t nst)
{
	struct export_lap *l;
	size_t i, n = nst ? nst : 1;

	x->laps = calloc(n, sizeof(*x->laps));
	if (!x->laps)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		l = &x->laps[i];
		l->start_ms = i ? clamp_ms(st[i].t_ms, x->duration_ms) : 0;
		l->end_ms = i + 1 < n ? clamp_ms(st[i + 1].t_ms,
						 x->duration_ms) :
			    x->duration_ms;
		if (l->end_ms < l->start_ms)
			l->end_ms = l->start_ms;
		if (nst) {
			l->step_index = st[i].step_index;
			snprintf(l->kind, sizeof(l->kind), "%s", st[i].kind);
			l->bw_carried_pct_x100 = st[i].bw_carried_pct_x100;
			l->target_belt_mm_s = st[i].belt_speed_mm_s;
		} else {
			l->step_index = -1;
			snprintf(l->kind, sizeof(l->kind), "session");
		}
		plain_text(l->kind);
		l->intensity = export_intensity_of(l->kind);
		l->timer_ms = timer_overlap(x, l->start_ms, l->end_ms);
	}
	x->n_laps = n;
	return 0;
}

static size_t lap_at(const struct export_session *x, uint32_t t_ms)
{
	size_t i;

	for (i = x->n_laps; i-- > 1;)
		if (t_ms >= x->laps[i].start_ms)
			return i;
	return 0;
}

static double bw_carried_pct(const struct export_session *x, double force_n)
{
	double weight_n;

	if (!x->rec.mass_g)
		return -1.0;
	weight_n = x->rec.mass_g / 1000.0 * EXPORT_STANDARD_GRAVITY_M_S2;
	return 100.0 * (1.0 - force_n / weight_n);
}

/* Measured belt speed, a stopped belt's noise below zero read as zero. */
static int32_t belt(const struct store_trace_row *r)
{
	return r->belt_mm_s_mean > 0 ? r->belt_mm_s_mean : 0;
}

/* Distances per row and lap, then a point at every whole second. */
static int build_points(struct export_session *x)
{
	const struct store_trace_row *r = x->rows;
	uint64_t um = 0;
	size_t i, k, n, row = 0;

	for (i = 0; i < x->n_rows; i++) {
		struct export_lap *l = &x->laps[lap_at(x, r[i].t_ms)];
		uint64_t d_um = (uint64_t)belt(&r[i]) * EXPORT_ROW_MS;

		l->distance_mm += d_um;	/* µm until the end of the loop */
		x->distance_mm += d_um;
		if (belt(&r[i]) > l->max_belt_mm_s)
			l->max_belt_mm_s = belt(&r[i]);
		if (belt(&r[i]) > x->max_belt_mm_s)
			x->max_belt_mm_s = belt(&r[i]);
	}
	for (i = 0; i < x->n_laps; i++)
		x->laps[i].distance_mm = (x->laps[i].distance_mm + 500) / 1000;
	x->distance_mm = (x->distance_mm + 500) / 1000;

	n = (x->duration_ms + 999) / 1000 + 1;
	x->points = calloc(n, sizeof(*x->points));
	if (!x->points)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		struct export_point *p = &x->points[k];
		uint32_t t = k * 1000 < x->duration_ms ? k * 1000 :
			     x->duration_ms;
		int64_t speed = 0, force = 0;
		size_t cnt = 0;

		if (k && t == x->points[k - 1].t_ms)
			break;
		while (row < x->n_rows && r[row].t_ms < t) {
			um += (uint64_t)belt(&r[row]) * EXPORT_ROW_MS;
			if (r[row].t_ms + 1000 >= t) {
				speed += belt(&r[row]);
				force += r[row].force_mn_mean;
				cnt++;
			}
			row++;
		}
		if (!cnt && x->n_rows) {	/* the first point */
			speed = belt(&r[0]);
			force = r[0].force_mn_mean;
			cnt = 1;
		}
		p->t_ms = t;
		p->distance_mm = (um + 500) / 1000;
		p->belt_mm_s = cnt ? (int32_t)(speed / (int64_t)cnt) : 0;
		p->support_force_n = cnt ? force / (double)cnt / 1000.0 : 0.0;
		p->bw_carried_pct = bw_carried_pct(x, p->support_force_n);
		p->lap = (int)lap_at(x, t ? t - 1 : 0);
		x->n_points = k + 1;
	}
	return 0;
}

/*
 * No session runs a day. A trace row later than that is damage, and it
 * would make an export of one point a second for all of it (a row at
 * 49 days: a 1 GB TCX; found by tests/fuzz/fuzz_export).
 */
#define EXPORT_MAX_SESSION_MS	(24u * 3600u * 1000u)

static int check_rows(const struct export_session *x, char *msg, size_t len)
{
	const struct store_trace_row *r = x->rows;
	size_t i;

	for (i = 0; i < x->n_rows; i++) {
		if (i && r[i].t_ms <= r[i - 1].t_ms)
			return say(msg, len, -EBADMSG,
				   "session %lld is corrupt: trace row %zu (t = %u ms) is not after the row before it",
				   (long long)x->rec.id, i, r[i].t_ms);
		if (r[i].t_ms >= EXPORT_MAX_SESSION_MS)
			return say(msg, len, -EBADMSG,
				   "session %lld is corrupt: trace row %zu is at t = %u ms, past a day",
				   (long long)x->rec.id, i, r[i].t_ms);
		if (r[i].belt_mm_s_mean < EXPORT_BELT_MIN_MM_S ||
		    r[i].belt_mm_s_mean > EXPORT_BELT_MAX_MM_S)
			return say(msg, len, -EBADMSG,
				   "session %lld is corrupt: trace row %zu (t = %u ms) has a belt speed of %d mm/s",
				   (long long)x->rec.id, i, r[i].t_ms,
				   r[i].belt_mm_s_mean);
	}
	return 0;
}

int export_build(struct export_session *x, const struct store_session *rec,
		 const char *athlete, const struct store_event *ev, size_t nev,
		 const struct store_step *steps, size_t nsteps,
		 const struct store_trace_row *rows, size_t nrows,
		 char *msg, size_t len)
{
	int ret;

	memset(x, 0, sizeof(*x));
	if (!strcmp(rec->end_cause, "running"))
		return say(msg, len, -EBUSY,
			   "session %lld is still running; export it after it has ended",
			   (long long)rec->id);
	if (!nrows)
		return say(msg, len, -ENODATA,
			   "session %lld has no recorded trace: there is nothing to export",
			   (long long)rec->id);
	x->rec = *rec;
	snprintf(x->athlete, sizeof(x->athlete), "%s", athlete ? athlete : "");
	plain_text(x->athlete);
	plain_text(x->rec.plan);
	plain_text(x->rec.session);
	plain_text(x->rec.date);
	plain_text(x->rec.end_cause);
	plain_text(x->rec.board_serial);
	x->rows = rows;
	x->n_rows = nrows;
	ret = check_rows(x, msg, len);
	if (ret)
		return ret;
	x->duration_ms = rows[nrows - 1].t_ms + EXPORT_ROW_MS;
	ret = build_timer(x, ev, nev, msg, len);
	if (!ret) {
		x->timer_ms = timer_overlap(x, 0, x->duration_ms);
		ret = build_laps(x, steps, nsteps);
		if (!ret)
			ret = build_points(x);
		if (ret)
			say(msg, len, ret, "out of memory");
	}
	if (ret)
		export_free(x);
	return ret;
}
