/* SPDX-License-Identifier: MIT */
/*
 * seq_: the session sequencer, a pure state machine. It is handed the time
 * (now_ns, monotonic) and never reads a clock, sleeps or does I/O. After any
 * stop nothing moves until a new explicit seq_start().
 */
#ifndef LEVER_SEQ_H
#define LEVER_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"

struct seq;

enum seq_state {
	SEQ_IDLE,	/* never started */
	SEQ_RUNNING,
	SEQ_PAUSED,	/* belt to zero, support held, step clock frozen */
	SEQ_STOPPED,	/* stopped early: operator, pain or fault */
	SEQ_FINISHED,	/* last step done */
};

enum seq_end {
	SEQ_END_NONE,
	SEQ_END_COMPLETED,
	SEQ_END_OPERATOR,	/* seq_stop */
	SEQ_END_PAIN,		/* seq_pain */
	SEQ_END_FAULT,		/* seq_fault: supervisor, e-stop */
};

/* Set-points for now; speeds already ramped linearly between steps. */
struct seq_out {
	enum seq_state state;
	uint32_t generation;		/* +1 on every start and resume */
	bool moving;			/* belt may move (RUNNING only) */
	int32_t belt_speed_mm_s;	/* set-point now (0 unless moving) */
	int32_t incline_centi_pct;	/* set-point now */
	int32_t bw_carried_pct_x100;	/* set-point now; held on stop */
	uint32_t ramp_remaining_ms;	/* until the step's targets */
	int step_index;			/* -1 when idle */
	uint32_t step_elapsed_ms;
	uint32_t step_remaining_ms;
	uint32_t session_elapsed_ms;	/* step time done, pauses excluded */
	uint32_t session_remaining_ms;
};

/* Copies the steps; -ENOMEM, -EINVAL (no steps). */
int seq_create(struct seq **q, const struct plan_step *steps, size_t n);
void seq_destroy(struct seq *q);

/* Explicit start from step 0 (also after a stop or finish). */
int seq_start(struct seq *q, uint64_t now_ns);
/* -EINVAL when not running / not paused. */
int seq_pause(struct seq *q, uint64_t now_ns);
int seq_resume(struct seq *q, uint64_t now_ns);
/* Next step now (finishes on the last). -EINVAL when not running/paused. */
int seq_skip(struct seq *q, uint64_t now_ns);
/* Stop early; -EINVAL when already stopped, finished or idle. */
int seq_stop(struct seq *q, uint64_t now_ns, enum seq_end why);
/* Pain report: stops with SEQ_END_PAIN and keeps the score (-1: none). */
int seq_pain(struct seq *q, uint64_t now_ns, int score);

/* Advance to now (step changes, finish) and give the set-points. */
void seq_update(struct seq *q, uint64_t now_ns, struct seq_out *out);

enum seq_state seq_state(const struct seq *q);
enum seq_end seq_end_cause(const struct seq *q);
int seq_pain_score(const struct seq *q);	/* -1 when none */
unsigned int seq_steps_skipped(const struct seq *q);
const struct plan_step *seq_step(const struct seq *q, size_t i);
size_t seq_n_steps(const struct seq *q);
const char *seq_end_name(enum seq_end e);

#endif /* LEVER_SEQ_H */
