/* SPDX-License-Identifier: MIT */
/*
 * dmn.h - leverd's event-loop state and what the event loop does: each
 * tick (records, RT events, session, targets), each control request, each
 * key. Shared by leverd.c (start-up, the poll loop, signals, watchers)
 * and dmn.c, and by the whole-daemon simulation, which runs the same
 * code on the sim transport in virtual time. Private to leverd.
 */
#ifndef LEVERD_DMN_H
#define LEVERD_DMN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include <lever/lever.h>

#include "cfg.h"
#include "ctl.h"
#include "session/sess.h"
#include "store/rec.h"
#include "pendant.h"
#include "control/rt.h"
#include "sin.h"
#include "control/sup.h"

#define TICK_MS		10	/* event-loop tick */
#define BELT_MOVING_MM_S	20.0	/* as loop.c's BELT_STOPPED_MM_S */
/* a fault cause absent this long is recorded again when it comes back */
#define FAULT_FORGET_NS	1000000000ull
/* a chattering contact: at most one durable event a second per line */
#define LINE_EVENT_MIN_NS	1000000000ull
#define KEY_STOP_BITS	(SUP_F_OPERATOR_STOP | SUP_F_PAIN)
/*
 * The replay hash of the trace (dmn.c: trace_hash()): its start, its
 * multiplier (2^64 / the golden ratio, odd).
 */
#define TRACE_HASH_INIT	0xcbf29ce484222325ull
#define TRACE_HASH_MUL	0x9e3779b97f4a7c15ull

struct d_line_note {
	uint64_t last_ns;	/* last event recorded, 0 before any */
	unsigned int held;	/* edges since then, not yet recorded */
};

enum key_action {
	KEY_ACT_STOP, KEY_ACT_PAUSE, KEY_ACT_PAIN, KEY_ACT_SPEED_UP,
	KEY_ACT_SPEED_DOWN, KEY_ACT_SUPPORT_UP, KEY_ACT_SUPPORT_DOWN,
	KEY_ACT_COUNT
};


struct leverd {
	struct leverd_cfg cfg;
	struct lever_dev *dev;
	struct lever_dev_info info;
	struct rt *rt;
	struct sess *sess;
	struct ctl *ctl;
	struct lever_gpio *gpio;
	struct lever_keys *keys;
	struct sin *sin;		/* safety inputs thread */
	int reset_result;		/* RT's answer; 1 while it is pending */
	int keycode[KEY_ACT_COUNT];
	bool stepped, sim;
	int sig_fd, timer_fd;
	bool quit;
	/* operator adjustments from the pendant, reset at every start */
	struct pendant pendant;
	struct sess_targets last_posted;
	uint64_t last_post_ns;
	/* recorder */
	uint64_t trace_hash, trace_records;
	FILE *trace;
	struct rec *rec;
	int64_t rec_sid;		/* the session the recorder was told */
	unsigned int gpio_lines;
	/* events: what was recorded already */
	uint32_t faults_noted;
	uint64_t fault_seen_ns[SUP_F_COUNT];
	unsigned int lines_noted;
	struct d_line_note estop_note, key_note;
};

void dmn_logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where dmn_logmsg() writes (stderr by default); NULL: nowhere. */
void dmn_log_to(FILE *f);
/* The daemon's clock: virtual time on the sim transport. */
uint64_t dmn_now(struct leverd *d);
/* One control request (the control socket's callback, ctl.h). */
int dmn_request(void *ctx, const char *cmd, const json_t *args,
		bool may_command, json_t **result, char *msg, size_t len);
/* One pendant or console key. */
void dmn_key_action(struct leverd *d, enum key_action a, uint64_t now);
/* Parses cfg.keymap into d->keycode; -EINVAL with @err naming the item. */
int dmn_parse_keymap(struct leverd *d, char *err, size_t len);
/* One event-loop tick (every TICK_MS). */
void dmn_tick(struct leverd *d);
/* Drains the RT trace ring (also at exit). */
void dmn_record(struct leverd *d);

#endif /* LEVERD_DMN_H */
