// SPDX-License-Identifier: MIT
/*
 * chardev.c - the liblever transport over /dev/leverN (lever.ko): ioctls,
 * read() of sample records, poll. The kernel's gate decides; this file
 * only converts structs and errnos and must never second-guess a refusal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/lever.h>
#include <lever_wire.h>

#include "lever_priv.h"

/*
 * The public header repeats the kernel's and the board's numbers under
 * its own names (so it stays self-contained); they must never drift.
 */
#define LEVER_SAME(a, b) _Static_assert((a) == (b), #a " != " #b)
LEVER_SAME(LEVER_DEV_LINE_ESTOP, LEVER_LINE_ESTOP);
LEVER_SAME(LEVER_DEV_LINE_SAFETY_KEY, LEVER_LINE_SAFETY_KEY);
LEVER_SAME(LEVER_DEV_LINE_HARNESS, LEVER_LINE_HARNESS);
LEVER_SAME(LEVER_DEV_BTN_START, LEVER_BTN_START);
LEVER_SAME(LEVER_DEV_BTN_STOP, LEVER_BTN_STOP);
LEVER_SAME(LEVER_DEV_BTN_PAUSE, LEVER_BTN_PAUSE);
LEVER_SAME(LEVER_DEV_BTN_PAIN, LEVER_BTN_PAIN);
LEVER_SAME(LEVER_DEV_BTN_SPEED_UP, LEVER_BTN_SPEED_UP);
LEVER_SAME(LEVER_DEV_BTN_SPEED_DOWN, LEVER_BTN_SPEED_DOWN);
LEVER_SAME(LEVER_DEV_BTN_SUPPORT_UP, LEVER_BTN_SUPPORT_UP);
LEVER_SAME(LEVER_DEV_BTN_SUPPORT_DOWN, LEVER_BTN_SUPPORT_DOWN);
LEVER_SAME(LEVER_DEV_BFAULT_ESTOP, LEVER_FAULT_ESTOP);
LEVER_SAME(LEVER_DEV_BFAULT_SAFETY_KEY, LEVER_FAULT_SAFETY_KEY);
LEVER_SAME(LEVER_DEV_BFAULT_WATCHDOG, LEVER_FAULT_WATCHDOG);
LEVER_SAME(LEVER_DEV_BFAULT_OVERSPEED, LEVER_FAULT_OVERSPEED);
LEVER_SAME(LEVER_DEV_BFAULT_PRESSURE_SENSOR, LEVER_FAULT_PRESSURE_SENSOR);
LEVER_SAME(LEVER_DEV_BFAULT_FORCE_SENSOR, LEVER_FAULT_FORCE_SENSOR);
LEVER_SAME(LEVER_DEV_BFAULT_VALVE, LEVER_FAULT_VALVE);
LEVER_SAME(LEVER_DEV_BFAULT_BELT_DRIVE, LEVER_FAULT_BELT_DRIVE);
LEVER_SAME(LEVER_DEV_BOARD_IDLE, LEVER_BOARD_IDLE);
LEVER_SAME(LEVER_DEV_BOARD_RUNNING, LEVER_BOARD_RUNNING);
LEVER_SAME(LEVER_DEV_BOARD_STOPPING, LEVER_BOARD_STOPPING);
LEVER_SAME(LEVER_DEV_BOARD_HARD_STOPPED, LEVER_BOARD_HARD_STOPPED);
LEVER_SAME(LEVER_DEV_SAMPLE_OVERFLOW, LEVER_SAMPLE_OVERFLOW);
LEVER_SAME(LEVER_DEV_STATE_DISARMED, LEVER_STATE_DISARMED);
LEVER_SAME(LEVER_DEV_STATE_ARMED, LEVER_STATE_ARMED);
LEVER_SAME(LEVER_DEV_STATE_STOPPING, LEVER_STATE_STOPPING);
LEVER_SAME(LEVER_DEV_STATE_FAULT, LEVER_STATE_FAULT);
LEVER_SAME(LEVER_DEV_STATE_DISCONNECTED, LEVER_STATE_DISCONNECTED);
LEVER_SAME(LEVER_DEV_FAULT_WATCHDOG, LEVER_DFAULT_WATCHDOG);
LEVER_SAME(LEVER_DEV_FAULT_CLOSED, LEVER_DFAULT_CLOSED);
LEVER_SAME(LEVER_DEV_FAULT_BOARD, LEVER_DFAULT_BOARD);
LEVER_SAME(LEVER_DEV_FAULT_ESTOP, LEVER_DFAULT_ESTOP);
LEVER_SAME(LEVER_DEV_FAULT_SAFETY_KEY, LEVER_DFAULT_SAFETY_KEY);
LEVER_SAME(LEVER_DEV_FAULT_IO, LEVER_DFAULT_IO);
LEVER_SAME(LEVER_DEV_WATCHDOG_MIN_MS, LEVER_WATCHDOG_MIN_MS);
LEVER_SAME(LEVER_DEV_WATCHDOG_MAX_MS, LEVER_WATCHDOG_MAX_MS);
LEVER_SAME(LEVER_DEV_WATCHDOG_DEF_MS, LEVER_WATCHDOG_DEF_MS);
LEVER_SAME(LEVER_DEV_SERIAL_MAX, LEVER_SERIAL_MAX);

static int lever_sys_open(const char *path, int flags)
{
	return open(path, flags);
}

static int lever_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

struct lever_sys lever_sys = {
	.open = lever_sys_open,
	.close = close,
	.ioctl = lever_sys_ioctl,
	.read = read,
	.poll = poll,
};

const char *lever_sysfs_class_dir = "/sys/class/lever";
const char *lever_dev_dir = "/dev";

struct lever_chardev {
	struct lever_dev base;
	int fd;
	bool gone;			/* saw ENODEV; only reopen helps */
	char serial[LEVER_DEV_SERIAL_MAX + 1];
	char node[64];
};

static struct lever_chardev *to_chardev(struct lever_dev *dev)
{
	return lever_container_of(dev, struct lever_chardev, base);
}

/* A syscall's failure as a negative errno; remembers a disconnect. */
static int lever_chardev_err(struct lever_chardev *cd)
{
	int err = errno ? errno : EIO;

	if (err == ENODEV)
		cd->gone = true;
	return -err;
}

static int lever_chardev_ioctl(struct lever_dev *dev, unsigned long req,
			       void *arg)
{
	struct lever_chardev *cd = to_chardev(dev);

	if (cd->fd < 0)
		return -ENODEV;
	errno = 0;
	if (lever_sys.ioctl(cd->fd, req, arg) < 0)
		return lever_chardev_err(cd);
	return 0;
}

/* Reads one sysfs attribute into @buf, without the trailing newline. */
static int lever_sysfs_read(const char *dir, const char *name,
			    const char *attr, char *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return 0;
}

/* "lever12" -> 12, anything else -> -1 */
static long lever_node_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "lever", 5) || name[5] < '0' || name[5] > '9')
		return -1;
	n = strtol(name + 5, &end, 10);
	return *end ? -1 : n;
}

/*
 * Finds the node of the board with @serial (or, for NULL, the board with
 * the lowest number) in sysfs. Returns 0 and the path in @node, or
 * -ENOENT.
 */
static int lever_chardev_find(const char *serial, char *node, size_t size)
{
	char best[256] = "";
	long best_n = -1;
	struct dirent *de;
	DIR *d;

	d = opendir(lever_sysfs_class_dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char s[LEVER_DEV_SERIAL_MAX + 8];
		long n = lever_node_number(de->d_name);

		if (n < 0)
			continue;
		if (serial) {
			if (lever_sysfs_read(lever_sysfs_class_dir, de->d_name,
					     "serial", s, sizeof(s)) ||
			    strcmp(s, serial))
				continue;
		}
		if (best_n < 0 || n < best_n) {
			best_n = n;
			lever_strlcpy(best, de->d_name, sizeof(best));
		}
	}
	closedir(d);
	if (best_n < 0)
		return -ENOENT;
	if (snprintf(node, size, "%s/%s", lever_dev_dir, best) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static int lever_chardev_connect(struct lever_chardev *cd, const char *node)
{
	struct lever_info ki;
	int oflags = O_NONBLOCK | O_CLOEXEC;
	int fd, ret;

	oflags |= (cd->base.flags & LEVER_DEV_OPEN_READONLY) ?
		  O_RDONLY : O_RDWR;
	errno = 0;
	fd = lever_sys.open(node, oflags);
	if (fd < 0)
		return errno ? -errno : -EIO;
	memset(&ki, 0, sizeof(ki));
	errno = 0;
	if (lever_sys.ioctl(fd, LEVER_IOC_GET_INFO, &ki) < 0) {
		ret = errno ? -errno : -EIO;
		lever_sys.close(fd);
		return ret;
	}
	if (cd->fd >= 0)
		lever_sys.close(cd->fd);
	cd->fd = fd;
	cd->gone = false;
	memcpy(cd->serial, ki.serial, LEVER_SERIAL_MAX);
	cd->serial[LEVER_DEV_SERIAL_MAX] = '\0';
	lever_strlcpy(cd->node, node, sizeof(cd->node));
	return 0;
}

static int lever_chardev_info(struct lever_dev *dev,
			      struct lever_dev_info *info)
{
	struct lever_chardev *cd = to_chardev(dev);
	struct lever_info ki;
	int ret;

	memset(&ki, 0, sizeof(ki));
	ret = lever_chardev_ioctl(dev, LEVER_IOC_GET_INFO, &ki);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	memcpy(info->serial, ki.serial, LEVER_SERIAL_MAX);
	info->fw_major = ki.fw_major;
	info->fw_minor = ki.fw_minor;
	info->fw_patch = ki.fw_patch;
	info->protocol_version = ki.protocol_version;
	info->transport = LEVER_DEV_TRANSPORT_CHARDEV;
	lever_strlcpy(info->node, cd->node, sizeof(info->node));
	info->sample_rate_hz = ki.sample_rate_hz;
	info->max_support_pressure_pa = ki.max_support_pressure_pa;
	info->max_support_force_mn = ki.max_support_force_mn;
	info->max_belt_speed_mm_s = ki.max_belt_speed_mm_s;
	info->max_belt_accel_mm_s2 = ki.max_belt_accel_mm_s2;
	info->stop_decel_mm_s2 = ki.stop_decel_mm_s2;
	info->incline_min_centi_pct = ki.incline_min_centi_pct;
	info->incline_max_centi_pct = ki.incline_max_centi_pct;
	info->force_per_pressure_un_pa = ki.force_per_pressure_un_pa;
	info->max_pressure_slew_pa_s = ki.max_pressure_slew_pa_s;
	info->board_watchdog_ms = ki.board_watchdog_ms;
	info->watchdog_ms = ki.watchdog_ms;
	return 0;
}

static int lever_chardev_arm(struct lever_dev *dev)
{
	return lever_chardev_ioctl(dev, LEVER_IOC_ARM, NULL);
}

static int lever_chardev_disarm(struct lever_dev *dev)
{
	return lever_chardev_ioctl(dev, LEVER_IOC_DISARM, NULL);
}

static int lever_chardev_command(struct lever_dev *dev,
				 const struct lever_dev_command *cmd)
{
	struct lever_command kc;

	memset(&kc, 0, sizeof(kc));
	kc.support_pressure_pa = cmd->support_pressure_pa;
	kc.belt_speed_mm_s = cmd->belt_speed_mm_s;
	kc.incline_centi_pct = cmd->incline_centi_pct;
	return lever_chardev_ioctl(dev, LEVER_IOC_COMMAND, &kc);
}

static int lever_chardev_stop(struct lever_dev *dev)
{
	return lever_chardev_ioctl(dev, LEVER_IOC_STOP, NULL);
}

static int lever_chardev_set_watchdog(struct lever_dev *dev,
				      uint32_t period_ms)
{
	struct lever_watchdog wd;

	memset(&wd, 0, sizeof(wd));
	wd.period_ms = period_ms;
	return lever_chardev_ioctl(dev, LEVER_IOC_SET_WATCHDOG, &wd);
}

static void lever_sample_from_kernel(struct lever_dev_sample *s,
				     const struct lever_sample *k)
{
	memset(s, 0, sizeof(*s));
	s->timestamp_ns = k->timestamp_ns;
	s->board_time_ns = k->board_time_ns;
	s->seq = k->seq;
	s->flags = k->flags;
	s->lost = k->lost;
	s->support_pressure_pa = k->support_pressure_pa;
	s->support_force_mn = k->support_force_mn;
	s->belt_speed_mm_s = k->belt_speed_mm_s;
	s->incline_centi_pct = k->incline_centi_pct;
	s->lines = k->lines;
	s->buttons = k->buttons;
	s->board_state = k->board_state;
	s->board_faults = k->board_faults;
	s->cmd_seq_applied = k->cmd_seq_applied;
	s->pressure_setpoint_pa = k->pressure_setpoint_pa;
	s->belt_setpoint_mm_s = k->belt_setpoint_mm_s;
	s->incline_setpoint_centi_pct = k->incline_setpoint_centi_pct;
}

static int lever_chardev_status(struct lever_dev *dev,
				struct lever_dev_status *st)
{
	struct lever_status ks;
	int ret;

	memset(&ks, 0, sizeof(ks));
	ret = lever_chardev_ioctl(dev, LEVER_IOC_GET_STATUS, &ks);
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	lever_sample_from_kernel(&st->last, &ks.last);
	st->state = ks.state;
	st->faults = ks.faults;
	st->samples = ks.samples;
	st->dropped = ks.dropped;
	st->fault_count = ks.fault_count;
	st->watchdog_trips = ks.watchdog_trips;
	st->commands = ks.commands;
	st->clamped = ks.clamped;
	st->controller_pid = ks.controller_pid;
	return 0;
}

static int lever_chardev_reset_faults(struct lever_dev *dev)
{
	return lever_chardev_ioctl(dev, LEVER_IOC_RESET_FAULTS, NULL);
}

static int lever_chardev_read_sample(struct lever_dev *dev,
				     struct lever_dev_sample *s, bool block)
{
	struct lever_chardev *cd = to_chardev(dev);
	struct lever_sample ks;
	ssize_t n;

	if (cd->fd < 0 || cd->gone)
		return -ENODEV;
	for (;;) {
		struct pollfd pfd = { .fd = cd->fd, .events = POLLIN };

		errno = 0;
		n = lever_sys.read(cd->fd, &ks, sizeof(ks));
		if (n == (ssize_t)sizeof(ks))
			break;
		if (n == 0) {
			cd->gone = true;	/* EOF: the board went away */
			return -ENODEV;
		}
		if (n > 0)
			return -EIO;		/* never a partial record */
		if (errno != EAGAIN || !block)
			return lever_chardev_err(cd);
		errno = 0;
		if (lever_sys.poll(&pfd, 1, -1) < 0)
			return errno ? -errno : -EIO;
		/* POLLHUP/POLLERR: the next read() reports the reason. */
	}
	lever_sample_from_kernel(s, &ks);
	return 0;
}

static int lever_chardev_fd(struct lever_dev *dev)
{
	struct lever_chardev *cd = to_chardev(dev);

	return cd->fd >= 0 ? cd->fd : -ENODEV;
}

static int lever_chardev_reopen(struct lever_dev *dev)
{
	struct lever_chardev *cd = to_chardev(dev);
	char node[300];
	int ret;

	if (!cd->serial[0])
		return -ENODEV;
	ret = lever_chardev_find(cd->serial, node, sizeof(node));
	if (ret)
		return -ENODEV;
	ret = lever_chardev_connect(cd, node);
	if (ret == -ENOENT)
		return -ENODEV;
	return ret;
}

static void lever_chardev_close(struct lever_dev *dev)
{
	struct lever_chardev *cd = to_chardev(dev);

	if (cd->fd >= 0)
		lever_sys.close(cd->fd);
	free(cd);
}

static const struct lever_ops lever_chardev_ops = {
	.info = lever_chardev_info,
	.arm = lever_chardev_arm,
	.disarm = lever_chardev_disarm,
	.command = lever_chardev_command,
	.stop = lever_chardev_stop,
	.set_watchdog = lever_chardev_set_watchdog,
	.status = lever_chardev_status,
	.reset_faults = lever_chardev_reset_faults,
	.read_sample = lever_chardev_read_sample,
	.fd = lever_chardev_fd,
	.reopen = lever_chardev_reopen,
	.close = lever_chardev_close,
};

/* @spec: NULL/"" (first board), "/dev/..." or "serial:XYZ" */
int lever_chardev_open(const char *spec, unsigned int flags,
		       struct lever_dev **out)
{
	struct lever_chardev *cd;
	char node[300];
	int ret;

	if (!spec || !*spec) {
		ret = lever_chardev_find(NULL, node, sizeof(node));
	} else if (spec[0] == '/') {
		ret = lever_strlcpy(node, spec, sizeof(node)) ?
		      0 : -ENAMETOOLONG;
	} else {
		const char *serial = spec + strlen("serial:");

		if (!*serial || strlen(serial) > LEVER_DEV_SERIAL_MAX)
			return -EINVAL;
		ret = lever_chardev_find(serial, node, sizeof(node));
	}
	if (ret)
		return ret;

	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	cd->base.ops = &lever_chardev_ops;
	cd->base.flags = flags;
	cd->fd = -1;
	ret = lever_chardev_connect(cd, node);
	if (ret) {
		free(cd);
		return ret;
	}
	*out = &cd->base;
	return 0;
}
