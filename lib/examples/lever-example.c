// SPDX-License-Identifier: MIT
/*
 * lever-example.c - the example of Documentation/liblever.rst: open a
 * board (default: the simulated one), arm, ramp the belt to a walk with
 * some support, watch the samples through poll(), stop. It must stay
 * small, strict C99 and use only <lever/lever.h>.
 *
 *   lever-example [SPEC]      e.g. "sim:speed=1", "/dev/lever0"
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <lever/lever.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "lever-example: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "sim:speed=1";
	struct lever_dev_command cmd;
	struct lever_dev_sample s;
	struct lever_dev_info info;
	struct lever_dev *dev;
	struct pollfd pfd;
	int ret, n = 0;

	ret = lever_dev_open(spec, &dev);
	if (ret)
		return fail(spec, ret);
	ret = lever_dev_info(dev, &info);
	if (ret)
		goto out;
	printf("board %s on %s: fw %u.%u.%u, %u Hz, belt <= %d mm/s\n",
	       info.serial, info.node, info.fw_major, info.fw_minor,
	       info.fw_patch, info.sample_rate_hz, info.max_belt_speed_mm_s);

	/* the default is 50 ms; a busy demo machine needs some headroom */
	ret = lever_dev_set_watchdog(dev, 200);
	if (!ret)
		ret = lever_dev_arm(dev);
	if (ret)
		goto out;

	memset(&cmd, 0, sizeof(cmd));
	cmd.support_pressure_pa = 150000;	/* some lift */
	pfd.fd = lever_dev_fd(dev);
	pfd.events = POLLIN;
	/* 2 s at 1 kHz: ask for 1 m/s; the gate limits the acceleration */
	while (n < 2000) {
		cmd.belt_speed_mm_s = 1000;
		ret = lever_dev_command(dev, &cmd);	/* feeds the watchdog */
		if (ret)
			goto out;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		/* drain whatever arrived */
		while ((ret = lever_dev_try_read_sample(dev, &s)) == 0) {
			if (++n % 500 == 0)
				printf("t=%.3f s belt %d mm/s support %.1f N\n",
				       (double)s.board_time_ns / 1e9,
				       s.belt_speed_mm_s,
				       s.support_force_mn / 1000.0);
		}
		if (ret != -EAGAIN)
			goto out;
	}
	ret = lever_dev_stop(dev);	/* belt ramps down, support held */
out:
	if (ret)
		fail("board", ret);
	lever_dev_close(dev);		/* a still-armed handle stops too */
	return ret ? 1 : 0;
}
