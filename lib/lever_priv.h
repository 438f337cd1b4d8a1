/* SPDX-License-Identifier: MIT */
/*
 * lever_priv.h - what liblever's transports share: the handle, the ops
 * table each transport fills in, and the syscall table unit tests replace.
 * Never installed, never included by users of the library.
 */
#ifndef LEVER_PRIV_H
#define LEVER_PRIV_H

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include <lever/lever.h>
#include "lever_wire.h"

struct lever_dev;

struct lever_ops {
	int (*info)(struct lever_dev *dev, struct lever_dev_info *info);
	int (*arm)(struct lever_dev *dev);
	int (*disarm)(struct lever_dev *dev);
	int (*command)(struct lever_dev *dev,
		       const struct lever_dev_command *cmd);
	int (*stop)(struct lever_dev *dev);
	int (*set_watchdog)(struct lever_dev *dev, uint32_t period_ms);
	int (*status)(struct lever_dev *dev, struct lever_dev_status *st);
	int (*reset_faults)(struct lever_dev *dev);
	int (*read_sample)(struct lever_dev *dev, struct lever_dev_sample *s,
			   bool block);
	int (*fd)(struct lever_dev *dev);
	int (*reopen)(struct lever_dev *dev);
	void (*close)(struct lever_dev *dev);
	/* sim only; NULL elsewhere */
	int (*sim_step)(struct lever_dev *dev, uint64_t ns);
	/* lever_sim_step_read(); NULL: the three calls it stands for */
	int (*sim_step_read)(struct lever_dev *dev, uint64_t ns,
			     struct lever_dev_sample *s);
	int (*sim_now)(struct lever_dev *dev, uint64_t *now_ns);
	int (*sim_truth)(struct lever_dev *dev, struct lever_sim_truth *t);
	int (*sim_inject)(struct lever_dev *dev, unsigned int fault, int on);
	int (*sim_set_line)(struct lever_dev *dev, unsigned int line,
			    int active);
	int (*sim_press_button)(struct lever_dev *dev, unsigned int button,
				uint32_t hold_ms);
	int (*sim_set_runner)(struct lever_dev *dev, uint32_t body_mass_g,
			      uint32_t cadence_spm);
};

/* Embedded first in every transport's own handle struct. */
struct lever_dev {
	const struct lever_ops *ops;
	unsigned int flags;		/* LEVER_DEV_OPEN_* */
};

/*
 * The system calls the chardev transport makes, in one table so that the
 * unit tests can put a mock under the ioctl boundary.
 */
struct lever_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	ssize_t (*read)(int fd, void *buf, size_t len);
	int (*poll)(struct pollfd *fds, nfds_t n, int timeout_ms);
};

extern struct lever_sys lever_sys;
/* Where the chardev transport looks; tests point them at a temp dir. */
extern const char *lever_sysfs_class_dir;	/* "/sys/class/lever" */
extern const char *lever_dev_dir;		/* "/dev" */

int lever_chardev_open(const char *spec, unsigned int flags,
		       struct lever_dev **out);
int lever_sim_open(const char *opts, unsigned int flags,
		   struct lever_dev **out);
int lever_usb_open(const char *serial, unsigned int flags,
		   struct lever_dev **out);

struct lever_wire_sample;
/*
 * A sample frame from the board's wire format (little-endian) into the
 * API's record, stamped @timestamp_ns; lost and flags are left zero for
 * the transport's own ring accounting.
 */
/*
 * The userspace transports' sample queue, with the driver's accounting:
 * a gap in the board's sequence and a sample dropped because the queue is
 * full both count as dropped, and the next sample queued carries how many
 * were lost before it (LEVER_DEV_SAMPLE_OVERFLOW). A full queue drops the
 * newest, as the driver's ring does.
 */
struct lever_squeue {
	struct lever_dev_sample *ring;	/* @size entries, the transport's */
	unsigned int size, mask, head, count;	/* size: a power of two */
	bool have_seq;
	uint32_t next_seq;
	uint32_t pending_lost;		/* lost since the last one queued */
	uint64_t dropped;
};

/* @size must be a power of two: the indices wrap by a mask, not a divide. */
void lever_squeue_init(struct lever_squeue *q, struct lever_dev_sample *ring,
		       unsigned int size);

/*
 * Where the next sample goes, for the transport to make it there in place
 * and queue it by lever_squeue_add(); NULL when the queue is full (the
 * sample is then made elsewhere, and lever_squeue_add() drops it). The
 * slot is the caller's to read until the next sample is made: one is
 * written again only by a sample added after @size more.
 */
static inline struct lever_dev_sample *
lever_squeue_tail(struct lever_squeue *q)
{
	if (q->count == q->size)
		return NULL;
	return &q->ring[(q->head + q->count) & q->mask];
}

/*
 * Queues the sample just made in @slot, what lever_squeue_tail() gave,
 * the board's sample number @seq, with the loss before it (or counts it
 * dropped when @slot is NULL: the queue was full). Inline: once a sample.
 */
static inline void lever_squeue_add(struct lever_squeue *q,
				    struct lever_dev_sample *slot,
				    uint32_t seq)
{
	uint32_t lost = 0;

	if (q->have_seq && seq != q->next_seq)
		lost = seq - q->next_seq;
	q->have_seq = true;
	q->next_seq = seq + 1;
	q->dropped += lost;
	lost += q->pending_lost;
	if (!slot) {
		q->pending_lost = lost + 1;
		q->dropped++;
		return;
	}
	q->pending_lost = 0;
	/* the transport's own copy, if any, stays as it was */
	slot->lost = lost;
	if (lost)
		slot->flags |= LEVER_DEV_SAMPLE_OVERFLOW;
	q->count++;
}

/*
 * Queues a copy of @d, the board's sample number @seq, with the loss
 * before it (or counts it dropped). Inline: once a sample.
 */
static inline void lever_squeue_push(struct lever_squeue *q,
				     const struct lever_dev_sample *d,
				     uint32_t seq)
{
	struct lever_dev_sample *slot = lever_squeue_tail(q);

	if (slot)
		*slot = *d;
	lever_squeue_add(q, slot, seq);
}

/* The oldest queued sample: 0, or -EAGAIN when empty. Inline: once a
 * sample, on the control loop's path. */
static inline int lever_squeue_pop(struct lever_squeue *q,
				   struct lever_dev_sample *out)
{
	if (!q->count)
		return -EAGAIN;
	*out = q->ring[q->head];
	q->head = (q->head + 1) & q->mask;
	q->count--;
	return 0;
}
/* A new stream (reopen): empty, no sequence expected, nothing pending. */
void lever_squeue_restart(struct lever_squeue *q);

/* The host's view of a board's sample frame. Inline: once a sample. */
static inline void lever_sample_from_wire(struct lever_dev_sample *d,
					  const struct lever_wire_sample *w,
					  uint64_t timestamp_ns)
{
	/*
	 * Every field written, none cleared first (d is often a queue slot
	 * that held an older sample). A field added must be added here.
	 */
	_Static_assert(sizeof(*d) == 80, "every field is written below");
	d->timestamp_ns = timestamp_ns;
	d->board_time_ns = le64toh(w->board_time_ns);
	d->seq = le32toh(w->seq);
	d->flags = 0;
	d->lost = 0;
	d->support_pressure_pa = le32toh(w->support_pressure_pa);
	d->support_force_mn = (int32_t)le32toh(w->support_force_mn);
	d->belt_speed_mm_s = (int32_t)le32toh(w->belt_speed_mm_s);
	d->incline_centi_pct = (int16_t)le16toh(w->incline_centi_pct);
	d->lines = le16toh(w->lines);
	d->buttons = le16toh(w->buttons);
	d->board_state = le16toh(w->board_state);
	d->board_faults = le32toh(w->faults);
	d->cmd_seq_applied = le32toh(w->cmd_seq_applied);
	d->pressure_setpoint_pa = le32toh(w->pressure_setpoint_pa);
	d->belt_setpoint_mm_s = (int32_t)le32toh(w->belt_setpoint_mm_s);
	d->incline_setpoint_centi_pct =
		(int16_t)le16toh(w->incline_setpoint_centi_pct);
	d->reserved0 = 0;
	d->reserved[0] = 0;
	d->reserved[1] = 0;
	d->reserved[2] = 0;
}

/* lever_gpio_watch_flags()'s word for one line: 0, or -EINVAL. */
int lever_gpio_flags_check(uint32_t line_flags);
/*
 * The same word as libgpiod 1.x request flags (GPIOD_LINE_REQUEST_FLAG_*),
 * or -EINVAL; built with libgpiod 1.x only (2.x: line settings, gpio.c).
 */
int lever_gpio_flags_v1(uint32_t line_flags);

/* Copy at most @size - 1 bytes and NUL terminate; false if truncated. */
bool lever_strlcpy(char *dst, const char *src, size_t size);

#define LEVER_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define lever_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* LEVER_PRIV_H */
