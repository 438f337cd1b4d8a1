/* SPDX-License-Identifier: MIT */
/*
 * gadget.h - the configfs + FunctionFS plumbing of lever-simd: creates the
 * USB gadget with LEVER's descriptors, binds and unbinds the UDC, and
 * removes every trace again. It knows nothing of the board model.
 */
#ifndef LEVER_SIM_GADGET_H
#define LEVER_SIM_GADGET_H

#include <stdbool.h>
#include <stddef.h>

struct gadget;

/*
 * Creates gadget "lever_<serial>" in configfs, mounts its FunctionFS on
 * /run/lever-simd/<serial>, writes descriptors and strings to ep0, opens
 * the endpoint files and binds @udc. Removes a stale gadget of the same
 * name first. On error, prints one line naming the path at fault to
 * stderr, undoes what it did and returns a negative errno.
 */
int gadget_create(const char *udc, const char *serial, struct gadget **out);
/* Unbinds, closes, unmounts and removes the configfs directories. */
void gadget_destroy(struct gadget *g);

int gadget_ep0_fd(const struct gadget *g);
int gadget_in_fd(const struct gadget *g);	/* interrupt IN, samples */
int gadget_out_fd(const struct gadget *g);	/* interrupt OUT, commands */

/* Binds (@bound true) or unbinds the UDC; 0 or a negative errno. */
int gadget_set_bound(struct gadget *g, bool bound);
bool gadget_is_bound(const struct gadget *g);
const char *gadget_udc(const struct gadget *g);

#endif /* LEVER_SIM_GADGET_H */
