// SPDX-License-Identifier: MIT
/*
 * test_plant.c - specification of the plant model: support dynamics, the
 * stride-by-stride force swing, belt and incline actuators, sensors and
 * the physical faults. Pure model time; no clock is read anywhere.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lever_wire.h"
#include "plant.h"

#define MS	1000000ULL

static struct plant *new_plant(void)
{
	struct plant_config cfg;
	struct plant *p;

	plant_default_config(&cfg);
	cfg.seed = 42;
	assert_int_equal(plant_new(&cfg, &p), 0);
	return p;
}

static struct plant_state run_ms(struct plant *p, unsigned int ms)
{
	struct plant_state st;
	unsigned int i;

	for (i = 0; i < ms; i++)
		assert_int_equal(plant_step(p, MS), 0);
	plant_get_state(p, &st);
	return st;
}

/* Peak-to-peak true support force over @ms. */
static double force_swing_n(struct plant *p, unsigned int ms)
{
	struct plant_state st;
	double lo = 1e9, hi = -1e9;
	unsigned int i;

	for (i = 0; i < ms; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		lo = fmin(lo, st.support_force_n);
		hi = fmax(hi, st.support_force_n);
	}
	return hi - lo;
}

static double reading_sigma(struct plant *p, bool force, unsigned int n)
{
	struct plant_state st;
	double sum = 0, sq = 0, x;
	unsigned int i;

	for (i = 0; i < n; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		x = force ? st.readings.force_reading_mn / 1000.0 :
			    (double)st.readings.pressure_reading_pa;
		sum += x;
		sq += x * x;
	}
	return sqrt(sq / n - (sum / n) * (sum / n));
}

static void test_support_step_response_rise_time_and_overshoot(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;
	double t10 = -1, t90 = -1, peak = 0;
	unsigned int i;

	plant_set_pressure_setpoint(p, 100000);
	for (i = 1; i <= 2000; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		if (t10 < 0 && st.regulator_pa >= 10000)
			t10 = i;
		if (t90 < 0 && st.regulator_pa >= 90000)
			t90 = i;
		peak = fmax(peak, st.regulator_pa);
	}
	print_message("# support step 0 -> 100 kPa: rise 10-90 %% %.0f ms, "
		      "peak %.0f Pa\n", t90 - t10, peak);
	/* 80 kPa at 1 MPa/s is 80 ms, plus the 20 ms regulator lag. */
	assert_true(t90 - t10 >= 70 && t90 - t10 <= 130);
	assert_true(peak <= 100000 * 1.01);
	assert_true(fabs(st.support_pressure_pa - 100000) < 500);
	/* 100 kPa x 2000 uN/Pa = 200 N on a runner standing still. */
	assert_true(fabs(st.support_force_n - 200.0) < 2.0);
	plant_free(p);
}

static void test_support_force_is_pressure_times_geometry(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_pressure_setpoint(p, 250000);
	st = run_ms(p, 1000);
	assert_true(fabs(st.support_force_n - 500.0) < 2.0);
	plant_free(p);
}

static void test_support_force_never_exceeds_body_weight(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_pressure_setpoint(p, PLANT_MAX_PRESSURE_PA);
	st = run_ms(p, 1000);
	assert_true(st.support_force_n <= 70 * 9.81 + 1e-9);
	plant_free(p);
}

static void test_stride_force_swing_at_10_kmh_for_70kg_runner(void **s)
{
	struct plant *p = new_plant();
	double standing, running;

	/* 30 % unweighting of 70 kg: 206 N, 103 kPa. */
	plant_set_pressure_setpoint(p, 103000);
	run_ms(p, 1000);
	standing = force_swing_n(p, 2000);
	plant_set_belt_drive(p, true, 2778, 1000);
	run_ms(p, 5000);
	running = force_swing_n(p, 2000);
	print_message("# passive stride swing at 10 km/h: %.1f N p-p "
		      "(standing: %.1f N)\n", running, standing);
	assert_true(standing < 5.0);
	assert_true(running > 50.0 && running < 200.0);
	plant_free(p);
}

static void test_stride_swing_grows_with_belt_speed(void **s)
{
	struct plant *p = new_plant();
	double slow, fast;

	plant_set_pressure_setpoint(p, 103000);
	plant_set_belt_drive(p, true, 1389, 1000);
	run_ms(p, 4000);
	slow = force_swing_n(p, 2000);
	plant_set_belt_drive(p, true, 4167, 1000);
	run_ms(p, 4000);
	fast = force_swing_n(p, 2000);
	assert_true(fast > slow * 1.5);
	plant_free(p);
}

static void test_stride_period_follows_cadence(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;
	double prev = 0;
	unsigned int i, ups = 0;

	plant_set_runner(p, 70, 3.0);
	plant_set_belt_drive(p, true, 2778, 1500);
	run_ms(p, 3000);
	for (i = 0; i < 10000; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		if (prev < 0 && st.runner_height_mm >= 0)
			ups++;
		prev = st.runner_height_mm;
	}
	/* 3 steps/s for 10 s: 30 upward crossings of the mean. */
	assert_true(ups >= 29 && ups <= 31);
	plant_free(p);
}

/* A simple proportional force loop on the load cell, as leverd might run
 * at 1 kHz, must be able to take a good part of the swing out. */
static void test_active_support_control_reduces_stride_swing(void **s)
{
	struct plant *p = new_plant(), *q = new_plant();
	const double target_n = 206.0, fpp = PLANT_FORCE_PER_PRESSURE_UN_PA / 1e6;
	struct plant_state st;
	double passive, lo = 1e9, hi = -1e9, sp;
	unsigned int i;

	plant_set_pressure_setpoint(p, target_n / fpp);
	plant_set_belt_drive(p, true, 2778, 1000);
	run_ms(p, 5000);
	passive = force_swing_n(p, 2000);

	plant_set_pressure_setpoint(q, target_n / fpp);
	plant_set_belt_drive(q, true, 2778, 1000);
	for (i = 0; i < 7000; i++) {
		plant_get_state(q, &st);
		sp = (target_n + 2.0 * (target_n - st.readings.force_reading_mn /
					1000.0)) / fpp;
		plant_set_pressure_setpoint(q, sp);
		plant_step(q, MS);
		if (i >= 5000) {
			plant_get_state(q, &st);
			lo = fmin(lo, st.support_force_n);
			hi = fmax(hi, st.support_force_n);
		}
	}
	print_message("# stride swing passive %.1f N, active %.1f N p-p\n",
		      passive, hi - lo);
	assert_true(hi - lo < 0.6 * passive);
	plant_free(p);
	plant_free(q);
}

static void test_belt_acceleration_is_limited(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;
	double prev = 0;
	unsigned int i;

	plant_set_belt_drive(p, true, 5000, 100000);
	for (i = 1; i <= 1000; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		/* droop only ever slows the belt */
		assert_true(st.belt_speed_mm_s <=
			    PLANT_MAX_BELT_ACCEL_MM_S2 * i / 1000.0 + 0.01);
		if (i % 100 == 0) {
			/* 150 mm/s per 100 ms, plus what a footstrike's
			 * droop (< 0.5 %) gives back */
			assert_true(st.belt_speed_mm_s - prev <=
				    150.0 + 0.005 * st.belt_speed_mm_s);
			prev = st.belt_speed_mm_s;
		}
	}
	assert_true(st.belt_speed_mm_s > 1450 && st.belt_speed_mm_s <= 1500.01);
	plant_free(p);
}

static void test_belt_follows_requested_lower_acceleration(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_belt_drive(p, true, 5000, 500);
	st = run_ms(p, 1000);
	assert_true(st.belt_speed_mm_s > 480 && st.belt_speed_mm_s <= 500.01);
	plant_free(p);
}

static void test_cut_drive_brakes_belt_to_rest(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_belt_drive(p, true, 2500, 1500);
	run_ms(p, 3000);
	plant_set_belt_drive(p, false, 0, 1);
	st = run_ms(p, 500);
	assert_true(fabs(st.belt_speed_mm_s - 1250) < 30);
	st = run_ms(p, 600);
	assert_true(st.belt_speed_mm_s == 0);
	plant_free(p);
}

static void test_incline_moves_at_actuator_rate(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_incline(p, true, 1000);
	st = run_ms(p, 2000);
	assert_true(fabs(st.incline_centi_pct - 100) < 1);
	plant_set_incline(p, false, 1000);
	st = run_ms(p, 2000);
	assert_true(fabs(st.incline_centi_pct - 100) < 1);
	plant_free(p);
}

static void test_sensor_readings_are_quantised_and_noisy(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;
	double sigma;

	plant_set_pressure_setpoint(p, 100000);
	st = run_ms(p, 1000);
	assert_int_equal(st.readings.pressure_reading_pa % 10, 0);
	assert_int_equal(st.readings.force_reading_mn % 50, 0);
	sigma = reading_sigma(p, false, 2000);
	assert_true(sigma > 30 && sigma < 120);
	plant_free(p);
}

static void test_fault_pressure_stuck_freezes_reading(void **s)
{
	struct plant *p = new_plant();
	struct plant_state a, b;

	plant_set_pressure_setpoint(p, 50000);
	run_ms(p, 500);		/* settle */
	plant_set_fault(p, PLANT_FAULT_PRESSURE_STUCK, true);
	a = run_ms(p, 1);
	plant_set_pressure_setpoint(p, 200000);
	b = run_ms(p, 500);
	assert_int_equal(a.readings.pressure_reading_pa,
			 b.readings.pressure_reading_pa);
	assert_true(b.support_pressure_pa > 190000);
	plant_set_fault(p, PLANT_FAULT_PRESSURE_STUCK, false);
	b = run_ms(p, 1);
	assert_true(b.readings.pressure_reading_pa > 190000);
	plant_free(p);
}

static void test_fault_force_stuck_freezes_reading(void **s)
{
	struct plant *p = new_plant();
	struct plant_state a, b;

	plant_set_pressure_setpoint(p, 50000);
	run_ms(p, 500);
	plant_set_fault(p, PLANT_FAULT_FORCE_STUCK, true);
	a = run_ms(p, 1);
	plant_set_pressure_setpoint(p, 200000);
	b = run_ms(p, 500);
	assert_int_equal(a.readings.force_reading_mn,
			 b.readings.force_reading_mn);
	assert_true(b.support_force_n > 390);
	plant_free(p);
}

static void test_fault_pressure_noise_burst_raises_noise(void **s)
{
	struct plant *p = new_plant();
	double quiet, burst;

	plant_set_pressure_setpoint(p, 100000);
	run_ms(p, 500);
	quiet = reading_sigma(p, false, 2000);
	plant_set_fault(p, PLANT_FAULT_PRESSURE_NOISE, true);
	burst = reading_sigma(p, false, 2000);
	assert_true(burst > 20 * quiet);
	plant_free(p);
}

static void test_fault_force_noise_burst_raises_noise(void **s)
{
	struct plant *p = new_plant();
	double quiet, burst;

	plant_set_pressure_setpoint(p, 100000);
	run_ms(p, 500);
	quiet = reading_sigma(p, true, 2000);
	plant_set_fault(p, PLANT_FAULT_FORCE_NOISE, true);
	burst = reading_sigma(p, true, 2000);
	assert_true(burst > 20 * quiet);
	plant_free(p);
}

static void test_fault_valve_stuck_holds_regulator_output(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_pressure_setpoint(p, 100000);
	run_ms(p, 500);
	plant_set_fault(p, PLANT_FAULT_VALVE_STUCK, true);
	plant_set_pressure_setpoint(p, 300000);
	st = run_ms(p, 1000);
	assert_true(fabs(st.regulator_pa - 100000) < 100);
	plant_set_fault(p, PLANT_FAULT_VALVE_STUCK, false);
	st = run_ms(p, 1000);
	assert_true(fabs(st.regulator_pa - 300000) < 100);
	plant_free(p);
}

static void test_fault_belt_overspeed_runs_above_target(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_belt_drive(p, true, 2000, 1500);
	run_ms(p, 3000);
	plant_set_fault(p, PLANT_FAULT_BELT_OVERSPEED, true);
	st = run_ms(p, 2000);
	assert_true(st.belt_speed_mm_s > 2000 + 500);
	plant_free(p);
}

static void test_safety_lines_and_buttons_are_reported(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	assert_int_equal(plant_set_line(p, LEVER_LINE_ESTOP, true), 0);
	assert_int_equal(plant_set_button(p, LEVER_BTN_PAIN, true), 0);
	plant_get_state(p, &st);
	assert_int_equal(st.readings.lines,
			 LEVER_LINE_ESTOP | LEVER_LINE_HARNESS);
	assert_int_equal(st.readings.buttons, LEVER_BTN_PAIN);
	assert_int_equal(plant_set_line(p, 1u << 7, true), -EINVAL);
	assert_int_equal(plant_set_button(p, 3, true), -EINVAL);
	plant_free(p);
}

/* plant_readings() lends what plant_get_readings() copies, kept current */
static void test_lent_readings_are_the_copied_ones(void **s)
{
	struct plant *p = new_plant();
	const struct plant_readings *lent = plant_readings(p);
	struct plant_readings copy;
	unsigned int i;

	plant_set_pressure_setpoint(p, 150000);
	for (i = 0; i < 300; i++) {
		assert_int_equal(plant_step(p, MS), 0);
		if (i == 100)
			plant_set_line(p, LEVER_LINE_ESTOP, true);
		if (i == 150)
			plant_set_button(p, LEVER_BTN_STOP, true);
		if (i == 200)
			plant_set_fault(p, PLANT_FAULT_FORCE_STUCK, true);
		plant_get_readings(p, &copy);
		assert_ptr_equal(plant_readings(p), lent);
		assert_int_equal(lent->pressure_reading_pa,
				 copy.pressure_reading_pa);
		assert_int_equal(lent->force_reading_mn, copy.force_reading_mn);
		assert_int_equal(lent->belt_reading_mm_s,
				 copy.belt_reading_mm_s);
		assert_int_equal(lent->incline_reading_centi_pct,
				 copy.incline_reading_centi_pct);
		assert_int_equal(lent->lines, copy.lines);
		assert_int_equal(lent->buttons, copy.buttons);
		assert_int_equal(lent->faults_injected, copy.faults_injected);
	}
	assert_true(lent->lines & LEVER_LINE_ESTOP);
	assert_int_equal(lent->buttons, LEVER_BTN_STOP);
	assert_true(lent->faults_injected & (1u << PLANT_FAULT_FORCE_STUCK));
	plant_free(p);
}

static void test_unclipped_harness_reads_no_force(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;

	plant_set_pressure_setpoint(p, 100000);
	plant_set_line(p, LEVER_LINE_HARNESS, false);
	st = run_ms(p, 500);
	assert_true(st.support_force_n == 0);
	assert_true(abs(st.readings.force_reading_mn) < 5000);
	plant_free(p);
}

static void test_bad_runner_and_setpoints_are_refused(void **s)
{
	struct plant *p = new_plant();

	assert_int_equal(plant_set_runner(p, 0, 2.8), -EINVAL);
	assert_int_equal(plant_set_runner(p, 70, 10), -EINVAL);
	assert_int_equal(plant_set_runner(p, NAN, 2.8), -EINVAL);
	assert_int_equal(plant_set_belt_drive(p, true, -1, 1000), -EINVAL);
	assert_int_equal(plant_set_pressure_setpoint(p, NAN), -EINVAL);
	assert_int_equal(plant_step(p, 0), -EINVAL);
	assert_int_equal(plant_set_fault(p, PLANT_FAULT_COUNT, true), -EINVAL);
	plant_free(p);
}

static void test_fault_names_round_trip(void **s)
{
	int i;

	for (i = 0; i < PLANT_FAULT_COUNT; i++)
		assert_int_equal(plant_fault_from_name(plant_fault_name(i)), i);
	assert_int_equal(plant_fault_from_name("nonsense"), -EINVAL);
}

static void test_time_slicing_does_not_change_results(void **s)
{
	struct plant *p = new_plant(), *q = new_plant();
	struct plant_state a, b;
	unsigned int i;

	plant_set_pressure_setpoint(p, 120000);
	plant_set_pressure_setpoint(q, 120000);
	plant_set_belt_drive(p, true, 3000, 1500);
	plant_set_belt_drive(q, true, 3000, 1500);
	for (i = 0; i < 3000; i++) {
		plant_step(p, MS);
		plant_step(q, MS / 4);
		plant_step(q, MS / 4);
		plant_step(q, MS / 2);
	}
	plant_get_state(p, &a);
	plant_get_state(q, &b);
	assert_true(a.support_force_n == b.support_force_n);
	assert_true(a.belt_speed_mm_s == b.belt_speed_mm_s);
	plant_free(p);
	plant_free(q);
}

/*
 * Steps that end between substeps (a board sampling at 1.67 kHz) follow a
 * set-point step as 3 ms steps do, within the transducer's 10 Pa quantum
 * at every common instant: each substep's regulator steps with its own
 * length's constant (the last substep's, a shorter lag's, made 67 Pa).
 */
static void test_sliced_steps_follow_the_setpoint_as_whole_ones(void **s)
{
	struct plant *p = new_plant(), *q = new_plant();
	struct plant_state a, b;
	double worst = 0;
	unsigned int i, k;

	plant_set_pressure_setpoint(p, 150000);
	plant_set_pressure_setpoint(q, 150000);
	for (i = 0; i < 700; i++) {
		plant_step(p, 3 * MS);
		for (k = 0; k < 5; k++)
			plant_step(q, 600000);
		plant_get_state(p, &a);
		plant_get_state(q, &b);
		worst = fmax(worst, fabs(a.regulator_pa - b.regulator_pa));
	}
	print_message("# regulator, 3 ms against 0.6 ms steps: %.1f Pa at most\n",
		      worst);
	assert_true(worst < 10.0);
	plant_free(p);
	plant_free(q);
}

static struct plant *new_plant_reference(bool reference)
{
	struct plant_config cfg;
	struct plant *p;

	plant_default_config(&cfg);
	cfg.seed = 42;
	cfg.reference_formulas = reference;
	assert_int_equal(plant_new(&cfg, &p), 0);
	return p;
}

/* The same inputs to both, at @ms (a minute of a session, compressed). */
static void drive_both(struct plant *p[2], unsigned int ms)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (ms == 0) {
			plant_set_pressure_setpoint(p[i], 103000);
			plant_set_belt_drive(p[i], true, 2778, 1000);
		} else if (ms == 20000) {
			plant_set_pressure_setpoint(p[i], 140000);
			plant_set_belt_drive(p[i], true, 4167, 1500);
			plant_set_runner(p[i], 85, 3.1);
		} else if (ms == 40000) {
			plant_set_pressure_setpoint(p[i], 60000);
			plant_set_belt_drive(p[i], true, 1389, 1000);
			plant_set_runner(p[i], 85, 2.6);
		} else if (ms == 55000) {
			plant_set_belt_drive(p[i], false, 0, 1000);
		}
	}
}

/*
 * The stride's sine comes from a phasor turned each substep, and the
 * friction's tanh() from an exp series; the formulas they replaced took
 * sin() of the accumulated phase and libm's tanh(). Over a minute of
 * running, speed and cadence changes, steps sliced at 1 ms and at
 * 0.3 ms, the true force stays within 1 uN of it (the load cell
 * resolves 50 mN), the pressure within 1 mPa, the runner within 1 nm.
 */
static void test_phasor_stride_stays_within_1_uN_of_sin(void **s)
{
	struct plant *p[2] = { new_plant_reference(false),
			       new_plant_reference(true) };
	struct plant_state a, b;
	double df = 0, dp = 0, dh = 0, db = 0;
	unsigned int ms, i;

	for (ms = 0; ms < 60000; ms++) {
		drive_both(p, ms);
		for (i = 0; i < 2; i++) {
			/* slices that end between substeps, now and then */
			if (ms % 1000 < 3) {
				plant_step(p[i], 300000);
				plant_step(p[i], 700000);
			} else {
				plant_step(p[i], MS);
			}
		}
		plant_get_state(p[0], &a);
		plant_get_state(p[1], &b);
		df = fmax(df, fabs(a.support_force_n - b.support_force_n));
		dp = fmax(dp, fabs(a.support_pressure_pa -
				   b.support_pressure_pa));
		dh = fmax(dh, fabs(a.runner_height_mm - b.runner_height_mm));
		db = fmax(db, fabs(a.belt_speed_mm_s - b.belt_speed_mm_s));
	}
	print_message("# phasor vs sin() over 60 s: force %.3g N, pressure %.3g Pa, height %.3g mm, belt %.3g mm/s (max abs difference)\n",
		      df, dp, dh, db);
	assert_true(df < 1e-6);
	assert_true(dp < 1e-3);
	assert_true(dh < 1e-6);
	assert_true(db < 1e-6);
	plant_free(p[0]);
	plant_free(p[1]);
}

/*
 * The inputs of a clinic's day, compressed, at @ms: the same to both. The
 * second session ends @end_ms later than 360 s (where in its stride the
 * gas spring is left).
 */
static void drive_day(struct plant *p, unsigned int ms, unsigned int end_ms)
{
	if (ms == 360000 + end_ms)
		plant_set_belt_drive(p, false, 0, 1000);
	switch (ms) {
	case 5000:
		plant_set_pressure_setpoint(p, 103000);
		break;
	case 20000:
		plant_set_belt_drive(p, true, 2778, 1000);
		break;
	case 60000:
		plant_set_belt_drive(p, false, 0, 1000);
		break;
	case 200000:
		plant_set_incline(p, true, 500);
		break;
	case 230000:
		plant_set_line(p, LEVER_LINE_HARNESS, false);
		break;
	case 240000:
		plant_set_line(p, LEVER_LINE_HARNESS, true);
		break;
	case 250000:
		plant_set_fault(p, PLANT_FAULT_VALVE_STUCK, true);
		plant_set_pressure_setpoint(p, 50000);
		break;
	case 280000:
		plant_set_fault(p, PLANT_FAULT_VALVE_STUCK, false);
		break;
	case 300000:
		/* more than a 50 kg body weight: the strap's limit holds */
		plant_set_pressure_setpoint(p, PLANT_MAX_PRESSURE_PA);
		break;
	case 310000:
		plant_set_runner(p, 50, 2.8);
		break;
	case 320000:
		plant_set_pressure_setpoint(p, 0);
		break;
	case 330000:
		plant_set_belt_drive(p, true, 1389, 1000);
		break;
	}
}

/*
 * The day above, 560 s, in steps of @step_ns (at most 1 ms) on a plant with
 * @geometry_scale, against one that computes every substep: the samples
 * whose states differ in any bit.
 */
static unsigned int day_against_every_substep(uint64_t step_ns,
					      double geometry_scale,
					      unsigned int end_ms)
{
	struct plant_config cfg;
	struct plant *p, *q;
	struct plant_state a, b;
	uint64_t t_ns = 0;
	unsigned int ms = 0, last_ms = ~0u, differ = 0;

	plant_default_config(&cfg);
	cfg.seed = 42;
	cfg.geometry_scale = geometry_scale;
	assert_int_equal(plant_new(&cfg, &p), 0);
	cfg.every_substep = true;
	assert_int_equal(plant_new(&cfg, &q), 0);
	while (ms < 560000) {
		if (ms != last_ms) {
			drive_day(p, ms, end_ms);
			drive_day(q, ms, end_ms);
			last_ms = ms;
		}
		plant_step(p, step_ns);
		plant_step(q, step_ns);
		plant_get_state(p, &a);
		plant_get_state(q, &b);
		differ += memcmp(&a, &b, sizeof(a)) != 0;
		t_ns += step_ns;
		ms = t_ns / MS;
	}
	plant_free(p);
	plant_free(q);
	return differ;
}

/*
 * A plant at rest whose states have settled only moves its clock
 * (sim/plant.c: plant_step()). It gives the numbers of a
 * plant that computes every substep, bit for bit, over 560 s of a
 * clinic's day: two sessions, the minutes the gas spring takes to
 * settle after each (after the second, with no pressure asked, down to
 * where pressure x geometry underflows), incline, harness, a stuck
 * valve, the strap's limit and a new runner at rest; in 1 ms steps and
 * in steps that end between substeps (a board sampling at 1.5 kHz or
 * 2.5 kHz), at the nominal geometry and at ones whose pressure x
 * geometry underflows to -0.
 */
static void test_settled_rest_gives_the_numbers_of_every_substep(void **s)
{
	static const struct {
		uint64_t step_ns;
		double geometry_scale;
		unsigned int end_ms;
	} runs[] = {
		{ MS, 1.0, 0 }, { MS, 0.5, 0 }, { MS, 0.5, 185 },
		{ 666666, 1.0, 0 }, { 400000, 0.9, 0 },
	};
	unsigned int differ;
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		differ = day_against_every_substep(runs[i].step_ns,
						   runs[i].geometry_scale,
						   runs[i].end_ms);
		print_message("# %llu ns steps, geometry x%.1f, end +%u ms: %u samples differ\n",
			      (unsigned long long)runs[i].step_ns,
			      runs[i].geometry_scale, runs[i].end_ms, differ);
		assert_int_equal(differ, 0);
	}
}

/*
 * The sensor noise is a sum of four uniforms (bounded at 3.46 sigma, as a
 * converter's is) where Box-Muller drew Gaussians: the same sigma, within
 * what 20,000 samples can tell apart, on the transducer and the load cell.
 */
static void test_fast_noise_has_the_gaussian_sigma(void **s)
{
	struct plant *p = new_plant_reference(false);
	struct plant *q = new_plant_reference(true);
	double pf, pr, ff, fr;

	plant_set_pressure_setpoint(p, 103000);
	plant_set_pressure_setpoint(q, 103000);
	run_ms(p, 2000);
	run_ms(q, 2000);
	pf = reading_sigma(p, false, 20000);
	pr = reading_sigma(q, false, 20000);
	ff = reading_sigma(p, true, 20000);
	fr = reading_sigma(q, true, 20000);
	print_message("# sigma: pressure %.2f Pa (Box-Muller %.2f), load cell %.4f N (%.4f)\n",
		      pf, pr, ff, fr);
	assert_true(fabs(pf / pr - 1) < 0.03);
	assert_true(fabs(ff / fr - 1) < 0.03);
	plant_free(p);
	plant_free(q);
}

static struct plant *new_plant_scaled(double geometry, double lag,
				      double noise)
{
	struct plant_config cfg;
	struct plant *p;

	plant_default_config(&cfg);
	cfg.seed = 42;
	cfg.geometry_scale = geometry;
	cfg.reg_lag_scale = lag;
	cfg.force_noise_scale = noise;
	assert_int_equal(plant_new(&cfg, &p), 0);
	return p;
}

static void test_geometry_scale_changes_force_per_pressure(void **s)
{
	struct plant *p = new_plant_scaled(1.2, 1, 1);
	struct plant_state st;

	plant_set_pressure_setpoint(p, 250000);
	st = run_ms(p, 1000);
	/* the board still says 2000 uN/Pa; the unit gives 20 % more */
	assert_true(fabs(st.support_force_n - 600.0) < 2.4);
	plant_free(p);
}

/* ms until the regulator output reaches 63 % of a small step */
static double regulator_lag_ms(struct plant *p)
{
	struct plant_state st;
	unsigned int i;

	/* 1 kPa: the slew limit takes 1 ms, the rest is the lag */
	plant_set_pressure_setpoint(p, 1000);
	for (i = 1; i <= 500; i++) {
		plant_step(p, MS);
		plant_get_state(p, &st);
		if (st.regulator_pa >= 632)
			return i;
	}
	return -1;
}

static void test_reg_lag_scale_slows_the_regulator(void **s)
{
	struct plant *p = new_plant(), *q = new_plant_scaled(1, 1.5, 1);
	double a = regulator_lag_ms(p), b = regulator_lag_ms(q);

	print_message("# regulator 63 %% after %.0f ms, x1.5: %.0f ms\n", a, b);
	assert_true(a >= 18 && a <= 23);
	assert_true(b >= 28 && b <= 33);
	plant_free(p);
	plant_free(q);
}

static void test_force_noise_scale_scales_load_cell_noise(void **s)
{
	struct plant *p = new_plant(), *q = new_plant_scaled(1, 1, 2);
	double a, b;

	plant_set_pressure_setpoint(p, 100000);
	plant_set_pressure_setpoint(q, 100000);
	run_ms(p, 1000);
	run_ms(q, 1000);
	a = reading_sigma(p, true, 4000);
	b = reading_sigma(q, true, 4000);
	print_message("# load-cell sigma %.3f N, x2: %.3f N\n", a, b);
	assert_true(a > 0.4 && a < 0.6);
	assert_true(b > 0.85 && b < 1.15);
	plant_free(p);
	plant_free(q);
}

static void test_model_error_factors_out_of_range_are_refused(void **s)
{
	struct plant_config cfg;
	struct plant *p = NULL;

	plant_default_config(&cfg);
	cfg.geometry_scale = 0;
	assert_int_equal(plant_new(&cfg, &p), -EINVAL);
	plant_default_config(&cfg);
	cfg.reg_lag_scale = NAN;
	assert_int_equal(plant_new(&cfg, &p), -EINVAL);
	plant_default_config(&cfg);
	cfg.force_noise_scale = 5;
	assert_int_equal(plant_new(&cfg, &p), -EINVAL);
	assert_null(p);
}

static void test_stride_amplitude_does_not_drift_over_an_hour(void **s)
{
	struct plant *p = new_plant();
	struct plant_state st;
	double first = 0, last = 0;
	unsigned int i;

	plant_set_belt_drive(p, true, 2778, 1500);
	run_ms(p, 5000);
	for (i = 0; i < 3600 * 1000; i++) {
		plant_step(p, MS);
		if (i < 1000 || i >= 3599 * 1000) {
			plant_get_state(p, &st);
			if (i < 1000)
				first = fmax(first, st.runner_height_mm);
			else
				last = fmax(last, st.runner_height_mm);
		}
	}
	print_message("# stride peak height %.6f mm, an hour later %.6f mm\n",
		      first, last);
	assert_true(first > 30);
	assert_true(fabs(last - first) < 1e-3 * first);
	plant_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_support_step_response_rise_time_and_overshoot),
		cmocka_unit_test(test_support_force_is_pressure_times_geometry),
		cmocka_unit_test(test_support_force_never_exceeds_body_weight),
		cmocka_unit_test(test_stride_force_swing_at_10_kmh_for_70kg_runner),
		cmocka_unit_test(test_stride_swing_grows_with_belt_speed),
		cmocka_unit_test(test_stride_period_follows_cadence),
		cmocka_unit_test(test_active_support_control_reduces_stride_swing),
		cmocka_unit_test(test_belt_acceleration_is_limited),
		cmocka_unit_test(test_belt_follows_requested_lower_acceleration),
		cmocka_unit_test(test_cut_drive_brakes_belt_to_rest),
		cmocka_unit_test(test_incline_moves_at_actuator_rate),
		cmocka_unit_test(test_sensor_readings_are_quantised_and_noisy),
		cmocka_unit_test(test_fault_pressure_stuck_freezes_reading),
		cmocka_unit_test(test_fault_force_stuck_freezes_reading),
		cmocka_unit_test(test_fault_pressure_noise_burst_raises_noise),
		cmocka_unit_test(test_fault_force_noise_burst_raises_noise),
		cmocka_unit_test(test_fault_valve_stuck_holds_regulator_output),
		cmocka_unit_test(test_fault_belt_overspeed_runs_above_target),
		cmocka_unit_test(test_safety_lines_and_buttons_are_reported),
		cmocka_unit_test(test_lent_readings_are_the_copied_ones),
		cmocka_unit_test(test_unclipped_harness_reads_no_force),
		cmocka_unit_test(test_bad_runner_and_setpoints_are_refused),
		cmocka_unit_test(test_fault_names_round_trip),
		cmocka_unit_test(test_time_slicing_does_not_change_results),
		cmocka_unit_test(test_sliced_steps_follow_the_setpoint_as_whole_ones),
		cmocka_unit_test(test_geometry_scale_changes_force_per_pressure),
		cmocka_unit_test(test_reg_lag_scale_slows_the_regulator),
		cmocka_unit_test(test_force_noise_scale_scales_load_cell_noise),
		cmocka_unit_test(test_model_error_factors_out_of_range_are_refused),
		cmocka_unit_test(test_stride_amplitude_does_not_drift_over_an_hour),
		cmocka_unit_test(test_phasor_stride_stays_within_1_uN_of_sin),
		cmocka_unit_test(test_fast_noise_has_the_gaussian_sigma),
		cmocka_unit_test(test_settled_rest_gives_the_numbers_of_every_substep),
	};

	return cmocka_run_group_tests_name("sim plant", tests, NULL, NULL);
}
