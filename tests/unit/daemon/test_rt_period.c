// SPDX-License-Identifier: MIT
/*
 * test_rt_period.c - the RT cycle on the character-device transport with
 * a control period under 1 ms (the configuration allows 250 us): with no
 * sample it waits two periods for one, never zero. The kernel side is a
 * fake under liblever's syscall table (lib/lever_priv.h) whose device fd
 * is the read end of a real pipe nobody writes: ppoll() on it really
 * waits, and only the timeout ends the wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/lever.h>

#include "lever_priv.h"
#include "control/rt.h"

static int pipe_fd[2];
static unsigned int polls, zero_waits;
static int64_t shortest_wait_ns = INT64_MAX;

int __real_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		 const sigset_t *mask);
int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		 const sigset_t *mask);

int __wrap_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		 const sigset_t *mask)
{
	int64_t ns = tmo ? tmo->tv_sec * 1000000000ll + tmo->tv_nsec : -1;

	polls++;
	if (ns == 0)
		zero_waits++;
	if (ns >= 0 && ns < shortest_wait_ns)
		shortest_wait_ns = ns;
	return __real_ppoll(fds, n, tmo, mask);
}

static int fake_open(const char *path, int flags)
{
	return pipe_fd[0];
}

static int fake_close(int fd)
{
	return 0;
}

/* a board that is there and answers, but has sent no sample yet */
static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct lever_info *info = arg;

	if (req != LEVER_IOC_GET_INFO)
		return 0;
	memset(info, 0, sizeof(*info));
	memcpy(info->serial, "LV-0001", 7);
	info->fw_major = 1;
	info->protocol_version = 1;
	info->sample_rate_hz = 4000;
	info->max_support_pressure_pa = 600000;
	info->max_support_force_mn = 1200000;
	info->max_belt_speed_mm_s = 5556;
	info->max_belt_accel_mm_s2 = 1500;
	info->stop_decel_mm_s2 = 1000;
	info->incline_min_centi_pct = -300;
	info->incline_max_centi_pct = 1500;
	info->force_per_pressure_un_pa = 2000;
	info->max_pressure_slew_pa_s = 200000;
	info->board_watchdog_ms = 100;
	info->watchdog_ms = 50;
	return 0;
}

static ssize_t fake_read(int fd, void *buf, size_t len)
{
	errno = EAGAIN;
	return -1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Safety review finding 5: a period under 1 ms gave poll() a timeout of
 * 0 ms, and a SCHED_FIFO thread with no sample spun on the CPU. Each
 * cycle with no sample waits for one up to two periods, never zero.
 */
static void test_a_period_under_1_ms_waits_for_samples(void **state)
{
	const int cycles = 400;
	struct leverd_cfg cfg;
	struct lever_dev *dev;
	struct rt *rt;
	uint64_t t0, waited_ns;
	int i;

	assert_int_equal(pipe2(pipe_fd, O_NONBLOCK), 0);
	lever_sys.open = fake_open;
	lever_sys.close = fake_close;
	lever_sys.ioctl = fake_ioctl;
	lever_sys.read = fake_read;
	cfg_defaults(&cfg);
	cfg.period_us = 250;
	assert_int_equal(lever_dev_open("/dev/lever0", &dev), 0);
	assert_int_equal(rt_new(&cfg, dev, false, &rt), 0);

	t0 = mono_ns();
	for (i = 0; i < cycles; i++)
		rt_cycle(rt);
	waited_ns = mono_ns() - t0;
	print_message("# %d cycles, %u waits, the shortest %lld us, %u of 0; %.1f ms in all (%d us period)\n",
		      cycles, polls, (long long)shortest_wait_ns / 1000,
		      zero_waits, waited_ns / 1e6, cfg.period_us);
	assert_int_equal(polls, cycles);
	assert_int_equal(zero_waits, 0);
	assert_true(shortest_wait_ns == 2 * cfg.period_us * 1000ll);
	/* and the waits were real: time only ever adds on a busy machine */
	assert_true(waited_ns >= cycles * 2ull * cfg.period_us * 900);

	rt_free(rt);
	lever_dev_close(dev);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_period_under_1_ms_waits_for_samples),
	};

	return cmocka_run_group_tests_name("leverd rt period", tests, NULL,
					   NULL);
}
