/* SPDX-License-Identifier: MIT */
/*
 * tplant.h - a small, fast, deterministic treadmill-and-board model for
 * leverd's tests and benchmarks: pneumatic support with regulator lag and
 * slew limit, air-spring disturbance from the runner's bounce, belt drive,
 * safety lines, buttons and injectable faults. Geometry and limits follow
 * sim/plant.h. It is a test fixture: never link it into leverd.
 */
#ifndef LEVERD_TPLANT_H
#define LEVERD_TPLANT_H

#include <stdbool.h>
#include <stdint.h>

#include <lever/lever.h>

enum tplant_fault {
	TPLANT_STALL,		/* board stops sending samples */
	TPLANT_DROP,		/* samples lost (sequence gap) */
	TPLANT_FORCE_STUCK,	/* load-cell reading frozen */
	TPLANT_FORCE_OFFSET,	/* load cell reads 300 N high */
	TPLANT_PRESSURE_INVALID,/* pressure reading at full scale x2 */
	TPLANT_OVERSPEED,	/* drive runs 1 m/s above its set-point */
	TPLANT_ESTOP,		/* e-stop pressed */
	TPLANT_SAFETY_KEY,	/* safety key pulled */
	TPLANT_BTN_STOP,	/* console stop pressed */
	TPLANT_BTN_PAIN,	/* console pain pressed */
	TPLANT_FAULT_COUNT
};

struct tplant;

int tplant_new(uint64_t seed, double mass_kg, struct tplant **out);
void tplant_free(struct tplant *p);
void tplant_info(const struct tplant *p, struct lever_dev_info *info);

/* Bounce amplitude scale, 1.0 default; 0 for a runner standing still. */
void tplant_set_bounce(struct tplant *p, double scale);
/* External force disturbance on the harness (N, sinusoid) for tests. */
void tplant_set_disturbance(struct tplant *p, double amp_n, double freq_hz);

/* Applies a command (the board's latest set-points). */
void tplant_command(struct tplant *p, const struct lever_dev_command *c,
		    bool drive);

/*
 * Advances 1 ms-or-@dt_ns of plant time; returns 1 and fills @s when the
 * board sent a sample, 0 when none (stall, dropped).
 */
int tplant_step(struct tplant *p, uint64_t dt_ns, struct lever_dev_sample *s);

void tplant_fault(struct tplant *p, enum tplant_fault f, bool on);
/* The runner shoves the belt to @mm_s; it coasts or brakes from there. */
void tplant_push_belt(struct tplant *p, double mm_s);
/* Operator reset of the board's latched faults; -EBUSY with a line on. */
int tplant_reset(struct tplant *p);

/* Truth, for assertions. */
double tplant_force_n(const struct tplant *p);
double tplant_belt_mm_s(const struct tplant *p);
double tplant_pressure_pa(const struct tplant *p);
uint64_t tplant_time_ns(const struct tplant *p);

#endif /* LEVERD_TPLANT_H */
