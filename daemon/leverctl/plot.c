// SPDX-License-Identifier: MIT
/*
 * leverctl plot SESSION-ID -o FILE.png|FILE.pdf [--size WxH]: one finished
 * session as a picture for the patient file: support force, body weight
 * carried and belt speed over time, target dashed and measured solid, the
 * plan's steps as shaded bands, pauses, pain, stops and faults marked.
 * Reads leverd's records like export; writes the file whole or not at all.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "records.h"

#define PLOT_W_PX	1200
#define PLOT_H_PX	800
#define PLOT_W_PT	842	/* A4 landscape */
#define PLOT_H_PT	595

/*
 * Where things go, as fractions of the page, so that a test can find the
 * step strip in any size: the strip holds one band per step, dark and
 * light in turn.
 */
#define PLOT_LEFT	0.08
#define PLOT_RIGHT	0.98
#define PLOT_STRIP_Y0	0.07
#define PLOT_STRIP_Y1	0.09
#define PLOT_TOP	0.10
#define PLOT_BOTTOM	0.91

struct line {
	const double *t_s, *v;
	size_t n;
	bool dashed;
};

struct box {
	double x0, y0, x1, y1;		/* page units */
	double t_max, v_min, v_max;
};

static double bx(const struct box *b, double t)
{
	return b->x0 + (b->x1 - b->x0) * t / b->t_max;
}

static double by(const struct box *b, double v)
{
	return b->y1 - (b->y1 - b->y0) * (v - b->v_min) /
	       (b->v_max - b->v_min);
}

static void range(const struct line *l, size_t nl, double *lo, double *hi)
{
	double step;
	size_t i, j;

	*lo = 0;
	*hi = 1;
	for (i = 0; i < nl; i++)
		for (j = 0; j < l[i].n; j++) {
			if (!isfinite(l[i].v[j]))
				continue;
			*lo = fmin(*lo, l[i].v[j]);
			*hi = fmax(*hi, l[i].v[j]);
		}
	step = ctl_draw_tick(*hi - *lo, 4);
	*lo = floor(*lo / step) * step;
	*hi = ceil(*hi * 1.05 / step) * step;
}

/*
 * One line, at most its first, lowest, highest and last value in each
 * column of the page (a pixel, or a point in a PDF): a 10 Hz trace of an
 * hour is 36000 values, and its noise must still show as a band.
 */
static void stroke_line(cairo_t *cr, const struct box *b,
			const struct line *l)
{
	double col = NAN, first = 0, lo = 0, hi = 0, last = 0, c;
	bool pen = false;
	size_t j;

	for (j = 0; j <= l->n; j++) {
		bool gap = j == l->n || !isfinite(l->v[j]);

		c = gap ? NAN : floor(bx(b, l->t_s[j]));
		if (!isnan(col) && (gap || c != col)) {
			if (pen)
				cairo_line_to(cr, col, by(b, first));
			else
				cairo_move_to(cr, col, by(b, first));
			cairo_line_to(cr, col, by(b, lo));
			cairo_line_to(cr, col, by(b, hi));
			cairo_line_to(cr, col, by(b, last));
			pen = true;
			col = NAN;
		}
		if (gap) {
			pen = false;
			continue;
		}
		if (isnan(col)) {
			col = c;
			first = lo = hi = l->v[j];
		}
		lo = fmin(lo, l->v[j]);
		hi = fmax(hi, l->v[j]);
		last = l->v[j];
	}
	cairo_stroke(cr);
}

/* A panel: frame, value ticks and label, its lines (NaN: a gap). */
static void panel(cairo_t *cr, struct box *b, double scale,
		  const char *label, const struct line *l, size_t nl)
{
	static const double dash[] = { 6, 4 };
	double v, step, d[2] = { dash[0] * scale, dash[1] * scale };
	size_t i;

	range(l, nl, &b->v_min, &b->v_max);
	step = ctl_draw_tick(b->v_max - b->v_min, 4);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1 * scale);
	cairo_rectangle(cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 11 * scale);
	for (v = b->v_min; v <= b->v_max + step / 2; v += step) {
		cairo_move_to(cr, b->x0 - 4 * scale, by(b, v));
		cairo_line_to(cr, b->x0, by(b, v));
		cairo_stroke(cr);
		ctl_draw_text(cr, b->x0 - 6 * scale, by(b, v) + 4 * scale, 1,
			      "%g", v);
	}
	cairo_save(cr);
	cairo_translate(cr, b->x0 - 48 * scale, (b->y0 + b->y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	ctl_draw_text(cr, 0, 0, 0.5, "%s", label);
	cairo_restore(cr);
	for (i = 0; i < nl; i++) {
		cairo_set_line_width(cr, (l[i].dashed ? 1.5 : 1.2) * scale);
		cairo_set_dash(cr, d, l[i].dashed ? 2 : 0, 0);
		stroke_line(cr, b, &l[i]);
		cairo_set_dash(cr, NULL, 0, 0);
	}
}

static uint64_t start_ns_of(const struct ctl_records *r)
{
	size_t i;

	for (i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].kind, "start"))
			return r->ev[i].mono_ns;
	return 0;
}

/* The events a reader looks for, as a line across the panels. */
static bool marked(const char *kind)
{
	static const char *const k[] = { "pause", "resume", "pain", "stop",
					 "fault", "estop", "safety-key" };
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(kind, k[i]))
			return true;
	return false;
}

static void draw_session(struct ctl_draw *d, const struct ctl_records *r,
			 const struct export_session *x)
{
	cairo_t *cr = d->cr;
	double scale = d->h / PLOT_H_PX > d->w / PLOT_W_PX ?
		       d->w / PLOT_W_PX : d->h / PLOT_H_PX;
	double x0 = PLOT_LEFT * d->w, x1 = PLOT_RIGHT * d->w;
	double y0 = PLOT_TOP * d->h, y1 = PLOT_BOTTOM * d->h;
	double gap = 0.03 * d->h, ph = (y1 - y0 - 2 * gap) / 3;
	double t_max = fmax(x->duration_ms / 1000.0, 1), step, t;
	double mass_kg = r->rec.mass_g / 1000.0;
	size_t n = x->n_rows, np = x->n_points, i, k;
	double *buf = calloc(6 * n + 2 * np + 4 * x->n_laps + 8,
			     sizeof(double));
	double *rt, *force, *belt, *cbelt, *pt, *bw, *lt, *lbw, *lforce;
	uint64_t s_ns = start_ns_of(r);
	struct box b;
	char el[32];

	if (!buf)
		return;		/* cairo's status stays fine: caught below */
	rt = buf;
	force = rt + n;
	belt = force + n;
	cbelt = belt + n;
	pt = cbelt + n;
	bw = pt + np;
	lt = bw + np;
	lbw = lt + 2 * x->n_laps + 2;
	lforce = lbw + 2 * x->n_laps + 2;
	for (i = 0; i < n; i++) {
		rt[i] = x->rows[i].t_ms / 1000.0;
		force[i] = x->rows[i].force_mn_mean / 1000.0;
		belt[i] = fmax(x->rows[i].belt_mm_s_mean, 0) * 0.0036;
		cbelt[i] = x->rows[i].cmd_belt_mm_s * 0.0036;
	}
	for (i = 0; i < np; i++) {
		pt[i] = x->points[i].t_ms / 1000.0;
		bw[i] = x->points[i].bw_carried_pct >= 0 ?
			x->points[i].bw_carried_pct : NAN;
	}
	for (i = 0, k = 0; i < x->n_laps; i++) {
		double pct = x->laps[i].bw_carried_pct_x100 / 100.0;
		double f = mass_kg > 0 ? (1 - pct / 100) * mass_kg *
			   EXPORT_STANDARD_GRAVITY_M_S2 : NAN;

		lt[k] = x->laps[i].start_ms / 1000.0;
		lbw[k] = x->laps[i].step_index < 0 ? NAN : pct;
		lforce[k++] = x->laps[i].step_index < 0 ? NAN : f;
		lt[k] = x->laps[i].end_ms / 1000.0;
		lbw[k] = lbw[k - 1];
		lforce[k] = lforce[k - 1];
		k++;
	}

	/* title */
	ctl_fmt_duration(el, sizeof(el), x->timer_ms / 1000.0);
	cairo_set_font_size(cr, 16 * scale);
	ctl_draw_text(cr, x0, 0.04 * d->h, 0,
		      "%s, %s %s (%s), %s: %s, %.2f km, %.1f kg",
		      r->athlete, r->rec.plan, r->rec.session, r->rec.date,
		      r->rec.end_cause, el, x->distance_mm / 1e6, mass_kg);

	/* the steps: a band each over the panels and in the strip */
	b = (struct box){ x0, y0, x1, y1, t_max, 0, 1 };
	cairo_set_font_size(cr, 10 * scale);
	for (i = 0; i < x->n_laps; i++) {
		double a = bx(&b, x->laps[i].start_ms / 1000.0);
		double e = bx(&b, x->laps[i].end_ms / 1000.0);

		cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
		if (i % 2) {
			cairo_rectangle(cr, a, y0, e - a, y1 - y0);
			cairo_fill(cr);
		}
		cairo_set_source_rgb(cr, i % 2 ? 0.70 : 0.30, i % 2 ? 0.70 :
				     0.30, i % 2 ? 0.70 : 0.30);
		cairo_rectangle(cr, a, PLOT_STRIP_Y0 * d->h, e - a,
				(PLOT_STRIP_Y1 - PLOT_STRIP_Y0) * d->h);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		if (e - a > 30 * scale)
			ctl_draw_text(cr, (a + e) / 2, PLOT_STRIP_Y0 * d->h -
				      3 * scale, 0.5, "%s", x->laps[i].kind);
	}

	/* the three panels */
	b.y0 = y0;
	b.y1 = y0 + ph;
	panel(cr, &b, scale, "support force (N)", (struct line[]){
		      { lt, lforce, k, true }, { rt, force, n, false } }, 2);
	b.y0 = b.y1 + gap;
	b.y1 = b.y0 + ph;
	panel(cr, &b, scale, "body weight carried (%)", (struct line[]){
		      { lt, lbw, k, true }, { pt, bw, np, false } }, 2);
	b.y0 = b.y1 + gap;
	b.y1 = b.y0 + ph;
	panel(cr, &b, scale, "belt speed (km/h)", (struct line[]){
		      { rt, cbelt, n, true }, { rt, belt, n, false } }, 2);

	/* time axis, in minutes */
	step = ctl_draw_tick(t_max / 60, 8) * 60;
	cairo_set_font_size(cr, 11 * scale);
	for (t = 0; t <= t_max + 0.01; t += step) {
		cairo_move_to(cr, bx(&b, t), y1);
		cairo_line_to(cr, bx(&b, t), y1 + 4 * scale);
		cairo_stroke(cr);
		ctl_draw_text(cr, bx(&b, t), y1 + 16 * scale, 0.5, "%g",
			      t / 60);
	}
	ctl_draw_text(cr, (x0 + x1) / 2, y1 + 32 * scale, 0.5,
		      "time from the start (min)    dashed: the plan's target, solid: measured");

	/* pauses, pain, stops and faults */
	for (i = 0; s_ns && i < r->nev; i++) {
		const struct store_event *e = &r->ev[i];
		double tx;

		if (!marked(e->kind) || e->mono_ns < s_ns)
			continue;
		tx = bx(&b, fmin((e->mono_ns - s_ns) / 1e9, t_max));
		cairo_set_line_width(cr, 1.5 * scale);
		if (!strcmp(e->kind, "pause") || !strcmp(e->kind, "resume"))
			cairo_set_dash(cr, (double[]){ 2 * scale, 3 * scale },
				       2, 0);
		cairo_move_to(cr, tx, y0);
		cairo_line_to(cr, tx, y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_save(cr);
		cairo_translate(cr, tx + 4 * scale, y0 + 4 * scale);
		cairo_rotate(cr, M_PI / 2);
		ctl_draw_text(cr, 0, 0, 0, "%s", e->kind);
		cairo_restore(cr);
	}
	free(buf);
}

int ctl_plot(struct ctl *c, int argc, char **argv)
{
	const char *id_s = NULL, *out = NULL, *size = NULL;
	struct ctl_records r = { 0 };
	struct export_session x;
	enum ctl_draw_kind kind;
	struct ctl_draw d;
	double w, h;
	long long id;
	int i, m, ret;

	for (i = 1; i < argc; i++) {
		m = ctl_opt_value(argc, argv, &i, "-o", &out);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--output", &out);
		if (!m)
			m = ctl_opt_value(argc, argv, &i, "--size", &size);
		if (m < 0)
			return ctl_usage("plot", "%s needs a value", argv[i]);
		if (m > 0)
			continue;
		if (argv[i][0] == '-' && argv[i][1])
			return ctl_usage("plot", "unknown option '%s'",
					 argv[i]);
		if (id_s)
			return ctl_usage("plot", "one session at a time ('%s' and '%s' given)",
					 id_s, argv[i]);
		id_s = argv[i];
	}
	if (!id_s)
		return ctl_usage("plot", "which session? give its record id ('leverctl history --athlete NAME' lists them)");
	if (ctl_parse_count(id_s, 1, INT64_MAX, &id))
		return ctl_usage("plot", "SESSION-ID '%s' is not a session record id (a whole number from 1)",
				 id_s);
	if (!out)
		return ctl_usage("plot", "where to? give -o FILE.png or -o FILE.pdf");
	if (ctl_draw_kind_of(out, &kind))
		return ctl_usage("plot", "'%s' ends neither in .png nor in .pdf",
				 out);
	w = kind == CTL_DRAW_PNG ? PLOT_W_PX : PLOT_W_PT;
	h = kind == CTL_DRAW_PNG ? PLOT_H_PX : PLOT_H_PT;
	if (size && ctl_draw_parse_size(size, &w, &h))
		return ctl_usage("plot", "--size '%s' is not WIDTHxHEIGHT, each %d to %d",
				 size, CTL_DRAW_MIN, CTL_DRAW_MAX);

	ret = ctl_records_fetch(c, id, &r);
	if (ret)
		return ret;
	ret = ctl_records_build(&r, &x);
	if (ret) {
		ctl_records_free(&r);
		return ret;
	}
	if (ctl_draw_open(&d, kind, w, h)) {
		ctl_err("out of memory for a %gx%g page", w, h);
		ret = LEVER_CTL_EXIT_FAIL;
	} else {
		draw_session(&d, &r, &x);
		ret = ctl_draw_write(&d, out);
		ctl_draw_close(&d);
	}
	if (!ret && c->json) {
		json_t *j = json_pack("{s:s, s:I, s:f, s:f, s:I, s:f}",
				      "file", out, "session", (json_int_t)id,
				      "width", w, "height", h,
				      "steps", (json_int_t)x.n_laps,
				      "duration_s", x.duration_ms / 1000.0);

		ret = ctl_print_json(j);
		json_decref(j);
	} else if (!ret) {
		printf("wrote %s: session #%lld (%s %s), %zu steps, %gx%g %s\n",
		       out, id, r.rec.session, r.rec.date, x.n_laps, w, h,
		       kind == CTL_DRAW_PNG ? "px" : "pt");
	}
	export_free(&x);
	ctl_records_free(&r);
	return ret;
}
