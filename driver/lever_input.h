/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lever_input.h - the board's console buttons as an input device
 * "LEVER console" with standard key codes, read with libevdev. A key event
 * is information for the daemon only: it must never move the belt itself.
 */
#ifndef LEVER_INPUT_H
#define LEVER_INPUT_H

#include <linux/types.h>

struct device;
struct usb_device;
struct lever_input;

/*
 * Registers the input device under @parent (the USB interface); @udev
 * gives the vendor/product/version ids and the phys path. Returns 0 or a
 * negative errno.
 */
int lever_input_init(struct device *parent, struct usb_device *udev,
		     struct lever_input **out);

/*
 * Latest LEVER_BTN_* bits (include/lever_wire.h) from a sample frame.
 * Atomic context (URB completion).
 */
void lever_input_update(struct lever_input *in, u16 buttons);

/*
 * Unregisters the input device; on disconnect, before the interface goes
 * away. May sleep. @in may be NULL. No lever_input_update() may run during
 * or after this call.
 */
void lever_input_remove(struct lever_input *in);

#endif /* LEVER_INPUT_H */
