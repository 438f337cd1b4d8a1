/* SPDX-License-Identifier: MIT */
/*
 * leverctl's copy of one finished session's records (records.c): the
 * "export" request's record, events and steps, then its trace page by
 * page, as the store's structs that daemon/export/ builds on. export,
 * report and plot read sessions this way; nothing here writes a file.
 */
#ifndef LEVERCTL_RECORDS_H
#define LEVERCTL_RECORDS_H

#include "export.h"
#include "leverctl.h"

struct ctl_records {
	struct store_session rec;
	char athlete[64];
	struct store_event *ev;
	struct store_step *steps;
	struct store_trace_row *rows;
	size_t nev, nsteps, nrows;
	size_t rows_total;		/* what leverd said it holds */
};

/*
 * The record, its events and steps (no trace yet) on @k: an exit code;
 * a session still running is LEVER_CTL_EXIT_BUSY.
 */
int ctl_records_head(struct ctl_conn *k, long long id, struct ctl_records *r);
/* Its trace, page by page, after ctl_records_head(): an exit code. */
int ctl_records_trace(struct ctl_conn *k, struct ctl_records *r);
/* Both on a connection of their own: an exit code. */
int ctl_records_fetch(struct ctl *c, long long id, struct ctl_records *r);
/*
 * export_build() over them, its sentence on stderr: an exit code (after
 * success, export_free(@x) before ctl_records_free(@r): @x borrows rows).
 */
int ctl_records_build(struct ctl_records *r, struct export_session *x);
void ctl_records_free(struct ctl_records *r);

#endif /* LEVERCTL_RECORDS_H */
