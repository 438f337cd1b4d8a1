// SPDX-License-Identifier: MIT
/*
 * sessions.c - see sessions.h. Each step is a constant belt speed and a
 * constant support force (its body weight carried target for 70 kg); a
 * pause holds the belt at zero; after a stop the belt runs down over 2 s.
 */
#include "sessions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sc_step {
	const char *kind;
	uint32_t ms;
	int32_t belt_mm_s;
	int32_t bw_x100;
};

static const struct sc_step steps[4] = {
	{ "warmup", 60000, 1500, 7000 },
	{ "run", 120000, 2500, 8000 },
	{ "walk", 60000, 1400, 8500 },
	{ "cooldown", 60000, 1200, 9000 },
};

#define NS_MS	1000000ull
#define T0_NS	(5000ull * 1000000000ull)	/* leverd's clock at start */
#define TRAIL_MS 2000

static uint32_t pause_at(enum scenario sc)
{
	return sc == SC_PAUSE ? 100000 : 1000000000;	/* never */
}

#define PAUSE_MS 30000

/* Where the session ended on plan time (pauses excluded). */
static uint32_t plan_end(enum scenario sc)
{
	switch (sc) {
	case SC_PAIN:
		return 150000;
	case SC_FAULT:
		return 200000;
	case SC_RUNNING:
		return 90000;
	case SC_PAUSE:
		break;
	}
	return 300000;
}

/* wall time from start for plan time p */
static uint32_t wall_of(enum scenario sc, uint32_t p)
{
	return p > pause_at(sc) ? p + PAUSE_MS : p;
}

static void event(struct store *st, int64_t sid, int64_t aid, uint32_t t_ms,
		  const char *kind, const char *cause)
{
	struct store_event ev = { 0 };

	ev.wall_ms = (int64_t)SC_START_S * 1000 + t_ms;
	ev.mono_ns = T0_NS + t_ms * NS_MS;
	ev.session_id = sid;
	ev.athlete_id = aid;
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.cause, sizeof(ev.cause), "%s", cause);
	store_event_add(st, &ev, NULL);
}

static int32_t force_mn(int32_t bw_x100)
{
	return (int32_t)((1.0 - bw_x100 / 10000.0) * SC_MASS_G *
			 EXPORT_STANDARD_GRAVITY_M_S2);
}

int64_t sc_record(struct store *st, enum scenario sc)
{
	struct store_athlete a;
	struct store_session r = { 0 };
	struct store_trace_row *rows;
	uint32_t end = plan_end(sc), wall_end = wall_of(sc, end), t, p;
	size_t i, n, s;
	int64_t sid;

	if (store_athlete_get(st, "anna", &a)) {
		store_athlete_add(st, "anna", SC_MASS_G, SC_START_S);
		store_athlete_get(st, "anna", &a);
	}
	if (store_session_begin(st, a.id, "bsi-return-to-run", "week1-day1",
				"2026-11-18", SC_START_S, &sid))
		return -1;
	store_session_set_unit(st, sid, SC_BOARD, 1000);
	event(st, sid, a.id, 0, "start", "operator");
	for (s = 0, p = 0; s < 4 && p < end; p += steps[s++].ms) {
		struct store_step ps = { 0 };

		ps.t_ms = wall_of(sc, p) + (s ? 0 : 20);	/* first tick */
		ps.step_index = (int32_t)s;
		ps.step_count = 4;
		snprintf(ps.kind, sizeof(ps.kind), "%s", steps[s].kind);
		ps.bw_carried_pct_x100 = steps[s].bw_x100;
		ps.belt_speed_mm_s = steps[s].belt_mm_s;
		store_step_add(st, sid, &ps);
	}
	if (sc == SC_PAUSE) {
		event(st, sid, a.id, pause_at(sc), "pause", "operator");
		event(st, sid, a.id, pause_at(sc) + PAUSE_MS, "resume",
		      "operator");
	}
	n = (wall_end + (sc == SC_RUNNING ? 0 : TRAIL_MS)) / 100;
	rows = calloc(n, sizeof(*rows));
	for (i = 0; i < n; i++) {
		uint32_t pt;

		t = (uint32_t)i * 100;
		pt = t > pause_at(sc) + PAUSE_MS ? t - PAUSE_MS :
		     t > pause_at(sc) ? pause_at(sc) : t;
		for (s = 0, p = 0; s < 3 && pt >= p + steps[s].ms; s++)
			p += steps[s].ms;
		rows[i].t_ms = t;
		rows[i].samples = 100;
		rows[i].force_mn_mean = force_mn(steps[s].bw_x100);
		rows[i].belt_mm_s_mean = steps[s].belt_mm_s;
		if (t >= pause_at(sc) && t < pause_at(sc) + PAUSE_MS)
			rows[i].belt_mm_s_mean = 0;
		if (t >= wall_end)	/* the stop: down to zero in 2 s */
			rows[i].belt_mm_s_mean = (int32_t)((int64_t)
				steps[s].belt_mm_s * (wall_end + TRAIL_MS - t) /
				TRAIL_MS);
	}
	store_trace_add(st, sid, rows, n);
	free(rows);
	if (sc == SC_RUNNING)
		return sid;
	if (sc == SC_PAIN) {
		event(st, sid, a.id, wall_end, "pain", "operator");
		event(st, sid, a.id, wall_end, "stop", "pain");
	} else if (sc == SC_FAULT) {
		event(st, sid, a.id, wall_end, "fault", "stale-samples");
		event(st, sid, a.id, wall_end, "stop", "fault");
	}
	r.id = sid;
	r.ended_s = SC_START_S + wall_end / 1000;
	r.completed = sc == SC_PAUSE;
	r.pain = sc == SC_PAIN;
	r.pain_score = sc == SC_PAIN ? 4 : -1;
	snprintf(r.end_cause, sizeof(r.end_cause), "%s",
		 sc == SC_PAUSE ? "completed" : sc == SC_PAIN ? "pain" :
		 "fault: stale-samples");
	r.elapsed_ms = end;
	store_session_end(st, &r);
	event(st, sid, a.id, wall_end, "end", r.end_cause);
	return sid;
}

void sc_expect(enum scenario sc, struct sc_expect *e)
{
	static const char *const fit_intensity[4] = { "warmup", "active",
						       "rest", "cooldown" };
	uint32_t end = plan_end(sc), wall_end = wall_of(sc, end), t, p;
	uint64_t um = 0;
	size_t s;

	memset(e, 0, sizeof(*e));
	for (s = 0, p = 0; s < 4 && p < end; p += steps[s++].ms) {
		e->intensity[s] = fit_intensity[s];
		e->bw_pct[s] = steps[s].bw_x100 / 100.0;
		e->laps++;
	}
	e->timer_ms = end;
	e->timer_events = sc == SC_PAUSE ? 4 : 2;
	/* the same integral, from the definition rather than the rows */
	for (t = 0; t < wall_end + TRAIL_MS; t += 100) {
		uint32_t pt = t > pause_at(sc) + PAUSE_MS ? t - PAUSE_MS :
			      t > pause_at(sc) ? pause_at(sc) : t;
		int64_t v;

		for (s = 0, p = 0; s < 3 && pt >= p + steps[s].ms; s++)
			p += steps[s].ms;
		v = steps[s].belt_mm_s;
		if (t >= pause_at(sc) && t < pause_at(sc) + PAUSE_MS)
			v = 0;
		if (t >= wall_end)
			v = v * (wall_end + TRAIL_MS - t) / TRAIL_MS;
		um += (uint64_t)v * 100;
	}
	e->distance_m = um / 1e6;
}

int sc_build(struct store *st, int64_t id, struct export_session *x,
	     struct store_trace_row **rows, char *msg, size_t len)
{
	struct store_event_filter f = { .session_id = id, .limit = 1000 };
	struct store_session rec;
	struct store_event *ev, tmp;
	struct store_step *steps_r;
	size_t nev, nst, nrows, i;
	int ret;

	*rows = NULL;
	ret = store_session_get(st, id, &rec);
	if (ret)
		return ret;
	if (store_events(st, &f, &ev, &nev))
		return -EIO;
	for (i = 0; i < nev / 2; i++) {	/* oldest first */
		tmp = ev[i];
		ev[i] = ev[nev - 1 - i];
		ev[nev - 1 - i] = tmp;
	}
	if (store_steps(st, id, &steps_r, &nst) ||
	    store_trace_rows(st, id, 0, 1000000, rows, &nrows)) {
		free(ev);
		return -EIO;
	}
	ret = export_build(x, &rec, "anna", ev, nev, steps_r, nst, *rows,
			   nrows, msg, len);
	free(ev);
	free(steps_r);
	return ret;
}
