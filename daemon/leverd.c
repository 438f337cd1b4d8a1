// SPDX-License-Identifier: MIT
/*
 * leverd.c - the daemon: start-up in order (configuration, real-time
 * limits, mlockall, RT thread), then one poll() loop over the control
 * socket, the GPIO and key watchers, a timer and signals; what each tick,
 * request and key does is dmn.c. The event loop never commands the
 * device; only the RT thread does. Signal handlers do not exist: signals
 * arrive through signalfd.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "dmn.h"

/*
 * Stepped (virtual time), the sockets, signals and keys are looked at
 * once per this much wall time, not on every 10 ms tick of simulated
 * time: at thousands of times real time a poll() per tick was a sixth of
 * the run, and a client still waits no longer than a fraction of the
 * real-time daemon's tick.
 */
#define STEPPED_POLL_NS		250000ull

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

/*
 * What the safety inputs thread saw, for the log and the other keys: the
 * stop and pain keys and the lines reached the RT side already.
 */
static void d_inputs(struct leverd *d, uint64_t now)
{
	struct sin_item it;
	int a;

	while (sin_next(d->sin, &it) == 0) {
		if (it.type == SIN_LINES) {
			d->gpio_lines = it.lines;
			dmn_logmsg("gpio: e-stop %s, safety key %s",
				   it.lines & LEVER_DEV_LINE_ESTOP ?
				   "active" : "released",
				   it.lines & LEVER_DEV_LINE_SAFETY_KEY ?
				   "pulled" : "in");
			continue;
		}
		for (a = 0; a < KEY_ACT_COUNT; a++) {
			if (d->keycode[a] != (int)it.code)
				continue;
			if (a == KEY_ACT_STOP || a == KEY_ACT_PAIN)
				dmn_logmsg("key: %s (acted on)",
					   a == KEY_ACT_STOP ? "stop" : "pain");
			else
				dmn_key_action(d, a, now);
		}
	}
}

static int d_open_transport(struct leverd *d, char *err, size_t len)
{
	char spec[CFG_STR_MAX + 64];
	double sf = d->cfg.speed_factor;
	int ret;

	d->sim = !strncmp(d->cfg.transport, "sim:", 4);
	if (d->sim && !strcmp(d->cfg.transport, "sim:")) {
		if (sf > 0 && (sf < 1 || sf != floor(sf))) {
			snprintf(err, len,
				 "speed_factor = %g: the sim transport runs at 0 (as fast as possible) or a whole multiple of real time",
				 sf);
			return -EINVAL;
		}
		snprintf(spec, sizeof(spec), "sim:seed=%d,speed=%u",
			 d->cfg.seed, (unsigned int)sf);
		d->stepped = sf == 0;
	} else {
		snprintf(spec, sizeof(spec), "%s", d->cfg.transport);
		d->stepped = d->sim && (strstr(spec, "speed=0") ||
					!strstr(spec, "speed="));
	}
	ret = lever_dev_open(spec, &d->dev);
	if (ret) {
		snprintf(err, len, "cannot open transport %s: %s%s", spec,
			 strerror(-ret), ret == -EACCES ?
			 " (run as root or as a member of group lever)" :
			 ret == -ENOENT && !d->sim ?
			 " (is lever.ko loaded and the board plugged in?)" :
			 "");
		return ret;
	}
	ret = lever_dev_info(d->dev, &d->info);
	if (!ret && d->info.board_watchdog_ms > (uint32_t)d->cfg.board_watchdog_ms) {
		/* a board that waits longer than we allow is not safe here */
		snprintf(err, len,
			 "the board's command watchdog is %u ms, longer than board_watchdog_ms = %d; set the board's watchdog or raise the item (20..1000 ms)",
			 d->info.board_watchdog_ms, d->cfg.board_watchdog_ms);
		return -EINVAL;
	}
	if (!ret && d->info.sample_rate_hz &&
	    1000000 / d->info.sample_rate_hz != (uint32_t)d->cfg.period_us) {
		/* one cycle per sample: the board's rate sets the period */
		uint32_t p = 1000000 / d->info.sample_rate_hz;

		if (p < 250 || p > 10000) {
			snprintf(err, len,
				 "the board samples at %u Hz; leverd runs 100..4000 Hz",
				 d->info.sample_rate_hz);
			return -EINVAL;
		}
		dmn_logmsg("period %u us, from the board's %u Hz (period_us was %d)",
		       p, d->info.sample_rate_hz, d->cfg.period_us);
		d->cfg.period_us = (int)p;
	}
	if (!ret)
		ret = lever_dev_set_watchdog(d->dev, d->cfg.kernel_watchdog_ms);
	if (ret) {
		snprintf(err, len, "%s: %s", spec, strerror(-ret));
		return ret;
	}
	return 0;
}

/* a line's gpio_*_bias and _active_low as liblever's line flags */
static uint32_t d_line_flags(int cfg_bias, bool active_low)
{
	static const uint32_t bias[] = {
		[CFG_GPIO_BIAS_AS_IS] = LEVER_GPIO_BIAS_AS_IS,
		[CFG_GPIO_BIAS_PULL_UP] = LEVER_GPIO_BIAS_PULL_UP,
		[CFG_GPIO_BIAS_PULL_DOWN] = LEVER_GPIO_BIAS_PULL_DOWN,
		[CFG_GPIO_BIAS_DISABLE] = LEVER_GPIO_BIAS_DISABLE,
	};

	return bias[cfg_bias] | (active_low ? LEVER_GPIO_ACTIVE_LOW : 0);
}

static void d_watchers(struct leverd *d)
{
	const char *names[2] = { d->cfg.gpio_estop_line,
				 d->cfg.gpio_key_line };
	const uint32_t flags[2] = {
		d_line_flags(d->cfg.gpio_estop_bias,
			     d->cfg.gpio_estop_active_low),
		d_line_flags(d->cfg.gpio_key_bias, d->cfg.gpio_key_active_low),
	};
	int ret;

	ret = lever_gpio_watch_flags(d->cfg.gpio_chip, names, flags, 2,
				     "leverd", &d->gpio);
	if (ret) {
		d->gpio = NULL;
		dmn_logmsg("no GPIO safety lines (chip '%s': %s); the board's own lines still count",
		       d->cfg.gpio_chip, strerror(-ret));
	}
	if (d->cfg.input_device[0]) {
		ret = lever_keys_watch(d->cfg.input_device, &d->keys);
		if (ret) {
			d->keys = NULL;
			dmn_logmsg("no pendant keys (%s: %s)",
			       d->cfg.input_device, strerror(-ret));
		}
	}
	if (!d->gpio && !d->keys)
		return;
	/* just under the RT thread: a stop key is never behind the loop */
	ret = sin_start(d->rt, d->gpio, d->keys, d->keycode[KEY_ACT_STOP],
			d->keycode[KEY_ACT_PAIN], rt_priority(d->rt) > 1 ?
			rt_priority(d->rt) - 1 : 0, &d->sin);
	if (ret) {
		/* without it leverd must not run: a key would wait on disk */
		dmn_logmsg("cannot start the safety inputs thread: %s",
			   strerror(-ret));
		d->quit = true;
	}
}

static int d_signals(struct leverd *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sig_fd < 0 ? -errno : 0;
}

static void d_poll_once(struct leverd *d, int timeout_ms)
{
	struct pollfd fds[CTL_MAX_CLIENTS + 8];
	int n = 0, base, got, i;
	struct signalfd_siginfo si;
	uint64_t ticks;

	fds[n].fd = d->sig_fd;
	fds[n++].events = POLLIN;
	fds[n].fd = d->timer_fd;
	fds[n++].events = POLLIN;
	fds[n].fd = d->sin ? sin_fd(d->sin) : -1;
	fds[n++].events = POLLIN;
	base = n;
	n += ctl_pollfds(d->ctl, fds + n, CTL_MAX_CLIENTS + 8 - n);
	for (i = 0; i < n; i++)
		fds[i].revents = 0;
	/* requests left from the last round: serve them without sleeping */
	got = poll(fds, n, ctl_pending(d->ctl) ? 0 : timeout_ms);
	if (got < 0)
		return;
	if (fds[0].revents &&
	    read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		char cause[32];

		if (si.ssi_signo == SIGHUP) {
			/* a reload request never stops a runner mid-session */
			dmn_logmsg("SIGHUP: ignored; restart leverd to read a new configuration");
			goto signal_done;
		}

		dmn_logmsg("signal %u: stopping", si.ssi_signo);
		snprintf(cause, sizeof(cause), "signal %s",
			 si.ssi_signo == SIGINT ? "SIGINT" :
			 si.ssi_signo == SIGTERM ? "SIGTERM" : "?");
		sess_event(d->sess, dmn_now(d), "stop", cause,
			   "leverd exits; the device's gate stops the belt");
		d->quit = true;
	}
signal_done:
	if (fds[1].revents && read(d->timer_fd, &ticks, sizeof(ticks)) > 0) {
		dmn_tick(d);
		ctl_expire(d->ctl, mono_ms());
	}
	if (fds[2].revents)
		d_inputs(d, dmn_now(d));
	ctl_handle(d->ctl, fds + base, n - base);
}

int main(int argc, char **argv)
{
	struct itimerspec its = { { 0, TICK_MS * 1000000 },
				  { 0, TICK_MS * 1000000 } };
	struct leverd d;
	char err[512];
	uint64_t end_ns = 0, polled_ns = 0, wall_ns;
	int ret, i, per_tick;

	memset(&d, 0, sizeof(d));
	d.trace_hash = TRACE_HASH_INIT;
	ret = cfg_load(&d.cfg, argc, argv, stdout, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		return 2;
	}
	if (dmn_parse_keymap(&d, err, sizeof(err))) {
		fprintf(stderr, "leverd: %s\n", err);
		return 2;
	}
	if (d_signals(&d)) {
		perror("leverd: signalfd");
		return 1;
	}
	ret = d_open_transport(&d, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		return 1;
	}
	ret = rt_new(&d.cfg, d.dev, d.stepped, &d.rt);
	if (ret) {
		fprintf(stderr, "leverd: control loop: %s\n", strerror(-ret));
		goto out_dev;
	}
	if (!d.stepped) {
		/* SCHED_FIFO allowed? then lock memory, then the thread */
		ret = rt_clamp_priority(d.cfg.rt_priority, err, sizeof(err));
		if (ret < 0 && !d.sim) {
			fprintf(stderr, "leverd: %s\n", err);
			goto out_rt;
		}
		if (mlockall(MCL_CURRENT | MCL_FUTURE) && !d.sim) {
			fprintf(stderr, "leverd: mlockall: %s (needs root or CAP_IPC_LOCK)\n",
				strerror(errno));
			ret = -errno;
			goto out_rt;
		}
		ret = rt_start(d.rt, err, sizeof(err));
		if (ret && !d.sim) {
			fprintf(stderr, "leverd: %s\n", err);
			goto out_rt;
		}
		if (ret) {
			/* sim only: the plant does not need hard real time */
			dmn_logmsg("%s; the sim runs without SCHED_FIFO", err);
			d.cfg.rt_priority = 1;
			ret = rt_start_unscheduled(d.rt, err, sizeof(err));
			if (ret) {
				fprintf(stderr, "leverd: %s\n", err);
				goto out_rt;
			}
		}
	}
	ret = sess_open(&d.sess, d.cfg.plans_dir, d.cfg.state_dir);
	if (ret) {
		fprintf(stderr, "leverd: sessions (plans %s, records %s): %s\n",
			d.cfg.plans_dir, d.cfg.state_dir, strerror(-ret));
		goto out_rt;
	}
	sess_set_mass_max_age(d.sess, (unsigned int)d.cfg.mass_max_age_days);
	ret = ctl_open(d.cfg.socket, dmn_request, &d, &d.ctl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		goto out_sess;
	}
	/* without a recorder the sessions and events are still recorded */
	ret = rec_new(d.cfg.state_dir, REC_RING_RECORDS, &d.rec);
	if (!ret)
		ret = rec_start(d.rec, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", strerror(-ret));
	if (ret) {
		dmn_logmsg("no session traces (recorder: %s)", err);
		rec_free(d.rec);
		d.rec = NULL;
	}
	if (d.cfg.trace[0]) {
		d.trace = fopen(d.cfg.trace, "w");
		if (!d.trace)
			dmn_logmsg("trace %s: %s", d.cfg.trace, strerror(errno));
	}
	d_watchers(&d);
	d.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
				    TFD_CLOEXEC);
	if (!d.stepped)
		timerfd_settime(d.timer_fd, 0, &its, NULL);
	dmn_logmsg("running on %s (%s), control socket %s", d.info.node,
	       d.stepped ? "virtual time, as fast as possible" :
	       rt_priority(d.rt) ? "SCHED_FIFO" : "not real-time",
	       d.cfg.socket);

	if (d.sim && d.cfg.sim_duration_s > 0)
		end_ns = (uint64_t)(d.cfg.sim_duration_s * 1e9);
	per_tick = TICK_MS * 1000 / d.cfg.period_us;
	while (!d.quit) {
		if (d.stepped) {
			/* virtual time: cycles, then one event-loop tick */
			for (i = 0; i < per_tick; i++)
				rt_cycle(d.rt);
			dmn_tick(&d);
			wall_ns = mono_ns();
			if (ctl_pending(d.ctl) ||
			    wall_ns - polled_ns >= STEPPED_POLL_NS) {
				d_poll_once(&d, 0);
				polled_ns = wall_ns;
			}
		} else {
			d_poll_once(&d, 100);
		}
		if (end_ns && dmn_now(&d) >= end_ns)
			d.quit = true;
	}
	rt_stop(d.rt);
	dmn_record(&d);
	rec_free(d.rec);	/* writes what it has */
	{
		struct rt_snapshot snap;

		rt_snapshot(d.rt, &snap);
		printf("leverd: trace hash %016llx over %llu cycles (%.3f s %s), overruns %llu, late wake-ups %llu\n",
		       (unsigned long long)d.trace_hash,
		       (unsigned long long)d.trace_records,
		       snap.st.now_ns / 1e9,
		       d.sim ? "simulated" : "monotonic clock",
		       (unsigned long long)snap.overruns,
		       (unsigned long long)snap.late_wakeups);
		if (!d.stepped)
			printf("leverd: wake-up latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
			       rt_latency_quantile_us(d.rt, 0.5),
			       rt_latency_quantile_us(d.rt, 0.99),
			       rt_latency_quantile_us(d.rt, 1.0));
		fflush(stdout);
	}
	ret = 0;
	if (d.trace)
		fclose(d.trace);
	sin_stop(d.sin);
	lever_keys_close(d.keys);
	lever_gpio_close(d.gpio);
	close(d.timer_fd);
	ctl_close(d.ctl);
out_sess:
	sess_close(d.sess);
out_rt:
	rt_free(d.rt);
out_dev:
	/* closing an armed handle makes the gate stop the belt */
	lever_dev_close(d.dev);
	return ret ? 1 : 0;
}
