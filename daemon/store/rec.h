/* SPDX-License-Identifier: MIT */
/*
 * rec.h - leverd's recorder: a thread that takes the per-cycle trace
 * records the event loop forwards (never from the RT thread directly),
 * decimates them to 10 Hz rows of the session in progress and writes them
 * to SQLite through its own connection. Also the read side of the records
 * for the control socket ("events", "trace"). It never blocks the RT
 * thread: a full ring drops the record and counts it.
 */
#ifndef LEVERD_REC_H
#define LEVERD_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "control/rt.h"

#define REC_WINDOW_NS		100000000ull	/* one row per 100 ms */
/*
 * A transaction (and an fsync) every half second: a power cut then loses
 * the rows not yet committed, the open window and a commit in flight,
 * under the one second of trace that leverd promises at most to lose.
 */
#define REC_BATCH_ROWS		5
#define REC_RING_RECORDS	65536

struct rec;
struct store;

struct rec_stats {
	int64_t session_id;	/* being recorded, 0: none */
	uint64_t samples;	/* records taken into rows */
	uint64_t rows;		/* rows committed */
	uint64_t dropped;	/* records lost: ring full */
	uint64_t errors;	/* batches the database refused */
};

/*
 * A recorder writing into state_dir/lever.db (its schema made by
 * store_open() before). @ring_records is a power of two. 0 or -errno.
 */
int rec_new(const char *state_dir, uint32_t ring_records, struct rec **out);
/* Flushes and stops the thread if it runs, then frees. */
void rec_free(struct rec *r);

/* Starts the writer thread (normal priority). */
int rec_start(struct rec *r, char *err, size_t errlen);
/* Joins the thread; what it took so far is written (rec_flush). */
void rec_stop(struct rec *r);

/*
 * Producer side (the event loop). From the next record on, samples belong
 * to session @id (0: none) that started at @start_ns; -ENOBUFS when the
 * ring is full (try again, nothing was queued).
 */
int rec_session(struct rec *r, int64_t id, uint64_t start_ns);
/*
 * One cycle's record and the loop mode seen with it. With @wait (virtual
 * time: nobody's clock runs) a full ring is waited on; else the record is
 * dropped and counted: -ENOBUFS.
 */
int rec_sample(struct rec *r, const struct rt_trace *tr, uint32_t mode,
	       bool wait);
/* Records lost before they reached the ring (counted in dropped). */
void rec_count_dropped(struct rec *r, uint64_t n);
void rec_stats(struct rec *r, struct rec_stats *st);

/*
 * Consumer side, the thread's work (tests call them without the thread):
 * rec_drain() takes everything queued and commits full batches, returns
 * how many records it took; rec_flush() closes the open window and
 * commits what is pending.
 */
size_t rec_drain(struct rec *r);
int rec_flush(struct rec *r);

/*
 * The control socket's "events" and "trace" requests, answered from @st
 * (the event loop's connection): 0 with *result or -errno with one
 * sentence in @msg. leverd's command table calls them.
 */
int rec_events(struct store *st, const json_t *args, json_t **result,
	       char *msg, size_t len);
int rec_trace(struct store *st, const json_t *args, json_t **result,
	      char *msg, size_t len);
/*
 * Either of the two by name; 1 when @cmd is neither. Only the recorder's
 * own test (tests/unit/store/test_rec.c) asks by name any more.
 */
int rec_request(struct store *st, const char *cmd, const json_t *args,
		json_t **result, char *msg, size_t len);

#endif /* LEVERD_REC_H */
