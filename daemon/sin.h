/* SPDX-License-Identifier: MIT */
/*
 * sin.h - leverd's safety inputs thread: GPIO safety lines and the
 * pendant's stop and pain keys go from their file descriptors to the RT
 * side without passing the event loop (Documentation/safety.rst, rule
 * 12). The event loop hears of them afterwards through sin_next().
 */
#ifndef LEVERD_SIN_H
#define LEVERD_SIN_H

#include <stdint.h>

#include <lever/lever.h>

#include "control/rt.h"

enum sin_item_type {
	SIN_LINES,	/* the GPIO lines changed: lines */
	SIN_KEY,	/* a key went down: code (stop and pain acted on) */
};

struct sin_item {
	enum sin_item_type type;
	unsigned int lines;	/* LEVER_DEV_LINE_* */
	uint32_t code;		/* KEY_* */
};

struct sin;

/*
 * Starts the thread over @gpio and @keys (either may be NULL) at SCHED_FIFO
 * @prio (0: inherit; refused real time falls back to inherit). Keys
 * @stop_code and @pain_code (-1: none) stop the RT side at once.
 */
int sin_start(struct rt *rt, struct lever_gpio *gpio, struct lever_keys *keys,
	      int stop_code, int pain_code, int prio, struct sin **out);
void sin_stop(struct sin *s);

/* Readable when items wait for the event loop. */
int sin_fd(const struct sin *s);
/* 0 and *@it, or -EAGAIN. */
int sin_next(struct sin *s, struct sin_item *it);

#endif /* LEVERD_SIN_H */
