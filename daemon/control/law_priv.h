/* SPDX-License-Identifier: MIT */
/*
 * law_priv.h - what the law files share and nothing else sees: the base
 * object each law embeds (its own state stays in its own .c, reached with
 * container_of, as linuxptp's servos do) and the PI core, which a law
 * that adds to the PI embeds so that it degrades to exactly the PI.
 */
#ifndef LEVERD_LAW_PRIV_H
#define LEVERD_LAW_PRIV_H

#include <stddef.h>

#include "law.h"

#define law_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct law {
	const struct law_ops *ops;
};

/* The PI: ramped set-point, geometry feed-forward, PI, clamp, slew. */
struct law_pi_core {
	struct law_params p;
	enum law_state state;
	double sp_n;		/* ramped set-point */
	double target_n;	/* last target seen */
	double ramp_rate_n_s;	/* rate chosen when the target changed */
	double integ_n;		/* integral term, in N of support */
	double out_pa;		/* last output */
};

int law_pi_core_init(struct law_pi_core *c, const struct law_params *p);
void law_pi_core_reset(struct law_pi_core *c, double pressure_pa,
		       double force_n);
/* Moves the set-point one cycle along its ramp; returns it, N. */
double law_pi_core_ramp(struct law_pi_core *c, const struct law_input *in);
/*
 * The support, N, the PI asks this cycle before anything is added, the
 * clamp and the slew limit: set-point, proportional and integral terms.
 */
double law_pi_core_feedback_n(const struct law_pi_core *c, double force_n);
/*
 * The output for this cycle with @extra_n (N of support, e.g. a stride
 * feed-forward) added before the clamp and the slew limit, so that the
 * anti-windup sees the output that is really sent.
 */
double law_pi_core_output(struct law_pi_core *c, const struct law_input *in,
			  double extra_n);

extern const struct law_ops law_pi_ops;
extern const struct law_ops law_afc_ops;

#endif /* LEVERD_LAW_PRIV_H */
