// SPDX-License-Identifier: MIT
/*
 * test_law.c - specification of the support-force law on the test plant:
 * step response (settling, overshoot), disturbance rejection at stride
 * frequency, set-point ramp and rate limit, anti-windup, hold, slew limit.
 * Times are simulated plant time, never wall-clock time.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfg.h"
#include "law.h"
#include "tplant.h"

#define DT	0.001
#define MASS	70.0
#define MG	(MASS * 9.80665)

struct rig {
	struct tplant *p;
	struct law *law;
	struct law_input in;
	struct lever_dev_sample s;
	double force_n, out_pa;
};

static void rig_init(struct rig *r, double kp, double ki)
{
	struct leverd_cfg c;
	struct lever_dev_info info;
	struct law_params lp;

	cfg_defaults(&c);
	assert_int_equal(tplant_new(1, MASS, &r->p), 0);
	tplant_info(r->p, &info);
	lp.force_per_pa = info.force_per_pressure_un_pa * 1e-6;
	lp.max_pressure_pa = info.max_support_pressure_pa;
	lp.max_slew_pa_s = info.max_pressure_slew_pa_s;
	lp.kp = kp < 0 ? c.law_kp : kp;
	lp.ki_1_s = ki < 0 ? c.law_ki_1_s : ki;
	assert_int_equal(law_new("pi", &lp, &r->law), 0);
	r->in.ramp_s = 0;
	r->in.max_rate_n_s = INFINITY;
	r->in.dt_s = DT;
	r->in.limit_n = 0;
	r->force_n = 0;
	r->out_pa = 0;
}

static void rig_free(struct rig *r)
{
	law_free(r->law);
	tplant_free(r->p);
}

/* one cycle: sample, law, command; returns the true support force */
static double rig_step(struct rig *r)
{
	struct lever_dev_command cmd = { 0 };

	if (tplant_step(r->p, 1000000, &r->s))
		r->force_n = r->s.support_force_mn / 1000.0;
	r->in.force_n = r->force_n;
	r->out_pa = law_update(r->law, &r->in);
	cmd.support_pressure_pa = (uint32_t)lrint(r->out_pa);
	cmd.belt_speed_mm_s = 0;
	tplant_command(r->p, &cmd, true);
	return tplant_force_n(r->p);
}

static void rig_run(struct rig *r, double target_n, double s)
{
	int i;

	r->in.target_force_n = target_n;
	for (i = 0; i < (int)(s / DT); i++)
		rig_step(r);
}

static void test_step_response_settles_within_half_a_second(void **state)
{
	struct rig r;
	double f, settle_t = -1, t;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 100, 3);
	r.in.target_force_n = 200;
	for (i = 0; i < 3000; i++) {
		t = i * DT;
		f = rig_step(&r);
		if (fabs(f - 200) > 4)	/* 2 % band */
			settle_t = -1;
		else if (settle_t < 0)
			settle_t = t;
	}
	print_message("# settling time %.3f s\n", settle_t);
	assert_true(settle_t >= 0);
	assert_true(settle_t <= 0.5);
	rig_free(&r);
}

static void test_step_response_overshoots_less_than_5_pct(void **state)
{
	struct rig r;
	double f, peak = 0;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 100, 3);
	r.in.target_force_n = 200;
	for (i = 0; i < 3000; i++) {
		f = rig_step(&r);
		if (f > peak)
			peak = f;
	}
	print_message("# overshoot %.2f %%\n", (peak - 200) / 100 * 100);
	assert_true(peak <= 200 + 0.05 * 100);
	rig_free(&r);
}

static void test_holds_target_with_zero_steady_state_error(void **state)
{
	struct rig r;
	double sum = 0;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 150, 3);
	for (i = 0; i < 1000; i++)
		sum += rig_step(&r);
	assert_true(fabs(sum / 1000 - 150) < 0.5);
	rig_free(&r);
}

/* RMS of (force - target) in % of body weight over @s at 10 km/h bounce */
static double stride_rms_pct_bw(double kp, double ki)
{
	struct lever_dev_command cmd = { 0 };
	struct rig r;
	double target = 0.2 * MG, e, sum = 0;
	int i, n = 0;

	rig_init(&r, kp, ki);
	cmd.belt_speed_mm_s = 2778;	/* bounce amplitude of running */
	r.in.target_force_n = target;
	for (i = 0; i < 20000; i++) {
		tplant_command(r.p, &cmd, true);
		if (tplant_step(r.p, 1000000, &r.s))
			r.force_n = r.s.support_force_mn / 1000.0;
		r.in.force_n = r.force_n;
		cmd.support_pressure_pa =
			(uint32_t)lrint(law_update(r.law, &r.in));
		if (i >= 10000) {
			e = tplant_force_n(r.p) - target;
			sum += e * e;
			n++;
		}
	}
	rig_free(&r);
	return sqrt(sum / n) / MG * 100;
}

static void test_rejects_stride_disturbance_better_than_passive(void **s)
{
	double passive = stride_rms_pct_bw(0, 0);
	double active = stride_rms_pct_bw(-1, -1);

	print_message("# stride RMS: passive %.2f %%BW, active %.2f %%BW\n",
		      passive, active);
	assert_true(passive > 1.0);
	assert_true(active < 0.6 * passive);
}

static void test_setpoint_ramps_over_the_ramp_time(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 100, 2);
	r.in.ramp_s = 2.0;
	r.in.target_force_n = 200;
	for (i = 0; i < 1000; i++)
		rig_step(&r);
	assert_true(fabs(law_setpoint_n(r.law) - 150) < 0.5);
	assert_int_equal(law_state(r.law), LAW_RAMPING);
	for (i = 0; i < 1001; i++)
		rig_step(&r);
	assert_true(law_setpoint_n(r.law) == 200);
	assert_int_equal(law_state(r.law), LAW_TRACKING);
	rig_free(&r);
}

static void test_setpoint_never_moves_faster_than_rate_cap(void **state)
{
	struct rig r;
	double prev, sp;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 200, 2);
	r.in.max_rate_n_s = 0.02 * MG;	/* 2 %BW/s */
	r.in.target_force_n = 50;
	prev = law_setpoint_n(r.law);
	for (i = 0; i < 5000; i++) {
		rig_step(&r);
		sp = law_setpoint_n(r.law);
		assert_true(prev - sp <= 0.02 * MG * DT + 1e-9);
		prev = sp;
	}
	rig_free(&r);
}

static void test_output_never_exceeds_slew_or_clamp(void **state)
{
	struct rig r;
	double prev = 0;
	int i;

	rig_init(&r, -1, -1);
	r.in.target_force_n = 5000;	/* beyond what the unit gives */
	for (i = 0; i < 5000; i++) {
		rig_step(&r);
		assert_true(r.out_pa - prev <= 200000 * DT + 1e-6);
		assert_true(r.out_pa <= 600000);
		prev = r.out_pa;
	}
	rig_free(&r);
}

static void test_integral_does_not_wind_up_while_saturated(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 5000, 10);		/* saturated for 10 s */
	r.in.target_force_n = 100;
	/* recovers as a fresh step would, not after unwinding 10 s */
	for (i = 0; i < 4000; i++)
		rig_step(&r);
	assert_true(fabs(tplant_force_n(r.p) - 100) < 4);
	rig_free(&r);
}

static void test_hold_freezes_output(void **state)
{
	struct rig r;
	double held;
	int i;

	rig_init(&r, -1, -1);
	rig_run(&r, 150, 2);
	law_hold(r.law);
	held = r.out_pa;
	r.in.target_force_n = 300;
	for (i = 0; i < 100; i++) {
		rig_step(&r);
		assert_true(r.out_pa == held);
	}
	assert_int_equal(law_state(r.law), LAW_HOLDING);
	rig_free(&r);
}

static void test_reset_is_bumpless(void **state)
{
	struct rig r;
	double before;

	rig_init(&r, -1, -1);
	tplant_set_bounce(r.p, 0);
	rig_run(&r, 150, 3);
	before = r.out_pa;
	law_reset(r.law, before, r.force_n);
	r.in.target_force_n = r.force_n;
	rig_step(&r);
	assert_true(fabs(r.out_pa - before) < 1000);
	rig_free(&r);
}

static void test_unknown_law_is_refused(void **state)
{
	struct law_params lp = { 0.002, 600000, 200000, 1, 1, 0 };
	struct law *l = NULL;

	assert_int_equal(law_new("bang-bang", &lp, &l), -ENOENT);
	assert_null(l);
	lp.force_per_pa = 0;
	assert_int_equal(law_new("pi", &lp, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_response_settles_within_half_a_second),
		cmocka_unit_test(test_step_response_overshoots_less_than_5_pct),
		cmocka_unit_test(test_holds_target_with_zero_steady_state_error),
		cmocka_unit_test(test_rejects_stride_disturbance_better_than_passive),
		cmocka_unit_test(test_setpoint_ramps_over_the_ramp_time),
		cmocka_unit_test(test_setpoint_never_moves_faster_than_rate_cap),
		cmocka_unit_test(test_output_never_exceeds_slew_or_clamp),
		cmocka_unit_test(test_integral_does_not_wind_up_while_saturated),
		cmocka_unit_test(test_hold_freezes_output),
		cmocka_unit_test(test_reset_is_bumpless),
		cmocka_unit_test(test_unknown_law_is_refused),
	};

	return cmocka_run_group_tests_name("leverd law", tests, NULL, NULL);
}
