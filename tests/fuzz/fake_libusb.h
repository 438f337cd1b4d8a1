/* SPDX-License-Identifier: MIT */
/*
 * fake_libusb.h - a libusb for liblever's usb: transport (lib/usb.c) whose
 * bus, descriptors, control replies and interrupt transfers come from a
 * libFuzzer input. It aborts when usb.c breaks a rule of its own: a
 * control request that is not an IN vendor request (the transport must
 * never change the board), a transfer freed while in flight, one
 * submitted twice.
 */
#ifndef LEVER_FAKE_LIBUSB_H
#define LEVER_FAKE_LIBUSB_H

#include <stdbool.h>

#include <lever_wire.h>

#include "fuzz_input.h"

#define FAKE_USB_MAX_DEVICES	3
#define FAKE_USB_MAX_FRAMES	4096

struct fake_usb {
	struct fuzz_in *in;		/* where every answer comes from */
	/*
	 * true: one well-formed LEVER board, identity, limits and watchdog
	 * answered in full; only the interrupt stream is fuzzed. false:
	 * everything is.
	 */
	bool good_board;
	/* interrupt IN frames delivered that were well-formed samples */
	struct lever_wire_sample frames[FAKE_USB_MAX_FRAMES];
	unsigned int n_frames;
	unsigned int transfers_live;	/* allocated, not freed */
};

extern struct fake_usb fake_usb;

/*
 * A new board for the next input, reading from @in. Only the bookkeeping
 * is cleared: frames[] (256 KiB) is read below n_frames only, and
 * clearing it all cost more than most inputs.
 */
void fake_usb_reset(struct fuzz_in *in, bool good_board);

/* A sample frame as lever-simd sends it, for the well-formed cases. */
void fake_usb_sample(struct lever_wire_sample *w, uint32_t seq);

#endif /* LEVER_FAKE_LIBUSB_H */
