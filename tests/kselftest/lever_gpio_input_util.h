/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lever_gpio_input_util.h - what the gpio and input kselftests of lever.ko
 * share: driving the simulated board through the $LEVER_STIM adapter
 * (tests/gpioinput/stim-simd by default; see that script for its verbs)
 * and waiting for a condition without ever timing how fast it came.
 */
#ifndef LEVER_GPIO_INPUT_UTIL_H
#define LEVER_GPIO_INPUT_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* A bound against hangs, never a speed requirement. */
#define LEVER_TEST_WAIT_MS	10000

static inline int lever_stim(const char *fmt, ...)
{
	const char *stim = getenv("LEVER_STIM");
	char args[256], cmd[1024];
	va_list ap;
	int status;

	if (!stim || !*stim)
		stim = "tests/gpioinput/stim-simd";
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", stim, args);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "# stimulus failed (status %d): %s\n", status,
			cmd);
		return -1;
	}
	return 0;
}

static inline unsigned long long lever_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline void lever_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif /* LEVER_GPIO_INPUT_UTIL_H */
