// SPDX-License-Identifier: MIT
/*
 * leverctl show --plan PLAN [SESSION] --format fit-workout --dir DIR: the
 * plan's sessions as FIT workout files (PLAN-SESSION.fit) to load next to
 * the athlete's calendar or onto a watch. Read locally from the plans
 * directory, like the rest of show; each file is written whole or not at
 * all (export_write_with()).
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "export.h"
#include "leverctl.h"

struct workout {
	const struct plan *p;
	const struct plan_session *ps;
};

static int encode(const void *ctx, FILE *f)
{
	const struct workout *w = ctx;

	return export_fit_workout(w->p, w->ps, (int64_t)time(NULL), f);
}

int ctl_write_workouts(struct ctl *c, const struct plan *p,
		       const struct plan_session *only, const char *dir)
{
	struct workout w = { .p = p };
	char path[4096], msg[512];
	struct stat sb;
	json_t *files = c->json ? json_array() : NULL;
	size_t i;
	int ret = LEVER_CTL_EXIT_OK;

	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		ctl_err("--dir %s is not a directory", dir);
		json_decref(files);
		return LEVER_CTL_EXIT_OUTPUT;
	}
	for (i = 0; i < p->n_sessions; i++) {
		w.ps = &p->sessions[i];
		if (only && w.ps != only)
			continue;
		snprintf(path, sizeof(path), "%s/%s-%s.fit", dir, p->id,
			 w.ps->name);
		if (export_write_with(encode, &w, path, msg, sizeof(msg))) {
			ctl_err("%s", msg);
			ret = LEVER_CTL_EXIT_OUTPUT;
			break;
		}
		if (files)
			json_array_append_new(files, json_pack("{s:s, s:s, s:I}",
				"file", path, "session", w.ps->name,
				"steps", (json_int_t)w.ps->n_steps));
		else
			printf("wrote %s: %zu steps, %u:%02u\n", path,
			       w.ps->n_steps, w.ps->total_ms / 60000,
			       w.ps->total_ms / 1000 % 60);
	}
	if (files) {
		if (!ret)
			ctl_print_json(files);
		json_decref(files);
	}
	return ret;
}
