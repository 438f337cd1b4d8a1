// SPDX-License-Identifier: MIT
/*
 * fuzz_export: libFuzzer target for the session exporters
 * (daemon/export/: export_build() and the FIT, TCX and CSV encoders) fed
 * session records made from the input: the session row, its events, its
 * steps and its trace, the way a damaged or hand-edited database could
 * hold them. export_build() accepts or refuses with a sentence; whatever
 * it accepts, each encoder's output must still decode: the FIT file by
 * the small reader below (header, both CRCs, every record defined before
 * use, the message counts the model says), the TCX by libxml2 (well
 * formed, one Trackpoint per point), the CSV as a header and one row per
 * trace row with as many columns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "export.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS	12
#define MAX_STEPS	12
#define MAX_ROWS	600	/* a minute: enough for every path */

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_export: %s\n", why);
	abort();
}

/* ---- a FIT reader written from the FIT protocol, not from fit.c ---- */

static uint16_t fit_crc(uint16_t crc, const uint8_t *p, size_t n)
{
	static const uint16_t table[16] = {
		0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800,
		0xe401, 0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01,
		0x8801, 0x4400,
	};
	uint16_t t;

	while (n--) {
		t = table[crc & 0xf];
		crc = (crc >> 4) & 0x0fff;
		crc = crc ^ t ^ table[*p & 0xf];
		t = table[crc & 0xf];
		crc = (crc >> 4) & 0x0fff;
		crc = crc ^ t ^ table[(*p >> 4) & 0xf];
		p++;
	}
	return crc;
}

static unsigned int base_size(uint8_t type)
{
	switch (type & 0x9f) {
	case 0x00: case 0x01: case 0x02: case 0x07: case 0x0a: case 0x0d:
		return 1;
	case 0x83: case 0x84: case 0x8b:
		return 2;
	case 0x85: case 0x86: case 0x88: case 0x8c:
		return 4;
	case 0x89: case 0x8e: case 0x8f: case 0x90:
		return 8;
	default:
		return 0;
	}
}

struct fit_counts {
	unsigned int file_id, record, lap, session, activity, event;
	unsigned int total;
};

static void fit_read(const uint8_t *p, size_t n, struct fit_counts *c)
{
	struct { unsigned int size; uint16_t global; int defined; } def[16];
	size_t data_len, i, end;

	memset(def, 0, sizeof(def));
	memset(c, 0, sizeof(*c));
	if (n < 14 + 2 || p[0] != 14 || p[1] != 0x20 ||
	    memcmp(p + 8, ".FIT", 4))
		fail("FIT: bad header");
	data_len = p[4] | p[5] << 8 | p[6] << 16 | (size_t)p[7] << 24;
	if (data_len != n - 16)
		fail("FIT: data size in the header is not the file's");
	if (fit_crc(0, p, 12) != (p[12] | p[13] << 8))
		fail("FIT: header CRC");
	if (fit_crc(0, p, n) != 0)
		fail("FIT: file CRC");
	end = n - 2;
	for (i = 14; i < end;) {
		uint8_t h = p[i++];
		unsigned int local, k, nf, size = 0;

		if (h & 0x80)
			fail("FIT: compressed timestamps are not written");
		local = h & 0x0f;
		if (h & 0x40) {
			if (i + 5 > end)
				fail("FIT: definition runs past the end");
			if (p[i + 1] > 1)
				fail("FIT: bad architecture");
			def[local].global = p[i + 1] ?
				(uint16_t)(p[i + 2] << 8 | p[i + 3]) :
				(uint16_t)(p[i + 2] | p[i + 3] << 8);
			nf = p[i + 4];
			i += 5;
			if (i + nf * 3 > end)
				fail("FIT: fields run past the end");
			for (k = 0; k < nf; k++, i += 3) {
				unsigned int bs = base_size(p[i + 2]);

				if (!bs || !p[i + 1] || p[i + 1] % bs)
					fail("FIT: field size and base type disagree");
				size += p[i + 1];
			}
			if (h & 0x20) {
				unsigned int nd = p[i++];

				for (k = 0; k < nd; k++, i += 3)
					size += p[i + 1];
			}
			def[local].size = size;
			def[local].defined = 1;
			continue;
		}
		if (!def[local].defined)
			fail("FIT: data message before its definition");
		if (i + def[local].size > end)
			fail("FIT: data message runs past the end");
		i += def[local].size;
		c->total++;
		switch (def[local].global) {
		case 0:
			if (c->total != 1)
				fail("FIT: file_id is not the first message");
			c->file_id++;
			break;
		case 18:
			c->session++;
			break;
		case 19:
			c->lap++;
			break;
		case 20:
			c->record++;
			break;
		case 21:
			c->event++;
			break;
		case 34:
			c->activity++;
			break;
		}
	}
	if (i != end)
		fail("FIT: records do not end where the data ends");
}

static void check_fit(const struct export_session *x, const uint8_t *p,
		      size_t n)
{
	struct fit_counts c;

	fit_read(p, n, &c);
	if (c.file_id != 1 || c.session != 1 || c.activity != 1 ||
	    c.lap != x->n_laps || c.record != x->n_points)
		fail("FIT: message counts are not the model's");
}

/*
 * Parsed for well-formedness with SAX, the Trackpoint and Lap elements
 * counted by their local name on the way: the DOM and XPath's
 * local-name() count did the same at a third of each input's time (a
 * node, and a string, per element).
 */
struct tcx_counts {
	size_t points, laps;
};

static void tcx_element(void *ctx, const xmlChar *localname,
			const xmlChar *prefix, const xmlChar *uri,
			int nb_namespaces, const xmlChar **namespaces,
			int nb_attributes, int nb_defaulted,
			const xmlChar **attributes)
{
	struct tcx_counts *k = ctx;

	if (!strcmp((const char *)localname, "Trackpoint"))
		k->points++;
	else if (!strcmp((const char *)localname, "Lap"))
		k->laps++;
}

/* Not well-formed fails below; the parser need not say more. */
static void tcx_quiet(void *ctx, xmlErrorPtr err)
{
}

static void check_tcx(const struct export_session *x, const uint8_t *p,
		      size_t n)
{
	struct tcx_counts k = { 0 };
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = tcx_element;
	sax.serror = tcx_quiet;
	if (xmlSAXUserParseMemory(&sax, &k, (const char *)p, (int)n)) {
		fwrite(p, 1, n, stderr);
		fail("TCX: not well-formed XML");
	}
	if (k.points != x->n_points)
		fail("TCX: not one Trackpoint per point");
	if (k.laps != x->n_laps)
		fail("TCX: not one Lap per lap");
}

static void check_csv(const struct export_session *x, const char *p,
		      size_t n)
{
	size_t lines = 0, cols = 0, c = 0, i;

	if (memchr(p, '\0', n))
		fail("CSV: a NUL in the text");
	for (i = 0; i < n; i++) {
		if (p[i] == ',') {
			c++;
		} else if (p[i] == '\n') {
			if (lines++ == 0)
				cols = c;
			else if (c != cols)
				fail("CSV: a row with more or fewer columns than the header");
			c = 0;
		}
	}
	if (!n || p[n - 1] != '\n')
		fail("CSV: does not end with a line end");
	if (lines != x->n_rows + 1)
		fail("CSV: not one line per trace row");
}

typedef int (*encoder)(const struct export_session *x, FILE *f);

static char *encode(encoder fn, const struct export_session *x, size_t *n)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, n);

	if (!f)
		abort();
	if (fn(x, f))
		fail("an encoder failed on a memory stream");
	fclose(f);
	return buf;
}

/* ---- records from the input ---- */

static void text(struct fuzz_in *in, char *dst, size_t size,
		 const char *const *words, size_t nwords)
{
	uint8_t v = fuzz_u8(in);

	if (v < 0xe0 && nwords) {
		snprintf(dst, size, "%s", words[v % nwords]);
	} else {
		size_t n = fuzz_u8(in) % size;

		fuzz_bytes(in, dst, n);
		dst[n] = '\0';
	}
}

static const char *const event_kinds[] = {
	"start", "pause", "resume", "end", "stop", "fault", "pain", "skip",
	"link", "estop",
};
static const char *const step_kinds[] = {
	"warmup", "walk", "run", "cooldown",
};
static const char *const causes[] = {
	"completed", "pain", "operator stop", "interrupted", "running",
	"board fault: e-stop",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct store_trace_row rows[MAX_ROWS];
	struct store_event ev[MAX_EVENTS];
	struct store_step st[MAX_STEPS];
	struct store_session rec;
	struct export_session x;
	char athlete[64], msg[256];
	size_t nev, nst, nrows, i, n;
	uint64_t mono = 0;
	uint32_t t = 0;
	bool long_gap = false;
	char *out;
	int ret;

	memset(&rec, 0, sizeof(rec));
	memset(ev, 0, sizeof(ev));
	memset(st, 0, sizeof(st));
	rec.id = fuzz_u8(&in);
	rec.started_s = 1700000000 + (int64_t)fuzz_u32(&in);
	rec.ended_s = rec.started_s + fuzz_u16(&in);
	rec.mass_g = fuzz_u8(&in) & 1 ? 0 : 40000 + fuzz_u16(&in);
	rec.pain_score = (int8_t)fuzz_u8(&in);
	rec.elapsed_ms = fuzz_u32(&in);
	snprintf(rec.plan, sizeof(rec.plan), "bsi-2nd-metatarsal");
	snprintf(rec.session, sizeof(rec.session), "week2-day3");
	snprintf(rec.date, sizeof(rec.date), "2026-11-28");
	text(&in, rec.end_cause, sizeof(rec.end_cause), causes, 6);
	text(&in, rec.board_serial, sizeof(rec.board_serial), NULL, 0);
	text(&in, athlete, sizeof(athlete), NULL, 0);

	nev = fuzz_u8(&in) % (MAX_EVENTS + 1);
	for (i = 0; i < nev; i++) {
		ev[i].id = (int64_t)i + 1;
		ev[i].session_id = rec.id;
		/* mostly forward in time, now and then anywhere */
		mono = fuzz_u8(&in) < 0xf0 ?
		       mono + (uint64_t)fuzz_u16(&in) * 10000000u :
		       fuzz_u64(&in);
		ev[i].mono_ns = mono;
		ev[i].wall_ms = rec.started_s * 1000 +
				(int64_t)(mono / 1000000u);
		text(&in, ev[i].kind, sizeof(ev[i].kind), event_kinds, 10);
	}
	nst = fuzz_u8(&in) % (MAX_STEPS + 1);
	for (i = 0; i < nst; i++) {
		st[i].t_ms = fuzz_u8(&in) < 0xf0 ? t : fuzz_u32(&in);
		t += fuzz_u16(&in);
		st[i].step_index = (int32_t)i;
		st[i].step_count = (int32_t)nst;
		text(&in, st[i].kind, sizeof(st[i].kind), step_kinds, 4);
		st[i].bw_carried_pct_x100 = (int32_t)fuzz_u32(&in);
		st[i].belt_speed_mm_s = (int32_t)fuzz_u32(&in);
	}
	nrows = fuzz_u16(&in) % (MAX_ROWS + 1);
	t = 0;
	for (i = 0; i < nrows; i++) {
		struct store_trace_row *r = &rows[i];
		uint8_t v = fuzz_u8(&in);

		memset(r, 0, sizeof(*r));
		/*
		 * Mostly the next row; now and then a gap (a pause), or any
		 * earlier time (refused); rarely past a day (refused). Long
		 * gaps under a day are valid and only slow: an export lays
		 * out a point a second through them, the same code for each.
		 * So one gap of a record may last up to 11 min, the others
		 * up to 25.5 s. When every gap could last 11 min, a record
		 * of 600 rows held about 50 min of points on average, and
		 * 30 000 inputs took four to five times as long.
		 */
		if (v < 0xf8) {
			r->t_ms = t;
		} else if (v < 0xfc && !long_gap) {
			r->t_ms = t + fuzz_u16(&in) * 10u;
			long_gap = true;
		} else if (v < 0xfc) {
			r->t_ms = t + fuzz_u8(&in) * 100u;
		} else if (v < 0xfe) {
			r->t_ms = fuzz_u16(&in);
		} else {
			r->t_ms = 24u * 3600u * 1000u + fuzz_u16(&in);
		}
		t = r->t_ms + EXPORT_ROW_MS;
		r->samples = 100;
		if (v & 1) {
			r->force_mn_mean = (int32_t)fuzz_u32(&in);
			r->pressure_pa_mean = fuzz_u32(&in);
			r->belt_mm_s_mean = (int32_t)fuzz_u16(&in) % 12000 -
					    1000;
			r->cmd_incline_centi_pct = (int16_t)fuzz_u16(&in);
			r->faults = fuzz_u32(&in);
			r->mode = fuzz_u8(&in);
		} else {
			r->force_mn_mean = 300000;
			r->belt_mm_s_mean = 2500;
		}
	}

	ret = export_build(&x, &rec, athlete, ev, nev, st, nst, rows, nrows,
			   msg, sizeof(msg));
	if (ret) {
		if (ret != -EBUSY && ret != -ENODATA && ret != -EBADMSG &&
		    ret != -ENOMEM)
			fail("export_build: undocumented error");
		if (!msg[0])
			fail("export_build: refused without a sentence");
		return 0;
	}
	out = encode(export_fit, &x, &n);
	check_fit(&x, (const uint8_t *)out, n);
	free(out);
	out = encode(export_tcx, &x, &n);
	check_tcx(&x, (const uint8_t *)out, n);
	free(out);
	out = encode(export_csv, &x, &n);
	check_csv(&x, out, n);
	free(out);
	export_free(&x);
	return 0;
}
