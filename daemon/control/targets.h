/* SPDX-License-Identifier: MIT */
/*
 * targets.h - what the control core is asked to follow: the session's
 * targets, handed from the event loop to the RT thread through a ring.
 * The one struct both sides share; nothing here may pull in a library
 * the RT side must not link (control/build.mk checks).
 */
#ifndef LEVERD_CONTROL_TARGETS_H
#define LEVERD_CONTROL_TARGETS_H

#include <stdint.h>

#include <lever/lever.h>

/* Standard gravity: a body weight in newtons is mass x this. */
#define LEVERD_G_M_S2		9.80665
/* 100.00 % body weight, the scale of bw_carried_pct_x100 */
#define LEVERD_BW_FULL_X100	10000
#define LEVERD_MASS_MIN_KG	(LEVER_BODY_MASS_MIN_G / 1000.0)
#define LEVERD_MASS_MAX_KG	(LEVER_BODY_MASS_MAX_G / 1000.0)

enum sess_run {
	SESS_IDLE = 0,	/* nothing asked: belt zero, support as left */
	SESS_RUN,	/* follow the targets below */
	SESS_PAUSE,	/* belt to zero, support held at the step's target */
	SESS_STOP,	/* controlled stop, then release support slowly */
};

/* What the RT thread must follow (filled by sess_tick). */
struct sess_targets {
	uint32_t generation;	/* +1 on every explicit start/resume;
				 * the RT side discards anything older */
	enum sess_run run;
	/*
	 * Set-points for now: sess_ already ramps linearly between steps, so
	 * the RT side follows these (within its own slew/jerk limits). On
	 * SESS_PAUSE/SESS_STOP the belt speed is 0 and support is held at
	 * bw_carried_pct_x100 (released slowly only after a STOP, belt at 0).
	 */
	int32_t belt_speed_mm_s;	/* >= 0 */
	int32_t incline_centi_pct;	/* 0.01 % */
	int32_t bw_carried_pct_x100;	/* body weight carried, 0.01 % */
	uint32_t ramp_ms;		/* left of the ramp to the step's
					 * targets (information) */
	float mass_kg;			/* athlete's mass, 0 when idle */
};

#endif /* LEVERD_CONTROL_TARGETS_H */
