// SPDX-License-Identifier: MIT
/*
 * fuzz_usb_sample: libFuzzer target for liblever's sample-frame decoding
 * on the usb: transport (lib/usb.c, lever_sample_from_wire() in lib/dev.c)
 * through the public API, on a well-formed board (tests/fuzz/fake_libusb.c)
 * whose interrupt IN stream the input makes: well-formed frames with any
 * values, any bytes of any length, transfer errors, unplugs. Each sample
 * the library returns must be one the board sent, decoded field by field,
 * in the order sent; nothing that was not a well-formed frame comes out;
 * every control call is refused; nothing leaks.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lever/lever.h>

#include "fake_libusb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS		1000

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_usb_sample: %s\n", why);
	abort();
}

static int same(const struct lever_dev_sample *s,
		const struct lever_wire_sample *w)
{
	return s->seq == le32toh(w->seq) &&
	       s->board_time_ns == le64toh(w->board_time_ns) &&
	       s->support_pressure_pa == le32toh(w->support_pressure_pa) &&
	       s->support_force_mn == (int32_t)le32toh(w->support_force_mn) &&
	       s->belt_speed_mm_s == (int32_t)le32toh(w->belt_speed_mm_s) &&
	       s->incline_centi_pct ==
			(int16_t)le16toh(w->incline_centi_pct) &&
	       s->lines == le16toh(w->lines) &&
	       s->buttons == le16toh(w->buttons) &&
	       s->board_state == le16toh(w->board_state) &&
	       s->board_faults == le32toh(w->faults) &&
	       s->cmd_seq_applied == le32toh(w->cmd_seq_applied) &&
	       s->pressure_setpoint_pa == le32toh(w->pressure_setpoint_pa) &&
	       s->belt_setpoint_mm_s ==
			(int32_t)le32toh(w->belt_setpoint_mm_s) &&
	       s->incline_setpoint_centi_pct ==
			(int16_t)le16toh(w->incline_setpoint_centi_pct);
}

/* @s must be a frame sent at or after *@next; moves *@next past it. */
static void check_sample(const struct lever_dev_sample *s, unsigned int *next)
{
	unsigned int k;

	if (!!s->lost != !!(s->flags & LEVER_DEV_SAMPLE_OVERFLOW))
		fail("lost and the overflow flag disagree");
	if (s->reserved0 || s->reserved[0] || s->reserved[1] ||
	    s->reserved[2])
		fail("reserved fields not zero");
	for (k = *next; k < fake_usb.n_frames; k++)
		if (same(s, &fake_usb.frames[k]))
			break;
	if (k == fake_usb.n_frames)
		fail("a sample the board never sent, or out of order");
	*next = k + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct lever_dev_command cmd = { 0 };
	struct lever_dev_sample s;
	struct lever_dev_status st;
	struct lever_dev_info info;
	struct lever_dev *dev;
	unsigned int next = 0, ops = 0;
	int ret;

	fake_usb_reset(&in, true);
	if (lever_dev_open("usb", &dev))
		fail("a good board does not open");
	if (lever_dev_info(dev, &info) || strcmp(info.serial, "SIM0001") ||
	    strcmp(info.node, "usb:1-2") ||
	    info.transport != LEVER_DEV_TRANSPORT_USB)
		fail("a good board's identity reads wrong");
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		uint8_t op = fuzz_u8(&in);

		switch (op % 12) {
		default:
			ret = lever_dev_try_read_sample(dev, &s);
			if (ret == 0)
				check_sample(&s, &next);
			else if (ret != -EAGAIN && ret != -ENODEV &&
				 ret != -EIO)
				fail("try_read_sample: unexpected error");
			break;
		case 6:
			ret = lever_dev_read_sample(dev, &s);
			if (ret == 0)
				check_sample(&s, &next);
			break;
		case 7:
			if (lever_dev_status(dev, &st) == 0 &&
			    st.samples > fake_usb.n_frames)
				fail("more samples counted than were sent");
			break;
		case 8:
			if (lever_dev_arm(dev) != -EROFS ||
			    lever_dev_command(dev, &cmd) != -EROFS ||
			    lever_dev_set_watchdog(dev, 100) != -EROFS ||
			    lever_dev_reset_faults(dev) != -EROFS ||
			    lever_dev_stop(dev) != -EROFS)
				fail("a control call was not refused");
			break;
		case 9:
			/* a replug: frames of before never come out again */
			if (lever_dev_reopen(dev) == 0)
				next = fake_usb.n_frames;
			break;
		}
	}
	lever_dev_close(dev);
	if (fake_usb.transfers_live)
		fail("a transfer was never freed");
	return 0;
}
