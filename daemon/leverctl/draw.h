/* SPDX-License-Identifier: MIT */
/*
 * leverctl's pictures (draw.c): a page drawn with cairo on a recording
 * surface, then written as PNG or PDF (by the file's extension) whole or
 * not at all. Shared by plot and report; black, greys and dash patterns
 * only, so a page reads the same printed in black and white.
 */
#ifndef LEVERCTL_DRAW_H
#define LEVERCTL_DRAW_H

#include <stdbool.h>
#include <cairo.h>

#define CTL_DRAW_MIN		100	/* px or pt, each side */
#define CTL_DRAW_MAX		10000

enum ctl_draw_kind { CTL_DRAW_PNG, CTL_DRAW_PDF };

struct ctl_draw {
	enum ctl_draw_kind kind;
	double w, h;			/* PNG: pixels; PDF: points */
	cairo_surface_t *rec;
	cairo_t *cr;			/* draw on this */
};

/* The kind from "x.png" / "x.pdf" (any case): 0 or -EINVAL. */
int ctl_draw_kind_of(const char *path, enum ctl_draw_kind *kind);
/* "1200x800" within [CTL_DRAW_MIN, CTL_DRAW_MAX]: 0 or -EINVAL. */
int ctl_draw_parse_size(const char *s, double *w, double *h);

/* A white page of @w x @h: 0 or -ENOMEM. */
int ctl_draw_open(struct ctl_draw *d, enum ctl_draw_kind kind, double w,
		  double h);
/*
 * Write the page to @path through a temporary file, its sentence on
 * stderr on failure: an exit code (LEVER_CTL_EXIT_OUTPUT: not written).
 */
int ctl_draw_write(struct ctl_draw *d, const char *path);
/* The page freed, and cairo's caches: once, after the last page. */
void ctl_draw_close(struct ctl_draw *d);

/* Text with its left (@align 0), centre (0.5) or right (1) at x. */
void ctl_draw_text(cairo_t *cr, double x, double y, double align,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A "nice" tick step (1, 2, 5 x 10^n) giving about @n ticks over @span. */
double ctl_draw_tick(double span, int n);

#endif /* LEVERCTL_DRAW_H */
