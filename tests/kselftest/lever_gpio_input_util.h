/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lever_gpio_input_util.h - what the gpio and input kselftests of lever.ko
 * share: driving the simulated board through the $LEVER_STIM adapter
 * (tests/gpioinput/stim-simd by default; see that script for its verbs)
 * and waiting for a condition without ever timing how fast it came.
 * Fixtures plug a board if none is there and leave every line and button
 * released; only the tests about unplugging unplug it.
 */
#ifndef LEVER_GPIO_INPUT_UTIL_H
#define LEVER_GPIO_INPUT_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Bounds against hangs, never speed requirements: the VM is emulated and
 * shares two host cores with everything else.
 */
#define LEVER_TEST_WAIT_MS	20000
#define LEVER_TEST_TIMEOUT_S	180

/* Records read from /dev/leverN in one go: the driver's ring per file. */
#define LEVER_TEST_RECORDS	1024

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define TEST_F_VM(fixture, name) \
	TEST_F_TIMEOUT(fixture, name, LEVER_TEST_TIMEOUT_S)

/*
 * One command on lever-simd's control socket (Documentation/hardware/
 * lever-simd.rst): 0 when it answers "ok", -1 otherwise. Talking to the
 * socket directly keeps a stimulus to one round trip, not two programs
 * started in an emulated machine.
 */
static inline int lever_simd_command(const char *cmd)
{
	const char *path = getenv("LEVER_STIM_SOCK");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[256];
	size_t len = 0;
	int fd, ret = -1;
	char c;

	if (!path || !*path)
		path = "/run/lever-stim/simd.sock";
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    dprintf(fd, "%s\n", cmd) < 0)
		goto out;
	/* key=value lines, then "ok" or "error: <reason>" */
	while (read(fd, &c, 1) == 1) {
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (!strcmp(line, "ok")) {
			ret = 0;
			break;
		}
		if (!strncmp(line, "error:", 6)) {
			fprintf(stderr, "# lever-simd: %s: %s\n", cmd, line);
			break;
		}
	}
out:
	if (ret)
		fprintf(stderr, "# lever-simd command failed: %s\n", cmd);
	close(fd);
	return ret;
}

/* "line NAME 0|1" and "button NAME 0|1" in lever-simd's words. */
static inline int lever_simd_stim(const char *args)
{
	static const struct {
		const char *name, *on, *off;
	} lines[] = {
		{ "estop", "estop press", "estop release" },
		{ "safety-key", "key pull", "key insert" },
		{ "harness", "harness clip", "harness unclip" },
	};
	char verb[16], name[32], cmd[64];
	unsigned int i;
	int value;

	if (sscanf(args, "%15s %31s %d", verb, name, &value) != 3 ||
	    (value != 0 && value != 1))
		return 1;
	if (!strcmp(verb, "button")) {
		snprintf(cmd, sizeof(cmd), "button %s %s", name,
			 value ? "press" : "release");
		return lever_simd_command(cmd);
	}
	if (strcmp(verb, "line"))
		return 1;
	for (i = 0; i < ARRAY_SIZE(lines); i++)
		if (!strcmp(name, lines[i].name))
			return lever_simd_command(value ? lines[i].on :
						  lines[i].off);
	return 1;
}

/*
 * A stimulus in the adapter's words ("plug", "unplug", "line estop 1",
 * "button pain 0"). Lines and buttons go straight to lever-simd's socket
 * unless $LEVER_STIM names another adapter; the rest runs the adapter.
 */
static inline int lever_stim(const char *fmt, ...)
{
	const char *stim = getenv("LEVER_STIM");
	char args[256], cmd[1024];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (!stim || !*stim) {
		/* probe registers the chip and console before /dev/lever0 */
		if (!strcmp(args, "plug") &&
		    !access("/sys/class/lever/lever0", F_OK))
			return 0;
		status = lever_simd_stim(args);
		if (status <= 0)
			return status;
		stim = "tests/gpioinput/stim-simd";
	}
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
