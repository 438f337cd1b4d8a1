// SPDX-License-Identifier: MIT
/*
 * make-fixtures DIR: the sessions of sessions.c (a pause, a pain stop, a
 * fault stop) exported as DIR/NAME.fit, each with DIR/NAME.json saying
 * what it must decode to, for fit-check.mjs (Garmin's decoder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "sessions.h"

static int fixture(struct store *st, const char *dir, const char *name,
		   enum scenario sc)
{
	struct store_trace_row *rows = NULL;
	struct export_session x;
	struct sc_expect e;
	char path[512], msg[256];
	FILE *f;
	size_t i;
	int64_t id = sc_record(st, sc);

	if (id <= 0 || sc_build(st, id, &x, &rows, msg, sizeof(msg))) {
		fprintf(stderr, "make-fixtures: %s: %s\n", name, msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.fit", dir, name);
	if (export_write(&x, EXPORT_FIT, path, msg, sizeof(msg))) {
		fprintf(stderr, "make-fixtures: %s\n", msg);
		return 1;
	}
	sc_expect(sc, &e);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "{\"laps\": %zu, \"intensity\": [", e.laps);
	for (i = 0; i < e.laps; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", e.intensity[i]);
	fprintf(f, "], \"bw_pct\": [");
	for (i = 0; i < e.laps; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", e.bw_pct[i]);
	fprintf(f, "], \"timer_s\": %.3f, \"distance_m\": %.4f,"
		" \"timer_events\": %d, \"start_s\": %d, \"mass_kg\": %.1f}\n",
		e.timer_ms / 1000.0, e.distance_m, e.timer_events,
		SC_START_S, SC_MASS_G / 1000.0);
	fclose(f);
	export_free(&x);
	free(rows);
	return 0;
}

int main(int argc, char **argv)
{
	struct store *st;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make-fixtures DIR\n");
		return 2;
	}
	if (store_open(&st, argv[1])) {
		fprintf(stderr, "make-fixtures: cannot open a store in %s\n",
			argv[1]);
		return 1;
	}
	bad |= fixture(st, argv[1], "pause", SC_PAUSE);
	bad |= fixture(st, argv[1], "pain", SC_PAIN);
	bad |= fixture(st, argv[1], "fault", SC_FAULT);
	store_close(st);
	return bad;
}
