// SPDX-License-Identifier: MIT
/*
 * keys.c - liblever's reader of console and pendant keys over libevdev,
 * with the SYN_DROPPED resync done so the caller's key state never drifts
 * from the device's. It only reads; it never grabs the device, so other
 * readers (evtest, a second daemon instance for diagnostics) still work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libevdev/libevdev.h>

#include "lever_priv.h"

struct lever_keys {
	struct libevdev *evdev;
	int fd;
	bool syncing;		/* inside a SYN_DROPPED resync */
	bool gone;
};

static int lever_keys_open_path(const char *path, struct lever_keys *k)
{
	int ret;

	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	ret = libevdev_new_from_fd(k->fd, &k->evdev);
	if (ret < 0) {
		close(k->fd);
		k->fd = -1;
		return ret;
	}
	return 0;
}

/*
 * The first /dev/input/event* whose name is exactly @name; -EACCES rather
 * than -ENOENT when some device could not be opened to ask its name.
 */
static int lever_keys_open_name(const char *name, struct lever_keys *k)
{
	struct dirent **list;
	int n, i, ret = -ENOENT;
	bool denied = false;

	n = scandir("/dev/input", &list, NULL, versionsort);
	if (n < 0)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		char path[300];

		if (ret && !strncmp(list[i]->d_name, "event", 5)) {
			snprintf(path, sizeof(path), "/dev/input/%s",
				 list[i]->d_name);
			int r = lever_keys_open_path(path, k);

			if (r == -EACCES || r == -EPERM)
				denied = true;
			if (!r) {
				const char *dn = libevdev_get_name(k->evdev);

				if (dn && !strcmp(dn, name)) {
					ret = 0;
				} else {
					libevdev_free(k->evdev);
					k->evdev = NULL;
					close(k->fd);
					k->fd = -1;
				}
			}
		}
		free(list[i]);
	}
	free(list);
	return ret == -ENOENT && denied ? -EACCES : ret;
}

LEVER_API void lever_keys_close(struct lever_keys *k)
{
	if (!k)
		return;
	if (k->evdev)
		libevdev_free(k->evdev);
	if (k->fd >= 0)
		close(k->fd);
	free(k);
}

LEVER_API int lever_keys_watch(const char *device, struct lever_keys **out)
{
	struct lever_keys *k;
	int ret;

	if (!device || !*device || !out)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fd = -1;
	if (device[0] == '/')
		ret = lever_keys_open_path(device, k);
	else
		ret = lever_keys_open_name(device, k);
	if (!ret && !libevdev_has_event_type(k->evdev, EV_KEY))
		ret = -EINVAL;
	if (ret) {
		lever_keys_close(k);
		return ret;
	}
	*out = k;
	return 0;
}

LEVER_API int lever_keys_fd(struct lever_keys *k)
{
	if (!k)
		return -EINVAL;
	return k->fd;
}

/*
 * libevdev's protocol: a normal read returning LIBEVDEV_READ_STATUS_SYNC
 * hands over the SYN_DROPPED; then reads with LIBEVDEV_READ_FLAG_SYNC give
 * the differences between the state libevdev had and the device's real
 * state, until -EAGAIN ends the resync. Normal reads follow. Leaving the
 * resync early is allowed but loses those differences, so we never do.
 */
LEVER_API int lever_keys_read_event(struct lever_keys *k,
				    struct lever_keys_event *event)
{
	struct input_event ev;
	int ret;

	if (!k || !event)
		return -EINVAL;
	if (k->gone)
		return -ENODEV;
	for (;;) {
		unsigned int flag = k->syncing ? LIBEVDEV_READ_FLAG_SYNC :
					       LIBEVDEV_READ_FLAG_NORMAL;

		ret = libevdev_next_event(k->evdev, flag, &ev);
		if (ret == -EAGAIN) {
			if (k->syncing) {
				k->syncing = false;
				continue;	/* resync done: normal reads */
			}
			return -EAGAIN;
		}
		if (ret == LIBEVDEV_READ_STATUS_SYNC) {
			if (!k->syncing) {
				/* this event is the SYN_DROPPED itself */
				k->syncing = true;
				continue;
			}
		} else if (ret < 0) {
			if (ret == -ENODEV)
				k->gone = true;
			return ret;
		}
		if (ev.type != EV_KEY)
			continue;
		memset(event, 0, sizeof(*event));
		event->code = ev.code;
		event->value = ev.value;
		event->timestamp_ns = (uint64_t)ev.input_event_sec *
				      1000000000ull +
				      (uint64_t)ev.input_event_usec * 1000ull;
		if (k->syncing)
			event->flags |= LEVER_KEYS_EVENT_RESYNC;
		return 0;
	}
}

LEVER_API int lever_keys_is_pressed(struct lever_keys *k, uint32_t code,
				    int *pressed)
{
	if (!k || !pressed || code > KEY_MAX ||
	    !libevdev_has_event_code(k->evdev, EV_KEY, code))
		return -EINVAL;
	*pressed = libevdev_get_event_value(k->evdev, EV_KEY, code) != 0;
	return 0;
}
