/* SPDX-License-Identifier: MIT */
/*
 * sess_: the operator side of a session inside leverd (plans, athletes,
 * start refusals, pause/resume/stop/skip/pain, next session). Called from
 * the event loop only; it never touches the device and never sleeps.
 * Nothing moves after a stop until a new explicit start (generation).
 */
#ifndef LEVER_SESS_H
#define LEVER_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "../control/targets.h"

struct sess;

/* What the RT thread reports, once per tick (copied by the daemon). */
struct sess_feedback {
	uint64_t now_ns;		/* monotonic, as in sess_request */
	int32_t belt_speed_mm_s;	/* measured */
	int32_t incline_centi_pct;	/* measured, 0.01 % */
	int32_t support_force_n_x10;	/* measured, 0.1 N */
	bool belt_stopped;		/* belt at zero (stop done) */
	bool safe_state;		/* supervisor holds the safe state */
	bool fault_latched;		/* needs an explicit reset */
	bool estop;			/* e-stop line active */
	bool safety_key;		/* safety key pulled */
	uint32_t fault_bits;		/* LEVER_FAULT_* */
	float max_support_force_n;	/* unit's limit (board limits), N */
};

/*
 * Open the operator logic: plans are read from plans_dir (each a
 * directory, see Documentation/plans.rst), records kept in
 * state_dir/lever.db (created when missing). Returns 0 or -errno.
 */
int sess_open(struct sess **s, const char *plans_dir, const char *state_dir);
void sess_close(struct sess *s);

/*
 * Wall clock used for dates (back-to-back rule, records). Default:
 * time(NULL). Tests inject their own; dates are taken in local time.
 */
typedef time_t (*sess_wall_clock_fn)(void *ctx);
void sess_set_wall_clock(struct sess *s, sess_wall_clock_fn fn, void *ctx);

/*
 * The longest a weigh-in stays good for a start, in days (1 to 365;
 * default 7): an older one, or none, needs a new weigh-in or the
 * operator's confirmation (start's "confirm_mass").
 */
void sess_set_mass_max_age(struct sess *s, unsigned int days);

/*
 * One control request (cmd and args as in control-socket.rst; args may be
 * NULL). may_command is false for peers that may only read. On success
 * returns 0 and *result is a new jansson reference owned by the caller. On
 * error returns -errno and writes one operator sentence to msg.
 * "hello", "status" and "watch" are the daemon's; sess_request answers
 * "status" with sess_status() too.
 */
int sess_request(struct sess *s, const char *cmd, const json_t *args,
		 bool may_command, uint64_t now_ns, json_t **result,
		 char *msg, size_t msg_len);

/*
 * sess_request() on behalf of @source ("operator" for the control socket,
 * "key" for the pendant and console): the events it records name it.
 */
int sess_request_from(struct sess *s, const char *source, const char *cmd,
		      const json_t *args, bool may_command, uint64_t now_ns,
		      json_t **result, char *msg, size_t msg_len);

/*
 * Records an event the daemon saw (a fault, an e-stop edge, a signal;
 * kinds as in store.h) with the session in progress, if any. Committed
 * before it returns; 0 or -errno.
 */
int sess_event(struct sess *s, uint64_t now_ns, const char *kind,
	       const char *cause, const char *detail);

/*
 * Whether a session's trace is being taken at now_ns: while it runs or is
 * paused, and after its end until the belt is seen stopped (at most 60 s).
 * *id is its record id and *start_ns its start (leverd's clock); 0 if not.
 */
bool sess_recording(struct sess *s, uint64_t now_ns, int64_t *id,
		    uint64_t *start_ns);

/* The records store, for reads in the event loop (events, traces). */
struct store *sess_store(struct sess *s);

/* Advance the session with the RT feedback; fill the targets to follow. */
void sess_tick(struct sess *s, const struct sess_feedback *fb,
	       struct sess_targets *out);

/* Supervisor fault or e-stop: stop the session, record the cause. */
void sess_fault(struct sess *s, uint64_t now_ns, const char *cause);

/*
 * The session part of `status` (state, plan, session, athlete, mass_kg,
 * step, session_elapsed_s, session_remaining_s, target); the daemon adds
 * "measured", "faults", "estop", "safety_key". New reference.
 */
json_t *sess_status(struct sess *s, uint64_t now_ns);

/*
 * A session that ended since the last call: its summary (as in the
 * "session_end" event), or NULL. New reference.
 */
json_t *sess_take_summary(struct sess *s);

#endif /* LEVER_SESS_H */
