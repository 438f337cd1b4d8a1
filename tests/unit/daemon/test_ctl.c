// SPDX-License-Identifier: MIT
/*
 * test_ctl.c - specification of the control-socket protocol layer
 * (Documentation/control-socket.rst): replies echo the id, bad lines get
 * EINVAL with id null and the connection's reply says where, other
 * versions get EPROTO, read-only peers get EPERM for commands, watch
 * bounds; and over a real socket, one reply line per request line.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl.h"

static int calls;

static int fake(void *ctx, const char *cmd, const json_t *args,
		bool may_command, json_t **result, char *msg, size_t len)
{
	calls++;
	if (!strcmp(cmd, "start")) {
		snprintf(msg, len, "a session is running; stop it first");
		return -EBUSY;
	}
	*result = json_pack("{s:s}", "cmd", cmd);
	return 0;
}

static json_t *reply_n(const char *line, size_t len, bool may_command,
		       unsigned int *w)
{
	char *r = ctl_reply(fake, NULL, line, len, may_command, w);
	json_t *j;

	assert_non_null(r);
	assert_int_equal(r[strlen(r) - 1], '\n');
	j = json_loads(r, 0, NULL);
	free(r);
	assert_non_null(j);
	return j;
}

static json_t *reply(const char *line, bool may_command, unsigned int *w)
{
	return reply_n(line, strlen(line), may_command, w);
}

static const char *err_message(json_t *j)
{
	return json_string_value(json_object_get(
		json_object_get(j, "error"), "message"));
}

static const char *err_code(json_t *j)
{
	return json_string_value(json_object_get(
		json_object_get(j, "error"), "code"));
}

static void test_reply_echoes_id_and_result(void **state)
{
	json_t *j = reply("{\"v\":1,\"id\":7,\"cmd\":\"status\"}", true, NULL);

	assert_int_equal(json_integer_value(json_object_get(j, "id")), 7);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "result"), "cmd")), "status");
	json_decref(j);
}

static void test_invalid_json_gets_einval_with_column(void **state)
{
	json_t *j = reply("{\"v\":1, oops}", true, NULL);

	assert_string_equal(err_code(j), "EINVAL");
	assert_true(json_is_null(json_object_get(j, "id")));
	assert_non_null(strstr(json_string_value(json_object_get(
		json_object_get(j, "error"), "message")), "column"));
	json_decref(j);
}

static void test_non_object_is_refused(void **state)
{
	json_t *j = reply("[1,2]", true, NULL);

	assert_string_equal(err_code(j), "EINVAL");
	json_decref(j);
}

static void test_missing_version_or_cmd_is_refused(void **state)
{
	json_t *j = reply("{\"id\":1,\"cmd\":\"status\"}", true, NULL);

	assert_string_equal(err_code(j), "EINVAL");
	assert_true(json_is_null(json_object_get(j, "id")));
	json_decref(j);
	j = reply("{\"v\":1,\"id\":1}", true, NULL);
	assert_string_equal(err_code(j), "EINVAL");
	json_decref(j);
}

static void test_other_version_gets_eproto(void **state)
{
	json_t *j = reply("{\"v\":2,\"id\":3,\"cmd\":\"status\"}", true, NULL);

	assert_string_equal(err_code(j), "EPROTO");
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 3);
	json_decref(j);
}

static void test_read_only_peer_cannot_command(void **state)
{
	json_t *j;

	calls = 0;
	j = reply("{\"v\":1,\"id\":1,\"cmd\":\"stop\"}", false, NULL);
	assert_string_equal(err_code(j), "EPERM");
	assert_int_equal(calls, 0);
	assert_non_null(strstr(json_string_value(json_object_get(
		json_object_get(j, "error"), "message")), "group lever"));
	json_decref(j);
}

static void test_read_only_peer_may_read_status(void **state)
{
	json_t *j = reply("{\"v\":1,\"id\":1,\"cmd\":\"status\"}", false, NULL);

	assert_true(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
}

static void test_error_from_handler_carries_code_and_sentence(void **s)
{
	json_t *j = reply("{\"v\":1,\"id\":4,\"cmd\":\"start\"}", true, NULL);

	assert_string_equal(err_code(j), "EBUSY");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "error"), "errno")), EBUSY);
	json_decref(j);
}

static void test_watch_interval_is_bounded(void **state)
{
	unsigned int w = 0;
	json_t *j;

	j = reply("{\"v\":1,\"id\":1,\"cmd\":\"watch\",\"args\":{\"interval_ms\":10}}",
		  false, &w);
	assert_string_equal(err_code(j), "EINVAL");
	assert_int_equal(w, 0);
	json_decref(j);
	j = reply("{\"v\":1,\"id\":1,\"cmd\":\"watch\",\"args\":{\"interval_ms\":250}}",
		  false, &w);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(w, 250);
	json_decref(j);
}

static void test_args_must_be_an_object(void **state)
{
	json_t *j = reply("{\"v\":1,\"id\":1,\"cmd\":\"show\",\"args\":[]}",
			  true, NULL);

	assert_string_equal(err_code(j), "EINVAL");
	json_decref(j);
}

/*
 * jansson's error text quotes the bytes near the error, here the first
 * byte of a two-byte character after a backslash: not UTF-8 on its own,
 * which json_pack() refused, so the client got no reply at all (found
 * by tests/fuzz/fuzz_ctl).
 */
static void test_bad_bytes_near_a_json_error_are_named_in_the_reply(void **s)
{
	json_t *j = reply("{\"v\":1,\"\\\xd1\xb5W\xcc\xfc", true, NULL);

	assert_string_equal(err_code(j), "EINVAL");
	assert_non_null(strstr(err_message(j), "\\xd1"));
	json_decref(j);
}

/* the refusal quotes 32 bytes of the name: here half of its last 'é' */
static void test_a_name_cut_inside_a_character_still_gets_a_reply(void **s)
{
	json_t *j = reply("{\"v\":1,\"cmd\":\"abcdefghijklmnopqrstuvwxyz01234\xc3\xa9\"}",
			  false, NULL);

	assert_string_equal(err_code(j), "EPERM");
	assert_non_null(strstr(err_message(j), "abcdefghijklmnopqrstuvwxyz01234\\xc3"));
	json_decref(j);
}

/* JSON text holds no NUL byte; what follows one must not be ignored */
static void test_a_nul_byte_in_a_request_is_refused_with_its_column(void **s)
{
	static const char line[] = "{\"v\":1,\"cmd\":\"status\"}\0{\"x\":1}";
	json_t *j;

	calls = 0;
	j = reply_n(line, sizeof(line) - 1, true, NULL);
	assert_string_equal(err_code(j), "EINVAL");
	assert_non_null(strstr(err_message(j), "NUL byte at column 23"));
	assert_int_equal(calls, 0);
	json_decref(j);
}

static void test_socket_answers_each_line_and_survives_bad_one(void **s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd fds[8];
	struct ctl *c;
	char path[64], err[256], buf[4096] = "";
	const char *req = "{bad\n{\"v\":1,\"id\":9,\"cmd\":\"hello\"}\n";
	size_t got = 0;
	int fd, n, i, lines = 0;

	snprintf(path, sizeof(path), "/tmp/leverd-test-ctl-%d.sock", getpid());
	assert_int_equal(ctl_open(path, fake, NULL, &c, err, sizeof(err)), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	for (i = 0; i < 50 && lines < 2; i++) {
		n = ctl_pollfds(c, fds, 8);
		poll(fds, n, 100);
		ctl_handle(c, fds, n);
		while (recv(fd, buf + got, sizeof(buf) - got - 1,
			    MSG_DONTWAIT) > 0)
			;
		got = strlen(buf);
		buf[got] = '\0';
		lines = 0;
		for (n = 0; buf[n]; n++)
			lines += buf[n] == '\n';
	}
	assert_int_equal(lines, 2);
	assert_non_null(strstr(buf, "\"EINVAL\""));
	assert_non_null(strstr(buf, "\"id\":9"));
	close(fd);
	ctl_close(c);
	assert_int_not_equal(access(path, F_OK), 0);
}

static struct ctl *open_and_connect(int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl *c;
	char path[64], err[256];

	snprintf(path, sizeof(path), "/tmp/leverd-test-ctl-%d.sock", getpid());
	assert_int_equal(ctl_open(path, fake, NULL, &c, err, sizeof(err)), 0);
	*fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(*fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return c;
}

static void round_of(struct ctl *c)
{
	struct pollfd fds[8];
	int n = ctl_pollfds(c, fds, 8);

	poll(fds, n, 100);
	ctl_handle(c, fds, n);
}

/* a flood of requests is served a few per round, never all at once */
static void test_a_flood_is_served_a_few_requests_per_round(void **s)
{
	const char *req = "{\"v\":1,\"id\":1,\"cmd\":\"hello\"}\n";
	struct ctl *c;
	int fd, i;

	c = open_and_connect(&fd);
	round_of(c);			/* accept */
	for (i = 0; i < 40; i++)
		assert_int_equal(write(fd, req, strlen(req)),
				 (ssize_t)strlen(req));
	calls = 0;
	round_of(c);
	assert_true(calls <= CTL_LINES_PER_ROUND);
	assert_true(ctl_pending(c));
	for (i = 0; i < 20 && calls < 40; i++)
		round_of(c);
	assert_int_equal(calls, 40);
	assert_false(ctl_pending(c));
	close(fd);
	ctl_close(c);
}

/*
 * Over the socket, a line with a NUL byte and a line whose error quotes
 * half a character each get their error reply, and the connection stays
 * to serve the next request.
 */
static void test_socket_answers_lines_with_bad_bytes(void **s)
{
	static const char req[] =
		"{\"v\":1,\"cmd\":\"status\"}\0{}\n"
		"{\"v\":1,\"\\\xd1\xb5}\n"
		"{\"v\":1,\"id\":9,\"cmd\":\"hello\"}\n";
	char buf[4096] = "";
	size_t got = 0;
	ssize_t r;
	struct ctl *c;
	int fd, i, lines = 0;

	c = open_and_connect(&fd);
	round_of(c);			/* accept */
	assert_int_equal(write(fd, req, sizeof(req) - 1),
			 (ssize_t)sizeof(req) - 1);
	for (i = 0; i < 50 && lines < 3; i++) {
		round_of(c);
		while ((r = recv(fd, buf + got, sizeof(buf) - got - 1,
				 MSG_DONTWAIT)) > 0)
			got += r;
		buf[got] = '\0';
		lines = 0;
		for (size_t k = 0; k < got; k++)
			lines += buf[k] == '\n';
	}
	assert_int_equal(lines, 3);
	assert_non_null(strstr(buf, "NUL byte at column 23"));
	assert_non_null(strstr(buf, "\\\\xd1"));
	assert_non_null(strstr(buf, "\"id\":9"));
	close(fd);
	ctl_close(c);
}

/* a connection that says nothing is closed, so slots do not run out */
static void test_an_idle_client_is_dropped(void **state)
{
	struct timespec ts;
	struct ctl *c;
	char b;
	int fd;

	c = open_and_connect(&fd);
	round_of(c);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ctl_expire(c, ts.tv_sec * 1000ull + ts.tv_nsec / 1000000 + 1000);
	assert_int_equal(recv(fd, &b, 1, MSG_DONTWAIT), -1);	/* still open */
	ctl_expire(c, ts.tv_sec * 1000ull + ts.tv_nsec / 1000000 +
		   CTL_IDLE_MS + 1000);
	assert_int_equal(recv(fd, &b, 1, 0), 0);		/* closed */
	close(fd);
	ctl_close(c);
}

/*
 * In a child that is user nobody (65534) when the test runs as root: the
 * child's own uid may command, as a user's own leverd (the demo) answers
 * that user; another uid outside group lever may not.
 */
static void test_leverds_own_user_may_command(void **state)
{
	uid_t own = 65534;
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) ||
				       setresgid(own, own, own) ||
				       setresuid(own, own, own)))
			_exit(2);
		own = geteuid();
		_exit(ctl_may_command(own, getegid()) &&
		      !ctl_may_command(own == 65533 ? 65532 : 65533, 65533) ?
		      0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_echoes_id_and_result),
		cmocka_unit_test(test_invalid_json_gets_einval_with_column),
		cmocka_unit_test(test_non_object_is_refused),
		cmocka_unit_test(test_missing_version_or_cmd_is_refused),
		cmocka_unit_test(test_other_version_gets_eproto),
		cmocka_unit_test(test_read_only_peer_cannot_command),
		cmocka_unit_test(test_read_only_peer_may_read_status),
		cmocka_unit_test(test_leverds_own_user_may_command),
		cmocka_unit_test(test_error_from_handler_carries_code_and_sentence),
		cmocka_unit_test(test_watch_interval_is_bounded),
		cmocka_unit_test(test_args_must_be_an_object),
		cmocka_unit_test(test_bad_bytes_near_a_json_error_are_named_in_the_reply),
		cmocka_unit_test(test_a_name_cut_inside_a_character_still_gets_a_reply),
		cmocka_unit_test(test_a_nul_byte_in_a_request_is_refused_with_its_column),
		cmocka_unit_test(test_socket_answers_each_line_and_survives_bad_one),
		cmocka_unit_test(test_a_flood_is_served_a_few_requests_per_round),
		cmocka_unit_test(test_socket_answers_lines_with_bad_bytes),
		cmocka_unit_test(test_an_idle_client_is_dropped),
	};

	return cmocka_run_group_tests_name("leverd ctl", tests, NULL, NULL);
}
