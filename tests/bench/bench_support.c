// SPDX-License-Identifier: MIT
/*
 * bench_support.c - support-force accuracy of leverd's control cycle on
 * the project's sim plant (sim/plant.h): 70 kg runner, 10 km/h, 80 % of
 * body weight carried. Prints the RMS of (support force - target) in % of
 * body weight with the law on and with it off (geometry feed-forward
 * only, i.e. a passive pressure set-point). A benchmark, not a test: it
 * reports, it does not judge.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "plant.h"

#define MASS_KG		70.0
#define MG		(MASS_KG * 9.80665)
#define SPEED_MM_S	2778	/* 10 km/h */
#define BW_X100		8000
#define WARMUP_S	40
#define MEASURE_S	60

static int run(double kp, double ki, double *rms_pct)
{
	struct plant_config pc;
	struct plant_state st;
	struct lever_dev_info info;
	struct leverd_cfg cfg;
	struct sess_targets t = { 0 };
	struct lever_dev_sample s;
	struct loop_out out;
	struct plant *p;
	struct loop *l;
	double target = (1 - BW_X100 / 10000.0) * MG, e, sum = 0;
	uint64_t now = 0;
	long i, n = 0;
	int ret;

	plant_default_config(&pc);
	pc.seed = 42;
	pc.runner_mass_kg = MASS_KG;
	ret = plant_new(&pc, &p);
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	info.force_per_pressure_un_pa = PLANT_FORCE_PER_PRESSURE_UN_PA;
	info.max_support_pressure_pa = PLANT_MAX_PRESSURE_PA;
	info.max_support_force_mn = PLANT_MAX_FORCE_MN;
	info.max_pressure_slew_pa_s = PLANT_MAX_PRESSURE_SLEW_PA_S;
	info.max_belt_speed_mm_s = PLANT_MAX_BELT_SPEED_MM_S;
	info.incline_min_centi_pct = PLANT_INCLINE_MIN_CENTI_PCT;
	info.incline_max_centi_pct = PLANT_INCLINE_MAX_CENTI_PCT;
	cfg_defaults(&cfg);
	cfg.law_kp = kp;
	cfg.law_ki_1_s = ki;
	ret = loop_new(&cfg, &info, 0, &l);
	if (ret)
		return ret;
	loop_commanding(l, true);
	t.generation = 1;
	t.run = SESS_RUN;
	t.belt_speed_mm_s = SPEED_MM_S;
	t.bw_carried_pct_x100 = BW_X100;
	t.mass_kg = MASS_KG;
	loop_set_targets(l, &t);

	memset(&s, 0, sizeof(s));
	for (i = 0; i < (WARMUP_S + MEASURE_S) * 1000L; i++) {
		plant_step(p, 1000000);
		now += 1000000;
		plant_get_state(p, &st);
		s.seq++;
		s.timestamp_ns = now;
		s.support_pressure_pa = (uint32_t)st.pressure_reading_pa;
		s.support_force_mn = st.force_reading_mn;
		s.belt_speed_mm_s = st.belt_reading_mm_s;
		s.incline_centi_pct = st.incline_reading_centi_pct;
		s.lines = st.lines & ~LEVER_DEV_LINE_HARNESS;
		loop_cycle(l, &s, now, &out);
		plant_set_pressure_setpoint(p, out.cmd.support_pressure_pa);
		plant_set_belt_drive(p, out.drive, out.cmd.belt_speed_mm_s,
				     PLANT_MAX_BELT_ACCEL_MM_S2);
		plant_set_incline(p, true, out.cmd.incline_centi_pct);
		if (out.faults) {
			fprintf(stderr, "bench_support: fault %#x at %.3f s\n",
				out.faults, now / 1e9);
			return -1;
		}
		if (i >= WARMUP_S * 1000L) {
			e = st.support_force_n - target;
			sum += e * e;
			n++;
		}
	}
	*rms_pct = sqrt(sum / n) / MG * 100;
	loop_free(l);
	plant_free(p);
	return 0;
}

int main(void)
{
	struct leverd_cfg c;
	double active, passive;

	cfg_defaults(&c);
	if (run(c.law_kp, c.law_ki_1_s, &active) ||
	    run(0, 0, &passive))
		return 1;
	printf("bench: support_force_rms_pct_bw %.2f %%BW\n", active);
	printf("bench: support_force_rms_pct_bw_passive %.2f %%BW\n", passive);
	return 0;
}
