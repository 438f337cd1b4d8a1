// SPDX-License-Identifier: MIT
/*
 * fuzz_usb_reply: libFuzzer target for liblever's control replies on the
 * usb: transport (lib/usb.c): the bus, the device and configuration
 * descriptors, the identity, limits and watchdog replies (any length,
 * any bytes, any error) and the interrupt stream all come from the input
 * (tests/fuzz/fake_libusb.c), through lever_dev_open(), _info(), _reopen()
 * and the reads. Whatever the board answers: an error or a terminated
 * serial and node; only GET requests on the wire; nothing leaks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lever/lever.h>

#include "fake_libusb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS		64

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_usb_reply: %s\n", why);
	abort();
}

static void check_info(struct lever_dev *dev)
{
	struct lever_dev_info info;
	int ret;

	memset(&info, 0xa5, sizeof(info));
	ret = lever_dev_info(dev, &info);
	if (ret > 0)
		fail("lever_dev_info: positive return");
	if (ret)
		return;
	if (!memchr(info.serial, '\0', sizeof(info.serial)) ||
	    !memchr(info.node, '\0', sizeof(info.node)))
		fail("serial or node not terminated");
	if (strncmp(info.node, "usb:", 4) ||
	    info.transport != LEVER_DEV_TRANSPORT_USB || info.watchdog_ms)
		fail("a usb: handle that says otherwise");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct lever_dev_sample s;
	struct lever_dev_status st;
	struct lever_dev *dev;
	char spec[40] = "usb";
	unsigned int ops = 0;
	uint8_t n;

	fake_usb_reset(&in, false);
	/* "usb", or "usb:" and a serial of up to 30 bytes */
	n = fuzz_u8(&in);
	if (n & 0x80) {
		spec[3] = ':';
		fuzz_bytes(&in, spec + 4, (n & 0x7f) % 31);
	}
	if (lever_dev_open(spec, &dev)) {
		if (fake_usb.transfers_live)
			fail("a failed open left a transfer");
		return 0;
	}
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		switch (fuzz_u8(&in) % 5) {
		case 0:
			check_info(dev);
			break;
		case 1:
			lever_dev_reopen(dev);
			break;
		case 2:
			lever_dev_try_read_sample(dev, &s);
			break;
		case 3:
			lever_dev_status(dev, &st);
			break;
		case 4:
			if (lever_dev_set_watchdog(dev, 100) != -EROFS)
				fail("set_watchdog was not refused");
			break;
		}
	}
	lever_dev_close(dev);
	if (fake_usb.transfers_live)
		fail("a transfer was never freed");
	return 0;
}
