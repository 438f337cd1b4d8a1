// SPDX-License-Identifier: MIT
/*
 * fuzz_ctl: libFuzzer target for the control socket's requests through
 * leverd's real dispatch: each input line goes to ctl_reply() (the
 * protocol without the socket, daemon/ctl.c) with dmn_request() (the
 * daemon's, daemon/dmn.c) behind it, on a whole daemon set up as
 * tests/unit/daemon/test_wsim.c does: the sim: board on virtual time,
 * the RT side stepped in this thread, the session logic on a scratch
 * store, the shipped plans. A line's first byte says whether the peer
 * may command. Every request gets one JSON reply line, ok or an error
 * with a message, and a peer that may not command never gets a command
 * done. One event-loop tick (10 ms of the RT loop) follows each
 * request, and an empty line lets 0.1 s pass: time is the input's to
 * choose, as a client's pauses are, and five ticks after every request
 * were half the target's time. Setting the daemon up costs 30 ms, so one
 * daemon serves REMAKE_EVERY inputs in a row; to replay a crash that
 * needs what came before, LEVER_FUZZ_FRESH=1 makes it afresh for every
 * input, and LEVER_FUZZ_VERBOSE=1 prints each request and its reply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
static void at_exit(void);

#define MAX_LINES	12
/*
 * An empty line: a tenth of a second passes before the next request (a
 * second was half of a long run's time; lines in a row add up, and the
 * daemon's clock runs on over the inputs it serves).
 */
#define WAIT_TICKS	(100 / TICK_MS)
#define REMAKE_EVERY	500

static char state_dir[96];
static const char *plans_dir = "plans";
static bool fresh;
static bool verbose;	/* LEVER_FUZZ_VERBOSE: each request and reply */
static struct leverd d;
static unsigned int served;	/* inputs the daemon in d has served */

static void fail(const char *why, const char *line, const char *reply)
{
	fprintf(stderr, "fuzz_ctl: %s\n  request: %s\n  reply: %s\n", why,
		line, reply ? reply : "(none)");
	abort();
}

static void remove_records(void)
{
	static const char *const files[] = { "lever.db", "lever.db-wal",
					     "lever.db-shm" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, files[i]);
		unlink(path);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* records on tmpfs: each event is a synchronous commit */
	snprintf(state_dir, sizeof(state_dir), "%s/lever-fuzz-ctl-%d",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm", (int)getpid());
	mkdir(state_dir, 0700);
	if (getenv("LEVER_FUZZ_PLANS"))
		plans_dir = getenv("LEVER_FUZZ_PLANS");
	if (access(plans_dir, R_OK)) {
		fprintf(stderr, "fuzz_ctl: no plans at '%s' (run from the source tree or set LEVER_FUZZ_PLANS)\n",
			plans_dir);
		exit(1);
	}
	fresh = getenv("LEVER_FUZZ_FRESH") != NULL;
	verbose = getenv("LEVER_FUZZ_VERBOSE") != NULL;
	atexit(at_exit);
	dmn_log_to(NULL);
	return 0;
}

static int daemon_up(struct leverd *d)
{
	int ret;

	memset(d, 0, sizeof(*d));
	cfg_defaults(&d->cfg);
	d->sim = true;
	d->stepped = true;
	d->trace_hash = TRACE_HASH_INIT;
	ret = lever_dev_open("sim:seed=1,speed=0", &d->dev);
	if (ret)
		return ret;
	lever_dev_info(d->dev, &d->info);
	lever_dev_set_watchdog(d->dev, d->cfg.kernel_watchdog_ms);
	ret = rt_new(&d->cfg, d->dev, true, &d->rt);
	if (ret)
		goto err_dev;
	ret = sess_open(&d->sess, plans_dir, state_dir);
	if (ret)
		goto err_rt;
	return 0;

err_rt:
	rt_free(d->rt);
err_dev:
	lever_dev_close(d->dev);
	return ret;
}

static void daemon_down(struct leverd *d)
{
	dmn_record(d);
	rt_free(d->rt);
	sess_close(d->sess);
	lever_dev_close(d->dev);
	remove_records();
}

/* libFuzzer ends with exit(): leave no records behind */
static void at_exit(void)
{
	if (served)
		daemon_down(&d);
	rmdir(state_dir);
}

/* One event-loop tick with the RT cycles that run meanwhile. */
static void tick(struct leverd *d)
{
	int i;

	for (i = 0; i < TICK_MS * 1000 / d->cfg.period_us; i++)
		rt_cycle(d->rt);
	dmn_tick(d);
}

static bool is_read_cmd(const char *name)
{
	static const char *const read_cmds[] = {
		"hello", "status", "plans", "show", "athlete_list",
		"athlete_show", "next", "watch", "events", "trace", "export",
	};
	size_t i;

	for (i = 0; i < sizeof(read_cmds) / sizeof(read_cmds[0]); i++)
		if (!strcmp(name, read_cmds[i]))
			return true;
	return false;
}

static void check_reply(const char *line, size_t len, const char *reply,
			bool may_command)
{
	json_t *r, *req, *cmd;
	json_error_t jerr;
	size_t n;

	if (!reply)
		fail("no reply", line, reply);
	n = strlen(reply);
	if (!n || reply[n - 1] != '\n' || memchr(reply, '\n', n - 1))
		fail("the reply is not one line", line, reply);
	r = json_loads(reply, 0, &jerr);
	if (!r || !json_is_object(r))
		fail("the reply is not a JSON object", line, reply);
	if (json_is_true(json_object_get(r, "ok"))) {
		if (!json_object_get(r, "result"))
			fail("ok without a result", line, reply);
		req = json_loadb(line, len, 0, NULL);
		cmd = req ? json_object_get(req, "cmd") : NULL;
		if (!may_command && json_is_string(cmd) &&
		    !is_read_cmd(json_string_value(cmd)))
			fail("a read-only peer had a command done", line,
			     reply);
		json_decref(req);
	} else {
		json_t *e = json_object_get(r, "error");
		json_t *m = e ? json_object_get(e, "message") : NULL;
		const char *code;

		if (!json_is_string(m) || !json_string_length(m))
			fail("an error without a message", line, reply);
		/*
		 * No allocation fails here (ASan aborts first): ENOMEM means
		 * jansson refused to build a reply, as for a text that is
		 * not UTF-8 (a plan title in Latin-1 did so)
		 */
		code = json_string_value(json_object_get(e, "code"));
		if (code && !strcmp(code, "ENOMEM"))
			fail("a reply that could not be built (ENOMEM)", line,
			     reply);
	}
	json_decref(r);
}

/*
 * The input's lines as the socket splits them (daemon/ctl.c): any byte
 * but '\n' belongs to the request, a NUL too.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *end, *nl;
	unsigned int lines = 0, watch;
	size_t len;
	int k;

	if (served == 0 && daemon_up(&d))
		abort();
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	end = text + size;
	for (line = text; line < end && lines++ < MAX_LINES; line = nl + 1) {
		bool may_command;
		char *reply;

		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		*nl = '\0';
		len = nl - line;
		if (!len) {
			if (verbose)
				fprintf(stderr, "(0.1 s passes)\n");
			for (k = 0; k < WAIT_TICKS; k++)
				tick(&d);
			continue;
		}
		/* '#': a peer outside group lever */
		may_command = line[0] != '#';
		if (!may_command) {
			line++;
			len--;
		}
		reply = ctl_reply(dmn_request, &d, line, len, may_command,
				  &watch);
		if (verbose)
			fprintf(stderr, "%s%s\n%s", may_command ? "> " : "#> ",
				line, reply ? reply : "(no reply)\n");
		check_reply(line, len, reply, may_command);
		free(reply);
		tick(&d);
	}
	free(text);
	if (fresh || ++served == REMAKE_EVERY) {
		daemon_down(&d);
		served = 0;
	}
	return 0;
}
