/* SPDX-License-Identifier: MIT */
/*
 * cfg.h - leverd's configuration: one table of typed, bounded items that
 * drives both /etc/lever/leverd.conf and the command-line flags. A value
 * outside its item's bounds is refused, never clamped silently.
 */
#ifndef LEVERD_CFG_H
#define LEVERD_CFG_H

#include <stdbool.h>
#include <stdio.h>

#include "lever_paths.h"

#define CFG_STR_MAX		128
#define CFG_DEFAULT_PATH	LEVER_PATH_CONFIG

struct leverd_cfg {
	/* safety (SAFETY.md defaults and bounds) */
	int kernel_watchdog_ms;
	int board_watchdog_ms;
	int stale_samples;
	double stop_decel_m_s2;
	double comfort_accel_m_s2;
	double jerk_m_s3;
	double support_rate_pct_bw_s;
	double release_rate_pct_bw_s;
	double support_over_target_pct_bw;
	double max_belt_speed_km_h;
	double overspeed_margin_km_h;
	double plausibility_tol_n;
	int stuck_samples;
	double max_support_force_n;
	/* control */
	int period_us;
	double setpoint_ramp_s;
	char law[CFG_STR_MAX];
	double law_kp;
	double law_ki_1_s;
	/* real time */
	int rt_priority;
	int cpu;
	/* transport, socket, inputs */
	char transport[CFG_STR_MAX];
	char socket[CFG_STR_MAX];
	char gpio_chip[CFG_STR_MAX];
	char gpio_estop_line[CFG_STR_MAX];
	int gpio_estop_bias;		/* enum cfg_gpio_bias */
	bool gpio_estop_active_low;
	char gpio_key_line[CFG_STR_MAX];
	int gpio_key_bias;		/* enum cfg_gpio_bias */
	bool gpio_key_active_low;
	char input_device[CFG_STR_MAX];
	char keymap[CFG_STR_MAX];
	/* deterministic simulation */
	int seed;
	double speed_factor;
	double sim_faults_per_min;
	char trace[CFG_STR_MAX];
	double sim_duration_s;
	/* operator side */
	char plans_dir[CFG_STR_MAX];
	char state_dir[CFG_STR_MAX];
	int mass_max_age_days;		/* weigh-in age a start accepts */
};

/* gpio_estop_bias and gpio_key_bias, in the order of their names (cfg.c) */
enum cfg_gpio_bias {
	CFG_GPIO_BIAS_AS_IS,
	CFG_GPIO_BIAS_PULL_UP,
	CFG_GPIO_BIAS_PULL_DOWN,
	CFG_GPIO_BIAS_DISABLE,
};

/* Sets every item to its default. */
void cfg_defaults(struct leverd_cfg *c);

/*
 * Sets item @name from text @value. @where names the origin for errors
 * ("leverd.conf:12", "command line"). Returns 0, -ENOENT for an unknown
 * name or -EINVAL for a bad value; @err gets one sentence either way.
 */
int cfg_set(struct leverd_cfg *c, const char *name, const char *value,
	    const char *where, char *err, size_t errlen);

/* Reads `key = value` lines ('#' comments). Stops at the first error. */
int cfg_load_file(struct leverd_cfg *c, const char *path, char *err,
		  size_t errlen);

/*
 * Defaults, then the file (--config PATH, or CFG_DEFAULT_PATH when it
 * exists), then --key=value flags. Returns 0, 1 when --help was asked
 * (usage already printed to @out), or a negative errno with @err set.
 */
int cfg_load(struct leverd_cfg *c, int argc, char **argv, FILE *out,
	     char *err, size_t errlen);

/* Prints --help text generated from the table. */
/* The names item @name takes (NULL-terminated; the law's, the GPIO
 * biases'), or NULL: a number, a boolean, any text, or no such item. */
const char *const *cfg_choices(const char *name);
void cfg_usage(FILE *out, const char *prog);

/* Prints every item as `name = value`: a config file that round-trips. */
void cfg_dump(const struct leverd_cfg *c, FILE *out);

#endif /* LEVERD_CFG_H */
