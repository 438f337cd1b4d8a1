// SPDX-License-Identifier: MIT
/*
 * leverctl's side of the control socket (Documentation/control-socket.rst):
 * JSON lines, one request, its reply; events skipped unless streamed. It
 * must never hang an operator's terminal: every wait has a timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "leverctl.h"

#define LINE_MAX_BYTES	(64 * 1024)

struct ctl_conn {
	int fd;
	const char *path;
	char buf[LINE_MAX_BYTES + 1];
	size_t len;
};

int ctl_connect(struct ctl *c, struct ctl_conn **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_conn *k;
	int fd, e;

	*out = NULL;
	if (strlen(c->socket_path) >= sizeof(sa.sun_path)) {
		ctl_err("socket path %s is too long", c->socket_path);
		return LEVER_CTL_EXIT_USAGE;
	}
	strcpy(sa.sun_path, c->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ctl_err("cannot create a socket: %s", strerror(errno));
		return LEVER_CTL_EXIT_FAIL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		if (e == EACCES || e == EPERM) {
			ctl_err("permission denied on %s; add your user to the group lever (usermod -aG lever USER, then log in again)",
				c->socket_path);
			return LEVER_CTL_EXIT_PERM;
		}
		if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) {
			ctl_err("leverd is not running (no socket at %s); start it with 'leverd --transport sim:' or 'systemctl start leverd'",
				c->socket_path);
			return LEVER_CTL_EXIT_NO_DAEMON;
		}
		ctl_err("cannot connect to leverd at %s: %s", c->socket_path,
			strerror(e));
		return LEVER_CTL_EXIT_NO_DAEMON;
	}
	/* Room for a burst of status events (leverd drops slow readers). */
	{
		int rcvbuf = 1 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	k->fd = fd;
	k->path = c->socket_path;
	*out = k;
	return LEVER_CTL_EXIT_OK;
}

void ctl_disconnect(struct ctl_conn *k)
{
	if (!k)
		return;
	close(k->fd);
	free(k);
}

int ctl_send(struct ctl_conn *k, const char *cmd, json_t *args, int id)
{
	json_t *req = json_pack("{s:i, s:i, s:s}", "v",
				LEVER_CTL_PROTOCOL_VERSION, "id", id,
				"cmd", cmd);
	char *line;
	size_t len, off = 0;

	if (!req) {
		json_decref(args);
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	if (args)
		json_object_set_new(req, "args", args);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!line) {
		ctl_err("out of memory");
		return LEVER_CTL_EXIT_FAIL;
	}
	len = strlen(line);
	line[len++] = '\n';	/* json_dumps leaves room: replaces NUL */
	while (off < len) {
		ssize_t w = send(k->fd, line + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(line);
			ctl_err("leverd closed the connection (%s)",
				strerror(errno));
			return LEVER_CTL_EXIT_NO_DAEMON;
		}
		off += (size_t)w;
	}
	free(line);
	return LEVER_CTL_EXIT_OK;
}

int ctl_recv(struct ctl_conn *k, json_t **msg, int timeout_ms)
{
	json_error_t jerr;
	char *nl;

	*msg = NULL;
	for (;;) {
		struct pollfd p = { .fd = k->fd, .events = POLLIN };
		ssize_t r;
		int pr;

		nl = memchr(k->buf, '\n', k->len);
		if (nl) {
			size_t used = (size_t)(nl - k->buf) + 1;

			*nl = '\0';
			*msg = json_loads(k->buf, 0, &jerr);
			memmove(k->buf, k->buf + used, k->len - used);
			k->len -= used;
			if (!*msg || !json_is_object(*msg)) {
				json_decref(*msg);
				*msg = NULL;
				ctl_err("leverd sent a line that is not a JSON object (%s)",
					jerr.text);
				return LEVER_CTL_EXIT_FAIL;
			}
			return LEVER_CTL_EXIT_OK;
		}
		if (k->len == LINE_MAX_BYTES) {
			ctl_err("leverd sent a line longer than 64 KiB");
			return LEVER_CTL_EXIT_FAIL;
		}
		pr = poll(&p, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			ctl_err("leverd did not answer within %d s (%s)",
				timeout_ms / 1000, k->path);
			return LEVER_CTL_EXIT_NO_DAEMON;
		}
		r = read(k->fd, k->buf + k->len, LINE_MAX_BYTES - k->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ctl_err("leverd closed the connection");
			return LEVER_CTL_EXIT_NO_DAEMON;
		}
		k->len += (size_t)r;
	}
}

int ctl_reply_error(const json_t *reply)
{
	const json_t *e = json_object_get(reply, "error");
	const char *m = json_string_value(json_object_get(e, "message"));
	const char *code = json_string_value(json_object_get(e, "code"));

	ctl_err("%s", m && *m ? m : "leverd refused the request");
	if (!code)
		return LEVER_CTL_EXIT_FAIL;
	if (!strcmp(code, "EPERM") || !strcmp(code, "EACCES"))
		return LEVER_CTL_EXIT_PERM;
	if (!strcmp(code, "ENOENT"))
		return LEVER_CTL_EXIT_NOT_FOUND;
	return LEVER_CTL_EXIT_FAIL;
}

int ctl_call_on(struct ctl_conn *k, const char *cmd, json_t *args,
		json_t **result)
{
	json_t *reply;
	int ret;
	static int next_id = 1;
	int id = next_id++;

	*result = NULL;
	ret = ctl_send(k, cmd, args, id);
	while (!ret) {
		json_t *rid;

		ret = ctl_recv(k, &reply, CTL_REPLY_TIMEOUT_MS);
		if (ret)
			break;
		rid = json_object_get(reply, "id");
		if (!json_is_integer(rid) || json_integer_value(rid) != id) {
			/* an event, or a reply to a line we did not send */
			json_decref(reply);
			continue;
		}
		if (json_is_true(json_object_get(reply, "ok"))) {
			*result = json_incref(json_object_get(reply,
							      "result"));
			if (!*result)
				*result = json_object();
		} else {
			ret = ctl_reply_error(reply);
		}
		json_decref(reply);
		break;
	}
	return ret;
}

int ctl_call(struct ctl *c, const char *cmd, json_t *args, json_t **result)
{
	struct ctl_conn *k;
	int ret;

	*result = NULL;
	ret = ctl_connect(c, &k);
	if (ret) {
		json_decref(args);
		return ret;
	}
	ret = ctl_call_on(k, cmd, args, result);
	ctl_disconnect(k);
	return ret;
}

int ctl_state_command(struct ctl *c, const char *cmd, int argc, char **argv)
{
	json_t *res;
	int ret;

	if (argc > 1)
		return ctl_usage(cmd, "'%s' takes no arguments ('%s' given)",
				 cmd, argv[1]);
	ret = ctl_call(c, cmd, NULL, &res);
	if (ret)
		return ret;
	if (c->json)
		ret = ctl_print_json(res);
	else
		printf("%s\n", json_string_value(json_object_get(res, "state")) ?:
		       "ok");
	json_decref(res);
	return ret;
}
