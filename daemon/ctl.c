// SPDX-License-Identifier: MIT
/*
 * ctl.c - the control socket. JSON through jansson, never by hand. A bad
 * line gets an error reply and the connection stays open; a line longer
 * than the protocol allows closes that connection only. Nothing here may
 * block the event loop: sockets are non-blocking, replies that do not fit
 * the socket buffer drop the slow client.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "lever_utf8.h"

#define CTL_MSG_MAX	512	/* an error reply's sentence, before escaping */

struct ctl_client {
	int fd;
	uid_t uid;			/* SO_PEERCRED at accept */
	bool may_command;
	bool pending;		/* whole lines still buffered */
	uint64_t last_ms;	/* last request, CLOCK_MONOTONIC */
	unsigned int watch_ms;
	uint64_t next_watch_ms;
	size_t len;
	char *buf;
};

struct ctl {
	int listen_fd;
	char path[108];
	ctl_request_fn fn;
	void *ctx;
	struct ctl_client cl[CTL_MAX_CLIENTS];
	int n;
	int64_t peer_uid;		/* of the request in hand, -1 */
};

bool ctl_may_command(uid_t uid, gid_t gid)
{
	struct group *g;
	struct passwd *pw;
	gid_t groups[64];
	int n = 64, i;

	/*
	 * leverd's own user: a user's own leverd (the demo, socket mode
	 * 0600) answers that user, who could signal or trace it anyway.
	 */
	if (uid == 0 || uid == geteuid())
		return true;
	g = getgrnam("lever");
	if (!g)
		return false;
	if (gid == g->gr_gid)
		return true;
	pw = getpwuid(uid);
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == g->gr_gid)
			return true;
	return false;
}

static gid_t ctl_gid_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? (gid_t)-1 : st.st_gid;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EPROTO: return "EPROTO";
	case ENOMEM: return "ENOMEM";
	case EAGAIN: return "EAGAIN";
	case EALREADY: return "EALREADY";
	case ENODEV: return "ENODEV";
	case ECANCELED: return "ECANCELED";
	default: return "EIO";
	}
}

static char *ctl_dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT), *line;
	size_t n;

	json_decref(j);
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

/*
 * @msg as valid UTF-8, each byte that starts no character written as
 * \xNN. jansson's error texts quote the bytes near the error, which may
 * be half a character, and a refusal quoting a request's name cuts it
 * at a byte count: json_pack() refuses either, and the client got no
 * reply at all (found by tests/fuzz/fuzz_ctl).
 */
static void ctl_plain(char *dst, size_t size, const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;
	size_t left = strlen(msg), used = 0, n;

	for (; left; s += n ? n : 1, left -= n ? n : 1) {
		n = lever_utf8_len(s, left);
		if (used + (n ? n : 4) >= size)
			break;
		if (n)
			memcpy(dst + used, s, n);
		else
			snprintf(dst + used, 5, "\\x%02x", *s);
		used += n ? n : 4;
	}
	dst[used] = '\0';
}

static char *ctl_error(json_t *id, int err, const char *msg)
{
	char text[4 * CTL_MSG_MAX];
	json_t *r;

	ctl_plain(text, sizeof(text), msg);
	r = json_pack("{s:i, s:O, s:b, s:{s:s, s:i, s:s}}",
		      "v", LEVER_CTL_PROTOCOL_VERSION, "id",
		      id ? id : json_null(), "ok", 0, "error",
		      "code", errno_name(err), "errno", err,
		      "message", text);
	return r ? ctl_dump(r) : NULL;
}

char *ctl_reply(ctl_request_fn fn, void *ctx, const char *line, size_t len,
		bool may_command, unsigned int *watch_ms)
{
	json_error_t jerr;
	json_t *req, *v, *id, *cmd, *args, *result = NULL, *r;
	char msg[CTL_MSG_MAX];
	const char *name, *nul;
	int ret;
	char *out;

	/* JSON text holds none; jansson would call it the end of the text */
	nul = memchr(line, '\0', len);
	if (nul) {
		snprintf(msg, sizeof(msg),
			 "request has a NUL byte at column %zu; a request is one line of JSON text",
			 (size_t)(nul - line) + 1);
		return ctl_error(NULL, EINVAL, msg);
	}
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		snprintf(msg, sizeof(msg),
			 "request is not valid JSON at column %d: %s",
			 jerr.column, jerr.text);
		return ctl_error(NULL, EINVAL, msg);
	}
	if (!json_is_object(req)) {
		json_decref(req);
		return ctl_error(NULL, EINVAL,
				 "request must be a JSON object");
	}
	id = json_object_get(req, "id");
	if (id && !json_is_integer(id))
		id = NULL;
	v = json_object_get(req, "v");
	cmd = json_object_get(req, "cmd");
	if (!v || !json_is_integer(v) || !cmd || !json_is_string(cmd)) {
		out = ctl_error(NULL, EINVAL,
				"request needs an integer \"v\" and a string \"cmd\"");
		json_decref(req);
		return out;
	}
	if (json_integer_value(v) != LEVER_CTL_PROTOCOL_VERSION) {
		snprintf(msg, sizeof(msg),
			 "protocol version %lld is not served; this leverd speaks version %d",
			 (long long)json_integer_value(v),
			 LEVER_CTL_PROTOCOL_VERSION);
		out = ctl_error(id, EPROTO, msg);
		json_decref(req);
		return out;
	}
	name = json_string_value(cmd);
	args = json_object_get(req, "args");
	if (args && !json_is_object(args)) {
		out = ctl_error(id, EINVAL, "\"args\" must be a JSON object");
		json_decref(req);
		return out;
	}
	msg[0] = '\0';
	if (!strcmp(name, "watch")) {
		json_t *iv = args ? json_object_get(args, "interval_ms") : NULL;
		json_int_t ms = 200;

		if (iv && (!json_is_integer(iv) ||
			   json_integer_value(iv) < 50 ||
			   json_integer_value(iv) > 5000)) {
			out = ctl_error(id, EINVAL,
					"watch interval_ms must be a whole number from 50 to 5000");
			json_decref(req);
			return out;
		}
		if (iv)
			ms = json_integer_value(iv);
		if (watch_ms)
			*watch_ms = (unsigned int)ms;
		result = json_pack("{s:I}", "interval_ms", ms);
		ret = result ? 0 : -ENOMEM;
	} else if (lever_ctl_needs_command(name) && !may_command) {
		snprintf(msg, sizeof(msg),
			 "'%.32s' needs root or membership of the group lever; you may only read status",
			 name);
		ret = -EPERM;
	} else {
		ret = fn(ctx, name, args, may_command, &result, msg,
			 sizeof(msg));
	}
	if (ret) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s failed: %s", name,
				 strerror(-ret));
		out = ctl_error(id, -ret, msg);
		json_decref(result);
		json_decref(req);
		return out;
	}
	r = json_pack("{s:i, s:O, s:b, s:o}", "v", LEVER_CTL_PROTOCOL_VERSION,
		      "id", id ? id : json_null(), "ok", 1, "result",
		      result ? result : json_object());
	json_decref(req);
	return r ? ctl_dump(r) : NULL;
}

int ctl_open(const char *path, ctl_request_fn fn, void *ctx,
	     struct ctl **out, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *g;
	struct ctl *c;
	char dir[108], *slash;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->peer_uid = -1;
	c->fn = fn;
	c->ctx = ctx;
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);	/* /run/lever may not exist yet */
	}
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			      SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		goto err_errno;
	unlink(path);	/* a stale socket of a previous run */
	if (bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(c->listen_fd, 16) < 0)
		goto err_errno;
	/*
	 * The records behind the socket hold patient data: root and group
	 * lever only. Without the group, root refuses to open it to everyone;
	 * a user running its own leverd (the demo) keeps it to itself.
	 */
	g = getgrnam("lever");
	/*
	 * The owner stays: root, or user lever under systemd, whose socket
	 * is the group's already (leverd.service also forbids chown).
	 */
	if (g && (ctl_gid_of(path) == g->gr_gid ||
		  chown(path, -1, g->gr_gid) == 0)) {
		chmod(path, 0660);
	} else if (geteuid() == 0) {
		snprintf(err, errlen,
			 "control socket %s: group lever %s; create it (groupadd --system lever) and add the operators to it",
			 path, g ? "cannot own the socket" : "does not exist");
		close(c->listen_fd);
		unlink(path);
		free(c);
		return -ENOENT;
	} else {
		chmod(path, 0600);
	}
	*out = c;
	return 0;
err_errno:
	ret = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	free(c);
	return ret;
}

static void ctl_drop(struct ctl *c, int i)
{
	close(c->cl[i].fd);
	free(c->cl[i].buf);
	c->cl[i] = c->cl[--c->n];
}

void ctl_close(struct ctl *c)
{
	if (!c)
		return;
	while (c->n)
		ctl_drop(c, c->n - 1);
	close(c->listen_fd);
	unlink(c->path);
	free(c);
}

int ctl_pollfds(struct ctl *c, struct pollfd *fds, int max)
{
	int i, n = 0;

	if (max < 1)
		return 0;
	fds[n].fd = c->listen_fd;
	fds[n++].events = POLLIN;
	for (i = 0; i < c->n && n < max; i++) {
		fds[n].fd = c->cl[i].fd;
		fds[n++].events = POLLIN;
	}
	return n;
}

/* 0, or -1 when the client must go (gone, or too slow to take it) */
static int ctl_send(struct ctl_client *cl, const char *line)
{
	size_t len = strlen(line);
	ssize_t w = send(cl->fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	return w == (ssize_t)len ? 0 : -1;
}

static uint64_t ctl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void ctl_accept(struct ctl *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (c->n >= CTL_MAX_CLIENTS ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	memset(&c->cl[c->n], 0, sizeof(c->cl[0]));
	c->cl[c->n].fd = fd;
	c->cl[c->n].uid = cred.uid;
	c->cl[c->n].may_command = ctl_may_command(cred.uid, cred.gid);
	c->cl[c->n].last_ms = ctl_mono_ms();
	c->n++;
}

static int ctl_serve(struct ctl *c, struct ctl_client *cl);

/* returns -1 when the client must be dropped */
static int ctl_read(struct ctl *c, struct ctl_client *cl)
{
	char chunk[4096], *reply;
	ssize_t r;

	r = recv(cl->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (r < 0)
		return 0;
	if (!cl->buf) {
		cl->buf = malloc(CTL_MAX_LINE + 1);
		if (!cl->buf)
			return -1;
	}
	if (cl->len + r > CTL_MAX_LINE) {
		reply = ctl_error(NULL, EINVAL,
				  "request line longer than 64 KiB");
		if (reply)
			ctl_send(cl, reply);
		free(reply);
		return -1;
	}
	memcpy(cl->buf + cl->len, chunk, r);
	cl->len += r;
	cl->last_ms = ctl_mono_ms();
	return ctl_serve(c, cl);
}

/*
 * Answers the whole lines buffered, at most CTL_LINES_PER_ROUND of them:
 * one client's flood must not hold the event loop (which also passes on
 * the session's targets) for longer than a few requests. The rest wait
 * for the next round. -1 when the client must be dropped.
 */
static int ctl_serve(struct ctl *c, struct ctl_client *cl)
{
	unsigned int served = 0;
	char *nl, *reply;
	size_t used;

	while ((nl = memchr(cl->buf, '\n', cl->len))) {
		if (served++ == CTL_LINES_PER_ROUND) {
			cl->pending = true;
			return 0;
		}
		unsigned int watch = 0;

		*nl = '\0';
		used = nl - cl->buf + 1;
		c->peer_uid = cl->uid;
		reply = ctl_reply(c->fn, c->ctx, cl->buf, used - 1,
				  cl->may_command, &watch);
		c->peer_uid = -1;
		memmove(cl->buf, cl->buf + used, cl->len - used);
		cl->len -= used;
		if (watch) {
			cl->watch_ms = watch;
			cl->next_watch_ms = 0;
		}
		if (!reply || ctl_send(cl, reply)) {
			free(reply);
			return -1;
		}
		free(reply);
	}
	cl->pending = false;
	return 0;
}

void ctl_handle(struct ctl *c, const struct pollfd *fds, int n)
{
	int i, j;

	/* lines left from an earlier round first, one round each */
	for (j = 0; j < c->n; j++) {
		if (!c->cl[j].pending)
			continue;
		for (i = 1; i < n; i++)
			if (fds[i].fd == c->cl[j].fd)
				break;
		/* read below this round (it had more to say): served there */
		if (i < n && fds[i].revents)
			continue;
		if (ctl_serve(c, &c->cl[j]))
			ctl_drop(c, j--);
	}
	if (n > 0 && (fds[0].revents & POLLIN))
		ctl_accept(c);
	/* clients, matched by fd: the array may have shifted meanwhile */
	for (i = 1; i < n; i++) {
		if (!fds[i].revents)
			continue;
		for (j = 0; j < c->n; j++)
			if (c->cl[j].fd == fds[i].fd)
				break;
		if (j == c->n)
			continue;
		if (ctl_read(c, &c->cl[j]))
			ctl_drop(c, j);
	}
}

bool ctl_pending(const struct ctl *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->cl[i].pending)
			return true;
	return false;
}

void ctl_expire(struct ctl *c, uint64_t now_ms)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!c->cl[i].watch_ms &&
		    now_ms >= c->cl[i].last_ms + CTL_IDLE_MS)
			ctl_drop(c, i--);
}

void ctl_watch_tick(struct ctl *c, uint64_t now_ms, json_t *status)
{
	char *line = NULL;
	int i;

	for (i = 0; i < c->n; i++) {
		struct ctl_client *cl = &c->cl[i];

		if (!cl->watch_ms || now_ms < cl->next_watch_ms)
			continue;
		if (!line) {
			json_t *ev = json_pack("{s:i, s:s, s:O}", "v",
					       LEVER_CTL_PROTOCOL_VERSION, "event",
					       "status", "status", status);

			line = ev ? ctl_dump(ev) : NULL;
			if (!line)
				return;
		}
		cl->next_watch_ms = now_ms + cl->watch_ms;
		if (ctl_send(cl, line))
			ctl_drop(c, i--);
	}
	free(line);
}

void ctl_broadcast(struct ctl *c, json_t *event)
{
	char *line = ctl_dump(event);
	int i;

	if (!line)
		return;
	for (i = 0; i < c->n; i++)
		if (c->cl[i].watch_ms && ctl_send(&c->cl[i], line))
			ctl_drop(c, i--);
	free(line);
}

bool ctl_watch_due(const struct ctl *c, uint64_t now_ms)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->cl[i].watch_ms && now_ms >= c->cl[i].next_watch_ms)
			return true;
	return false;
}

bool ctl_watching(const struct ctl *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->cl[i].watch_ms)
			return true;
	return false;
}

int64_t ctl_peer_uid(const struct ctl *c)
{
	return c ? c->peer_uid : -1;
}
