// SPDX-License-Identifier: MIT
/*
 * usb.c - the read-only "usb:" diagnostic transport of liblever over
 * libusb, for when lever.ko is not bound: identity, limits and the live
 * sample stream. It must never send a command frame or a control request
 * that changes the board (no watchdog, no fault reset).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <libusb.h>

#include <lever_wire.h>

#include "lever_priv.h"

#define LEVER_USB_RING		256	/* samples, about 0.25 s */
#define LEVER_USB_CTRL_TIMEOUT_MS 1000

struct lever_usb {
	struct lever_dev base;
	libusb_context *ctx;
	libusb_device_handle *h;
	struct libusb_transfer *xfer;
	uint8_t xfer_buf[LEVER_EP_SAMPLE_MAXP];
	bool xfer_busy;			/* submitted, callback pending */
	bool gone;
	int epfd;			/* epoll over libusb's pollfds */
	uint8_t iface;
	uint8_t ep_in;
	char serial[LEVER_DEV_SERIAL_MAX + 1];
	char node[64];
	struct lever_dev_sample ring[LEVER_USB_RING];
	struct lever_squeue q;		/* over ring[] */
	struct lever_dev_sample last;
	uint64_t samples;
};

static struct lever_usb *to_usb(struct lever_dev *dev)
{
	return lever_container_of(dev, struct lever_usb, base);
}

static int lever_usb_errno(int err)
{
	switch (err) {
	case LIBUSB_ERROR_IO:		return -EIO;
	case LIBUSB_ERROR_INVALID_PARAM: return -EINVAL;
	case LIBUSB_ERROR_ACCESS:	return -EACCES;
	case LIBUSB_ERROR_NO_DEVICE:	return -ENODEV;
	case LIBUSB_ERROR_NOT_FOUND:	return -ENOENT;
	case LIBUSB_ERROR_BUSY:		return -EBUSY;
	case LIBUSB_ERROR_TIMEOUT:	return -ETIMEDOUT;
	case LIBUSB_ERROR_OVERFLOW:	return -EOVERFLOW;
	case LIBUSB_ERROR_PIPE:		return -EPIPE;
	case LIBUSB_ERROR_INTERRUPTED:	return -EINTR;
	case LIBUSB_ERROR_NO_MEM:	return -ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
	default:			return -EIO;
	}
}

static uint64_t lever_usb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Vendor request to the interface, IN direction only: nothing changes. */
static int lever_usb_get(struct lever_usb *u, uint8_t req, void *buf,
			 uint16_t len)
{
	int ret;

	ret = libusb_control_transfer(u->h, LIBUSB_ENDPOINT_IN |
				      LIBUSB_REQUEST_TYPE_VENDOR |
				      LIBUSB_RECIPIENT_INTERFACE, req, 0,
				      u->iface, buf, len,
				      LEVER_USB_CTRL_TIMEOUT_MS);
	if (ret < 0) {
		if (ret == LIBUSB_ERROR_NO_DEVICE)
			u->gone = true;
		return lever_usb_errno(ret);
	}
	return ret == len ? 0 : -EPROTO;
}

static void lever_usb_push(struct lever_usb *u,
			   const struct lever_wire_sample *w)
{
	struct lever_dev_sample s;

	if (w->version != LEVER_WIRE_VERSION ||
	    w->type != LEVER_FRAME_SAMPLE ||
	    le16toh(w->length) != sizeof(*w))
		return;		/* not a frame we understand: never guess */
	lever_sample_from_wire(&s, w, lever_usb_now_ns());
	u->samples++;
	u->last = s;

	/* Ring full: drop the newest, flag the next one queued. */
	lever_squeue_push(&u->q, &s, le32toh(w->seq));
}

static void LIBUSB_CALL lever_usb_xfer_done(struct libusb_transfer *xfer)
{
	struct lever_usb *u = xfer->user_data;

	u->xfer_busy = false;
	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (xfer->actual_length == (int)sizeof(struct lever_wire_sample))
			lever_usb_push(u, (const void *)xfer->buffer);
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		return;		/* closing or reopening: never resubmit */
	case LIBUSB_TRANSFER_NO_DEVICE:
	case LIBUSB_TRANSFER_ERROR:
		u->gone = true;
		return;
	default:
		break;
	}
	if (!u->gone && libusb_submit_transfer(xfer) == 0)
		u->xfer_busy = true;
	else
		u->gone = true;
}

/* Runs libusb's completions, waiting at most @timeout_ms. */
static int lever_usb_pump(struct lever_usb *u, int timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};
	int ret;

	ret = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	return ret < 0 ? lever_usb_errno(ret) : 0;
}

static void lever_usb_disconnect(struct lever_usb *u)
{
	if (u->xfer && u->xfer_busy) {
		int i;

		libusb_cancel_transfer(u->xfer);
		/* the callback must have run before the transfer is freed */
		for (i = 0; i < 50 && u->xfer_busy; i++)
			if (lever_usb_pump(u, 100))
				break;
	}
	/* a transfer still in flight is leaked, never freed under libusb */
	if (u->xfer && !u->xfer_busy)
		libusb_free_transfer(u->xfer);
	u->xfer = NULL;
	if (u->h) {
		libusb_release_interface(u->h, u->iface);
		libusb_close(u->h);
		u->h = NULL;
	}
}

/* The LEVER interface of @d and its interrupt IN endpoint, or -ENOENT. */
static int lever_usb_find_iface(libusb_device *d, uint8_t *iface,
				uint8_t *ep_in)
{
	struct libusb_config_descriptor *cfg;
	int i, j, ret = -ENOENT;

	if (libusb_get_active_config_descriptor(d, &cfg))
		return -ENOENT;
	for (i = 0; i < cfg->bNumInterfaces && ret; i++) {
		const struct libusb_interface_descriptor *id;

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if (id->bInterfaceClass != LEVER_USB_CLASS ||
		    id->bInterfaceSubClass != LEVER_USB_SUBCLASS ||
		    id->bInterfaceProtocol != LEVER_USB_PROTOCOL)
			continue;
		for (j = 0; j < id->bNumEndpoints; j++) {
			const struct libusb_endpoint_descriptor *ep =
				&id->endpoint[j];

			if ((ep->bmAttributes & 3) ==
			    LIBUSB_TRANSFER_TYPE_INTERRUPT &&
			    (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
			    ep->wMaxPacketSize == LEVER_EP_SAMPLE_MAXP) {
				*iface = id->bInterfaceNumber;
				*ep_in = ep->bEndpointAddress;
				ret = 0;
				break;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	return ret;
}

/* Opens and claims one board; @serial "" takes the first. */
static int lever_usb_connect(struct lever_usb *u, const char *serial)
{
	libusb_device **list;
	ssize_t n, i;
	int ret = -ENOENT;

	n = libusb_get_device_list(u->ctx, &list);
	if (n < 0)
		return lever_usb_errno((int)n);
	for (i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;
		struct lever_wire_identity id;
		int r;

		if (libusb_get_device_descriptor(list[i], &dd) ||
		    dd.idVendor != LEVER_USB_VID ||
		    dd.idProduct != LEVER_USB_PID)
			continue;
		if (lever_usb_find_iface(list[i], &u->iface, &u->ep_in))
			continue;
		r = libusb_open(list[i], &u->h);
		if (r) {
			ret = lever_usb_errno(r);
			continue;
		}
		r = libusb_claim_interface(u->h, u->iface);
		if (r) {
			ret = lever_usb_errno(r);
			libusb_close(u->h);
			u->h = NULL;
			continue;
		}
		r = lever_usb_get(u, LEVER_REQ_GET_IDENTITY, &id, sizeof(id));
		if (r == 0) {
			memcpy(u->serial, id.serial, LEVER_SERIAL_LEN);
			u->serial[LEVER_DEV_SERIAL_MAX] = '\0';
		}
		if (r || (*serial && strcmp(serial, u->serial))) {
			ret = r ? r : -ENOENT;
			libusb_release_interface(u->h, u->iface);
			libusb_close(u->h);
			u->h = NULL;
			continue;
		}
		snprintf(u->node, sizeof(u->node), "usb:%u-%u",
			 libusb_get_bus_number(list[i]),
			 libusb_get_device_address(list[i]));
		ret = 0;
		break;
	}
	libusb_free_device_list(list, 1);
	if (ret)
		return ret;

	u->xfer = libusb_alloc_transfer(0);
	if (!u->xfer) {
		lever_usb_disconnect(u);
		return -ENOMEM;
	}
	libusb_fill_interrupt_transfer(u->xfer, u->h, u->ep_in, u->xfer_buf,
				       sizeof(u->xfer_buf),
				       lever_usb_xfer_done, u, 0);
	ret = libusb_submit_transfer(u->xfer);
	if (ret) {
		lever_usb_disconnect(u);
		return lever_usb_errno(ret);
	}
	u->xfer_busy = true;
	u->gone = false;
	lever_squeue_restart(&u->q);
	return 0;
}

/* One epoll fd over libusb's own fds, so callers poll a single fd. */
static int lever_usb_make_epoll(struct lever_usb *u)
{
	const struct libusb_pollfd **pfds;
	int i;

	if (u->epfd >= 0)
		close(u->epfd);
	u->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (u->epfd < 0)
		return -errno;
	pfds = libusb_get_pollfds(u->ctx);
	if (!pfds)
		return -EOPNOTSUPP;
	for (i = 0; pfds[i]; i++) {
		struct epoll_event ev = {
			.events = (uint32_t)pfds[i]->events,
			.data.fd = pfds[i]->fd,
		};

		epoll_ctl(u->epfd, EPOLL_CTL_ADD, pfds[i]->fd, &ev);
	}
	libusb_free_pollfds(pfds);
	return 0;
}

static int lever_usb_info(struct lever_dev *dev, struct lever_dev_info *info)
{
	struct lever_usb *u = to_usb(dev);
	struct lever_wire_identity id;
	struct lever_wire_limits lim;
	__le32 wd_ms;
	int ret;

	if (u->gone || !u->h)
		return -ENODEV;
	ret = lever_usb_get(u, LEVER_REQ_GET_IDENTITY, &id, sizeof(id));
	if (!ret)
		ret = lever_usb_get(u, LEVER_REQ_GET_LIMITS, &lim, sizeof(lim));
	if (!ret)
		ret = lever_usb_get(u, LEVER_REQ_GET_WATCHDOG, &wd_ms,
				    sizeof(wd_ms));
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	memcpy(info->serial, id.serial, LEVER_SERIAL_LEN);
	info->fw_major = id.fw_major;
	info->fw_minor = id.fw_minor;
	info->fw_patch = id.fw_patch;
	info->protocol_version = (uint8_t)le16toh(id.protocol_version);
	info->transport = LEVER_DEV_TRANSPORT_USB;
	lever_strlcpy(info->node, u->node, sizeof(info->node));
	info->sample_rate_hz = le32toh(id.sample_rate_hz);
	info->max_support_pressure_pa = le32toh(lim.max_support_pressure_pa);
	info->max_support_force_mn = (int32_t)le32toh(lim.max_support_force_mn);
	info->max_belt_speed_mm_s = (int32_t)le32toh(lim.max_belt_speed_mm_s);
	info->max_belt_accel_mm_s2 =
		(int32_t)le32toh(lim.max_belt_accel_mm_s2);
	info->stop_decel_mm_s2 = (int32_t)le32toh(lim.stop_decel_mm_s2);
	info->incline_min_centi_pct =
		(int16_t)le16toh(lim.incline_min_centi_pct);
	info->incline_max_centi_pct =
		(int16_t)le16toh(lim.incline_max_centi_pct);
	info->force_per_pressure_un_pa = le32toh(lim.force_per_pressure_un_pa);
	info->max_pressure_slew_pa_s = le32toh(lim.max_pressure_slew_pa_s);
	info->board_watchdog_ms = le32toh(wd_ms);
	info->watchdog_ms = 0;		/* no gate on this link */
	return 0;
}

/* Every call that could move or change the board. */
static int lever_usb_readonly(struct lever_dev *dev)
{
	return -EROFS;
}

static int lever_usb_command(struct lever_dev *dev,
			     const struct lever_dev_command *cmd)
{
	return -EROFS;
}

static int lever_usb_set_watchdog(struct lever_dev *dev, uint32_t ms)
{
	return -EROFS;
}

static int lever_usb_status(struct lever_dev *dev, struct lever_dev_status *st)
{
	struct lever_usb *u = to_usb(dev);
	int ret;

	if (u->gone || !u->h)
		return -ENODEV;
	ret = lever_usb_pump(u, 0);
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->last = u->last;
	st->state = LEVER_DEV_STATE_DISARMED;
	st->samples = u->samples;
	st->dropped = u->q.dropped;
	return 0;
}

static int lever_usb_read_sample(struct lever_dev *dev,
				 struct lever_dev_sample *s, bool block)
{
	struct lever_usb *u = to_usb(dev);
	int ret;

	if (!u->h)
		return -ENODEV;
	while (!u->q.count) {
		if (u->gone)
			return -ENODEV;
		ret = lever_usb_pump(u, block ? 100 : 0);
		if (ret)
			return ret;
		if (!block && !u->q.count)
			return u->gone ? -ENODEV : -EAGAIN;
	}
	lever_squeue_pop(&u->q, s);
	return 0;
}

static int lever_usb_fd(struct lever_dev *dev)
{
	struct lever_usb *u = to_usb(dev);

	return u->epfd >= 0 ? u->epfd : -EOPNOTSUPP;
}

static int lever_usb_reopen(struct lever_dev *dev)
{
	struct lever_usb *u = to_usb(dev);
	char serial[LEVER_DEV_SERIAL_MAX + 1];
	int ret;

	lever_usb_disconnect(u);
	/*
	 * A fresh context enumerates the bus again: an old one only learns
	 * of new devices through hotplug events, which need udevd when
	 * libusb is built with udev (Debian's is), and udevd may not run.
	 */
	if (u->epfd >= 0) {
		close(u->epfd);
		u->epfd = -1;
	}
	libusb_exit(u->ctx);
	u->ctx = NULL;
	ret = libusb_init(&u->ctx);
	if (ret) {
		u->ctx = NULL;
		return lever_usb_errno(ret);
	}
	memcpy(serial, u->serial, sizeof(serial));
	ret = lever_usb_connect(u, serial);
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;
	return lever_usb_make_epoll(u);
}

static void lever_usb_close(struct lever_dev *dev)
{
	struct lever_usb *u = to_usb(dev);

	lever_usb_disconnect(u);
	if (u->epfd >= 0)
		close(u->epfd);
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static const struct lever_ops lever_usb_ops = {
	.info = lever_usb_info,
	.arm = lever_usb_readonly,
	.disarm = lever_usb_readonly,
	.command = lever_usb_command,
	.stop = lever_usb_readonly,
	.set_watchdog = lever_usb_set_watchdog,
	.status = lever_usb_status,
	.reset_faults = lever_usb_readonly,
	.read_sample = lever_usb_read_sample,
	.fd = lever_usb_fd,
	.reopen = lever_usb_reopen,
	.close = lever_usb_close,
};

int lever_usb_open(const char *serial, unsigned int flags,
		   struct lever_dev **out)
{
	struct lever_usb *u;
	int ret;

	if (strlen(serial) > LEVER_DEV_SERIAL_MAX)
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	lever_squeue_init(&u->q, u->ring, LEVER_USB_RING);
	u->base.ops = &lever_usb_ops;
	u->base.flags = flags;
	u->epfd = -1;
	ret = libusb_init(&u->ctx);
	if (ret) {
		free(u);
		return lever_usb_errno(ret);
	}
	ret = lever_usb_connect(u, serial);
	if (!ret)
		ret = lever_usb_make_epoll(u);
	if (ret) {
		lever_usb_close(&u->base);
		return ret;
	}
	*out = &u->base;
	return 0;
}
