// SPDX-License-Identifier: MIT
/*
 * simusb.c - lever-simusb: a host-side libusb client of the LEVER board
 * for the VM tests (with lever.ko not bound): reads and checks the sample
 * stream, sends command frames (valid or raw bytes) and control requests.
 * It only reports what it saw; the test scripts decide pass or fail.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libusb.h>

#include "lever_wire.h"

#define EP_IN		0x81
#define EP_OUT		0x02
#define TIMEOUT_MS	2000
#define IN_FLIGHT	4

static libusb_device_handle *dev;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int open_board(void)
{
	int ret = libusb_init(NULL);

	if (ret) {
		fprintf(stderr, "lever-simusb: libusb_init: %s\n",
			libusb_strerror(ret));
		return -1;
	}
	dev = libusb_open_device_with_vid_pid(NULL, LEVER_USB_VID,
					      LEVER_USB_PID);
	if (!dev) {
		fprintf(stderr, "lever-simusb: no device %04x:%04x\n",
			LEVER_USB_VID, LEVER_USB_PID);
		return -1;
	}
	libusb_set_auto_detach_kernel_driver(dev, 1);
	ret = libusb_claim_interface(dev, 0);
	if (ret) {
		fprintf(stderr, "lever-simusb: claiming interface 0: %s\n",
			libusb_strerror(ret));
		return -1;
	}
	return 0;
}

struct stream {
	unsigned int want, got, gaps, bad;
	uint32_t first_seq, last_seq;
	uint64_t first_board_ns, last_board_ns;
	uint64_t first_host_ns, last_host_ns;
	unsigned int lost;
	unsigned int skip;
	int error;
};

static void on_frame(struct libusb_transfer *t)
{
	struct stream *s = t->user_data;
	struct lever_wire_sample f;
	uint32_t seq;

	if (s->got >= s->want)
		return;		/* cancelled after the count was reached */
	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		s->error = t->status;
		return;
	}
	if (s->skip) {
		/* Frames that waited in the gadget before we came. */
		s->skip--;
	} else if (t->actual_length != sizeof(f)) {
		s->bad++;
	} else {
		memcpy(&f, t->buffer, sizeof(f));
		seq = le32toh(f.seq);
		if (!s->got) {
			s->first_seq = seq;
			s->first_board_ns = le64toh(f.board_time_ns);
			s->first_host_ns = now_ns();
		} else if (seq != s->last_seq + 1) {
			s->gaps++;
			s->lost += seq - s->last_seq - 1;
		}
		s->last_seq = seq;
		s->last_board_ns = le64toh(f.board_time_ns);
		s->last_host_ns = now_ns();
		s->got++;
	}
	if (s->got < s->want)
		s->error = libusb_submit_transfer(t) ? -1 : s->error;
}

/* stream N: reads N consecutive frames with a few transfers in flight. */
static int cmd_stream(unsigned int n)
{
	struct libusb_transfer *t[IN_FLIGHT];
	unsigned char buf[IN_FLIGHT][LEVER_EP_SAMPLE_MAXP];
	struct stream s = { .want = n, .skip = 3 };
	double board_hz = 0, host_hz = 0;
	int i;

	for (i = 0; i < IN_FLIGHT; i++) {
		t[i] = libusb_alloc_transfer(0);
		libusb_fill_interrupt_transfer(t[i], dev, EP_IN, buf[i],
					       sizeof(buf[i]), on_frame, &s,
					       TIMEOUT_MS);
		if (libusb_submit_transfer(t[i])) {
			fprintf(stderr, "lever-simusb: cannot submit\n");
			return 1;
		}
	}
	while (s.got < s.want && !s.error)
		libusb_handle_events(NULL);
	for (i = 0; i < IN_FLIGHT; i++)
		libusb_cancel_transfer(t[i]);
	for (i = 0; i < 20; i++) {
		struct timeval tv = { 0, 10000 };

		libusb_handle_events_timeout(NULL, &tv);
	}
	if (s.got > 1) {
		board_hz = (s.got - 1 + s.lost) * 1e9 /
			   (double)(s.last_board_ns - s.first_board_ns);
		host_hz = (s.got - 1) * 1e9 /
			  (double)(s.last_host_ns - s.first_host_ns);
	}
	printf("frames=%u\ngaps=%u\nlost=%u\nbad_length=%u\n"
	       "first_seq=%u\nlast_seq=%u\n"
	       "board_span_ms=%.1f\nhost_span_ms=%.1f\n"
	       "board_rate_hz=%.1f\nhost_rate_hz=%.1f\nerror=%d\n",
	       s.got, s.gaps, s.lost, s.bad, s.first_seq, s.last_seq,
	       (s.last_board_ns - s.first_board_ns) / 1e6,
	       (s.last_host_ns - s.first_host_ns) / 1e6, board_hz, host_hz,
	       s.error);
	return s.error ? 1 : 0;
}

static int read_sample(struct lever_wire_sample *f)
{
	int got = 0, ret;

	ret = libusb_interrupt_transfer(dev, EP_IN, (unsigned char *)f,
					sizeof(*f), &got, TIMEOUT_MS);
	if (ret || got != sizeof(*f)) {
		fprintf(stderr, "lever-simusb: reading a sample: %s (%d bytes)\n",
			libusb_strerror(ret), got);
		return -1;
	}
	return 0;
}

/* sample: one frame as key=value lines. */
static int cmd_sample(void)
{
	struct lever_wire_sample f;

	/* Up to two frames may have waited in the gadget since the last
	 * reader left (the one in flight and one already handed to the
	 * controller); the third is live. */
	if (read_sample(&f) || read_sample(&f) || read_sample(&f))
		return 1;
	printf("seq=%u\nboard_time_ns=%llu\nsupport_pressure_pa=%d\n"
	       "support_force_mn=%d\nbelt_speed_mm_s=%d\nincline_centi_pct=%d\n"
	       "lines=0x%x\nbuttons=0x%x\nboard_state=%u\nfaults=0x%x\n"
	       "cmd_seq_applied=%u\npressure_setpoint_pa=%u\n"
	       "belt_setpoint_mm_s=%u\nincline_setpoint_centi_pct=%d\n"
	       "cmds_rejected=%u\ncmds_clamped=%u\n",
	       le32toh(f.seq), (unsigned long long)le64toh(f.board_time_ns),
	       (int32_t)le32toh(f.support_pressure_pa),
	       (int32_t)le32toh(f.support_force_mn),
	       (int32_t)le32toh(f.belt_speed_mm_s),
	       (int16_t)le16toh(f.incline_centi_pct), le16toh(f.lines),
	       le16toh(f.buttons), le16toh(f.board_state), le32toh(f.faults),
	       le32toh(f.cmd_seq_applied), le32toh(f.pressure_setpoint_pa),
	       le32toh(f.belt_setpoint_mm_s),
	       (int16_t)le16toh(f.incline_setpoint_centi_pct),
	       le32toh(f.cmds_rejected), le32toh(f.cmds_clamped));
	return 0;
}

static int send_bytes(const void *buf, int len)
{
	int sent = 0, ret;

	ret = libusb_interrupt_transfer(dev, EP_OUT, (unsigned char *)buf, len,
					&sent, TIMEOUT_MS);
	if (ret || sent != len) {
		fprintf(stderr, "lever-simusb: sending %d bytes: %s\n", len,
			libusb_strerror(ret));
		return -1;
	}
	return 0;
}

/*
 * cmd PRESSURE_PA BELT_MM_S INCLINE FLAGS COUNT PERIOD_MS: sends COUNT
 * valid command frames, one every PERIOD_MS, draining samples meanwhile.
 */
static int cmd_command(char **argv)
{
	struct lever_wire_command c;
	long count = strtol(argv[4], NULL, 0), period = strtol(argv[5], NULL, 0);
	uint64_t next = now_ns();
	struct timespec ts;
	long i;

	for (i = 0; i < count; i++) {
		memset(&c, 0, sizeof(c));
		c.version = LEVER_WIRE_VERSION;
		c.type = LEVER_FRAME_COMMAND;
		c.length = htole16(sizeof(c));
		c.seq = htole32(i + 1);
		c.support_pressure_pa = htole32(strtoul(argv[0], NULL, 0));
		c.belt_speed_mm_s = htole32((uint32_t)strtol(argv[1], NULL, 0));
		c.incline_centi_pct = htole16((uint16_t)strtol(argv[2], NULL, 0));
		c.flags = htole16(strtoul(argv[3], NULL, 0));
		if (send_bytes(&c, sizeof(c)))
			return 1;
		next += period * 1000000ULL;
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	return 0;
}

/* raw HEX: one OUT transfer with exactly these bytes. */
static int cmd_raw(const char *hex)
{
	unsigned char buf[256];
	size_t n = strlen(hex) / 2, i;
	unsigned int v;

	if (strlen(hex) % 2 || n > sizeof(buf)) {
		fprintf(stderr, "lever-simusb: raw: even number of hex digits, at most 512\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return 2;
		buf[i] = v;
	}
	return send_bytes(buf, n) ? 1 : 0;
}

/* garbage N SEED: N transfers of 1..40 pseudo-random bytes. */
static int cmd_garbage(unsigned long n, unsigned long long seed)
{
	unsigned char buf[40];
	unsigned long i;
	size_t j, len;

	for (i = 0; i < n; i++) {
		len = 1 + (seed >> 33) % sizeof(buf);
		for (j = 0; j < len; j++) {
			seed = seed * 6364136223846793005ULL +
			       1442695040888963407ULL;
			buf[j] = seed >> 56;
		}
		/* half of them with a valid header, to reach later checks */
		if (i & 1 && len >= 4) {
			buf[0] = LEVER_WIRE_VERSION;
			buf[1] = LEVER_FRAME_COMMAND;
			buf[2] = sizeof(struct lever_wire_command);
			buf[3] = 0;
		}
		if (send_bytes(buf, len))
			return 1;
	}
	return 0;
}

static int control(uint8_t dir, uint8_t req, uint16_t value, void *buf,
		   uint16_t len)
{
	return libusb_control_transfer(dev, dir | LIBUSB_REQUEST_TYPE_VENDOR |
				       LIBUSB_RECIPIENT_INTERFACE, req, value,
				       0, buf, len, TIMEOUT_MS);
}

/* ctrl identity|limits|getwd|setwd MS|reset|raw-in REQ|raw-out REQ VAL */
static int cmd_ctrl(int argc, char **argv)
{
	struct lever_wire_identity id;
	struct lever_wire_limits l;
	__le32 ms;
	int ret;

	if (!strcmp(argv[0], "identity")) {
		ret = control(LIBUSB_ENDPOINT_IN, LEVER_REQ_GET_IDENTITY, 0, &id,
			      sizeof(id));
		if (ret != sizeof(id))
			goto fail;
		printf("protocol_version=%u\nserial=%.*s\nfw=%u.%u.%u\n"
		       "sample_rate_hz=%u\n", le16toh(id.protocol_version),
		       LEVER_SERIAL_LEN, id.serial, id.fw_major, id.fw_minor,
		       id.fw_patch, le32toh(id.sample_rate_hz));
	} else if (!strcmp(argv[0], "limits")) {
		ret = control(LIBUSB_ENDPOINT_IN, LEVER_REQ_GET_LIMITS, 0, &l,
			      sizeof(l));
		if (ret != sizeof(l))
			goto fail;
		printf("max_support_pressure_pa=%u\nmax_support_force_mn=%u\n"
		       "max_belt_speed_mm_s=%u\nmax_belt_accel_mm_s2=%u\n"
		       "stop_decel_mm_s2=%u\nincline_min_centi_pct=%d\n"
		       "incline_max_centi_pct=%d\nforce_per_pressure_un_pa=%u\n"
		       "max_pressure_slew_pa_s=%u\nwatchdog_min_ms=%u\n"
		       "watchdog_max_ms=%u\n",
		       le32toh(l.max_support_pressure_pa),
		       le32toh(l.max_support_force_mn),
		       le32toh(l.max_belt_speed_mm_s),
		       le32toh(l.max_belt_accel_mm_s2),
		       le32toh(l.stop_decel_mm_s2),
		       (int16_t)le16toh(l.incline_min_centi_pct),
		       (int16_t)le16toh(l.incline_max_centi_pct),
		       le32toh(l.force_per_pressure_un_pa),
		       le32toh(l.max_pressure_slew_pa_s),
		       le32toh(l.watchdog_min_ms), le32toh(l.watchdog_max_ms));
	} else if (!strcmp(argv[0], "getwd")) {
		ret = control(LIBUSB_ENDPOINT_IN, LEVER_REQ_GET_WATCHDOG, 0, &ms,
			      sizeof(ms));
		if (ret != sizeof(ms))
			goto fail;
		printf("watchdog_ms=%u\n", le32toh(ms));
	} else if (!strcmp(argv[0], "setwd") && argc > 1) {
		ret = control(LIBUSB_ENDPOINT_OUT, LEVER_REQ_SET_WATCHDOG,
			      strtoul(argv[1], NULL, 0), NULL, 0);
		if (ret)
			goto fail;
	} else if (!strcmp(argv[0], "reset")) {
		ret = control(LIBUSB_ENDPOINT_OUT, LEVER_REQ_RESET_FAULTS, 0,
			      NULL, 0);
		if (ret)
			goto fail;
	} else if (!strcmp(argv[0], "raw-in") && argc > 1) {
		unsigned char buf[64];

		ret = control(LIBUSB_ENDPOINT_IN, strtoul(argv[1], NULL, 0), 0,
			      buf, sizeof(buf));
		if (ret < 0)
			goto fail;
		printf("bytes=%d\n", ret);
	} else if (!strcmp(argv[0], "raw-out") && argc > 2) {
		ret = control(LIBUSB_ENDPOINT_OUT, strtoul(argv[1], NULL, 0),
			      strtoul(argv[2], NULL, 0), NULL, 0);
		if (ret)
			goto fail;
	} else {
		fprintf(stderr, "lever-simusb: unknown ctrl request\n");
		return 2;
	}
	return 0;
fail:
	printf("result=%s\n", ret < 0 ? libusb_error_name(ret) : "short");
	return 1;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: lever-simusb stream N | sample | "
			"cmd PRESSURE_PA BELT_MM_S INCLINE FLAGS COUNT PERIOD_MS | "
			"raw HEX | garbage N SEED | ctrl REQUEST [ARGS]\n");
		return 2;
	}
	/* No real-time priority here: the emulated host controller's timer
	 * runs in ksoftirqd, which a SCHED_FIFO reader would starve. */
	if (open_board())
		return 3;
	if (!strcmp(argv[1], "stream") && argc == 3)
		ret = cmd_stream(strtoul(argv[2], NULL, 0));
	else if (!strcmp(argv[1], "sample"))
		ret = cmd_sample();
	else if (!strcmp(argv[1], "cmd") && argc == 8)
		ret = cmd_command(argv + 2);
	else if (!strcmp(argv[1], "garbage") && argc == 4)
		ret = cmd_garbage(strtoul(argv[2], NULL, 0),
				  strtoull(argv[3], NULL, 0));
	else if (!strcmp(argv[1], "raw") && argc == 3)
		ret = cmd_raw(argv[2]);
	else if (!strcmp(argv[1], "ctrl") && argc >= 3)
		ret = cmd_ctrl(argc - 2, argv + 2);
	else
		ret = 2;
	libusb_release_interface(dev, 0);
	libusb_close(dev);
	libusb_exit(NULL);
	return ret;
}
