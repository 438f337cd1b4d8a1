// SPDX-License-Identifier: MIT
/*
 * simd.c - lever-simd: the LEVER controller board simulated as a USB
 * FunctionFS gadget. Streams samples at a fixed rate from an absolute
 * clock (missed periods become seq gaps, never bursts), applies commands,
 * answers control requests, and serves the test control socket.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "board.h"
#include "gadget.h"

#define MAX_CLIENTS	8
#define LINE_MAX_LEN	256
#define RT_PRIORITY	50

struct client {
	int	fd;
	size_t	len;
	char	buf[LINE_MAX_LEN];
};

/*
 * What the IN endpoint carries (test fault modes, `stream` command): a
 * board that went mute, that sends only malformed frames, or whose IN
 * endpoint halted. The board model runs on in every mode.
 */
enum stream_mode {
	STREAM_NORMAL,
	STREAM_MUTE,
	STREAM_GARBAGE,
	STREAM_HALT,
};

static const char *const stream_names[] = {
	[STREAM_NORMAL] = "normal",
	[STREAM_MUTE] = "mute",
	[STREAM_GARBAGE] = "garbage",
	[STREAM_HALT] = "halt",
};

struct simd {
	pthread_mutex_t	lock;		/* board, counters, mailbox */
	pthread_cond_t	mail_cond;
	struct board	*board;
	struct gadget	*gadget;
	uint64_t	period_ns;
	atomic_bool	quit;
	bool		enabled;	/* configured and not suspended */
	bool		configured;	/* FUNCTIONFS_ENABLE seen */
	bool		mail_full;
	enum stream_mode stream;	/* under lock */
	bool		in_halted;	/* stream halt taken by the UDC */
	uint64_t	halt_refused;	/* halts the UDC refused */
	struct lever_wire_sample mail;
	uint64_t	samples_sent;
	uint64_t	samples_overwritten;
	uint64_t	periods_late;
	uint64_t	cmd_packets;
	uint64_t	setup_requests;
	uint64_t	setup_stalled;
	int		listen_fd;
	struct client	clients[MAX_CLIENTS];
	const char	*sock_path;
};

static void on_wake(int sig)
{
	/* Only interrupts a blocking endpoint read or write. */
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int rt_priority = RT_PRIORITY;

/* Only the pacing thread asks for SCHED_FIFO: endpoint I/O threads at
 * real-time priority starve ksoftirqd, which on dummy_hcd runs the very
 * timer that moves the transfers. */
static void try_realtime(const char *who)
{
	struct sched_param sp = { .sched_priority = rt_priority };
	int ret;

	if (!rt_priority)
		return;
	ret = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (ret)
		fprintf(stderr, "lever-simd: %s thread stays SCHED_OTHER: %s\n",
			who, strerror(ret));
}

/* Producer: one board period per absolute deadline. */
static void *stream_main(void *arg)
{
	struct simd *s = arg;
	struct lever_wire_sample f;
	struct timespec ts;
	uint64_t next, now, late, steps;
	bool have;

	try_realtime("stream");
	next = now_ns();
	while (!atomic_load(&s->quit)) {
		next += s->period_ns;
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
		/* Missed whole periods are skipped, not replayed. */
		now = now_ns();
		steps = 1;
		if (now >= next + s->period_ns) {
			late = (now - next) / s->period_ns;
			next += late * s->period_ns;
			steps += late;
		}
		pthread_mutex_lock(&s->lock);
		if (steps > 1)
			s->periods_late++;
		board_step(s->board, steps * s->period_ns);
		have = false;
		while (board_sample(s->board, &f) == 0) {
			if (have || s->mail_full)
				s->samples_overwritten++;
			have = true;
			s->mail = f;
		}
		if (have) {
			s->mail_full = true;
			pthread_cond_signal(&s->mail_cond);
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Sender: blocks in the endpoint write until the host collects it. */
static void *writer_main(void *arg)
{
	struct simd *s = arg;
	struct lever_wire_sample f;
	int fd = gadget_in_fd(s->gadget);
	enum stream_mode mode;
	bool halted = false;
	char b;
	ssize_t n;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!atomic_load(&s->quit) && (!s->mail_full || !s->enabled))
			pthread_cond_wait(&s->mail_cond, &s->lock);
		if (atomic_load(&s->quit)) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		f = s->mail;
		s->mail_full = false;
		mode = s->stream;
		pthread_mutex_unlock(&s->lock);
		if (halted && mode != STREAM_HALT) {
			if (ioctl(fd, FUNCTIONFS_CLEAR_HALT))
				fprintf(stderr, "lever-simd: clear halt: %s\n",
					strerror(errno));
			halted = false;
			pthread_mutex_lock(&s->lock);
			s->in_halted = false;
			pthread_mutex_unlock(&s->lock);
		}
		if (mode == STREAM_HALT && !halted) {
			/*
			 * FunctionFS halts an IN endpoint that is read, and
			 * says so with EBADMSG. Anything else (dummy_hcd's
			 * EAGAIN while a transfer is queued, ESHUTDOWN while
			 * the endpoint is being enabled) did not halt it: try
			 * again on the next frame, and send nothing meanwhile,
			 * or "halt" would silently be "mute".
			 */
			halted = read(fd, &b, 1) < 0 && errno == EBADMSG;
			pthread_mutex_lock(&s->lock);
			s->in_halted = halted;
			if (!halted && s->halt_refused++ == 0)
				fprintf(stderr, "lever-simd: halt refused: %s\n",
					strerror(errno));
			pthread_mutex_unlock(&s->lock);
		}
		if (mode == STREAM_HALT || mode == STREAM_MUTE)
			continue;
		if (mode == STREAM_GARBAGE)
			f.version ^= 0xff;	/* the right size, never valid */
		n = write(fd, &f, sizeof(f));
		if (n == (ssize_t)sizeof(f)) {
			pthread_mutex_lock(&s->lock);
			s->samples_sent++;
			pthread_mutex_unlock(&s->lock);
		} else if (n < 0 && errno != EINTR && errno != ESHUTDOWN &&
			   errno != EAGAIN) {
			/* link gone or disabled: wait for the next enable */
			usleep(1000);
		}
	}
	return NULL;
}

/* Receiver: one packet per read, each judged as one command frame. */
static void *reader_main(void *arg)
{
	struct simd *s = arg;
	unsigned char buf[LEVER_EP_COMMAND_MAXP];
	int fd = gadget_out_fd(s->gadget);
	ssize_t n;

	while (!atomic_load(&s->quit)) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno != EINTR && errno != ESHUTDOWN)
				usleep(1000);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		s->cmd_packets++;
		board_command(s->board, buf, n);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static bool request_is_in(uint8_t req)
{
	return req == LEVER_REQ_GET_IDENTITY || req == LEVER_REQ_GET_LIMITS ||
	       req == LEVER_REQ_GET_WATCHDOG;
}

static void stall(struct simd *s, int ep0, bool dir_in)
{
	char dummy;
	ssize_t n;

	/* FunctionFS stalls when ep0 is used against the data direction. */
	s->setup_stalled++;
	if (dir_in)
		n = read(ep0, &dummy, 0);
	else
		n = write(ep0, &dummy, 0);
	if (n >= 0)
		fprintf(stderr, "lever-simd: ep0 stall was not taken\n");
}

static void handle_setup(struct simd *s, const struct usb_ctrlrequest *c)
{
	int ep0 = gadget_ep0_fd(s->gadget);
	bool dir_in = c->bRequestType & USB_DIR_IN;
	uint16_t len = le16toh(c->wLength);
	unsigned char buf[256];
	int ret;

	pthread_mutex_lock(&s->lock);
	s->setup_requests++;
	if ((c->bRequestType & USB_TYPE_MASK) != USB_TYPE_VENDOR ||
	    dir_in != request_is_in(c->bRequest) || (!dir_in && len)) {
		stall(s, ep0, dir_in);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	ret = board_control(s->board, c->bRequest, le16toh(c->wValue), buf,
			    dir_in ? (len < sizeof(buf) ? len : sizeof(buf)) : 0);
	if (ret < 0) {
		stall(s, ep0, dir_in);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_unlock(&s->lock);
	/* Data stage (IN) or status stage (OUT, zero-length read). */
	if (dir_in) {
		if (write(ep0, buf, ret) < 0)
			fprintf(stderr, "lever-simd: ep0 answer to request 0x%02x: %s\n",
				c->bRequest, strerror(errno));
	} else if (read(ep0, buf, 0) < 0) {
		fprintf(stderr, "lever-simd: ep0 status of request 0x%02x: %s\n",
			c->bRequest, strerror(errno));
	}
}

static void handle_ep0(struct simd *s)
{
	struct usb_functionfs_event ev[4];
	ssize_t n;
	int i;

	n = read(gadget_ep0_fd(s->gadget), ev, sizeof(ev));
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN)
			fprintf(stderr, "lever-simd: reading ep0 events: %s\n",
				strerror(errno));
		return;
	}
	for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
		switch (ev[i].type) {
		case FUNCTIONFS_ENABLE:
		case FUNCTIONFS_RESUME:
			/* a resumed bus is configured as it was before */
			pthread_mutex_lock(&s->lock);
			if (ev[i].type == FUNCTIONFS_ENABLE)
				s->configured = true;
			s->enabled = s->configured;
			pthread_cond_broadcast(&s->mail_cond);
			pthread_mutex_unlock(&s->lock);
			break;
		case FUNCTIONFS_DISABLE:
		case FUNCTIONFS_UNBIND:
		case FUNCTIONFS_SUSPEND:
			pthread_mutex_lock(&s->lock);
			if (ev[i].type != FUNCTIONFS_SUSPEND)
				s->configured = false;
			s->enabled = false;
			pthread_mutex_unlock(&s->lock);
			break;
		case FUNCTIONFS_SETUP:
			handle_setup(s, &ev[i].u.setup);
			break;
		default:	/* BIND */
			break;
		}
	}
}

static const char *const button_names[LEVER_BTN_COUNT] = {
	"start", "stop", "pause", "pain", "speed-up", "speed-down",
	"support-up", "support-down",
};

static int parse_double(const char *t, double *out)
{
	char *end;

	if (!t)
		return -EINVAL;
	errno = 0;
	*out = strtod(t, &end);
	return (errno || end == t || *end) ? -EINVAL : 0;
}

static int two_way(const char *arg, const char *on, const char *off,
		   bool *value)
{
	if (arg && !strcmp(arg, on))
		*value = true;
	else if (arg && !strcmp(arg, off))
		*value = false;
	else
		return -EINVAL;
	return 0;
}

/* Runs one command line; writes the answer (ending in ok/error) to @out. */
static void run_command(struct simd *s, char *line, FILE *out)
{
	char *argv[8], *save = NULL, *tok;
	char dump[4096];
	int argc = 0, i, ret = 0;
	const char *why = NULL;
	double a, b;
	bool on;

	for (tok = strtok_r(line, " \t", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (!argc) {
		fprintf(out, "error: empty command\n");
		return;
	}
	for (i = argc; i < 8; i++)
		argv[i] = NULL;

	pthread_mutex_lock(&s->lock);
	if (!strcmp(argv[0], "ping")) {
		ret = 0;
	} else if (!strcmp(argv[0], "estop")) {
		ret = two_way(argv[1], "press", "release", &on);
		ret = ret ?: board_set_line(s->board, LEVER_LINE_ESTOP, on);
		why = "usage: estop press|release";
	} else if (!strcmp(argv[0], "key")) {
		ret = two_way(argv[1], "pull", "insert", &on);
		ret = ret ?: board_set_line(s->board, LEVER_LINE_SAFETY_KEY, on);
		why = "usage: key pull|insert";
	} else if (!strcmp(argv[0], "harness")) {
		ret = two_way(argv[1], "clip", "unclip", &on);
		ret = ret ?: board_set_line(s->board, LEVER_LINE_HARNESS, on);
		why = "usage: harness clip|unclip";
	} else if (!strcmp(argv[0], "button")) {
		why = "usage: button start|stop|pause|pain|speed-up|speed-down|support-up|support-down press|release";
		ret = -EINVAL;
		for (i = 0; argv[1] && i < LEVER_BTN_COUNT; i++)
			if (!strcmp(argv[1], button_names[i]))
				ret = 0;
		for (i = 0; !ret && i < LEVER_BTN_COUNT; i++)
			if (!strcmp(argv[1], button_names[i]))
				break;
		ret = ret ?: two_way(argv[2], "press", "release", &on);
		ret = ret ?: board_set_button(s->board, 1u << i, on);
	} else if (!strcmp(argv[0], "fault")) {
		why = "usage: fault pressure-stuck|force-stuck|pressure-noise|force-noise|valve-stuck|belt-overspeed|drop-frames|delay-frames on|off";
		i = plant_fault_from_name(argv[1]);
		ret = i < 0 ? i : two_way(argv[2], "on", "off", &on);
		ret = ret ?: board_set_fault(s->board, i, on);
	} else if (!strcmp(argv[0], "runner")) {
		why = "usage: runner MASS_KG(20..250) CADENCE_STEPS_S(1.0..4.0)";
		ret = parse_double(argv[1], &a) ?: parse_double(argv[2], &b);
		ret = ret ?: board_set_runner(s->board, a, b);
	} else if (!strcmp(argv[0], "watchdog")) {
		why = "usage: watchdog MS (20..1000)";
		ret = parse_double(argv[1], &a);
		if (!ret && (a < 0 || a > 65535 || a != (int)a))
			ret = -ERANGE;
		ret = ret ?: board_control(s->board, LEVER_REQ_SET_WATCHDOG,
					   (uint16_t)a, NULL, 0);
	} else if (!strcmp(argv[0], "reset")) {
		ret = board_control(s->board, LEVER_REQ_RESET_FAULTS, 0, NULL, 0);
		why = ret == -EBUSY ?
			"busy: e-stop or key active, or the belt still moves" :
			"reset failed";
	} else if (!strcmp(argv[0], "stream")) {
		why = "usage: stream normal|mute|garbage|halt";
		ret = -EINVAL;
		for (i = 0; argv[1] && i < (int)(sizeof(stream_names) /
					 sizeof(stream_names[0])); i++) {
			if (!strcmp(argv[1], stream_names[i])) {
				s->stream = (enum stream_mode)i;
				ret = 0;
			}
		}
	} else if (!strcmp(argv[0], "disconnect") ||
		   !strcmp(argv[0], "reconnect")) {
		on = argv[0][0] == 'r';
		s->stream = STREAM_NORMAL;
		ret = gadget_set_bound(s->gadget, on);
		if (!on)
			s->enabled = s->configured = false;
		why = "cannot write the gadget's UDC file";
	} else if (!strcmp(argv[0], "state")) {
		ret = board_dump(s->board, dump, sizeof(dump));
		if (ret >= 0) {
			fputs(dump, out);
			fprintf(out,
				"udc=%s\nconnected=%d\nenabled=%d\n"
				"samples_sent=%llu\nsamples_overwritten=%llu\n"
				"periods_late=%llu\ncmd_packets=%llu\n"
				"setup_requests=%llu\nsetup_stalled=%llu\n"
				"stream=%s\nin_halted=%d\nhalt_refused=%llu\n",
				gadget_udc(s->gadget),
				gadget_is_bound(s->gadget), s->enabled,
				(unsigned long long)s->samples_sent,
				(unsigned long long)s->samples_overwritten,
				(unsigned long long)s->periods_late,
				(unsigned long long)s->cmd_packets,
				(unsigned long long)s->setup_requests,
				(unsigned long long)s->setup_stalled,
				stream_names[s->stream], s->in_halted,
				(unsigned long long)s->halt_refused);
			ret = 0;
		}
		why = "state does not fit";
	} else {
		ret = -ENOENT;
		why = "unknown command (see Documentation/hardware/lever-simd.rst)";
	}
	pthread_mutex_unlock(&s->lock);
	if (ret < 0 && argc > 3)
		why = "too many arguments";
	if (ret < 0)
		fprintf(out, "error: %s: %s\n", argv[0], why ? why :
			strerror(-ret));
	else
		fprintf(out, "ok\n");
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void client_input(struct simd *s, struct client *c)
{
	char *nl, *resp = NULL;
	size_t resp_len = 0, off;
	ssize_t n;
	FILE *out;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->len += n;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		*nl = '\0';
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		out = open_memstream(&resp, &resp_len);
		if (!out) {
			client_close(c);
			return;
		}
		run_command(s, c->buf, out);
		fclose(out);
		for (off = 0; off < resp_len; off += n) {
			n = write(c->fd, resp + off, resp_len - off);
			if (n <= 0)
				break;
		}
		free(resp);
		resp = NULL;
		off = nl + 1 - c->buf;
		memmove(c->buf, nl + 1, c->len - off);
		c->len -= off;
	}
	if (c->len == sizeof(c->buf)) {
		static const char msg[] = "error: line longer than 255 bytes\n";

		/* best effort: the client is dropped either way */
		n = write(c->fd, msg, sizeof(msg) - 1);
		(void)n;
		client_close(c);
	}
}

static int open_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "lever-simd: control socket path too long: %s\n",
			path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(fd, 4)) {
		fprintf(stderr, "lever-simd: control socket %s: %s\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void serve(struct simd *s, int sig_fd)
{
	struct pollfd pfd[3 + MAX_CLIENTS];
	int i, n, fd;

	while (!atomic_load(&s->quit)) {
		pfd[0] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = gadget_ep0_fd(s->gadget),
					  .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++)
			pfd[3 + i] = (struct pollfd){ .fd = s->clients[i].fd,
						      .events = POLLIN };
		n = poll(pfd, 3 + MAX_CLIENTS, -1);
		if (n < 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			atomic_store(&s->quit, true);
			break;
		}
		if (pfd[1].revents & POLLIN)
			handle_ep0(s);
		if (pfd[2].revents & POLLIN) {
			fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			for (i = 0; fd >= 0 && i < MAX_CLIENTS; i++) {
				if (s->clients[i].fd < 0) {
					s->clients[i].fd = fd;
					s->clients[i].len = 0;
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd);	/* too many clients */
		}
		for (i = 0; i < MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0 &&
			    (pfd[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				client_input(s, &s->clients[i]);
	}
}

static void join_blocked(pthread_t t)
{
	struct timespec ts;

	for (;;) {
		pthread_kill(t, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(t, NULL, &ts) == 0)
			return;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: lever-simd --udc UDC --control SOCKET [--serial S] "
		"[--rate HZ] [--seed N] [--rt-priority P]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "udc", required_argument, NULL, 'u' },
		{ "control", required_argument, NULL, 'c' },
		{ "serial", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "rt-priority", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct simd s;
	struct board_config cfg;
	struct sigaction sa = { .sa_handler = on_wake };
	pthread_t stream, writer, reader;
	const char *udc = NULL;
	sigset_t mask;
	char *end;
	int opt, sig_fd, i, ret;
	unsigned long v;

	board_default_config(&cfg);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			udc = optarg;
			break;
		case 'c':
			s.sock_path = optarg;
			break;
		case 's':
			/* it names the gadget's directories: never . or .. */
			if (!*optarg || strlen(optarg) >= LEVER_SERIAL_LEN ||
			    strpbrk(optarg, "/ \t\n") ||
			    !strcmp(optarg, ".") || !strcmp(optarg, "..")) {
				fprintf(stderr, "lever-simd: --serial %s: 1..%d characters, not . or .., no '/' or blanks\n",
					optarg, LEVER_SERIAL_LEN - 1);
				return 2;
			}
			memset(cfg.serial, 0, sizeof(cfg.serial));
			strcpy(cfg.serial, optarg);
			break;
		case 'r':
			v = strtoul(optarg, &end, 10);
			if (*end || v < 100 || v > 4000) {
				fprintf(stderr, "lever-simd: --rate %s: must be 100..4000 Hz\n",
					optarg);
				return 2;
			}
			cfg.sample_rate_hz = v;
			break;
		case 'S':
			cfg.plant.seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "lever-simd: --seed %s: not a number\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || v > 99) {
				fprintf(stderr, "lever-simd: --rt-priority %s: 0 (none) .. 99\n",
					optarg);
				return 2;
			}
			rt_priority = v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!udc || !s.sock_path || optind != argc) {
		usage(stderr);
		return 2;
	}

	/* TERM/INT arrive through the signalfd; USR1 only breaks blocking
	 * endpoint I/O at shutdown; a vanished socket client is no crash. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.mail_cond, NULL);
	s.listen_fd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		s.clients[i].fd = -1;
	ret = board_new(&cfg, &s.board);
	if (ret) {
		fprintf(stderr, "lever-simd: board model: %s\n", strerror(-ret));
		return 1;
	}
	s.period_ns = board_sample_period_ns(s.board);
	ret = gadget_create(udc, cfg.serial, &s.gadget);
	if (ret) {
		fprintf(stderr, "lever-simd: cannot set up the gadget on %s: %s\n",
			udc, strerror(-ret));
		board_free(s.board);
		return 1;
	}
	s.listen_fd = open_socket(s.sock_path);
	if (s.listen_fd < 0 || sig_fd < 0) {
		gadget_destroy(s.gadget);
		board_free(s.board);
		return 1;
	}
	/* No page faults in the paced threads (best effort, needs root). */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	pthread_create(&stream, NULL, stream_main, &s);
	pthread_create(&writer, NULL, writer_main, &s);
	pthread_create(&reader, NULL, reader_main, &s);
	fprintf(stderr, "lever-simd: serial %s on %s, %u Hz, control %s\n",
		cfg.serial, udc, cfg.sample_rate_hz, s.sock_path);

	serve(&s, sig_fd);

	atomic_store(&s.quit, true);
	pthread_join(stream, NULL);
	pthread_mutex_lock(&s.lock);
	pthread_cond_broadcast(&s.mail_cond);
	pthread_mutex_unlock(&s.lock);
	join_blocked(writer);
	join_blocked(reader);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (s.clients[i].fd >= 0)
			client_close(&s.clients[i]);
	close(s.listen_fd);
	unlink(s.sock_path);
	gadget_destroy(s.gadget);
	board_free(s.board);
	fprintf(stderr, "lever-simd: stopped, gadget removed\n");
	return 0;
}
