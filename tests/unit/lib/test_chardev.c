// SPDX-License-Identifier: MIT
/*
 * test_chardev.c - the /dev/leverN transport with the ioctl boundary
 * mocked (lib/lever_priv.h's syscall table): what each call sends to the
 * kernel, how each errno comes back, struct conversion, open by serial
 * through a fake sysfs, disconnect and reopen.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/lever.h>
#include <lever_wire.h>

#include "lever_priv.h"

#define FAKE_FD	42

/* What the fake kernel does and what it saw. */
static struct {
	int open_errno;			/* 0: open succeeds */
	char open_path[PATH_MAX];
	int open_flags;
	int opens, closes;
	unsigned long ioctl_req;	/* last request */
	int ioctl_errno[8];		/* per command number */
	struct lever_info info;
	struct lever_command cmd;
	struct lever_watchdog wd;
	struct lever_status status;
	/* read(): a script of results */
	int read_errno[8];		/* 0: deliver read_sample */
	ssize_t read_len[8];		/* bytes when read_errno is 0 */
	int reads, n_reads;
	struct lever_sample read_sample;
	int polls;
} fake;

static int fake_open(const char *path, int flags)
{
	snprintf(fake.open_path, sizeof(fake.open_path), "%s", path);
	fake.open_flags = flags;
	if (fake.open_errno) {
		errno = fake.open_errno;
		return -1;
	}
	fake.opens++;
	return FAKE_FD;
}

static int fake_close(int fd)
{
	assert_int_equal(fd, FAKE_FD);
	fake.closes++;
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	unsigned int nr = _IOC_NR(req);

	assert_int_equal(fd, FAKE_FD);
	assert_int_equal(_IOC_TYPE(req), LEVER_IOC_MAGIC);
	assert_true(nr < 8);
	fake.ioctl_req = req;
	if (fake.ioctl_errno[nr]) {
		errno = fake.ioctl_errno[nr];
		return -1;
	}
	switch (req) {
	case LEVER_IOC_GET_INFO:
		memcpy(arg, &fake.info, sizeof(fake.info));
		break;
	case LEVER_IOC_COMMAND:
		memcpy(&fake.cmd, arg, sizeof(fake.cmd));
		break;
	case LEVER_IOC_SET_WATCHDOG:
		memcpy(&fake.wd, arg, sizeof(fake.wd));
		break;
	case LEVER_IOC_GET_STATUS:
		memcpy(arg, &fake.status, sizeof(fake.status));
		break;
	default:
		assert_null(arg);
	}
	return 0;
}

static ssize_t fake_read(int fd, void *buf, size_t len)
{
	int i = fake.reads++;

	assert_int_equal(fd, FAKE_FD);
	assert_int_equal(len, sizeof(struct lever_sample));
	assert_true(i < fake.n_reads);
	if (fake.read_errno[i]) {
		errno = fake.read_errno[i];
		return -1;
	}
	memcpy(buf, &fake.read_sample, sizeof(fake.read_sample));
	return fake.read_len[i];
}

static int fake_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	assert_int_equal(n, 1);
	assert_int_equal(fds[0].fd, FAKE_FD);
	assert_int_equal(timeout_ms, -1);
	fake.polls++;
	fds[0].revents = POLLIN;
	return 1;
}

static char tmpdir[] = "/tmp/lever-test-XXXXXX";
static char sysfs_dir[256], dev_dir[256];

/* A fake /sys/class/lever/<name>/serial. */
static void add_board(const char *name, const char *serial)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s/serial", sysfs_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", serial);
	fclose(f);
}

static void remove_board(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/serial", sysfs_dir, name);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	assert_int_equal(rmdir(path), 0);
}

static int setup(void **state)
{
	memset(&fake, 0, sizeof(fake));
	memcpy(fake.info.serial, "LV-0001", 7);
	fake.info.fw_major = 1;
	fake.info.fw_minor = 2;
	fake.info.fw_patch = 3;
	fake.info.protocol_version = 1;
	fake.info.sample_rate_hz = 1000;
	fake.info.max_support_pressure_pa = 600000;
	fake.info.max_support_force_mn = 1200000;
	fake.info.max_belt_speed_mm_s = 5556;
	fake.info.max_belt_accel_mm_s2 = 1500;
	fake.info.stop_decel_mm_s2 = 1000;
	fake.info.incline_min_centi_pct = -300;
	fake.info.incline_max_centi_pct = 1500;
	fake.info.force_per_pressure_un_pa = 2000;
	fake.info.max_pressure_slew_pa_s = 200000;
	fake.info.board_watchdog_ms = 100;
	fake.info.watchdog_ms = 50;
	lever_sys.open = fake_open;
	lever_sys.close = fake_close;
	lever_sys.ioctl = fake_ioctl;
	lever_sys.read = fake_read;
	lever_sys.poll = fake_poll;

	strcpy(tmpdir, "/tmp/lever-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(sysfs_dir, sizeof(sysfs_dir), "%s/class", tmpdir);
	snprintf(dev_dir, sizeof(dev_dir), "%s/dev", tmpdir);
	assert_int_equal(mkdir(sysfs_dir, 0755), 0);
	lever_sysfs_class_dir = sysfs_dir;
	lever_dev_dir = dev_dir;
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	lever_dev_close(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct lever_dev *open_dev(void **state, const char *spec)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open(spec, &dev), 0);
	*state = dev;
	return dev;
}

static void test_open_path_checks_it_is_a_lever_device(void **state)
{
	open_dev(state, "/dev/lever7");
	assert_string_equal(fake.open_path, "/dev/lever7");
	assert_int_equal(fake.ioctl_req, LEVER_IOC_GET_INFO);
}

static void test_open_is_read_write_nonblocking_cloexec(void **state)
{
	open_dev(state, "/dev/lever0");
	assert_int_equal(fake.open_flags & O_ACCMODE, O_RDWR);
	assert_true(fake.open_flags & O_NONBLOCK);
	assert_true(fake.open_flags & O_CLOEXEC);
}

static void test_open_readonly_flag_opens_rdonly(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open_flags("/dev/lever0",
					      LEVER_DEV_OPEN_READONLY, &dev),
			 0);
	*state = dev;
	assert_int_equal(fake.open_flags & O_ACCMODE, O_RDONLY);
	assert_int_equal(lever_dev_arm(dev), -EPERM);
	assert_int_not_equal(fake.ioctl_req, LEVER_IOC_ARM);
}

static void test_open_missing_node_is_enoent(void **state)
{
	struct lever_dev *dev = NULL;

	fake.open_errno = ENOENT;
	assert_int_equal(lever_dev_open("/dev/lever9", &dev), -ENOENT);
	assert_null(dev);
}

static void test_open_without_permission_is_eacces(void **state)
{
	struct lever_dev *dev = NULL;

	fake.open_errno = EACCES;
	assert_int_equal(lever_dev_open("/dev/lever0", &dev), -EACCES);
}

static void test_open_of_other_device_is_enotty_and_closes(void **state)
{
	struct lever_dev *dev = NULL;

	fake.ioctl_errno[_IOC_NR(LEVER_IOC_GET_INFO)] = ENOTTY;
	assert_int_equal(lever_dev_open("/dev/null", &dev), -ENOTTY);
	assert_null(dev);
	assert_int_equal(fake.closes, 1);
}

static void test_close_closes_the_fd(void **state)
{
	lever_dev_close(open_dev(state, "/dev/lever0"));
	*state = NULL;
	assert_int_equal(fake.closes, 1);
}

static void test_info_converts_every_field(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_info info;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(lever_dev_info(dev, &info), 0);
	assert_string_equal(info.serial, "LV-0001");
	assert_string_equal(info.node, "/dev/lever0");
	assert_int_equal(info.transport, LEVER_DEV_TRANSPORT_CHARDEV);
	assert_int_equal(info.fw_major, 1);
	assert_int_equal(info.fw_minor, 2);
	assert_int_equal(info.fw_patch, 3);
	assert_int_equal(info.protocol_version, 1);
	assert_int_equal(info.sample_rate_hz, 1000);
	assert_int_equal(info.max_support_pressure_pa, 600000);
	assert_int_equal(info.max_support_force_mn, 1200000);
	assert_int_equal(info.max_belt_speed_mm_s, 5556);
	assert_int_equal(info.max_belt_accel_mm_s2, 1500);
	assert_int_equal(info.stop_decel_mm_s2, 1000);
	assert_int_equal(info.incline_min_centi_pct, -300);
	assert_int_equal(info.incline_max_centi_pct, 1500);
	assert_int_equal(info.force_per_pressure_un_pa, 2000);
	assert_int_equal(info.max_pressure_slew_pa_s, 200000);
	assert_int_equal(info.board_watchdog_ms, 100);
	assert_int_equal(info.watchdog_ms, 50);
	assert_int_equal(info.reserved[0] | info.reserved[7], 0);
}

static void test_serial_of_full_length_is_terminated(void **state)
{
	struct lever_dev_info info;

	memset(fake.info.serial, 'X', sizeof(fake.info.serial));
	assert_int_equal(lever_dev_info(open_dev(state, "/dev/lever0"),
					&info), 0);
	assert_int_equal(strlen(info.serial), LEVER_DEV_SERIAL_MAX);
}

static void test_arm_disarm_stop_reset_send_their_ioctls(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");

	assert_int_equal(lever_dev_arm(dev), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_ARM);
	assert_int_equal(lever_dev_stop(dev), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_STOP);
	assert_int_equal(lever_dev_disarm(dev), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_DISARM);
	assert_int_equal(lever_dev_reset_faults(dev), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_RESET_FAULTS);
}

static void test_kernel_errors_come_back_as_negative_errno(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");

	fake.ioctl_errno[_IOC_NR(LEVER_IOC_ARM)] = EPERM;
	assert_int_equal(lever_dev_arm(dev), -EPERM);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_ARM)] = EBUSY;
	assert_int_equal(lever_dev_arm(dev), -EBUSY);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_RESET_FAULTS)] = EBUSY;
	assert_int_equal(lever_dev_reset_faults(dev), -EBUSY);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_COMMAND)] = EPERM;
	assert_int_equal(lever_dev_command(dev,
		&(struct lever_dev_command){ .belt_speed_mm_s = 1 }), -EPERM);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_DISARM)] = EPERM;
	assert_int_equal(lever_dev_disarm(dev), -EPERM);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_STOP)] = EIO;
	assert_int_equal(lever_dev_stop(dev), -EIO);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_SET_WATCHDOG)] = EINVAL;
	assert_int_equal(lever_dev_set_watchdog(dev, 100), -EINVAL);
}

static void test_command_fills_kernel_struct_with_zero_reserved(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_command cmd = {
		.support_pressure_pa = 123456,
		.belt_speed_mm_s = 2500,
		.incline_centi_pct = -150,
	};

	memset(&fake.cmd, 0xff, sizeof(fake.cmd));
	assert_int_equal(lever_dev_command(dev, &cmd), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_COMMAND);
	assert_int_equal(fake.cmd.support_pressure_pa, 123456);
	assert_int_equal(fake.cmd.belt_speed_mm_s, 2500);
	assert_int_equal(fake.cmd.incline_centi_pct, -150);
	assert_int_equal(fake.cmd.flags, 0);
	assert_int_equal(fake.cmd.reserved[0] | fake.cmd.reserved[1] |
			 fake.cmd.reserved[2] | fake.cmd.reserved[3], 0);
}

static void test_negative_belt_speed_never_reaches_kernel(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");

	fake.ioctl_req = 0;
	assert_int_equal(lever_dev_command(dev,
		&(struct lever_dev_command){ .belt_speed_mm_s = -1 }), -EINVAL);
	assert_int_equal(fake.ioctl_req, 0);
}

static void test_set_watchdog_sends_period(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");

	assert_int_equal(lever_dev_set_watchdog(dev, 250), 0);
	assert_int_equal(fake.ioctl_req, LEVER_IOC_SET_WATCHDOG);
	assert_int_equal(fake.wd.period_ms, 250);
	assert_int_equal(fake.wd.reserved, 0);
}

static void test_status_converts_counters_and_last_sample(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_status st;

	fake.status.state = LEVER_STATE_FAULT;
	fake.status.faults = LEVER_DFAULT_WATCHDOG | LEVER_DFAULT_ESTOP;
	fake.status.samples = 1ull << 40;
	fake.status.dropped = 7;
	fake.status.fault_count = 2;
	fake.status.watchdog_trips = 1;
	fake.status.commands = 99;
	fake.status.clamped = 3;
	fake.status.controller_pid = 4242;
	fake.status.last.seq = 77;
	fake.status.last.belt_speed_mm_s = -3;
	fake.status.last.lines = LEVER_LINE_ESTOP;
	assert_int_equal(lever_dev_status(dev, &st), 0);
	assert_int_equal(st.state, LEVER_DEV_STATE_FAULT);
	assert_int_equal(st.faults,
			 LEVER_DEV_FAULT_WATCHDOG | LEVER_DEV_FAULT_ESTOP);
	assert_int_equal(st.samples, 1ull << 40);
	assert_int_equal(st.dropped, 7);
	assert_int_equal(st.fault_count, 2);
	assert_int_equal(st.watchdog_trips, 1);
	assert_int_equal(st.commands, 99);
	assert_int_equal(st.clamped, 3);
	assert_int_equal(st.controller_pid, 4242);
	assert_int_equal(st.last.seq, 77);
	assert_int_equal(st.last.belt_speed_mm_s, -3);
	assert_int_equal(st.last.lines, LEVER_DEV_LINE_ESTOP);
}

static void script_reads(int n, const int *errs, const ssize_t *lens)
{
	int i;

	fake.n_reads = n;
	for (i = 0; i < n; i++) {
		fake.read_errno[i] = errs[i];
		fake.read_len[i] = lens[i];
	}
}

static void test_read_converts_one_record(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	fake.read_sample = (struct lever_sample){
		.timestamp_ns = 111, .board_time_ns = 222, .seq = 3,
		.flags = LEVER_SAMPLE_OVERFLOW, .lost = 4,
		.support_pressure_pa = 5, .support_force_mn = -6,
		.belt_speed_mm_s = 7, .incline_centi_pct = -8,
		.lines = LEVER_LINE_HARNESS, .buttons = LEVER_BTN_PAIN,
		.board_state = LEVER_BOARD_RUNNING,
		.board_faults = LEVER_FAULT_VALVE, .cmd_seq_applied = 9,
		.pressure_setpoint_pa = 10, .belt_setpoint_mm_s = 11,
		.incline_setpoint_centi_pct = -12,
	};
	script_reads(1, (int[]){ 0 },
		     (ssize_t[]){ sizeof(struct lever_sample) });
	assert_int_equal(lever_dev_try_read_sample(dev, &s), 0);
	assert_int_equal(s.timestamp_ns, 111);
	assert_int_equal(s.board_time_ns, 222);
	assert_int_equal(s.seq, 3);
	assert_int_equal(s.flags, LEVER_DEV_SAMPLE_OVERFLOW);
	assert_int_equal(s.lost, 4);
	assert_int_equal(s.support_pressure_pa, 5);
	assert_int_equal(s.support_force_mn, -6);
	assert_int_equal(s.belt_speed_mm_s, 7);
	assert_int_equal(s.incline_centi_pct, -8);
	assert_int_equal(s.lines, LEVER_DEV_LINE_HARNESS);
	assert_int_equal(s.buttons, LEVER_DEV_BTN_PAIN);
	assert_int_equal(s.board_state, LEVER_DEV_BOARD_RUNNING);
	assert_int_equal(s.board_faults, LEVER_DEV_BFAULT_VALVE);
	assert_int_equal(s.cmd_seq_applied, 9);
	assert_int_equal(s.pressure_setpoint_pa, 10);
	assert_int_equal(s.belt_setpoint_mm_s, 11);
	assert_int_equal(s.incline_setpoint_centi_pct, -12);
}

static void test_try_read_with_nothing_queued_is_eagain(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(1, (int[]){ EAGAIN }, (ssize_t[]){ 0 });
	assert_int_equal(lever_dev_try_read_sample(dev, &s), -EAGAIN);
	assert_int_equal(fake.polls, 0);
}

static void test_blocking_read_polls_then_reads(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	fake.read_sample.seq = 5;
	script_reads(2, (int[]){ EAGAIN, 0 },
		     (ssize_t[]){ 0, sizeof(struct lever_sample) });
	assert_int_equal(lever_dev_read_sample(dev, &s), 0);
	assert_int_equal(fake.polls, 1);
	assert_int_equal(s.seq, 5);
}

static void test_short_read_is_eio(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(1, (int[]){ 0 }, (ssize_t[]){ 10 });
	assert_int_equal(lever_dev_read_sample(dev, &s), -EIO);
}

static void test_eof_is_enodev(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(1, (int[]){ 0 }, (ssize_t[]){ 0 });
	assert_int_equal(lever_dev_read_sample(dev, &s), -ENODEV);
}

static void test_disconnect_is_enodev_and_sticks(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(1, (int[]){ ENODEV }, (ssize_t[]){ 0 });
	assert_int_equal(lever_dev_read_sample(dev, &s), -ENODEV);
	assert_int_equal(lever_dev_read_sample(dev, &s), -ENODEV);
	assert_int_equal(fake.reads, 1);
	fake.ioctl_errno[_IOC_NR(LEVER_IOC_GET_STATUS)] = ENODEV;
	assert_int_equal(lever_dev_status(dev,
		&(struct lever_dev_status){ .state = 0 }), -ENODEV);
}

static void test_read_interrupted_by_signal_is_eintr(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(1, (int[]){ EINTR }, (ssize_t[]){ 0 });
	assert_int_equal(lever_dev_read_sample(dev, &s), -EINTR);
}

static void test_fd_is_the_device_fd(void **state)
{
	assert_int_equal(lever_dev_fd(open_dev(state, "/dev/lever0")),
			 FAKE_FD);
}

static void test_open_by_serial_finds_node_in_sysfs(void **state)
{
	char want[PATH_MAX];

	add_board("lever0", "AAA");
	add_board("lever1", "BBB");
	open_dev(state, "serial:BBB");
	snprintf(want, sizeof(want), "%s/lever1", dev_dir);
	assert_string_equal(fake.open_path, want);
}

static void test_open_unknown_serial_is_enoent(void **state)
{
	struct lever_dev *dev = NULL;

	add_board("lever0", "AAA");
	assert_int_equal(lever_dev_open("serial:ZZZ", &dev), -ENOENT);
	assert_int_equal(fake.opens, 0);
}

static void test_open_first_takes_lowest_number(void **state)
{
	char want[PATH_MAX];

	add_board("lever10", "J");
	add_board("lever2", "B");
	add_board("lever3", "C");
	open_dev(state, NULL);
	snprintf(want, sizeof(want), "%s/lever2", dev_dir);
	assert_string_equal(fake.open_path, want);
	lever_dev_close(*state);
	open_dev(state, "");
	assert_string_equal(fake.open_path, want);
}

static void test_open_first_with_no_board_is_enoent(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open(NULL, &dev), -ENOENT);
}

static void test_open_bad_serial_spec_is_einval(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open("serial:", &dev), -EINVAL);
	assert_int_equal(lever_dev_open("serial:0123456789012345678901234",
					&dev), -EINVAL);
}

static void test_reopen_after_replug_finds_board_by_serial(void **state)
{
	struct lever_dev *dev;
	struct lever_dev_sample s;
	char want[PATH_MAX];

	add_board("lever0", "LV-0001");
	dev = open_dev(state, "/dev/lever0");
	script_reads(1, (int[]){ ENODEV }, (ssize_t[]){ 0 });
	assert_int_equal(lever_dev_read_sample(dev, &s), -ENODEV);

	/* unplugged: not there yet */
	remove_board("lever0");
	assert_int_equal(lever_dev_reopen(dev), -ENODEV);

	/* replugged under a new number */
	add_board("lever1", "LV-0001");
	assert_int_equal(lever_dev_reopen(dev), 0);
	snprintf(want, sizeof(want), "%s/lever1", dev_dir);
	assert_string_equal(fake.open_path, want);
	assert_int_equal(fake.closes, 1);	/* the old fd */
	fake.reads = 0;
	script_reads(1, (int[]){ 0 },
		     (ssize_t[]){ sizeof(struct lever_sample) });
	assert_int_equal(lever_dev_read_sample(dev, &s), 0);
}

static void test_sim_calls_on_device_are_eopnotsupp(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	uint64_t now;

	assert_int_equal(lever_sim_step(dev, 1000), -EOPNOTSUPP);
	assert_int_equal(lever_sim_now(dev, &now), -EOPNOTSUPP);
	assert_int_equal(lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, 1),
			 -EOPNOTSUPP);
	assert_int_equal(lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, 1),
			 -EOPNOTSUPP);
	assert_int_equal(lever_sim_press_button(dev, LEVER_DEV_BTN_STOP, 10),
			 -EOPNOTSUPP);
	assert_int_equal(lever_sim_set_runner(dev, 70000, 170), -EOPNOTSUPP);
}

/* The calls it stands for: a record waiting is read, else no clock. */
static void test_step_read_on_device_reads_then_is_eopnotsupp(void **state)
{
	struct lever_dev *dev = open_dev(state, "/dev/lever0");
	struct lever_dev_sample s;

	script_reads(2, (int[]){ 0, EAGAIN },
		     (ssize_t[]){ sizeof(struct lever_sample), -1 });
	assert_int_equal(lever_sim_step_read(dev, 1000, &s), 0);
	assert_int_equal(lever_sim_step_read(dev, 1000, &s), -EOPNOTSUPP);
	assert_int_equal(fake.reads, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_path_checks_it_is_a_lever_device),
		T(test_open_is_read_write_nonblocking_cloexec),
		T(test_open_readonly_flag_opens_rdonly),
		T(test_open_missing_node_is_enoent),
		T(test_open_without_permission_is_eacces),
		T(test_open_of_other_device_is_enotty_and_closes),
		T(test_close_closes_the_fd),
		T(test_info_converts_every_field),
		T(test_serial_of_full_length_is_terminated),
		T(test_arm_disarm_stop_reset_send_their_ioctls),
		T(test_kernel_errors_come_back_as_negative_errno),
		T(test_command_fills_kernel_struct_with_zero_reserved),
		T(test_negative_belt_speed_never_reaches_kernel),
		T(test_set_watchdog_sends_period),
		T(test_status_converts_counters_and_last_sample),
		T(test_read_converts_one_record),
		T(test_try_read_with_nothing_queued_is_eagain),
		T(test_blocking_read_polls_then_reads),
		T(test_short_read_is_eio),
		T(test_eof_is_enodev),
		T(test_disconnect_is_enodev_and_sticks),
		T(test_read_interrupted_by_signal_is_eintr),
		T(test_fd_is_the_device_fd),
		T(test_open_by_serial_finds_node_in_sysfs),
		T(test_open_unknown_serial_is_enoent),
		T(test_open_first_takes_lowest_number),
		T(test_open_first_with_no_board_is_enoent),
		T(test_open_bad_serial_spec_is_einval),
		T(test_reopen_after_replug_finds_board_by_serial),
		T(test_sim_calls_on_device_are_eopnotsupp),
		T(test_step_read_on_device_reads_then_is_eopnotsupp),
	};

	return cmocka_run_group_tests_name("liblever chardev transport", tests,
					   NULL, NULL);
}
