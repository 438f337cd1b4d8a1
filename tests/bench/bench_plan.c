// SPDX-License-Identifier: MIT
/*
 * bench_plan.c - the shipped plan's 18 sessions back to back through
 * leverd's control cycle on the sim plant (sim/plant.h), in process, for
 * a 70 kg athlete: the RMS of (support force - the law's ramped set-point)
 * in % of body weight over every cycle the belt runs, for the "afc" and
 * "pi" laws, and the wall time each took. The session's own sequencing
 * (sess_) is not in the loop: each step's targets are handed to the loop
 * as the sequencer would, ramp included. A benchmark, not a test.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_plant.h"
#include "control/loop.h"
#include "plan.h"
#include "plant.h"

#define MASS_KG		70.0
#define G		9.80665
#define PLAN_DIR	"plans/bsi-2nd-metatarsal"

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const struct plan *pl, const char *law, double *rms_pct,
	       double *sim_s)
{
	struct plant_config pc;
	struct plant_state st;
	struct leverd_cfg cfg;
	struct sess_targets t = { .generation = 1, .run = SESS_RUN };
	struct lever_dev_sample s;
	struct loop_status ls;
	struct loop_out out;
	struct plant *p;
	struct loop *l;
	double mg = MASS_KG * G, e, sum = 0;
	uint64_t now = 0, n = 0;
	size_t i, j;
	uint32_t ms;
	int ret;

	plant_default_config(&pc);
	pc.seed = 1;
	pc.runner_mass_kg = MASS_KG;
	ret = plant_new(&pc, &p);
	if (ret)
		return ret;
	cfg_defaults(&cfg);
	snprintf(cfg.law, sizeof(cfg.law), "%s", law);
	ret = bench_plant_loop_new(&cfg, &l);
	if (ret) {
		plant_free(p);
		return ret;
	}
	t.mass_kg = MASS_KG;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < pl->n_sessions; i++) {
		const struct plan_session *se = &pl->sessions[i];

		for (j = 0; j < se->n_steps; j++) {
			const struct plan_step *sp = &se->steps[j];

			t.belt_speed_mm_s = sp->belt_speed_mm_s;
			t.incline_centi_pct = sp->incline_centi_pct;
			t.bw_carried_pct_x100 = sp->bw_carried_pct_x100;
			t.ramp_ms = sp->ramp_ms;
			loop_set_targets(l, &t);
			for (ms = 0; ms < sp->duration_ms; ms++) {
				bench_plant_cycle(p, l, &s, &now, &st, &out);
				if (out.faults) {
					fprintf(stderr, "bench_plan: %s: %s: fault %#x at %.3f s\n",
						law, se->name, out.faults,
						now / 1e9);
					ret = -1;
					goto out;
				}
				if (st.belt_speed_mm_s < 100)
					continue;
				loop_status(l, &ls);
				e = st.support_force_n - ls.support_setpoint_n;
				sum += e * e;
				n++;
			}
		}
	}
	*rms_pct = n ? sqrt(sum / n) / mg * 100 : 0;
	*sim_s = now / 1e9;
out:
	loop_free(l);
	plant_free(p);
	return ret;
}

int main(void)
{
	static const char *const laws[] = { "afc", "pi" };
	struct plan_error err;
	struct plan *pl;
	double rms[2], sim_s = 0, t0;
	unsigned int w;

	if (plan_load(PLAN_DIR, &pl, &err)) {
		fprintf(stderr, "bench_plan: %s:%u: %s\n", err.file, err.line,
			err.msg);
		return 1;
	}
	for (w = 0; w < 2; w++) {
		t0 = wall_s();
		if (run(pl, laws[w], &rms[w], &sim_s))
			return 1;
		printf("# %zu sessions, %.0f s simulated, law %s\n",
		       pl->n_sessions, sim_s, laws[w]);
		printf("bench: plan_support_rms_%s %.2f %%BW\n", laws[w],
		       rms[w]);
		printf("bench: plan_inprocess_wall_s_%s %.1f s\n", laws[w],
		       wall_s() - t0);
	}
	printf("bench: plan_support_rms_afc_vs_pi %.2f ratio\n",
	       rms[0] / rms[1]);
	plan_free(pl);
	return 0;
}
