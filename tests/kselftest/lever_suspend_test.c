// SPDX-License-Identifier: GPL-2.0
/*
 * lever_suspend_test.c - a system sleep while the gate drives the belt.
 * usbcore does not let an interface refuse a system sleep, so lever.ko
 * stops the belt before it. The sleep is pm_test=devices (devices suspend,
 * 5 s pass, devices resume: no wake-up source needed). TAP out.
 *
 * Not a VM case: in the test VM the 9p root filesystem does not come back
 * from the devices' suspend, so the VM cannot finish afterwards (a run by
 * hand with lever-simd and watchdog 1000 passed all five checks, then
 * hung in the 9p root). Run it on a machine with a local root:
 *
 * usage: lever_suspend_test NODE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/lever.h>

static int n, failed;

static void check(bool ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++n, what);
	fflush(stdout);
	if (!ok)
		failed = 1;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int command(int fd, int32_t mm_s)
{
	struct lever_command c = { .belt_speed_mm_s = mm_s };

	return ioctl(fd, LEVER_IOC_COMMAND, &c);
}

int main(int argc, char **argv)
{
	struct lever_watchdog wd = { .period_ms = 1000 };
	struct lever_status st;
	int fd, i, ret;

	printf("1..5\n");
	if (argc < 2 || access("/sys/power/pm_test", W_OK)) {
		printf("# no device given or no /sys/power/pm_test\n");
		return 1;
	}
	fd = open(argv[1], O_RDWR);
	ret = fd >= 0 && !ioctl(fd, LEVER_IOC_SET_WATCHDOG, &wd) &&
	      !ioctl(fd, LEVER_IOC_ARM);
	for (i = 0; ret && i < 100; i++) {
		ret = !command(fd, 500);
		sleep_ms(5);
	}
	check(ret, "armed and running at 500 mm/s");
	if (!ret)
		return 1;
	write_file("/sys/power/pm_test", "devices");
	ret = write_file("/sys/power/state", "freeze");
	write_file("/sys/power/pm_test", "none");
	if (ret)
		printf("# /sys/power/state: %s\n", strerror(-ret));
	check(!ret, "the system sleep (pm_test=devices) went through");
	ret = ioctl(fd, LEVER_IOC_GET_STATUS, &st);
	check(!ret, "the same file works after the resume (not unbound)");
	check(!ret && (st.faults & LEVER_DFAULT_IO) &&
	      st.state != LEVER_STATE_ARMED,
	      "the gate stopped with the IO fault latched");
	printf("# state %u faults 0x%x\n", st.state, st.faults);
	ret = command(fd, 500);
	check(ret == -1 && errno == EPERM,
	      "commands are refused until a reset and a new arm");
	close(fd);
	return failed;
}
