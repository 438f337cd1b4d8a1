/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lever_gpio.h - the board's safety lines (e-stop, safety key, harness) as a
 * read-only gpio_chip "lever-safety" with edge interrupts, so userspace
 * reads them with libgpiod. It never drives a line and never sleeps in
 * lever_gpio_update().
 */
#ifndef LEVER_GPIO_H
#define LEVER_GPIO_H

#include <linux/types.h>

struct device;
struct lever_gpio;

/*
 * Registers the chip under @parent (the USB interface); @serial is the
 * board's serial number, used in log lines. Returns 0 or a negative errno.
 * All lines read 0 until the first lever_gpio_update().
 */
int lever_gpio_init(struct device *parent, const char *serial,
		    struct lever_gpio **out);

/*
 * Latest LEVER_LINE_* bits (include/lever_wire.h) from a sample frame.
 * Atomic context (URB completion); raises the edge interrupts of lines
 * that changed.
 */
void lever_gpio_update(struct lever_gpio *g, u16 lines);

/*
 * Unregisters the chip; on disconnect, before the interface goes away.
 * May sleep. @g may be NULL. No lever_gpio_update() may run during or
 * after this call.
 */
void lever_gpio_remove(struct lever_gpio *g);

/*
 * Frees the removed chips whose interrupts userspace once requested; at
 * module exit, when no requester (each holds a module reference) is left.
 */
void lever_gpio_exit(void);

#endif /* LEVER_GPIO_H */
