// SPDX-License-Identifier: MIT
/*
 * cfg.c - the one table of leverd's configuration items. Both the file
 * parser and the flag parser go through cfg_set(), so a bound is written
 * once. Never accept a value outside its bounds: a wrong safety limit on a
 * treadmill with a person on it is worse than refusing to start.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg.h"
#include "lever_ctl.h"

/*
 * CFG_CHOICE: one of a list of names, kept as its index (an enum of
 * cfg.h); CFG_BOOL: true or false (also yes/no, on/off, 1/0 when read);
 * CFG_STRING: any text, or with choices one of those names, kept as text.
 */
enum cfg_type { CFG_INT, CFG_DOUBLE, CFG_STRING, CFG_CHOICE, CFG_BOOL };

struct cfg_item {
	const char *name;
	enum cfg_type type;
	size_t offset;
	double def;		/* numeric default, choice index, bool */
	const char *def_str;	/* string default */
	double min, max;	/* numeric bounds; for strings, max length */
	const char *unit;
	const char *help;
	const char *const *choices;	/* NULL-terminated, or NULL */
};

#define INT(n, d, lo, hi, u, h) \
	{ #n, CFG_INT, offsetof(struct leverd_cfg, n), d, NULL, lo, hi, u, h, \
	  NULL }
#define DBL(n, d, lo, hi, u, h) \
	{ #n, CFG_DOUBLE, offsetof(struct leverd_cfg, n), d, NULL, lo, hi, u, \
	  h, NULL }
#define STR(n, d, h) \
	{ #n, CFG_STRING, offsetof(struct leverd_cfg, n), 0, d, 0, \
	  CFG_STR_MAX - 1, "chars", h, NULL }
#define NAMED(n, d, ch, h) \
	{ #n, CFG_STRING, offsetof(struct leverd_cfg, n), 0, d, 0, \
	  CFG_STR_MAX - 1, "chars", h, ch }
#define CHOICE(n, d, ch, h) \
	{ #n, CFG_CHOICE, offsetof(struct leverd_cfg, n), d, NULL, 0, 0, "", \
	  h, ch }
#define BOOL(n, d, h) \
	{ #n, CFG_BOOL, offsetof(struct leverd_cfg, n), d, NULL, 0, 1, "", h, \
	  NULL }

/*
 * The support-force laws (daemon/control/law.c: law_new() knows them;
 * test_law holds the two lists to each other), so that a law that does
 * not exist is refused by name, not later as "control loop: No such file
 * or directory".
 */
static const char *const cfg_law_names[] = { "pi", "afc", NULL };

/* enum cfg_gpio_bias's names, in its order */
static const char *const cfg_bias_names[] = {
	"as-is", "pull-up", "pull-down", "disable", NULL
};

static const struct cfg_item cfg_items[] = {
	INT(kernel_watchdog_ms, 50, 5, 1000, "ms",
	    "lever.ko watchdog on the controlling file"),
	INT(board_watchdog_ms, 100, 20, 1000, "ms",
	    "longest board command watchdog leverd accepts"),
	INT(stale_samples, 5, 2, 50, "periods",
	    "a sample older than this many periods is a fault"),
	DBL(stop_decel_m_s2, 1.0, 0.5, 2.0, "m/s^2",
	    "controlled-stop deceleration"),
	DBL(comfort_accel_m_s2, 0.5, 0.1, 1.0, "m/s^2",
	    "belt acceleration between steps"),
	DBL(jerk_m_s3, 2.0, 0.5, 5.0, "m/s^3", "jerk limit for belt ramps"),
	DBL(support_rate_pct_bw_s, 2.0, 0.5, 5.0, "%BW/s",
	    "support change rate while the belt moves"),
	DBL(release_rate_pct_bw_s, 1.0, 0.5, 2.0, "%BW/s",
	    "support release rate after a stop, belt at zero only"),
	DBL(support_over_target_pct_bw, 5.0, 0.5, 5.0, "%BW",
	    "support above the step's target that is a fault"),
	DBL(max_belt_speed_km_h, 20.0, 1.0, 20.0, "km/h",
	    "highest belt speed leverd will command"),
	DBL(overspeed_margin_km_h, 0.5, 0.1, 2.0, "km/h",
	    "measured belt speed above target that is a fault"),
	DBL(plausibility_tol_n, 120.0, 20.0, 500.0, "N",
	    "load cell vs pressure x geometry disagreement that is a fault"),
	INT(stuck_samples, 2000, 100, 60000, "samples",
	    "identical load-cell readings while running that mean stuck"),
	DBL(max_support_force_n, 2000.0, 100.0, 5000.0, "N",
	    "unit's maximum support force, when the board does not say"),
	INT(period_us, 1000, 250, 10000, "us", "control period"),
	DBL(setpoint_ramp_s, 3.0, 0.0, 60.0, "s",
	    "support set-point changes ramp over this time"),
	NAMED(law, "afc", cfg_law_names, "support-force control law"),
	DBL(law_kp, 3.0, 0.0, 50.0, "N/N",
	    "proportional loop gain of the support-force law"),
	DBL(law_ki_1_s, 10.0, 0.0, 1000.0, "1/s",
	    "integral gain of the support-force law"),
	INT(rt_priority, 80, 1, 99, "",
	    "SCHED_FIFO priority of the RT thread (clamped to the system's)"),
	INT(cpu, -1, -1, 1023, "", "CPU the RT thread is pinned to, -1 none"),
	STR(transport, "/dev/lever0", "device node, or sim: for the plant"),
	STR(socket, LEVER_CTL_DEFAULT_SOCKET, "control socket path"),
	STR(gpio_chip, "lever-safety",
	    "GPIO chip label carrying the safety lines"),
	STR(gpio_estop_line, "estop", "GPIO line name of the e-stop"),
	CHOICE(gpio_estop_bias, CFG_GPIO_BIAS_AS_IS, cfg_bias_names,
	       "bias leverd requests on the e-stop line (pull-up for a switch to ground)"),
	BOOL(gpio_estop_active_low, false,
	     "the e-stop line is pressed when low"),
	STR(gpio_key_line, "safety-key", "GPIO line name of the safety key"),
	CHOICE(gpio_key_bias, CFG_GPIO_BIAS_AS_IS, cfg_bias_names,
	       "bias leverd requests on the safety-key line"),
	BOOL(gpio_key_active_low, false,
	     "the safety-key line is pulled (active) when low"),
	STR(input_device, "", "pendant input device (empty: none)"),
	STR(keymap,
	    "stop=KEY_S,pause=KEY_P,pain=KEY_X,speed_up=KEY_UP,"
	    "speed_down=KEY_DOWN,support_up=KEY_RIGHT,support_down=KEY_LEFT",
	    "pendant keys, action=KEY_NAME,..."),
	INT(seed, 0, 0, INT_MAX, "", "simulation seed (sim: transport)"),
	DBL(speed_factor, 1.0, 0.0, 100000.0, "x",
	    "simulated time per real time, 0 = as fast as possible"),
	DBL(sim_faults_per_min, 0.0, 0.0, 60.0, "1/min",
	    "seeded fault injection rate (sim: transport)"),
	STR(trace, "", "file for the per-cycle trace (empty: none)"),
	DBL(sim_duration_s, 0.0, 0.0, 1e7, "s",
	    "sim: exit after this much simulated time, 0 = run on"),
	STR(plans_dir, LEVER_CTL_DEFAULT_PLANS_DIR, "directory of plans"),
	STR(state_dir, LEVER_PATH_STATE_DIR, "athletes and session records"),
	INT(mass_max_age_days, 7, 1, 365, "days",
	    "a start asks for a new weigh-in when the last is older"),
};

#define N_ITEMS (sizeof(cfg_items) / sizeof(cfg_items[0]))

static const struct cfg_item *cfg_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_ITEMS; i++) {
		const char *n = cfg_items[i].name;
		size_t k;

		if (strlen(n) != len)
			continue;
		/* flags may spell '_' as '-' */
		for (k = 0; k < len; k++)
			if (n[k] != name[k] &&
			    !(n[k] == '_' && name[k] == '-'))
				break;
		if (k == len)
			return &cfg_items[i];
	}
	return NULL;
}

static void *cfg_field(struct leverd_cfg *c, const struct cfg_item *it)
{
	return (char *)c + it->offset;
}

void cfg_defaults(struct leverd_cfg *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < N_ITEMS; i++) {
		const struct cfg_item *it = &cfg_items[i];
		void *f = cfg_field(c, it);

		switch (it->type) {
		case CFG_INT:
			*(int *)f = (int)it->def;
			break;
		case CFG_DOUBLE:
			*(double *)f = it->def;
			break;
		case CFG_STRING:
			strcpy(f, it->def_str);
			break;
		case CFG_CHOICE:
			*(int *)f = (int)it->def;
			break;
		case CFG_BOOL:
			*(bool *)f = it->def != 0;
			break;
		}
	}
}

/* "a, b or c": an item's choices for its errors and --help */
static void cfg_choice_list(const struct cfg_item *it, char *buf,
			    size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; it->choices[i]; i++) {
		const char *sep = !i ? "" : it->choices[i + 1] ? ", " : " or ";

		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", sep,
			      it->choices[i]);
	}
}

static int cfg_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* @value's index among @it's choices, or -1 */
static int cfg_choice(const struct cfg_item *it, const char *value)
{
	int i;

	for (i = 0; it->choices[i]; i++)
		if (!strcmp(value, it->choices[i]))
			return i;
	return -1;
}

const char *const *cfg_choices(const char *name)
{
	const struct cfg_item *it = cfg_find(name, strlen(name));

	return it ? it->choices : NULL;
}

static int cfg_bad(const struct cfg_item *it, const char *value,
		   const char *where, const char *why, char *err,
		   size_t errlen)
{
	char list[128];

	if (it->choices) {
		cfg_choice_list(it, list, sizeof(list));
		snprintf(err, errlen, "%s: %s = '%.40s' %s; use %s", where,
			 it->name, value, why, list);
	} else if (it->type == CFG_BOOL)
		snprintf(err, errlen,
			 "%s: %s = '%.40s' %s; use true or false", where,
			 it->name, value, why);
	else if (it->type == CFG_STRING)
		snprintf(err, errlen, "%s: %s: value '%.40s' %s (at most %g %s)",
			 where, it->name, value, why, it->max, it->unit);
	else
		snprintf(err, errlen,
			 "%s: %s = '%.40s' %s; allowed %g..%g %s",
			 where, it->name, value, why, it->min, it->max,
			 it->unit);
	return -EINVAL;
}

/*
 * A flag value must be one the file could hold too, or cfg_dump() writes
 * a file that reads back as something else (found by tests/fuzz/fuzz_cfg:
 * a newline in --law= became a line of its own).
 */
static bool cfg_file_can_hold(const char *value)
{
	size_t n = strlen(value);
	const unsigned char *p;

	if (n && (value[0] == ' ' || value[0] == '\t' ||
		  value[n - 1] == ' ' || value[n - 1] == '\t'))
		return false;
	for (p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '#')
			return false;
	return true;
}

int cfg_set(struct leverd_cfg *c, const char *name, const char *value,
	    const char *where, char *err, size_t errlen)
{
	const struct cfg_item *it = cfg_find(name, strlen(name));
	void *f;
	char *end;

	if (!it) {
		snprintf(err, errlen,
			 "%s: unknown item '%.60s' (leverd --help lists them)",
			 where, name);
		return -ENOENT;
	}
	f = cfg_field(c, it);
	switch (it->type) {
	case CFG_INT: {
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (!*value || *end || errno)
			return cfg_bad(it, value, where, "is not an integer",
				       err, errlen);
		if (v < it->min || v > it->max)
			return cfg_bad(it, value, where, "is out of bounds",
				       err, errlen);
		*(int *)f = (int)v;
		break;
	}
	case CFG_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (!*value || *end || errno || !isfinite(v))
			return cfg_bad(it, value, where, "is not a number",
				       err, errlen);
		if (v < it->min || v > it->max)
			return cfg_bad(it, value, where, "is out of bounds",
				       err, errlen);
		*(double *)f = v;
		break;
	}
	case CFG_STRING:
		if (strlen(value) > it->max)
			return cfg_bad(it, value, where, "is too long", err,
				       errlen);
		if (!cfg_file_can_hold(value))
			return cfg_bad(it, value, where,
				       "has a control character, '#' or blanks at an end",
				       err, errlen);
		if (it->choices && cfg_choice(it, value) < 0)
			return cfg_bad(it, value, where, "is not a choice",
				       err, errlen);
		strcpy(f, value);
		break;
	case CFG_CHOICE: {
		int i = cfg_choice(it, value);

		if (i < 0)
			return cfg_bad(it, value, where, "is not a choice", err,
				       errlen);
		*(int *)f = i;
		break;
	}
	case CFG_BOOL:
		if (cfg_parse_bool(value, f))
			return cfg_bad(it, value, where, "is not a boolean",
				       err, errlen);
		break;
	}
	return 0;
}

static char *cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int cfg_load_file(struct leverd_cfg *c, const char *path, char *err,
		  size_t errlen)
{
	char line[512], where[300];
	unsigned int lineno = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *eq, *hash;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s: line longer than %zu bytes",
				 where, sizeof(line) - 2);
			ret = -EINVAL;
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = cfg_trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen,
				 "%s: expected 'name = value', got '%.60s'",
				 where, key);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		val = cfg_trim(eq + 1);
		key = cfg_trim(key);
		if (strchr(key, '-')) {
			snprintf(err, errlen,
				 "%s: unknown item '%.60s' (the file spells names with '_')",
				 where, key);
			ret = -ENOENT;
			break;
		}
		ret = cfg_set(c, key, val, where, err, errlen);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

int cfg_load(struct leverd_cfg *c, int argc, char **argv, FILE *out,
	     char *err, size_t errlen)
{
	const char *path = NULL;
	int i, ret;

	cfg_defaults(c);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cfg_usage(out, argv[0]);
			return 1;
		}
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc) {
				snprintf(err, errlen,
					 "command line: --config needs a file name");
				return -EINVAL;
			}
			path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			path = argv[i] + 9;
		}
	}
	if (path) {
		ret = cfg_load_file(c, path, err, errlen);
		if (ret)
			return ret;
	} else if (access(CFG_DEFAULT_PATH, F_OK) == 0) {
		ret = cfg_load_file(c, CFG_DEFAULT_PATH, err, errlen);
		if (ret)
			return ret;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		char name[64];
		size_t len;

#ifdef __clang_analyzer__
		/*
		 * Silenced for scan-build (make analyze): argv[i] below argc
		 * is never NULL (C11 5.1.2.2.1), but the analyzer takes the
		 * test of 'path' above, an argv[] entry, as a hint that one
		 * may be, and reports a NULL into strcmp() here.
		 */
		if (!a)
			return -EINVAL;
#endif
		if (!strcmp(a, "--config")) {
			i++;
			continue;
		}
		if (!strncmp(a, "--config=", 9))
			continue;
		if (strncmp(a, "--", 2)) {
			snprintf(err, errlen,
				 "command line: unexpected argument '%.60s' (flags are --name=value)",
				 a);
			return -EINVAL;
		}
		a += 2;
		eq = strchr(a, '=');
		if (eq) {
			len = eq - a;
			val = eq + 1;
		} else {
			len = strlen(a);
			if (i + 1 >= argc) {
				snprintf(err, errlen,
					 "command line: --%.60s needs a value",
					 a);
				return -EINVAL;
			}
			val = argv[++i];
		}
		if (len >= sizeof(name)) {
			snprintf(err, errlen,
				 "command line: unknown flag '--%.60s'", a);
			return -ENOENT;
		}
		memcpy(name, a, len);
		name[len] = '\0';
		ret = cfg_set(c, name, val, "command line", err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static void cfg_flag_name(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '_' ? '-' : name[i];
	buf[i] = '\0';
}

void cfg_usage(FILE *out, const char *prog)
{
	size_t i;

	fprintf(out, "usage: %s [--config FILE] [--name=value ...]\n\n"
		"Every item may also be set in %s as 'name = value'.\n\n",
		prog, CFG_DEFAULT_PATH);
	for (i = 0; i < N_ITEMS; i++) {
		const struct cfg_item *it = &cfg_items[i];
		char flag[64];

		cfg_flag_name(it->name, flag, sizeof(flag));
		if (it->type == CFG_CHOICE) {
			char list[128];

			cfg_choice_list(it, list, sizeof(list));
			fprintf(out, "  --%s=NAME\n      %s (default %s; %s)\n",
				flag, it->help, it->choices[(int)it->def], list);
		} else if (it->type == CFG_BOOL)
			fprintf(out, "  --%s=BOOL\n      %s (default %s)\n",
				flag, it->help, it->def ? "true" : "false");
		else if (it->type == CFG_STRING && it->choices) {
			char list[128];

			cfg_choice_list(it, list, sizeof(list));
			fprintf(out, "  --%s=NAME\n      %s (default %s; %s)\n",
				flag, it->help, it->def_str, list);
		} else if (it->type == CFG_STRING)
			fprintf(out, "  --%s=TEXT\n      %s (default '%s')\n",
				flag, it->help, it->def_str);
		else
			fprintf(out,
				"  --%s=%s\n      %s (default %g, %g..%g %s)\n",
				flag, it->type == CFG_INT ? "N" : "X",
				it->help, it->def, it->min, it->max, it->unit);
	}
}

void cfg_dump(const struct leverd_cfg *c, FILE *out)
{
	size_t i;

	for (i = 0; i < N_ITEMS; i++) {
		const struct cfg_item *it = &cfg_items[i];
		const void *f = (const char *)c + it->offset;

		switch (it->type) {
		case CFG_INT:
			fprintf(out, "%s = %d\n", it->name, *(const int *)f);
			break;
		case CFG_DOUBLE:
			fprintf(out, "%s = %.17g\n", it->name,
				*(const double *)f);
			break;
		case CFG_STRING:
			fprintf(out, "%s = %s\n", it->name, (const char *)f);
			break;
		case CFG_CHOICE:
			fprintf(out, "%s = %s\n", it->name,
				it->choices[*(const int *)f]);
			break;
		case CFG_BOOL:
			fprintf(out, "%s = %s\n", it->name,
				*(const bool *)f ? "true" : "false");
			break;
		}
	}
}
