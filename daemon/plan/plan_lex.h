/* SPDX-License-Identifier: MIT */
/*
 * plan_lex.h - the lexer of the plan parser (plan_lex.c), private to
 * daemon/plan/. A cursor walks a file's text line by line; every function
 * that fails fills the cursor's plan_error and returns -EINVAL (-ENOMEM
 * for lex_nomem).
 */
#ifndef LEVER_PLAN_LEX_H
#define LEVER_PLAN_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

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

int lex_fail(struct cursor *c, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lex_nomem(struct cursor *c);
/* Quote at most 24 bytes of a token for a message. */
const char *lex_quote(const struct tok *t, char *buf, size_t len);
/* Next line into c->l; 0 at end of text, 1 when a line was read. */
int lex_next_line(struct cursor *c);
/* Whole-text checks: a final newline (catches truncation) and no NUL. */
int lex_check_text(struct cursor *c);
bool lex_blank_or_comment(const char *l, size_t n);
/* The current line's words (up to a '#' comment), at most @max. */
int lex_tokenize(struct cursor *c, struct tok *t, size_t max, size_t *n);
bool lex_tok_is(const struct tok *t, const char *s);
/* "8.5" -> 850: at most two decimals; a leading '-' only if allow_neg. */
int lex_x100(struct cursor *c, const struct tok *t, bool allow_neg,
	     const char *what, int32_t *out);
/* "M:SS" or "H:MM:SS" into ms, within a step's bounds. */
int lex_duration(struct cursor *c, const struct tok *t, uint32_t *ms);
/* @unit (NULL at the end of the line) must be @want. */
int lex_expect_unit(struct cursor *c, const struct tok *num,
		    const struct tok *unit, const char *want,
		    const char *what);
/* "key: value" split; returns false when the line is not of that form. */
bool lex_split_key(const char *l, size_t n, size_t *klen, size_t *vstart);
/* A text value and its continuation lines, into a new *out. */
int lex_read_text(struct cursor *c, size_t vstart, const char *key,
		  char **out);
/* Skips blank and comment lines; the first other line must be @magic. */
int lex_expect_magic(struct cursor *c, const char *magic);

#endif /* LEVER_PLAN_LEX_H */
