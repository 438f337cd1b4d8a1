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
/*
 * turn_phasor() in SSE2 is stride_sin()'s arithmetic only where that is
 * SSE2 too (not x87's wider registers) and no FMA can fuse a product into
 * a sum: gcc's default -ffp-contract=fast fuses the two differently.
 */
#if defined(__SSE2_MATH__) && !defined(__FMA__) && !defined(__FMA4__)
#define PLANT_SSE2_PHASOR
#include <emmintrin.h>
#endif

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
	 * phasor turned each substep, instead of a sin() per substep */
	double	phase_cos, phase_sin;
	double	phase_rad;	/* reference formulas: the phase itself */
	/*
	 * At rest and settled: the last whole substep, its belt at rest,
	 * left every state but the stride's phase as it was, bit for bit,
	 * and no input changed since. Then the next one does too (the phase
	 * reaches the rest only through a zero's sign, which changes none
	 * of them but a force of -0: see substep()), and only the phase is
	 * turned (settled_substeps()). plant_config.every_substep: never.
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
 * Sensor noise: the sum of four uniforms from one 64-bit draw (Irwin-Hall),
 * scaled to unit variance. The same sigma as a Gaussian, bounded at
 * +-3.46 sigma as a real converter's noise is, and no log/sqrt/cos: the
 * Box-Muller draw it replaces was a fifth of the deterministic daemon.
 */
static inline __attribute__((always_inline)) double rng_noise(uint64_t *s)
{
	const uint64_t lanes = 0x0000ffff0000ffffULL;
	uint64_t z = rng_next(s);
	/* the four fields added two lanes at a time: integers, so the same
	 * sum as adding them as doubles, for a third of the instructions */
	uint64_t t = (z & lanes) + ((z >> 16) & lanes);
	double sum = (double)((t & 0xffffffff) + (t >> 32));

	/* mean 2, variance 4/12: centre, then x sqrt(3) / 65536 */
	return (sum + 2.0) * (1.7320508075688772 / 65536.0) -
	       2.0 * 1.7320508075688772;
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
 * tanh(), without the libm call where its value is known exactly: +-0 at
 * +-0 (a runner standing still), and +-1 from |x| = 22 on, where 1 -
 * tanh(x) < 2e-19 is below half an ulp of 1 (glibc returns 1 from there
 * on too). Most substeps of a run are one or the other.
 */
static double tanh_fast(double x)
{
	if (x == 0.0)
		return x;
	if (x >= 22.0)
		return 1.0;
	if (x <= -22.0)
		return -1.0;
	return tanh(x);
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
		/* the four draws, the generator's state in a register */
		rng = p->rng;
		n[0] = rng_noise(&rng);
		n[1] = rng_noise(&rng);
		n[2] = rng_noise(&rng);
		n[3] = rng_noise(&rng);
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
 * it is all the settled rest does (out of line, the plant took 3 % more
 * instructions running and 10 % more at rest).
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

/*
 * @n turns of the stride's phasor, as stride_sin() turns it, in one pair
 * of registers: with SSE2 the cosine and the sine are formed side by
 * side. The same operations on the same operands, so the same bits: the
 * cosine's "- sin x k_sin" is "+ sin x -k_sin" (IEEE subtraction is the
 * addition of the negated operand, and negating an operand of a product
 * negates it exactly), and the norm's sum is the same two squares.
 */
static inline __attribute__((always_inline)) void
turn_phasor(struct plant *p, uint64_t n)
{
#ifdef PLANT_SSE2_PHASOR
	const __m128d kc = _mm_set1_pd(p->k_rot_cos);
	const __m128d ks = _mm_set_pd(p->k_rot_sin, -p->k_rot_sin);
	const __m128d three = _mm_set_sd(3.0), half = _mm_set_sd(0.5);
	__m128d v = _mm_set_pd(p->phase_sin, p->phase_cos);
	__m128d r, sq, g;

#pragma GCC unroll 4
	do {
		/* lo: cos kc - sin ks, hi: sin kc + cos ks */
		r = _mm_add_pd(_mm_mul_pd(v, kc),
			       _mm_mul_pd(_mm_shuffle_pd(v, v, 1), ks));
		sq = _mm_mul_pd(r, r);
		g = _mm_add_sd(sq, _mm_unpackhi_pd(sq, sq));
		g = _mm_mul_sd(_mm_sub_sd(three, g), half);
		v = _mm_mul_pd(r, _mm_unpacklo_pd(g, g));
	} while (--n);
	p->phase_cos = _mm_cvtsd_f64(v);
	p->phase_sin = _mm_cvtsd_f64(_mm_unpackhi_pd(v, v));
#else
	do {
		stride_sin(p, SUBSTEP_S);
	} while (--n);
#endif
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

/*
 * @n whole substeps of a settled plant at rest: what substep() would do,
 * for a fifth of the instructions. The stride's amplitude is +0 at rest,
 * so the runner's height is a zero whose sign is the sine's and its
 * speed a zero: the gas spring takes that zero either sign to the same
 * bits, and so does the friction unless the force is -0 (never settled),
 * and nothing else reads the phase (an idle treadmill spends nearly
 * every substep here).
 */
static inline __attribute__((always_inline)) void
settled_substeps(struct plant *p, uint64_t n)
{
	double h_new;

	/* the substep's length and the formulas are the same for all n */
	if (SUBSTEP_S != p->k_dt)
		substep_constants(p, SUBSTEP_S);
	if (p->reference) {
		do {
			h_new = 0.0 * stride_sin_reference(p, SUBSTEP_S);
		} while (--n);
		p->height_m = h_new;
		return;
	}
	turn_phasor(p, n);
	p->height_m = 0.0 * p->phase_sin;
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

	/* Runner: vertical centre of mass, one oscillation per step. */
	sn = stride_sin(p, dt);
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
		fric = FRICTION_N * tanh_fast(v_new / FRICTION_V0_M_S);
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
			n = left - left % SUBSTEP_NS;
			settled_substeps(p, n / SUBSTEP_NS);
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
	 * treadmill, 1 ms at a time): what plant_advance() would do, without
	 * the call and its loop.
	 */
	if (p->settled && !p->into_substep_ns && !(dt_ns % SUBSTEP_NS) &&
	    !p->every_substep && at_rest(p)) {
		settled_substeps(p, dt_ns / SUBSTEP_NS);
		p->time_ns += dt_ns;
	} else {
		plant_advance(p, dt_ns);
	}
	update_sensors(p);
	return 0;
}

/*
 * An input that moves the plant ends its rest (settled_substeps()); the
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
