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

static int ctl_help(struct ctl *c, int argc, char **argv);

/* What every request to leverd may end in; local commands read plans. */
#define EXITS_DAEMON	(CTL_EXIT(OK) | CTL_EXIT(FAIL) | CTL_EXIT(USAGE) | \
			 CTL_EXIT(NO_DAEMON) | CTL_EXIT(PERM) | \
			 CTL_EXIT(NOT_FOUND))
#define EXITS_LOCAL	(CTL_EXIT(OK) | CTL_EXIT(FAIL) | CTL_EXIT(USAGE) | \
			 CTL_EXIT(BAD_PLAN) | CTL_EXIT(NOT_FOUND))

static const struct ctl_cmd cmds[] = {
	{ "start", ctl_start,
	  "SESSION [--athlete NAME] [--plan PLAN] [--confirm-start-criteria] [--confirm-mass] [--override-back-to-back] [--follow]",
	  "start a session of the athlete's plan",
	  "--athlete NAME\tthe athlete on the belt (the plan is theirs)\n"
	  "--plan PLAN\tthe plan the session is taken from\n"
	  "--confirm-start-criteria\tthe clinician checked the plan's start criteria\n"
	  "--confirm-mass\tthe mass on record is right although its weigh-in is old or it moved over 5 % since the last session\n"
	  "--override-back-to-back\tstart although the athlete ran the day before\n"
	  "--follow\twatch the session until it ends\n",
	  EXITS_DAEMON },
	{ "status", ctl_status, "[--watch] [--interval MS]",
	  "show the session: step, time left, targets, measured support",
	  "--watch\tprint again every interval until interrupted\n"
	  "--interval MS\tthe interval of --watch (50 to 5000 ms)\n",
	  EXITS_DAEMON },
	{ "pause", ctl_pause, "", "bring the belt to a stop, hold the support",
	  NULL, EXITS_DAEMON },
	{ "resume", ctl_resume, "", "continue a paused session",
	  NULL, EXITS_DAEMON },
	{ "stop", ctl_stop, "", "end the session (controlled stop)",
	  NULL, EXITS_DAEMON },
	{ "skip", ctl_skip, "", "go on to the next step now",
	  NULL, EXITS_DAEMON },
	{ "pain", ctl_pain, "[SCORE 0-10] [--athlete NAME]",
	  "report pain: stop, record, regress the plan a week",
	  "SCORE\tthe athlete's pain, 0 (none) to 10\n"
	  "--athlete NAME\tthe athlete, when no session runs\n",
	  EXITS_DAEMON },
	{ "reset", ctl_reset, "",
	  "clear a latched fault or e-stop (line released first)",
	  NULL, EXITS_DAEMON },
	{ "plans", ctl_plans, "", "list the plans (read locally)",
	  NULL, EXITS_LOCAL },
	{ "show", ctl_show,
	  "[SESSION] [--plan PLAN] [--format fit-workout --dir DIR]",
	  "a session's steps and totals, or the plan's (read locally)",
	  "--plan PLAN\tthe plan to read (default: the only one)\n"
	  "--format fit-workout\twrite the sessions as FIT workout files\n"
	  "--dir DIR\twhere --format writes them\n",
	  EXITS_LOCAL | CTL_EXIT(OUTPUT) },
	{ "validate", ctl_validate, "PATH...",
	  "check plan directories or files (locally)",
	  NULL, EXITS_LOCAL },
	{ "next", ctl_next, "[--athlete NAME] [--plan PLAN]",
	  "the session that comes next for an athlete",
	  "--athlete NAME\tthe athlete\n"
	  "--plan PLAN\tthe plan\n",
	  EXITS_DAEMON },
	{ "athlete", ctl_athlete,
	  "add NAME MASS_KG | list | show NAME | weigh NAME MASS_KG | rename NAME NEW_NAME | anonymise NAME [--yes] | remove NAME [--yes]",
	  "manage athletes, their weigh-ins and records",
	  "add NAME MASS_KG\ta new athlete; the mass is their first weigh-in\n"
	  "list\tthe athletes, their mass and when they were weighed\n"
	  "show NAME\tone athlete's weigh-ins and sessions\n"
	  "weigh NAME MASS_KG\ta dated weigh-in, their mass from now on (set-mass: the same)\n"
	  "rename NAME NEW_NAME\tcorrect a name; the records follow it\n"
	  "anonymise NAME\treplace the name by a number in every record, keep the records\n"
	  "remove NAME\terase the athlete and every record of them\n"
	  "--yes\tconfirm anonymise or remove without typing the name\n",
	  EXITS_DAEMON },
	{ "events", ctl_events,
	  "[--athlete NAME] [--session ID] [--since DATE] [--limit N]",
	  "recorded faults, stops, resets, pain reports, starts and ends",
	  "--athlete NAME\tonly this athlete's events\n"
	  "--session ID\tonly this session's events\n"
	  "--since DATE\tonly from this date on (2026-11-24)\n"
	  "--limit N\tat most N events, the newest\n",
	  EXITS_DAEMON },
	{ "trace", ctl_trace, "SESSION-ID [--csv]",
	  "a session's recorded 10 Hz trace (summary, CSV or JSON)",
	  "--csv\tthe whole trace as CSV on stdout\n",
	  EXITS_DAEMON },
	{ "history", ctl_history, "--athlete NAME",
	  "an athlete's sessions with their outcome and record ids",
	  "--athlete NAME\tthe athlete\n", EXITS_DAEMON },
	{ "export", ctl_export,
	  "SESSION-ID [--format fit|tcx|csv] [-o FILE | --dir DIR] | --athlete NAME [--since DATE] --dir DIR [--format ...]",
	  "a finished session as a FIT, TCX or CSV file",
	  "--format fit|tcx|csv\tthe file format (default fit)\n"
	  "-o, --output FILE\tthe file to write\n"
	  "--dir DIR\tthe directory to write into\n"
	  "--athlete NAME\tevery session of the athlete (with --dir)\n"
	  "--since DATE\twith --athlete: from this date on (2026-11-24)\n",
	  EXITS_DAEMON | CTL_EXIT(BUSY) | CTL_EXIT(OUTPUT) |
	  CTL_EXIT(BAD_RECORD) },
	{ "plot", ctl_plot, "SESSION-ID -o FILE.png|FILE.pdf [--size WxH]",
	  "a finished session as a picture: support, body weight, belt",
	  "-o FILE\tthe picture to write, .png or .pdf\n"
	  "--size WxH\tits size (PNG: pixels, PDF: points)\n",
	  EXITS_DAEMON | CTL_EXIT(NOT_FOUND) | CTL_EXIT(BUSY) |
	  CTL_EXIT(OUTPUT) | CTL_EXIT(BAD_RECORD) },
	{ "report", ctl_report,
	  "--athlete NAME [--plan PLAN] [-o FILE.pdf|FILE.png]",
	  "the athlete's plan week by week, planned against done",
	  "--athlete NAME\tthe athlete\n"
	  "--plan PLAN\tthe plan (default: the athlete's)\n"
	  "-o FILE\ta one-page report to write, .pdf or .png\n",
	  EXITS_DAEMON | CTL_EXIT(NOT_FOUND) | CTL_EXIT(OUTPUT) |
	  CTL_EXIT(BAD_RECORD) },
	{ "help", ctl_help, "[COMMAND]",
	  "this list, or a command's usage, options and exit codes",
	  NULL, CTL_EXIT(OK) | CTL_EXIT(USAGE) },
};

/* The meaning of each exit code, as leverctl(1) gives it. */
static const char *const exit_meaning[] = {
	[LEVER_CTL_EXIT_OK] = "ok",
	[LEVER_CTL_EXIT_FAIL] = "leverd refused, or the command failed",
	[LEVER_CTL_EXIT_USAGE] = "bad arguments",
	[LEVER_CTL_EXIT_NO_DAEMON] = "leverd not running or not answering",
	[LEVER_CTL_EXIT_PERM] = "permission denied (group lever)",
	[LEVER_CTL_EXIT_BAD_PLAN] = "a plan file is invalid",
	[LEVER_CTL_EXIT_NOT_FOUND] = "unknown session, athlete or plan",
	[LEVER_CTL_EXIT_BUSY] = "the session still runs",
	[LEVER_CTL_EXIT_OUTPUT] = "the file cannot be written",
	[LEVER_CTL_EXIT_BAD_RECORD] = "the record is empty or corrupt",
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
		"or corrupt. 'leverctl help COMMAND' or 'leverctl COMMAND --help': its\n"
		"usage, options and exit codes. See leverctl(1).\n");
	fprintf(f,
		"\nDefaults: --socket %s (or $LEVER_SOCKET),\n"
		"--plans-dir %s (or $LEVER_PLANS_DIR).\n",
		LEVER_CTL_DEFAULT_SOCKET, LEVER_CTL_DEFAULT_PLANS_DIR);
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

void ctl_usage_say(const char *cmd, const char *fmt, ...)
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
}

static const struct ctl_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* One command's usage, options and exit codes (leverctl help COMMAND). */
static void cmd_help(FILE *f, const struct ctl_cmd *k)
{
	const char *o = k->options;
	unsigned int e;

	fprintf(f, "usage: leverctl [--socket PATH] [--json] %s%s%s\n\n%s\n",
		k->name, *k->usage ? " " : "", k->usage, k->description);
	if (o) {
		fputs("\noptions:\n", f);
		while (*o) {
			int name_len = (int)strcspn(o, "\t");
			const char *what = o + name_len + 1;
			int what_len = (int)strcspn(what, "\n");

			fprintf(f, "  %-26.*s %.*s\n", name_len, o, what_len,
				what);
			o = what + what_len + (what[what_len] == '\n');
		}
	}
	fputs("\nexit codes:\n", f);
	for (e = 0; e < sizeof(exit_meaning) / sizeof(exit_meaning[0]); e++)
		if (k->exits & (1u << e))
			fprintf(f, "  %u  %s\n", e, exit_meaning[e]);
}

static int ctl_help(struct ctl *c, int argc, char **argv)
{
	const struct ctl_cmd *k;

	if (argc < 2) {
		usage(stdout);
		return LEVER_CTL_EXIT_OK;
	}
	if (argc > 2)
		return ctl_usage("help", "one command at a time");
	k = find_cmd(argv[1]);
	if (!k) {
		ctl_err("unknown command '%s'; run 'leverctl help' for the list",
			argv[1]);
		return LEVER_CTL_EXIT_USAGE;
	}
	cmd_help(stdout, k);
	return LEVER_CTL_EXIT_OK;
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
	bool want_help = false;

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
			want_help = true;
			continue;
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
	if (want_help) {
		/* leverctl COMMAND --help: that command's; otherwise the list */
		const struct ctl_cmd *h = n ? find_cmd(rest[0]) : NULL;

		if (h && h->fn != ctl_help)
			cmd_help(stdout, h);
		else
			usage(stdout);
		free(rest);
		return LEVER_CTL_EXIT_OK;
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
