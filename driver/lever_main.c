// SPDX-License-Identifier: GPL-2.0
/*
 * lever.ko: USB driver for the LEVER body-weight-support treadmill
 * controller board. A person runs on the belt this driver commands: every
 * path that fails must leave the board in its safe state.
 */
#include <linux/module.h>
#include <linux/usb.h>

static int __init lever_init(void)
{
	return 0;
}

static void __exit lever_exit(void)
{
}

module_init(lever_init);
module_exit(lever_exit);

MODULE_DESCRIPTION("LEVER body-weight-support treadmill controller");
MODULE_AUTHOR("The LEVER developers");
MODULE_LICENSE("GPL");
