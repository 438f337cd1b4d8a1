/* SPDX-License-Identifier: MIT */
/*
 * plant.h - physical model of the LEVER treadmill: pneumatic support,
 * runner gait, belt drive, incline, sensors, safety lines and buttons.
 * It never reads a clock and does no I/O: it advances only by plant_step()
 * and is bit-for-bit deterministic for a given seed and input sequence.
 */
#ifndef LEVER_SIM_PLANT_H
#define LEVER_SIM_PLANT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Geometry and limits of the simulated unit. The board reports these in
 * its limits message, so keep them the single source of truth.
 * Support force = cylinder pressure (gauge) x bore area x lever advantage:
 * 0.004 m^2 x 0.5 = 0.002 N/Pa = 2000 uN/Pa.
 */
#define PLANT_CYL_AREA_UM2		4000000	/* um^2 = 0.004 m^2 */
#define PLANT_LEVER_ADVANTAGE_PCT	50	/* harness force / rod force */
#define PLANT_FORCE_PER_PRESSURE_UN_PA	2000	/* uN of support per Pa */
#define PLANT_MAX_PRESSURE_PA		600000	/* Pa, regulator full scale */
#define PLANT_MAX_FORCE_MN		1200000	/* mN, at max pressure */
#define PLANT_MAX_PRESSURE_SLEW_PA_S	1000000	/* Pa/s, valve rate limit */
#define PLANT_REG_TAU_US		20000	/* us, regulator lag */
#define PLANT_MAX_BELT_SPEED_MM_S	5556	/* mm/s, 20 km/h */
#define PLANT_MAX_BELT_ACCEL_MM_S2	1500	/* mm/s^2, drive limit */
#define PLANT_BELT_BRAKE_MM_S2		2500	/* mm/s^2, drive cut + brake */
#define PLANT_PRESSURE_SENSOR_FS_PA	1000000	/* Pa, transducer full scale */
#define PLANT_FORCE_SENSOR_FS_MN	2000000	/* mN, load-cell full scale */
#define PLANT_INCLINE_MIN_CENTI_PCT	(-300)	/* 0.01 %, -3 % */
#define PLANT_INCLINE_MAX_CENTI_PCT	1500	/* 0.01 %, +15 % */
#define PLANT_INCLINE_RATE_CENTI_PCT_S	50	/* 0.01 %/s, actuator speed */

/* Injectable faults. The plant acts on the physical ones; the board model
 * (board.h) acts on the link ones (PLANT_FAULT_DROP_FRAMES/DELAY_FRAMES). */
enum plant_fault {
	PLANT_FAULT_PRESSURE_STUCK,	/* pressure reading frozen */
	PLANT_FAULT_FORCE_STUCK,	/* load-cell reading frozen */
	PLANT_FAULT_PRESSURE_NOISE,	/* pressure noise burst, x40 sigma */
	PLANT_FAULT_FORCE_NOISE,	/* load-cell noise burst, x40 sigma */
	PLANT_FAULT_VALVE_STUCK,	/* regulator output frozen */
	PLANT_FAULT_BELT_OVERSPEED,	/* drive runs away above target */
	PLANT_FAULT_DROP_FRAMES,	/* board: every other sample lost */
	PLANT_FAULT_DELAY_FRAMES,	/* board: samples delivered 20 ms late */
	PLANT_FAULT_COUNT
};

struct plant_config {
	uint64_t seed;			/* PRNG seed, any value */
	double	runner_mass_kg;		/* > 0; default 70 */
	double	cadence_steps_s;	/* steps per second; default 2.8 */
	bool	harness_clipped;	/* runner in the harness; default yes */
	/*
	 * Model errors, for testing a controller against a unit that is
	 * not what its board reports: the true support force per Pa, the
	 * regulator's lag and the load cell's noise, each x this factor of
	 * nominal (0.25..4; default 1).
	 */
	double	geometry_scale;
	double	reg_lag_scale;
	double	force_noise_scale;
	/*
	 * The formulas the fast ones replaced: sin() of an accumulated
	 * phase each substep for the stride, Box-Muller Gaussians for the
	 * sensor noise, libm's tanh() for the friction. Slower, for the
	 * tests that hold the fast model to them and the benchmark's
	 * reference; default no.
	 */
	bool	reference_formulas;
	/*
	 * Every substep computed in full, even at rest once nothing moves
	 * (where the plant otherwise only moves its clock, to the same
	 * bits): for the test that holds that shortcut to it; default no.
	 */
	bool	every_substep;
};

/*
 * What the board's firmware reads every sample (plant_get_readings()):
 * the sensors (quantised, noisy, possibly faulty), the lines and buttons
 * (LEVER_LINE_* / LEVER_BTN_* bits, lever_wire.h) and the injected
 * faults (bit n = enum plant_fault n active).
 */
struct plant_readings {
	int32_t	pressure_reading_pa;
	int32_t	force_reading_mn;
	int32_t	belt_reading_mm_s;
	int16_t	incline_reading_centi_pct;
	uint16_t lines;
	uint16_t buttons;
	uint32_t faults_injected;
};

/* A snapshot: true physical values and what the board's sensors read. */
struct plant_state {
	uint64_t time_ns;		/* plant time since creation */
	/* truth */
	double	regulator_pa;		/* regulator output, gauge */
	double	support_pressure_pa;	/* cylinder, gauge */
	double	support_force_n;	/* on the runner, >= 0 */
	double	belt_speed_mm_s;	/* surface speed */
	double	belt_target_mm_s;	/* what the drive is ramping to */
	double	incline_centi_pct;
	double	runner_height_mm;	/* centre of mass vs standing */
	double	runner_mass_kg;
	double	cadence_steps_s;
	bool	drive_enabled;
	struct plant_readings readings;
};

struct plant;

/* Fills @cfg with the defaults above. */
void plant_default_config(struct plant_config *cfg);

/* Creates a plant at rest: pressure 0, belt stopped, incline 0, lines
 * released. Returns 0, -EINVAL (bad config) or -ENOMEM. */
int plant_new(const struct plant_config *cfg, struct plant **out);
void plant_free(struct plant *p);

/* Advances the model by @dt_ns (> 0; long steps are split internally so
 * the result does not depend on how time is sliced above 250 us). */
int plant_step(struct plant *p, uint64_t dt_ns);

/* Actuator inputs, as the board drives them. */
/* Regulator set-point, Pa gauge, clamped to 0..PLANT_MAX_PRESSURE_PA. */
int plant_set_pressure_setpoint(struct plant *p, double pressure_pa);
/* Belt drive: when enabled, ramps toward @target_mm_s (>= 0) at up to
 * @accel_mm_s2 (capped at PLANT_MAX_BELT_ACCEL_MM_S2); when disabled the
 * drive is cut and the brake stops the belt at PLANT_BELT_BRAKE_MM_S2. */
int plant_set_belt_drive(struct plant *p, bool enabled, double target_mm_s,
			 double accel_mm_s2);
/* Incline actuator target, 0.01 %; moves only while @enabled. */
int plant_set_incline(struct plant *p, bool enabled, double target_centi_pct);

/* The outside world. */
/* One LEVER_LINE_* bit set (@active true) or cleared. */
int plant_set_line(struct plant *p, unsigned int line_bit, bool active);
/* One LEVER_BTN_* bit held (@pressed true) or released. */
int plant_set_button(struct plant *p, unsigned int button_bit, bool pressed);
/* Runner body mass (kg, 20..250) and cadence (steps/s, 1.0..4.0). */
int plant_set_runner(struct plant *p, double mass_kg, double cadence_steps_s);
/* Turns an injected fault on or off. */
int plant_set_fault(struct plant *p, enum plant_fault fault, bool active);
bool plant_fault_active(const struct plant *p, enum plant_fault fault);

void plant_get_state(const struct plant *p, struct plant_state *st);

void plant_get_readings(const struct plant *p, struct plant_readings *r);
/*
 * The same readings lent, not copied: valid until the plant is stepped,
 * or a line, button or fault is set, which change them.
 */
const struct plant_readings *plant_readings(const struct plant *p);

/* "pressure-stuck", ... for the control socket; NULL if out of range. */
const char *plant_fault_name(enum plant_fault fault);
/* Looks a name up; returns the fault or -EINVAL. */
int plant_fault_from_name(const char *name);

#endif /* LEVER_SIM_PLANT_H */
