// SPDX-License-Identifier: GPL-2.0
/*
 * lever_test.c - kselftest suite of lever.ko's ABI and safety gate, run in
 * the test VM against lever-simd (the simulated board) through dummy_hcd.
 * Each test is one behaviour; the board's side is checked through
 * lever-simd's control socket and through the board's own sample frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <libgen.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <linux/lever.h>
#include <linux/usbdevice_fs.h>
#include "lever_wire.h"
#include "kselftest_harness.h"

#define DEV_DEFAULT	"/dev/lever0"
#define SOCK_DEFAULT	"/run/lever-simd.sock"
#define SYSFS		"/sys/class/lever/lever0"
#define NS_PER_MS	1000000ull
#define REC		sizeof(struct lever_sample)

static const char *dev_path(void)
{
	const char *p = getenv("LEVER_DEV");

	return p ? p : DEV_DEFAULT;
}

static const char *sock_path(void)
{
	const char *p = getenv("LEVER_SIM_SOCK");

	return p ? p : SOCK_DEFAULT;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/*
 * One lever-simd control command; the answer's key=value lines go to
 * @out. Returns 0 on "ok", -1 on "error:" or when the socket fails.
 */
static int sim(char *out, size_t outsz, const char *fmt, ...)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[256], buf[16384];
	size_t len = 0;
	va_list ap;
	int fd, n, ret = -1;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	strncpy(sa.sun_path, sock_path(), sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		goto out;
	while (len < sizeof(buf) - 1) {
		char *last;

		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		buf[len] = 0;
		if (len == 0 || buf[len - 1] != '\n')
			continue;
		/* the final line is "ok" or "error: ..." */
		buf[len - 1] = 0;
		last = strrchr(buf, '\n');
		last = last ? last + 1 : buf;
		if (!strcmp(last, "ok")) {
			*last = 0;
			ret = 0;
			break;
		}
		if (!strncmp(last, "error:", 6))
			break;
		buf[len - 1] = '\n';
	}
	if (out)
		snprintf(out, outsz, "%s", buf);
out:
	close(fd);
	return ret;
}

/* A numeric key of the simulated board's state, or -1. */
static long long sim_num(const char *key)
{
	char buf[16384], pat[64];
	char *p;

	if (sim(buf, sizeof(buf), "state"))
		return -1;
	snprintf(pat, sizeof(pat), "\n%s=", key);
	p = strstr(buf, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 0);
}

/* The board's state name ("idle", "running", ...) into @val. */
static int sim_str(const char *key, char *val, size_t n)
{
	char buf[16384], pat[64];
	char *p, *e;

	if (sim(buf, sizeof(buf), "state"))
		return -1;
	snprintf(pat, sizeof(pat), "\n%s=", key);
	p = strstr(buf, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	e = strchr(p, '\n');
	snprintf(val, n, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	return 0;
}

static bool sim_state_is(const char *want)
{
	char st[32];

	return !sim_str("state", st, sizeof(st)) && !strcmp(st, want);
}

static int open_dev(int flags)
{
	int i, fd;

	/* ENODEV: the node of an unplugged board not yet removed */
	for (i = 0; i < 1000; i++) {
		fd = open(dev_path(), flags);
		if (fd >= 0 || (errno != ENOENT && errno != ENODEV))
			return fd;
		sleep_ms(10);
	}
	return -1;
}

static bool wait_gone(const char *path, unsigned int ms)
{
	while (ms--) {
		if (access(path, F_OK))
			return true;
		sleep_ms(1);
	}
	return false;
}

static int status(int fd, struct lever_status *st)
{
	memset(st, 0xa5, sizeof(*st));
	return ioctl(fd, LEVER_IOC_GET_STATUS, st);
}

static int command(int fd, uint32_t pa, int32_t mm_s, int16_t incline)
{
	struct lever_command c = {
		.support_pressure_pa = pa,
		.belt_speed_mm_s = mm_s,
		.incline_centi_pct = incline,
	};
	return ioctl(fd, LEVER_IOC_COMMAND, &c);
}

/*
 * Arms with a 1 s watchdog: the VM's software emulation stalls for tens
 * of ms at times, and only the watchdog tests may depend on 50 ms.
 */
static int arm(int fd)
{
	struct lever_watchdog wd = { .period_ms = 1000 };

	if (ioctl(fd, LEVER_IOC_SET_WATCHDOG, &wd))
		return -1;
	return ioctl(fd, LEVER_IOC_ARM);
}

/* Commands @mm_s every 5 ms for @ms, as a controlling daemon would. */
static int run_belt(int fd, int32_t mm_s, unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;

	while (now_ns() < end) {
		if (command(fd, 0, mm_s, 0))
			return -1;
		sleep_ms(5);
	}
	return 0;
}

static bool wait_board_state(const char *want, unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;

	do {
		if (sim_state_is(want))
			return true;
		sleep_ms(2);
	} while (now_ns() < end);
	return false;
}

/* The board stopped or is stopping (a slow poll may miss "stopping"). */
static bool wait_board_stopped(unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;

	do {
		if (sim_state_is("stopping") || sim_state_is("idle"))
			return true;
		sleep_ms(2);
	} while (now_ns() < end);
	return false;
}

static bool wait_driver_state(int fd, uint32_t want, unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;
	struct lever_status st;

	do {
		if (!status(fd, &st) && st.state == want)
			return true;
		sleep_ms(2);
	} while (now_ns() < end);
	return false;
}

/*
 * Brings board and driver back to a known state between tests: lines
 * released, board connected and idle without faults, driver disarmed
 * without faults. Returns 0 or -1.
 */
static int settle(void)
{
	struct lever_status st;
	int fd, i;

	sim(NULL, 0, "stream normal");
	sim(NULL, 0, "estop release");
	sim(NULL, 0, "key insert");
	sim(NULL, 0, "harness clip");
	/* the board's own 100 ms watchdog trips on VM stalls; not tested here */
	sim(NULL, 0, "watchdog 1000");
	if (sim_num("connected") == 0)
		sim(NULL, 0, "reconnect");
	fd = open_dev(O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "# settle: %s: %s (simulator connected=%lld)\n",
			dev_path(), strerror(errno), sim_num("connected"));
		return -1;
	}
	for (i = 0; i < 1000; i++) {
		sim(NULL, 0, "reset");
		if (!ioctl(fd, LEVER_IOC_RESET_FAULTS) && !status(fd, &st) &&
		    st.state == LEVER_STATE_DISARMED && !st.faults &&
		    !st.last.board_faults && st.last.board_state ==
		    LEVER_BOARD_IDLE) {
			close(fd);
			return 0;
		}
		sleep_ms(10);
	}
	i = ioctl(fd, LEVER_IOC_RESET_FAULTS) ? errno : 0;
	status(fd, &st);
	fprintf(stderr, "# settle: reset %s; state %u faults 0x%x, board state %u faults 0x%x\n",
		strerror(i), st.state, st.faults, st.last.board_state,
		st.last.board_faults);
	close(fd);
	return -1;
}

FIXTURE(lever) {
	int fd;
	struct lever_info info;
};

/* Marks the kernel log, so a driver message can be tied to its test. */
static void kmsg(const char *what, const char *name)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		dprintf(fd, "lever_test: %s %s\n", what, name);
		close(fd);
	}
}

FIXTURE_SETUP(lever)
{
	kmsg("start", _metadata->name);
	ASSERT_EQ(0, settle());
	self->fd = open_dev(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_GET_INFO, &self->info));
}

FIXTURE_TEARDOWN(lever)
{
	if (self->fd >= 0)
		close(self->fd);
	kmsg("end", _metadata->name);
}

/* --- every ioctl with valid arguments ------------------------------------ */

TEST_F(lever, get_info_returns_identity_limits_and_watchdog)
{
	struct lever_info *i = &self->info;
	struct lever_info zero = { 0 };

	EXPECT_STREQ("SIM0001", i->serial);
	EXPECT_EQ(LEVER_WIRE_VERSION, i->protocol_version);
	EXPECT_EQ(1000, i->sample_rate_hz);
	EXPECT_EQ(5556, i->max_belt_speed_mm_s);
	EXPECT_EQ(1000, i->stop_decel_mm_s2);
	EXPECT_LT(i->incline_min_centi_pct, i->incline_max_centi_pct);
	EXPECT_LE(LEVER_BOARD_WATCHDOG_MIN_MS, i->board_watchdog_ms);
	EXPECT_GE(LEVER_BOARD_WATCHDOG_MAX_MS, i->board_watchdog_ms);
	EXPECT_EQ(LEVER_WATCHDOG_DEF_MS, i->watchdog_ms);
	EXPECT_EQ(0, memcmp(zero.reserved, i->reserved, sizeof(i->reserved)));
}

TEST_F(lever, get_status_reports_samples_and_zeroes_reserved)
{
	struct lever_status st;

	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_EQ(LEVER_STATE_DISARMED, st.state);
	EXPECT_EQ(0, st.faults);
	EXPECT_LT(0, st.samples);
	EXPECT_NE(0, st.last.timestamp_ns);
	EXPECT_EQ(0, st.controller_pid);
	EXPECT_EQ(0, st.last.reserved0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0, st.last.reserved1[i]);
	for (int i = 0; i < 7; i++)
		EXPECT_EQ(0, st.reserved[i]);
}

TEST_F(lever, arm_makes_the_file_controller_and_runs_the_board)
{
	struct lever_status st;

	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_EQ(LEVER_STATE_ARMED, st.state);
	EXPECT_EQ(getpid(), (pid_t)st.controller_pid);
	ASSERT_EQ(0, run_belt(self->fd, 0, 100));
	EXPECT_TRUE(wait_board_state("running", 1000));
	EXPECT_EQ(0, ioctl(self->fd, LEVER_IOC_DISARM));
}

TEST_F(lever, disarm_stops_without_fault)
{
	struct lever_status st;

	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 300, 500));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_DISARM));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_DISARMED, 3000));
	EXPECT_TRUE(wait_board_state("idle", 3000));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_EQ(0, st.faults);
}

TEST_F(lever, command_sets_belt_speed_on_the_board)
{
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 800, 1500));
	EXPECT_EQ(800, sim_num("belt_setpoint_mm_s"));
	EXPECT_TRUE(sim_state_is("running"));
	EXPECT_EQ(0, ioctl(self->fd, LEVER_IOC_DISARM));
}

TEST_F(lever, stop_from_any_file_stops_the_belt)
{
	int ro = open_dev(O_RDONLY);

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 500, 800));
	ASSERT_EQ(0, ioctl(ro, LEVER_IOC_STOP));
	EXPECT_TRUE(wait_board_state("stopping", 500));
	EXPECT_TRUE(wait_driver_state(ro, LEVER_STATE_DISARMED, 3000));
	EXPECT_EQ(-1, command(self->fd, 0, 500, 0));
	EXPECT_EQ(EPERM, errno);
	close(ro);
}

TEST_F(lever, set_watchdog_changes_the_period_of_this_file)
{
	struct lever_watchdog wd = { .period_ms = 200 };
	struct lever_info info;

	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_GET_INFO, &info));
	EXPECT_EQ(200, info.watchdog_ms);
}

TEST_F(lever, reset_faults_clears_a_latched_fault)
{
	struct lever_status st;

	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_ARM));
	/* no command: the watchdog trips and latches */
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 2000));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_RESET_FAULTS));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_EQ(LEVER_STATE_DISARMED, st.state);
	EXPECT_EQ(0, st.faults);
}

/* --- bad pointers, unknown commands, bad values ---------------------------- */

TEST_F(lever, get_info_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(lever, get_status_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_GET_STATUS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(lever, command_with_bad_pointer_is_efault)
{
	ASSERT_EQ(0, arm(self->fd));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_COMMAND, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(lever, set_watchdog_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(lever, unknown_command_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(LEVER_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* a known number with the wrong size is another command */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(LEVER_IOC_MAGIC, 0x00, __u32),
			    &self->info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 0x01)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(lever, out_of_range_set_points_are_clamped_and_counted)
{
	struct lever_status before, st;
	uint64_t end;

	ASSERT_EQ(0, status(self->fd, &before));
	ASSERT_EQ(0, arm(self->fd));
	end = now_ns() + 6000 * NS_PER_MS;
	/*
	 * Each set-point moves at its own rate: until all three are at
	 * their limits (on a slow kernel the belt can get there before
	 * the pressure does).
	 */
	while (now_ns() < end) {
		ASSERT_EQ(0, command(self->fd, 50000000, 99999, 30000));
		if (sim_num("belt_setpoint_mm_s") ==
		    self->info.max_belt_speed_mm_s &&
		    sim_num("pressure_setpoint_pa") ==
		    self->info.max_support_pressure_pa &&
		    sim_num("incline_setpoint_centi_pct") ==
		    self->info.incline_max_centi_pct)
			break;
		sleep_ms(5);
	}
	EXPECT_EQ(self->info.max_belt_speed_mm_s,
		  sim_num("belt_setpoint_mm_s"));
	EXPECT_EQ(self->info.incline_max_centi_pct,
		  sim_num("incline_setpoint_centi_pct"));
	EXPECT_EQ(self->info.max_support_pressure_pa,
		  sim_num("pressure_setpoint_pa"));
	/* the board never had to clamp: the driver did */
	EXPECT_EQ(0, sim_num("cmds_clamped"));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_LT(before.clamped, st.clamped);
	EXPECT_EQ(0, ioctl(self->fd, LEVER_IOC_DISARM));
}

TEST_F(lever, negative_belt_speed_is_einval)
{
	ASSERT_EQ(0, arm(self->fd));
	EXPECT_EQ(-1, command(self->fd, 0, -1, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(lever, command_with_nonzero_flags_or_reserved_is_einval)
{
	struct lever_command c = { .flags = 1 };

	ASSERT_EQ(0, arm(self->fd));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_COMMAND, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_COMMAND, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(lever, watchdog_period_out_of_range_is_einval)
{
	struct lever_watchdog wd = { .period_ms = 4 };

	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	EXPECT_EQ(EINVAL, errno);
	wd.period_ms = 1001;
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	EXPECT_EQ(EINVAL, errno);
	wd.period_ms = 100;
	wd.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	EXPECT_EQ(EINVAL, errno);
}

/* --- access ------------------------------------------------------------------ */

TEST_F(lever, only_the_arming_file_may_command)
{
	int other = open_dev(O_RDWR);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_ARM));
	EXPECT_EQ(-1, ioctl(other, LEVER_IOC_ARM));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, command(other, 0, 100, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(other, LEVER_IOC_DISARM));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(other, LEVER_IOC_RESET_FAULTS));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, command(self->fd, 0, 100, 0));
	close(other);
}

TEST_F(lever, read_only_file_can_never_arm)
{
	int ro = open_dev(O_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, ioctl(ro, LEVER_IOC_ARM));
	EXPECT_EQ(EBADF, errno);
	close(ro);
}

TEST_F(lever, command_without_arming_is_eperm)
{
	EXPECT_EQ(-1, command(self->fd, 0, 100, 0));
	EXPECT_EQ(EPERM, errno);
}

/* --- safety lines -------------------------------------------------------- */

TEST_F(lever, arming_refused_under_estop)
{
	struct lever_status st;

	ASSERT_EQ(0, sim(NULL, 0, "estop press"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_ARM));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_ESTOP);
}

TEST_F(lever, arming_refused_with_safety_key_pulled)
{
	ASSERT_EQ(0, sim(NULL, 0, "key pull"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_ARM));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(lever, fault_reset_refused_while_estop_held)
{
	ASSERT_EQ(0, sim(NULL, 0, "estop press"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_RESET_FAULTS));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(lever, fault_reset_succeeds_once_estop_released)
{
	ASSERT_EQ(0, sim(NULL, 0, "estop press"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	ASSERT_EQ(0, sim(NULL, 0, "estop release"));
	sleep_ms(50);
	EXPECT_EQ(0, ioctl(self->fd, LEVER_IOC_RESET_FAULTS));
	EXPECT_TRUE(wait_driver_state(self->fd, LEVER_STATE_DISARMED, 100));
	EXPECT_EQ(0, sim_num("faults"));
}

TEST_F(lever, arming_right_after_a_fault_reset_succeeds)
{
	ASSERT_EQ(0, sim(NULL, 0, "estop press"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	ASSERT_EQ(0, sim(NULL, 0, "estop release"));
	sleep_ms(50);
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_RESET_FAULTS));
	/* frames still in flight showed the old board fault */
	EXPECT_EQ(0, arm(self->fd));
}

TEST_F(lever, estop_while_running_latches_a_fault)
{
	struct lever_status st;

	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 500, 500));
	ASSERT_EQ(0, sim(NULL, 0, "estop press"));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 1000));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_ESTOP);
	EXPECT_EQ(-1, command(self->fd, 0, 500, 0));
	EXPECT_EQ(EPERM, errno);
}

/* --- watchdog and stops ---------------------------------------------------- */

/*
 * Reads what is there; keeps @offset, the smallest (host stamp - board
 * time), which maps board time to CLOCK_MONOTONIC; returns the board time
 * of the first record in which the board has left RUNNING (stopping, or
 * already idle when a stall made the board skip frames), or 0.
 * *@running says a RUNNING record was seen.
 */
static uint64_t drain(int fd, int64_t *offset, bool *running)
{
	struct lever_sample s[64];
	uint64_t found = 0;
	ssize_t n;

	while ((n = read(fd, s, sizeof(s))) > 0) {
		for (size_t i = 0; i < n / REC; i++) {
			int64_t d = (int64_t)(s[i].timestamp_ns -
					      s[i].board_time_ns);

			if (d < *offset)
				*offset = d;
			if (s[i].board_state == LEVER_BOARD_RUNNING)
				*running = true;
			else if (*running && !found)
				found = s[i].board_time_ns;
		}
	}
	return found;
}

struct wd_trip {
	uint64_t shortest_ns;	/* stop - latest moment of the last feed */
	uint64_t longest_ns;	/* stop - earliest moment of the last feed */
	uint64_t drv_ns;	/* driver left ARMED, after the last return */
	uint64_t max_gap_ns;	/* longest gap in this test's own polling */
};

/*
 * One watchdog trip at the default period: arms @fd, feeds it every 5 ms
 * for up to a second, then goes silent and watches the board's frames on
 * @rd for the stop. Returns 0 with @t filled, or -1.
 */
static int measure_wd_trip(int fd, int rd, struct wd_trip *t)
{
	int64_t offset = INT64_MAX;
	uint64_t t_sent = 0, t_last = 0, t_drv = 0, stop_bt = 0, end, now;
	uint64_t prev;
	struct lever_status st;
	bool running = false;

	memset(t, 0, sizeof(*t));
	if (ioctl(fd, LEVER_IOC_ARM))
		return -1;
	end = now_ns() + 1000 * NS_PER_MS;
	while (now_ns() < end) {
		/*
		 * A VM stall may trip it early: measured from the last
		 * command, which fed the watchdog at some moment between
		 * t_sent and t_last.
		 */
		now = now_ns();
		if (command(fd, 0, 500, 0))
			break;
		t_sent = now;
		t_last = now_ns();
		if (drain(rd, &offset, &running))
			break;
		sleep_ms(5);
	}
	if (!t_last)
		return -1;
	/* silence: watch the board's own frames for the stop */
	prev = now_ns();
	end = prev + 2000 * NS_PER_MS;
	while (!stop_bt && prev < end) {
		if (!t_drv && !status(fd, &st) && st.state != LEVER_STATE_ARMED)
			t_drv = now_ns();
		stop_bt = drain(rd, &offset, &running);
		sleep_ms(1);
		now = now_ns();
		if (now - prev > t->max_gap_ns)
			t->max_gap_ns = now - prev;
		prev = now;
	}
	if (!running || !stop_bt)
		return -1;
	/*
	 * The feed is somewhere in [t_sent, t_last] (board time): early
	 * only if even the longest reading is short, late only if even
	 * the shortest is long.
	 */
	t->longest_ns = stop_bt - (t_sent - offset);
	t->shortest_ns = stop_bt - (t_last - offset);
	t->drv_ns = t_drv ? t_drv - t_last : 0;
	return 0;
}

TEST_F(lever, watchdog_trips_within_period_plus_20_percent)
{
	const uint64_t early_ns = (LEVER_WATCHDOG_DEF_MS - 1) * NS_PER_MS;
	const uint64_t late_ns = LEVER_WATCHDOG_DEF_MS * NS_PER_MS * 12 / 10;
	/* this test's own 1 ms poll stalled: the guest, not the driver */
	const uint64_t stall_ns = 5 * NS_PER_MS;
	int rd = open_dev(O_RDONLY | O_NONBLOCK);
	struct lever_status st;
	struct wd_trip t;
	int attempt;

	ASSERT_LE(0, rd);
	for (attempt = 1; attempt <= 5; attempt++) {
		ASSERT_EQ(0, measure_wd_trip(self->fd, rd, &t));
		TH_LOG("watchdog %u ms, attempt %d: driver left armed %.1f ms, board saw the stop %.1f-%.1f ms after the last command; longest poll gap %.1f ms",
		       LEVER_WATCHDOG_DEF_MS, attempt, t.drv_ns / 1e6,
		       t.shortest_ns / 1e6, t.longest_ns / 1e6,
		       t.max_gap_ns / 1e6);
		ASSERT_EQ(0, status(self->fd, &st));
		EXPECT_TRUE(st.faults & LEVER_DFAULT_WATCHDOG);
		EXPECT_LE(attempt, st.watchdog_trips);
		/* early is never the guest's fault; late may be a stall */
		if (t.longest_ns < early_ns || t.shortest_ns <= late_ns ||
		    t.max_gap_ns < stall_ns)
			break;
		ASSERT_EQ(0, settle());
	}
	EXPECT_GE(t.longest_ns, early_ns);
	EXPECT_LE(t.shortest_ns, late_ns);
	close(rd);
}

TEST_F(lever, watchdog_stop_holds_support_pressure)
{
	uint64_t end = now_ns() + 1500 * NS_PER_MS;
	struct lever_watchdog wd = { .period_ms = LEVER_WATCHDOG_MAX_MS };
	long long before, reading[10] = { 0 }, sum = 0;
	unsigned int polls = 0, slot;
	bool held = false;

	/*
	 * any period shows it; the longest keeps VM stalls (a loaded debug
	 * kernel) from tripping it before the set-point is read below
	 */
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_ARM));
	/*
	 * Until the cylinder's pressure, averaged over the last half second
	 * (ten readings, 50 ms apart, across the stride's swing), is at the
	 * set-point: the stop holds what it had, and on a slow (debug)
	 * kernel the simulated cylinder can still be filling after 1.5 s.
	 */
	while (now_ns() < end || !held) {
		ASSERT_EQ(0, command(self->fd, 150000, 300, 0));
		sleep_ms(5);
		if (++polls % 10)
			continue;
		slot = polls / 10 % 10;
		sum -= reading[slot];
		reading[slot] = sim_num("support_pressure_pa");
		sum += reading[slot];
		held = polls >= 100 && llabs(sum / 10 - 150000) <= 3000;
		ASSERT_GT(end + 10000 * NS_PER_MS, now_ns());
	}
	/*
	 * The set-point the commands gave, as the board has it. A board
	 * that heard no command for a while (a VM stalled between two)
	 * holds its stride average of the set-point meanwhile: command
	 * until the board reads it back.
	 */
	do {
		ASSERT_EQ(0, command(self->fd, 150000, 300, 0));
		before = sim_num("pressure_setpoint_pa");
	} while (before != 150000 && now_ns() < end + 10000 * NS_PER_MS);
	EXPECT_EQ(150000, before);
	ASSERT_TRUE(wait_board_stopped(3000));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 3000));
	/*
	 * held, not released: at what the cylinder had, its stride average
	 * (Documentation/safety.rst, "Safe state"), within the few per cent
	 * a stride moves it from the set-point
	 */
	EXPECT_LE(llabs(sim_num("pressure_setpoint_pa") - before),
		  before / 20);
}

TEST_F(lever, close_of_the_controller_stops_the_belt)
{
	struct lever_watchdog wd = { .period_ms = 1000 };
	int watcher = open_dev(O_RDONLY);
	struct lever_status st;

	ASSERT_LE(0, watcher);
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_SET_WATCHDOG, &wd));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_ARM));
	ASSERT_EQ(0, run_belt(self->fd, 500, 800));
	ASSERT_TRUE(sim_state_is("running"));
	close(self->fd);
	self->fd = -1;
	ASSERT_TRUE(wait_board_stopped(2000));
	/* the close did it, not the (1 s) watchdog */
	ASSERT_EQ(0, status(watcher, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_CLOSED);
	EXPECT_FALSE(st.faults & LEVER_DFAULT_WATCHDOG);
	close(watcher);
}

TEST_F(lever, sigkill_of_the_controller_stops_the_belt)
{
	struct lever_status st;
	int status_code;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct lever_watchdog wd = { .period_ms = 1000 };
		int fd = open_dev(O_RDWR);

		if (fd < 0 || ioctl(fd, LEVER_IOC_SET_WATCHDOG, &wd) ||
		    ioctl(fd, LEVER_IOC_ARM))
			_exit(1);
		for (;;) {
			command(fd, 0, 500, 0);
			sleep_ms(5);
		}
	}
	close(self->fd);
	self->fd = open_dev(O_RDONLY);
	ASSERT_LE(0, self->fd);
	ASSERT_TRUE(wait_board_state("running", 2000));
	sleep_ms(300);
	ASSERT_TRUE(sim_state_is("running"));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status_code, 0));
	ASSERT_TRUE(wait_board_stopped(2000));
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_CLOSED);
	EXPECT_FALSE(st.faults & LEVER_DFAULT_WATCHDOG);
}

TEST_F(lever, nothing_moves_after_a_stop_until_rearmed)
{
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 500, 500));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_STOP));
	ASSERT_TRUE(wait_driver_state(self->fd, LEVER_STATE_DISARMED, 3000));
	EXPECT_EQ(-1, command(self->fd, 0, 500, 0));
	EXPECT_EQ(EPERM, errno);
	ASSERT_TRUE(wait_board_state("idle", 3000));
	sleep_ms(200);
	EXPECT_TRUE(sim_state_is("idle"));
	EXPECT_EQ(0, sim_num("belt_setpoint_mm_s"));
}

/* --- read and poll ----------------------------------------------------------- */

TEST_F(lever, read_shorter_than_a_record_is_einval)
{
	char buf[REC - 1];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(lever, read_returns_whole_records_only)
{
	char buf[REC * 5 / 2];
	ssize_t n = read(self->fd, buf, sizeof(buf));

	ASSERT_LT(0, n);
	EXPECT_EQ(0, n % REC);
}

TEST_F(lever, read_nonblocking_on_an_empty_ring_is_eagain)
{
	int fd = open_dev(O_RDONLY | O_NONBLOCK);
	struct lever_sample s;
	int eagain = 0;

	ASSERT_LE(0, fd);
	/* samples arrive every ms; reading is faster, so the ring empties */
	for (int i = 0; i < 100000 && !eagain; i++)
		if (read(fd, &s, sizeof(s)) < 0 && errno == EAGAIN)
			eagain = 1;
	EXPECT_TRUE(eagain);
	close(fd);
}

TEST_F(lever, records_carry_monotonic_timestamps_and_honest_gaps)
{
	struct lever_sample s[256];
	uint64_t t0 = now_ns();
	size_t got = 0;

	while (got < 256) {
		ssize_t n = read(self->fd, s + got, (256 - got) * REC);

		ASSERT_LT(0, n);
		got += n / REC;
	}
	EXPECT_LE(s[0].timestamp_ns, now_ns());
	EXPECT_GT(s[255].timestamp_ns, t0);
	for (int i = 1; i < 256; i++) {
		uint32_t gap = s[i].seq - s[i - 1].seq - 1;

		ASSERT_LE(s[i - 1].timestamp_ns, s[i].timestamp_ns);
		ASSERT_EQ(gap, s[i].lost);
		ASSERT_EQ(gap ? LEVER_SAMPLE_OVERFLOW : 0, s[i].flags);
	}
}

/*
 * Empties a non-blocking file's ring and returns the seq of the last record
 * taken, then waits until @more records are queued behind it: until the
 * device (status through @ctl_fd) has counted that many more samples, each
 * of which went into every open file's ring. A record that vanished shows
 * as a gap in seq that its successor's `lost` does not explain: the
 * board's own gaps are explained.
 */
static int drain_then_wait(int fd, int ctl_fd, unsigned int more,
			   uint32_t *last_seq)
{
	uint64_t end = now_ns() + 5000 * NS_PER_MS;
	struct lever_status st;
	struct lever_sample s;
	uint64_t drained;
	int got = 0;

	while (!got && now_ns() < end) {
		while (read(fd, &s, REC) == (ssize_t)REC)
			got++;
		if (errno != EAGAIN)
			return -1;
		sleep_ms(2);
	}
	if (!got || status(ctl_fd, &st))
		return -1;
	*last_seq = s.seq;
	drained = st.samples;
	while (!status(ctl_fd, &st) && st.samples < drained + more)
		if (now_ns() > end)
			return -1;
		else
			sleep_ms(2);
	return 0;
}

/* Two pages, the second unmapped: a buffer ending at the first's end. */
static char *page_before_a_hole(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || munmap(p + pg, pg))
		return NULL;
	return p + pg;
}

/*
 * A non-blocking reader whose ring was emptied (the seq of its last record
 * in `last`) and then holds at least two records, and a buffer that ends
 * at an unmapped page.
 */
FIXTURE(fault) {
	int fd, ctl;
	char *hole;
	uint32_t last;
};

FIXTURE_SETUP(fault)
{
	ASSERT_EQ(0, settle());
	self->ctl = open_dev(O_RDWR);
	ASSERT_LE(0, self->ctl);
	self->fd = open_dev(O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->fd);
	self->hole = page_before_a_hole();
	ASSERT_TRUE(self->hole != NULL);
	ASSERT_EQ(0, drain_then_wait(self->fd, self->ctl, 2, &self->last));
}

FIXTURE_TEARDOWN(fault)
{
	close(self->fd);
	close(self->ctl);
}

TEST_F(fault, read_into_a_bad_buffer_is_efault_and_keeps_the_record)
{
	struct lever_sample s;

	EXPECT_EQ(-1, read(self->fd, self->hole, REC));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ((ssize_t)REC, read(self->fd, &s, REC));
	EXPECT_EQ(s.seq - self->last - 1, s.lost);
}

TEST_F(fault, read_faulting_after_one_record_returns_it_and_keeps_the_next)
{
	struct lever_sample s;
	uint32_t last;

	/* room for one record before the hole, asked for two */
	ASSERT_EQ((ssize_t)REC, read(self->fd, self->hole - REC, 2 * REC));
	memcpy(&s, self->hole - REC, REC);
	EXPECT_EQ(s.seq - self->last - 1, s.lost);
	last = s.seq;
	ASSERT_EQ((ssize_t)REC, read(self->fd, &s, REC));
	EXPECT_EQ(s.seq - last - 1, s.lost);
}

TEST_F(lever, poll_reports_readable_records)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };

	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_FALSE(p.revents & (POLLHUP | POLLERR));
}

TEST_F(lever, ring_overflow_is_counted_and_flagged_in_the_next_record)
{
	int fd = open_dev(O_RDONLY | O_NONBLOCK);
	struct lever_status before, after;
	struct lever_sample s[64], prev;
	uint64_t lost = 0;
	int records = 0;
	ssize_t n;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, status(self->fd, &before));
	/* 1024 records fit; let at least twice that arrive unread */
	while (1) {
		ASSERT_EQ(0, status(self->fd, &after));
		if (after.samples - before.samples > 2500)
			break;
		sleep_ms(50);
	}
	while ((n = read(fd, s, sizeof(s))) > 0) {
		for (size_t i = 0; i < n / REC; i++) {
			if (!records) {
				EXPECT_TRUE(s[i].flags & LEVER_SAMPLE_OVERFLOW);
				EXPECT_LT(0, s[i].lost);
			} else {
				ASSERT_EQ(s[i].seq - prev.seq - 1, s[i].lost);
			}
			lost += s[i].lost;
			prev = s[i];
			records++;
		}
	}
	EXPECT_GE(1024 + 64, records);
	ASSERT_EQ(0, status(self->fd, &after));
	EXPECT_LT(before.dropped, after.dropped);
	TH_LOG("%d records read, %llu reported lost", records,
	       (unsigned long long)lost);
	close(fd);
}

/* --- disconnect and replug --------------------------------------------------- */

/* Waits for child @pid for up to @ms; kills it if it hangs. */
static int wait_child(pid_t pid, unsigned int ms)
{
	int st;

	while (ms--) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
		sleep_ms(1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 101;	/* hung */
}

TEST_F(lever, disconnect_wakes_a_blocking_read_with_enodev)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct lever_sample s;

		for (;;)
			if (read(self->fd, &s, sizeof(s)) < 0)
				_exit(errno == ENODEV ? 0 : 1);
	}
	sleep_ms(200);
	ASSERT_EQ(0, sim(NULL, 0, "disconnect"));
	EXPECT_EQ(0, wait_child(pid, 5000));
	EXPECT_TRUE(wait_gone(dev_path(), 2000));
}

TEST_F(lever, disconnect_wakes_a_blocking_poll_with_hup)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = self->fd, .events = POLLIN };
		struct lever_sample s;

		for (;;) {
			if (poll(&p, 1, -1) != 1)
				_exit(2);
			if (p.revents & POLLHUP)
				_exit(p.revents & POLLERR ? 0 : 3);
			if (read(self->fd, &s, sizeof(s)) < 0 &&
			    errno != ENODEV)
				_exit(4);
		}
	}
	sleep_ms(200);
	ASSERT_EQ(0, sim(NULL, 0, "disconnect"));
	EXPECT_EQ(0, wait_child(pid, 5000));
	EXPECT_TRUE(wait_gone(dev_path(), 2000));
}

TEST_F(lever, disconnect_while_armed_ends_commands_with_enodev)
{
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 300, 300));
	ASSERT_EQ(0, sim(NULL, 0, "disconnect"));
	ASSERT_TRUE(wait_gone(dev_path(), 2000));
	EXPECT_EQ(-1, command(self->fd, 0, 300, 0));
	EXPECT_EQ(ENODEV, errno);
	/* the board's own watchdog stops the belt */
	EXPECT_TRUE(wait_board_state("stopping", 3000) ||
		    sim_state_is("idle"));
}

TEST_F(lever, replug_gives_a_working_device)
{
	struct lever_status st;
	struct lever_info info;
	int fd;

	ASSERT_EQ(0, sim(NULL, 0, "disconnect"));
	ASSERT_TRUE(wait_gone(dev_path(), 2000));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_GET_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, sim(NULL, 0, "reconnect"));
	fd = open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, LEVER_IOC_GET_INFO, &info));
	EXPECT_STREQ("SIM0001", info.serial);
	sleep_ms(200);
	ASSERT_EQ(0, status(fd, &st));
	EXPECT_LT(0, st.samples);
	ASSERT_EQ(0, arm(fd));
	EXPECT_EQ(0, command(fd, 0, 100, 0));
	close(fd);
}

/* --- sysfs ----------------------------------------------------------------- */

static int read_sysfs(const char *name, char *buf, size_t n)
{
	char path[128];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), SYSFS "/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	return 0;
}

TEST_F(lever, sysfs_shows_identity_limits_state_and_counters)
{
	char buf[64];

	ASSERT_EQ(0, read_sysfs("serial", buf, sizeof(buf)));
	EXPECT_STREQ("SIM0001\n", buf);
	ASSERT_EQ(0, read_sysfs("firmware_version", buf, sizeof(buf)));
	EXPECT_STREQ("1.0.0\n", buf);
	ASSERT_EQ(0, read_sysfs("sample_rate_hz", buf, sizeof(buf)));
	EXPECT_STREQ("1000\n", buf);
	ASSERT_EQ(0, read_sysfs("state", buf, sizeof(buf)));
	EXPECT_STREQ("disarmed\n", buf);
	ASSERT_EQ(0, read_sysfs("limits/max_belt_speed_mm_s", buf,
				sizeof(buf)));
	EXPECT_EQ(self->info.max_belt_speed_mm_s, atoi(buf));
	ASSERT_EQ(0, read_sysfs("counters/samples", buf, sizeof(buf)));
	EXPECT_LT(0, atoll(buf));
	ASSERT_EQ(0, read_sysfs("counters/watchdog_trips", buf, sizeof(buf)));
	ASSERT_EQ(0, read_sysfs("counters/dropped", buf, sizeof(buf)));
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, read_sysfs("state", buf, sizeof(buf)));
	EXPECT_STREQ("armed\n", buf);
}

/* --- a board the driver cannot see: stale and failing sample streams ------ */

/*
 * Waits until the driver has latched every fault bit of @want; when it
 * has not, says what driver and board saw, for the log.
 */
static bool wait_driver_faults(int fd, uint32_t want, unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;
	struct lever_status st = { 0 };
	char stream[16] = "?";

	do {
		if (!status(fd, &st) && (st.faults & want) == want)
			return true;
		sleep_ms(2);
	} while (now_ns() < end);
	sim_str("stream", stream, sizeof(stream));
	fprintf(stderr, "# no faults 0x%x after %u ms: driver faults 0x%x samples %llu; board stream %s in_halted %lld halt_refused %lld samples_sent %lld\n",
		want, ms, st.faults, (unsigned long long)st.samples, stream,
		sim_num("in_halted"), sim_num("halt_refused"),
		sim_num("samples_sent"));
	return false;
}

/* Waits until the simulator's state key @key reads @want. */
static bool wait_sim_num(const char *key, long long want, unsigned int ms)
{
	uint64_t end = now_ns() + ms * NS_PER_MS;

	do {
		if (sim_num(key) == want)
			return true;
		sleep_ms(2);
	} while (now_ns() < end);
	return false;
}

TEST_F(lever, malformed_frames_latch_an_io_fault)
{
	ASSERT_EQ(0, sim(NULL, 0, "stream garbage"));
	EXPECT_TRUE(wait_driver_faults(self->fd, LEVER_DFAULT_IO, 3000));
	EXPECT_EQ(-1, arm(self->fd));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(lever, a_failing_stream_latches_the_io_fault_again_after_a_reset)
{
	ASSERT_EQ(0, sim(NULL, 0, "stream halt"));
	/* the UDC may refuse a halt while a frame is queued: wait for it */
	ASSERT_TRUE(wait_sim_num("in_halted", 1, 5000));
	ASSERT_TRUE(wait_driver_faults(self->fd, LEVER_DFAULT_IO, 3000));
	ASSERT_EQ(0, ioctl(self->fd, LEVER_IOC_RESET_FAULTS));
	/* the stream still fails: the 17th, 18th ... error latch it too */
	EXPECT_TRUE(wait_driver_faults(self->fd, LEVER_DFAULT_IO, 3000));
	EXPECT_EQ(-1, arm(self->fd));
}

/*
 * Waits until the board's samples stop: none counted for @quiet_ms, within
 * 5 s. Frames a muted board had already queued still come through
 * dummy_hcd after the mute, for long on a slow (debug) kernel.
 */
static bool wait_stream_quiet(int fd, unsigned int quiet_ms)
{
	uint64_t end = now_ns() + 5000 * NS_PER_MS, since = now_ns();
	uint64_t last = UINT64_MAX;
	struct lever_status st;

	do {
		if (status(fd, &st))
			return false;
		if (st.samples != last) {
			last = st.samples;
			since = now_ns();
		} else if (now_ns() - since >= quiet_ms * NS_PER_MS) {
			return true;
		}
		sleep_ms(10);
	} while (now_ns() < end);
	return false;
}

TEST_F(lever, arming_refused_while_the_board_is_mute)
{
	ASSERT_EQ(0, sim(NULL, 0, "stream mute"));
	/* well past the stale bound: 100 ms with the 50 ms watchdog */
	ASSERT_TRUE(wait_stream_quiet(self->fd, 300));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_ARM));
	EXPECT_EQ(ENODATA, errno);
}

TEST_F(lever, arming_works_again_once_the_board_speaks)
{
	ASSERT_EQ(0, sim(NULL, 0, "stream mute"));
	ASSERT_TRUE(wait_stream_quiet(self->fd, 300));
	ASSERT_EQ(-1, ioctl(self->fd, LEVER_IOC_ARM));
	ASSERT_EQ(0, sim(NULL, 0, "stream normal"));
	sleep_ms(100);
	EXPECT_EQ(0, arm(self->fd));
}

TEST_F(lever, a_board_going_mute_while_armed_stops_the_belt)
{
	struct lever_status st;
	uint64_t end;
	int ret = 0;

	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 300, 300));
	ASSERT_EQ(0, sim(NULL, 0, "stream mute"));
	/* a controller that keeps commanding does not keep the gate armed */
	end = now_ns() + 5000 * NS_PER_MS;
	while (now_ns() < end) {
		ret = command(self->fd, 0, 300, 0);
		if (ret)
			break;
		sleep_ms(5);
	}
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_IO);
	EXPECT_NE(LEVER_STATE_ARMED, st.state);
	/* the OUT endpoint still works: the board hears the stop */
	EXPECT_TRUE(wait_board_stopped(3000));
}

/* --- open files ------------------------------------------------------------ */

TEST_F(lever, opening_more_than_16_files_is_emfile)
{
	int fds[16], i, n = 0, fd;

	/* the fixture holds one */
	for (i = 0; i < 15; i++) {
		fds[n] = open(dev_path(), O_RDONLY);
		if (fds[n] < 0)
			break;
		n++;
	}
	EXPECT_EQ(15, n);
	fd = open(dev_path(), O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EMFILE, errno);
	if (fd >= 0)
		close(fd);
	if (n)
		close(fds[--n]);
	fd = open(dev_path(), O_RDONLY);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	while (n)
		close(fds[--n]);
}

/* --- unbind, USB reset, suspend -------------------------------------------- */

/* The interface ("1-1:1.0") and its USB device's directory in sysfs. */
static int usb_paths(char *intf, size_t n, char *udev_dir, size_t m)
{
	char path[PATH_MAX], *copy;

	if (!realpath(SYSFS "/device", path))
		return -1;
	copy = strdup(path);
	if (!copy)
		return -1;
	snprintf(intf, n, "%s", basename(copy));
	snprintf(udev_dir, m, "%s", dirname(path));
	free(copy);
	return 0;
}

static int read_num(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return atoi(buf);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -1;
	close(fd);
	return ret;
}

TEST_F(lever, unbind_while_armed_stops_the_belt_before_the_board_watchdog)
{
	char intf[64], udev_dir[PATH_MAX];
	long long faults;

	ASSERT_EQ(0, usb_paths(intf, sizeof(intf), udev_dir,
			       sizeof(udev_dir)));
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 500, 500));
	ASSERT_TRUE(sim_state_is("running"));
	ASSERT_EQ(0, write_file("/sys/bus/usb/drivers/lever/unbind", intf));
	/* the driver's stop frame, not the board's own 1 s watchdog */
	EXPECT_TRUE(wait_board_stopped(3000));
	faults = sim_num("faults");
	EXPECT_EQ(0, faults & LEVER_FAULT_WATCHDOG);
	EXPECT_EQ(-1, command(self->fd, 0, 500, 0));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, write_file("/sys/bus/usb/drivers/lever/bind", intf));
	close(self->fd);
	self->fd = open_dev(O_RDWR);
	EXPECT_LE(0, self->fd);
}

TEST_F(lever, usb_reset_while_armed_stops_the_belt_and_takes_control_away)
{
	char intf[64], udev_dir[PATH_MAX], node[64];
	struct lever_status st;
	int usb;

	ASSERT_EQ(0, usb_paths(intf, sizeof(intf), udev_dir,
			       sizeof(udev_dir)));
	snprintf(node, sizeof(node), "/dev/bus/usb/%03d/%03d",
		 read_num(udev_dir, "busnum"), read_num(udev_dir, "devnum"));
	usb = open(node, O_RDWR);
	ASSERT_LE(0, usb) TH_LOG("%s: %s", node, strerror(errno));
	ASSERT_EQ(0, arm(self->fd));
	ASSERT_EQ(0, run_belt(self->fd, 500, 500));
	EXPECT_EQ(0, ioctl(usb, USBDEVFS_RESET, 0));
	close(usb);
	/* the same file, still bound: the gate stopped with an IO fault */
	ASSERT_EQ(0, status(self->fd, &st));
	EXPECT_TRUE(st.faults & LEVER_DFAULT_IO);
	EXPECT_NE(LEVER_STATE_ARMED, st.state);
	EXPECT_EQ(-1, command(self->fd, 0, 500, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_TRUE(wait_board_stopped(3000));
	/* nothing moves until a fault reset and a new arm */
	EXPECT_TRUE(wait_driver_state(self->fd, LEVER_STATE_FAULT, 5000));
	EXPECT_EQ(-1, ioctl(self->fd, LEVER_IOC_ARM));
	EXPECT_EQ(EPERM, errno);
}

TEST_HARNESS_MAIN
