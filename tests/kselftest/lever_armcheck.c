// SPDX-License-Identifier: GPL-2.0
/*
 * lever_armcheck.c - for VM case 33: waits, then tries to arm /dev/leverN
 * behind a board lever.ko must not trust (lever_badboard mute, garbage,
 * halt), and reports what the driver said. Disarms at once if the ARM
 * was taken; it never commands anything.
 *
 * usage: lever_armcheck NODE WAIT_MS
 * exit: 0 ARM refused, 1 ARM taken, 2 the device could not be used
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/lever.h>

int main(int argc, char **argv)
{
	struct lever_status st;
	struct timespec ts;
	long wait_ms;
	int fd, ret, err;

	if (argc != 3) {
		fprintf(stderr, "usage: lever_armcheck NODE WAIT_MS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "lever_armcheck: %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	wait_ms = strtol(argv[2], NULL, 10);
	ts.tv_sec = wait_ms / 1000;
	ts.tv_nsec = (wait_ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	ret = ioctl(fd, LEVER_IOC_ARM);
	err = errno;
	if (!ioctl(fd, LEVER_IOC_GET_STATUS, &st))
		printf("state %u faults 0x%x samples %llu\n", st.state,
		       st.faults, (unsigned long long)st.samples);
	if (!ret) {
		ioctl(fd, LEVER_IOC_STOP);
		printf("ARM taken\n");
		close(fd);
		return 1;
	}
	printf("ARM refused: %s\n", strerror(err));
	close(fd);
	return 0;
}
