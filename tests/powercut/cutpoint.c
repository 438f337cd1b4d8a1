// SPDX-License-Identifier: MIT
/*
 * cutpoint.c - an LD_PRELOAD library for the power-cut test (run): aims
 * a cut at one file operation on leverd's database, which a cut at a
 * random moment would hit only by luck. Once the guest arms it, the Nth
 * matching operation stops the whole process (SIGSTOP) just before it is
 * made, says so on the console, and the host then kills the VM: the disk
 * holds exactly what the kernel had of leverd's writes at that instant.
 * It never changes what is written; operations not aimed at pass through.
 *
 * Armed by writing one line into the file $LEVER_CUTPOINT_ARM:
 *
 *	TARGET OP N [rec|main]
 *
 * TARGET is "wal" (lever.db-wal) or "db" (lever.db, which WAL mode writes
 * only in a checkpoint); OP is "write" (pwrite), "sync" (fsync or
 * fdatasync) or "truncate"; N counts matching operations from the arming;
 * "rec" counts only those of threads other than the main one (the
 * recorder's), "main" only the main thread's (the event loop's: events,
 * session records, checkpoints). The line "POWERCUT-FROZEN ..." goes to
 * $LEVER_CUTPOINT_TELL with the CLOCK_MONOTONIC time of the stop, leverd's
 * own clock.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum cp_target { CP_NONE, CP_DB, CP_WAL };
enum cp_op { CP_WRITE, CP_SYNC, CP_TRUNCATE };

static const char *const cp_op_name[] = { "write", "sync", "truncate" };

struct cp_spec {
	enum cp_target target;
	enum cp_op op;
	long n;
	bool rec_only;
	bool main_only;
};

static pthread_mutex_t cp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cp_spec cp_armed;
static _Atomic int cp_state;	/* 0 waiting for the arm file, 1 armed, 2 done */
static long cp_count;

static bool cp_ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !strcmp(s + len - n, tail);
}

static enum cp_target cp_target_of(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return CP_NONE;
	path[n] = '\0';
	if (cp_ends_with(path, (size_t)n, "/lever.db-wal"))
		return CP_WAL;
	if (cp_ends_with(path, (size_t)n, "/lever.db"))
		return CP_DB;
	return CP_NONE;
}

/* Reads the arm file once it exists: 0 armed, -1 not (yet). */
static int cp_read_arm(void)
{
	const char *p = getenv("LEVER_CUTPOINT_ARM");
	char tgt[8] = "", op[12] = "", rec[8] = "";
	struct cp_spec s = { 0 };
	FILE *f;
	int k;

	if (!p || !*p)
		return -1;
	f = fopen(p, "re");
	if (!f)
		return -1;
	k = fscanf(f, "%7s %11s %ld %7s", tgt, op, &s.n, rec);
	fclose(f);
	if (k < 3 || s.n < 1)
		return -1;
	s.target = !strcmp(tgt, "db") ? CP_DB :
		   !strcmp(tgt, "wal") ? CP_WAL : CP_NONE;
	if (!strcmp(op, "write"))
		s.op = CP_WRITE;
	else if (!strcmp(op, "sync"))
		s.op = CP_SYNC;
	else if (!strcmp(op, "truncate"))
		s.op = CP_TRUNCATE;
	else
		return -1;
	s.rec_only = !strcmp(rec, "rec");
	s.main_only = !strcmp(rec, "main");
	if (s.target == CP_NONE)
		return -1;
	cp_armed = s;
	cp_count = 0;
	return 0;
}

static void cp_tell(const struct cp_spec *s, bool main_thread, off_t off,
		    size_t len)
{
	const char *p = getenv("LEVER_CUTPOINT_TELL");
	struct timespec ts;
	char line[256];
	int fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line),
		     "POWERCUT-FROZEN mono_ns=%lld at=%s-%s n=%ld thread=%s off=%lld len=%zu\n",
		     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
		     s->target == CP_DB ? "db" : "wal", cp_op_name[s->op],
		     s->n, main_thread ? "main" : "other", (long long)off,
		     len);
	if (!p || n <= 0)
		return;
	fd = open(p, O_WRONLY | O_NOCTTY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	/* one write: a line on the console is not split by other writers */
	if (write(fd, line, (size_t)n) < 0)
		n = 0;
	close(fd);
}

/* Called before each operation on a file; stops here when it is the one. */
static void cp_check(int fd, enum cp_op op, off_t off, size_t len)
{
	bool main_thread, fire = false;
	enum cp_target t;
	int saved = errno;

	if (atomic_load(&cp_state) == 2)
		return;
	t = cp_target_of(fd);
	if (t == CP_NONE)
		goto out;
	main_thread = syscall(SYS_gettid) == getpid();
	pthread_mutex_lock(&cp_lock);
	if (atomic_load(&cp_state) == 0 && !cp_read_arm())
		atomic_store(&cp_state, 1);
	if (atomic_load(&cp_state) == 1 && t == cp_armed.target &&
	    op == cp_armed.op && !(cp_armed.rec_only && main_thread) &&
	    !(cp_armed.main_only && !main_thread) &&
	    ++cp_count == cp_armed.n) {
		atomic_store(&cp_state, 2);
		fire = true;
	}
	pthread_mutex_unlock(&cp_lock);
	if (fire) {
		cp_tell(&cp_armed, main_thread, off, len);
		/* every thread of leverd stops here until the power goes */
		kill(getpid(), SIGSTOP);
	}
out:
	errno = saved;
}

typedef ssize_t (*cp_pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*cp_sync_fn)(int);
typedef int (*cp_truncate_fn)(int, off_t);

/* The C library's own, looked up once (a race only looks it up twice). */
#define CP_REAL(name, type)						\
	static type real_##name;					\
	if (!real_##name)						\
		real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	CP_REAL(pwrite64, cp_pwrite_fn);
	cp_check(fd, CP_WRITE, off, len);
	return real_pwrite64(fd, buf, len, off);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	CP_REAL(pwrite, cp_pwrite_fn);
	cp_check(fd, CP_WRITE, off, len);
	return real_pwrite(fd, buf, len, off);
}

int fdatasync(int fd)
{
	CP_REAL(fdatasync, cp_sync_fn);
	cp_check(fd, CP_SYNC, 0, 0);
	return real_fdatasync(fd);
}

int fsync(int fd)
{
	CP_REAL(fsync, cp_sync_fn);
	cp_check(fd, CP_SYNC, 0, 0);
	return real_fsync(fd);
}

int ftruncate64(int fd, off_t len)
{
	CP_REAL(ftruncate64, cp_truncate_fn);
	cp_check(fd, CP_TRUNCATE, len, 0);
	return real_ftruncate64(fd, len);
}

int ftruncate(int fd, off_t len)
{
	CP_REAL(ftruncate, cp_truncate_fn);
	cp_check(fd, CP_TRUNCATE, len, 0);
	return real_ftruncate(fd, len);
}
