// SPDX-License-Identifier: MIT
/*
 * bench_plant.c - the sim plant as leverd's benchmarks drive it: its
 * limits as board info, and one control cycle at 1 kHz. Nothing here
 * judges a result.
 */
#include <string.h>

#include "bench_plant.h"

int bench_plant_loop_new(const struct leverd_cfg *cfg, struct loop **l)
{
	struct lever_dev_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.force_per_pressure_un_pa = PLANT_FORCE_PER_PRESSURE_UN_PA;
	info.max_support_pressure_pa = PLANT_MAX_PRESSURE_PA;
	info.max_support_force_mn = PLANT_MAX_FORCE_MN;
	info.max_pressure_slew_pa_s = PLANT_MAX_PRESSURE_SLEW_PA_S;
	info.max_belt_speed_mm_s = PLANT_MAX_BELT_SPEED_MM_S;
	info.incline_min_centi_pct = PLANT_INCLINE_MIN_CENTI_PCT;
	info.incline_max_centi_pct = PLANT_INCLINE_MAX_CENTI_PCT;
	ret = loop_new(cfg, &info, 0, l);
	if (ret)
		return ret;
	loop_commanding(*l, true);
	return 0;
}

void bench_plant_cycle(struct plant *p, struct loop *l,
		       struct lever_dev_sample *s, uint64_t *now_ns,
		       struct plant_state *st, struct loop_out *out)
{
	plant_step(p, 1000000);
	*now_ns += 1000000;
	plant_get_state(p, st);
	s->seq++;
	s->timestamp_ns = *now_ns;
	/* as the board sends it (sim/board.c): no negative gauge */
	s->support_pressure_pa = st->readings.pressure_reading_pa < 0 ? 0 :
				 (uint32_t)st->readings.pressure_reading_pa;
	s->support_force_mn = st->readings.force_reading_mn;
	s->belt_speed_mm_s = st->readings.belt_reading_mm_s;
	s->incline_centi_pct = st->readings.incline_reading_centi_pct;
	s->lines = st->readings.lines & ~LEVER_DEV_LINE_HARNESS;
	loop_cycle(l, s, *now_ns, out);
	plant_set_pressure_setpoint(p, out->cmd.support_pressure_pa);
	plant_set_belt_drive(p, out->drive, out->cmd.belt_speed_mm_s,
			     PLANT_MAX_BELT_ACCEL_MM_S2);
	plant_set_incline(p, true, out->cmd.incline_centi_pct);
}
