/* SPDX-License-Identifier: MIT */
/*
 * law.h - the support-force control law behind a small interface with
 * explicit states, so another law can be swapped in (linuxptp servo style).
 * A law turns a target support force and the load-cell reading into a
 * pressure set-point; it never decides about safety (the supervisor does).
 */
#ifndef LEVERD_LAW_H
#define LEVERD_LAW_H

enum law_state {
	LAW_IDLE,	/* no target yet: output what reset gave */
	LAW_RAMPING,	/* set-point moving toward the target */
	LAW_TRACKING,	/* set-point at the target, loop closed */
	LAW_HOLDING,	/* frozen by the supervisor: output held */
};

struct law_params {
	double force_per_pa;	/* N of support per Pa, board geometry */
	double max_pressure_pa;	/* output clamp */
	double max_slew_pa_s;	/* output rate limit */
	double kp;		/* loop gain, dimensionless (N/N) */
	double ki_1_s;		/* integral gain, 1/s */
	double reg_lag_s;	/* regulator lag the stride law models; 0: 20 ms */
};

struct law_input {
	double target_force_n;	/* where the set-point should go */
	double ramp_s;		/* time a set-point change takes */
	double max_rate_n_s;	/* set-point rate cap (support rate limit) */
	double force_n;		/* load-cell reading */
	double dt_s;		/* since the last update */
	/*
	 * Support must never be above this (the step's target plus
	 * support_over_target_pct_bw), N; 0 = not known, and then a law
	 * adds nothing to what the PI would command.
	 */
	double limit_n;
};

struct law;

struct law_ops {
	const char *name;
	/* allocates the law's own state; NULL with *err = -EINVAL/-ENOMEM */
	struct law *(*create)(const struct law_params *p, int *err);
	void (*destroy)(struct law *l);
	/* returns the pressure set-point, Pa */
	double (*update)(struct law *l, const struct law_input *in);
	/* bumpless restart from the pressure and force now applied */
	void (*reset)(struct law *l, double pressure_pa, double force_n);
	void (*hold)(struct law *l);
	enum law_state (*state)(const struct law *l);
	double (*setpoint_n)(const struct law *l);
	/* stride frequency the law is locked to, Hz; 0 = none (optional) */
	double (*cadence_hz)(const struct law *l);
};

/* The name of law @i (0, 1, ...), NULL past the last: those law_new()
 * creates. */
const char *law_nth_name(size_t i);
/* Creates law @name ("pi", "afc"). 0, -ENOENT (no such law), -EINVAL, -ENOMEM. */
int law_new(const char *name, const struct law_params *p, struct law **out);
void law_free(struct law *l);

double law_update(struct law *l, const struct law_input *in);
void law_reset(struct law *l, double pressure_pa, double force_n);
void law_hold(struct law *l);
enum law_state law_state(const struct law *l);
double law_setpoint_n(const struct law *l);
/* Stride frequency a stride-rejection law acts on, Hz; 0 when it does not
 * (no such law, no lock: the law is then the PI). */
double law_cadence_hz(const struct law *l);
const char *law_state_name(enum law_state s);

#endif /* LEVERD_LAW_H */
