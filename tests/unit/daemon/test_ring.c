// SPDX-License-Identifier: MIT
/*
 * test_ring.c - specification of the SPSC ring: FIFO order, a full ring
 * drops and counts instead of blocking, index wrap-around, and no record
 * lost or torn between two threads; the same for records written in place
 * (ring_claim() / ring_publish()) and taken in batches (ring_pop_many()).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "control/ring.h"

struct rec {
	uint64_t seq;
	uint64_t check;
};

/* what a record of number @seq carries besides it */
static uint64_t check_of(uint64_t seq)
{
	return ~seq * 0x9e3779b97f4a7c15ull;
}

static void push_seq(struct ring *r, uint64_t seq)
{
	struct rec in = { .seq = seq, .check = check_of(seq) };

	assert_int_equal(ring_push(r, &in), 0);
}

static void pop_seq(struct ring *r, uint64_t seq)
{
	struct rec out;

	assert_int_equal(ring_pop(r, &out), 0);
	assert_int_equal(out.seq, seq);
	assert_int_equal(out.check, check_of(seq));
}

static void test_size_must_be_a_power_of_two(void **state)
{
	struct ring *r = NULL;

	assert_int_equal(ring_new(8, 6, &r), -EINVAL);
	assert_int_equal(ring_new(8, 1, &r), -EINVAL);
	assert_int_equal(ring_new(0, 8, &r), -EINVAL);
	assert_null(r);
	assert_int_equal(ring_new(8, 8, &r), 0);
	ring_free(r);
}

static void test_records_come_out_in_order(void **state)
{
	struct ring *r;
	struct rec in, out;
	uint64_t i;

	assert_int_equal(ring_new(sizeof(in), 8, &r), 0);
	for (i = 0; i < 5; i++) {
		in.seq = i;
		assert_int_equal(ring_push(r, &in), 0);
	}
	assert_int_equal(ring_count(r), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(ring_pop(r, &out), 0);
		assert_int_equal(out.seq, i);
	}
	ring_free(r);
}

static void test_empty_ring_pops_eagain(void **state)
{
	struct ring *r;
	struct rec out;

	assert_int_equal(ring_new(sizeof(out), 4, &r), 0);
	assert_int_equal(ring_pop(r, &out), -EAGAIN);
	ring_free(r);
}

static void test_full_ring_drops_new_record_and_counts_it(void **state)
{
	struct ring *r;
	struct rec in = { 0 }, out;
	int i;

	assert_int_equal(ring_new(sizeof(in), 4, &r), 0);
	for (i = 0; i < 4; i++) {
		in.seq = i;
		assert_int_equal(ring_push(r, &in), 0);
	}
	in.seq = 99;
	assert_int_equal(ring_push(r, &in), -ENOBUFS);
	assert_int_equal(ring_dropped(r), 1);
	assert_int_equal(ring_pop(r, &out), 0);
	assert_int_equal(out.seq, 0);
	ring_free(r);
}

static void test_indices_wrap_without_loss(void **state)
{
	struct ring *r;
	struct rec in = { 0 }, out;
	uint64_t i;

	assert_int_equal(ring_new(sizeof(in), 4, &r), 0);
	for (i = 0; i < 1000; i++) {
		in.seq = i;
		assert_int_equal(ring_push(r, &in), 0);
		assert_int_equal(ring_pop(r, &out), 0);
		assert_int_equal(out.seq, i);
	}
	assert_int_equal(ring_count(r), 0);
	ring_free(r);
}

static void test_batch_pop_across_end_gives_all_in_order(void **state)
{
	struct ring *r;
	struct rec out[8];
	uint64_t i;

	assert_int_equal(ring_new(sizeof(out[0]), 8, &r), 0);
	/* the tail at slot 6: seven records fill slots 6, 7, 0 .. 4 */
	for (i = 0; i < 6; i++) {
		push_seq(r, 100 + i);
		pop_seq(r, 100 + i);
	}
	for (i = 0; i < 7; i++)
		push_seq(r, i);
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(ring_pop_many(r, out, 8), 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(out[i].seq, i);
		assert_int_equal(out[i].check, check_of(i));
	}
	assert_int_equal(ring_count(r), 0);
	ring_free(r);
}

static void test_batch_pop_no_more_than_asked_or_queued(void **state)
{
	struct ring *r;
	struct rec out[9], untouched;
	uint64_t i;

	assert_int_equal(ring_new(sizeof(out[0]), 8, &r), 0);
	for (i = 0; i < 5; i++)
		push_seq(r, i);
	memset(out, 0xa5, sizeof(out));
	memset(&untouched, 0xa5, sizeof(untouched));
	/* fewer asked than queued: those asked, the rest left queued */
	assert_int_equal(ring_pop_many(r, out, 0), 0);
	assert_int_equal(ring_count(r), 5);
	assert_int_equal(ring_pop_many(r, out, 3), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].seq, i);
	assert_memory_equal(&out[3], &untouched, sizeof(untouched));
	assert_int_equal(ring_count(r), 2);
	/* more asked than queued: those queued, nothing written past them */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(ring_pop_many(r, out, 9), 2);
	assert_int_equal(out[0].seq, 3);
	assert_int_equal(out[1].seq, 4);
	for (i = 2; i < 9; i++)
		assert_memory_equal(&out[i], &untouched, sizeof(untouched));
	assert_int_equal(ring_pop_many(r, out, 9), 0);
	assert_int_equal(ring_pop(r, &out[0]), -EAGAIN);
	ring_free(r);
}

static void test_batch_pop_empties_a_full_ring(void **state)
{
	struct ring *r;
	struct rec out[4];
	uint64_t i;

	assert_int_equal(ring_new(sizeof(out[0]), 4, &r), 0);
	push_seq(r, 50);
	pop_seq(r, 50);
	for (i = 0; i < 4; i++)
		push_seq(r, i);
	assert_int_equal(ring_pop_many(r, out, 4), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(out[i].seq, i);
	/* and the room is the producer's again */
	push_seq(r, 4);
	pop_seq(r, 4);
	ring_free(r);
}

static void test_full_claim_drops_counts_loses_nothing(void **state)
{
	struct ring *r;
	uint64_t i;

	assert_int_equal(ring_new(sizeof(struct rec), 4, &r), 0);
	for (i = 0; i < 4; i++)
		push_seq(r, i);
	assert_null(ring_claim(r));
	assert_int_equal(ring_dropped(r), 1);
	assert_int_equal(ring_count(r), 4);
	for (i = 0; i < 4; i++)
		pop_seq(r, i);
	assert_int_equal(ring_count(r), 0);
	ring_free(r);
}

static void test_claimed_record_is_unseen_until_published(void **state)
{
	struct ring *r;
	struct rec *slot, out;

	assert_int_equal(ring_new(sizeof(out), 4, &r), 0);
	slot = ring_claim(r);
	assert_non_null(slot);
	slot->seq = 7;
	slot->check = check_of(7);
	assert_int_equal(ring_count(r), 0);
	assert_int_equal(ring_pop(r, &out), -EAGAIN);
	ring_publish(r);
	assert_int_equal(ring_count(r), 1);
	pop_seq(r, 7);
	ring_free(r);
}

static void test_claim_and_publish_is_push(void **state)
{
	struct ring *pushed, *claimed;
	struct rec in, out_p, out_c, *slot;
	int ret_p;
	uint64_t i;

	assert_int_equal(ring_new(sizeof(in), 8, &pushed), 0);
	assert_int_equal(ring_new(sizeof(in), 8, &claimed), 0);
	/* one in each time, two out every third: the rings wrap and fill */
	for (i = 0; i < 300; i++) {
		in.seq = i;
		in.check = check_of(i);
		ret_p = ring_push(pushed, &in);
		slot = ring_claim(claimed);
		assert_int_equal(slot != NULL, ret_p == 0);
		if (slot) {
			*slot = in;
			ring_publish(claimed);
		}
		assert_int_equal(ring_count(claimed), ring_count(pushed));
		assert_int_equal(ring_dropped(claimed),
				 ring_dropped(pushed));
		if (i % 3 == 2) {
			assert_int_equal(ring_pop(pushed, &out_p), 0);
			assert_int_equal(ring_pop(claimed, &out_c), 0);
			assert_memory_equal(&out_c, &out_p, sizeof(out_p));
			assert_int_equal(ring_pop(pushed, &out_p), 0);
			assert_int_equal(ring_pop(claimed, &out_c), 0);
			assert_memory_equal(&out_c, &out_p, sizeof(out_p));
		}
	}
	assert_true(ring_dropped(pushed) > 0);
	while (ring_pop(pushed, &out_p) == 0) {
		assert_int_equal(ring_pop(claimed, &out_c), 0);
		assert_memory_equal(&out_c, &out_p, sizeof(out_p));
	}
	assert_int_equal(ring_pop(claimed, &out_c), -EAGAIN);
	ring_free(pushed);
	ring_free(claimed);
}

#define N_THREADED 2000000ull

static void *producer(void *arg)
{
	struct ring *r = arg;
	struct rec in;
	uint64_t i = 0;

	while (i < N_THREADED) {
		in.seq = i;
		in.check = ~i * 0x9e3779b97f4a7c15ull;
		if (ring_push(r, &in) == 0)
			i++;
	}
	return NULL;
}

static void test_two_threads_pass_every_record_intact(void **state)
{
	struct ring *r;
	struct rec out;
	pthread_t t;
	uint64_t next = 0;

	assert_int_equal(ring_new(sizeof(out), 64, &r), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
	while (next < N_THREADED) {
		if (ring_pop(r, &out))
			continue;
		assert_int_equal(out.seq, next);
		assert_int_equal(out.check,
				 ~next * 0x9e3779b97f4a7c15ull);
		next++;
	}
	pthread_join(t, NULL);
	ring_free(r);
}

/* a record's share of the checksum: both its words */
static uint64_t rec_sum(const struct rec *r)
{
	return r->check ^ (r->seq << 17);
}

static void *claiming_producer(void *arg)
{
	struct ring *r = arg;
	struct rec *slot;
	uint64_t i = 0;

	while (i < N_THREADED) {
		slot = ring_claim(r);
		if (!slot)
			continue;
		slot->seq = i;
		slot->check = check_of(i);
		ring_publish(r);
		i++;
	}
	return NULL;
}

static void test_two_threads_claim_and_pop_batches_intact(void **state)
{
	struct ring *r;
	struct rec out[16];
	pthread_t t;
	struct rec sent;
	uint64_t next = 0, sum = 0, want = 0, i;
	uint32_t n, k;

	for (i = 0; i < N_THREADED; i++) {
		sent.seq = i;
		sent.check = check_of(i);
		want += rec_sum(&sent);
	}
	assert_int_equal(ring_new(sizeof(out[0]), 64, &r), 0);
	assert_int_equal(pthread_create(&t, NULL, claiming_producer, r), 0);
	while (next < N_THREADED) {
		/* batches of 1 to 16, so that they end anywhere in the ring */
		n = ring_pop_many(r, out, 1 + next % 16);
		for (k = 0; k < n; k++) {
			assert_int_equal(out[k].seq, next);
			assert_int_equal(out[k].check, check_of(next));
			sum += rec_sum(&out[k]);
			next++;
		}
	}
	pthread_join(t, NULL);
	assert_int_equal(sum, want);
	assert_int_equal(ring_count(r), 0);
	ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_must_be_a_power_of_two),
		cmocka_unit_test(test_records_come_out_in_order),
		cmocka_unit_test(test_empty_ring_pops_eagain),
		cmocka_unit_test(test_full_ring_drops_new_record_and_counts_it),
		cmocka_unit_test(test_indices_wrap_without_loss),
		cmocka_unit_test(test_two_threads_pass_every_record_intact),
		cmocka_unit_test(test_batch_pop_across_end_gives_all_in_order),
		cmocka_unit_test(test_batch_pop_no_more_than_asked_or_queued),
		cmocka_unit_test(test_batch_pop_empties_a_full_ring),
		cmocka_unit_test(test_full_claim_drops_counts_loses_nothing),
		cmocka_unit_test(test_claimed_record_is_unseen_until_published),
		cmocka_unit_test(test_claim_and_publish_is_push),
		cmocka_unit_test(test_two_threads_claim_and_pop_batches_intact),
	};

	return cmocka_run_group_tests_name("leverd ring", tests, NULL, NULL);
}
