// SPDX-License-Identifier: MIT
/*
 * plan_session.c - one session file ("lever-session 1"): header keys,
 * steps with their attributes and bounds, repeats unrolled, and the order
 * a session must have. Each keyword has a helper of its own; the words
 * and numbers come from the lexer (plan_lex.c). It never guesses: the
 * first thing it does not expect is an error naming file:line:col.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_lex.h"

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
		return lex_fail(c, col,
				"belt speed %d.%02d km/h is out of range; expected 0 to 20 km/h",
				v / 100, v % 100);
	return 0;
}

static int check_incline(struct cursor *c, unsigned int col, int32_t v)
{
	if (v < PLAN_INCLINE_MIN_CENTI_PCT || v > PLAN_INCLINE_MAX_CENTI_PCT)
		return lex_fail(c, col,
				"incline %s%d.%02d %% is out of range; expected -3 to 15 %%",
				v < 0 ? "-" : "", abs(v) / 100, abs(v) % 100);
	return 0;
}

static int check_bw(struct cursor *c, unsigned int col, int32_t v)
{
	if (v < PLAN_BW_MIN_PCT_X100 || v > PLAN_BW_MAX_PCT_X100)
		return lex_fail(c, col,
				"body weight carried %d.%02d %% is out of range; expected 50 to 100 %%",
				v / 100, v % 100);
	return 0;
}

static int check_ramp(struct cursor *c, unsigned int col, int32_t v_x100)
{
	/* v_x100 is seconds x100 */
	if (v_x100 < 0 || (uint32_t)v_x100 * 10 > PLAN_RAMP_MAX_MS)
		return lex_fail(c, col,
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

		if (lex_tok_is(&t[i], "speed")) {
			dst = &a->speed_km_h_x100;
			unit = "km/h";
			what = "belt speed";
		} else if (lex_tok_is(&t[i], "incline")) {
			dst = &a->incline_centi_pct;
			unit = "%";
			what = "incline";
		} else if (lex_tok_is(&t[i], "bw")) {
			dst = &a->bw_pct_x100;
			unit = "%";
			what = "body weight carried";
		} else if (lex_tok_is(&t[i], "ramp")) {
			dst = &a->ramp_ms;
			unit = "s";
			what = "ramp time";
		} else {
			return lex_fail(c, t[i].col,
					"unknown attribute '%s'; expected speed, incline, bw or ramp",
					lex_quote(&t[i], q, sizeof(q)));
		}
		if (dst->set)
			return lex_fail(c, t[i].col, "%s given twice", what);
		if (i + 1 >= n)
			return lex_fail(c, t[i].col + t[i].len + 1,
					"expected a value for %s, got the end of the line",
					what);
		ret = lex_x100(c, &t[i + 1], dst == &a->incline_centi_pct,
			       what, &v);
		if (ret)
			return ret;
		ret = lex_expect_unit(c, &t[i + 1],
				      i + 2 < n ? &t[i + 2] : NULL, unit, what);
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
		return lex_fail(c, 1, "more than %d steps (repeats unrolled)",
				PLAN_STEPS_MAX);
	n = realloc(s->steps, (s->n_steps + 1) * sizeof(*n));
	if (!n)
		return lex_nomem(c);
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
		return lex_fail(c, end, "expected 'speed N km/h' in this step");
	if (!in->set)
		return lex_fail(c, end,
				"expected 'incline N %%' in this step (or 'incline:' before the first step)");
	if (!bw->set)
		return lex_fail(c, end,
				"expected 'bw N %%' in this step (or 'bw:' before the first step)");
	if (!rp->set)
		return lex_fail(c, end,
				"expected 'ramp N s' in this step (or 'ramp:' before the first step)");
	if ((uint32_t)rp->v >= duration_ms)
		return lex_fail(c, rp->col,
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
		if (lex_tok_is(t, plan_step_kind_name(kinds[i]))) {
			*k = kinds[i];
			return 0;
		}
	}
	return -EINVAL;
}

/* A session file being read: the cursor, the header's defaults, a repeat. */
struct session_parse {
	struct cursor c;
	struct plan_session *s;
	struct attrs def;		/* "incline:", "bw:", "ramp:" */
	struct tok t[TOKS_MAX];		/* the words of the current line */
	size_t n;
	bool seen_step;
	bool in_repeat;
	unsigned int repeat_line;	/* of the open repeat */
	unsigned int repeat_count;
	size_t repeat_first;		/* its first step */
	uint64_t total_ms;
};

/* "title:" and "note:": a text, once each. */
static int session_text(struct session_parse *p, const char *key,
			size_t vstart)
{
	char **dst = key[0] == 't' ? &p->s->title : &p->s->note;

	if (*dst)
		return lex_fail(&p->c, 1, "'%s:' given twice", key);
	return lex_read_text(&p->c, vstart, key, dst);
}

/*
 * "incline:", "bw:" and "ramp:": a default for the steps that do not give
 * their own, written as the attribute pair with a colon ("bw: 80 %").
 */
static int session_default(struct session_parse *p, const char *key)
{
	struct attrs one = { 0 };
	struct attr *src, *dst;
	int ret;

	ret = lex_tokenize(&p->c, p->t, TOKS_MAX, &p->n);
	if (ret)
		return ret;
	p->t[0].len--;	/* drop ':' */
	ret = parse_attrs(&p->c, p->t, p->n, 0, &one);
	if (ret)
		return ret;
	if (p->n != 3)
		return lex_fail(&p->c, p->t[3].col,
				"expected the end of the line after the unit");
	if (one.incline_centi_pct.set) {
		src = &one.incline_centi_pct;
		dst = &p->def.incline_centi_pct;
	} else if (one.bw_pct_x100.set) {
		src = &one.bw_pct_x100;
		dst = &p->def.bw_pct_x100;
	} else {
		src = &one.ramp_ms;
		dst = &p->def.ramp_ms;
	}
	if (dst->set)
		return lex_fail(&p->c, 1, "'%s:' given twice", key);
	*dst = *src;
	return 0;
}

/* A "key: value" line: only in the header, before the first step. */
static int session_key(struct session_parse *p, size_t klen, size_t vstart)
{
	struct cursor *c = &p->c;
	struct tok kt = { c->l, klen, 1 };
	char key[32], q[64];

	snprintf(key, sizeof(key), "%.*s", (int)klen, c->l);
	if (p->seen_step)
		return lex_fail(c, 1,
				"'%s:' after the first step; expected header keys before the steps",
				key);
	if (!strcmp(key, "title") || !strcmp(key, "note"))
		return session_text(p, key, vstart);
	if (strcmp(key, "speed") && strcmp(key, "incline") &&
	    strcmp(key, "bw") && strcmp(key, "ramp"))
		return lex_fail(c, 1,
				"unknown key '%s'; expected title, note, incline, bw or ramp",
				lex_quote(&kt, q, sizeof(q)));
	if (!strcmp(key, "speed"))
		return lex_fail(c, 1,
				"'speed:' has no session default; expected it on each step");
	return session_default(p, key);
}

/* "repeat N": the steps up to "end" run N times. */
static int session_repeat(struct session_parse *p)
{
	struct cursor *c = &p->c;
	const struct tok *t = p->t;
	int32_t cnt;
	int ret;

	if (p->in_repeat)
		return lex_fail(c, t[0].col,
				"repeat inside a repeat; expected 'end' of the repeat at line %u first",
				p->repeat_line);
	if (p->n < 2)
		return lex_fail(c, t[0].col + 7,
				"expected a count after 'repeat', like 'repeat 4'");
	ret = lex_x100(c, &t[1], false, "a repeat count", &cnt);
	if (ret)
		return ret;
	if (cnt % 100 || cnt / 100 < 1 || cnt / 100 > PLAN_REPEAT_MAX)
		return lex_fail(c, t[1].col,
				"repeat count must be a whole number from 1 to %d",
				PLAN_REPEAT_MAX);
	if (p->n > 2)
		return lex_fail(c, t[2].col,
				"expected the end of the line after 'repeat %d'",
				cnt / 100);
	if (!p->seen_step)
		return lex_fail(c, t[0].col,
				"expected a warmup step before any repeat");
	p->in_repeat = true;
	p->repeat_line = c->line;
	p->repeat_count = (unsigned int)(cnt / 100);
	p->repeat_first = p->s->n_steps;
	return 0;
}

/* "end": the repeat's body is unrolled, each copy numbered. */
static int session_end(struct session_parse *p)
{
	struct cursor *c = &p->c;
	struct plan_session *s = p->s;
	const struct tok *t = p->t;
	struct plan_step st;
	size_t body, r, k;
	int ret;

	if (!p->in_repeat)
		return lex_fail(c, t[0].col, "'end' without a 'repeat'");
	if (p->n > 1)
		return lex_fail(c, t[1].col,
				"expected the end of the line after 'end'");
	body = s->n_steps - p->repeat_first;
	if (!body)
		return lex_fail(c, t[0].col,
				"empty repeat; expected at least one step between 'repeat' and 'end'");
	for (k = p->repeat_first; k < p->repeat_first + body; k++) {
		s->steps[k].repeat_index = 1;
		s->steps[k].repeat_count = p->repeat_count;
	}
	for (r = 2; r <= p->repeat_count; r++) {
		for (k = 0; k < body; k++) {
			st = s->steps[p->repeat_first + k];
			st.repeat_index = (uint16_t)r;
			ret = add_step(c, s, &st);
			if (ret)
				return ret;
			p->total_ms += st.duration_ms;
		}
	}
	p->in_repeat = false;
	return 0;
}

/*
 * "run 5:00 speed 8.5 km/h ...": one step, in the order a session must
 * have (a walking warmup first, a cooldown last, neither in a repeat).
 */
static int session_step(struct session_parse *p)
{
	struct cursor *c = &p->c;
	struct plan_session *s = p->s;
	const struct tok *t = p->t;
	enum plan_step_kind kind;
	struct attrs a = { 0 };
	struct plan_step st;
	uint32_t dur = 0;
	char q[64];
	int ret;

	if (parse_kind(&t[0], &kind))
		return lex_fail(c, t[0].col,
				"unknown step '%s'; expected warmup, walk, run, cooldown, repeat, end or a 'key:' line",
				lex_quote(&t[0], q, sizeof(q)));
	if (p->n < 2)
		return lex_fail(c, t[0].col + t[0].len + 1,
				"expected a duration like 5:00 after '%s'",
				plan_step_kind_name(kind));
	ret = lex_duration(c, &t[1], &dur);
	if (ret)
		return ret;
	ret = parse_attrs(c, p->t, p->n, 2, &a);
	if (ret)
		return ret;
	ret = resolve(c, &t[0], &p->def, &a, kind, dur, &st);
	if (ret)
		return ret;
	if (!p->seen_step && kind != PLAN_WARMUP)
		return lex_fail(c, t[0].col,
				"the first step is '%s'; expected a walking warmup first",
				plan_step_kind_name(kind));
	if (s->n_steps && s->steps[s->n_steps - 1].kind == PLAN_COOLDOWN)
		return lex_fail(c, t[0].col,
				"step after the cooldown; expected the cooldown to be the last step");
	if (kind == PLAN_WARMUP && p->seen_step &&
	    s->steps[s->n_steps - 1].kind != PLAN_WARMUP)
		return lex_fail(c, t[0].col,
				"warmup after other steps; expected warmups only at the start");
	if (p->in_repeat && (kind == PLAN_WARMUP || kind == PLAN_COOLDOWN))
		return lex_fail(c, t[0].col,
				"'%s' inside a repeat; expected run or walk steps",
				plan_step_kind_name(kind));
	p->seen_step = true;
	ret = add_step(c, s, &st);
	if (ret)
		return ret;
	p->total_ms += dur;
	return 0;
}

/* After the last line: no open repeat, a cooldown last; the totals. */
static int session_finish(struct session_parse *p)
{
	struct cursor *c = &p->c;
	struct plan_session *s = p->s;
	size_t i;

	c->line++;
	if (p->in_repeat)
		return lex_fail(c, 1,
				"end of file inside the repeat of line %u (truncated?); expected 'end'",
				p->repeat_line);
	if (!s->n_steps)
		return lex_fail(c, 1,
				"no steps (truncated?); expected a warmup, the session and a cooldown");
	if (s->steps[s->n_steps - 1].kind != PLAN_COOLDOWN)
		return lex_fail(c, 1,
				"the last step is '%s' (truncated?); expected a walking cooldown last",
				plan_step_kind_name(s->steps[s->n_steps - 1].kind));
	if (p->total_ms > PLAN_SESSION_MAX_MS)
		return lex_fail(c, 1,
				"session lasts %llu:%02llu, expected at most 2:00:00",
				(unsigned long long)(p->total_ms / 60000),
				(unsigned long long)(p->total_ms / 1000 % 60));
	s->total_ms = (uint32_t)p->total_ms;
	s->bw_min_pct_x100 = PLAN_BW_MAX_PCT_X100;
	for (i = 0; i < s->n_steps; i++) {
		const struct plan_step *st = &s->steps[i];

		if (st->kind == PLAN_RUN)
			s->run_ms += st->duration_ms;
		if (st->bw_carried_pct_x100 < s->bw_min_pct_x100)
			s->bw_min_pct_x100 = st->bw_carried_pct_x100;
		if (st->bw_carried_pct_x100 > s->bw_max_pct_x100)
			s->bw_max_pct_x100 = st->bw_carried_pct_x100;
	}
	return 0;
}

int plan_parse_session(const char *file, const char *name, const char *text,
		       size_t len, struct plan_session *s,
		       struct plan_error *err)
{
	struct session_parse p = {
		.c = { .file = file, .text = text, .len = len, .err = err },
		.s = s,
	};
	struct cursor *c = &p.c;
	size_t klen, vstart;
	int ret;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	if (plan_session_name_parse(name, &s->week, &s->day)) {
		c->line = 1;
		return lex_fail(c, 1,
				"session file name '%.64s' is not of the form weekN-dayM",
				name);
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	ret = lex_check_text(c);
	if (ret)
		return ret;
	c->line = 0;
	ret = lex_expect_magic(c, SESSION_MAGIC);
	while (!ret && lex_next_line(c)) {
		if (lex_blank_or_comment(c->l, c->llen))
			continue;
		if (lex_split_key(c->l, c->llen, &klen, &vstart)) {
			ret = session_key(&p, klen, vstart);
			continue;
		}
		ret = lex_tokenize(c, p.t, TOKS_MAX, &p.n);
		if (ret)
			break;
		if (lex_tok_is(&p.t[0], "repeat"))
			ret = session_repeat(&p);
		else if (lex_tok_is(&p.t[0], "end"))
			ret = session_end(&p);
		else
			ret = session_step(&p);
	}
	if (!ret)
		ret = session_finish(&p);
	if (ret)
		plan_session_clear(s);
	return ret;
}
