// SPDX-License-Identifier: MIT
/*
 * sess_plan.c - the plans a session may come from: the plans directory
 * (one directory per plan), the plan asked for or implied, one of its
 * sessions by name, and the "plans" and "show" requests. Plans are read
 * fresh on every request and never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lever_utf8.h"
#include "plan_json.h"
#include "sess_priv.h"

int sess_list_plan_ids(struct sess *s, char ***ids, size_t *n)
{
	DIR *d = opendir(s->plans_dir);
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0;

	*ids = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN &&
		    de->d_type != DT_LNK)
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[cnt] = strdup(de->d_name);
		if (v[cnt])
			cnt++;
	}
	closedir(d);
	for (size_t i = 1; i < cnt; i++)	/* sort: few entries */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*ids = v;
	*n = cnt;
	return 0;
}

void sess_free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void join_ids(char **ids, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", ids[i]);
}

static bool safe_id(const char *id)
{
	return id && *id && id[0] != '.' && !strchr(id, '/') &&
	       strlen(id) < 64;
}

int sess_load_plan(struct sess *s, const char *id, struct plan **p,
		   char *msg, size_t len)
{
	struct plan_error err;
	char path[4096], e[768], names[512];
	char **ids;
	size_t n;
	int ret;

	*p = NULL;
	if (!safe_id(id)) {
		if (!sess_list_plan_ids(s, &ids, &n)) {
			join_ids(ids, n, names, sizeof(names));
			sess_free_ids(ids, n);
		} else {
			names[0] = '\0';
		}
		return say(msg, len, -ENOENT,
			   "unknown plan '%.64s'; plans in %s: %s",
			   id ? id : "", s->plans_dir, names);
	}
	snprintf(path, sizeof(path), "%s/%s", s->plans_dir, id);
	ret = plan_load(path, p, &err);
	if (ret == -ENOENT && !strcmp(err.file, path)) {
		ret = -ENOENT;
	} else if (ret) {
		plan_error_format(&err, e, sizeof(e));
		return say(msg, len, ret, "plan '%s' is invalid: %s", id, e);
	}
	if (ret) {
		names[0] = '\0';
		if (!sess_list_plan_ids(s, &ids, &n)) {
			join_ids(ids, n, names, sizeof(names));
			sess_free_ids(ids, n);
		}
		return say(msg, len, -ENOENT,
			   "unknown plan '%.64s'; plans in %s: %s", id,
			   s->plans_dir, names);
	}
	return 0;
}

/* The plan asked for, else the athlete's last one, else the only one. */
int sess_pick_plan(struct sess *s, const json_t *args,
		   const struct store_athlete *a, struct plan **p,
		   char *msg, size_t len)
{
	const char *id = sess_arg_str(args, "plan");
	char **ids, names[512], last[64] = "";
	size_t n;
	int ret;

	if (id)
		return sess_load_plan(s, id, p, msg, len);
	if (a) {
		struct store_session *recs;
		size_t nr;

		if (!store_sessions(s->store, a->id, NULL, &recs, &nr)) {
			if (nr)
				snprintf(last, sizeof(last), "%s",
					 recs[nr - 1].plan);
			free(recs);
		}
		if (last[0])
			return sess_load_plan(s, last, p, msg, len);
	}
	ret = sess_list_plan_ids(s, &ids, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the plans directory %s: %s",
			   s->plans_dir, strerror(-ret));
	if (n == 1) {
		ret = sess_load_plan(s, ids[0], p, msg, len);
		sess_free_ids(ids, n);
		return ret;
	}
	join_ids(ids, n, names, sizeof(names));
	sess_free_ids(ids, n);
	if (!n)
		return say(msg, len, -ENOENT, "no plans in %s", s->plans_dir);
	return say(msg, len, -EINVAL,
		   "more than one plan; name one with --plan (plans: %s)",
		   names);
}

int sess_find_session(const struct plan *p, const char *name,
		      const struct plan_session **ps, char *msg, size_t len)
{
	char near[128];

	if (!name)
		return say(msg, len, -EINVAL,
			   "which session? name one like week1-day1");
	*ps = plan_find_session(p, name);
	if (*ps)
		return 0;
	plan_suggest(p, name, near, sizeof(near));
	return say(msg, len, -ENOENT,
		   "unknown session '%.32s' in plan %s; closest: %s", name,
		   p->id, near);
}

int sess_cmd_plans(struct sess *s, const char *cmd, const json_t *args,
		   uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	char **ids, dir[PATH_MAX];
	size_t n;
	json_t *a;
	int ret;

	ret = sess_list_plan_ids(s, &ids, &n);
	if (ret)
		return say(msg, len, ret, "cannot read the plans directory %s: %s",
			   s->plans_dir, strerror(-ret));
	a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		struct plan *p;
		char m[768];

		if (!sess_load_plan(s, ids[i], &p, m, sizeof(m))) {
			json_array_append_new(a, plan_json_summary(p));
			plan_free(p);
		} else {
			char id[256];

			/* as UTF-8, as JSON needs: the name may be why */
			snprintf(id, sizeof(id), "%s", ids[i]);
			lever_utf8_plain(id);
			lever_utf8_plain(m);
			json_array_append_new(a, json_pack("{s:s, s:s}",
							   "id", id,
							   "error", m));
		}
	}
	sess_free_ids(ids, n);
	snprintf(dir, sizeof(dir), "%s", s->plans_dir);
	lever_utf8_plain(dir);
	*result = json_pack("{s:s, s:o}", "plans_dir", dir, "plans",
			    a ? a : json_null());
	return 0;
}

int sess_cmd_show(struct sess *s, const char *cmd, const json_t *args,
		  uint64_t now_ns, json_t **result, char *msg, size_t len)
{
	const struct plan_session *ps;
	const char *name = sess_arg_str(args, "session");
	struct plan *p;
	int ret;

	ret = sess_pick_plan(s, args, NULL, &p, msg, len);
	if (ret)
		return ret;
	if (name) {
		ret = sess_find_session(p, name, &ps, msg, len);
		if (!ret)
			*result = plan_json_session(p, ps);
	} else {
		*result = plan_json_plan(p);
	}
	plan_free(p);
	return ret;
}
