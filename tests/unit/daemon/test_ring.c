// SPDX-License-Identifier: MIT
/*
 * test_ring.c - specification of the SPSC ring: FIFO order, a full ring
 * drops and counts instead of blocking, index wrap-around, and no record
 * lost or torn between two threads.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "control/ring.h"

struct rec {
	uint64_t seq;
	uint64_t check;
};

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_must_be_a_power_of_two),
		cmocka_unit_test(test_records_come_out_in_order),
		cmocka_unit_test(test_empty_ring_pops_eagain),
		cmocka_unit_test(test_full_ring_drops_new_record_and_counts_it),
		cmocka_unit_test(test_indices_wrap_without_loss),
		cmocka_unit_test(test_two_threads_pass_every_record_intact),
	};

	return cmocka_run_group_tests_name("leverd ring", tests, NULL, NULL);
}
