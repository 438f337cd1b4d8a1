// SPDX-License-Identifier: MIT
/*
 * plan_: the one strict parser of LEVER plan directories. A session file
 * tells a treadmill how fast to run a healing athlete, so this never guesses:
 * every unknown key, missing unit or out-of-range value is an error that
 * names file:line:col and what was expected. No I/O besides reading the dir.
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

#define PLAN_MAGIC	"lever-plan 1"
#define SESSION_MAGIC	"lever-session 1"

/* One line being looked at; columns are 1-based byte offsets. */
struct cursor {
	const char *file;
	const char *text;
	size_t len;
	size_t pos;		/* start of the next line */
	unsigned int line;	/* number of the current line */
	const char *l;		/* current line, not NUL terminated */
	size_t llen;
	struct plan_error *err;
};

struct tok {
	const char *s;
	size_t len;
	unsigned int col;
};

#define TOKS_MAX 16

static int fail(struct cursor *c, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cursor *c, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->err->file, sizeof(c->err->file), "%s", c->file);
	c->err->line = c->line;
	c->err->col = col ? col : 1;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int fail_nomem(struct cursor *c)
{
	fail(c, 1, "out of memory");
	return -ENOMEM;
}

/* Quote at most 24 bytes of a token for a message. */
static const char *quote(const struct tok *t, char *buf, size_t len)
{
	size_t n = t->len < 24 ? t->len : 24;
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < len; i++) {
		unsigned char ch = t->s[i];

		if (ch < 0x20 || ch == 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", ch);
		else
			buf[o++] = ch;
	}
	if (t->len > n && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Next line into c->l; 0 at end of text, 1 when a line was read. */
static int next_line(struct cursor *c)
{
	const char *nl;

	if (c->pos >= c->len)
		return 0;
	c->l = c->text + c->pos;
	nl = memchr(c->l, '\n', c->len - c->pos);
	c->llen = nl ? (size_t)(nl - c->l) : c->len - c->pos;
	c->pos += c->llen + (nl ? 1 : 0);
	c->line++;
	if (c->llen && c->l[c->llen - 1] == '\r')
		c->llen--;
	return 1;
}

/* Whole-text checks: a final newline (catches truncation) and no NUL. */
static int check_text(struct cursor *c)
{
	size_t i;
	unsigned int line = 1, col = 1;

	if (c->len > PLAN_FILE_MAX) {
		c->line = 1;
		return fail(c, 1, "file is larger than %d bytes", PLAN_FILE_MAX);
	}
	for (i = 0; i < c->len; i++) {
		if (c->text[i] == '\0') {
			c->line = line;
			return fail(c, col, "NUL byte in a text file");
		}
		if (c->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (c->len == 0) {
		c->line = 1;
		return fail(c, 1, "empty file, expected '%s' on the first line",
			    strncmp(c->file, "plan", 4) ? SESSION_MAGIC :
			    PLAN_MAGIC);
	}
	if (c->text[c->len - 1] != '\n') {
		c->line = line;
		return fail(c, col,
			    "file ends in the middle of a line (truncated?); expected a newline at the end");
	}
	return 0;
}

static bool is_blank_or_comment(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i == n || l[i] == '#';
}

static int tokenize(struct cursor *c, struct tok *t, size_t max, size_t *n)
{
	size_t i = 0;

	*n = 0;
	while (i < c->llen) {
		size_t start;

		while (i < c->llen && (c->l[i] == ' ' || c->l[i] == '\t'))
			i++;
		if (i == c->llen)
			break;
		if (c->l[i] == '#')
			break;	/* trailing comment */
		if (*n == max)
			return fail(c, i + 1, "too many words on one line (at most %zu)",
				    max);
		start = i;
		while (i < c->llen && c->l[i] != ' ' && c->l[i] != '\t') {
			unsigned char ch = c->l[i];

			if (ch < 0x20 || ch == 0x7f)
				return fail(c, i + 1,
					    "control character 0x%02x in a step line",
					    ch);
			i++;
		}
		t[*n].s = c->l + start;
		t[*n].len = i - start;
		t[*n].col = start + 1;
		(*n)++;
	}
	return 0;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

/*
 * A decimal number with at most two fractional digits, scaled by 100:
 * "8.5" -> 850. Optional leading '-' only when allow_neg.
 */
static int parse_x100(struct cursor *c, const struct tok *t, bool allow_neg,
		      const char *what, int32_t *out)
{
	char q[64];
	size_t i = 0;
	int64_t v = 0;
	int frac = -1;
	bool neg = false, digits = false;

	if (i < t->len && t->s[i] == '-' && allow_neg) {
		neg = true;
		i++;
	}
	for (; i < t->len; i++) {
		char ch = t->s[i];

		if (ch == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (ch < '0' || ch > '9' || frac == 2 || v > 100000000)
			goto bad;
		v = v * 10 + (ch - '0');
		digits = true;
		if (frac >= 0)
			frac++;
	}
	if (!digits)
		goto bad;
	while (frac < 2) {
		v *= 10;
		frac = frac < 0 ? 1 : frac + 1;
	}
	*out = (int32_t)(neg ? -v : v);
	return 0;
bad:
	return fail(c, t->col,
		    "expected %s as a number like %s (at most 2 decimals), got '%s'",
		    what, allow_neg ? "-1.5 or 8.25" : "8.25", quote(t, q, sizeof(q)));
}

/* "M:SS" or "H:MM:SS" into ms. */
static int parse_duration(struct cursor *c, const struct tok *t,
			  uint32_t *ms)
{
	char q[64];
	unsigned int part[3] = { 0 };
	unsigned int nparts = 0, ndig = 0;
	size_t i;
	uint64_t s;

	for (i = 0; i < t->len; i++) {
		char ch = t->s[i];

		if (ch == ':') {
			if (!ndig || nparts == 2)
				goto bad;
			nparts++;
			ndig = 0;
			continue;
		}
		if (ch < '0' || ch > '9' || ndig == 4)
			goto bad;
		part[nparts] = part[nparts] * 10 + (ch - '0');
		ndig++;
	}
	if (!ndig || nparts == 0 || ndig != 2)
		goto bad;
	if (part[nparts] > 59 || (nparts == 2 && part[1] > 59))
		goto bad;
	if (nparts == 1)
		s = (uint64_t)part[0] * 60 + part[1];
	else
		s = (uint64_t)part[0] * 3600 + part[1] * 60 + part[2];
	if (s * 1000 < PLAN_STEP_MIN_MS || s * 1000 > PLAN_STEP_MAX_MS)
		return fail(c, t->col,
			    "step duration %s is out of range; expected 0:05 to 60:00",
			    quote(t, q, sizeof(q)));
	*ms = (uint32_t)(s * 1000);
	return 0;
bad:
	return fail(c, t->col,
		    "expected a duration like 5:00 (M:SS) or 1:05:00 (H:MM:SS), got '%s'",
		    quote(t, q, sizeof(q)));
}

static int expect_unit(struct cursor *c, const struct tok *num,
		       const struct tok *unit, const char *want,
		       const char *what)
{
	char q[64];

	if (!unit)
		return fail(c, num->col + num->len + 1,
			    "expected the unit '%s' after the %s, got the end of the line",
			    want, what);
	if (!tok_is(unit, want))
		return fail(c, unit->col,
			    "expected the unit '%s' after the %s, got '%s'",
			    want, what, quote(unit, q, sizeof(q)));
	return 0;
}

/* Values of one attribute; *set tells whether it was given. */
struct attr {
	int32_t v;
	bool set;
	unsigned int col;
};

struct attrs {
	struct attr speed_km_h_x100;
	struct attr incline_centi_pct;
	struct attr bw_pct_x100;
	struct attr ramp_ms;
};

static int check_speed(struct cursor *c, unsigned int col, int32_t v)
{
	if (v < 0 || v > PLAN_SPEED_MAX_KM_H_X100)
		return fail(c, col,
			    "belt speed %d.%02d km/h is out of range; expected 0 to 20 km/h",
			    v / 100, v % 100);
	return 0;
}

static int check_incline(struct cursor *c, unsigned int col, int32_t v)
{
	if (v < PLAN_INCLINE_MIN_CENTI_PCT || v > PLAN_INCLINE_MAX_CENTI_PCT)
		return fail(c, col,
			    "incline %s%d.%02d %% is out of range; expected -3 to 15 %%",
			    v < 0 ? "-" : "", abs(v) / 100, abs(v) % 100);
	return 0;
}

static int check_bw(struct cursor *c, unsigned int col, int32_t v)
{
	if (v < PLAN_BW_MIN_PCT_X100 || v > PLAN_BW_MAX_PCT_X100)
		return fail(c, col,
			    "body weight carried %d.%02d %% is out of range; expected 50 to 100 %%",
			    v / 100, v % 100);
	return 0;
}

static int check_ramp(struct cursor *c, unsigned int col, int32_t v_x100)
{
	/* v_x100 is seconds x100 */
	if (v_x100 < 0 || (uint32_t)v_x100 * 10 > PLAN_RAMP_MAX_MS)
		return fail(c, col,
			    "ramp %d.%02d s is out of range; expected 0 to 60 s",
			    v_x100 / 100, v_x100 % 100);
	return 0;
}

/*
 * Attribute pairs "speed 8.5 km/h", "incline 1 %", "bw 80 %", "ramp 10 s"
 * from token i on.
 */
static int parse_attrs(struct cursor *c, struct tok *t, size_t n, size_t i,
		       struct attrs *a)
{
	char q[64];
	int ret;

	while (i < n) {
		struct attr *dst;
		const char *unit, *what;
		int32_t v;

		if (tok_is(&t[i], "speed")) {
			dst = &a->speed_km_h_x100;
			unit = "km/h";
			what = "belt speed";
		} else if (tok_is(&t[i], "incline")) {
			dst = &a->incline_centi_pct;
			unit = "%";
			what = "incline";
		} else if (tok_is(&t[i], "bw")) {
			dst = &a->bw_pct_x100;
			unit = "%";
			what = "body weight carried";
		} else if (tok_is(&t[i], "ramp")) {
			dst = &a->ramp_ms;
			unit = "s";
			what = "ramp time";
		} else {
			return fail(c, t[i].col,
				    "unknown attribute '%s'; expected speed, incline, bw or ramp",
				    quote(&t[i], q, sizeof(q)));
		}
		if (dst->set)
			return fail(c, t[i].col, "%s given twice", what);
		if (i + 1 >= n)
			return fail(c, t[i].col + t[i].len + 1,
				    "expected a value for %s, got the end of the line",
				    what);
		ret = parse_x100(c, &t[i + 1], dst == &a->incline_centi_pct,
				 what, &v);
		if (ret)
			return ret;
		ret = expect_unit(c, &t[i + 1], i + 2 < n ? &t[i + 2] : NULL,
				  unit, what);
		if (ret)
			return ret;
		if (dst == &a->speed_km_h_x100)
			ret = check_speed(c, t[i + 1].col, v);
		else if (dst == &a->incline_centi_pct)
			ret = check_incline(c, t[i + 1].col, v);
		else if (dst == &a->bw_pct_x100)
			ret = check_bw(c, t[i + 1].col, v);
		else
			ret = check_ramp(c, t[i + 1].col, v);
		if (ret)
			return ret;
		if (dst == &a->ramp_ms)
			v *= 10;	/* s x100 -> ms */
		dst->v = v;
		dst->set = true;
		dst->col = t[i + 1].col;
		i += 3;
	}
	return 0;
}

/* "key: value" split; returns false when the line is not of that form. */
static bool split_key(const char *l, size_t n, size_t *klen, size_t *vstart)
{
	size_t i = 0;

	while (i < n && ((l[i] >= 'a' && l[i] <= 'z') || l[i] == '-'))
		i++;
	if (i == 0 || i >= n || l[i] != ':')
		return false;
	*klen = i;
	i++;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	*vstart = i;
	return true;
}

static int check_text_value(struct cursor *c, size_t from)
{
	size_t i;

	for (i = from; i < c->llen; i++) {
		unsigned char ch = c->l[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail(c, i + 1, "control character 0x%02x in text",
				    ch);
	}
	return 0;
}

static void rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/*
 * A text value: the rest of the line plus continuation lines that start
 * with white space (a continuation line holding only "." is a paragraph
 * break). Leaves the cursor on the last line used.
 */
static int read_text(struct cursor *c, size_t vstart, const char *key,
		     char **out)
{
	char *buf;
	size_t len, cap = PLAN_TEXT_MAX + 1;
	int ret;

	ret = check_text_value(c, vstart);
	if (ret)
		return ret;
	if (vstart >= c->llen)
		return fail(c, vstart + 1, "expected a text after '%s:'", key);
	buf = malloc(cap);
	if (!buf)
		return fail_nomem(c);
	len = c->llen - vstart;
	if (len > PLAN_TEXT_MAX)
		goto too_long;
	memcpy(buf, c->l + vstart, len);
	buf[len] = '\0';
	rtrim(buf);
	len = strlen(buf);
	for (;;) {
		size_t save_pos = c->pos, i = 0, add;
		unsigned int save_line = c->line;
		const char *save_l = c->l;
		size_t save_llen = c->llen;
		bool para;

		if (!next_line(c))
			break;
		if (!c->llen || (c->l[0] != ' ' && c->l[0] != '\t') ||
		    is_blank_or_comment(c->l, c->llen)) {
			c->pos = save_pos;
			c->line = save_line;
			c->l = save_l;
			c->llen = save_llen;
			break;
		}
		ret = check_text_value(c, 0);
		if (ret) {
			free(buf);
			return ret;
		}
		while (i < c->llen && (c->l[i] == ' ' || c->l[i] == '\t'))
			i++;
		para = c->llen - i == 1 && c->l[i] == '.';
		add = para ? 2 : c->llen - i + 1;
		if (len + add > PLAN_TEXT_MAX)
			goto too_long;
		if (para) {
			memcpy(buf + len, "\n\n", 2);
			len += 2;
		} else {
			if (len && buf[len - 1] != '\n')
				buf[len++] = ' ';
			memcpy(buf + len, c->l + i, c->llen - i);
			len += c->llen - i;
		}
		buf[len] = '\0';
		rtrim(buf);
		len = strlen(buf);
	}
	*out = buf;
	return 0;
too_long:
	free(buf);
	return fail(c, 1, "text of '%s' is longer than %d bytes", key,
		    PLAN_TEXT_MAX);
}

static int expect_magic(struct cursor *c, const char *magic)
{
	char q[64];
	struct tok t;

	while (next_line(c)) {
		if (is_blank_or_comment(c->l, c->llen))
			continue;
		if (c->llen == strlen(magic) && !memcmp(c->l, magic, c->llen))
			return 0;
		t.s = c->l;
		t.len = c->llen;
		t.col = 1;
		return fail(c, 1, "expected '%s' as the first line, got '%s'",
			    magic, quote(&t, q, sizeof(q)));
	}
	return fail(c, 1, "expected '%s', got the end of the file", magic);
}

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

void plan_session_clear(struct plan_session *s)
{
	free(s->title);
	free(s->note);
	free(s->steps);
	memset(s, 0, sizeof(*s));
}

static int add_step(struct cursor *c, struct plan_session *s,
		    const struct plan_step *st)
{
	struct plan_step *n;

	if (s->n_steps >= PLAN_STEPS_MAX)
		return fail(c, 1, "more than %d steps (repeats unrolled)",
			    PLAN_STEPS_MAX);
	n = realloc(s->steps, (s->n_steps + 1) * sizeof(*n));
	if (!n)
		return fail_nomem(c);
	s->steps = n;
	s->steps[s->n_steps++] = *st;
	return 0;
}

static int resolve(struct cursor *c, const struct tok *kt,
		   const struct attrs *def, const struct attrs *a,
		   enum plan_step_kind kind, uint32_t duration_ms,
		   struct plan_step *st)
{
	const struct attr *sp = a->speed_km_h_x100.set ? &a->speed_km_h_x100 :
				&def->speed_km_h_x100;
	const struct attr *in = a->incline_centi_pct.set ?
				&a->incline_centi_pct : &def->incline_centi_pct;
	const struct attr *bw = a->bw_pct_x100.set ? &a->bw_pct_x100 :
				&def->bw_pct_x100;
	const struct attr *rp = a->ramp_ms.set ? &a->ramp_ms : &def->ramp_ms;
	unsigned int end = kt->col;

	if (!a->speed_km_h_x100.set)
		return fail(c, end, "expected 'speed N km/h' in this step");
	if (!in->set)
		return fail(c, end,
			    "expected 'incline N %%' in this step (or 'incline:' before the first step)");
	if (!bw->set)
		return fail(c, end,
			    "expected 'bw N %%' in this step (or 'bw:' before the first step)");
	if (!rp->set)
		return fail(c, end,
			    "expected 'ramp N s' in this step (or 'ramp:' before the first step)");
	if ((uint32_t)rp->v >= duration_ms)
		return fail(c, rp->col,
			    "ramp %d.%02d s is not shorter than the step; expected less than the step's duration",
			    rp->v / 1000, (rp->v % 1000) / 10);
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->duration_ms = duration_ms;
	st->belt_speed_km_h_x100 = sp->v;
	/* 0.01 km/h -> mm/s: x * 100 / 36, rounded */
	st->belt_speed_mm_s = (sp->v * 100 + 18) / 36;
	st->incline_centi_pct = in->v;
	st->bw_carried_pct_x100 = bw->v;
	st->ramp_ms = (uint32_t)rp->v;
	st->line = c->line;
	return 0;
}

static int parse_kind(const struct tok *t, enum plan_step_kind *k)
{
	static const enum plan_step_kind kinds[] = {
		PLAN_WARMUP, PLAN_WALK, PLAN_RUN, PLAN_COOLDOWN,
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (tok_is(t, plan_step_kind_name(kinds[i]))) {
			*k = kinds[i];
			return 0;
		}
	}
	return -EINVAL;
}

int plan_parse_session(const char *file, const char *name, const char *text,
		       size_t len, struct plan_session *s,
		       struct plan_error *err)
{
	struct cursor c = {
		.file = file, .text = text, .len = len, .err = err,
	};
	struct attrs def = { 0 };
	struct tok t[TOKS_MAX];
	char q[64];
	size_t n, i;
	bool in_repeat = false, seen_step = false;
	unsigned int repeat_line = 0, repeat_count = 0;
	size_t repeat_first = 0;
	uint64_t total = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	if (plan_session_name_parse(name, &s->week, &s->day)) {
		c.line = 1;
		return fail(&c, 1,
			    "session file name '%.64s' is not of the form weekN-dayM",
			    name);
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	ret = check_text(&c);
	if (ret)
		return ret;
	c.line = 0;
	ret = expect_magic(&c, SESSION_MAGIC);
	if (ret)
		goto out;

	while (next_line(&c)) {
		size_t klen, vstart;
		enum plan_step_kind kind;
		uint32_t dur = 0;
		struct attrs a = { 0 };
		struct plan_step st;

		if (is_blank_or_comment(c.l, c.llen))
			continue;
		if (split_key(c.l, c.llen, &klen, &vstart)) {
			char key[32];
			struct tok kt = { c.l, klen, 1 };

			snprintf(key, sizeof(key), "%.*s", (int)klen, c.l);
			if (seen_step) {
				ret = fail(&c, 1,
					   "'%s:' after the first step; expected header keys before the steps",
					   key);
				goto out;
			}
			if (!strcmp(key, "title") || !strcmp(key, "note")) {
				char **dst = key[0] == 't' ? &s->title :
					     &s->note;

				if (*dst) {
					ret = fail(&c, 1, "'%s:' given twice",
						   key);
					goto out;
				}
				ret = read_text(&c, vstart, key, dst);
				if (ret)
					goto out;
				continue;
			}
			if (strcmp(key, "speed") && strcmp(key, "incline") &&
			    strcmp(key, "bw") && strcmp(key, "ramp")) {
				ret = fail(&c, 1,
					   "unknown key '%s'; expected title, note, incline, bw or ramp",
					   quote(&kt, q, sizeof(q)));
				goto out;
			}
			if (!strcmp(key, "speed")) {
				ret = fail(&c, 1,
					   "'speed:' has no session default; expected it on each step");
				goto out;
			}
			/* "bw: 80 %" is the attribute pair with a colon. */
			ret = tokenize(&c, t, TOKS_MAX, &n);
			if (ret)
				goto out;
			t[0].len--;	/* drop ':' */
			{
				struct attrs one = { 0 };
				struct attr *src, *dst;

				ret = parse_attrs(&c, t, n, 0, &one);
				if (ret)
					goto out;
				if (n != 3) {
					ret = fail(&c, t[3].col,
						   "expected the end of the line after the unit");
					goto out;
				}
				if (one.incline_centi_pct.set) {
					src = &one.incline_centi_pct;
					dst = &def.incline_centi_pct;
				} else if (one.bw_pct_x100.set) {
					src = &one.bw_pct_x100;
					dst = &def.bw_pct_x100;
				} else {
					src = &one.ramp_ms;
					dst = &def.ramp_ms;
				}
				if (dst->set) {
					ret = fail(&c, 1, "'%s:' given twice",
						   key);
					goto out;
				}
				*dst = *src;
			}
			continue;
		}

		ret = tokenize(&c, t, TOKS_MAX, &n);
		if (ret)
			goto out;
		if (tok_is(&t[0], "repeat")) {
			int32_t cnt;

			if (in_repeat) {
				ret = fail(&c, t[0].col,
					   "repeat inside a repeat; expected 'end' of the repeat at line %u first",
					   repeat_line);
				goto out;
			}
			if (n < 2) {
				ret = fail(&c, t[0].col + 7,
					   "expected a count after 'repeat', like 'repeat 4'");
				goto out;
			}
			ret = parse_x100(&c, &t[1], false, "a repeat count",
					 &cnt);
			if (ret)
				goto out;
			if (cnt % 100 || cnt / 100 < 1 ||
			    cnt / 100 > PLAN_REPEAT_MAX) {
				ret = fail(&c, t[1].col,
					   "repeat count must be a whole number from 1 to %d",
					   PLAN_REPEAT_MAX);
				goto out;
			}
			if (n > 2) {
				ret = fail(&c, t[2].col,
					   "expected the end of the line after 'repeat %d'",
					   cnt / 100);
				goto out;
			}
			if (!seen_step) {
				ret = fail(&c, t[0].col,
					   "expected a warmup step before any repeat");
				goto out;
			}
			in_repeat = true;
			repeat_line = c.line;
			repeat_count = (unsigned int)(cnt / 100);
			repeat_first = s->n_steps;
			continue;
		}
		if (tok_is(&t[0], "end")) {
			size_t body, r, k;

			if (!in_repeat) {
				ret = fail(&c, t[0].col,
					   "'end' without a 'repeat'");
				goto out;
			}
			if (n > 1) {
				ret = fail(&c, t[1].col,
					   "expected the end of the line after 'end'");
				goto out;
			}
			body = s->n_steps - repeat_first;
			if (!body) {
				ret = fail(&c, t[0].col,
					   "empty repeat; expected at least one step between 'repeat' and 'end'");
				goto out;
			}
			for (k = repeat_first; k < repeat_first + body; k++) {
				s->steps[k].repeat_index = 1;
				s->steps[k].repeat_count = repeat_count;
			}
			for (r = 2; r <= repeat_count; r++) {
				for (k = 0; k < body; k++) {
					st = s->steps[repeat_first + k];
					st.repeat_index = (uint16_t)r;
					ret = add_step(&c, s, &st);
					if (ret)
						goto out;
					total += st.duration_ms;
				}
			}
			in_repeat = false;
			continue;
		}
		if (parse_kind(&t[0], &kind)) {
			ret = fail(&c, t[0].col,
				   "unknown step '%s'; expected warmup, walk, run, cooldown, repeat, end or a 'key:' line",
				   quote(&t[0], q, sizeof(q)));
			goto out;
		}
		if (n < 2) {
			ret = fail(&c, t[0].col + t[0].len + 1,
				   "expected a duration like 5:00 after '%s'",
				   plan_step_kind_name(kind));
			goto out;
		}
		ret = parse_duration(&c, &t[1], &dur);
		if (ret)
			goto out;
		ret = parse_attrs(&c, t, n, 2, &a);
		if (ret)
			goto out;
		ret = resolve(&c, &t[0], &def, &a, kind, dur, &st);
		if (ret)
			goto out;
		if (!seen_step && kind != PLAN_WARMUP) {
			ret = fail(&c, t[0].col,
				   "the first step is '%s'; expected a walking warmup first",
				   plan_step_kind_name(kind));
			goto out;
		}
		if (s->n_steps &&
		    s->steps[s->n_steps - 1].kind == PLAN_COOLDOWN) {
			ret = fail(&c, t[0].col,
				   "step after the cooldown; expected the cooldown to be the last step");
			goto out;
		}
		if (kind == PLAN_WARMUP && seen_step &&
		    s->steps[s->n_steps - 1].kind != PLAN_WARMUP) {
			ret = fail(&c, t[0].col,
				   "warmup after other steps; expected warmups only at the start");
			goto out;
		}
		if (in_repeat && (kind == PLAN_WARMUP ||
				  kind == PLAN_COOLDOWN)) {
			ret = fail(&c, t[0].col,
				   "'%s' inside a repeat; expected run or walk steps",
				   plan_step_kind_name(kind));
			goto out;
		}
		seen_step = true;
		ret = add_step(&c, s, &st);
		if (ret)
			goto out;
		total += dur;
	}
	c.line++;
	if (in_repeat) {
		ret = fail(&c, 1,
			   "end of file inside the repeat of line %u (truncated?); expected 'end'",
			   repeat_line);
		goto out;
	}
	if (!s->n_steps) {
		ret = fail(&c, 1, "no steps (truncated?); expected a warmup, the session and a cooldown");
		goto out;
	}
	if (s->steps[s->n_steps - 1].kind != PLAN_COOLDOWN) {
		ret = fail(&c, 1,
			   "the last step is '%s' (truncated?); expected a walking cooldown last",
			   plan_step_kind_name(s->steps[s->n_steps - 1].kind));
		goto out;
	}
	if (total > PLAN_SESSION_MAX_MS) {
		ret = fail(&c, 1,
			   "session lasts %llu:%02llu, expected at most 2:00:00",
			   (unsigned long long)(total / 60000),
			   (unsigned long long)(total / 1000 % 60));
		goto out;
	}
	s->total_ms = (uint32_t)total;
	s->bw_min_pct_x100 = PLAN_BW_MAX_PCT_X100;
	for (i = 0; i < s->n_steps; i++) {
		const struct plan_step *p = &s->steps[i];

		if (p->kind == PLAN_RUN)
			s->run_ms += p->duration_ms;
		if (p->bw_carried_pct_x100 < s->bw_min_pct_x100)
			s->bw_min_pct_x100 = p->bw_carried_pct_x100;
		if (p->bw_carried_pct_x100 > s->bw_max_pct_x100)
			s->bw_max_pct_x100 = p->bw_carried_pct_x100;
	}
	return 0;
out:
	plan_session_clear(s);
	return ret;
}

static int parse_uint_value(struct cursor *c, size_t vstart,
			    const char *key, unsigned int max,
			    unsigned int *out)
{
	unsigned long v = 0;
	size_t i = vstart;

	if (i >= c->llen)
		return fail(c, i + 1, "expected a whole number after '%s:'",
			    key);
	for (; i < c->llen && c->l[i] >= '0' && c->l[i] <= '9'; i++) {
		v = v * 10 + (c->l[i] - '0');
		if (v > 1000)
			break;
	}
	while (i < c->llen && (c->l[i] == ' ' || c->l[i] == '\t'))
		i++;
	if (i != c->llen)
		return fail(c, i + 1, "expected a whole number after '%s:'",
			    key);
	if (v < 1 || v > max)
		return fail(c, vstart + 1, "'%s' must be from 1 to %u", key,
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

void plan_clear(struct plan *p)
{
	free(p->name);
	free(p->author);
	free(p->scope);
	free(p->description);
	free(p->provenance);
	free(p->note);
	free(p->disclaimer);
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
	ret = check_text(&c);
	if (ret)
		return ret;
	c.line = 0;
	ret = expect_magic(&c, PLAN_MAGIC);
	if (ret)
		return ret;
	while (next_line(&c)) {
		size_t klen, vstart;
		char key[32];
		struct tok kt;
		char q[64];

		if (is_blank_or_comment(c.l, c.llen))
			continue;
		if (!split_key(c.l, c.llen, &klen, &vstart) || klen >= 32) {
			kt.s = c.l;
			kt.len = c.llen;
			kt.col = 1;
			ret = fail(&c, 1,
				   "expected 'key: value' (or an indented continuation of the text above), got '%s'",
				   quote(&kt, q, sizeof(q)));
			goto out;
		}
		snprintf(key, sizeof(key), "%.*s", (int)klen, c.l);
		if (!strcmp(key, "weeks") || !strcmp(key, "sessions-per-week")) {
			bool w = key[0] == 'w';

			if (w ? have_weeks : have_spw) {
				ret = fail(&c, 1, "'%s:' given twice", key);
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
			ret = fail(&c, 1,
				   "unknown key '%s'; expected name, author, scope, description, provenance, note, disclaimer, weeks, sessions-per-week, criterion, progression, regression or rule",
				   quote(&kt, q, sizeof(q)));
			goto out;
		}
		if (keys[k].single) {
			if (*keys[k].single) {
				ret = fail(&c, 1, "'%s:' given twice", key);
				goto out;
			}
			ret = read_text(&c, vstart, key, keys[k].single);
		} else {
			struct plan_text_list *l = keys[k].list;

			if (l->n == PLAN_LIST_MAX) {
				ret = fail(&c, 1, "more than %d '%s:' lines",
					   PLAN_LIST_MAX, key);
				goto out;
			}
			ret = read_text(&c, vstart, key, &l->item[l->n]);
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
			ret = fail(&c, 1,
				   "missing '%s:' (truncated?); every plan needs it",
				   keys[k].key);
			goto out;
		}
	}
	if (!have_weeks || !have_spw) {
		ret = fail(&c, 1, "missing '%s:' (truncated?); every plan needs it",
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

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
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
