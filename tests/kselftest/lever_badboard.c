// SPDX-License-Identifier: GPL-2.0
/*
 * lever_badboard.c - a malformed or hostile LEVER board as a FunctionFS
 * gadget, for the probe-rejection VM test: it carries LEVER's IDs and
 * interface class but breaks one rule (endpoint type or size, identity,
 * limits, control requests). It must only ever make lever.ko refuse.
 *
 * usage: lever_badboard UDC MODE   (runs until SIGTERM/SIGINT)
 * MODE: bulk maxp rate0 limits stall short serial24 (refused at probe);
 * mute garbage halt (a valid identity, then a sample stream lever.ko must
 * not trust: nothing at all, only malformed frames, or 300 ms of valid
 * frames and then a halted IN endpoint).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "lever_wire.h"

#define GADGET	"/sys/kernel/config/usb_gadget/lever_bad"
#define MNT	"/run/lever-badboard"

static volatile sig_atomic_t stop;
static const char *mode;

struct descs {
	struct usb_functionfs_descs_head_v2 head;
	__le32 fs_count;
	__le32 hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct usb_endpoint_descriptor_no_audio in;
		struct usb_endpoint_descriptor_no_audio out;
	} __attribute__((packed)) fs, hs;
} __attribute__((packed));

struct strs {
	struct usb_functionfs_strings_head head;
	__le16 code;
	char str[4];
} __attribute__((packed));

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		fprintf(stderr, "badboard: %s: %s\n", path, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static void teardown(void)
{
	put(GADGET "/UDC", "\n");
	umount2(MNT, MNT_DETACH);
	rmdir(MNT);
	unlink(GADGET "/configs/c.1/ffs.lever_bad");
	rmdir(GADGET "/configs/c.1/strings/0x409");
	rmdir(GADGET "/configs/c.1");
	rmdir(GADGET "/functions/ffs.lever_bad");
	rmdir(GADGET "/strings/0x409");
	rmdir(GADGET);
}

static int build(void)
{
	char id[16];

	if (mkdir(GADGET, 0755))
		return -1;
	snprintf(id, sizeof(id), "0x%04x", LEVER_USB_VID);
	if (put(GADGET "/idVendor", id))
		return -1;
	snprintf(id, sizeof(id), "0x%04x", LEVER_USB_PID);
	if (put(GADGET "/idProduct", id) ||
	    mkdir(GADGET "/strings/0x409", 0755) ||
	    put(GADGET "/strings/0x409/serialnumber", "BAD0001") ||
	    mkdir(GADGET "/configs/c.1", 0755) ||
	    mkdir(GADGET "/functions/ffs.lever_bad", 0755) ||
	    symlink(GADGET "/functions/ffs.lever_bad",
		    GADGET "/configs/c.1/ffs.lever_bad") ||
	    mkdir(MNT, 0755) ||
	    mount("lever_bad", MNT, "functionfs", 0, NULL))
		return -1;
	return 0;
}

static void fill(struct usb_interface_descriptor *intf,
		 struct usb_endpoint_descriptor_no_audio *in,
		 struct usb_endpoint_descriptor_no_audio *out, int interval)
{
	bool bulk = !strcmp(mode, "bulk");

	intf->bLength = sizeof(*intf);
	intf->bDescriptorType = USB_DT_INTERFACE;
	intf->bNumEndpoints = 2;
	intf->bInterfaceClass = LEVER_USB_CLASS;
	intf->bInterfaceSubClass = LEVER_USB_SUBCLASS;
	intf->bInterfaceProtocol = LEVER_USB_PROTOCOL;
	intf->iInterface = 1;
	in->bLength = sizeof(*in);
	in->bDescriptorType = USB_DT_ENDPOINT;
	in->bEndpointAddress = 1 | USB_DIR_IN;
	in->bmAttributes = bulk ? USB_ENDPOINT_XFER_BULK :
				  USB_ENDPOINT_XFER_INT;
	in->wMaxPacketSize = htole16(!strcmp(mode, "maxp") ? 32 :
				     LEVER_EP_SAMPLE_MAXP);
	in->bInterval = bulk ? 0 : interval;
	out->bLength = sizeof(*out);
	out->bDescriptorType = USB_DT_ENDPOINT;
	out->bEndpointAddress = 2 | USB_DIR_OUT;
	out->bmAttributes = in->bmAttributes;
	out->wMaxPacketSize = htole16(LEVER_EP_COMMAND_MAXP);
	out->bInterval = in->bInterval;
}

static int write_descs(int ep0)
{
	struct descs d = { 0 };
	struct strs s = { 0 };

	d.head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	d.head.length = htole32(sizeof(d));
	d.head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
	d.fs_count = htole32(3);
	d.hs_count = htole32(3);
	fill(&d.fs.intf, &d.fs.in, &d.fs.out, LEVER_EP_INTERVAL_FS);
	fill(&d.hs.intf, &d.hs.in, &d.hs.out, LEVER_EP_INTERVAL_HS);
	/* FunctionFS wants 512-byte bulk packets at high speed */
	if (!strcmp(mode, "bulk")) {
		d.hs.in.wMaxPacketSize = htole16(512);
		d.hs.out.wMaxPacketSize = htole16(512);
	}
	s.head.magic = htole32(FUNCTIONFS_STRINGS_MAGIC);
	s.head.length = htole32(sizeof(s));
	s.head.str_count = htole32(1);
	s.head.lang_count = htole32(1);
	s.code = htole16(0x0409);
	strcpy(s.str, "BAD");
	if (write(ep0, &d, sizeof(d)) != sizeof(d) ||
	    write(ep0, &s, sizeof(s)) != sizeof(s))
		return -1;
	return 0;
}

/* The answer to an IN request, per mode; <0 means STALL. */
static int answer(int req, unsigned char *buf)
{
	struct lever_wire_identity id = { 0 };
	struct lever_wire_limits l = { 0 };
	__le32 wd = htole32(LEVER_BOARD_WATCHDOG_DEF_MS);

	if (!strcmp(mode, "stall"))
		return -1;
	switch (req) {
	case LEVER_REQ_GET_IDENTITY:
		id.protocol_version = htole16(LEVER_WIRE_VERSION);
		strcpy(id.serial, "BAD0001");
		if (!strcmp(mode, "serial24"))	/* no room left for a NUL */
			memcpy(id.serial, "BAD0001-BAD0001-BAD00012",
			       LEVER_SERIAL_LEN);
		id.fw_major = 1;
		id.sample_rate_hz = htole32(!strcmp(mode, "rate0") ? 0 : 1000);
		memcpy(buf, &id, sizeof(id));
		return !strcmp(mode, "short") ? 10 : (int)sizeof(id);
	case LEVER_REQ_GET_LIMITS:
		l.max_support_pressure_pa = htole32(600000);
		l.max_support_force_mn = htole32(1200000);
		l.max_belt_speed_mm_s = htole32(!strcmp(mode, "limits") ?
						9000 : 5556);
		l.max_belt_accel_mm_s2 = htole32(1500);
		l.stop_decel_mm_s2 = htole32(1000);
		l.incline_min_centi_pct = htole16((__u16)-300);
		l.incline_max_centi_pct = htole16(1500);
		l.force_per_pressure_un_pa = htole32(2000);
		l.max_pressure_slew_pa_s = htole32(100000);
		l.watchdog_min_ms = htole32(LEVER_BOARD_WATCHDOG_MIN_MS);
		l.watchdog_max_ms = htole32(LEVER_BOARD_WATCHDOG_MAX_MS);
		memcpy(buf, &l, sizeof(l));
		return sizeof(l);
	case LEVER_REQ_GET_WATCHDOG:
		memcpy(buf, &wd, sizeof(wd));
		return sizeof(wd);
	}
	return -1;
}

/*
 * The sample endpoint after FUNCTIONFS_ENABLE, per stream mode: garbage
 * frames of the right size at 1 kHz, or valid frames for 300 ms and then
 * a halt (FunctionFS halts an IN endpoint that is read).
 */
static void *stream_main(void *arg)
{
	struct lever_wire_sample f;
	struct timespec ts = { 0, 1000000 };
	bool garbage = !strcmp(mode, "garbage");
	int fd = open(MNT "/ep1", O_RDWR);
	__u32 seq;
	char b;

	if (fd < 0) {
		fprintf(stderr, "badboard: ep1: %s\n", strerror(errno));
		return NULL;
	}
	for (seq = 0; !stop; seq++) {
		if (!garbage && seq == 300) {
			if (read(fd, &b, 1) >= 0 || errno != EBADMSG)
				fprintf(stderr, "badboard: halt did not take\n");
			break;
		}
		memset(&f, 0, sizeof(f));
		f.version = garbage ? LEVER_WIRE_VERSION + 7 :
				      LEVER_WIRE_VERSION;
		f.type = LEVER_FRAME_SAMPLE;
		f.length = htole16(sizeof(f));
		f.seq = htole32(seq);
		f.board_time_ns = htole64((__u64)seq * 1000000u);
		if (write(fd, &f, sizeof(f)) < 0 && errno != EINTR &&
		    errno != ESHUTDOWN)
			break;
		nanosleep(&ts, NULL);
	}
	while (!stop)
		pause();
	close(fd);
	return NULL;
}

static void serve(int ep0)
{
	bool streams = !strcmp(mode, "garbage") || !strcmp(mode, "halt");
	bool started = false;
	pthread_t th;

	struct usb_functionfs_event ev;
	unsigned char buf[256];

	while (!stop) {
		ssize_t n = read(ep0, &ev, sizeof(ev));
		bool in;
		int len;

		/*
		 * EIDRM: the host gave up on a request before it was
		 * answered (a slow debug kernel) and sent the next one; a
		 * board goes on serving
		 */
		if (n < 0 && (errno == EINTR || errno == EIDRM))
			continue;
		if (n != sizeof(ev)) {
			fprintf(stderr, "badboard: ep0 read %zd: %s\n", n,
				n < 0 ? strerror(errno) : "short");
			return;
		}
		if (ev.type == FUNCTIONFS_ENABLE && streams && !started) {
			started = !pthread_create(&th, NULL, stream_main, NULL);
			if (started)
				pthread_detach(th);
		}
		if (ev.type != FUNCTIONFS_SETUP)
			continue;
		in = ev.u.setup.bRequestType & USB_DIR_IN;
		len = in ? answer(ev.u.setup.bRequest, buf) : -1;
		if (len > le16toh(ev.u.setup.wLength))
			len = le16toh(ev.u.setup.wLength);
		if (len < 0) {
			/* using ep0 against the data direction stalls */
			if (in)
				n = read(ep0, buf, 0);
			else
				n = write(ep0, buf, 0);
		} else {
			n = write(ep0, buf, len);
		}
		/* a hostile board: how the host took its answer is not read */
		(void)n;
	}
}

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ep0, ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: lever_badboard UDC bulk|maxp|rate0|limits|stall|short|serial24|mute|garbage|halt\n");
		return 2;
	}
	mode = argv[2];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	teardown();
	if (build()) {
		fprintf(stderr, "badboard: cannot build the gadget: %s\n",
			strerror(errno));
		goto out;
	}
	ep0 = open(MNT "/ep0", O_RDWR);
	if (ep0 < 0 || write_descs(ep0)) {
		fprintf(stderr, "badboard: ep0: %s\n", strerror(errno));
		goto out;
	}
	if (put(GADGET "/UDC", argv[1]))
		goto out;
	serve(ep0);
	ret = 0;
	close(ep0);
out:
	teardown();
	return ret;
}
