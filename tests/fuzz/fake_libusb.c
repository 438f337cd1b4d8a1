// SPDX-License-Identifier: MIT
/*
 * fake_libusb.c - just the libusb calls lib/usb.c makes, answered from
 * the fuzzer's input (fake_libusb.h). Single-threaded, no fds: "events"
 * are handled when usb.c pumps them, one interrupt transfer at a time.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "fake_libusb.h"

struct fake_usb fake_usb;

struct libusb_context {
	int unused;
};

struct libusb_device {
	int index;
};

struct libusb_device_handle {
	int index;
};

static struct libusb_context the_ctx;
static struct libusb_device devices[FAKE_USB_MAX_DEVICES];
static struct libusb_device_handle handles[FAKE_USB_MAX_DEVICES];
static struct libusb_transfer *in_flight;
static bool cancelling;

static void fake_fail(const char *why)
{
	fprintf(stderr, "fake_libusb: %s\n", why);
	abort();
}

/* An error now and then (1 input byte in 8) on a fuzzed board. */
static int fake_error(void)
{
	static const int errs[] = {
		LIBUSB_ERROR_IO, LIBUSB_ERROR_NO_DEVICE, LIBUSB_ERROR_BUSY,
		LIBUSB_ERROR_TIMEOUT, LIBUSB_ERROR_PIPE, LIBUSB_ERROR_ACCESS,
		LIBUSB_ERROR_OVERFLOW, LIBUSB_ERROR_OTHER,
	};
	uint8_t v;

	if (fake_usb.good_board)
		return 0;
	v = fuzz_u8(fake_usb.in);
	return v < 0xe0 ? 0 : errs[v & 7];
}

void fake_usb_reset(struct fuzz_in *in, bool good_board)
{
	fake_usb.in = in;
	fake_usb.good_board = good_board;
	fake_usb.n_frames = 0;
	fake_usb.transfers_live = 0;
}

void fake_usb_sample(struct lever_wire_sample *w, uint32_t seq)
{
	memset(w, 0, sizeof(*w));
	w->version = LEVER_WIRE_VERSION;
	w->type = LEVER_FRAME_SAMPLE;
	w->length = htole16(sizeof(*w));
	w->seq = htole32(seq);
}

int libusb_init(libusb_context **ctx)
{
	*ctx = &the_ctx;
	return 0;
}

void libusb_exit(libusb_context *ctx)
{
	if (ctx != &the_ctx)
		fake_fail("libusb_exit of an unknown context");
	if (in_flight)
		fake_fail("context closed with a transfer in flight");
}

ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	int n = fake_usb.good_board ? 1 :
		fuzz_u8(fake_usb.in) % (FAKE_USB_MAX_DEVICES + 1);
	int i;

	*list = calloc((size_t)n + 1, sizeof(**list));
	if (!*list)
		return LIBUSB_ERROR_NO_MEM;
	for (i = 0; i < n; i++) {
		devices[i].index = i;
		(*list)[i] = &devices[i];
	}
	return n;
}

void libusb_free_device_list(libusb_device **list, int unref)
{
	free(list);
}

int libusb_get_device_descriptor(libusb_device *dev,
				 struct libusb_device_descriptor *dd)
{
	uint8_t v = fake_usb.good_board ? 0 : fuzz_u8(fake_usb.in);

	memset(dd, 0, sizeof(*dd));
	dd->bLength = sizeof(*dd);
	dd->idVendor = v & 0x80 ? 0x1d6b : LEVER_USB_VID;
	dd->idProduct = v & 0x40 ? 0x0104 : LEVER_USB_PID;
	return 0;
}

int libusb_get_active_config_descriptor(libusb_device *dev,
					struct libusb_config_descriptor **out)
{
	struct libusb_config_descriptor *cfg;
	struct libusb_interface *ifs;
	int i, j, k, err = fake_error();

	if (err)
		return err;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return LIBUSB_ERROR_NO_MEM;
	cfg->bNumInterfaces = fake_usb.good_board ? 1 :
			      fuzz_u8(fake_usb.in) % 4;
	ifs = calloc(cfg->bNumInterfaces + 1, sizeof(*ifs));
	cfg->interface = ifs;
	for (i = 0; i < cfg->bNumInterfaces; i++) {
		struct libusb_interface_descriptor *alt;
		uint8_t v = fake_usb.good_board ? 0 : fuzz_u8(fake_usb.in);

		ifs[i].num_altsetting = v & 1 ? 0 : 1 + (v >> 7);
		alt = calloc((size_t)ifs[i].num_altsetting + 1, sizeof(*alt));
		ifs[i].altsetting = alt;
		for (j = 0; j < ifs[i].num_altsetting; j++) {
			struct libusb_endpoint_descriptor *ep;

			alt[j].bInterfaceNumber = (uint8_t)i;
			alt[j].bInterfaceClass = v & 2 ? 3 : LEVER_USB_CLASS;
			alt[j].bInterfaceSubClass = LEVER_USB_SUBCLASS;
			alt[j].bInterfaceProtocol = v & 4 ? 2 :
						    LEVER_USB_PROTOCOL;
			alt[j].bNumEndpoints = fake_usb.good_board ? 2 :
					       (v >> 3) & 3;
			ep = calloc((size_t)alt[j].bNumEndpoints + 1,
				    sizeof(*ep));
			alt[j].endpoint = ep;
			for (k = 0; k < alt[j].bNumEndpoints; k++) {
				uint8_t e = fake_usb.good_board ? k * 0xc0 :
					    fuzz_u8(fake_usb.in);

				ep[k].bEndpointAddress = e & 0x40 ? 0x01 :
							 0x81 + k;
				ep[k].bmAttributes = e & 0x80 ? 2 : 3;
				ep[k].wMaxPacketSize = e & 0x20 ? 512 :
						       e & 0x10 ? 32 :
						       LEVER_EP_SAMPLE_MAXP;
			}
		}
	}
	*out = cfg;
	return 0;
}

void libusb_free_config_descriptor(struct libusb_config_descriptor *cfg)
{
	int i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->bNumInterfaces; i++) {
		for (j = 0; j < cfg->interface[i].num_altsetting; j++)
			free((void *)cfg->interface[i].altsetting[j].endpoint);
		free((void *)cfg->interface[i].altsetting);
	}
	free((void *)cfg->interface);
	free(cfg);
}

int libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	int err = fake_error();

	if (err)
		return err;
	handles[dev->index].index = dev->index;
	*h = &handles[dev->index];
	return 0;
}

void libusb_close(libusb_device_handle *h)
{
	if (in_flight && in_flight->dev_handle == h)
		fake_fail("device closed with a transfer in flight");
}

int libusb_claim_interface(libusb_device_handle *h, int iface)
{
	return fake_error();
}

int libusb_release_interface(libusb_device_handle *h, int iface)
{
	return 0;
}

uint8_t libusb_get_bus_number(libusb_device *dev)
{
	return 1;
}

uint8_t libusb_get_device_address(libusb_device *dev)
{
	return (uint8_t)(dev->index + 2);
}

static int good_reply(uint8_t req, unsigned char *buf, uint16_t len)
{
	struct lever_wire_identity id = {
		.protocol_version = htole16(LEVER_WIRE_VERSION),
		.fw_major = 1,
		.sample_rate_hz = htole32(1000),
	};
	struct lever_wire_limits lim = {
		.max_support_pressure_pa = htole32(600000),
		.max_belt_speed_mm_s = htole32(5556),
	};
	__le32 ms = htole32(100);
	const void *src = NULL;
	size_t n = 0;

	memcpy(id.serial, "SIM0001", 7);
	switch (req) {
	case LEVER_REQ_GET_IDENTITY:
		src = &id;
		n = sizeof(id);
		break;
	case LEVER_REQ_GET_LIMITS:
		src = &lim;
		n = sizeof(lim);
		break;
	case LEVER_REQ_GET_WATCHDOG:
		src = &ms;
		n = sizeof(ms);
		break;
	default:
		return LIBUSB_ERROR_PIPE;
	}
	if (n > len)
		n = len;
	memcpy(buf, src, n);
	return (int)n;
}

int libusb_control_transfer(libusb_device_handle *h, uint8_t type,
			    uint8_t req, uint16_t value, uint16_t index,
			    unsigned char *buf, uint16_t len,
			    unsigned int timeout)
{
	uint8_t v;
	int n, err;

	if (type != (LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR |
		     LIBUSB_RECIPIENT_INTERFACE) ||
	    (req != LEVER_REQ_GET_IDENTITY && req != LEVER_REQ_GET_LIMITS &&
	     req != LEVER_REQ_GET_WATCHDOG))
		fake_fail("the read-only transport sent a request that is not a GET");
	if (fake_usb.good_board)
		return good_reply(req, buf, len);
	err = fake_error();
	if (err)
		return err;
	/* mostly the length asked for, now and then short or long */
	v = fuzz_u8(fake_usb.in);
	n = v < 0xc0 ? len : v % (len + 2);
	if (n > len)
		return LIBUSB_ERROR_OVERFLOW;
	fuzz_bytes(fake_usb.in, buf, (size_t)n);
	return n;
}

struct libusb_transfer *libusb_alloc_transfer(int iso_packets)
{
	struct libusb_transfer *t = calloc(1, sizeof(*t));

	if (t)
		fake_usb.transfers_live++;
	return t;
}

void libusb_free_transfer(struct libusb_transfer *t)
{
	if (!t)
		return;
	if (t == in_flight)
		fake_fail("transfer freed while in flight");
	fake_usb.transfers_live--;
	free(t);
}

int libusb_submit_transfer(struct libusb_transfer *t)
{
	int err;

	if (in_flight)
		fake_fail("a second transfer submitted while one is in flight");
	err = fake_usb.good_board ? 0 :
	      fuzz_u8(fake_usb.in) == 0xff ? LIBUSB_ERROR_NO_DEVICE : 0;
	if (err)
		return err;
	in_flight = t;
	cancelling = false;
	return 0;
}

int libusb_cancel_transfer(struct libusb_transfer *t)
{
	if (t != in_flight)
		return LIBUSB_ERROR_NOT_FOUND;
	cancelling = true;
	return 0;
}

/* One completion per call: a frame, an error, or the device gone. */
int libusb_handle_events_timeout_completed(libusb_context *ctx,
					   struct timeval *tv,
					   int *completed)
{
	struct libusb_transfer *t = in_flight;
	struct lever_wire_sample w;
	uint8_t v;

	if (!t)
		return 0;
	in_flight = NULL;
	if (cancelling) {
		t->status = LIBUSB_TRANSFER_CANCELLED;
		t->actual_length = 0;
	} else if (!fuzz_more(fake_usb.in)) {
		/* the input is over: the board is unplugged */
		t->status = LIBUSB_TRANSFER_NO_DEVICE;
		t->actual_length = 0;
	} else {
		v = fuzz_u8(fake_usb.in);
		/*
		 * libusb reports CANCELLED only for a transfer that was
		 * cancelled: a spontaneous one is a device gone.
		 */
		t->status = v < 0xf0 ? LIBUSB_TRANSFER_COMPLETED :
			    (enum libusb_transfer_status)(v & 7);
		if (t->status == LIBUSB_TRANSFER_CANCELLED)
			t->status = LIBUSB_TRANSFER_NO_DEVICE;
		if (v < 0xb0) {
			/* a well-formed frame with fuzzed values */
			fake_usb_sample(&w, fuzz_u32(fake_usb.in));
			fuzz_bytes(fake_usb.in, (uint8_t *)&w + 8,
				   sizeof(w) - 8);
			t->actual_length = sizeof(w);
		} else {
			/* any bytes, any length */
			t->actual_length = fuzz_u8(fake_usb.in) % (t->length + 1);
			fuzz_bytes(fake_usb.in, &w, sizeof(w));
		}
		memcpy(t->buffer, &w, (size_t)t->length < sizeof(w) ?
		       (size_t)t->length : sizeof(w));
		if (t->status == LIBUSB_TRANSFER_COMPLETED &&
		    t->actual_length == (int)sizeof(w) &&
		    w.version == LEVER_WIRE_VERSION &&
		    w.type == LEVER_FRAME_SAMPLE &&
		    le16toh(w.length) == sizeof(w) &&
		    fake_usb.n_frames < FAKE_USB_MAX_FRAMES)
			fake_usb.frames[fake_usb.n_frames++] = w;
	}
	t->callback(t);
	return 0;
}

const struct libusb_pollfd **libusb_get_pollfds(libusb_context *ctx)
{
	return calloc(1, sizeof(struct libusb_pollfd *));
}

void libusb_free_pollfds(const struct libusb_pollfd **fds)
{
	free((void *)fds);
}
