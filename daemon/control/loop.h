/* SPDX-License-Identifier: MIT */
/*
 * loop.h - one control cycle of leverd: sample -> supervisor -> belt and
 * incline ramps and the support law -> one command. The RT thread and the
 * deterministic simulation both call loop_cycle(); it never allocates,
 * locks or makes a syscall. After any stop, nothing moves until targets of
 * a newer generation ask to run.
 */
#ifndef LEVERD_LOOP_H
#define LEVERD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include <lever/lever.h>

#include "cfg.h"
#include "targets.h"

enum loop_mode {
	LOOP_IDLE,	/* nothing asked since start-up: belt at zero */
	LOOP_RUN,	/* following the session's targets */
	LOOP_PAUSE,	/* belt to zero (comfort), support held at target */
	LOOP_STOPPING,	/* safe state: belt controlled stop, support held */
	LOOP_RELEASING,	/* safe state: belt at zero, support lowered */
	LOOP_MODE_COUNT
};

/*
 * What changes modes (Documentation/safety.rst, "The daemon's state
 * machine"); the order is the columns of the table in loop.c.
 */
enum loop_event {
	LOOP_EV_START,		/* targets run, newer generation, no fault */
	LOOP_EV_RUN,		/* targets run, the generation followed */
	LOOP_EV_PAUSE,		/* targets pause */
	LOOP_EV_STOP,		/* targets stop (stop, pain, end, skip) */
	LOOP_EV_IDLE,		/* no session any more (reset, failed start) */
	LOOP_EV_FAULT,		/* supervisor, gate, link, e-stop, keys */
	LOOP_EV_BELT_STOPPED,	/* belt seen at zero for 50 samples */
	LOOP_EV_BELT_MOVING,	/* belt seen moving again */
	LOOP_EV_RESET,		/* operator reset accepted */
	LOOP_EV_REFUSED,	/* start of an old generation or with a fault */
	LOOP_EV_COUNT
};

struct loop_out {
	struct lever_dev_command cmd;
	bool drive;		/* belt drive wanted */
	bool start;		/* a new generation was accepted this cycle:
				 * the only moment the board may be armed */
	uint32_t faults;	/* supervisor faults this cycle */
	uint32_t new_faults;	/* faults that started the safe state now */
	uint16_t buttons;	/* console buttons newly pressed */
	uint32_t start_refused;	/* a new generation met these faults */
};

struct loop_status {
	uint64_t now_ns;
	uint64_t cycles;
	enum loop_mode mode;
	bool safe_state;	/* in STOPPING or RELEASING */
	bool belt_stopped;
	uint32_t generation;	/* last generation followed */
	uint32_t faults;	/* faults of the last cycle (incl. latched) */
	uint32_t latched;
	unsigned int lines;
	uint32_t cause;		/* faults that caused the last safe state */
	uint64_t safe_since_ns;	/* when the safe state was entered */
	double belt_cmd_mm_s, belt_accel_mm_s2, belt_meas_mm_s;
	double incline_cmd_centi_pct, incline_meas_centi_pct;
	double support_target_n;	/* step's target, after ramp input */
	double support_setpoint_n;	/* law's ramped set-point */
	double support_force_n;		/* load cell */
	double pressure_cmd_pa;
	double mass_kg;
	uint64_t targets_refused;	/* targets out of limits */
	uint64_t stale_targets;		/* older generation, discarded */
};

struct loop;

/* @info gives the board's geometry and limits. */
int loop_new(const struct leverd_cfg *cfg, const struct lever_dev_info *info,
	     uint64_t now_ns, struct loop **out);
void loop_free(struct loop *l);

/* Latest targets from the session; applied at the next cycle. */
void loop_set_targets(struct loop *l, const struct sess_targets *t);

/* Safety lines and pendant keys from the event loop's watchers. */
void loop_set_external(struct loop *l, unsigned int lines,
		       unsigned int stop_keys);

/* One cycle. @sample is NULL when none arrived in time. */
void loop_cycle(struct loop *l, const struct lever_dev_sample *sample,
		uint64_t now_ns, struct loop_out *out);

/*
 * A fault found outside the cycle (e.g. the kernel's gate refused a
 * command because it stopped on its own): safe state at the next cycle.
 */
void loop_external_fault(struct loop *l, uint32_t sup_bits);

/* Operator reset after an e-stop: 0, or -EBUSY while a line is active. */
int loop_reset(struct loop *l);
/* The stale-sample timer runs from @now_ns: the device was away on
 * purpose (lent for its reset), no sample was missing. */
void loop_restart_stale(struct loop *l, uint64_t now_ns);

/*
 * Whether the commands of the coming cycles reach the board (the RT side
 * armed the gate and the gate accepts them). While they do not, the
 * loop's pressure is what the board measures, never its own estimate.
 */
void loop_commanding(struct loop *l, bool reaches_board);

/* The state machine as data, for the tests and the documentation. */
enum loop_mode loop_next_mode(enum loop_mode m, enum loop_event ev);
const char *loop_event_name(enum loop_event ev);

void loop_status(const struct loop *l, struct loop_status *st);
const char *loop_mode_name(enum loop_mode m);

#endif /* LEVERD_LOOP_H */
