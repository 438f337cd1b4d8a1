// SPDX-License-Identifier: MIT
/*
 * gadget.c - configfs and FunctionFS set-up and tear-down for lever-simd.
 * Descriptors and strings go to ep0 before the UDC is bound (binding
 * first fails); tear-down runs in exact reverse and tolerates half-built
 * state, so a crashed earlier run never blocks the next one.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "gadget.h"
#include "lever_wire.h"

#define CONFIGFS	"/sys/kernel/config/usb_gadget"
#define FFS_ROOT	"/run/lever-simd"

struct gadget {
	char	udc[64];
	char	name[64];		/* configfs gadget and ffs instance */
	char	dir[128];		/* configfs gadget directory */
	char	mnt[128];		/* FunctionFS mount point */
	int	ep0, ep_in, ep_out;
	bool	mounted;
	bool	bound;
};

/* The descriptor block of FunctionFS v2: full and high speed. */
struct lever_descs {
	struct usb_functionfs_descs_head_v2 head;
	__le32 fs_count;
	__le32 hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct usb_endpoint_descriptor_no_audio in;
		struct usb_endpoint_descriptor_no_audio out;
	} __attribute__((packed)) fs, hs;
} __attribute__((packed));

#define INTF_NAME "LEVER treadmill controller"

struct lever_strings {
	struct usb_functionfs_strings_head head;
	struct {
		__le16 code;
		char str1[sizeof(INTF_NAME)];
	} __attribute__((packed)) lang0;
} __attribute__((packed));

static void fill_speed(struct usb_interface_descriptor *intf,
		       struct usb_endpoint_descriptor_no_audio *in,
		       struct usb_endpoint_descriptor_no_audio *out,
		       __u8 interval)
{
	intf->bLength = sizeof(*intf);
	intf->bDescriptorType = USB_DT_INTERFACE;
	intf->bInterfaceNumber = 0;
	intf->bNumEndpoints = 2;
	intf->bInterfaceClass = LEVER_USB_CLASS;
	intf->bInterfaceSubClass = LEVER_USB_SUBCLASS;
	intf->bInterfaceProtocol = LEVER_USB_PROTOCOL;
	intf->iInterface = 1;

	in->bLength = sizeof(*in);
	in->bDescriptorType = USB_DT_ENDPOINT;
	in->bEndpointAddress = 1 | USB_DIR_IN;
	in->bmAttributes = USB_ENDPOINT_XFER_INT;
	in->wMaxPacketSize = htole16(LEVER_EP_SAMPLE_MAXP);
	in->bInterval = interval;

	out->bLength = sizeof(*out);
	out->bDescriptorType = USB_DT_ENDPOINT;
	out->bEndpointAddress = 2 | USB_DIR_OUT;
	out->bmAttributes = USB_ENDPOINT_XFER_INT;
	out->wMaxPacketSize = htole16(LEVER_EP_COMMAND_MAXP);
	out->bInterval = interval;
}

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "lever-simd: cannot open %s: %s\n", path,
			strerror(errno));
		return err;
	}
	n = write(fd, text, strlen(text));
	err = n < 0 ? -errno : 0;
	if (n < 0)
		fprintf(stderr, "lever-simd: cannot write \"%s\" to %s: %s\n",
			text, path, strerror(errno));
	close(fd);
	return err;
}

static int make_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "",
		 sub ? sub : "");
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "lever-simd: cannot create %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static void remove_path(const char *dir, const char *sub, bool link)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (link)
		unlink(path);
	else
		rmdir(path);
}

/* Reverse of the build; every step may find its part absent. */
static void teardown(struct gadget *g)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/UDC", g->dir);
	if (access(path, F_OK) == 0) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (write(fd, "\n", 1) < 0 && errno != ENODEV)
				fprintf(stderr, "lever-simd: unbinding %s: %s\n",
					path, strerror(errno));
			close(fd);
		}
	}
	g->bound = false;
	if (g->ep_in >= 0)
		close(g->ep_in);
	if (g->ep_out >= 0)
		close(g->ep_out);
	if (g->ep0 >= 0)
		close(g->ep0);
	g->ep_in = g->ep_out = g->ep0 = -1;
	if (umount2(g->mnt, 0) && errno != EINVAL && errno != ENOENT)
		umount2(g->mnt, MNT_DETACH);
	g->mounted = false;
	rmdir(g->mnt);
	snprintf(path, sizeof(path), "configs/c.1/ffs.%s", g->name);
	remove_path(g->dir, path, true);
	remove_path(g->dir, "configs/c.1/strings/0x409", false);
	remove_path(g->dir, "configs/c.1", false);
	snprintf(path, sizeof(path), "functions/ffs.%s", g->name);
	remove_path(g->dir, path, false);
	remove_path(g->dir, "strings/0x409", false);
	rmdir(g->dir);
}

static int build_configfs(struct gadget *g, const char *serial)
{
	char path[PATH_MAX], target[PATH_MAX], num[16];
	int ret;

	ret = make_dir(g->dir, NULL);
	if (ret)
		return ret;
	snprintf(num, sizeof(num), "0x%04x", LEVER_USB_VID);
	ret = write_file(g->dir, "idVendor", num);
	snprintf(num, sizeof(num), "0x%04x", LEVER_USB_PID);
	ret = ret ?: write_file(g->dir, "idProduct", num);
	ret = ret ?: write_file(g->dir, "bcdDevice", "0x0100");
	ret = ret ?: write_file(g->dir, "bcdUSB", "0x0200");
	ret = ret ?: make_dir(g->dir, "strings/0x409");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/strings/0x409", g->dir);
	ret = write_file(path, "manufacturer", "LEVER project");
	ret = ret ?: write_file(path, "product",
				"LEVER treadmill controller (simulated)");
	ret = ret ?: write_file(path, "serialnumber", serial);
	ret = ret ?: make_dir(g->dir, "configs/c.1");
	ret = ret ?: make_dir(g->dir, "configs/c.1/strings/0x409");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/configs/c.1", g->dir);
	ret = write_file(path, "MaxPower", "100");
	snprintf(path, sizeof(path), "%s/configs/c.1/strings/0x409", g->dir);
	ret = ret ?: write_file(path, "configuration", "LEVER");
	snprintf(path, sizeof(path), "functions/ffs.%s", g->name);
	ret = ret ?: make_dir(g->dir, path);
	if (ret)
		return ret;
	snprintf(target, sizeof(target), "%s/functions/ffs.%s", g->dir,
		 g->name);
	snprintf(path, sizeof(path), "%s/configs/c.1/ffs.%s", g->dir,
		 g->name);
	if (symlink(target, path) && errno != EEXIST) {
		fprintf(stderr, "lever-simd: cannot link %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static int write_ep0(struct gadget *g)
{
	struct lever_descs d;
	struct lever_strings s;

	memset(&d, 0, sizeof(d));
	d.head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	d.head.length = htole32(sizeof(d));
	d.head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
	d.fs_count = htole32(3);
	d.hs_count = htole32(3);
	fill_speed(&d.fs.intf, &d.fs.in, &d.fs.out, LEVER_EP_INTERVAL_FS);
	fill_speed(&d.hs.intf, &d.hs.in, &d.hs.out, LEVER_EP_INTERVAL_HS);

	memset(&s, 0, sizeof(s));
	s.head.magic = htole32(FUNCTIONFS_STRINGS_MAGIC);
	s.head.length = htole32(sizeof(s));
	s.head.str_count = htole32(1);
	s.head.lang_count = htole32(1);
	s.lang0.code = htole16(0x0409);
	memcpy(s.lang0.str1, INTF_NAME, sizeof(INTF_NAME));

	if (write(g->ep0, &d, sizeof(d)) != (ssize_t)sizeof(d)) {
		fprintf(stderr, "lever-simd: writing descriptors to %s/ep0: %s\n",
			g->mnt, strerror(errno));
		return -EIO;
	}
	if (write(g->ep0, &s, sizeof(s)) != (ssize_t)sizeof(s)) {
		fprintf(stderr, "lever-simd: writing strings to %s/ep0: %s\n",
			g->mnt, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int open_ep(struct gadget *g, const char *name, int flags)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g->mnt, name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "lever-simd: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

int gadget_create(const char *udc, const char *serial, struct gadget **out)
{
	struct gadget *g;
	int ret;

	if (!udc || !*udc || strlen(udc) >= sizeof(g->udc) || !serial ||
	    !*serial || strlen(serial) >= LEVER_SERIAL_LEN)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ep0 = g->ep_in = g->ep_out = -1;
	strcpy(g->udc, udc);
	snprintf(g->name, sizeof(g->name), "lever_%s", serial);
	snprintf(g->dir, sizeof(g->dir), CONFIGFS "/%s", g->name);
	snprintf(g->mnt, sizeof(g->mnt), FFS_ROOT "/%s", serial);

	if (access(g->dir, F_OK) == 0) {
		fprintf(stderr, "lever-simd: removing stale gadget %s\n",
			g->dir);
		teardown(g);
	}
	ret = build_configfs(g, serial);
	if (ret)
		goto err;
	ret = make_dir(FFS_ROOT, NULL);
	ret = ret ?: make_dir(g->mnt, NULL);
	if (ret)
		goto err;
	if (mount(g->name, g->mnt, "functionfs", 0, NULL)) {
		ret = -errno;
		fprintf(stderr, "lever-simd: cannot mount functionfs %s on %s: %s\n",
			g->name, g->mnt, strerror(errno));
		goto err;
	}
	g->mounted = true;
	g->ep0 = open_ep(g, "ep0", O_RDWR);
	if (g->ep0 < 0) {
		ret = -errno;
		goto err;
	}
	ret = write_ep0(g);
	if (ret)
		goto err;
	/* ep1 is the first endpoint described (IN), ep2 the second. */
	g->ep_in = open_ep(g, "ep1", O_RDWR);
	g->ep_out = open_ep(g, "ep2", O_RDWR);
	if (g->ep_in < 0 || g->ep_out < 0) {
		ret = -ENOENT;
		goto err;
	}
	ret = gadget_set_bound(g, true);
	if (ret)
		goto err;
	*out = g;
	return 0;
err:
	teardown(g);
	free(g);
	return ret;
}

void gadget_destroy(struct gadget *g)
{
	if (!g)
		return;
	teardown(g);
	free(g);
}

int gadget_ep0_fd(const struct gadget *g)
{
	return g->ep0;
}

int gadget_in_fd(const struct gadget *g)
{
	return g->ep_in;
}

int gadget_out_fd(const struct gadget *g)
{
	return g->ep_out;
}

int gadget_set_bound(struct gadget *g, bool bound)
{
	int ret;

	if (bound == g->bound)
		return 0;
	ret = write_file(g->dir, "UDC", bound ? g->udc : "\n");
	if (!ret)
		g->bound = bound;
	return ret;
}

bool gadget_is_bound(const struct gadget *g)
{
	return g->bound;
}

const char *gadget_udc(const struct gadget *g)
{
	return g->udc;
}
