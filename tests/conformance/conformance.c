// SPDX-License-Identifier: MIT
/*
 * conformance.c - one suite of the ioctl-level behaviour leverd relies on,
 * run against "sim:" on the host (make check-unit) and against /dev/lever0
 * (lever.ko driving lever-simd) in the VM (case 35). A difference between
 * the transports fails one of the two runs. Each test is one behaviour and
 * is judged on the board's own samples (measured belt speed, support
 * pressure), not only on return codes. The device is used through the
 * public lever_dev_* API only; the board's lines and link are worked
 * through lever_sim_* on sim: and through lever-simd's control socket on
 * /dev/lever0.
 *
 * usage: lever-conformance [SPEC [SIMD_SOCKET]]   (default: sim:seed=5)
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lever/lever.h>

#define MS		1000000ull
#define WATCHDOG_MS	1000	/* VM stalls: only the trip test relies on it */
#define SUPPORT_PA	60000
#define MOVING_MM_S	150	/* the belt is clearly moving */
#define STILL_MM_S	20	/* the belt is at rest (sensor noise) */

static const char *spec = "sim:seed=5";
static const char *sock_path = "/run/lever-simd.sock";
static bool on_sim;
static struct lever_dev *dev;
static struct lever_dev_sample last;	/* the board's latest sample */
static bool have_last;
static int test_no, failed;

/* --- TAP ------------------------------------------------------------------ */

static bool check_failed;

static void expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	check_failed = true;
	printf("# failed: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define EXPECT(cond, ...)	expect((cond), #cond ": " __VA_ARGS__)
#define EXPECT_RET(call, want)						\
	do {								\
		int r_ = (call);					\
		expect(r_ == (want), "%s = %d (%s), want %d", #call,	\
		       r_, strerror(r_ < 0 ? -r_ : 0), (want));		\
	} while (0)

/* --- the board's side: lines, link, stream ---------------------------------- */

/* One lever-simd control command; 0 on "ok". */
static int simd(const char *fmt, ...)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[256], buf[8192];
	size_t len = 0;
	va_list ap;
	int fd, ret = -1;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		goto out;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		if (strstr(buf, "ok\n") == buf + len - 3 &&
		    (len == 3 || buf[len - 4] == '\n')) {
			ret = 0;
			break;
		}
		if (strstr(buf, "error:"))
			break;
	}
out:
	close(fd);
	return ret;
}

static int board_estop(bool pressed)
{
	if (on_sim)
		return lever_sim_set_line(dev, LEVER_DEV_LINE_ESTOP, pressed);
	return simd("estop %s", pressed ? "press" : "release");
}

static int board_link(bool up)
{
	if (on_sim)
		return lever_sim_inject(dev, LEVER_SIM_FAULT_DISCONNECT, !up);
	return simd(up ? "reconnect" : "disconnect");
}

static int board_mute(bool mute)
{
	if (on_sim)
		return lever_sim_inject(dev, LEVER_SIM_FAULT_STALL, mute);
	return simd("stream %s", mute ? "mute" : "normal");
}

/* --- time and samples ------------------------------------------------------- */

static void drain(void)
{
	struct lever_dev_sample s;

	while (lever_dev_try_read_sample(dev, &s) == 0) {
		last = s;
		have_last = true;
	}
}

/* Lets @ms pass (virtual on sim:, real on /dev/lever0), reading samples. */
static void pass_ms(unsigned int ms)
{
	if (on_sim) {
		lever_sim_step(dev, ms * MS);
		drain();
		return;
	}
	while (ms) {
		unsigned int step = ms < 10 ? ms : 10;
		struct timespec ts = { 0, (long)step * 1000000L };

		nanosleep(&ts, NULL);
		drain();
		ms -= step;
	}
}

static int command(int32_t belt_mm_s, uint32_t pressure_pa)
{
	struct lever_dev_command c = {
		.support_pressure_pa = pressure_pa,
		.belt_speed_mm_s = belt_mm_s,
	};

	return lever_dev_command(dev, &c);
}

/* Commands every 5 ms for @ms as a controller does; the first error. */
static int run(int32_t belt_mm_s, unsigned int ms)
{
	int ret;

	for (; ms >= 5; ms -= 5) {
		ret = command(belt_mm_s, SUPPORT_PA);
		if (ret)
			return ret;
		pass_ms(5);
	}
	return 0;
}

static int arm(void)
{
	int ret = lever_dev_set_watchdog(dev, WATCHDOG_MS);

	return ret ? ret : lever_dev_arm(dev);
}

static int32_t belt(void)
{
	return have_last ? last.belt_speed_mm_s : -1;
}

static uint32_t state(void)
{
	struct lever_dev_status st;

	return lever_dev_status(dev, &st) ? 99 : st.state;
}

static uint32_t controller(void)
{
	struct lever_dev_status st;

	return lever_dev_status(dev, &st) ? 0 : st.controller_pid;
}

static uint32_t faults(void)
{
	struct lever_dev_status st;

	return lever_dev_status(dev, &st) ? 0xffffffffu : st.faults;
}

/* Waits up to @ms for the measured belt speed to be at rest. */
static bool belt_comes_to_rest(unsigned int ms)
{
	for (; ms; ms -= 10) {
		pass_ms(10);
		if (have_last && belt() <= STILL_MM_S)
			return true;
		if (ms < 10)
			break;
	}
	return false;
}

/* The belt stays at rest for @ms. */
static bool belt_stays_at_rest(unsigned int ms)
{
	int32_t top = 0;

	for (; ms >= 10; ms -= 10) {
		pass_ms(10);
		if (belt() > top)
			top = belt();
	}
	if (top > STILL_MM_S)
		printf("# belt moved: %d mm/s\n", top);
	return top <= STILL_MM_S;
}

/*
 * Between tests: lines released, link up, stream normal, no controller,
 * board and gate without faults, belt at rest. Returns 0 or -1.
 */
static int settle(void)
{
	struct lever_dev_status st;
	int i;

	board_estop(false);
	board_mute(false);
	if (!on_sim) {
		simd("key insert");
		simd("watchdog 1000");
	}
	for (i = 0; i < 1000; i++) {
		if (lever_dev_status(dev, &st) == -ENODEV) {
			board_link(true);
			lever_dev_reopen(dev);
			pass_ms(10);
			continue;
		}
		lever_dev_disarm(dev);
		lever_dev_reset_faults(dev);
		pass_ms(10);
		if (!lever_dev_status(dev, &st) &&
		    st.state == LEVER_DEV_STATE_DISARMED && !st.faults &&
		    !st.last.board_faults &&
		    st.last.board_state == LEVER_DEV_BOARD_IDLE &&
		    have_last && belt() <= STILL_MM_S)
			return 0;
	}
	printf("# settle: state %u faults 0x%x board faults 0x%x belt %d\n",
	       st.state, st.faults, st.last.board_faults, belt());
	return -1;
}

static void run_test(void (*fn)(void), const char *name)
{
	check_failed = false;
	if (settle()) {
		check_failed = true;
		printf("# the board could not be brought to rest first\n");
	} else {
		fn();
	}
	test_no++;
	if (check_failed)
		failed = 1;
	printf("%sok %d - %s\n", check_failed ? "not " : "", test_no, name);
	fflush(stdout);
}

#define TEST(fn)	{ fn, #fn }

/* --- the behaviours ----------------------------------------------------------- */

static void test_arm_then_command_moves_the_belt(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1500), 0);
	EXPECT(belt() >= MOVING_MM_S, "belt %d mm/s", belt());
	EXPECT(state() == LEVER_DEV_STATE_ARMED, "state %u", state());
}

static void test_command_without_arm_is_refused_and_nothing_moves(void)
{
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
	EXPECT(belt_stays_at_rest(500), "");
}

static void test_second_arm_is_busy(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(lever_dev_arm(dev), -EBUSY);
}

static void test_disarm_without_arm_does_nothing(void)
{
	EXPECT_RET(lever_dev_disarm(dev), 0);
	EXPECT(state() == LEVER_DEV_STATE_DISARMED, "state %u", state());
	EXPECT_RET(lever_dev_reset_faults(dev), 0);
}

static void test_stop_brings_the_belt_to_rest_and_holds_support(void)
{
	uint32_t before;

	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(400, 2000), 0);
	before = last.pressure_setpoint_pa;
	EXPECT(belt() >= MOVING_MM_S, "belt %d mm/s", belt());
	EXPECT_RET(lever_dev_stop(dev), 0);
	EXPECT(belt_comes_to_rest(3000), "belt %d mm/s", belt());
	/* never vented: the board still applies what it had */
	EXPECT(last.pressure_setpoint_pa * 10u >= before * 9u,
	       "pressure set-point %u Pa, %u Pa before the stop",
	       last.pressure_setpoint_pa, before);
	EXPECT(faults() == 0, "faults 0x%x", faults());
}

static void test_nothing_moves_after_a_stop_until_rearmed(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT_RET(lever_dev_stop(dev), 0);
	EXPECT(belt_comes_to_rest(3000), "belt %d mm/s", belt());
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
	EXPECT(belt_stays_at_rest(500), "");
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT(belt() >= MOVING_MM_S, "belt %d mm/s after a new arm", belt());
}

static void test_reset_faults_while_armed_is_busy(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 500), 0);
	EXPECT_RET(lever_dev_reset_faults(dev), -EBUSY);
	EXPECT(state() == LEVER_DEV_STATE_ARMED, "state %u", state());
	EXPECT_RET(run(300, 200), 0);
}

static void test_reset_faults_while_armed_at_rest_is_busy(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(0, 300), 0);
	/* nothing for the board to refuse: the gate itself must */
	EXPECT_RET(lever_dev_reset_faults(dev), -EBUSY);
	EXPECT(state() == LEVER_DEV_STATE_ARMED, "state %u", state());
}

static void test_reset_faults_while_stopping_is_busy(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(1000, 2000), 0);
	EXPECT(belt() >= MOVING_MM_S, "belt %d mm/s", belt());
	EXPECT_RET(lever_dev_stop(dev), 0);
	EXPECT_RET(lever_dev_reset_faults(dev), -EBUSY);
	/* the stopping gate is still held by its controller */
	EXPECT(controller() == (uint32_t)getpid(), "controller %u, pid %d",
	       controller(), (int)getpid());
	EXPECT(belt_comes_to_rest(4000), "belt %d mm/s", belt());
}

static void test_reset_faults_while_estop_held_is_busy(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT_RET(board_estop(true), 0);
	EXPECT(belt_comes_to_rest(3000), "belt %d mm/s", belt());
	EXPECT(faults() & LEVER_DEV_FAULT_ESTOP, "faults 0x%x", faults());
	EXPECT_RET(lever_dev_reset_faults(dev), -EBUSY);
	EXPECT_RET(lever_dev_arm(dev), -EPERM);
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
}

static void test_after_estop_reset_nothing_moves_until_a_new_arm(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT_RET(board_estop(true), 0);
	EXPECT(belt_comes_to_rest(3000), "belt %d mm/s", belt());
	EXPECT_RET(board_estop(false), 0);
	pass_ms(50);
	EXPECT_RET(lever_dev_reset_faults(dev), 0);
	EXPECT(state() == LEVER_DEV_STATE_DISARMED, "state %u", state());
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
	EXPECT(belt_stays_at_rest(500), "");
	/* the board's cleared faults are in its next samples */
	pass_ms(50);
	EXPECT_RET(arm(), 0);
	EXPECT(belt_stays_at_rest(200), "armed without a command");
}

static void test_watchdog_trip_stops_the_belt(void)
{
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	/* the controller falls silent */
	EXPECT(belt_comes_to_rest(5000), "belt %d mm/s", belt());
	EXPECT(faults() & LEVER_DEV_FAULT_WATCHDOG, "faults 0x%x", faults());
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
	EXPECT(belt_stays_at_rest(300), "");
}

static void test_arm_refused_while_the_board_is_silent(void)
{
	EXPECT_RET(board_mute(true), 0);
	pass_ms(300);
	/* no sample within the stale bound: the gate cannot see e-stop */
	EXPECT_RET(lever_dev_set_watchdog(dev, 50), 0);
	EXPECT_RET(lever_dev_arm(dev), -ENODATA);
	EXPECT_RET(board_mute(false), 0);
	pass_ms(100);
	EXPECT_RET(arm(), 0);
}

static void test_silent_board_while_armed_stops_the_gate(void)
{
	int ret = 0, i;

	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT_RET(board_mute(true), 0);
	for (i = 0; i < 1000 && !ret; i++) {
		ret = command(300, SUPPORT_PA);
		pass_ms(5);
	}
	EXPECT(ret == -EPERM, "command %d after the board fell silent", ret);
	EXPECT(faults() & LEVER_DEV_FAULT_IO, "faults 0x%x", faults());
	EXPECT_RET(board_mute(false), 0);
	EXPECT(belt_comes_to_rest(3000), "belt %d mm/s", belt());
}

/* Waits up to @ms for the handle to report -ENODEV. */
static bool gone_within(unsigned int ms)
{
	struct lever_dev_status st;

	for (; ms >= 10; ms -= 10) {
		if (lever_dev_status(dev, &st) == -ENODEV)
			return true;
		pass_ms(10);
	}
	return false;
}

static void test_unplug_gives_enodev_and_poll_reports_hangup(void)
{
	struct lever_dev_sample s;
	struct pollfd p;
	int n, i, ret = 0;

	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 500), 0);
	p.fd = lever_dev_fd(dev);
	p.events = POLLIN;
	EXPECT(p.fd >= 0, "fd %d", p.fd);
	EXPECT_RET(board_link(false), 0);
	EXPECT(gone_within(5000), "still there after the unplug");
	EXPECT_RET(command(300, SUPPORT_PA), -ENODEV);
	/* poll() reports the hang-up at once, not a readable busy loop */
	n = poll(&p, 1, 3000);
	EXPECT(n == 1 && (p.revents & (POLLHUP | POLLERR)) ==
	       (POLLHUP | POLLERR), "poll %d revents 0x%x", n, p.revents);
	for (i = 0; i < 2000 && ret != -ENODEV; i++)
		ret = lever_dev_try_read_sample(dev, &s);
	EXPECT(ret == -ENODEV, "read %d after the unplug", ret);
	EXPECT_RET(lever_dev_read_sample(dev, &s), -ENODEV);
	EXPECT_RET(lever_dev_arm(dev), -ENODEV);
}

static void test_replug_gives_an_unarmed_board_that_moves_only_after_arm(void)
{
	int ret = -ENODEV, i;

	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 500), 0);
	EXPECT_RET(board_link(false), 0);
	EXPECT(gone_within(5000), "still there after the unplug");
	/* the board's own watchdog stops the belt meanwhile */
	pass_ms(1500);
	EXPECT_RET(board_link(true), 0);
	for (i = 0; i < 1000 && ret; i++) {
		ret = lever_dev_reopen(dev);
		if (ret)
			pass_ms(10);
	}
	EXPECT_RET(ret, 0);
	pass_ms(100);
	/* a new gate: disarmed, or in FAULT if it saw the board's own */
	EXPECT(state() == LEVER_DEV_STATE_DISARMED ||
	       state() == LEVER_DEV_STATE_FAULT, "state %u", state());
	EXPECT_RET(command(300, SUPPORT_PA), -EPERM);
	EXPECT(belt_stays_at_rest(500), "after the replug");
	/* the board latched its own watchdog: reset, then a new arm */
	EXPECT_RET(lever_dev_reset_faults(dev), 0);
	pass_ms(50);
	EXPECT_RET(arm(), 0);
	EXPECT_RET(run(300, 1000), 0);
	EXPECT(belt() >= MOVING_MM_S, "belt %d mm/s", belt());
}

static const struct {
	void (*fn)(void);
	const char *name;
} tests[] = {
	TEST(test_arm_then_command_moves_the_belt),
	TEST(test_command_without_arm_is_refused_and_nothing_moves),
	TEST(test_second_arm_is_busy),
	TEST(test_disarm_without_arm_does_nothing),
	TEST(test_stop_brings_the_belt_to_rest_and_holds_support),
	TEST(test_nothing_moves_after_a_stop_until_rearmed),
	TEST(test_reset_faults_while_armed_is_busy),
	TEST(test_reset_faults_while_armed_at_rest_is_busy),
	TEST(test_reset_faults_while_stopping_is_busy),
	TEST(test_reset_faults_while_estop_held_is_busy),
	TEST(test_after_estop_reset_nothing_moves_until_a_new_arm),
	TEST(test_watchdog_trip_stops_the_belt),
	TEST(test_arm_refused_while_the_board_is_silent),
	TEST(test_silent_board_while_armed_stops_the_gate),
	TEST(test_unplug_gives_enodev_and_poll_reports_hangup),
	TEST(test_replug_gives_an_unarmed_board_that_moves_only_after_arm),
};

int main(int argc, char **argv)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]);
	struct lever_dev_info info;
	int ret;

	if (argc > 1)
		spec = argv[1];
	if (argc > 2)
		sock_path = argv[2];
	on_sim = !strncmp(spec, "sim", 3);
	printf("1..%zu\n# conformance on %s\n", n, spec);
	ret = lever_dev_open(spec, &dev);
	if (ret || lever_dev_info(dev, &info)) {
		printf("# cannot open %s: %s\n", spec, strerror(-ret));
		for (i = 0; i < n; i++)
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
		return 1;
	}
	for (i = 0; i < n; i++)
		run_test(tests[i].fn, tests[i].name);
	lever_dev_close(dev);
	return failed;
}
