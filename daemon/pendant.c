// SPDX-License-Identifier: MIT
/*
 * pendant.c - the operator's speed and support adjustments: bounded
 * steps, applied on top of the plan's targets, forgotten at every new
 * explicit start. It never raises support past what the supervisor
 * allows above the step's target.
 */
#include <errno.h>

#include "pendant.h"

static int pendant_step(int32_t *v, int32_t step, int32_t lo, int32_t hi)
{
	int32_t n = *v + step;

	if (n < lo || n > hi)
		return -ERANGE;
	*v = n;
	return 0;
}

int pendant_key(struct pendant *p, enum pendant_key k)
{
	switch (k) {
	case PENDANT_SPEED_UP:
		return pendant_step(&p->speed_offset_mm_s,
				    PENDANT_SPEED_STEP_MM_S,
				    -PENDANT_SPEED_MAX_MM_S,
				    PENDANT_SPEED_MAX_MM_S);
	case PENDANT_SPEED_DOWN:
		return pendant_step(&p->speed_offset_mm_s,
				    -PENDANT_SPEED_STEP_MM_S,
				    -PENDANT_SPEED_MAX_MM_S,
				    PENDANT_SPEED_MAX_MM_S);
	case PENDANT_SUPPORT_UP:	/* more support: less BW carried */
		return pendant_step(&p->bw_offset_x100, -PENDANT_BW_STEP_X100,
				    -PENDANT_MORE_SUPPORT_MAX_X100,
				    PENDANT_LESS_SUPPORT_MAX_X100);
	case PENDANT_SUPPORT_DOWN:
		return pendant_step(&p->bw_offset_x100, PENDANT_BW_STEP_X100,
				    -PENDANT_MORE_SUPPORT_MAX_X100,
				    PENDANT_LESS_SUPPORT_MAX_X100);
	}
	return -EINVAL;
}

static int32_t pendant_clamp(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void pendant_apply(struct pendant *p, struct sess_targets *t,
		   int32_t max_belt_mm_s)
{
	if (t->generation != p->generation) {
		p->generation = t->generation;
		p->speed_offset_mm_s = 0;
		p->bw_offset_x100 = 0;
	}
	if (t->run != SESS_RUN)
		return;
	t->belt_speed_mm_s = pendant_clamp(t->belt_speed_mm_s +
					   p->speed_offset_mm_s, 0,
					   max_belt_mm_s);
	t->bw_carried_pct_x100 = pendant_clamp(t->bw_carried_pct_x100 +
					       p->bw_offset_x100, 0,
					       LEVERD_BW_FULL_X100);
}
