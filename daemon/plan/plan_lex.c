// SPDX-License-Identifier: MIT
/*
 * plan_lex.c - the plan parser's lexer: lines, words, numbers with units,
 * durations and text values, each error naming file:line:col and what
 * was expected (lex_fail). It knows no keys: plan.c gives the words their
 * meaning. Never reads a byte past the text it was given.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lever_utf8.h"
#include "plan_lex.h"

int lex_fail(struct cursor *c, unsigned int col, const char *fmt, ...)
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

int lex_nomem(struct cursor *c)
{
	lex_fail(c, 1, "out of memory");
	return -ENOMEM;
}

/* Quote at most 24 bytes of a token for a message. */
const char *lex_quote(const struct tok *t, char *buf, size_t len)
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
int lex_next_line(struct cursor *c)
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

/*
 * Whole-text checks: a final newline (catches truncation), no NUL, and
 * UTF-8 throughout: a plan is shown as JSON, which holds nothing else.
 */
int lex_check_text(struct cursor *c)
{
	const unsigned char *t = (const unsigned char *)c->text;
	size_t i, n;
	unsigned int line = 1, col = 1;

	if (c->len > PLAN_FILE_MAX) {
		c->line = 1;
		return lex_fail(c, 1,
				"file is larger than %d bytes", PLAN_FILE_MAX);
	}
	for (i = 0; i < c->len; i += n) {
		if (c->text[i] == '\0') {
			c->line = line;
			return lex_fail(c, col, "NUL byte in a text file");
		}
		n = lever_utf8_len(t + i, c->len - i);
		if (!n) {
			c->line = line;
			return lex_fail(c, col,
					"byte 0x%02x is not UTF-8; save the file as UTF-8",
					t[i]);
		}
		/* columns count bytes, as the tokens' do */
		if (c->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col += n;
		}
	}
	if (c->len == 0) {
		c->line = 1;
		return lex_fail(c, 1,
				"empty file, expected '%s' on the first line",
				strncmp(c->file, "plan", 4) ? SESSION_MAGIC :
				PLAN_MAGIC);
	}
	if (c->text[c->len - 1] != '\n') {
		c->line = line;
		return lex_fail(c, col,
				"file ends in the middle of a line (truncated?); expected a newline at the end");
	}
	return 0;
}

bool lex_blank_or_comment(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i == n || l[i] == '#';
}

int lex_tokenize(struct cursor *c, struct tok *t, size_t max, size_t *n)
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
			return lex_fail(c, i + 1,
					"too many words on one line (at most %zu)",
					max);
		start = i;
		while (i < c->llen && c->l[i] != ' ' && c->l[i] != '\t') {
			unsigned char ch = c->l[i];

			if (ch < 0x20 || ch == 0x7f)
				return lex_fail(c, i + 1,
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

bool lex_tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

/*
 * A decimal number with at most two fractional digits, scaled by 100:
 * "8.5" -> 850. Optional leading '-' only when allow_neg.
 */
int lex_x100(struct cursor *c, const struct tok *t, bool allow_neg,
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
	return lex_fail(c, t->col,
			"expected %s as a number like %s (at most 2 decimals), got '%s'",
			what, allow_neg ? "-1.5 or 8.25" : "8.25",
			lex_quote(t, q, sizeof(q)));
}

/* "M:SS" or "H:MM:SS" into ms. */
int lex_duration(struct cursor *c, const struct tok *t,
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
		return lex_fail(c, t->col,
				"step duration %s is out of range; expected 0:05 to 60:00",
				lex_quote(t, q, sizeof(q)));
	*ms = (uint32_t)(s * 1000);
	return 0;
bad:
	return lex_fail(c, t->col,
			"expected a duration like 5:00 (M:SS) or 1:05:00 (H:MM:SS), got '%s'",
			lex_quote(t, q, sizeof(q)));
}

int lex_expect_unit(struct cursor *c, const struct tok *num,
		    const struct tok *unit, const char *want,
		    const char *what)
{
	char q[64];

	if (!unit)
		return lex_fail(c, num->col + num->len + 1,
				"expected the unit '%s' after the %s, got the end of the line",
				want, what);
	if (!lex_tok_is(unit, want))
		return lex_fail(c, unit->col,
				"expected the unit '%s' after the %s, got '%s'",
				want, what, lex_quote(unit, q, sizeof(q)));
	return 0;
}

/* "key: value" split; returns false when the line is not of that form. */
bool lex_split_key(const char *l, size_t n, size_t *klen, size_t *vstart)
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
			return lex_fail(c, i + 1,
					"control character 0x%02x in text",
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
int lex_read_text(struct cursor *c, size_t vstart, const char *key,
		  char **out)
{
	/*
	 * Built here, then copied at its length: a malloc of the most a
	 * text may be, per text, held every loaded plan's texts at 4 KiB
	 * each (a plan is read whole on every request).
	 */
	char buf[PLAN_TEXT_MAX + 1];
	size_t len;
	int ret;

	ret = check_text_value(c, vstart);
	if (ret)
		return ret;
	if (vstart >= c->llen)
		return lex_fail(c, vstart + 1,
				"expected a text after '%s:'", key);
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

		if (!lex_next_line(c))
			break;
		if (!c->llen || (c->l[0] != ' ' && c->l[0] != '\t') ||
		    lex_blank_or_comment(c->l, c->llen)) {
			c->pos = save_pos;
			c->line = save_line;
			c->l = save_l;
			c->llen = save_llen;
			break;
		}
		ret = check_text_value(c, 0);
		if (ret)
			return ret;
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
	*out = strdup(buf);
	return *out ? 0 : lex_nomem(c);
too_long:
	return lex_fail(c, 1, "text of '%s' is longer than %d bytes", key,
			PLAN_TEXT_MAX);
}

int lex_expect_magic(struct cursor *c, const char *magic)
{
	char q[64];
	struct tok t;

	while (lex_next_line(c)) {
		if (lex_blank_or_comment(c->l, c->llen))
			continue;
		if (c->llen == strlen(magic) && !memcmp(c->l, magic, c->llen))
			return 0;
		t.s = c->l;
		t.len = c->llen;
		t.col = 1;
		return lex_fail(c, 1,
				"expected '%s' as the first line, got '%s'",
				magic, lex_quote(&t, q, sizeof(q)));
	}
	return lex_fail(c, 1, "expected '%s', got the end of the file", magic);
}
