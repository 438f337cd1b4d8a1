// SPDX-License-Identifier: MIT
/*
 * leverctl: pages drawn with cairo, written as PNG or PDF (draw.h). The
 * drawing goes to a recording surface first, so that the file is encoded
 * in one go into export_write_with()'s temporary file and renamed only
 * when whole: never a half-drawn picture under the name asked for.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>

#include "draw.h"
#include "export.h"
#include "leverctl.h"

int ctl_draw_kind_of(const char *path, enum ctl_draw_kind *kind)
{
	size_t n = strlen(path);

	if (n > 4 && !strcasecmp(path + n - 4, ".png"))
		*kind = CTL_DRAW_PNG;
	else if (n > 4 && !strcasecmp(path + n - 4, ".pdf"))
		*kind = CTL_DRAW_PDF;
	else
		return -EINVAL;
	return 0;
}

int ctl_draw_parse_size(const char *s, double *w, double *h)
{
	unsigned int a, b;
	char x, end;

	if (sscanf(s, "%u%c%u%c", &a, &x, &b, &end) != 3 || x != 'x' ||
	    a < CTL_DRAW_MIN || a > CTL_DRAW_MAX || b < CTL_DRAW_MIN ||
	    b > CTL_DRAW_MAX)
		return -EINVAL;
	*w = a;
	*h = b;
	return 0;
}

int ctl_draw_open(struct ctl_draw *d, enum ctl_draw_kind kind, double w,
		  double h)
{
	cairo_rectangle_t r = { 0, 0, w, h };

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->w = w;
	d->h = h;
	d->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &r);
	d->cr = cairo_create(d->rec);
	if (cairo_status(d->cr)) {
		ctl_draw_close(d);
		return -ENOMEM;
	}
	cairo_set_source_rgb(d->cr, 1, 1, 1);
	cairo_paint(d->cr);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	cairo_select_font_face(d->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	return 0;
}

void ctl_draw_close(struct ctl_draw *d)
{
	if (d->cr)
		cairo_destroy(d->cr);
	if (d->rec)
		cairo_surface_destroy(d->rec);
	d->cr = NULL;
	d->rec = NULL;
	/*
	 * leverctl draws one page and exits; its font faces stay in cairo's
	 * and fontconfig's caches, which valgrind reports as lost. No cairo
	 * object is left now, so the caches can go.
	 */
	cairo_debug_reset_static_data();
	FcFini();
}

static cairo_status_t to_file(void *closure, const unsigned char *data,
			      unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS :
	       CAIRO_STATUS_WRITE_ERROR;
}

/* export_write_with()'s encoder: the recording replayed onto @f. */
static int encode(const void *ctx, FILE *f)
{
	const struct ctl_draw *d = ctx;
	cairo_surface_t *s;
	cairo_status_t st;
	cairo_t *cr;

	if (d->kind == CTL_DRAW_PNG)
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
					       (int)lround(d->w),
					       (int)lround(d->h));
	else
		s = cairo_pdf_surface_create_for_stream(to_file, f, d->w,
							d->h);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_surface(cr, d->rec, 0, 0);
	cairo_paint(cr);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (!st && d->kind == CTL_DRAW_PNG)
		st = cairo_surface_write_to_png_stream(s, to_file, f);
	cairo_surface_finish(s);
	if (!st)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st == CAIRO_STATUS_NO_MEMORY)
		return -ENOMEM;
	return st ? -EIO : 0;
}

int ctl_draw_write(struct ctl_draw *d, const char *path)
{
	char msg[512];

	if (cairo_status(d->cr)) {
		ctl_err("cannot draw %s: %s", path,
			cairo_status_to_string(cairo_status(d->cr)));
		return LEVER_CTL_EXIT_FAIL;
	}
	if (export_write_with(encode, d, path, msg, sizeof(msg))) {
		ctl_err("%s", msg);
		return LEVER_CTL_EXIT_OUTPUT;
	}
	return LEVER_CTL_EXIT_OK;
}

void ctl_draw_text(cairo_t *cr, double x, double y, double align,
		   const char *fmt, ...)
{
	cairo_text_extents_t te;
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cairo_text_extents(cr, buf, &te);
	cairo_move_to(cr, x - align * te.x_advance, y);
	cairo_show_text(cr, buf);
}

double ctl_draw_tick(double span, int n)
{
	double raw, mag, f;

	if (span <= 0 || n < 1)
		return 1;
	raw = span / n;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}
