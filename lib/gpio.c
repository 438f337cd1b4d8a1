// SPDX-License-Identifier: MIT
/*
 * gpio.c - liblever's safety-line watcher over libgpiod: named lines of a
 * chip found by its label, edge events on one pollable fd. It only reads
 * lines, with the bias and active level asked for (a switch on a bare
 * header pin); it must never request a line as an output. libgpiod 1.6
 * (Debian 12) and 2.x have different APIs; the difference stays here.
 * Only the 1.x branch has been built and run here (Debian 12 ships 1.6).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <gpiod.h>

#include "lever_priv.h"

/*
 * libgpiod has no version macro; the build passes the major version from
 * pkg-config. Without it, a 1.x-only macro tells the two apart.
 */
#ifndef LEVER_GPIOD_MAJOR
#ifdef GPIOD_LINE_BULK_MAX_LINES
#define LEVER_GPIOD_MAJOR 1
#else
#define LEVER_GPIOD_MAJOR 2
#endif
#endif

#define LEVER_GPIO_MAX_LINES	64

struct lever_gpio {
	struct gpiod_chip *chip;
	unsigned int n;
	unsigned int offsets[LEVER_GPIO_MAX_LINES];
#if LEVER_GPIOD_MAJOR >= 2
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *buf;
	unsigned int buf_count, buf_next;
#else
	struct gpiod_line *lines[LEVER_GPIO_MAX_LINES];
	int epfd;			/* one fd over each line's event fd */
	unsigned int next_line;		/* round robin, so no line starves */
#endif
};

static int lever_gpio_errno(void)
{
	return errno ? -errno : -EIO;
}

#if LEVER_GPIOD_MAJOR >= 2

/* libgpiod 2.x: one request, one fd for all lines. */

static bool lever_gpio_chip_is(struct gpiod_chip *chip, const char *label)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
	bool match = info && !strcmp(gpiod_chip_info_get_label(info), label);

	if (info)
		gpiod_chip_info_free(info);
	return match;
}

static const enum gpiod_line_bias lever_gpio_bias_v2[] = {
	[LEVER_GPIO_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
	[LEVER_GPIO_BIAS_DISABLE] = GPIOD_LINE_BIAS_DISABLED,
	[LEVER_GPIO_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
	[LEVER_GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
};

static int lever_gpio_request(struct lever_gpio *g,
			      const char *const *names,
			      const uint32_t *flags, const char *consumer)
{
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < g->n; i++) {
		int off = gpiod_chip_get_line_offset_from_name(g->chip,
							       names[i]);

		if (off < 0)
			return -ENOENT;
		g->offsets[i] = (unsigned int)off;
	}
	ls = gpiod_line_settings_new();
	lc = gpiod_line_config_new();
	rc = gpiod_request_config_new();
	g->buf = gpiod_edge_event_buffer_new(g->n * 4);
	if (!ls || !lc || !rc || !g->buf) {
		ret = -ENOMEM;
		goto out;
	}
	gpiod_request_config_set_consumer(rc, consumer);
	/* one settings object, filled in anew for each line's flags */
	for (i = 0; i < g->n; i++) {
		uint32_t f = flags ? flags[i] : 0;

		gpiod_line_settings_reset(ls);
		gpiod_line_settings_set_direction(ls,
						  GPIOD_LINE_DIRECTION_INPUT);
		gpiod_line_settings_set_edge_detection(ls,
						       GPIOD_LINE_EDGE_BOTH);
		gpiod_line_settings_set_event_clock(ls,
						    GPIOD_LINE_CLOCK_MONOTONIC);
		gpiod_line_settings_set_bias(ls,
			lever_gpio_bias_v2[f & LEVER_GPIO_BIAS_MASK]);
		gpiod_line_settings_set_active_low(ls,
					f & LEVER_GPIO_ACTIVE_LOW);
		errno = 0;
		if (gpiod_line_config_add_line_settings(lc, &g->offsets[i], 1,
							ls)) {
			ret = lever_gpio_errno();
			goto out;
		}
	}
	errno = 0;
	g->req = gpiod_chip_request_lines(g->chip, rc, lc);
	if (!g->req)
		ret = lever_gpio_errno();
out:
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	return ret;
}

static void lever_gpio_release(struct lever_gpio *g)
{
	if (g->req)
		gpiod_line_request_release(g->req);
	if (g->buf)
		gpiod_edge_event_buffer_free(g->buf);
}

LEVER_API int lever_gpio_fd(struct lever_gpio *g)
{
	if (!g)
		return -EINVAL;
	return gpiod_line_request_get_fd(g->req);
}

LEVER_API int lever_gpio_read_event(struct lever_gpio *g,
				    struct lever_gpio_event *ev)
{
	struct gpiod_edge_event *e;
	unsigned int off, i;
	int ret;

	if (!g || !ev)
		return -EINVAL;
	if (g->buf_next >= g->buf_count) {
		errno = 0;
		ret = gpiod_line_request_wait_edge_events(g->req, 0);
		if (ret < 0)
			return lever_gpio_errno();
		if (ret == 0)
			return -EAGAIN;
		errno = 0;
		ret = gpiod_line_request_read_edge_events(g->req, g->buf,
							  g->n * 4);
		if (ret < 0)
			return lever_gpio_errno();
		g->buf_count = (unsigned int)ret;
		g->buf_next = 0;
		if (!ret)
			return -EAGAIN;
	}
	e = gpiod_edge_event_buffer_get_event(g->buf, g->buf_next++);
	memset(ev, 0, sizeof(*ev));
	off = gpiod_edge_event_get_line_offset(e);
	for (i = 0; i < g->n; i++)
		if (g->offsets[i] == off)
			ev->line = i;
	ev->edge = gpiod_edge_event_get_event_type(e) ==
		   GPIOD_EDGE_EVENT_RISING_EDGE ?
		   LEVER_GPIO_EDGE_RISING : LEVER_GPIO_EDGE_FALLING;
	ev->timestamp_ns = gpiod_edge_event_get_timestamp_ns(e);
	return 0;
}

LEVER_API int lever_gpio_get_value(struct lever_gpio *g, unsigned int line,
				   int *value)
{
	int v;

	if (!g || !value || line >= g->n)
		return -EINVAL;
	errno = 0;
	v = gpiod_line_request_get_value(g->req, g->offsets[line]);
	if (v < 0)
		return lever_gpio_errno();
	*value = v == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

#else /* libgpiod 1.x */

static bool lever_gpio_chip_is(struct gpiod_chip *chip, const char *label)
{
	return !strcmp(gpiod_chip_label(chip), label);
}

int lever_gpio_flags_v1(uint32_t line_flags)
{
	static const int bias[] = {
		[LEVER_GPIO_BIAS_AS_IS] = 0,
		[LEVER_GPIO_BIAS_DISABLE] =
			GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE,
		[LEVER_GPIO_BIAS_PULL_UP] =
			GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP,
		[LEVER_GPIO_BIAS_PULL_DOWN] =
			GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN,
	};

	if (lever_gpio_flags_check(line_flags))
		return -EINVAL;
	return bias[line_flags & LEVER_GPIO_BIAS_MASK] |
	       (line_flags & LEVER_GPIO_ACTIVE_LOW ?
		GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0);
}

static int lever_gpio_request(struct lever_gpio *g,
			      const char *const *names,
			      const uint32_t *flags, const char *consumer)
{
	unsigned int i;

	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g->epfd < 0)
		return lever_gpio_errno();
	for (i = 0; i < g->n; i++) {
		struct epoll_event ee = { .events = EPOLLIN };

		errno = 0;
		g->lines[i] = gpiod_chip_find_line(g->chip, names[i]);
		if (!g->lines[i])
			return -ENOENT;
		g->offsets[i] = gpiod_line_offset(g->lines[i]);
		errno = 0;
		/* flags were checked by lever_gpio_watch_flags() */
		if (gpiod_line_request_both_edges_events_flags(g->lines[i],
				consumer,
				lever_gpio_flags_v1(flags ? flags[i] : 0))) {
			int ret = lever_gpio_errno();

			g->lines[i] = NULL;
			return ret;
		}
		ee.data.u32 = i;
		if (epoll_ctl(g->epfd, EPOLL_CTL_ADD,
			      gpiod_line_event_get_fd(g->lines[i]), &ee))
			return lever_gpio_errno();
	}
	return 0;
}

static void lever_gpio_release(struct lever_gpio *g)
{
	unsigned int i;

	for (i = 0; i < g->n; i++)
		if (g->lines[i])
			gpiod_line_release(g->lines[i]);
	if (g->epfd >= 0)
		close(g->epfd);
}

LEVER_API int lever_gpio_fd(struct lever_gpio *g)
{
	if (!g)
		return -EINVAL;
	return g->epfd;
}

LEVER_API int lever_gpio_read_event(struct lever_gpio *g,
				    struct lever_gpio_event *ev)
{
	const struct timespec zero = { 0, 0 };
	unsigned int k;

	if (!g || !ev)
		return -EINVAL;
	for (k = 0; k < g->n; k++) {
		unsigned int i = (g->next_line + k) % g->n;
		struct gpiod_line_event le;
		int ret;

		errno = 0;
		ret = gpiod_line_event_wait(g->lines[i], &zero);
		if (ret < 0)
			return lever_gpio_errno();
		if (ret == 0)
			continue;
		errno = 0;
		if (gpiod_line_event_read(g->lines[i], &le))
			return lever_gpio_errno();
		memset(ev, 0, sizeof(*ev));
		ev->line = i;
		ev->edge = le.event_type == GPIOD_LINE_EVENT_RISING_EDGE ?
			   LEVER_GPIO_EDGE_RISING : LEVER_GPIO_EDGE_FALLING;
		ev->timestamp_ns = (uint64_t)le.ts.tv_sec * 1000000000ull +
				   (uint64_t)le.ts.tv_nsec;
		g->next_line = i + 1;
		return 0;
	}
	return -EAGAIN;
}

LEVER_API int lever_gpio_get_value(struct lever_gpio *g, unsigned int line,
				   int *value)
{
	int v;

	if (!g || !value || line >= g->n)
		return -EINVAL;
	errno = 0;
	v = gpiod_line_get_value(g->lines[line]);
	if (v < 0)
		return lever_gpio_errno();
	*value = v;
	return 0;
}

#endif /* LEVER_GPIOD_MAJOR */

int lever_gpio_flags_check(uint32_t line_flags)
{
	return line_flags & ~(uint32_t)(LEVER_GPIO_BIAS_MASK |
					LEVER_GPIO_ACTIVE_LOW) ? -EINVAL : 0;
}

LEVER_API void lever_gpio_close(struct lever_gpio *g)
{
	if (!g)
		return;
	lever_gpio_release(g);
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
}

/*
 * The chip with this label, among those this process may open: leverd
 * runs as user lever, which may open the lever-safety chip (udev gives it
 * to group lever) but not the machine's own chips. libgpiod 1.x's
 * gpiod_chip_open_by_label() gives up at the first chip it cannot open.
 */
static struct gpiod_chip *lever_gpio_open_chip(const char *label)
{
	struct dirent *de;
	DIR *d = opendir("/dev");

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		struct gpiod_chip *chip;
		char path[300];

		if (strncmp(de->d_name, "gpiochip", 8))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		chip = gpiod_chip_open(path);
		if (!chip)
			continue;
		if (lever_gpio_chip_is(chip, label)) {
			closedir(d);
			return chip;
		}
		gpiod_chip_close(chip);
	}
	closedir(d);
	errno = ENOENT;
	return NULL;
}

LEVER_API int lever_gpio_watch_flags(const char *chip_label,
				     const char *const *line_names,
				     const uint32_t *line_flags,
				     unsigned int n_lines,
				     const char *consumer,
				     struct lever_gpio **out)
{
	struct lever_gpio *g;
	unsigned int i;
	int ret;

	if (!chip_label || !*chip_label || !line_names || !out ||
	    n_lines == 0 || n_lines > LEVER_GPIO_MAX_LINES)
		return -EINVAL;
	for (i = 0; i < n_lines; i++)
		if (!line_names[i] || !*line_names[i] ||
		    (line_flags && lever_gpio_flags_check(line_flags[i])))
			return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
#if LEVER_GPIOD_MAJOR < 2
	g->epfd = -1;
#endif
	g->n = n_lines;
	errno = 0;
	g->chip = lever_gpio_open_chip(chip_label);
	if (!g->chip) {
		ret = errno == ENOENT || !errno ? -ENOENT : -errno;
		free(g);
		return ret;
	}
	ret = lever_gpio_request(g, line_names, line_flags,
				 consumer ? consumer : "liblever");
	if (ret) {
		lever_gpio_close(g);
		return ret;
	}
	*out = g;
	return 0;
}

LEVER_API int lever_gpio_watch(const char *chip_label,
			       const char *const *line_names,
			       unsigned int n_lines, const char *consumer,
			       struct lever_gpio **out)
{
	return lever_gpio_watch_flags(chip_label, line_names, NULL, n_lines,
				      consumer, out);
}
