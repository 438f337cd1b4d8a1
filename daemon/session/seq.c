// SPDX-License-Identifier: MIT
/*
 * seq_: the session sequencer. Pure: time comes in as now_ns, set-points
 * go out; no clock, no I/O, no allocation after seq_create(). It must never
 * let the belt move outside SEQ_RUNNING, and only seq_start()/seq_resume()
 * (which bump the generation) lead there.
 */
#include "seq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../control/targets.h"

struct seq {
	struct plan_step *steps;
	size_t n;
	enum seq_state state;
	enum seq_end end;
	int pain_score;
	unsigned int skipped;
	uint32_t generation;
	size_t step;
	uint32_t acc_ms;	/* step time before the running segment */
	uint64_t seg_start_ns;	/* start of the running segment */
	uint32_t done_ms;	/* time of the steps already left */
	/* the ramp into the current targets, in step time */
	int32_t from_speed_mm_s;
	int32_t from_incline_centi_pct;
	int32_t from_bw_pct_x100;
	uint32_t ramp_start_ms;
	uint32_t ramp_ms;
	/* set-points held while paused or stopped */
	int32_t held_incline_centi_pct;
	int32_t held_bw_pct_x100;
};

int seq_create(struct seq **q, const struct plan_step *steps, size_t n)
{
	struct seq *s;

	*q = NULL;
	if (!steps || !n)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->steps = malloc(n * sizeof(*steps));
	if (!s->steps) {
		free(s);
		return -ENOMEM;
	}
	memcpy(s->steps, steps, n * sizeof(*steps));
	s->n = n;
	s->pain_score = -1;
	s->held_bw_pct_x100 = LEVERD_BW_FULL_X100;
	*q = s;
	return 0;
}

void seq_destroy(struct seq *q)
{
	if (!q)
		return;
	free(q->steps);
	free(q);
}

static uint32_t step_elapsed_ms(const struct seq *q, uint64_t now_ns)
{
	uint64_t e = q->acc_ms;

	if (q->state == SEQ_RUNNING && now_ns > q->seg_start_ns)
		e += (now_ns - q->seg_start_ns) / 1000000u;
	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

static int32_t lerp(int32_t from, int32_t to, uint32_t t, uint32_t len)
{
	if (t >= len)
		return to;
	return from + (int32_t)(((int64_t)to - from) * t / len);
}

/* Set-points of the current step at step time e (running). */
static void setpoints(const struct seq *q, uint32_t e, int32_t *speed,
		      int32_t *incline, int32_t *bw, uint32_t *left)
{
	const struct plan_step *st = &q->steps[q->step];
	uint32_t t = e > q->ramp_start_ms ? e - q->ramp_start_ms : 0;

	*speed = lerp(q->from_speed_mm_s, st->belt_speed_mm_s, t, q->ramp_ms);
	*incline = lerp(q->from_incline_centi_pct, st->incline_centi_pct, t,
			q->ramp_ms);
	*bw = lerp(q->from_bw_pct_x100, st->bw_carried_pct_x100, t,
		   q->ramp_ms);
	*left = t >= q->ramp_ms ? 0 : q->ramp_ms - t;
}

static void begin_ramp(struct seq *q, int32_t speed, int32_t incline,
		       int32_t bw, uint32_t at_ms)
{
	q->from_speed_mm_s = speed;
	q->from_incline_centi_pct = incline;
	q->from_bw_pct_x100 = bw;
	q->ramp_start_ms = at_ms;
	q->ramp_ms = q->steps[q->step].ramp_ms;
}

/* Freeze the current set-points (support and incline are held). */
static void hold(struct seq *q, uint64_t now_ns)
{
	int32_t speed, incline, bw;
	uint32_t left;

	if (q->state != SEQ_RUNNING)
		return;
	setpoints(q, step_elapsed_ms(q, now_ns), &speed, &incline, &bw,
		  &left);
	q->held_incline_centi_pct = incline;
	q->held_bw_pct_x100 = bw;
}

int seq_start(struct seq *q, uint64_t now_ns)
{
	const struct plan_step *st0 = &q->steps[0];

	if (q->state == SEQ_RUNNING || q->state == SEQ_PAUSED)
		return -EBUSY;
	q->generation++;
	q->state = SEQ_RUNNING;
	q->end = SEQ_END_NONE;
	q->pain_score = -1;
	q->skipped = 0;
	q->step = 0;
	q->acc_ms = 0;
	q->done_ms = 0;
	q->seg_start_ns = now_ns;
	/* Belt from standstill; support set to the first step from the start
	 * (the daemon's rate limits bring it there before the belt moves). */
	begin_ramp(q, 0, 0, st0->bw_carried_pct_x100, 0);
	return 0;
}

int seq_pause(struct seq *q, uint64_t now_ns)
{
	if (q->state != SEQ_RUNNING)
		return -EINVAL;
	hold(q, now_ns);
	q->acc_ms = step_elapsed_ms(q, now_ns);
	q->state = SEQ_PAUSED;
	return 0;
}

int seq_resume(struct seq *q, uint64_t now_ns)
{
	if (q->state != SEQ_PAUSED)
		return -EINVAL;
	q->generation++;
	q->state = SEQ_RUNNING;
	q->seg_start_ns = now_ns;
	begin_ramp(q, 0, q->held_incline_centi_pct, q->held_bw_pct_x100,
		   q->acc_ms);
	return 0;
}

static void finish(struct seq *q, enum seq_end why)
{
	q->state = why == SEQ_END_COMPLETED ? SEQ_FINISHED : SEQ_STOPPED;
	q->end = why;
}

/* Leave the current step at step time e (running or paused). */
static void next_step(struct seq *q, uint32_t e, int32_t speed,
		      int32_t incline, int32_t bw)
{
	q->done_ms += e;
	if (q->step + 1 >= q->n) {
		q->held_incline_centi_pct = incline;
		q->held_bw_pct_x100 = bw;
		q->acc_ms = 0;
		finish(q, SEQ_END_COMPLETED);
		return;
	}
	q->step++;
	q->acc_ms = 0;
	begin_ramp(q, speed, incline, bw, 0);
}

int seq_skip(struct seq *q, uint64_t now_ns)
{
	uint32_t e, left;
	int32_t speed, incline, bw;

	if (q->state != SEQ_RUNNING && q->state != SEQ_PAUSED)
		return -EINVAL;
	e = step_elapsed_ms(q, now_ns);
	if (q->state == SEQ_RUNNING) {
		setpoints(q, e, &speed, &incline, &bw, &left);
	} else {
		speed = 0;
		incline = q->held_incline_centi_pct;
		bw = q->held_bw_pct_x100;
	}
	q->skipped++;
	q->seg_start_ns = now_ns;
	next_step(q, e, speed, incline, bw);
	if (q->state == SEQ_PAUSED) {
		/* still paused: resume ramps from standstill */
		q->held_incline_centi_pct = incline;
		q->held_bw_pct_x100 = bw;
	}
	return 0;
}

int seq_stop(struct seq *q, uint64_t now_ns, enum seq_end why)
{
	if (q->state != SEQ_RUNNING && q->state != SEQ_PAUSED)
		return -EINVAL;
	if (why == SEQ_END_NONE || why == SEQ_END_COMPLETED)
		why = SEQ_END_OPERATOR;
	hold(q, now_ns);
	q->acc_ms = step_elapsed_ms(q, now_ns);
	finish(q, why);
	return 0;
}

int seq_pain(struct seq *q, uint64_t now_ns, int score)
{
	int ret = seq_stop(q, now_ns, SEQ_END_PAIN);

	if (!ret)
		q->pain_score = score < 0 || score > 10 ? -1 : score;
	return ret;
}

void seq_update(struct seq *q, uint64_t now_ns, struct seq_out *out)
{
	uint32_t e = 0, left = 0, rest = 0;
	int32_t speed = 0, incline, bw;
	size_t i;

	if (q->state == SEQ_RUNNING) {
		/* Cross as many step ends as the time covers. */
		for (;;) {
			const struct plan_step *st = &q->steps[q->step];

			e = step_elapsed_ms(q, now_ns);
			if (e < st->duration_ms)
				break;
			setpoints(q, st->duration_ms, &speed, &incline, &bw,
				  &left);
			q->acc_ms = e - st->duration_ms;
			q->seg_start_ns = now_ns;
			/* next_step adds the step time; the overflow is
			 * already in acc_ms, so add the duration only */
			{
				uint32_t over = q->acc_ms;

				next_step(q, st->duration_ms, speed, incline,
					  bw);
				if (q->state != SEQ_RUNNING)
					break;
				q->acc_ms = over;
			}
		}
	}

	memset(out, 0, sizeof(*out));
	out->state = q->state;
	out->generation = q->generation;
	out->step_index = q->state == SEQ_IDLE ? -1 : (int)q->step;
	if (q->state == SEQ_RUNNING) {
		e = step_elapsed_ms(q, now_ns);
		setpoints(q, e, &speed, &incline, &bw, &left);
		out->moving = true;
		out->belt_speed_mm_s = speed;
		out->incline_centi_pct = incline;
		out->bw_carried_pct_x100 = bw;
		out->ramp_remaining_ms = left;
	} else {
		e = q->acc_ms;
		out->incline_centi_pct = q->held_incline_centi_pct;
		out->bw_carried_pct_x100 = q->held_bw_pct_x100;
	}
	if (q->state == SEQ_RUNNING || q->state == SEQ_PAUSED) {
		out->step_elapsed_ms = e;
		out->step_remaining_ms = q->steps[q->step].duration_ms - e;
		rest = out->step_remaining_ms;
		for (i = q->step + 1; i < q->n; i++)
			rest += q->steps[i].duration_ms;
	}
	out->session_elapsed_ms = q->done_ms +
		(q->state == SEQ_RUNNING || q->state == SEQ_PAUSED ||
		 q->state == SEQ_STOPPED ? e : 0);
	out->session_remaining_ms = rest;
}

enum seq_state seq_state(const struct seq *q)
{
	return q->state;
}

enum seq_end seq_end_cause(const struct seq *q)
{
	return q->end;
}

int seq_pain_score(const struct seq *q)
{
	return q->pain_score;
}

unsigned int seq_steps_skipped(const struct seq *q)
{
	return q->skipped;
}

const struct plan_step *seq_step(const struct seq *q, size_t i)
{
	return i < q->n ? &q->steps[i] : NULL;
}

size_t seq_n_steps(const struct seq *q)
{
	return q->n;
}

const char *seq_end_name(enum seq_end e)
{
	switch (e) {
	case SEQ_END_NONE:
		return "none";
	case SEQ_END_COMPLETED:
		return "completed";
	case SEQ_END_OPERATOR:
		return "operator stop";
	case SEQ_END_PAIN:
		return "pain";
	case SEQ_END_FAULT:
		return "fault";
	}
	return "?";
}
