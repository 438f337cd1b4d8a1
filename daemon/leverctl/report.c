// SPDX-License-Identifier: MIT
/*
 * leverctl report --athlete NAME [--plan PLAN] [-o FILE.pdf|FILE.png]: the
 * athlete's plan week by week, planned against done ("Training Load By
 * Week"), each recorded session with its support, distance, time, pauses,
 * pain and faults, and the session that comes next; -o draws it on one
 * page for the patient file. Every number is read from leverd's records
 * (athlete_show, next, export, trace) and the plan file; changes nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "records.h"

#define REPORT_W_PT	595	/* A4 portrait */
#define REPORT_H_PT	842
#define REPORT_W_PX	1240
#define REPORT_H_PX	1754

/* One recorded session, summed up. */
struct rep_session {
	long long id;
	char session[16], date[16], end_cause[32];
	unsigned int week;		/* 0: not a session of this plan */
	bool completed, pain, in_plan, readable;
	int pain_score;			/* -1: none given */
	double timer_s, run_s, distance_m;
	double bw_pct;			/* measured mean; < 0: unknown */
	double bw_target_pct;		/* the run steps' (or all) lowest */
	unsigned int pauses, faults, stops;
	bool regression;		/* an earlier week than one before */
};

/* One week of the plan: planned and done. */
struct rep_week {
	unsigned int planned, completed, recorded;
	double planned_s, planned_run_s, done_s, run_s, distance_m;
	double bw_plan_min, bw_plan_max;	/* % */
	double bw_sum, bw_time;		/* time-weighted measured mean */
	int pain_max;			/* -1: none */
	unsigned int pains, pauses, faults, stops, regressions;
};

struct report {
	char athlete[64], plan_id[128], next[32], next_reason[256];
	double mass_kg;
	const struct plan *plan;
	struct rep_session *s;
	size_t n;
	struct rep_week *w;		/* plan->weeks of them */
	unsigned int weeks_done, sessions_completed;
};

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

/* A session's record summed up from its trace, as export reads it. */
static int sum_session(struct ctl *c, struct rep_session *s)
{
	struct ctl_records r = { 0 };
	struct export_session x;
	double bw = 0, bw_n = 0, tgt = INFINITY;
	size_t i;
	int ret;

	ret = ctl_records_fetch(c, s->id, &r);
	if (!ret)
		ret = ctl_records_build(&r, &x);
	if (ret) {
		ctl_records_free(&r);
		return ret;
	}
	s->timer_s = x.timer_ms / 1000.0;
	s->distance_m = x.distance_mm / 1000.0;
	for (i = 0; i < x.n_laps; i++)
		if (x.laps[i].intensity == EXPORT_ACTIVE) {
			s->run_s += x.laps[i].timer_ms / 1000.0;
			if (x.laps[i].step_index >= 0)
				tgt = fmin(tgt, x.laps[i].bw_carried_pct_x100 /
					   100.0);
		}
	for (i = 0; isinf(tgt) && i < x.n_laps; i++)
		if (x.laps[i].step_index >= 0)
			tgt = fmin(tgt, x.laps[i].bw_carried_pct_x100 / 100.0);
	s->bw_target_pct = isinf(tgt) ? -1 : tgt;
	/* measured while running, where the plan asks least of the support */
	for (i = 0; i < x.n_points; i++) {
		const struct export_point *p = &x.points[i];

		if (p->bw_carried_pct < 0 ||
		    (s->run_s > 0 && x.laps[p->lap].intensity != EXPORT_ACTIVE))
			continue;
		bw += p->bw_carried_pct;
		bw_n++;
	}
	s->bw_pct = bw_n ? bw / bw_n : -1;
	for (i = 0; i < r.nev; i++) {
		const char *k = r.ev[i].kind;

		s->pauses += !strcmp(k, "pause");
		s->faults += !strcmp(k, "fault");
		s->stops += !strcmp(k, "stop") || !strcmp(k, "estop") ||
			    !strcmp(k, "safety-key");
	}
	s->readable = true;
	export_free(&x);
	ctl_records_free(&r);
	return 0;
}

static int load_sessions(struct ctl *c, struct report *rp, const json_t *arr)
{
	unsigned int week, day, last_week = 0;
	const json_t *j;
	size_t i;
	int ret;

	rp->s = calloc(json_array_size(arr) + 1, sizeof(*rp->s));
	if (!rp->s) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	json_array_foreach(arr, i, j) {
		struct rep_session *s = &rp->s[rp->n];
		const json_t *ps = json_object_get(j, "pain_score");

		if (!strcmp(jstr(j, "end_cause"), "running"))
			continue;	/* the session on the belt now */
		s->id = json_integer_value(json_object_get(j, "id"));
		snprintf(s->session, sizeof(s->session), "%s",
			 jstr(j, "session"));
		snprintf(s->date, sizeof(s->date), "%s", jstr(j, "date"));
		snprintf(s->end_cause, sizeof(s->end_cause), "%s",
			 jstr(j, "end_cause"));
		s->completed = json_is_true(json_object_get(j, "completed"));
		s->pain = json_is_true(json_object_get(j, "pain"));
		s->pain_score = json_is_integer(ps) ?
				(int)json_integer_value(ps) : -1;
		s->bw_pct = -1;
		s->bw_target_pct = -1;
		s->in_plan = !strcmp(jstr(j, "plan"), rp->plan_id) &&
			!plan_session_name_parse(s->session, &week, &day) &&
			week >= 1 && week <= rp->plan->weeks;
		if (s->in_plan) {
			s->week = week;
			s->regression = week < last_week;
			last_week = week;
		}
		ret = sum_session(c, s);
		/* a record export refuses still counts; its numbers do not */
		if (ret == LEVER_CTL_EXIT_NO_DAEMON ||
		    ret == LEVER_CTL_EXIT_PERM)
			return ret;
		/* paused, or started since athlete_show: not done yet */
		if (ret != LEVER_CTL_EXIT_BUSY)
			rp->n++;
	}
	return LEVER_CTL_EXIT_OK;
}

static void sum_weeks(struct report *rp)
{
	const struct plan *p = rp->plan;
	size_t i;

	for (i = 0; i < p->weeks; i++) {
		rp->w[i].pain_max = -1;
		rp->w[i].bw_plan_min = INFINITY;
		rp->w[i].bw_plan_max = -INFINITY;
	}
	for (i = 0; i < p->n_sessions; i++) {
		const struct plan_session *ps = &p->sessions[i];
		struct rep_week *w = &rp->w[ps->week - 1];

		w->planned++;
		w->planned_s += ps->total_ms / 1000.0;
		w->planned_run_s += ps->run_ms / 1000.0;
		w->bw_plan_min = fmin(w->bw_plan_min,
				      ps->bw_min_pct_x100 / 100.0);
		w->bw_plan_max = fmax(w->bw_plan_max,
				      ps->bw_max_pct_x100 / 100.0);
	}
	for (i = 0; i < rp->n; i++) {
		const struct rep_session *s = &rp->s[i];
		struct rep_week *w;

		if (!s->in_plan)
			continue;
		w = &rp->w[s->week - 1];
		w->recorded++;
		w->completed += s->completed;
		w->done_s += s->timer_s;
		w->run_s += s->run_s;
		w->distance_m += s->distance_m;
		if (s->bw_pct >= 0) {
			double t = s->run_s > 0 ? s->run_s : s->timer_s;

			w->bw_sum += s->bw_pct * t;
			w->bw_time += t;
		}
		w->pains += s->pain;
		if (s->pain_score > w->pain_max)
			w->pain_max = s->pain_score;
		w->pauses += s->pauses;
		w->faults += s->faults;
		w->stops += s->stops;
		w->regressions += s->regression;
		rp->sessions_completed += s->completed;
	}
	/* a week is done when as many of its sessions completed as planned */
	for (i = 0; i < p->weeks; i++)
		rp->weeks_done += rp->w[i].planned &&
				  rp->w[i].completed >= rp->w[i].planned;
}

static void fmt_min(char *buf, size_t len, double s)
{
	ctl_fmt_duration(buf, len, s);
}

static void fmt_pain(char *buf, size_t len, unsigned int n, int max)
{
	if (!n)
		snprintf(buf, len, "-");
	else if (max >= 0)
		snprintf(buf, len, "%u (max %d/10)", n, max);
	else
		snprintf(buf, len, "%u", n);
}

/* The lines of the report, shared by the terminal and the page. */
typedef void (*line_fn)(void *ctx, int style, const char *text);
enum { L_TITLE, L_HEAD, L_TEXT };

static void emit(line_fn out, void *ctx, int style, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void emit(line_fn out, void *ctx, int style, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(ctx, style, buf);
}

static void report_title(const struct report *rp, line_fn out, void *ctx)
{
	emit(out, ctx, L_TITLE, "%s: %s, %.1f kg", rp->athlete, rp->plan->id,
	     rp->mass_kg);
}

/* Everything but the title. */
static void report_lines(const struct report *rp, line_fn out, void *ctx)
{
	const struct plan *p = rp->plan;
	char a[32], b[32], e[32], f[32], pain[32], bw[32];
	size_t i;

	emit(out, ctx, L_TEXT,
	     "weeks done %u of %u, sessions completed %u of %zu, %zu recorded",
	     rp->weeks_done, p->weeks, rp->sessions_completed, p->n_sessions,
	     rp->n);
	emit(out, ctx, L_TEXT, "next: %s (%s)",
	     rp->next[0] ? rp->next : "none, the plan is complete",
	     rp->next_reason);
	emit(out, ctx, L_TEXT, "%s", "");
	emit(out, ctx, L_HEAD, "TRAINING LOAD BY WEEK (planned / done)");
	emit(out, ctx, L_HEAD, "%-4s %-8s %-17s %-15s %-7s %-13s %-12s %-6s %-6s %s",
	     "WEEK", "SESSIONS", "TIME", "RUNNING", "KM", "BW% PLAN/MEAS",
	     "PAIN", "PAUSES", "FAULTS", "STOPS");
	for (i = 0; i < p->weeks; i++) {
		const struct rep_week *w = &rp->w[i];

		fmt_min(a, sizeof(a), w->planned_s);
		fmt_min(b, sizeof(b), w->done_s);
		fmt_min(e, sizeof(e), w->planned_run_s);
		fmt_min(f, sizeof(f), w->run_s);
		fmt_pain(pain, sizeof(pain), w->pains, w->pain_max);
		if (w->bw_time > 0)
			snprintf(bw, sizeof(bw), "%.0f/%.1f", w->bw_plan_min,
				 w->bw_sum / w->bw_time);
		else
			snprintf(bw, sizeof(bw), "%.0f/-", w->bw_plan_min);
		emit(out, ctx, L_TEXT,
		     "%-4zu %u/%-6u %8s/%-8s %7s/%-7s %-7.2f %-13s %-12s %-6u %-6u %u%s",
		     i + 1, w->planned, w->completed, a, b, e, f,
		     w->distance_m / 1000, bw, pain, w->pauses, w->faults,
		     w->stops, w->regressions ? "  regressed" : "");
	}
	emit(out, ctx, L_TEXT, "%s", "");
	emit(out, ctx, L_HEAD, "SESSIONS");
	emit(out, ctx, L_HEAD, "%-5s %-10s %-11s %-8s %-8s %-6s %-12s %-6s %-6s %s",
	     "ID", "DATE", "SESSION", "TIME", "RUNNING", "KM", "BW% PLAN/MEAS",
	     "PAUSES", "FAULTS", "OUTCOME");
	for (i = 0; i < rp->n; i++) {
		const struct rep_session *s = &rp->s[i];

		fmt_min(a, sizeof(a), s->timer_s);
		fmt_min(b, sizeof(b), s->run_s);
		if (s->bw_pct >= 0)
			snprintf(bw, sizeof(bw), "%.0f/%.1f", s->bw_target_pct,
				 s->bw_pct);
		else
			snprintf(bw, sizeof(bw), "-");
		if (s->pain && s->pain_score >= 0)
			snprintf(pain, sizeof(pain), ", pain %d/10",
				 s->pain_score);
		else
			snprintf(pain, sizeof(pain), "%s",
				 s->pain ? ", pain" : "");
		emit(out, ctx, L_TEXT,
		     "%-5lld %-10s %-11s %-8s %-8s %-6.2f %-12s %-6u %-6u %s%s%s%s",
		     s->id, s->date, s->session, a, b, s->distance_m / 1000,
		     bw, s->pauses, s->faults, s->end_cause, pain,
		     s->readable ? "" : " (record unreadable)",
		     s->in_plan ? "" : " (another plan)");
	}
}

static void to_terminal(void *ctx, int style, const char *text)
{
	printf("%s\n", text);
}

static json_t *report_json(const struct report *rp)
{
	json_t *weeks = json_array(), *sessions = json_array(), *j;
	size_t i;

	for (i = 0; i < rp->plan->weeks; i++) {
		const struct rep_week *w = &rp->w[i];

		j = json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I}",
			      "week", (json_int_t)i + 1,
			      "sessions_planned", (json_int_t)w->planned,
			      "sessions_completed", (json_int_t)w->completed,
			      "sessions_recorded", (json_int_t)w->recorded,
			      "planned_s", w->planned_s,
			      "planned_running_s", w->planned_run_s,
			      "done_s", w->done_s, "running_s", w->run_s,
			      "distance_m", w->distance_m,
			      "bw_planned_min_pct", w->bw_plan_min,
			      "bw_planned_max_pct", w->bw_plan_max,
			      "pain_reports", (json_int_t)w->pains,
			      "pauses", (json_int_t)w->pauses,
			      "faults", (json_int_t)w->faults,
			      "stops", (json_int_t)w->stops,
			      "regressions", (json_int_t)w->regressions);
		json_object_set_new(j, "bw_measured_pct", w->bw_time > 0 ?
				    json_real(w->bw_sum / w->bw_time) :
				    json_null());
		json_object_set_new(j, "pain_max", w->pain_max >= 0 ?
				    json_integer(w->pain_max) : json_null());
		json_array_append_new(weeks, j);
	}
	for (i = 0; i < rp->n; i++) {
		const struct rep_session *s = &rp->s[i];

		j = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:f, s:f, s:f, s:I, s:I, s:I, s:b, s:b}",
			      "id", (json_int_t)s->id, "date", s->date,
			      "session", s->session, "end_cause", s->end_cause,
			      "completed", s->completed, "pain", s->pain,
			      "timer_s", s->timer_s, "running_s", s->run_s,
			      "distance_m", s->distance_m,
			      "pauses", (json_int_t)s->pauses,
			      "faults", (json_int_t)s->faults,
			      "stops", (json_int_t)s->stops,
			      "in_plan", s->in_plan, "readable", s->readable);
		json_object_set_new(j, "week", s->in_plan ?
				    json_integer(s->week) : json_null());
		json_object_set_new(j, "pain_score", s->pain_score >= 0 ?
				    json_integer(s->pain_score) : json_null());
		json_object_set_new(j, "bw_measured_pct", s->bw_pct >= 0 ?
				    json_real(s->bw_pct) : json_null());
		json_object_set_new(j, "bw_target_pct", s->bw_target_pct >= 0 ?
				    json_real(s->bw_target_pct) : json_null());
		json_array_append_new(sessions, j);
	}
	j = json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:I, s:o, s:o}",
		      "athlete", rp->athlete, "plan", rp->plan->id,
		      "mass_kg", rp->mass_kg,
		      "weeks_planned", (json_int_t)rp->plan->weeks,
		      "weeks_done", (json_int_t)rp->weeks_done,
		      "sessions_planned", (json_int_t)rp->plan->n_sessions,
		      "sessions_completed",
		      (json_int_t)rp->sessions_completed,
		      "weeks", weeks, "sessions", sessions);
	json_object_set_new(j, "next", rp->next[0] ? json_string(rp->next) :
			    json_null());
	return j;
}

/* The page: the weekly chart on top, then the report's lines. */
struct page {
	struct ctl_draw *d;
	double y, scale;
	unsigned int dropped;		/* lines below the page's foot */
};

static void to_page(void *ctx, int style, const char *text)
{
	struct page *pg = ctx;
	cairo_t *cr = pg->d->cr;
	double size = (style == L_TITLE ? 14 : 6.5) * pg->scale;

	if (pg->y > pg->d->h - 45 * pg->scale) {
		pg->dropped++;
		return;
	}
	cairo_select_font_face(cr, style == L_TITLE ? "sans-serif" :
			       "monospace", CAIRO_FONT_SLANT_NORMAL,
			       style == L_TEXT ? CAIRO_FONT_WEIGHT_NORMAL :
			       CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, 30 * pg->scale, pg->y);
	cairo_show_text(cr, text);
	pg->y += size * 1.35;
}

/* Planned (hatched outline) and done (solid) running minutes a week. */
static void draw_weeks(struct ctl_draw *d, const struct report *rp,
		       double y0, double y1, double scale)
{
	cairo_t *cr = d->cr;
	double x0 = 70 * scale, x1 = d->w - 30 * scale, top = 1, step, v;
	unsigned int nw = rp->plan->weeks, i;
	double bar = (x1 - x0) / nw;

	for (i = 0; i < nw; i++)
		top = fmax(top, fmax(rp->w[i].planned_run_s,
				     rp->w[i].run_s) / 60);
	step = ctl_draw_tick(top, 4);
	top = ceil(top * 1.05 / step) * step;
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.8 * scale);
	cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
	cairo_stroke(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 8 * scale);
	for (v = 0; v <= top + step / 2; v += step) {
		double y = y1 - (y1 - y0) * v / top;

		cairo_move_to(cr, x0 - 3 * scale, y);
		cairo_line_to(cr, x0, y);
		cairo_stroke(cr);
		ctl_draw_text(cr, x0 - 5 * scale, y + 3 * scale, 1, "%g", v);
	}
	cairo_save(cr);
	cairo_translate(cr, x0 - 30 * scale, (y0 + y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	ctl_draw_text(cr, 0, 0, 0.5, "running (min)");
	cairo_restore(cr);
	for (i = 0; i < nw; i++) {
		const struct rep_week *w = &rp->w[i];
		double bx = x0 + bar * i + bar * 0.15, bw = bar * 0.33;
		double hp = (y1 - y0) * w->planned_run_s / 60 / top;
		double hd = (y1 - y0) * w->run_s / 60 / top;

		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_rectangle(cr, bx, y1 - hp, bw, hp);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_stroke(cr);
		cairo_rectangle(cr, bx + bw, y1 - hd, bw, hd);
		cairo_fill(cr);
		ctl_draw_text(cr, bx + bw, y1 + 10 * scale, 0.5, "week %u%s",
			      i + 1, w->planned && w->completed >= w->planned ?
			      " (done)" : "");
	}
	ctl_draw_text(cr, (x0 + x1) / 2, y1 + 22 * scale, 0.5,
		      "running minutes by week: grey planned, black done");
}

static int report_page(const struct report *rp, const char *out,
		       enum ctl_draw_kind kind)
{
	double w = kind == CTL_DRAW_PNG ? REPORT_W_PX : REPORT_W_PT;
	double h = kind == CTL_DRAW_PNG ? REPORT_H_PX : REPORT_H_PT;
	struct ctl_draw d;
	struct page pg;
	int ret;

	if (ctl_draw_open(&d, kind, w, h)) {
		ctl_err("out of memory for a %gx%g page", w, h);
		return LEVER_CTL_EXIT_FAIL;
	}
	pg.d = &d;
	pg.scale = w / REPORT_W_PT;
	pg.y = 45 * pg.scale;
	report_title(rp, to_page, &pg);
	draw_weeks(&d, rp, 75 * pg.scale, 250 * pg.scale, pg.scale);
	pg.y = 300 * pg.scale;
	pg.dropped = 0;
	report_lines(rp, to_page, &pg);
	if (pg.dropped) {
		/* one page for the patient file; the terminal has it all */
		cairo_set_font_size(d.cr, 7 * pg.scale);
		cairo_move_to(d.cr, 30 * pg.scale, h - 30 * pg.scale);
		cairo_show_text(d.cr, "(the page is full: leverctl report --athlete NAME lists the other sessions)");
		ctl_err("%s: %u lines did not fit on the page; the terminal report has them",
			out, pg.dropped);
	}
	ret = ctl_draw_write(&d, out);
	ctl_draw_close(&d);
	return ret;
}

int ctl_report(struct ctl *c, int argc, char **argv)
{
	const char *athlete = NULL, *plan = NULL, *out = NULL;
	struct report rp = { 0 };
	enum ctl_draw_kind kind = CTL_DRAW_PDF;
	struct plan *p = NULL;
	json_t *args, *res = NULL, *nx = NULL;
	int i, m, ret;

	for (i = 1; i < argc; i++) {
		m = ctl_opt_value(argc, argv, &i, "--athlete", &athlete);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--plan", &plan);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "-o", &out);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--output", &out);
		if (m < 0)
			return ctl_usage("report", "%s needs a value", argv[i]);
		if (!m)
			return ctl_usage("report", "unknown argument '%s'",
					 argv[i]);
	}
	if (!athlete)
		return ctl_usage("report", "whose report? give --athlete NAME ('leverctl athlete list' lists them)");
	if (out && ctl_draw_kind_of(out, &kind))
		return ctl_usage("report", "'%s' ends neither in .pdf nor in .png",
				 out);

	/* leverd says which plan the athlete is on and what comes next */
	args = json_pack("{s:s}", "athlete", athlete);
	if (plan)
		json_object_set_new(args, "plan", json_string(plan));
	ret = ctl_call(c, "next", args, &nx);
	if (!ret)
		ret = ctl_call(c, "athlete_show",
			       json_pack("{s:s}", "name", athlete), &res);
	if (ret)
		goto out;
	snprintf(rp.athlete, sizeof(rp.athlete), "%s", athlete);
	snprintf(rp.plan_id, sizeof(rp.plan_id), "%s", jstr(nx, "plan"));
	snprintf(rp.next, sizeof(rp.next), "%s", jstr(nx, "session"));
	snprintf(rp.next_reason, sizeof(rp.next_reason), "%s",
		 jstr(nx, "reason"));
	rp.mass_kg = json_number_value(json_object_get(res, "mass_kg"));
	ret = ctl_load_plan(c, rp.plan_id, &p);
	if (ret)
		goto out;
	rp.plan = p;
	rp.w = calloc(p->weeks + 1, sizeof(*rp.w));
	if (!rp.w) {
		ctl_err("out of memory");
		ret = LEVER_CTL_EXIT_FAIL;
		goto out;
	}
	ret = load_sessions(c, &rp, json_object_get(res, "sessions"));
	if (ret)
		goto out;
	sum_weeks(&rp);

	if (out) {
		ret = report_page(&rp, out, kind);
		if (!ret && !c->json)
			printf("wrote %s: %s, weeks done %u of %u, %zu sessions\n",
			       out, athlete, rp.weeks_done, p->weeks, rp.n);
	}
	if (!ret && c->json) {
		json_t *j = report_json(&rp);

		if (out)
			json_object_set_new(j, "file", json_string(out));
		ret = j ? ctl_print_json(j) : LEVER_CTL_EXIT_FAIL;
		json_decref(j);
	} else if (!ret && !out) {
		report_title(&rp, to_terminal, NULL);
		report_lines(&rp, to_terminal, NULL);
	}
out:
	free(rp.s);
	free(rp.w);
	if (p)
		plan_free(p);
	json_decref(res);
	json_decref(nx);
	return ret;
}
