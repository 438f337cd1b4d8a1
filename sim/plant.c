// SPDX-License-Identifier: MIT
/*
 * plant.c - the treadmill's physics on an explicit time step: regulator and
 * gas-spring cylinder, runner gait, belt drive, incline, sensors and
 * injected faults. Never reads a clock, never calls rand(), never does I/O.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lever_wire.h"
#include "plant.h"

#define SUBSTEP_NS		250000ULL	/* integration step */
#define SUBSTEP_S		0.00025		/* the same, = SUBSTEP_NS / 1e9 */
#define G_M_S2			9.81
#define P_ATM_PA		101325.0
#define GAMMA_AIR		1.4	/* fast strokes are near-adiabatic */
#define GAS_COLUMN_M		0.25	/* cylinder + hose + dead volume */
#define REG_FLOW_TAU_S		0.15	/* regulator refills the cylinder */
#define FRICTION_N		10.0	/* seal + pivot Coulomb friction */
#define FRICTION_V0_M_S		0.01	/* smoothing of the friction sign */
#define PRESSURE_NOISE_PA	60.0	/* sigma, transducer */
#define PRESSURE_QUANT_PA	10
#define FORCE_NOISE_N		0.5	/* sigma, load cell */
#define FORCE_QUANT_MN		50
#define BELT_NOISE_MM_S		2.0	/* sigma, encoder */
#define INCLINE_NOISE_CENTI	1.0
#define NOISE_BURST_GAIN	40.0
#define BELT_DROOP		0.004	/* fractional droop per footstrike */
#define OVERSPEED_GAIN		1.3	/* runaway: target x gain + offset */
#define OVERSPEED_OFFSET_MM_S	600.0

struct plant {
	uint64_t rng;
	uint64_t time_ns;
	uint64_t into_substep_ns;	/* time_ns % SUBSTEP_NS, kept */
	bool	reference;	/* plant_config.reference_formulas */
	double	mass_kg;
	double	cadence;
	double	force_per_pa;	/* true geometry, N/Pa */
	double	reg_tau_s;
	double	force_noise_n;
	/* for the last mass seen: droop per unit of the stride's fall, and
	 * the most the strap can carry (the body weight), N */
	double	k_droop, k_weight_n;
	/* pneumatics */
	double	setpoint_pa;
	double	ramp_pa;	/* rate-limited set-point */
	double	reg_pa;		/* regulator output after its lag */
	double	gas_dev_pa;	/* gas-spring deviation of the cylinder */
	/* runner: the vertical oscillation's phase (1 per step) as a
	 * phasor turned each substep, instead of a sin() per substep; it
	 * turns only while the belt moves (a runner standing on a stopped
	 * belt takes no strides) */
	double	phase_cos, phase_sin;
	double	phase_rad;	/* reference formulas: the phase itself */
	/*
	 * At rest and settled: the last whole substep, its belt at rest,
	 * left every state as it was, bit for bit, and no input changed
	 * since. Then the next one does too, and only the clock moves
	 * (plant_step()). plant_config.every_substep: never.
	 */
	bool	settled;
	bool	every_substep;
	/* per-substep constants, for the last dt seen (0: recompute, the
	 * cadence changed) */
	double	k_dt;
	double	k_rot_cos, k_rot_sin, k_reg, k_flow;
	double	height_m;
	/* belt */
	bool	drive_enabled;
	double	belt_target_mm_s;
	double	belt_accel_mm_s2;
	double	belt_ramp_mm_s;	/* speed the drive controller holds */
	double	belt_mm_s;	/* surface speed with footstrike droop */
	/* incline */
	bool	incline_enabled;
	double	incline_target;
	double	incline;
	double	force_n;
	/* the sensor outputs and the outside world (lines, buttons, faults)
	 * as the board reads them: plant_readings() lends them */
	struct plant_readings rd;
};

static const char *const fault_names[PLANT_FAULT_COUNT] = {
	[PLANT_FAULT_PRESSURE_STUCK]	= "pressure-stuck",
	[PLANT_FAULT_FORCE_STUCK]	= "force-stuck",
	[PLANT_FAULT_PRESSURE_NOISE]	= "pressure-noise",
	[PLANT_FAULT_FORCE_NOISE]	= "force-noise",
	[PLANT_FAULT_VALVE_STUCK]	= "valve-stuck",
	[PLANT_FAULT_BELT_OVERSPEED]	= "belt-overspeed",
	[PLANT_FAULT_DROP_FRAMES]	= "drop-frames",
	[PLANT_FAULT_DELAY_FRAMES]	= "delay-frames",
};

/* splitmix64: small, fast, and the same on every libc. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Sensor noise: each term the sum of four uniform bytes (Irwin-Hall),
 * centred and scaled to unit variance, two terms from one 64-bit draw.
 * The same sigma as a Gaussian, bounded at +-3.45 sigma as a real
 * converter's noise is, and no log/sqrt/cos: the Box-Muller draw it
 * replaces was a fifth of the deterministic daemon. Bytes, not the
 * 16-bit fields of before (one draw a term): a term takes 1,021 values
 * 0.0068 sigma apart, far finer than any sensor's quantum (the load
 * cell's 50 mN is 0.1 sigma), for half the draws.
 */
#define NOISE_BYTES_MEAN	510.0	/* 4 x 255 / 2 */
/* 1 / sqrt(4 x (256^2 - 1) / 12): four bytes' sigma, inverted */
#define NOISE_BYTES_SIGMA_INV	0.006765875086793228

static inline __attribute__((always_inline)) void
rng_noise_pair(uint64_t *s, double *a, double *b)
{
	const uint64_t bytes = 0x00ff00ff00ff00ffULL;
	const uint64_t pairs = 0x0000ffff0000ffffULL;
	uint64_t z = rng_next(s);
	/* integers, added a lane pair at a time: bytes 0-3 and 4-7 */
	uint64_t t = (z & bytes) + ((z >> 8) & bytes);

	t = (t & pairs) + ((t >> 16) & pairs);
	*a = ((double)(t & 0xffffffff) - NOISE_BYTES_MEAN) *
	     NOISE_BYTES_SIGMA_INV;
	*b = ((double)(t >> 32) - NOISE_BYTES_MEAN) * NOISE_BYTES_SIGMA_INV;
}

/* Reference formulas: uniform in (0, 1], never 0, so log() stays finite. */
static double rng_unit(uint64_t *s)
{
	return ((rng_next(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* Reference formulas: Box-Muller, one draw per call. */
static double rng_gauss(uint64_t *s)
{
	double u1 = rng_unit(s), u2 = rng_unit(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/*
 * Reference formulas: the four sensors' unit noise terms, in the order
 * they are drawn. Out of line: the fast plant's update_sensors() then
 * calls nothing and keeps its values in registers.
 */
static __attribute__((noinline)) void sensor_noise_reference(struct plant *p,
							     double n[4])
{
	int i;

	for (i = 0; i < 4; i++)
		n[i] = rng_gauss(&p->rng);
}

/*
 * e^y for -44 < y <= 0, within 2.3e-16 of it: y = k ln 2 + r with
 * |r| <= ln 2 / 2, e^r by its series to r^13, times 2^k put into the
 * exponent. The friction's tanh() went through glibc's expm1() four
 * times a millisecond, a tenth of a running session's simulation.
 */
static inline double exp_neg(double y)
{
	/* ln 2 in two parts: k x LN2_HI is exact for |k| < 2^11 */
	const double LN2_HI = 6.93147180369123816490e-01;
	const double LN2_LO = 1.90821492927058770002e-10;
	/* adding 1.5 x 2^52 rounds to an integer, in the low bits */
	const double ROUND = 6755399441055744.0;
	double kf = y * 1.4426950408889634 + ROUND, r, e;
	int64_t k;
	uint64_t bits;

	memcpy(&bits, &kf, sizeof(bits));
	k = (int32_t)(uint32_t)bits;
	kf -= ROUND;
	r = (y - kf * LN2_HI) - kf * LN2_LO;
	e = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 +
	    r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 +
	    r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 +
	    r * (1.0 / 39916800 + r * (1.0 / 479001600 +
	    r * (1.0 / 6227020800.0)))))))))))));
	bits = (uint64_t)(k + 1023) << 52;	/* 2^k, k >= -64 */
	memcpy(&kf, &bits, sizeof(kf));
	return e * kf;
}

/*
 * tanh() within 3e-15 of it, relative (the friction it shapes within
 * 3e-14 N): +-0 at +-0 (a runner standing still); +-1 from |x| = 22 on,
 * where 1 - tanh(x) < 2e-19 is below half an ulp of 1, and NaN as NaN;
 * the odd series to x^7 below 0.01, where 1 - e^-2x would cancel; else
 * (1 - e^-2|x|) / (1 + e^-2|x|) with its sign.
 */
static inline double tanh_fast(double x)
{
	double a = fabs(x), a2, e, t;

	if (x == 0.0)
		return x;
	if (!(a < 22.0))
		return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
	if (a < 0.01) {
		a2 = a * a;
		t = a * (1.0 - a2 * (1.0 / 3 - a2 * (2.0 / 15 -
			 a2 * (17.0 / 315))));
	} else {
		e = exp_neg(-2.0 * a);
		t = (1.0 - e) / (1.0 + e);
	}
	return copysign(t, x);
}

/* The friction's smoothed sign; the reference formulas take libm's. */
static inline double friction_sign(const struct plant *p, double x)
{
	return p->reference ? tanh(x) : tanh_fast(x);
}

/* lround() without the libm call: half away from zero */
static long round_away(double v)
{
	return v >= 0 ? (long)(v + 0.5) : -(long)(0.5 - v);
}

static uint64_t bits_of(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

/* v is +0.0, sign included: one integer compare of its bits */
static bool is_plus_zero(double v)
{
	return !bits_of(v);
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int32_t quantise(double v, int32_t quantum)
{
	return (int32_t)round_away(v / quantum) * quantum;
}

void plant_default_config(struct plant_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->runner_mass_kg = 70.0;
	cfg->cadence_steps_s = 2.8;
	cfg->harness_clipped = true;
	cfg->geometry_scale = 1.0;
	cfg->reg_lag_scale = 1.0;
	cfg->force_noise_scale = 1.0;
}

static bool scale_ok(double x)
{
	return isfinite(x) && x >= 0.25 && x <= 4.0;
}

static bool runner_ok(double mass_kg, double cadence)
{
	return isfinite(mass_kg) && mass_kg >= 20.0 && mass_kg <= 250.0 &&
	       isfinite(cadence) && cadence >= 1.0 && cadence <= 4.0;
}

static bool has_fault(const struct plant *p, enum plant_fault f)
{
	return p->rd.faults_injected & (1u << f);
}

/* Vertical centre-of-mass amplitude: a standing runner barely moves; it
 * grows with speed toward the ~4-5 cm of an easy run. */
static double stride_amplitude_m(double belt_mm_s)
{
	double v = fabs(belt_mm_s) / 1000.0;

	if (v < 0.3)
		return 0.002 * v / 0.3;
	/* fmin() without the libm call: neither side is ever a NaN */
	v = 0.002 + 0.0130 * v;
	return v < 0.060 ? v : 0.060;
}

/* inline: once a step, in plant_step(), the call and its saves cost */
static inline __attribute__((always_inline)) void
update_sensors(struct plant *p)
{
	double sp = PRESSURE_NOISE_PA, sf = p->force_noise_n;
	double pr, fr, br, ir, n[4];
	uint64_t rng;

	if (has_fault(p, PLANT_FAULT_PRESSURE_NOISE))
		sp *= NOISE_BURST_GAIN;
	if (has_fault(p, PLANT_FAULT_FORCE_NOISE))
		sf *= NOISE_BURST_GAIN;
	/* Draw every noise term every time, faults or not, so turning a
	 * fault on does not shift the random stream of the others. */
	if (p->reference) {
		sensor_noise_reference(p, n);
	} else {
		/* the two draws, the generator's state in a register */
		rng = p->rng;
		rng_noise_pair(&rng, &n[0], &n[1]);
		rng_noise_pair(&rng, &n[2], &n[3]);
		p->rng = rng;
	}
	pr = (p->reg_pa + p->gas_dev_pa) + sp * n[0];
	fr = p->force_n + sf * n[1];
	br = p->belt_mm_s + BELT_NOISE_MM_S * n[2];
	ir = p->incline + INCLINE_NOISE_CENTI * n[3];

	if (!has_fault(p, PLANT_FAULT_PRESSURE_STUCK))
		p->rd.pressure_reading_pa = quantise(clampd(pr, -0.05 *
				PLANT_PRESSURE_SENSOR_FS_PA, 1.05 *
				PLANT_PRESSURE_SENSOR_FS_PA), PRESSURE_QUANT_PA);
	if (!has_fault(p, PLANT_FAULT_FORCE_STUCK))
		p->rd.force_reading_mn = quantise(clampd(fr * 1000.0, -0.05 *
				PLANT_FORCE_SENSOR_FS_MN, 1.05 *
				PLANT_FORCE_SENSOR_FS_MN), FORCE_QUANT_MN);
	p->rd.belt_reading_mm_s = (int32_t)round_away(br);
	p->rd.incline_reading_centi_pct =
		(int16_t)round_away(clampd(ir, -32768, 32767));
}

/* Recomputed only when the substep length or the cadence changes. */
static void substep_constants(struct plant *p, double dt)
{
	double w = 2.0 * M_PI * p->cadence * dt;

	p->k_dt = dt;
	p->k_rot_cos = cos(w);
	p->k_rot_sin = sin(w);
	p->k_reg = dt / (p->reg_tau_s + dt);
	p->k_flow = dt / (REG_FLOW_TAU_S + dt);
}

/* The mass sets these; the same products the substep formed each time. */
static void mass_constants(struct plant *p)
{
	p->k_droop = BELT_DROOP * (p->mass_kg / 70.0);
	p->k_weight_n = p->mass_kg * G_M_S2;
}

/* Reference formulas: the stride's sine from the accumulated phase. */
static double stride_sin_reference(struct plant *p, double dt)
{
	p->phase_rad += 2.0 * M_PI * p->cadence * dt;
	if (p->phase_rad >= 2.0 * M_PI)
		p->phase_rad -= 2.0 * M_PI;
	return sin(p->phase_rad);
}

/*
 * The stride's sine for the substep: the phasor turned, or sin(). Inline:
 * out of line, the plant took 3 % more instructions running.
 */
static inline double stride_sin(struct plant *p, double dt)
{
	double c, sn, g;

	if (dt != p->k_dt)
		substep_constants(p, dt);
	if (p->reference)
		return stride_sin_reference(p, dt);
	c = p->phase_cos * p->k_rot_cos - p->phase_sin * p->k_rot_sin;
	sn = p->phase_sin * p->k_rot_cos + p->phase_cos * p->k_rot_sin;
	/* hold |phasor| at 1 against rounding (first order will do) */
	g = (3.0 - (c * c + sn * sn)) * 0.5;
	p->phase_cos = c * g;
	sn *= g;
	p->phase_sin = sn;
	return sn;
}

/* The stride's sine where the phase stands, not turned: the belt at rest. */
static double stride_sin_held(const struct plant *p)
{
	return p->reference ? sin(p->phase_rad) : p->phase_sin;
}

/* The states a substep at rest may leave as they were. */
struct rest_states {
	uint64_t ramp, reg, gas, belt_ramp, belt, incline, force;
};

static void rest_states(const struct plant *p, struct rest_states *r)
{
	r->ramp = bits_of(p->ramp_pa);
	r->reg = bits_of(p->reg_pa);
	r->gas = bits_of(p->gas_dev_pa);
	r->belt_ramp = bits_of(p->belt_ramp_mm_s);
	r->belt = bits_of(p->belt_mm_s);
	r->incline = bits_of(p->incline);
	r->force = bits_of(p->force_n);
}

/* The belt at rest (+0 exactly) with its drive cut. */
static bool at_rest(const struct plant *p)
{
	return !p->drive_enabled && is_plus_zero(p->belt_ramp_mm_s);
}

static void substep(struct plant *p, double dt)
{
	double slew = PLANT_MAX_PRESSURE_SLEW_PA_S * dt;
	double amp, h_new, v_new, k_gas, p_abs, cyl_pa, force, fric, d;
	double target, accel, fall, sn;
	struct rest_states before, after;
	/*
	 * The belt at rest (+0 exactly) with its drive cut stays at +0, and
	 * every term the belt feeds is +0 too: its ramp, the stride's
	 * amplitude, the belt's surface speed. Those are not computed then;
	 * the numbers are the same, zero's sign included. An idle treadmill
	 * spends most substeps here.
	 */
	bool rest = at_rest(p);
	/* only whole substeps settle: a short one may move too little */
	bool whole = dt == SUBSTEP_S;

	/*
	 * The regulator and the gas spring step with this substep's
	 * constants: a substep after one of another length (a step that
	 * ended between substeps) stepped the regulator with the last
	 * one's, a shorter lag's, before this was done first.
	 */
	if (dt != p->k_dt)
		substep_constants(p, dt);
	if (rest && whole)
		rest_states(p, &before);

	/* Regulator: rate-limited set-point, then a first-order lag. A
	 * stuck valve freezes the output where it is. */
	if (!has_fault(p, PLANT_FAULT_VALVE_STUCK)) {
		d = clampd(p->setpoint_pa - p->ramp_pa, -slew, slew);
		p->ramp_pa += d;
		p->reg_pa += (p->ramp_pa - p->reg_pa) * p->k_reg;
	}

	/* Belt drive: the speed controller ramps at the allowed rate; cut
	 * drive means the brake. A runaway drive overshoots its target. */
	if (p->drive_enabled) {
		target = p->belt_target_mm_s;
		if (has_fault(p, PLANT_FAULT_BELT_OVERSPEED))
			target = target * OVERSPEED_GAIN + OVERSPEED_OFFSET_MM_S;
		accel = p->belt_accel_mm_s2;
	} else {
		target = 0.0;
		accel = PLANT_BELT_BRAKE_MM_S2;
	}
	if (!rest) {
		d = clampd(target - p->belt_ramp_mm_s, -accel * dt, accel * dt);
		p->belt_ramp_mm_s += d;
	}

	/* Runner: vertical centre of mass, one oscillation per step; a
	 * runner on a belt at rest takes none, and the phase holds. */
	sn = rest ? stride_sin_held(p) : stride_sin(p, dt);
	amp = !rest && (p->rd.lines & LEVER_LINE_HARNESS) ?
		stride_amplitude_m(p->belt_ramp_mm_s) : 0.0;
	h_new = amp * sn;
	v_new = (h_new - p->height_m) / dt;
	p->height_m = h_new;

	/* Footstrike (downward part of the step) loads the belt a little. */
	if (rest) {
		p->belt_mm_s = 0.0;
	} else {
		fall = sn < 0.0 ? -sn : 0.0;
		p->belt_mm_s = p->belt_ramp_mm_s * (1.0 - p->k_droop * fall);
	}

	/* Cylinder as a gas spring: the harness rising extends the rod
	 * (lever advantage 0.5 → rod moves half as far), the gas expands and
	 * pressure falls; the regulator refills it with time constant
	 * REG_FLOW_TAU_S. This is the stride-by-stride swing a passive
	 * support shows. */
	if (v_new == 0.0) {
		/* -k_gas * v_new * dt of a zero v_new, k_gas > 0: its sign
		 * flipped, the same bits (a runner standing still) */
		p->gas_dev_pa += -v_new - p->gas_dev_pa * p->k_flow;
	} else {
		cyl_pa = p->reg_pa + p->gas_dev_pa;
		p_abs = cyl_pa + P_ATM_PA;
		if (!(p_abs > 1000.0))		/* fmax(), NaN included */
			p_abs = 1000.0;
		k_gas = GAMMA_AIR * p_abs *
			(PLANT_LEVER_ADVANTAGE_PCT / 100.0) / GAS_COLUMN_M;
		p->gas_dev_pa += -k_gas * v_new * dt -
				 p->gas_dev_pa * p->k_flow;
	}
	cyl_pa = p->reg_pa + p->gas_dev_pa;

	/* Load cell: pressure x geometry, minus friction against motion;
	 * the strap only pulls, and cannot carry more than the body. */
	if (p->rd.lines & LEVER_LINE_HARNESS) {
		fric = FRICTION_N * friction_sign(p, v_new / FRICTION_V0_M_S);
		force = cyl_pa * p->force_per_pa - fric;
		p->force_n = clampd(force, 0.0, p->k_weight_n);
	} else {
		p->force_n = 0.0;
	}

	/* Incline actuator. */
	if (p->incline_enabled) {
		d = PLANT_INCLINE_RATE_CENTI_PCT_S * dt;
		p->incline += clampd(p->incline_target - p->incline, -d, d);
	}

	/*
	 * A force of -0 (the cylinder's pressure x geometry underflowed to
	 * -0) is not settled: less -0 friction makes it +0, less +0 keeps
	 * it, and the friction's zero takes its sign from the stride's.
	 */
	if (rest && whole) {
		rest_states(p, &after);
		p->settled = !memcmp(&before, &after, sizeof(before)) &&
			     bits_of(p->force_n) != bits_of(-0.0);
	} else {
		p->settled = false;
	}
}

int plant_new(const struct plant_config *cfg, struct plant **out)
{
	struct plant *p;

	if (!cfg || !out || !runner_ok(cfg->runner_mass_kg,
				       cfg->cadence_steps_s) ||
	    !scale_ok(cfg->geometry_scale) || !scale_ok(cfg->reg_lag_scale) ||
	    !scale_ok(cfg->force_noise_scale))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->rng = cfg->seed;
	p->mass_kg = cfg->runner_mass_kg;
	p->cadence = cfg->cadence_steps_s;
	p->force_per_pa = PLANT_FORCE_PER_PRESSURE_UN_PA / 1e6 *
			  cfg->geometry_scale;
	p->reg_tau_s = PLANT_REG_TAU_US / 1e6 * cfg->reg_lag_scale;
	p->force_noise_n = FORCE_NOISE_N * cfg->force_noise_scale;
	p->reference = cfg->reference_formulas;
	p->every_substep = cfg->every_substep;
	p->phase_cos = 1.0;
	mass_constants(p);
	p->belt_accel_mm_s2 = PLANT_MAX_BELT_ACCEL_MM_S2;
	if (cfg->harness_clipped)
		p->rd.lines |= LEVER_LINE_HARNESS;
	update_sensors(p);
	*out = p;
	return 0;
}

void plant_free(struct plant *p)
{
	free(p);
}

/* Steps of any length: whole substeps and the pieces of one. */
static __attribute__((noinline)) void plant_advance(struct plant *p,
						    uint64_t left)
{
	uint64_t n;

	/* Substeps end on absolute multiples of SUBSTEP_NS, so one 1 ms step
	 * and four 250 us steps give the same numbers. */
	while (left) {
		if (!p->into_substep_ns && left >= SUBSTEP_NS && p->settled &&
		    !p->every_substep && at_rest(p)) {
			/* whole substeps of a settled rest change nothing */
			n = left - left % SUBSTEP_NS;
			p->time_ns += n;
			left -= n;
			continue;
		}
		n = SUBSTEP_NS - p->into_substep_ns;
		if (n > left)
			n = left;
		substep(p, n == SUBSTEP_NS ? SUBSTEP_S : n / 1e9);
		p->time_ns += n;
		p->into_substep_ns += n;
		if (p->into_substep_ns == SUBSTEP_NS)
			p->into_substep_ns = 0;
		left -= n;
	}
}

int plant_step(struct plant *p, uint64_t dt_ns)
{
	if (!p || dt_ns == 0)
		return -EINVAL;
	/*
	 * A settled plant at rest stepped by whole substeps (an idle
	 * treadmill, 1 ms at a time) changes nothing but its clock: what
	 * plant_advance() would do, without the call and its loop.
	 */
	if (p->settled && !p->into_substep_ns && !(dt_ns % SUBSTEP_NS) &&
	    !p->every_substep && at_rest(p)) {
		p->time_ns += dt_ns;
	} else {
		plant_advance(p, dt_ns);
	}
	update_sensors(p);
	return 0;
}

/*
 * An input that moves the plant ends its settled rest; the
 * board sets most of them again every millisecond, unchanged.
 */
static void input_changed(struct plant *p, bool changed)
{
	if (changed)
		p->settled = false;
}

int plant_set_pressure_setpoint(struct plant *p, double pressure_pa)
{
	double sp;

	if (!p || !isfinite(pressure_pa))
		return -EINVAL;
	sp = clampd(pressure_pa, 0.0, PLANT_MAX_PRESSURE_PA);
	input_changed(p, bits_of(sp) != bits_of(p->setpoint_pa));
	p->setpoint_pa = sp;
	return 0;
}

int plant_set_belt_drive(struct plant *p, bool enabled, double target_mm_s,
			 double accel_mm_s2)
{
	if (!p || !isfinite(target_mm_s) || target_mm_s < 0 ||
	    !isfinite(accel_mm_s2) || accel_mm_s2 <= 0)
		return -EINVAL;
	/* a drive cut stays at rest whatever its target */
	input_changed(p, enabled != p->drive_enabled);
	p->drive_enabled = enabled;
	/* fmin() without the libm call: both are finite (twice a cycle) */
	p->belt_target_mm_s = target_mm_s < PLANT_MAX_BELT_SPEED_MM_S ?
			      target_mm_s : PLANT_MAX_BELT_SPEED_MM_S;
	p->belt_accel_mm_s2 = accel_mm_s2 < PLANT_MAX_BELT_ACCEL_MM_S2 ?
			      accel_mm_s2 : PLANT_MAX_BELT_ACCEL_MM_S2;
	return 0;
}

int plant_set_incline(struct plant *p, bool enabled, double target_centi_pct)
{
	double target;

	if (!p || !isfinite(target_centi_pct))
		return -EINVAL;
	target = clampd(target_centi_pct, PLANT_INCLINE_MIN_CENTI_PCT,
			PLANT_INCLINE_MAX_CENTI_PCT);
	input_changed(p, enabled != p->incline_enabled ||
		      bits_of(target) != bits_of(p->incline_target));
	p->incline_enabled = enabled;
	p->incline_target = target;
	return 0;
}

int plant_set_line(struct plant *p, unsigned int line_bit, bool active)
{
	const unsigned int all = LEVER_LINE_ESTOP | LEVER_LINE_SAFETY_KEY |
				 LEVER_LINE_HARNESS;

	if (!p || !line_bit || (line_bit & ~all) || (line_bit & (line_bit - 1)))
		return -EINVAL;
	input_changed(p, !(p->rd.lines & line_bit) != !active);
	if (active)
		p->rd.lines |= line_bit;
	else
		p->rd.lines &= ~line_bit;
	return 0;
}

int plant_set_button(struct plant *p, unsigned int button_bit, bool pressed)
{
	if (!p || !button_bit || button_bit >= (1u << LEVER_BTN_COUNT) ||
	    (button_bit & (button_bit - 1)))
		return -EINVAL;
	if (pressed)
		p->rd.buttons |= button_bit;
	else
		p->rd.buttons &= ~button_bit;
	return 0;
}

int plant_set_runner(struct plant *p, double mass_kg, double cadence_steps_s)
{
	if (!p || !runner_ok(mass_kg, cadence_steps_s))
		return -EINVAL;
	input_changed(p, true);
	p->mass_kg = mass_kg;
	p->cadence = cadence_steps_s;
	mass_constants(p);
	p->k_dt = 0;	/* the stride's turn per substep is the cadence's */
	return 0;
}

int plant_set_fault(struct plant *p, enum plant_fault fault, bool active)
{
	if (!p || (unsigned int)fault >= PLANT_FAULT_COUNT)
		return -EINVAL;
	input_changed(p, !has_fault(p, fault) != !active);
	if (active)
		p->rd.faults_injected |= 1u << fault;
	else
		p->rd.faults_injected &= ~(1u << fault);
	return 0;
}

bool plant_fault_active(const struct plant *p, enum plant_fault fault)
{
	return (unsigned int)fault < PLANT_FAULT_COUNT && has_fault(p, fault);
}

void plant_get_state(const struct plant *p, struct plant_state *st)
{
	memset(st, 0, sizeof(*st));
	st->time_ns = p->time_ns;
	st->regulator_pa = p->reg_pa;
	st->support_pressure_pa = p->reg_pa + p->gas_dev_pa;
	st->support_force_n = p->force_n;
	st->belt_speed_mm_s = p->belt_mm_s;
	st->belt_target_mm_s = p->drive_enabled ? p->belt_target_mm_s : 0.0;
	st->incline_centi_pct = p->incline;
	st->runner_height_mm = p->height_m * 1000.0;
	st->runner_mass_kg = p->mass_kg;
	st->cadence_steps_s = p->cadence;
	st->drive_enabled = p->drive_enabled;
	plant_get_readings(p, &st->readings);
}

void plant_get_readings(const struct plant *p, struct plant_readings *r)
{
	*r = p->rd;
}

const struct plant_readings *plant_readings(const struct plant *p)
{
	return &p->rd;
}

const char *plant_fault_name(enum plant_fault fault)
{
	if ((unsigned int)fault >= PLANT_FAULT_COUNT)
		return NULL;
	return fault_names[fault];
}

int plant_fault_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < PLANT_FAULT_COUNT; i++)
		if (!strcmp(name, fault_names[i]))
			return i;
	return -EINVAL;
}
