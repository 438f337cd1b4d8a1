// SPDX-License-Identifier: MIT
/*
 * simctl.c - lever-simctl SOCKET CMD...: sends one command to lever-simd's
 * control socket and prints the answer, for shell tests. Exit 0 on "ok",
 * 1 on "error: ...", 2 when the socket cannot be used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[256], *p = line;
	char reply[8192];
	size_t used = 0, start = 0, i;
	ssize_t n;
	int fd, k;

	if (argc < 3) {
		fprintf(stderr, "usage: lever-simctl SOCKET COMMAND...\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "lever-simctl: socket path too long: %s\n",
			argv[1]);
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	line[0] = '\0';
	for (k = 2; k < argc; k++) {
		n = snprintf(p, sizeof(line) - (p - line), "%s%s",
			     k > 2 ? " " : "", argv[k]);
		if (n < 0 || n >= (ssize_t)(sizeof(line) - (p - line) - 1)) {
			fprintf(stderr, "lever-simctl: command too long\n");
			return 2;
		}
		p += n;
	}
	*p++ = '\n';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "lever-simctl: cannot connect to %s: %s\n",
			argv[1], strerror(errno));
		return 2;
	}
	if (write(fd, line, p - line) != p - line) {
		fprintf(stderr, "lever-simctl: writing to %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	/* Print key=value lines until the final ok / error: line. */
	for (;;) {
		n = read(fd, reply + used, sizeof(reply) - 1 - used);
		if (n <= 0) {
			fprintf(stderr, "lever-simctl: %s closed before answering\n",
				argv[1]);
			return 2;
		}
		used += n;
		for (i = start; i < used; i++) {
			if (reply[i] != '\n')
				continue;
			reply[i] = '\0';
			if (!strcmp(reply + start, "ok"))
				return 0;
			if (!strncmp(reply + start, "error:", 6)) {
				fprintf(stderr, "lever-simctl: %s\n",
					reply + start);
				return 1;
			}
			puts(reply + start);
			start = i + 1;
		}
		if (start == used) {
			used = start = 0;
		} else if (used == sizeof(reply) - 1) {
			fprintf(stderr, "lever-simctl: answer line too long\n");
			return 2;
		}
	}
}
