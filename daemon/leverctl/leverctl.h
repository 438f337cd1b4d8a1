/* SPDX-License-Identifier: MIT */
/*
 * leverctl: what the subcommand files share (connection to leverd, error
 * sentences, the plans directory); the protocol itself (version, default
 * paths, commands, exit codes) is include/lever_ctl.h, shared with leverd.
 * A subcommand never prints a stack of messages: one sentence on stderr,
 * and the exit code says the kind.
 */
#ifndef LEVERCTL_H
#define LEVERCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "lever_ctl.h"
#include "plan.h"

#define CTL_REPLY_TIMEOUT_MS	5000

struct ctl {
	const char *socket_path;
	const char *plans_dir;	/* resolved by ctl_plans_dir() */
	bool json;
};

struct ctl_cmd {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *usage;	/* arguments after the name */
	const char *description;
	const char *options;	/* "--opt ARG\twhat it does\n"..., or NULL */
	unsigned int exits;	/* CTL_EXITS(): the codes it may return */
};

/* A set of enum lever_ctl_exit codes, for `leverctl help COMMAND`. */
#define CTL_EXIT(e)	(1u << LEVER_CTL_EXIT_##e)

/* The subcommands (one file each). */
int ctl_start(struct ctl *c, int argc, char **argv);
int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_pause(struct ctl *c, int argc, char **argv);
int ctl_resume(struct ctl *c, int argc, char **argv);
int ctl_stop(struct ctl *c, int argc, char **argv);
int ctl_skip(struct ctl *c, int argc, char **argv);
int ctl_pain(struct ctl *c, int argc, char **argv);
int ctl_reset(struct ctl *c, int argc, char **argv);
int ctl_plans(struct ctl *c, int argc, char **argv);
int ctl_show(struct ctl *c, int argc, char **argv);
int ctl_validate(struct ctl *c, int argc, char **argv);
int ctl_next(struct ctl *c, int argc, char **argv);
int ctl_athlete(struct ctl *c, int argc, char **argv);
int ctl_events(struct ctl *c, int argc, char **argv);
int ctl_trace(struct ctl *c, int argc, char **argv);
int ctl_export(struct ctl *c, int argc, char **argv);
int ctl_history(struct ctl *c, int argc, char **argv);
int ctl_plot(struct ctl *c, int argc, char **argv);
int ctl_report(struct ctl *c, int argc, char **argv);

/* One sentence on stderr, prefixed "leverctl: ". */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error for a subcommand: the sentence and its usage line. */
void ctl_usage_say(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * ... and the usage exit code. A macro so that clang's analyzer (which
 * does not follow a variadic call) sees every usage error return it.
 */
#define ctl_usage(cmd, ...) \
	(ctl_usage_say((cmd), __VA_ARGS__), LEVER_CTL_EXIT_USAGE)

/*
 * Option parsing helpers: "--name VALUE" or "--name=VALUE" at argv[*i];
 * return 1 when matched (advancing *i), 0 when not, -1 on a missing value.
 */
int ctl_opt_value(int argc, char **argv, int *i, const char *name,
		  const char **val);
bool ctl_opt_flag(const char *arg, const char *name);

/*
 * Send one request and wait for its reply. args is stolen (may be NULL).
 * Returns an exit code; on LEVER_CTL_EXIT_OK *result is a new reference.
 */
int ctl_call(struct ctl *c, const char *cmd, json_t *args, json_t **result);

/*
 * A command that takes no argument and answers with the new state (pause,
 * resume, stop, skip, reset): sends @cmd, prints the state or, with
 * --json, the whole result. Returns an exit code like ctl_call().
 */
int ctl_state_command(struct ctl *c, const char *cmd, int argc, char **argv);

/* A connection for streams (status --watch) and paged reads. */
struct ctl_conn;
int ctl_connect(struct ctl *c, struct ctl_conn **out);
/* ctl_call() on an open connection (one page of events or a trace). */
int ctl_call_on(struct ctl_conn *k, const char *cmd, json_t *args,
		json_t **result);
void ctl_disconnect(struct ctl_conn *k);
int ctl_send(struct ctl_conn *k, const char *cmd, json_t *args, int id);
/* Next line from leverd as JSON (timeout_ms < 0: wait); exit code. */
int ctl_recv(struct ctl_conn *k, json_t **msg, int timeout_ms);
/* Turn an error reply into a sentence on stderr and an exit code. */
int ctl_reply_error(const json_t *reply);

/*
 * Follow leverd's status events (status.c): render them (or print them as
 * JSON lines with --json) until a session ends; prints its summary.
 * LEVER_CTL_EXIT_FAIL when that session did not run to its end.
 */
int ctl_watch(struct ctl *c, int interval_ms);
void ctl_print_summary(const json_t *summary);

/* The plans directory (see leverctl(1)) and loading a plan from it. */
const char *ctl_plans_dir(struct ctl *c);
int ctl_load_plan(struct ctl *c, const char *id, struct plan **p);

/*
 * The plan's sessions (or @only) as FIT workouts DIR/PLAN-SESSION.fit
 * (workout.c, for show --format fit-workout); an exit code.
 */
int ctl_write_workouts(struct ctl *c, const struct plan *p,
		       const struct plan_session *only, const char *dir);

/* Print j (indented) on stdout; LEVER_CTL_EXIT_OK. */
int ctl_print_json(const json_t *j);
/* 90 -> "1:30", 3725 -> "1:02:05". */
void ctl_fmt_duration(char *buf, size_t len, double seconds);
/* A whole number "12" within [min, max]; 0 or -EINVAL. */
int ctl_parse_count(const char *s, long long min, long long max,
		    long long *out);
/* Parse a body mass "70" / "70.5" in kg; 0 or -EINVAL. */
int ctl_parse_kg(const char *s, double *kg);

#endif /* LEVERCTL_H */
