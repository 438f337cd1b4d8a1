/* SPDX-License-Identifier: MIT */
/*
 * ctl.h - leverd's control socket: a Unix stream socket speaking JSON
 * lines (Documentation/control-socket.rst, version 1). It parses, checks
 * the version, identifies the peer with SO_PEERCRED and hands commands to
 * the daemon's hook; it never acts on the treadmill itself.
 */
#ifndef LEVERD_CTL_H
#define LEVERD_CTL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "lever_ctl.h"

/* The protocol (commands, rights, version) is include/lever_ctl.h. */
#define CTL_MAX_LINE		65536
#define CTL_MAX_CLIENTS		32
#define CTL_LINES_PER_ROUND	8	/* requests served per client per round */
#define CTL_IDLE_MS		300000	/* a silent client (not watching) goes */

/*
 * Runs one command for a peer. Returns 0 with *@result (a new reference)
 * or a negative errno with one operator sentence in @msg.
 */
typedef int (*ctl_request_fn)(void *ctx, const char *cmd, const json_t *args,
			      bool may_command, json_t **result, char *msg,
			      size_t msg_len);

struct ctl;

int ctl_open(const char *path, ctl_request_fn fn, void *ctx,
	     struct ctl **out, char *err, size_t errlen);
void ctl_close(struct ctl *c);

/* Fills up to @max pollfds (listener first); returns how many. */
int ctl_pollfds(struct ctl *c, struct pollfd *fds, int max);
/* Handles what poll() reported on the fds ctl_pollfds() gave. */
void ctl_handle(struct ctl *c, const struct pollfd *fds, int n);

/* Sends a status event to every watcher whose interval is due. */
void ctl_watch_tick(struct ctl *c, uint64_t now_ms, json_t *status);
/* Sends @event (stolen) to every watcher. */
void ctl_broadcast(struct ctl *c, json_t *event);
/*
 * Whether ctl_watch_tick() at @now_ms would send anything: the status it
 * sends is built only then, not every tick (a 500 ms watcher on a 10 ms
 * tick wasted 49 of 50, most of the deterministic daemon's time).
 */
bool ctl_watch_due(const struct ctl *c, uint64_t now_ms);
/* Whether any client watches: the clock is read only then. */
bool ctl_watching(const struct ctl *c);

/*
 * The protocol without the socket: the reply line (malloc'd, with '\n')
 * to one request, the @len bytes at @line (its '\n' left out; any byte
 * may come, a NUL included). A "watch" request sets *@watch_ms.
 */
char *ctl_reply(ctl_request_fn fn, void *ctx, const char *line, size_t len,
		bool may_command, unsigned int *watch_ms);

/* Whether uid/gid may command: root, leverd's own user or group lever. */
bool ctl_may_command(uid_t uid, gid_t gid);

/* Whether a client has requests left for the next round (poll at once). */
bool ctl_pending(const struct ctl *c);

/*
 * Drops clients that sent nothing for CTL_IDLE_MS and watch nothing, so
 * forgotten connections cannot take every slot. @now_ms: CLOCK_MONOTONIC.
 */
void ctl_expire(struct ctl *c, uint64_t now_ms);

/* The uid of the peer whose request is being answered, -1 outside one. */
int64_t ctl_peer_uid(const struct ctl *c);

#endif /* LEVERD_CTL_H */
