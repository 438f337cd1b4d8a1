// SPDX-License-Identifier: GPL-2.0
/*
 * lever_input_test.c - kselftest of lever.ko's "LEVER console" input
 * device seen through libevdev, in the VM, against the simulated board:
 * its identity, its documented key mapping, and no autorepeat. Each test
 * finds the board plugged in and leaves every button released.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lever_gpio_input_util.h"

#define LEVER_CONSOLE_NAME	"LEVER console"
#define LEVER_USB_VID		0x1209
#define LEVER_USB_PID		0x4c56

/* Documentation/userspace-api/lever-gpio-input.rst, in wire-bit order. */
static const struct {
	const char *button;	/* as the stimulus adapter names it */
	unsigned int code;
} mapping[] = {
	{ "start", KEY_PLAY },
	{ "stop", KEY_STOPCD },
	{ "pause", KEY_PAUSE },
	{ "pain", KEY_HELP },
	{ "speed-up", KEY_UP },
	{ "speed-down", KEY_DOWN },
	{ "support-up", KEY_PAGEUP },
	{ "support-down", KEY_PAGEDOWN },
};

#define N_BUTTONS ARRAY_SIZE(mapping)

/* The first /dev/input/event* named "LEVER console", opened. */
static int open_console(struct libevdev **out)
{
	unsigned long long deadline = lever_now_ns() +
		LEVER_TEST_WAIT_MS * 1000000ull;

	do {
		DIR *dir = opendir("/dev/input");
		struct dirent *de;

		while (dir && (de = readdir(dir))) {
			struct libevdev *dev;
			char path[300];
			int fd;

			if (strncmp(de->d_name, "event", 5))
				continue;
			snprintf(path, sizeof(path), "/dev/input/%s",
				 de->d_name);
			fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (libevdev_new_from_fd(fd, &dev) == 0) {
				if (!strcmp(libevdev_get_name(dev),
					    LEVER_CONSOLE_NAME)) {
					closedir(dir);
					*out = dev;
					return fd;
				}
				libevdev_free(dev);
			}
			close(fd);
		}
		if (dir)
			closedir(dir);
		lever_sleep_ms(20);
	} while (lever_now_ns() < deadline);
	return -1;
}

/*
 * Next EV_KEY event: 1 with *ev filled, 0 if none came within @wait_ms,
 * negative errno on error (-ENODEV once the device is gone).
 */
static int next_key(struct libevdev *dev, int fd, unsigned int wait_ms,
		    struct input_event *ev)
{
	unsigned long long deadline = lever_now_ns() + wait_ms * 1000000ull;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left_ms;
		int rc;

		rc = libevdev_next_event(dev, LIBEVDEV_READ_FLAG_NORMAL, ev);
		if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
			if (ev->type == EV_KEY)
				return 1;
			continue;
		}
		if (rc == LIBEVDEV_READ_STATUS_SYNC)
			return -EIO;	/* dropped events: not expected */
		if (rc != -EAGAIN)
			return rc;
		left_ms = (long long)(deadline - lever_now_ns()) / 1000000;
		if ((long long)(deadline - lever_now_ns()) <= 0)
			return 0;
		rc = poll(&pfd, 1, left_ms > 0 ? left_ms : 1);
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * The console, opened once no key of it is down. The teardown's release
 * of the last test's buttons travels board, sample, driver, input core;
 * on a loaded VM it reached the next test's reader after it opened, as
 * its first event ("KEY_HELP 0" where a press was expected).
 */
static int open_quiet_console(struct libevdev **out)
{
	unsigned long long deadline = lever_now_ns() +
		LEVER_TEST_WAIT_MS * 1000000ull;
	struct input_event ev;
	unsigned int i, down;
	int fd = open_console(out);

	while (fd >= 0) {
		for (i = 0, down = 0; i < N_BUTTONS; i++)
			down += libevdev_get_event_value(*out, EV_KEY,
							 mapping[i].code);
		if (!down)
			return fd;
		if (lever_now_ns() >= deadline ||
		    next_key(*out, fd, 50, &ev) < 0)
			break;
	}
	if (fd >= 0) {
		libevdev_free(*out);
		close(fd);
	}
	return -1;
}

FIXTURE(console) {
	struct libevdev *dev;
	int fd;
};

FIXTURE_SETUP(console)
{
	ASSERT_EQ(0, lever_stim("plug"));
	self->fd = open_quiet_console(&self->dev);
	ASSERT_LE(0, self->fd)
		TH_LOG("no input device named %s with its keys up",
		       LEVER_CONSOLE_NAME);
}

FIXTURE_TEARDOWN(console)
{
	if (self->fd >= 0) {
		libevdev_free(self->dev);
		close(self->fd);
	}
	/* The buttons the console tests press. */
	lever_stim("button start 0");
	lever_stim("button stop 0");
	lever_stim("button pain 0");
}

TEST_F_VM(console, reports_usb_bus_and_the_board_ids)
{
	EXPECT_EQ(BUS_USB, libevdev_get_id_bustype(self->dev));
	EXPECT_EQ(LEVER_USB_VID, libevdev_get_id_vendor(self->dev));
	EXPECT_EQ(LEVER_USB_PID, libevdev_get_id_product(self->dev));
}

TEST_F_VM(console, phys_path_is_the_usb_path_of_interface_input0)
{
	const char *phys = libevdev_get_phys(self->dev);
	size_t n;

	ASSERT_NE(NULL, phys);
	n = strlen(phys);
	EXPECT_EQ(0, strncmp(phys, "usb-", 4));
	ASSERT_LT((size_t)7, n);
	EXPECT_STREQ("/input0", phys + n - 7);
}

TEST_F_VM(console, has_exactly_the_documented_keys)
{
	unsigned int code, i, n = 0;

	for (i = 0; i < N_BUTTONS; i++)
		EXPECT_TRUE(libevdev_has_event_code(self->dev, EV_KEY,
						    mapping[i].code));
	for (code = 0; code <= KEY_MAX; code++)
		n += libevdev_has_event_code(self->dev, EV_KEY, code);
	EXPECT_EQ(N_BUTTONS, n);
}

TEST_F_VM(console, reports_keys_only_without_autorepeat)
{
	unsigned int type;

	for (type = 0; type <= EV_MAX; type++)
		EXPECT_EQ(type == EV_SYN || type == EV_KEY,
			  libevdev_has_event_type(self->dev, type))
			TH_LOG("event type %u", type);
	EXPECT_FALSE(libevdev_has_event_type(self->dev, EV_REP));
}

TEST_F_VM(console, keycode_table_cannot_be_remapped)
{
	struct input_keymap_entry ke = {
		.flags = INPUT_KEYMAP_BY_INDEX, .index = 0, .keycode = KEY_A,
	};

	EXPECT_EQ(-1, ioctl(self->fd, EVIOCSKEYCODE_V2, &ke));
}

TEST_F_VM(console, held_button_does_not_repeat)
{
	struct input_event ev;

	ASSERT_EQ(0, lever_stim("button stop 1"));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(KEY_STOPCD, ev.code);
	EXPECT_EQ(1, ev.value);
	/* Longer than the input core's default 250 ms repeat delay. */
	EXPECT_EQ(0, next_key(self->dev, self->fd, 600, &ev));
	ASSERT_EQ(0, lever_stim("button stop 0"));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(KEY_STOPCD, ev.code);
	EXPECT_EQ(0, ev.value);
}

TEST_F_VM(console, two_buttons_held_together_are_two_keys_down)
{
	struct input_event ev;

	ASSERT_EQ(0, lever_stim("button start 1"));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	ASSERT_EQ(0, lever_stim("button pain 1"));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(KEY_HELP, ev.code);
	EXPECT_EQ(1, libevdev_get_event_value(self->dev, EV_KEY, KEY_PLAY));
	EXPECT_EQ(1, libevdev_get_event_value(self->dev, EV_KEY, KEY_HELP));
}

/*
 * The input core releases the keys still down when the board goes, but
 * evdev hangs up its readers first: what a reader sees is ENODEV.
 */
TEST_F_VM(console, reader_gets_enodev_when_the_board_goes)
{
	struct input_event ev;

	ASSERT_EQ(0, lever_stim("button pain 1"));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(KEY_HELP, ev.code);
	EXPECT_EQ(1, ev.value);
	ASSERT_EQ(0, lever_stim("unplug"));
	EXPECT_EQ(-ENODEV, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS,
				    &ev));
}

FIXTURE(button) {
	struct libevdev *dev;
	int fd;
};

FIXTURE_VARIANT(button) {
	unsigned int index;	/* into mapping[] */
};

FIXTURE_VARIANT_ADD(button, start_is_key_play) { .index = 0 };
FIXTURE_VARIANT_ADD(button, stop_is_key_stopcd) { .index = 1 };
FIXTURE_VARIANT_ADD(button, pause_is_key_pause) { .index = 2 };
FIXTURE_VARIANT_ADD(button, pain_is_key_help) { .index = 3 };
FIXTURE_VARIANT_ADD(button, speed_up_is_key_up) { .index = 4 };
FIXTURE_VARIANT_ADD(button, speed_down_is_key_down) { .index = 5 };
FIXTURE_VARIANT_ADD(button, support_up_is_key_pageup) { .index = 6 };
FIXTURE_VARIANT_ADD(button, support_down_is_key_pagedown) { .index = 7 };

FIXTURE_SETUP(button)
{
	ASSERT_EQ(0, lever_stim("plug"));
	self->fd = open_quiet_console(&self->dev);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(button)
{
	if (self->fd >= 0) {
		libevdev_free(self->dev);
		close(self->fd);
	}
	lever_stim("button %s 0", mapping[variant->index].button);
}

TEST_F_VM(button, press_and_release_give_its_key_down_and_up)
{
	const char *name = mapping[variant->index].button;
	unsigned int code = mapping[variant->index].code;
	struct input_event ev;

	ASSERT_EQ(0, lever_stim("button %s 1", name));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(code, ev.code)
		TH_LOG("%s gave %s", name,
		       libevdev_event_code_get_name(EV_KEY, ev.code));
	EXPECT_EQ(1, ev.value);
	ASSERT_EQ(0, lever_stim("button %s 0", name));
	ASSERT_EQ(1, next_key(self->dev, self->fd, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(code, ev.code);
	EXPECT_EQ(0, ev.value);
}

TEST_HARNESS_MAIN
