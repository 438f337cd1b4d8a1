// SPDX-License-Identifier: MIT
/*
 * leverctl status [--watch]: what the treadmill is doing: state, step, time
 * left in the step and the session, targets, measured speed and support
 * force, a progress bar. --watch follows leverd's status events live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leverctl.h"

static double num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static void bar(double done, double total)
{
	int width = 40, fill, i;
	double f = total > 0 ? done / total : 0;

	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	fill = (int)(f * width + 0.5);
	putchar('[');
	for (i = 0; i < width; i++)
		putchar(i < fill ? '#' : '.');
	printf("] %3.0f %%\n", f * 100);
}

/* Only when something was lost: the trace is then incomplete. */
static void print_recorder(const json_t *st)
{
	const json_t *rec = json_object_get(st, "recorder");
	long long dropped, errors;

	if (json_is_null(rec)) {
		printf("recorder not running: no session traces\n");
		return;
	}
	dropped = json_integer_value(json_object_get(rec, "dropped")) +
		  json_integer_value(json_object_get(
			json_object_get(st, "rt"), "trace_dropped"));
	errors = json_integer_value(json_object_get(rec, "errors"));
	if (dropped || errors)
		printf("recorder: %lld trace records dropped, %lld batches not written\n",
		       dropped, errors);
}

static void print_status(const json_t *st)
{
	const json_t *step = json_object_get(st, "step");
	const json_t *tg = json_object_get(st, "target");
	const json_t *ms = json_object_get(st, "measured");
	const json_t *pd = json_object_get(st, "pendant");
	const json_t *faults = json_object_get(st, "faults");
	char a[32], b[32], c[32];
	double el = num(st, "session_elapsed_s");
	double rem = num(st, "session_remaining_s");

	printf("%-9s %s %s  %s", str(st, "state"), str(st, "session"),
	       json_is_string(json_object_get(st, "plan")) ? str(st, "plan") : "",
	       str(st, "athlete"));
	if (json_is_number(json_object_get(st, "mass_kg")))
		printf(" %.1f kg", num(st, "mass_kg"));
	putchar('\n');
	if (json_is_object(step)) {
		const json_t *rep = json_object_get(step, "repeat");

		ctl_fmt_duration(a, sizeof(a), num(step, "remaining_s"));
		ctl_fmt_duration(b, sizeof(b), rem);
		ctl_fmt_duration(c, sizeof(c), el + rem);
		printf("step %lld/%lld %s",
		       json_integer_value(json_object_get(step, "index")) + 1,
		       json_integer_value(json_object_get(step, "count")),
		       str(step, "kind"));
		if (rep)
			printf(" %lld/%lld",
			       json_integer_value(json_array_get(rep, 0)),
			       json_integer_value(json_array_get(rep, 1)));
		printf("   %s left in step   %s left of %s\n", a, b, c);
	}
	if (json_is_object(tg))
		printf("target    %5.2f km/h  %5.1f %%  %5.1f %% BW\n",
		       num(tg, "belt_speed_km_h"), num(tg, "incline_pct"),
		       num(tg, "bw_pct"));
	if (json_is_object(pd))
		printf("pendant   %+5.2f km/h          %+5.1f %% BW  (added to the target until the next start)\n",
		       num(pd, "belt_speed_km_h"), num(pd, "bw_pct"));
	if (json_is_object(ms))
		printf("measured  %5.2f km/h  %5.1f %%  %5.1f %% BW  %6.1f N support\n",
		       num(ms, "belt_speed_km_h"), num(ms, "incline_pct"),
		       num(ms, "bw_pct"), num(ms, "support_force_n"));
	if (json_is_true(json_object_get(st, "estop")))
		printf("E-STOP active\n");
	if (json_is_true(json_object_get(st, "safety_key")))
		printf("safety key pulled\n");
	if (json_array_size(faults)) {
		size_t i;
		json_t *f;

		printf("faults:");
		json_array_foreach(faults, i, f)
			printf(" %s", json_is_string(f) ? json_string_value(f) : "?");
		putchar('\n');
	}
	if (json_string_value(json_object_get(st, "fault_cause")))
		printf("fault: %s (run 'leverctl reset' once it is cleared)\n",
		       str(st, "fault_cause"));
	if (json_integer_value(json_object_get(st, "events_not_recorded")) > 0)
		printf("records: %lld events could not be written to the records database\n",
		       json_integer_value(json_object_get(st,
				"events_not_recorded")));
	print_recorder(st);
	if (json_is_number(json_object_get(st, "session_elapsed_s")))
		bar(el, el + rem);
}

void ctl_print_summary(const json_t *s)
{
	char el[32], pl[32];
	const json_t *ps = json_object_get(s, "pain_score");
	const char *next = json_string_value(json_object_get(s, "next"));

	ctl_fmt_duration(el, sizeof(el), num(s, "elapsed_s"));
	ctl_fmt_duration(pl, sizeof(pl), num(s, "planned_s"));
	printf("session %s for %s: ", str(s, "session"), str(s, "athlete"));
	if (json_is_true(json_object_get(s, "completed")))
		printf("completed");
	else
		printf("stopped early (%s", str(s, "end_cause"));
	if (json_is_integer(ps))
		printf(", pain %lld/10", json_integer_value(ps));
	if (!json_is_true(json_object_get(s, "completed")))
		putchar(')');
	printf(" after %s of %s", el, pl);
	if (json_integer_value(json_object_get(s, "steps_skipped")))
		printf(", %lld step(s) skipped",
		       json_integer_value(json_object_get(s, "steps_skipped")));
	printf("; next: %s\n", next ? next : "none (plan complete)");
	if (json_is_true(json_object_get(s, "pain")))
		printf("pain at the injury site: consult the clinician; the plan regresses to the previous week\n");
	if (json_is_integer(json_object_get(s, "record_id")))
		printf("record #%lld: leverctl events --session %lld; leverctl trace %lld --csv\n",
		       json_integer_value(json_object_get(s, "record_id")),
		       json_integer_value(json_object_get(s, "record_id")),
		       json_integer_value(json_object_get(s, "record_id")));
}

static bool active_state(const char *s)
{
	return s && (!strcmp(s, "running") || !strcmp(s, "paused") ||
		     !strcmp(s, "starting") || !strcmp(s, "stopping"));
}

/* Print the end of a session seen only through its final status. */
static void print_end_state(const json_t *st)
{
	printf("session %s for %s: %s; see 'leverctl next' and 'leverctl athlete show %s'\n",
	       str(st, "session"), str(st, "athlete"), str(st, "state"),
	       str(st, "athlete"));
}

int ctl_watch(struct ctl *c, int interval_ms)
{
	struct ctl_conn *k = NULL;
	bool tty = isatty(STDOUT_FILENO), seen_active = false;
	int ret = LEVER_CTL_EXIT_OK, reconnects = 0;
	json_t *msg;

	for (;;) {
		const char *ev, *state;
		const json_t *st;

		if (!k) {
			/*
			 * leverd drops a watcher that falls behind (its
			 * socket buffer full); come back rather than leave
			 * the operator without a view. Bounded.
			 */
			ret = ctl_connect(c, &k);
			if (!ret)
				ret = ctl_send(k, "watch",
					       json_pack("{s:i}", "interval_ms",
							 interval_ms), 1);
			if (ret)
				break;
		}
		/* events come at interval_ms; allow a slow daemon 5 s */
		ret = ctl_recv(k, &msg, interval_ms + CTL_REPLY_TIMEOUT_MS);
		if (ret == LEVER_CTL_EXIT_NO_DAEMON && seen_active &&
		    reconnects < 20) {
			ctl_disconnect(k);
			k = NULL;
			reconnects++;
			continue;
		}
		if (ret)
			break;
		if (json_object_get(msg, "id") &&
		    !json_is_null(json_object_get(msg, "id"))) {
			if (!json_is_true(json_object_get(msg, "ok")))
				ret = ctl_reply_error(msg);
			json_decref(msg);
			if (ret)
				break;
			continue;
		}
		ev = json_string_value(json_object_get(msg, "event"));
		if (c->json) {
			char *line = json_dumps(msg, JSON_COMPACT);

			if (line)
				puts(line);
			free(line);
			fflush(stdout);
		}
		if (ev && !strcmp(ev, "session_end")) {
			const json_t *sum = json_object_get(msg, "summary");

			if (!c->json)
				ctl_print_summary(sum);
			/* a session that did not run to its end fails */
			if (!json_is_true(json_object_get(sum, "completed")))
				ret = LEVER_CTL_EXIT_FAIL;
			json_decref(msg);
			break;
		}
		if (!ev || strcmp(ev, "status")) {
			json_decref(msg);
			continue;
		}
		st = json_object_get(msg, "status");
		state = json_string_value(json_object_get(st, "state"));
		if (!c->json) {
			if (tty)
				fputs("\033[H\033[J", stdout);
			print_status(st);
			if (!tty)
				putchar('\n');
			fflush(stdout);
		}
		if (active_state(state)) {
			seen_active = true;
		} else if (seen_active && state && strcmp(state, "idle")) {
			/* ended while we were away: no session_end for us */
			if (!c->json)
				print_end_state(st);
			if (strcmp(state, "finished"))
				ret = LEVER_CTL_EXIT_FAIL;
			json_decref(msg);
			break;
		}
		json_decref(msg);
	}
	ctl_disconnect(k);
	return ret;
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	bool watch = false;
	int interval_ms = 500, i, r, ret;
	json_t *res;

	for (i = 1; i < argc; i++) {
		const char *v;

		if (ctl_opt_flag(argv[i], "--watch")) {
			watch = true;
		} else if ((r = ctl_opt_value(argc, argv, &i, "--interval", &v))) {
			char *end;
			long ms = r > 0 ? strtol(v, &end, 10) : 0;

			if (r < 0 || *end || ms < 50 || ms > 5000)
				return ctl_usage("status", "--interval must be 50 to 5000 ms");
			interval_ms = (int)ms;
		} else {
			return ctl_usage("status", "unexpected argument '%s'",
					 argv[i]);
		}
	}
	if (watch)
		return ctl_watch(c, interval_ms);
	ret = ctl_call(c, "status", NULL, &res);
	if (ret)
		return ret;
	if (c->json)
		ret = ctl_print_json(res);
	else
		print_status(res);
	json_decref(res);
	return ret;
}
