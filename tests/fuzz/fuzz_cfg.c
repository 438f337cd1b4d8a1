// SPDX-License-Identifier: MIT
/*
 * fuzz_cfg: libFuzzer target for leverd's configuration file parser
 * (daemon/cfg.c). Whatever /etc/lever/leverd.conf holds, cfg_load_file()
 * returns 0 or a negative errno with one sentence, never crashes; what it
 * accepts is finite, and cfg_dump() of it reads back to the same values
 * (the "config file that round-trips" cfg.h promises). Bytes after a NUL
 * are command-line flags for cfg_load(), the file given with --config.
 */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_ARGS	16

/*
 * The file's text goes into a memfd made once per process (one for the
 * input, one for the round trip): the parser opens it by path, as it
 * opens leverd.conf, and gets a new file description each time, at
 * offset 0. A memfd and a FILE for /dev/null per input cost six
 * syscalls each time for nothing the parser sees.
 */
static int conf_fd = -1, dump_fd = -1;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	conf_fd = memfd_create("leverd.conf", MFD_CLOEXEC);
	dump_fd = memfd_create("leverd-dump.conf", MFD_CLOEXEC);
	devnull = fopen("/dev/null", "w");
	if (conf_fd < 0 || dump_fd < 0 || !devnull)
		abort();
	return 0;
}

static void file_of(int fd, const void *data, size_t size, char *path,
		    size_t len)
{
	if (ftruncate(fd, 0) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
}

static char *dump_of(const struct leverd_cfg *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	cfg_dump(c, f);
	fclose(f);
	return buf;
}

/* What was accepted must be usable: finite numbers, terminated strings. */
static void check_sane(const struct leverd_cfg *c)
{
	const double d[] = {
		c->stop_decel_m_s2, c->comfort_accel_m_s2, c->jerk_m_s3,
		c->support_rate_pct_bw_s, c->release_rate_pct_bw_s,
		c->support_over_target_pct_bw, c->max_belt_speed_km_h,
		c->overspeed_margin_km_h, c->plausibility_tol_n,
		c->max_support_force_n, c->setpoint_ramp_s, c->law_kp,
		c->law_ki_1_s, c->speed_factor, c->sim_faults_per_min,
		c->sim_duration_s,
	};
	const char *s[] = {
		c->law, c->transport, c->socket, c->gpio_chip,
		c->gpio_estop_line, c->gpio_key_line, c->input_device,
		c->keymap, c->trace, c->plans_dir, c->state_dir,
	};
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (!isfinite(d[i]) || d[i] < 0)
			abort();
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (!memchr(s[i], '\0', CFG_STR_MAX))
			abort();
	if (c->kernel_watchdog_ms <= 0 || c->board_watchdog_ms <= 0 ||
	    c->stale_samples <= 0 || c->period_us <= 0)
		abort();
	/* an index cfg_dump() and leverd can name */
	if (c->gpio_estop_bias < CFG_GPIO_BIAS_AS_IS ||
	    c->gpio_estop_bias > CFG_GPIO_BIAS_DISABLE)
		abort();
	if (c->gpio_key_bias < CFG_GPIO_BIAS_AS_IS ||
	    c->gpio_key_bias > CFG_GPIO_BIAS_DISABLE)
		abort();
}

/* dump -> load -> dump gives the same text. */
static void check_round_trip(const struct leverd_cfg *c)
{
	struct leverd_cfg again;
	char path[64], err[512];
	char *one, *two;
	size_t n1, n2;

	one = dump_of(c, &n1);
	file_of(dump_fd, one, n1, path, sizeof(path));
	cfg_defaults(&again);
	if (cfg_load_file(&again, path, err, sizeof(err))) {
		fprintf(stderr, "dump does not load: %s\n%s", err, one);
		abort();
	}
	two = dump_of(&again, &n2);
	if (n1 != n2 || memcmp(one, two, n1)) {
		fprintf(stderr, "dump changed:\n%s---\n%s", one, two);
		abort();
	}
	free(one);
	free(two);
}

/*
 * A parse error is -EINVAL or -ENOENT; with @any_errno (a --config PATH
 * from the flags) any errno open() gives is the header's contract too.
 */
static void check_err(int ret, const char *err, bool any_errno)
{
	if (ret != -EINVAL && ret != -ENOENT && !(any_errno && ret < 0))
		abort();
	if (!err[0] || !memchr(err, '\0', 512))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t file_len = nul ? (size_t)(nul - data) : size;
	char *argv[MAX_ARGS + 3], *flags = NULL;
	char path[64], arg[80], err[512];
	struct leverd_cfg c;
	int argc = 0, ret;

	file_of(conf_fd, data, file_len, path, sizeof(path));
	err[0] = '\0';
	cfg_defaults(&c);
	ret = cfg_load_file(&c, path, err, sizeof(err));
	if (ret) {
		check_err(ret, err, false);
	} else {
		check_sane(&c);
		check_round_trip(&c);
	}

	/* NUL-separated flags after the file, as leverd's argv */
	if (nul) {
		size_t rest = size - file_len - 1;
		char *p;

		flags = malloc(rest + 1);
		if (!flags)
			abort();
		memcpy(flags, nul + 1, rest);
		flags[rest] = '\0';
		argv[argc++] = "leverd";
		snprintf(arg, sizeof(arg), "--config=%s", path);
		argv[argc++] = arg;
		for (p = flags; p < flags + rest && argc < MAX_ARGS + 2;
		     p += strlen(p) + 1)
			argv[argc++] = p;
		argv[argc] = NULL;
		err[0] = '\0';
		ret = cfg_load(&c, argc, argv, devnull, err, sizeof(err));
		if (ret < 0) {
			check_err(ret, err, true);
		} else if (ret == 0) {
			check_sane(&c);
			check_round_trip(&c);
		}
		free(flags);
	}
	return 0;
}
