// SPDX-License-Identifier: MIT
/*
 * sin.c - leverd's safety inputs: the GPIO e-stop and safety-key lines and
 * the pendant's stop and pain keys, read in a thread of their own and
 * handed straight to the RT side (Documentation/safety.rst, rule 12). The
 * event loop commits to disk, resolves names and serves clients; none of
 * that may delay a stop. This thread never logs, allocates after start-up
 * or waits on anything but its inputs; what the event loop needs to know
 * (line changes for the records, other keys) goes through a ring.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "control/ring.h"
#include "sin.h"
#include "control/sup.h"

struct sin {
	struct rt *rt;
	struct lever_gpio *gpio;
	struct lever_keys *keys;
	int stop_code, pain_code;
	struct ring *to_loop;
	int wake_fd;		/* event loop: items waiting */
	int quit_fd;		/* this thread: stop */
	unsigned int lines;
	pthread_t thread;
	bool started;
};

static void sin_wake(struct sin *s)
{
	uint64_t one = 1;

	if (write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* a full counter still wakes the event loop */
	}
}

static void sin_post(struct sin *s, unsigned int keys)
{
	struct rt_msg m = { .type = RT_MSG_EXTERNAL };

	m.lines = s->lines;
	m.keys = keys;
	rt_post_input(s->rt, &m);
}

static void sin_gpio(struct sin *s)
{
	struct lever_gpio_event ev;
	struct sin_item it = { .type = SIN_LINES };
	int v0 = 0, v1 = 0;

	while (lever_gpio_read_event(s->gpio, &ev) == 0)
		;
	lever_gpio_get_value(s->gpio, 0, &v0);
	lever_gpio_get_value(s->gpio, 1, &v1);
	s->lines = (v0 ? LEVER_DEV_LINE_ESTOP : 0) |
		   (v1 ? LEVER_DEV_LINE_SAFETY_KEY : 0);
	sin_post(s, 0);
	it.lines = s->lines;
	if (!ring_push(s->to_loop, &it))
		sin_wake(s);
}

static void sin_keys(struct sin *s)
{
	struct lever_keys_event ev;
	struct sin_item it = { .type = SIN_KEY };

	while (lever_keys_read_event(s->keys, &ev) == 0) {
		if (ev.value != 1)
			continue;
		/* the RT side first; the event loop learns after */
		if ((int)ev.code == s->stop_code)
			sin_post(s, SUP_F_OPERATOR_STOP);
		else if ((int)ev.code == s->pain_code)
			sin_post(s, SUP_F_PAIN);
		it.code = ev.code;
		if (!ring_push(s->to_loop, &it))
			sin_wake(s);
	}
}

static void *sin_main(void *arg)
{
	struct sin *s = arg;
	struct pollfd fds[3];
	uint64_t v;

	fds[0].fd = s->quit_fd;
	fds[1].fd = s->gpio ? lever_gpio_fd(s->gpio) : -1;
	fds[2].fd = s->keys ? lever_keys_fd(s->keys) : -1;
	for (;;) {
		fds[0].events = fds[1].events = fds[2].events = POLLIN;
		fds[0].revents = fds[1].revents = fds[2].revents = 0;
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (fds[0].revents && read(s->quit_fd, &v, sizeof(v)) > 0)
			break;
		if (fds[1].revents)
			sin_gpio(s);
		if (fds[2].revents)
			sin_keys(s);
	}
	return NULL;
}

int sin_start(struct rt *rt, struct lever_gpio *gpio, struct lever_keys *keys,
	      int stop_code, int pain_code, int prio, struct sin **out)
{
	struct sched_param sp = { .sched_priority = prio };
	pthread_attr_t attr;
	struct sin *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rt = rt;
	s->gpio = gpio;
	s->keys = keys;
	s->stop_code = stop_code;
	s->pain_code = pain_code;
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->quit_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ret = ring_new(sizeof(struct sin_item), 256, &s->to_loop);
	if (ret || s->wake_fd < 0 || s->quit_fd < 0) {
		ret = ret ? ret : -errno;
		goto err;
	}
	/* the lines as they are now, before any edge */
	if (gpio)
		sin_gpio(s);
	pthread_attr_init(&attr);
	if (prio > 0) {
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
	}
	ret = -pthread_create(&s->thread, &attr, sin_main, s);
	if (ret == -EPERM && prio > 0) {
		/* not real-time here (the sim): still apart from the loop */
		pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
		ret = -pthread_create(&s->thread, &attr, sin_main, s);
	}
	pthread_attr_destroy(&attr);
	if (ret)
		goto err;
	s->started = true;
	*out = s;
	return 0;
err:
	ring_free(s->to_loop);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->quit_fd >= 0)
		close(s->quit_fd);
	free(s);
	return ret;
}

void sin_stop(struct sin *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (s->started && write(s->quit_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(s->thread, NULL);
	ring_free(s->to_loop);
	close(s->wake_fd);
	close(s->quit_fd);
	free(s);
}

int sin_fd(const struct sin *s)
{
	return s->wake_fd;
}

int sin_next(struct sin *s, struct sin_item *it)
{
	uint64_t v;

	if (ring_pop(s->to_loop, it) == 0)
		return 0;
	/* empty: clear the wake-up, then look once more (a push between) */
	if (read(s->wake_fd, &v, sizeof(v)) < 0) {
		/* nothing to clear */
	}
	return ring_pop(s->to_loop, it);
}
