// SPDX-License-Identifier: MIT
/*
 * bench_support.c - how steadily leverd's control cycle holds the support
 * force, on the project's sim plant (sim/plant.h): RMS and peak of
 * (support force - target) in % of body weight, for runners of 50, 70 and
 * 110 kg at 6, 10 and 14 km/h carrying 70 and 90 % of body weight, and at
 * 10 km/h / 70 kg / 80 % with the plant not what the board says (geometry
 * +-20 %, regulator lag x1.5, load-cell noise x2). Each cell runs the
 * stride law "afc", the "pi" and passive support (geometry feed-forward
 * only) in the same run, and prints afc's ratios to the other two. A
 * benchmark, not a test: it reports, it does not judge.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_plant.h"
#include "control/loop.h"
#include "plant.h"

#define G		9.80665
#define WARMUP_S	40
#define MEASURE_S	60

struct cell {
	const char *name;
	double mass_kg, speed_km_h, bw_pct;
	double geometry, lag, noise;	/* plant model-error factors */
};

struct result {
	double rms_pct, peak_pct;
};

enum { LAW_NEW, LAW_PI, LAW_PASSIVE, N_LAWS };
static int first_law, last_law = N_LAWS;

static const char *const law_names[N_LAWS] = { "afc", "pi", "passive" };

/* A runner's step rate rises a little with speed. */
static double cadence_for(double speed_km_h)
{
	return 2.8 + (speed_km_h - 10) * 0.05;
}

static int run(const struct cell *c, int which, struct result *r)
{
	struct plant_config pc;
	struct plant_state st;
	struct leverd_cfg cfg;
	struct sess_targets t = { .generation = 1, .run = SESS_RUN };
	struct lever_dev_sample s;
	struct loop_out out;
	struct plant *p;
	struct loop *l;
	double mg = c->mass_kg * G, target = (1 - c->bw_pct / 100) * mg;
	double e, sum = 0, peak = 0;
	uint64_t now = 0;
	long i, n = 0;
	int ret;

	plant_default_config(&pc);
	pc.seed = 42;
	pc.runner_mass_kg = c->mass_kg;
	pc.cadence_steps_s = cadence_for(c->speed_km_h);
	pc.geometry_scale = c->geometry;
	pc.reg_lag_scale = c->lag;
	pc.force_noise_scale = c->noise;
	ret = plant_new(&pc, &p);
	if (ret)
		return ret;
	cfg_defaults(&cfg);
	snprintf(cfg.law, sizeof(cfg.law), "%s",
		 which == LAW_NEW ? "afc" : "pi");
	if (which == LAW_PASSIVE) {
		cfg.law_kp = 0;
		cfg.law_ki_1_s = 0;
	}
	ret = bench_plant_loop_new(&cfg, &l);
	if (ret) {
		plant_free(p);
		return ret;
	}
	t.belt_speed_mm_s = (uint32_t)lrint(c->speed_km_h / 3.6 * 1000);
	t.bw_carried_pct_x100 = (uint32_t)lrint(c->bw_pct * 100);
	t.mass_kg = c->mass_kg;
	loop_set_targets(l, &t);

	memset(&s, 0, sizeof(s));
	for (i = 0; i < (WARMUP_S + MEASURE_S) * 1000L; i++) {
		bench_plant_cycle(p, l, &s, &now, &st, &out);
		if (out.faults) {
			fprintf(stderr, "bench_support: %s %s: fault %#x at %.3f s\n",
				c->name, law_names[which], out.faults,
				now / 1e9);
			loop_free(l);
			plant_free(p);
			return -1;
		}
		if (i >= WARMUP_S * 1000L) {
			e = st.support_force_n - target;
			sum += e * e;
			if (fabs(e) > peak)
				peak = fabs(e);
			n++;
		}
	}
	r->rms_pct = sqrt(sum / n) / mg * 100;
	r->peak_pct = peak / mg * 100;
	loop_free(l);
	plant_free(p);
	return 0;
}

static void print_cell(const struct cell *c, const struct result *r)
{
	int w;

	printf("# %-22s afc %5.2f (peak %5.2f)  pi %5.2f (peak %5.2f)  passive %5.2f (peak %5.2f) %%BW\n",
	       c->name, r[0].rms_pct, r[0].peak_pct, r[1].rms_pct,
	       r[1].peak_pct, r[2].rms_pct, r[2].peak_pct);
	for (w = 0; w < N_LAWS; w++) {
		printf("bench: support_rms_%s_%s %.2f %%BW\n", law_names[w],
		       c->name, r[w].rms_pct);
		printf("bench: support_peak_%s_%s %.2f %%BW\n", law_names[w],
		       c->name, r[w].peak_pct);
	}
	printf("bench: support_rms_afc_vs_pi_%s %.2f ratio\n", c->name,
	       r[0].rms_pct / r[1].rms_pct);
	printf("bench: support_rms_afc_vs_passive_%s %.2f ratio\n", c->name,
	       r[0].rms_pct / r[2].rms_pct);
}

int main(int argc, char **argv)
{
	static const double mass[] = { 50, 70, 110 };
	static const double speed[] = { 6, 10, 14 };
	static const double bw[] = { 70, 90 };
	static const struct cell errs[] = {
		{ "m70_v10_bw80", 70, 10, 80, 1, 1, 1 },
		{ "m70_v10_bw80_geom+20", 70, 10, 80, 1.2, 1, 1 },
		{ "m70_v10_bw80_geom-20", 70, 10, 80, 0.8, 1, 1 },
		{ "m70_v10_bw80_lag_x1.5", 70, 10, 80, 1, 1.5, 1 },
		{ "m70_v10_bw80_noise_x2", 70, 10, 80, 1, 1, 2 },
	};
	char name[64];
	struct cell c;
	struct result r[N_LAWS];
	double worst[N_LAWS] = { 0 }, worst_ratio = 0;
	unsigned int i, j, k;
	int w;

	/* [first [last]]: run only some laws, for tuning */
	if (argc > 1)
		first_law = atoi(argv[1]);
	if (argc > 2)
		last_law = atoi(argv[2]);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3 * 3 * 2 + 5; i++) {
		if (i < 18) {
			j = i / 6;
			k = i % 6;
			c.mass_kg = mass[j];
			c.speed_km_h = speed[k / 2];
			c.bw_pct = bw[k % 2];
			c.geometry = c.lag = c.noise = 1;
			snprintf(name, sizeof(name), "m%.0f_v%.0f_bw%.0f",
				 c.mass_kg, c.speed_km_h, c.bw_pct);
			c.name = name;
		} else {
			c = errs[i - 18];
		}
		for (w = first_law; w < last_law; w++)
			if (run(&c, w, &r[w]))
				return 1;
		print_cell(&c, r);
		for (w = 0; w < N_LAWS; w++)
			worst[w] = fmax(worst[w], r[w].rms_pct);
		worst_ratio = fmax(worst_ratio, r[0].rms_pct / r[1].rms_pct);
	}
	printf("bench: support_rms_worst_afc %.2f %%BW\n", worst[0]);
	printf("bench: support_rms_worst_pi %.2f %%BW\n", worst[1]);
	printf("bench: support_rms_worst_passive %.2f %%BW\n", worst[2]);
	printf("bench: support_rms_afc_vs_pi_worst %.2f ratio\n", worst_ratio);
	return 0;
}
