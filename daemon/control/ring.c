// SPDX-License-Identifier: MIT
/*
 * ring.c - SPSC ring with C11 acquire/release atomics. The producer owns
 * @head, the consumer owns @tail; each only reads the other's index. Never
 * add a lock or an allocation here: the RT thread pushes into it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int ring_new(size_t rec_size, uint32_t count, struct ring **out)
{
	struct ring *r;

	if (!out || !rec_size || rec_size > 65536 || count < 2 ||
	    count > (1u << 24) || (count & (count - 1)))
		return -EINVAL;
	r = aligned_alloc(64, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->buf = calloc(count, rec_size);
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	/* touch every page now; the RT thread must not fault them in */
	memset(r->buf, 0, (size_t)count * rec_size);
	r->mask = count - 1;
	r->rec_size = rec_size;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	*out = r;
	return 0;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

int ring_push(struct ring *r, const void *rec)
{
	void *slot = ring_claim(r);

	if (!slot)
		return -ENOBUFS;
	memcpy(slot, rec, r->rec_size);
	ring_publish(r);
	return 0;
}

uint32_t ring_pop_many(struct ring *r, void *recs, uint32_t max)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint32_t n = head - tail, at = tail & r->mask, first;

	if (n > max)
		n = max;
	if (!n)
		return 0;
	/* from the tail to the buffer's end, then from its start */
	first = r->mask + 1 - at;
	if (first > n)
		first = n;
	memcpy(recs, r->buf + (size_t)at * r->rec_size,
	       (size_t)first * r->rec_size);
	if (n > first)
		memcpy((unsigned char *)recs + (size_t)first * r->rec_size,
		       r->buf, (size_t)(n - first) * r->rec_size);
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

uint64_t ring_dropped(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->dropped,
				    memory_order_relaxed);
}
