// SPDX-License-Identifier: GPL-2.0
/*
 * lever_ioctl_storm.c - for make check-debug: random ioctl()s, and a few
 * read()s and poll()s, on /dev/leverN from several threads while the board
 * comes and goes. The numbers and arguments are random, the pointers NULL,
 * unmapped, kernel, non-canonical or running off the end of a mapping.
 * The debug kernel is the judge (KASAN, lockdep, kmemleak...); this program
 * only checks that no kernel-internal errno leaks out and that the device
 * answers once the storm is over. It never writes outside its own scratch
 * pages, so a random _IOR cannot corrupt it.
 *
 * usage: lever_ioctl_storm NODE SECONDS THREADS [SEED]
 * TAP on stdout; exit 0 when both checks passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/lever.h>

#define STORM_MAX_THREADS	16
/* kernel-internal codes (ERESTARTSYS, ENOIOCTLCMD...) start here */
#define STORM_ERRNO_INTERNAL	512

struct storm_thread {
	pthread_t tid;
	unsigned int id;
	uint64_t rng;
	unsigned char *scratch;		/* two pages, then a PROT_NONE one */
	unsigned long ioctls, opens, absent, reads;
	unsigned long ok, efault, enotty, enodev, other;
	int bad_errno;			/* first errno >= 512 seen, or 0 */
	unsigned int bad_cmd;
};

static const char *storm_node;
static struct timespec storm_end;
static long storm_page;

static const unsigned int storm_cmds[] = {
	LEVER_IOC_GET_INFO, LEVER_IOC_ARM, LEVER_IOC_DISARM,
	LEVER_IOC_COMMAND, LEVER_IOC_STOP, LEVER_IOC_SET_WATCHDOG,
	LEVER_IOC_GET_STATUS, LEVER_IOC_RESET_FAULTS,
};

static uint64_t storm_rand(struct storm_thread *t)
{
	/* xorshift64*: cheap, and a seed replays a thread's sequence */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static unsigned int storm_below(struct storm_thread *t, unsigned int n)
{
	return (unsigned int)(storm_rand(t) % n);
}

static int storm_over(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > storm_end.tv_sec ||
	       (now.tv_sec == storm_end.tv_sec &&
		now.tv_nsec >= storm_end.tv_nsec);
}

/*
 * An ioctl number: a real command, a real one with its size or direction
 * changed, any number of the LEVER magic, or any number at all except
 * those the VFS answers before the driver sees them (FIONBIO, FIOASYNC...
 * are 'T', FIFREEZE freezes the filesystem of the node: 'X', FICLONE 0x94).
 */
static unsigned int storm_cmd(struct storm_thread *t)
{
	unsigned int cmd, type;

	switch (storm_below(t, 4)) {
	case 0:
		return storm_cmds[storm_below(t, 8)];
	case 1:
		cmd = storm_cmds[storm_below(t, 8)];
		if (storm_below(t, 2))
			cmd ^= (unsigned int)storm_below(t, 1u << _IOC_SIZEBITS)
			       << _IOC_SIZESHIFT;
		else
			cmd ^= (unsigned int)storm_below(t, 4) << _IOC_DIRSHIFT;
		return cmd;
	case 2:
		return _IOC(storm_below(t, 4), LEVER_IOC_MAGIC,
			    storm_below(t, 256),
			    storm_below(t, 1u << _IOC_SIZEBITS));
	default:
		cmd = (unsigned int)storm_rand(t);
		type = _IOC_TYPE(cmd);
		if (type == 'T' || type == 'X' || type == 0x94)
			cmd = (cmd & ~(_IOC_TYPEMASK << _IOC_TYPESHIFT)) |
			      (LEVER_IOC_MAGIC << _IOC_TYPESHIFT);
		return cmd;
	}
}

/* An argument: mostly a pointer the kernel must check before using. */
static unsigned long storm_arg(struct storm_thread *t, unsigned int cmd)
{
	unsigned long two_pages = 2 * storm_page;
	unsigned long size = _IOC_SIZE(cmd), off;
	unsigned long base = (unsigned long)t->scratch;

	switch (storm_below(t, 10)) {
	case 0:
		return 0;
	case 1:
		return 1 + storm_below(t, 4095);
	case 2:		/* anywhere in the scratch pages, maybe off their end */
		return base + storm_below(t, two_pages);
	case 3:		/* the argument ends exactly where the mapping does */
		off = size < two_pages ? two_pages - size : 0;
		return base + off;
	case 4:		/* one byte short of fitting */
		off = size && size <= two_pages ? two_pages - size + 1 : 0;
		return base + off;
	case 5:		/* the guard page */
		return base + two_pages + storm_below(t, storm_page);
	case 6:		/* the kernel's direct map and text */
		return storm_below(t, 2) ?
		       0xffff888000000000ul + storm_below(t, 1u << 30) :
		       0xffffffff81000000ul + storm_below(t, 1u << 24);
	case 7:		/* non-canonical */
		return 0x8000000000000000ul ^ (unsigned long)storm_rand(t);
	case 8:		/* just past the user half (not below it: without
			 * ASLR the stack's last page is there), and the
			 * last addresses
			 */
		return storm_below(t, 2) ? 0x7ffffffff000ul + storm_below(t, 64) :
		       ~0ul - storm_below(t, 64);
	default:	/* a struct-sized run of random bytes, in bounds */
		off = size < two_pages ? storm_below(t, two_pages - size) : 0;
		for (unsigned long i = 0; i < size && off + i < two_pages; i++)
			t->scratch[off + i] = (unsigned char)storm_rand(t);
		return base + off;
	}
}

static void storm_count(struct storm_thread *t, unsigned int cmd, long ret,
			int err)
{
	if (ret >= 0) {
		t->ok++;
		return;
	}
	if (err >= STORM_ERRNO_INTERNAL && !t->bad_errno) {
		t->bad_errno = err;
		t->bad_cmd = cmd;
	}
	if (err == EFAULT)
		t->efault++;
	else if (err == ENOTTY)
		t->enotty++;
	else if (err == ENODEV)
		t->enodev++;
	else
		t->other++;
}

static void storm_one(struct storm_thread *t, int fd, int nonblock)
{
	unsigned int cmd, n;
	struct pollfd pfd;
	unsigned long arg;
	ssize_t got;

	n = storm_below(t, 20);
	if (n == 0 && nonblock) {
		/* a blocking read could outwait the storm: never on those */
		n = storm_below(t, 3 * sizeof(struct lever_sample));
		arg = storm_below(t, 2) ? storm_arg(t, _IOC(0, 0, 0, n)) :
		      (unsigned long)t->scratch;
		if (arg == (unsigned long)t->scratch && n > 2 * storm_page)
			n = 2 * storm_page;
		got = read(fd, (void *)arg, n);
		t->reads++;
		storm_count(t, 0, got, errno);
		return;
	}
	if (n == 1) {
		pfd.fd = fd;
		pfd.events = POLLIN | POLLOUT | POLLPRI;
		poll(&pfd, 1, storm_below(t, 3));
		return;
	}
	cmd = storm_cmd(t);
	arg = storm_arg(t, cmd);
	t->ioctls++;
	storm_count(t, cmd, ioctl(fd, cmd, arg), errno);
}

static void *storm_thread_main(void *p)
{
	struct storm_thread *t = p;
	int fd, nonblock, k, n;

	while (!storm_over()) {
		nonblock = storm_below(t, 2);
		fd = open(storm_node, O_RDWR | (nonblock ? O_NONBLOCK : 0));
		if (fd < 0) {
			/* the board is away: wait for it to come back */
			t->absent++;
			usleep(1000 + storm_below(t, 5000));
			continue;
		}
		t->opens++;
		/* some files live long enough to see an unplug */
		n = storm_below(t, 8) ? 1 + storm_below(t, 50) : 5000;
		for (k = 0; k < n && !storm_over(); k++)
			storm_one(t, fd, nonblock);
		close(fd);
	}
	return NULL;
}

/* After the storm: the node is back and GET_INFO answers. */
static int storm_device_answers(void)
{
	struct lever_info info;
	int fd, i, ret;

	for (i = 0; i < 300; i++) {
		fd = open(storm_node, O_RDWR);
		if (fd >= 0) {
			ret = ioctl(fd, LEVER_IOC_GET_INFO, &info);
			close(fd);
			if (!ret)
				return 1;
		}
		usleep(100000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct storm_thread threads[STORM_MAX_THREADS];
	unsigned long ioctls = 0, opens = 0, absent = 0, reads = 0;
	unsigned long ok = 0, efault = 0, enotty = 0, enodev = 0, other = 0;
	int bad_errno = 0, rc = 0;
	unsigned int bad_cmd = 0, i, nthreads;
	uint64_t seed;
	long seconds;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: lever_ioctl_storm NODE SECONDS THREADS [SEED]\n");
		return 2;
	}
	storm_node = argv[1];
	seconds = strtol(argv[2], NULL, 10);
	nthreads = (unsigned int)strtoul(argv[3], NULL, 10);
	seed = argc == 5 ? strtoull(argv[4], NULL, 0) :
	       (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (seconds <= 0 || !nthreads || nthreads > STORM_MAX_THREADS) {
		fprintf(stderr, "lever_ioctl_storm: SECONDS > 0, THREADS 1..%d\n",
			STORM_MAX_THREADS);
		return 2;
	}
	storm_page = sysconf(_SC_PAGESIZE);
	clock_gettime(CLOCK_MONOTONIC, &storm_end);
	storm_end.tv_sec += seconds;

	printf("1..2\n# seed %#llx (replay: %s %s %s %s %#llx)\n",
	       (unsigned long long)seed, argv[0], argv[1], argv[2], argv[3],
	       (unsigned long long)seed);
	fflush(stdout);
	for (i = 0; i < nthreads; i++) {
		struct storm_thread *t = &threads[i];

		t->id = i;
		t->rng = seed + 0x9e3779b97f4a7c15ull * (i + 1);
		if (!t->rng)
			t->rng = 1;
		t->scratch = mmap(NULL, 3 * storm_page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->scratch == MAP_FAILED ||
		    mprotect(t->scratch + 2 * storm_page, storm_page,
			     PROT_NONE)) {
			perror("lever_ioctl_storm: scratch pages");
			return 2;
		}
		if (pthread_create(&t->tid, NULL, storm_thread_main, t)) {
			fprintf(stderr, "lever_ioctl_storm: pthread_create\n");
			return 2;
		}
	}
	for (i = 0; i < nthreads; i++) {
		struct storm_thread *t = &threads[i];

		pthread_join(t->tid, NULL);
		ioctls += t->ioctls;
		opens += t->opens;
		absent += t->absent;
		reads += t->reads;
		ok += t->ok;
		efault += t->efault;
		enotty += t->enotty;
		enodev += t->enodev;
		other += t->other;
		if (t->bad_errno && !bad_errno) {
			bad_errno = t->bad_errno;
			bad_cmd = t->bad_cmd;
		}
	}
	printf("# %lu ioctls, %lu reads in %lu opens from %u threads; the node was away %lu times\n",
	       ioctls, reads, opens, nthreads, absent);
	printf("# results: %lu ok, %lu EFAULT, %lu ENOTTY, %lu ENODEV, %lu other\n",
	       ok, efault, enotty, enodev, other);
	if (bad_errno || !ioctls) {
		printf("not ok 1 - no kernel-internal errno reaches userspace\n");
		if (bad_errno)
			printf("# errno %d from cmd %#x\n", bad_errno, bad_cmd);
		rc = 1;
	} else {
		printf("ok 1 - no kernel-internal errno reaches userspace\n");
	}
	if (storm_device_answers()) {
		printf("ok 2 - the device answers GET_INFO after the storm\n");
	} else {
		printf("not ok 2 - the device answers GET_INFO after the storm\n");
		rc = 1;
	}
	return rc;
}
