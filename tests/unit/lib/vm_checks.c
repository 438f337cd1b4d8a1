// SPDX-License-Identifier: MIT
/*
 * vm_checks.c - liblever checks that need a kernel with lever-simd,
 * lever.ko or uinput, run by tests/vm/cases/5[1-4]-lib-*.sh inside the
 * VM only (it creates input devices and drives the simulated board):
 *
 *   lever-vm-checks usb SOCK     read-only usb: transport (lever.ko absent)
 *   lever-vm-checks keys         keys over uinput, SYN_DROPPED resync
 *   lever-vm-checks lines SOCK   lever-safety gpio edges, LEVER console keys
 *   lever-vm-checks replug SOCK  /dev/lever0 disconnect -> -ENODEV, reopen
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>

#include <lever/lever.h>

static int test_no;
static int failed;
static const char *sock;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	if (!ok)
		failed = 1;
	printf("%sok %d - %s", ok ? "" : "not ", test_no, name);
	if (!ok && fmt) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	fflush(stdout);
}

static int simctl(const char *cmd)
{
	char line[512];

	snprintf(line, sizeof(line), "%s/lever-simctl %s %s > /dev/null",
		 getenv("BUILD") ? getenv("BUILD") : "build", sock, cmd);
	return system(line);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int poll_fd(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms);
}

/* ---- usb: -------------------------------------------------------- */

static int run_usb(void)
{
	struct lever_dev_command cmd = { .belt_speed_mm_s = 100 };
	struct lever_dev_sample s, prev;
	struct lever_dev_status st;
	struct lever_dev_info info;
	struct lever_dev *dev = NULL;
	int ret = -ENOENT, i, ordered = 1, n = 0;

	printf("1..9\n");
	for (i = 0; i < 100 && ret; i++) {	/* enumeration takes a while */
		ret = lever_dev_open("usb:", &dev);
		if (ret)
			sleep_ms(100);
	}
	check(ret == 0, "open usb: finds the board", "%s", strerror(-ret));
	if (ret)
		return 1;
	ret = lever_dev_info(dev, &info);
	check(ret == 0 && !strcmp(info.serial, "VMLIB51") &&
	      info.transport == LEVER_DEV_TRANSPORT_USB &&
	      info.sample_rate_hz == 1000 && info.max_belt_speed_mm_s > 0 &&
	      info.board_watchdog_ms > 0,
	      "info gives identity and limits over control requests",
	      "ret %d serial '%s' rate %u", ret, info.serial,
	      info.sample_rate_hz);

	memset(&prev, 0, sizeof(prev));
	for (i = 0; i < 200; i++) {
		ret = lever_dev_read_sample(dev, &s);
		if (ret)
			break;
		if (i && s.seq - prev.seq != 1 + s.lost)
			ordered = 0;
		prev = s;
	}
	check(i == 200 && ordered, "200 live samples in order, gaps counted",
	      "read %d: %s", i, strerror(-ret));

	ret = lever_dev_fd(dev);
	check(ret >= 0 && poll_fd(ret, 1000) == 1,
	      "the fd polls readable while samples stream", "fd %d", ret);
	while ((ret = lever_dev_try_read_sample(dev, &s)) == 0 && n < 100000)
		n++;
	check(ret == -EAGAIN && n > 0,
	      "try_read drains the queued samples, then -EAGAIN",
	      "ret %d after %d", ret, n);

	check(lever_dev_arm(dev) == -EROFS && lever_dev_command(dev, &cmd) ==
	      -EROFS && lever_dev_stop(dev) == -EROFS &&
	      lever_dev_disarm(dev) == -EROFS &&
	      lever_dev_reset_faults(dev) == -EROFS &&
	      lever_dev_set_watchdog(dev, 100) == -EROFS,
	      "every command function is -EROFS", NULL);
	ret = lever_dev_status(dev, &st);
	check(ret == 0 && st.state == LEVER_DEV_STATE_DISARMED &&
	      st.samples >= 200, "status shows the stream, no gate",
	      "ret %d samples %llu", ret, (unsigned long long)st.samples);

	simctl("disconnect");
	for (i = 0; i < 50; i++) {
		ret = lever_dev_read_sample(dev, &s);
		if (ret)
			break;
	}
	check(ret == -ENODEV, "unplug gives -ENODEV", "%s", strerror(-ret));
	simctl("reconnect");
	for (i = 0; i < 100; i++) {
		ret = lever_dev_reopen(dev);
		if (!ret)
			break;
		sleep_ms(100);
	}
	if (!ret)
		ret = lever_dev_read_sample(dev, &s);
	check(ret == 0, "reopen after replug streams again", "%s",
	      strerror(-ret));
	lever_dev_close(dev);
	return failed;
}

/* ---- keys over uinput -------------------------------------------- */

static void emit(struct libevdev_uinput *ui, unsigned int code, int value)
{
	libevdev_uinput_write_event(ui, EV_KEY, code, value);
	libevdev_uinput_write_event(ui, EV_SYN, SYN_REPORT, 0);
}

static int run_keys(void)
{
	struct libevdev_uinput *ui = NULL;
	struct lever_keys_event ev = { 0 };
	struct lever_keys *k = NULL;
	struct libevdev *proto;
	int ret = -ENOENT, i, pressed = -1, resync_c = 0, saw_a = 0;

	printf("1..6\n");
	proto = libevdev_new();
	libevdev_set_name(proto, "LEVER test pendant");
	libevdev_enable_event_type(proto, EV_KEY);
	libevdev_enable_event_code(proto, EV_KEY, KEY_A, NULL);
	libevdev_enable_event_code(proto, EV_KEY, KEY_B, NULL);
	libevdev_enable_event_code(proto, EV_KEY, KEY_C, NULL);
	ret = libevdev_uinput_create_from_device(proto,
			LIBEVDEV_UINPUT_OPEN_MANAGED, &ui);
	check(ret == 0, "uinput test pendant created", "%s", strerror(-ret));
	if (ret)
		return 1;
	for (i = 0; i < 50; i++) {
		ret = lever_keys_watch("LEVER test pendant", &k);
		if (!ret)
			break;
		sleep_ms(100);
	}
	check(ret == 0, "watch finds the device by name", "%s",
	      strerror(-ret));
	if (ret)
		return 1;

	emit(ui, KEY_C, 1);
	ret = poll_fd(lever_keys_fd(k), 2000) == 1 ?
	      lever_keys_read_event(k, &ev) : -ETIMEDOUT;
	check(ret == 0 && ev.code == KEY_C && ev.value == 1 && !ev.flags,
	      "a press is read as one event", "ret %d code %u value %d",
	      ret, ev.code, ev.value);
	check(lever_keys_read_event(k, &ev) == -EAGAIN,
	      "nothing more pending is -EAGAIN", NULL);

	/*
	 * Overflow the kernel's buffer for this reader: the release of C is
	 * among the dropped events, so only the resync can tell it.
	 */
	emit(ui, KEY_C, 0);
	for (i = 0; i < 400; i++)
		emit(ui, KEY_B, i & 1 ? 0 : 1);
	emit(ui, KEY_B, 0);
	emit(ui, KEY_A, 1);
	while ((ret = lever_keys_read_event(k, &ev)) == 0) {
		if (ev.code == KEY_C && ev.value == 0 &&
		    (ev.flags & LEVER_KEYS_EVENT_RESYNC))
			resync_c = 1;
		if (ev.code == KEY_A && ev.value == 1)
			saw_a = 1;
	}
	check(ret == -EAGAIN && resync_c,
	      "the release lost to SYN_DROPPED comes back as a resync event",
	      "ret %d", ret);
	lever_keys_is_pressed(k, KEY_C, &pressed);
	ret = pressed == 0;
	lever_keys_is_pressed(k, KEY_A, &pressed);
	check(ret && pressed == 1 && saw_a,
	      "after the resync the key state is the device's", NULL);
	lever_keys_close(k);
	libevdev_uinput_destroy(ui);
	libevdev_free(proto);
	return failed;
}

/* ---- safety lines and console keys of lever.ko -------------------- */

static int wait_gpio_event(struct lever_gpio *g, struct lever_gpio_event *ev)
{
	int ret;

	if (poll_fd(lever_gpio_fd(g), 3000) != 1)
		return -ETIMEDOUT;
	ret = lever_gpio_read_event(g, ev);
	return ret;
}

static int run_lines(void)
{
	static const char *const names[] = { "estop", "safety-key", "harness" };
	struct lever_gpio_event ev = { 0 };
	struct lever_keys_event kev = { 0 };
	struct lever_keys *k = NULL;
	struct lever_gpio *g = NULL;
	int ret = -ENOENT, i, v = -1;

	printf("1..7\n");
	for (i = 0; i < 150 && ret; i++) {
		ret = lever_gpio_watch("lever-safety", names, 3, "lib-test", &g);
		if (ret)
			sleep_ms(100);
	}
	check(ret == 0, "watch estop, safety-key, harness of lever-safety",
	      "%s", strerror(-ret));
	if (ret)
		return 1;
	sleep_ms(200);
	ret = lever_gpio_get_value(g, 2, &v);
	check(ret == 0 && v == 1, "harness reads clipped (1)", "ret %d v %d",
	      ret, v);

	simctl("estop press");
	ret = wait_gpio_event(g, &ev);
	check(ret == 0 && ev.line == 0 && ev.edge == LEVER_GPIO_EDGE_RISING,
	      "e-stop press is a rising edge on estop", "ret %d line %u edge %u",
	      ret, ev.line, ev.edge);
	simctl("estop release");
	ret = wait_gpio_event(g, &ev);
	check(ret == 0 && ev.line == 0 && ev.edge == LEVER_GPIO_EDGE_FALLING,
	      "e-stop release is a falling edge", "ret %d line %u edge %u",
	      ret, ev.line, ev.edge);
	check(lever_gpio_read_event(g, &ev) == -EAGAIN,
	      "no further event is -EAGAIN", NULL);
	lever_gpio_close(g);

	ret = lever_keys_watch("LEVER console", &k);
	check(ret == 0, "watch the LEVER console by name", "%s",
	      strerror(-ret));
	if (ret)
		return 1;
	simctl("button pain press");
	ret = poll_fd(lever_keys_fd(k), 3000) == 1 ?
	      lever_keys_read_event(k, &kev) : -ETIMEDOUT;
	simctl("button pain release");
	check(ret == 0 && kev.code == KEY_HELP && kev.value == 1,
	      "the pain button arrives as KEY_HELP", "ret %d code %u", ret,
	      kev.code);
	lever_keys_close(k);
	return failed;
}

/* ---- /dev/lever0 replug ------------------------------------------- */

static int run_replug(void)
{
	struct lever_dev_command cmd = { .belt_speed_mm_s = 300,
					 .support_pressure_pa = 50000 };
	struct lever_dev_status st;
	struct lever_dev_sample s;
	struct lever_dev *dev = NULL;
	int ret, i;

	printf("1..6\n");
	ret = lever_dev_open("serial:VMLIB54", &dev);
	check(ret == 0, "open by serial through sysfs", "%s", strerror(-ret));
	if (ret)
		return 1;
	/*
	 * lever-simd on a loaded VM may latch a board fault while it starts
	 * (a late model step); an operator resets before arming, so do we.
	 */
	lever_dev_reset_faults(dev);
	for (i = 0; i < 20; i++)
		lever_dev_read_sample(dev, &s);
	/* the longest watchdog: a loaded TCG guest can stall for 0.5 s */
	ret = lever_dev_set_watchdog(dev, 1000);
	if (!ret)
		ret = lever_dev_arm(dev);
	for (i = 0; i < 50 && !ret; i++) {
		ret = lever_dev_command(dev, &cmd);
		if (!ret)
			ret = lever_dev_read_sample(dev, &s);
	}
	lever_dev_status(dev, &st);
	check(ret == 0, "armed and running",
	      "%s; state %u faults 0x%x board faults 0x%x lines 0x%x",
	      strerror(-ret), st.state, st.faults, st.last.board_faults,
	      st.last.lines);

	simctl("disconnect");
	for (i = 0; i < 5000; i++) {
		ret = lever_dev_read_sample(dev, &s);
		if (ret)
			break;
	}
	check(ret == -ENODEV, "unplug wakes the reader with -ENODEV", "%s",
	      strerror(-ret));
	check(lever_dev_command(dev, &cmd) == -ENODEV &&
	      lever_dev_reopen(dev) == -ENODEV,
	      "commands and reopen are -ENODEV while unplugged", NULL);

	simctl("reconnect");
	for (i = 0; i < 150; i++) {
		ret = lever_dev_reopen(dev);
		if (!ret)
			break;
		sleep_ms(100);
	}
	if (!ret)
		ret = lever_dev_read_sample(dev, &s);
	check(ret == 0, "reopen after replug reads samples", "%s",
	      strerror(-ret));
	/* disarmed, or in fault if the board latched its own watchdog */
	ret = lever_dev_status(dev, &st);
	check(ret == 0 && st.state != LEVER_DEV_STATE_ARMED &&
	      st.state != LEVER_DEV_STATE_STOPPING &&
	      lever_dev_command(dev, &cmd) == -EPERM,
	      "after replug nothing moves until a new arm",
	      "ret %d state %u", ret, st.state);
	lever_dev_close(dev);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "keys"))
		return run_keys();
	if (argc >= 3) {
		sock = argv[2];
		if (!strcmp(argv[1], "usb"))
			return run_usb();
		if (!strcmp(argv[1], "lines"))
			return run_lines();
		if (!strcmp(argv[1], "replug"))
			return run_replug();
	}
	fprintf(stderr, "usage: lever-vm-checks usb|lines|replug SOCK | keys\n");
	return 2;
}
