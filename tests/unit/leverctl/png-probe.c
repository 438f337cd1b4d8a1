// SPDX-License-Identifier: MIT
/*
 * png-probe FILE [Y_FRACTION X0_FRACTION X1_FRACTION]: what a test needs
 * to know of a picture leverctl drew, read back through libpng (cairo's
 * reader): "WIDTH HEIGHT DARK BANDS" on stdout, DARK the pixels darker
 * than mid-grey, BANDS the runs of dark and light grey in turn along the
 * row at Y_FRACTION of the height between the two x fractions (plot.c's
 * step strip). Exit 1 when the file is not a PNG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <cairo.h>

static unsigned int grey(const unsigned char *row, int x)
{
	uint32_t px = ((const uint32_t *)row)[x];

	return (((px >> 16) & 255) + ((px >> 8) & 255) + (px & 255)) / 3;
}

int main(int argc, char **argv)
{
	cairo_surface_t *s;
	const unsigned char *data;
	int w, h, stride, x, y;
	long dark = 0, bands = 0;
	char last = 0, k;

	if (argc != 2 && argc != 5) {
		fprintf(stderr, "usage: png-probe FILE [Y X0 X1]\n");
		return 2;
	}
	s = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(s)) {
		fprintf(stderr, "png-probe: %s: %s\n", argv[1],
			cairo_status_to_string(cairo_surface_status(s)));
		return 1;
	}
	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	data = cairo_image_surface_get_data(s);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			dark += grey(data + (size_t)y * stride, x) < 128;
	if (argc == 5) {
		y = (int)(atof(argv[2]) * h);
		for (x = (int)(atof(argv[3]) * w);
		     x < (int)(atof(argv[4]) * w) && y < h; x++) {
			unsigned int g = grey(data + (size_t)y * stride, x);

			k = g < 110 ? 'd' : (g > 150 && g < 210) ? 'l' : 0;
			if (k && k != last) {
				bands++;
				last = k;
			}
		}
	}
	printf("%d %d %ld %ld\n", w, h, dark, bands);
	cairo_surface_destroy(s);
	return 0;
}
