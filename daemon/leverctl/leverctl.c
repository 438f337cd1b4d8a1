// SPDX-License-Identifier: MIT
/*
 * leverctl: the operator's command for leverd. A table of subcommands, one
 * file each; this file holds the table, the global options and the shared
 * helpers. It never moves anything itself: every action is a request that
 * leverd may refuse, and leverctl reports the refusal as one sentence.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leverctl.h"

static const struct ctl_cmd cmds[] = {
	{ "start", ctl_start,
	  "SESSION [--athlete NAME] [--plan PLAN] [--confirm-start-criteria] [--override-back-to-back] [--follow]",
	  "start a session of the athlete's plan" },
	{ "status", ctl_status, "[--watch] [--interval MS]",
	  "show the session: step, time left, targets, measured support" },
	{ "pause", ctl_pause, "", "bring the belt to a stop, hold the support" },
	{ "resume", ctl_resume, "", "continue a paused session" },
	{ "stop", ctl_stop, "", "end the session (controlled stop)" },
	{ "skip", ctl_skip, "", "go on to the next step now" },
	{ "pain", ctl_pain, "[SCORE 0-10] [--athlete NAME]",
	  "report pain: stop, record, regress the plan a week" },
	{ "reset", ctl_reset, "",
	  "clear a latched fault or e-stop (line released first)" },
	{ "plans", ctl_plans, "", "list the plans (read locally)" },
	{ "show", ctl_show,
	  "[SESSION] [--plan PLAN] [--format fit-workout --dir DIR]",
	  "a session's steps and totals, or the plan's (read locally)" },
	{ "validate", ctl_validate, "PATH...",
	  "check plan directories or files (locally)" },
	{ "next", ctl_next, "[--athlete NAME] [--plan PLAN]",
	  "the session that comes next for an athlete" },
	{ "athlete", ctl_athlete,
	  "add NAME MASS_KG | list | show NAME | set-mass NAME MASS_KG",
	  "manage athletes" },
	{ "events", ctl_events,
	  "[--athlete NAME] [--session ID] [--since DATE] [--limit N]",
	  "recorded faults, stops, resets, pain reports, starts and ends" },
	{ "trace", ctl_trace, "SESSION-ID [--csv]",
	  "a session's recorded 10 Hz trace (summary, CSV or JSON)" },
	{ "history", ctl_history, "--athlete NAME",
	  "an athlete's sessions with their outcome and record ids" },
	{ "export", ctl_export,
	  "SESSION-ID [--format fit|tcx|csv] [-o FILE | --dir DIR] | --athlete NAME [--since DATE] --dir DIR [--format ...]",
	  "a finished session as a FIT, TCX or CSV file" },
	{ "plot", ctl_plot, "SESSION-ID -o FILE.png|FILE.pdf [--size WxH]",
	  "a finished session as a picture: support, body weight, belt" },
	{ "report", ctl_report,
	  "--athlete NAME [--plan PLAN] [-o FILE.pdf|FILE.png]",
	  "the athlete's plan week by week, planned against done" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: leverctl [--socket PATH] [--plans-dir DIR] [--json] COMMAND [ARGS]\n"
		"\ncommands:\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].description);
	fprintf(f,
		"\nRead commands take --json. Exit codes: 0 ok, 1 refused or failed, 2 usage,\n"
		"3 no leverd, 4 permission denied, 5 invalid plan, 6 not found; export,\n"
		"plot, report: 7 session still running, 8 file not written, 9 record empty\n"
		"or corrupt.\n"
		"See leverctl(1).\n");
}

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("leverctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	fputs("leverctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i].name, cmd))
			fprintf(stderr, "usage: leverctl %s %s\n", cmd,
				cmds[i].usage);
	return LEVER_CTL_EXIT_USAGE;
}

int ctl_opt_value(int argc, char **argv, int *i, const char *name,
		  const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

bool ctl_opt_flag(const char *arg, const char *name)
{
	return !strcmp(arg, name);
}

int ctl_print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			     JSON_REAL_PRECISION(6));

	if (!s) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	puts(s);
	free(s);
	return LEVER_CTL_EXIT_OK;
}

void ctl_fmt_duration(char *buf, size_t len, double seconds)
{
	long s = seconds < 0 ? 0 : (long)(seconds + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

int ctl_parse_count(const char *s, long long min, long long max,
		    long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || end == s || *end || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

int ctl_parse_kg(const char *s, double *kg)
{
	char *end;

	errno = 0;
	*kg = strtod(s, &end);
	if (errno || end == s || *end || !(*kg > 0 && *kg < 1000))
		return -EINVAL;
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

const char *ctl_plans_dir(struct ctl *c)
{
	static char tree[PATH_MAX + 8];
	const char *env = getenv("LEVER_PLANS_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (c->plans_dir)
		return c->plans_dir;
	if (env && *env)
		return c->plans_dir = env;
	/*
	 * Run from a build tree (build/leverctl, or build-san/ and
	 * build-tsan/ of make check SAN=...): use the tree's plans/.
	 */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(exe, '/');
			if (slash && !strncmp(slash, "/build", 6) &&
			    (!slash[6] || slash[6] == '-')) {
				*slash = '\0';
				snprintf(tree, sizeof(tree), "%s/plans", exe);
				if (is_dir(tree))
					return c->plans_dir = tree;
			}
		}
	}
	return c->plans_dir = LEVER_CTL_DEFAULT_PLANS_DIR;
}

int ctl_load_plan(struct ctl *c, const char *id, struct plan **p)
{
	struct plan_error err;
	char path[PATH_MAX], msg[1024];
	int ret;

	/* A path (has a '/') is taken as is; else a name in the plans dir. */
	if (strchr(id, '/'))
		snprintf(path, sizeof(path), "%s", id);
	else
		snprintf(path, sizeof(path), "%s/%s", ctl_plans_dir(c), id);
	ret = plan_load(path, p, &err);
	if (!ret)
		return LEVER_CTL_EXIT_OK;
	if (ret == -ENOENT && !is_dir(path)) {
		ctl_err("unknown plan '%s'; no directory %s (list them with 'leverctl plans')",
			id, path);
		return LEVER_CTL_EXIT_NOT_FOUND;
	}
	plan_error_format(&err, msg, sizeof(msg));
	ctl_err("%s", msg);
	return LEVER_CTL_EXIT_BAD_PLAN;
}

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	char **rest;
	int i, n = 0;
	size_t k;
	const char *env = getenv("LEVER_SOCKET");

	c.socket_path = env && *env ? env : LEVER_CTL_DEFAULT_SOCKET;
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	/* Global options may come anywhere; the rest goes to the command. */
	for (i = 1; i < argc; i++) {
		const char *v;
		int r;

		if (!strcmp(argv[i], "--json")) {
			c.json = true;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			free(rest);
			return LEVER_CTL_EXIT_OK;
		}
		r = ctl_opt_value(argc, argv, &i, "--socket", &v);
		if (!r)
			r = ctl_opt_value(argc, argv, &i, "--plans-dir", &v) * 2;
		if (r < 0) {
			ctl_err("%s needs a value", argv[i]);
			free(rest);
			return LEVER_CTL_EXIT_USAGE;
		}
		if (r == 1) {
			c.socket_path = v;
			continue;
		}
		if (r == 2) {
			c.plans_dir = v;
			continue;
		}
		rest[n++] = argv[i];
	}
	if (!n) {
		usage(stderr);
		free(rest);
		return LEVER_CTL_EXIT_USAGE;
	}
	for (k = 0; k < N_CMDS; k++) {
		if (!strcmp(rest[0], cmds[k].name)) {
			int ret = cmds[k].fn(&c, n, rest);

			free(rest);
			return ret;
		}
	}
	ctl_err("unknown command '%s'; run 'leverctl --help' for the list",
		rest[0]);
	free(rest);
	return LEVER_CTL_EXIT_USAGE;
}
