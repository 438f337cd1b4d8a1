/* SPDX-License-Identifier: MIT */
/*
 * pendant.h - the operator's adjustments from the pendant or the console:
 * belt speed and support in steps, on top of the plan's targets, bounded,
 * and forgotten at every new explicit start. Pure: no I/O, no clock.
 */
#ifndef LEVERD_PENDANT_H
#define LEVERD_PENDANT_H

#include <stdint.h>

#include "session/sess.h"

#define PENDANT_SPEED_STEP_MM_S	139	/* 0.5 km/h a press */
#define PENDANT_SPEED_MAX_MM_S	556	/* at most 2 km/h either way */
#define PENDANT_BW_STEP_X100	100	/* 1 %BW a press */
/*
 * More support at most 4 %BW: above the step's target + 5 %BW the
 * supervisor stops (safety.rst rule 8). Less support at most 10 %BW.
 */
#define PENDANT_MORE_SUPPORT_MAX_X100	400
#define PENDANT_LESS_SUPPORT_MAX_X100	1000

enum pendant_key {
	PENDANT_SPEED_UP, PENDANT_SPEED_DOWN,
	PENDANT_SUPPORT_UP, PENDANT_SUPPORT_DOWN,
};

struct pendant {
	int32_t speed_offset_mm_s;	/* added to the plan's belt speed */
	int32_t bw_offset_x100;		/* added to BW carried (less support) */
	uint32_t generation;		/* the start they belong to */
};

/* One press; returns 0, or -ERANGE at a bound (nothing changes). */
int pendant_key(struct pendant *p, enum pendant_key k);

/*
 * Applies the offsets to the session's targets (running only), within
 * 0..@max_belt_mm_s and 0..100 % BW; a new generation clears them first.
 */
void pendant_apply(struct pendant *p, struct sess_targets *t,
		   int32_t max_belt_mm_s);

#endif /* LEVERD_PENDANT_H */
