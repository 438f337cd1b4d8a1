// SPDX-License-Identifier: MIT
/*
 * leverctl validate PATH...: check plan directories, plan files or session
 * files locally with the same parser leverd uses; errors are file:line:col.
 * It never stops at the first bad path: every path gets its verdict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leverctl.h"

static int slurp(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    n > PLAN_FILE_MAX || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EFBIG;
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	*text = buf;
	return 0;
}

/* 0 ok, -EINVAL invalid (err filled), other -errno: cannot read. */
static int check_path(const char *path, struct plan_error *err,
		      json_t **info)
{
	struct stat st;
	const char *base = strrchr(path, '/');
	char *text = NULL;
	size_t len = 0;
	int ret;

	base = base ? base + 1 : path;
	*info = NULL;
	if (stat(path, &st) < 0) {
		ret = -errno;
		snprintf(err->file, sizeof(err->file), "%s", path);
		err->line = err->col = 1;
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s",
			 strerror(-ret));
		return ret;
	}
	if (S_ISDIR(st.st_mode)) {
		struct plan *p;

		ret = plan_load(path, &p, err);
		if (ret == -ENOENT)
			ret = -EINVAL;	/* the directory is there: bad plan */
		if (!ret) {
			*info = json_pack("{s:s, s:s, s:I}", "kind", "plan",
					  "name", p->name,
					  "sessions", (json_int_t)p->n_sessions);
			plan_free(p);
		}
		return ret;
	}
	ret = slurp(path, &text, &len);
	if (ret) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		err->line = err->col = 1;
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s",
			 strerror(-ret));
		return ret;
	}
	if (!strcmp(base, "plan")) {
		struct plan p = { 0 };

		ret = plan_parse_plan(path, text, len, &p, err);
		if (!ret) {
			*info = json_pack("{s:s, s:s}", "kind", "plan file",
					  "name", p.name);
			plan_clear(&p);
		}
	} else {
		struct plan_session s;

		ret = plan_parse_session(path, base, text, len, &s, err);
		if (!ret) {
			*info = json_pack("{s:s, s:I, s:I}", "kind", "session",
					  "steps", (json_int_t)s.n_steps,
					  "total_s",
					  (json_int_t)(s.total_ms / 1000));
			plan_session_clear(&s);
		}
	}
	free(text);
	return ret;
}

int ctl_validate(struct ctl *c, int argc, char **argv)
{
	json_t *out;
	int i, ret = LEVER_CTL_EXIT_OK;

	if (argc < 2)
		return ctl_usage("validate", "name at least one plan directory or file");
	out = json_array();
	for (i = 1; i < argc; i++) {
		struct plan_error err = { 0 };
		json_t *info;
		char msg[1024];
		int r = check_path(argv[i], &err, &info);

		if (!r) {
			if (!c->json)
				printf("%s: ok\n", argv[i]);
			json_object_set_new(info, "path", json_string(argv[i]));
			json_object_set_new(info, "ok", json_true());
			json_array_append_new(out, info);
			continue;
		}
		if (r == -ENOMEM) {
			ctl_err("out of memory");
			json_decref(out);
			return LEVER_CTL_EXIT_FAIL;
		}
		plan_error_format(&err, msg, sizeof(msg));
		if (!c->json)
			ctl_err("%s", msg);
		json_array_append_new(out,
			json_pack("{s:s, s:b, s:{s:s, s:i, s:i, s:s}}",
				  "path", argv[i], "ok", 0, "error",
				  "file", err.file, "line", (int)err.line,
				  "col", (int)err.col, "message", err.msg));
		if (r == -EINVAL || ret == LEVER_CTL_EXIT_BAD_PLAN)
			ret = LEVER_CTL_EXIT_BAD_PLAN;
		else if (ret == LEVER_CTL_EXIT_OK)
			ret = LEVER_CTL_EXIT_NOT_FOUND;
	}
	if (c->json) {
		json_t *o = json_pack("{s:b, s:o}",
				      "ok", ret == LEVER_CTL_EXIT_OK,
				      "results", out);

		ctl_print_json(o);
		json_decref(o);
	} else {
		json_decref(out);
	}
	return ret;
}
