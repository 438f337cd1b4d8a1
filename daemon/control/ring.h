/* SPDX-License-Identifier: MIT */
/*
 * ring.h - lock-free single-producer/single-consumer ring of fixed-size
 * records, for the RT thread to hand data to the event loop and the
 * recorder. Push and pop never allocate, block or make a syscall; a full
 * ring drops the new record and counts it, it never waits.
 */
#ifndef LEVERD_RING_H
#define LEVERD_RING_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Here, not private to ring.c, so that the RT thread's calls of every
 * cycle (ring_count(), ring_claim(), ring_publish()) are inline: a few
 * loads each, less than the call. Nothing outside ring.[ch] touches it.
 */
struct ring {
	/* separate cache lines: producer and consumer never false-share */
	_Alignas(64) _Atomic uint32_t head;	/* next slot to write */
	_Alignas(64) _Atomic uint32_t tail;	/* next slot to read */
	_Alignas(64) _Atomic uint64_t dropped;
	uint32_t mask;
	size_t rec_size;
	unsigned char *buf;
};

/*
 * A ring of @count records of @rec_size bytes; @count must be a power of
 * two (2..2^24). Returns 0 and *@out, or -EINVAL / -ENOMEM. All memory is
 * allocated and touched here, so the RT side never faults it in.
 */
int ring_new(size_t rec_size, uint32_t count, struct ring **out);
void ring_free(struct ring *r);

/* Producer only. 0, or -ENOBUFS when full (the record is dropped). */
int ring_push(struct ring *r, const void *rec);

/*
 * Producer only: the slot the next record goes in, to be written in place,
 * or NULL when full (the record is dropped, counted as ring_push() counts
 * it); ring_publish() then hands it to the consumer. ring_push() is the
 * two with a copy between.
 */
static inline void *ring_claim(struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->dropped, 1,
					  memory_order_relaxed);
		return NULL;
	}
	return r->buf + (size_t)(head & r->mask) * r->rec_size;
}

static inline void ring_publish(struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

/*
 * Consumer only: up to @max records, oldest first, into @recs (room for
 * @max); how many (0: empty). The records ring_pop() would give one by
 * one, for one call and at most two copies.
 */
uint32_t ring_pop_many(struct ring *r, void *recs, uint32_t max);

/*
 * Consumer only. 0, or -EAGAIN when empty. Inline: an empty ring, the
 * common case, is two loads and no call.
 */
static inline int ring_pop(struct ring *r, void *rec)
{
	if (atomic_load_explicit(&r->head, memory_order_acquire) ==
	    atomic_load_explicit(&r->tail, memory_order_relaxed))
		return -EAGAIN;
	return ring_pop_many(r, rec, 1) ? 0 : -EAGAIN;
}

/*
 * Consumer only: the oldest records where they lie, as many as follow one
 * another in the buffer and at most @max: how many (0: empty), *@recs
 * pointing at the first. They stay where they are, the producer counting
 * them queued, until ring_release() gives that many back: the records
 * ring_pop_many() would copy out, read without the copy.
 */
static inline uint32_t ring_peek(struct ring *r, const void **recs,
				 uint32_t max)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint32_t n = head - tail, at = tail & r->mask;

	if (n > r->mask + 1 - at)
		n = r->mask + 1 - at;	/* up to the buffer's end */
	if (n > max)
		n = max;
	*recs = r->buf + (size_t)at * r->rec_size;
	return n;
}

/* Consumer only: the first @n records ring_peek() lent are done with. */
static inline void ring_release(struct ring *r, uint32_t n)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
}

/* Records waiting; exact for either side, a hint for anyone else. */
static inline uint32_t ring_count(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->head,
				    memory_order_acquire) -
	       atomic_load_explicit(&((struct ring *)r)->tail,
				    memory_order_acquire);
}

/* Records dropped because the ring was full. */
uint64_t ring_dropped(const struct ring *r);

#endif /* LEVERD_RING_H */
