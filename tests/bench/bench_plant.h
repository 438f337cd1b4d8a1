/* SPDX-License-Identifier: MIT */
/*
 * bench_plant.h - what leverd's in-process benchmarks share: the board
 * limits of the sim plant (sim/plant.h) and one 1 ms control cycle
 * against it, sampled as the board sends it. Benchmarks only; the tests
 * have their own plants (tests/unit/daemon/tplant.c, pplant.c).
 */
#ifndef LEVER_BENCH_PLANT_H
#define LEVER_BENCH_PLANT_H

#include <stdint.h>

#include "control/loop.h"
#include "plant.h"

/*
 * A control loop configured by @cfg for a board with the sim plant's
 * limits, commanding (armed). 0 or -errno; free it with loop_free().
 */
int bench_plant_loop_new(const struct leverd_cfg *cfg, struct loop **l);

/*
 * One cycle: the plant moves 1 ms (*now_ns with it), its readings become
 * the sample @s, the loop runs on it and its command drives the plant.
 * @st is the plant's state the sample was taken from.
 */
void bench_plant_cycle(struct plant *p, struct loop *l,
		       struct lever_dev_sample *s, uint64_t *now_ns,
		       struct plant_state *st, struct loop_out *out);

#endif /* LEVER_BENCH_PLANT_H */
