// SPDX-License-Identifier: MIT
/*
 * leverctl plans: the plans in the plans directory, read locally (no
 * leverd needed). An invalid plan is listed with its error, not hidden.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leverctl.h"
#include "plan_json.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctl_plans(struct ctl *c, int argc, char **argv)
{
	const char *dir = ctl_plans_dir(c);
	char *names[256];
	size_t n = 0, i;
	struct dirent *de;
	json_t *out, *arr;
	int ret = LEVER_CTL_EXIT_OK;
	DIR *d;

	if (argc > 1)
		return ctl_usage("plans", "'plans' takes no arguments ('%s' given)",
				 argv[1]);
	d = opendir(dir);
	if (!d) {
		ctl_err("cannot read the plans directory %s; set LEVER_PLANS_DIR or --plans-dir",
			dir);
		return LEVER_CTL_EXIT_NOT_FOUND;
	}
	while ((de = readdir(d)) && n < 256) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	out = json_pack("{s:s, s:[]}", "plans_dir", dir, "plans");
	arr = json_object_get(out, "plans");
	for (i = 0; i < n; i++) {
		struct plan_error err;
		struct plan *p;
		char path[4096], msg[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!plan_load(path, &p, &err)) {
			json_array_append_new(arr, plan_json_summary(p));
			plan_free(p);
		} else {
			plan_error_format(&err, msg, sizeof(msg));
			json_array_append_new(arr, json_pack("{s:s, s:s}",
					      "id", names[i], "error", msg));
			ret = LEVER_CTL_EXIT_BAD_PLAN;
		}
		free(names[i]);
	}
	if (c->json) {
		ctl_print_json(out);
	} else {
		json_t *p;

		json_array_foreach(arr, i, p) {
			if (json_object_get(p, "error"))
				printf("%-24s INVALID: %s\n",
				       json_string_value(json_object_get(p, "id")),
				       json_string_value(json_object_get(p, "error")));
			else
				printf("%-24s %lld weeks x %lld sessions  %s\n",
				       json_string_value(json_object_get(p, "id")),
				       json_integer_value(json_object_get(p, "weeks")),
				       json_integer_value(json_object_get(p, "sessions_per_week")),
				       json_string_value(json_object_get(p, "name")));
		}
		if (!json_array_size(arr))
			printf("no plans in %s\n", dir);
	}
	json_decref(out);
	return ret;
}
