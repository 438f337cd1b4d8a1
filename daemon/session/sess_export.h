/* SPDX-License-Identifier: MIT */
/*
 * sess_export: the control socket's read-only "export" request, answered
 * from the store: what an export needs of one finished session besides its
 * trace (which "trace" pages). It never changes a record.
 */
#ifndef LEVER_SESS_EXPORT_H
#define LEVER_SESS_EXPORT_H

#include <stddef.h>
#include <jansson.h>

struct store;

#define SESS_EXPORT_EVENTS_MAX	1000	/* of one session */

/*
 * "export" {session: ID}: 0 with *result, or -errno (-ENOENT unknown
 * session, -EBUSY still running) and a sentence in @msg.
 */
int sess_export(struct store *st, const json_t *args, json_t **result,
		char *msg, size_t len);

#endif /* LEVER_SESS_EXPORT_H */
