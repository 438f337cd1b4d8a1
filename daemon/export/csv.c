// SPDX-License-Identifier: MIT
/*
 * export_csv: the 10 Hz trace as CSV for a spreadsheet, one row per 100 ms,
 * with the plan step each row belongs to and the units in the header. It
 * adds columns leverctl trace --csv lacks (step, distance); it never
 * rounds a measured value into a target.
 */
#include "export.h"

#include <errno.h>

/* The lap (step) a row belongs to: laps are in time order. */
static size_t lap_of(const struct export_session *x, uint32_t t_ms,
		     size_t from)
{
	while (from + 1 < x->n_laps && t_ms >= x->laps[from + 1].start_ms)
		from++;
	return from;
}

static bool timer_on(const struct export_session *x, uint32_t t_ms,
		     size_t *from)
{
	bool on = false;
	size_t i;

	for (i = 0; i < x->n_timer && x->timer[i].t_ms <= t_ms; i++)
		on = x->timer[i].start;
	*from = i;
	return on;
}

int export_csv(const struct export_session *x, FILE *f)
{
	const struct store_trace_row *r;
	uint64_t um = 0;
	size_t i, lap = 0, ti;
	double weight_n = x->rec.mass_g / 1000.0 *
			  EXPORT_STANDARD_GRAVITY_M_S2;

	fprintf(f, "t_s,step,step_kind,intensity,timer,distance_m,"
		"belt_speed_m_s,support_force_n,body_weight_carried_pct,"
		"target_body_weight_carried_pct,target_belt_speed_m_s,"
		"incline_pct,faults\n");
	for (i = 0; i < x->n_rows; i++) {
		const struct export_lap *l;
		double force_n;

		r = &x->rows[i];
		lap = lap_of(x, r->t_ms, lap);
		l = &x->laps[lap];
		if (r->belt_mm_s_mean > 0)
			um += (uint64_t)r->belt_mm_s_mean * EXPORT_ROW_MS;
		force_n = r->force_mn_mean / 1000.0;
		fprintf(f, "%.1f,", r->t_ms / 1000.0);
		if (l->step_index >= 0)
			fprintf(f, "%d,", l->step_index + 1);
		else
			fputs(",", f);
		fprintf(f, "%s,%s,%s,%.3f,%.3f,%.1f,", l->kind,
			export_intensity_name(l->intensity),
			timer_on(x, r->t_ms, &ti) ? "running" : "stopped",
			um / 1e6, r->belt_mm_s_mean / 1000.0, force_n);
		if (x->rec.mass_g)
			fprintf(f, "%.1f,", 100.0 * (1.0 - force_n / weight_n));
		else
			fputs(",", f);
		if (l->step_index >= 0)
			fprintf(f, "%.1f,%.3f,", l->bw_carried_pct_x100 / 100.0,
				l->target_belt_mm_s / 1000.0);
		else
			fputs(",,", f);
		fprintf(f, "%.2f,%u\n", r->cmd_incline_centi_pct / 100.0,
			r->faults);
	}
	return ferror(f) ? -EIO : 0;
}
