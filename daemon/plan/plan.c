// SPDX-License-Identifier: MIT
/*
 * plan_: the one strict parser of LEVER plan directories. A session file
 * tells a treadmill how fast to run a healing athlete, so this never guesses:
 * every unknown key, missing unit or out-of-range value is an error that
 * names file:line:col and what was expected. No I/O besides reading the dir.
 * This file reads the directory and the plan file; plan_session.c reads
 * session files, plan_lex.c holds the lexer both use.
 */
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lever_utf8.h"
#include "plan_lex.h"

int plan_session_name_parse(const char *name, unsigned int *week,
			    unsigned int *day)
{
	unsigned int w, d;
	int n = 0;

	if (!name || strncmp(name, "week", 4))
		return -EINVAL;
	if (sscanf(name, "week%u-day%u%n", &w, &d, &n) != 2 ||
	    (size_t)n != strlen(name))
		return -EINVAL;
	/* No leading zeros or signs: one spelling per session. */
	if (name[4] < '1' || name[4] > '9')
		return -EINVAL;
	if (!strchr(name, '-') || strchr(name, '-')[4] < '1' ||
	    strchr(name, '-')[4] > '9')
		return -EINVAL;
	if (w < 1 || w > PLAN_WEEKS_MAX || d < 1 || d > PLAN_DAYS_MAX)
		return -EINVAL;
	*week = w;
	*day = d;
	return 0;
}

const char *plan_step_kind_name(enum plan_step_kind k)
{
	switch (k) {
	case PLAN_WARMUP:
		return "warmup";
	case PLAN_WALK:
		return "walk";
	case PLAN_RUN:
		return "run";
	case PLAN_COOLDOWN:
		return "cooldown";
	}
	return "?";
}

static int parse_uint_value(struct cursor *c, size_t vstart,
			    const char *key, unsigned int max,
			    unsigned int *out)
{
	unsigned long v = 0;
	size_t i = vstart;

	if (i >= c->llen)
		return lex_fail(c, i + 1, "expected a whole number after '%s:'",
				key);
	for (; i < c->llen && c->l[i] >= '0' && c->l[i] <= '9'; i++) {
		v = v * 10 + (c->l[i] - '0');
		if (v > 1000)
			break;
	}
	while (i < c->llen && (c->l[i] == ' ' || c->l[i] == '\t'))
		i++;
	if (i != c->llen)
		return lex_fail(c, i + 1, "expected a whole number after '%s:'",
				key);
	if (v < 1 || v > max)
		return lex_fail(c, vstart + 1, "'%s' must be from 1 to %u", key,
				max);
	*out = (unsigned int)v;
	return 0;
}

static void free_list(struct plan_text_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->item[i]);
	l->n = 0;
}

/*
 * Leaves the plan's text fields empty (NULL), so that clearing twice (the
 * parser on a refused file, then plan_free() in the loader) frees once.
 */
void plan_clear(struct plan *p)
{
	char **text[] = { &p->name, &p->author, &p->scope, &p->description,
			  &p->provenance, &p->note, &p->disclaimer };

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		free(*text[i]);
		*text[i] = NULL;
	}
	free_list(&p->criteria);
	free_list(&p->progression);
	free_list(&p->regression);
	free_list(&p->rules);
}

int plan_parse_plan(const char *file, const char *text, size_t len,
		    struct plan *p, struct plan_error *err)
{
	struct cursor c = {
		.file = file, .text = text, .len = len, .err = err,
	};
	struct {
		const char *key;
		char **single;
		struct plan_text_list *list;
		bool required;
	} keys[] = {
		{ "name", &p->name, NULL, true },
		{ "author", &p->author, NULL, true },
		{ "scope", &p->scope, NULL, true },
		{ "description", &p->description, NULL, true },
		{ "provenance", &p->provenance, NULL, true },
		{ "note", &p->note, NULL, false },
		{ "disclaimer", &p->disclaimer, NULL, true },
		{ "criterion", NULL, &p->criteria, true },
		{ "progression", NULL, &p->progression, false },
		{ "regression", NULL, &p->regression, true },
		{ "rule", NULL, &p->rules, false },
	};
	bool have_weeks = false, have_spw = false;
	size_t k;
	int ret;

	memset(err, 0, sizeof(*err));
	ret = lex_check_text(&c);
	if (ret)
		return ret;
	c.line = 0;
	ret = lex_expect_magic(&c, PLAN_MAGIC);
	if (ret)
		return ret;
	while (lex_next_line(&c)) {
		size_t klen, vstart;
		char key[32];
		struct tok kt;
		char q[64];

		if (lex_blank_or_comment(c.l, c.llen))
			continue;
		if (!lex_split_key(c.l, c.llen, &klen, &vstart) || klen >= 32) {
			kt.s = c.l;
			kt.len = c.llen;
			kt.col = 1;
			ret = lex_fail(&c, 1,
				       "expected 'key: value' (or an indented continuation of the text above), got '%s'",
				       lex_quote(&kt, q, sizeof(q)));
			goto out;
		}
		snprintf(key, sizeof(key), "%.*s", (int)klen, c.l);
		if (!strcmp(key, "weeks") || !strcmp(key, "sessions-per-week")) {
			bool w = key[0] == 'w';

			if (w ? have_weeks : have_spw) {
				ret = lex_fail(&c, 1, "'%s:' given twice", key);
				goto out;
			}
			ret = parse_uint_value(&c, vstart, key,
					       w ? PLAN_WEEKS_MAX :
					       PLAN_DAYS_MAX,
					       w ? &p->weeks :
					       &p->sessions_per_week);
			if (ret)
				goto out;
			if (w)
				have_weeks = true;
			else
				have_spw = true;
			continue;
		}
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strcmp(key, keys[k].key))
				break;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			kt.s = c.l;
			kt.len = klen;
			kt.col = 1;
			ret = lex_fail(&c, 1,
				       "unknown key '%s'; expected name, author, scope, description, provenance, note, disclaimer, weeks, sessions-per-week, criterion, progression, regression or rule",
				       lex_quote(&kt, q, sizeof(q)));
			goto out;
		}
		if (keys[k].single) {
			if (*keys[k].single) {
				ret = lex_fail(&c, 1, "'%s:' given twice", key);
				goto out;
			}
			ret = lex_read_text(&c, vstart, key, keys[k].single);
		} else {
			struct plan_text_list *l = keys[k].list;

			if (l->n == PLAN_LIST_MAX) {
				ret = lex_fail(&c, 1,
					       "more than %d '%s:' lines",
					       PLAN_LIST_MAX, key);
				goto out;
			}
			ret = lex_read_text(&c, vstart, key, &l->item[l->n]);
			if (!ret)
				l->n++;
		}
		if (ret)
			goto out;
	}
	c.line++;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		bool have = keys[k].single ? *keys[k].single != NULL :
			    keys[k].list->n > 0;

		if (keys[k].required && !have) {
			ret = lex_fail(&c, 1,
				       "missing '%s:' (truncated?); every plan needs it",
				       keys[k].key);
			goto out;
		}
	}
	if (!have_weeks || !have_spw) {
		ret = lex_fail(&c, 1,
			       "missing '%s:' (truncated?); every plan needs it",
			       have_weeks ? "sessions-per-week" : "weeks");
		goto out;
	}
	return 0;
out:
	plan_clear(p);
	return ret;
}

void plan_error_format(const struct plan_error *err, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line, err->col,
		 err->msg);
}

static void set_err(struct plan_error *err, const char *file,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(struct plan_error *err, const char *file,
		    const char *fmt, ...)
{
	va_list ap;

	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = 1;
	err->col = 1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Read a whole file (bounded) into a NUL-terminated buffer. */
static int slurp(const char *path, char **text, size_t *len,
		 struct plan_error *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, ret;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno ? -errno : -EIO;
		set_err(err, path, "cannot open: %s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		set_err(err, path, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size > PLAN_FILE_MAX) {
		close(fd);
		set_err(err, path, "file is larger than %d bytes",
			PLAN_FILE_MAX);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		set_err(err, path, "out of memory");
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

void plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_sessions; i++)
		plan_session_clear(&p->sessions[i]);
	free(p->sessions);
	plan_clear(p);
	free(p->dir);
	free(p->id);
	free(p);
}

static bool ignored_file(const char *name)
{
	return name[0] == '.' || !strncmp(name, "README", 6);
}

int plan_load(const char *dir, struct plan **out, struct plan_error *err)
{
	struct plan *p;
	char path[PATH_MAX];
	char *text = NULL;
	size_t len, i;
	const char *base;
	DIR *d;
	struct dirent *de;
	int ret;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_err(err, dir, "out of memory");
		return -ENOMEM;
	}
	p->dir = strdup(dir);
	base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	/* "plans/x/" names the plan "x", not "" */
	if (!*base) {
		size_t n = strlen(dir);

		while (n > 1 && dir[n - 1] == '/')
			n--;
		p->id = strndup(dir, n);
		if (p->id && strrchr(p->id, '/'))
			memmove(p->id, strrchr(p->id, '/') + 1,
				strlen(strrchr(p->id, '/') + 1) + 1);
	} else {
		p->id = strdup(base);
	}
	if (!p->dir || !p->id) {
		set_err(err, dir, "out of memory");
		ret = -ENOMEM;
		goto err;
	}
	/* the plan's id: it goes out as JSON, which holds only UTF-8 */
	if (!lever_utf8_valid(p->id)) {
		set_err(err, dir,
			"the plan directory's name is not UTF-8; rename it");
		ret = -EINVAL;
		goto err;
	}
	snprintf(path, sizeof(path), "%s/plan", dir);
	ret = slurp(path, &text, &len, err);
	if (ret) {
		if (ret == -ENOENT || ret == -ENOTDIR)
			set_err(err, path,
				"no plan file; expected a plan directory holding 'plan' and weekN-dayM files");
		goto err;
	}
	ret = plan_parse_plan(path, text, len, p, err);
	free(text);
	text = NULL;
	if (ret)
		goto err;

	/* Every file in the directory must be ours: catches typos. */
	d = opendir(dir);
	if (!d) {
		ret = -errno;
		set_err(err, dir, "cannot read the directory: %s",
			strerror(-ret));
		goto err;
	}
	while ((de = readdir(d))) {
		unsigned int w, dd;

		if (ignored_file(de->d_name) || !strcmp(de->d_name, "plan"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (plan_session_name_parse(de->d_name, &w, &dd)) {
			set_err(err, path,
				"unexpected file; expected only 'plan' and session files named weekN-dayM");
			ret = -EINVAL;
			break;
		}
		if (w > p->weeks || dd > p->sessions_per_week) {
			set_err(err, path,
				"session outside the plan (weeks: %u, sessions-per-week: %u)",
				p->weeks, p->sessions_per_week);
			ret = -EINVAL;
			break;
		}
	}
	closedir(d);
	if (ret)
		goto err;

	p->n_sessions = (size_t)p->weeks * p->sessions_per_week;
	p->sessions = calloc(p->n_sessions, sizeof(*p->sessions));
	if (!p->sessions) {
		set_err(err, dir, "out of memory");
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < p->n_sessions; i++) {
		char name[48];

		snprintf(name, sizeof(name), "week%zu-day%zu",
			 i / p->sessions_per_week + 1,
			 i % p->sessions_per_week + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ret = slurp(path, &text, &len, err);
		if (ret == -ENOENT) {
			snprintf(path, sizeof(path), "%s/plan", dir);
			set_err(err, path,
				"session %s is missing; expected %s/%s (weeks: %u, sessions-per-week: %u)",
				name, dir, name, p->weeks,
				p->sessions_per_week);
			ret = -EINVAL;
		}
		if (ret)
			goto err;
		ret = plan_parse_session(path, name, text, len,
					 &p->sessions[i], err);
		free(text);
		text = NULL;
		if (ret)
			goto err;
	}
	*out = p;
	return 0;
err:
	free(text);
	plan_free(p);
	return ret;
}

const struct plan_session *plan_find_session(const struct plan *p,
					     const char *name)
{
	int i = plan_session_index(p, name);

	return i < 0 ? NULL : &p->sessions[i];
}

int plan_session_index(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_sessions; i++)
		if (!strcmp(p->sessions[i].name, name))
			return (int)i;
	return -1;
}

static unsigned int edit_distance(const char *a, const char *b)
{
	unsigned int row[40], i, j, la = strlen(a), lb = strlen(b);

	if (la > 38 || lb > 38)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void plan_suggest(const struct plan *p, const char *name, char *buf,
		  size_t len)
{
	unsigned int best[3] = { 99, 99, 99 };
	int which[3] = { -1, -1, -1 };
	size_t i, o = 0;
	int k, m;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < p->n_sessions; i++) {
		unsigned int d = edit_distance(name, p->sessions[i].name);

		for (k = 0; k < 3; k++) {
			if (d < best[k]) {
				for (m = 2; m > k; m--) {
					best[m] = best[m - 1];
					which[m] = which[m - 1];
				}
				best[k] = d;
				which[k] = (int)i;
				break;
			}
		}
	}
	for (k = 0; k < 3 && which[k] >= 0 && o < len; k++)
		o += snprintf(buf + o, len - o, "%s%s", k ? ", " : "",
			      p->sessions[which[k]].name);
}
