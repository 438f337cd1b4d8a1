// SPDX-License-Identifier: MIT
/*
 * store_events.c - the events table: every fault, stop, reset, link loss
 * and pain report with its time and cause (Documentation/safety.rst rule
 * 7), each committed before store_event_add() returns, and read back
 * newest first in pages. Events are never changed or deleted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store_priv.h"

static const char *const event_kinds[] = { STORE_EVENT_KINDS };

static bool event_kind_known(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(event_kinds) / sizeof(event_kinds[0]); i++)
		if (!strcmp(kind, event_kinds[i]))
			return true;
	return false;
}

static void bind_id_or_null(sqlite3_stmt *s, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(s, col, id);
	else
		sqlite3_bind_null(s, col);
}

int store_event_add(struct store *st, const struct store_event *ev,
		    int64_t *id)
{
	sqlite3_stmt *s;
	int ret;

	if (!event_kind_known(ev->kind))
		return -EINVAL;
	ret = prep(st, "INSERT INTO events(wall_ms, mono_ns, session_id,"
		       " athlete_id, kind, cause, detail)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?);", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, ev->wall_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)ev->mono_ns);
	bind_id_or_null(s, 3, ev->session_id);
	bind_id_or_null(s, 4, ev->athlete_id);
	sqlite3_bind_text(s, 5, ev->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, ev->cause, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, ev->detail, -1, SQLITE_TRANSIENT);
	ret = run(st, s, false);
	if (!ret && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return ret;
}

/*
 * One text per filter set, each with plain comparisons (an "?1 = 0 OR"
 * would make SQLite step through every event for every page): a session's
 * or an athlete's events come through their index, a page before an id
 * through the rowid. Indexed by athlete (1) | session (2).
 */
#define EVENTS_SELECT "SELECT e.id, e.wall_ms, e.mono_ns," \
	" IFNULL(e.session_id, 0), IFNULL(e.athlete_id, 0)," \
	" IFNULL(a.name, ''), e.kind, e.cause, e.detail" \
	" FROM events e LEFT JOIN athletes a ON a.id = e.athlete_id" \
	" WHERE e.wall_ms >= ?3 AND e.id < ?4"
#define EVENTS_ORDER " ORDER BY e.id DESC LIMIT ?5;"

static const char *const events_sql[4] = {
	EVENTS_SELECT EVENTS_ORDER,
	EVENTS_SELECT " AND e.athlete_id = ?1" EVENTS_ORDER,
	EVENTS_SELECT " AND e.session_id = ?2" EVENTS_ORDER,
	EVENTS_SELECT " AND e.athlete_id = ?1 AND e.session_id = ?2"
		EVENTS_ORDER,
};

int store_events(struct store *st, const struct store_event_filter *f,
		 struct store_event **list, size_t *n)
{
	struct store_event *v = NULL, *e;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int ret, rc;

	*list = NULL;
	*n = 0;
	if (!f->limit)
		return 0;
	v = calloc(f->limit, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = prep(st, events_sql[(f->athlete_id > 0 ? 1 : 0) |
				 (f->session_id > 0 ? 2 : 0)], &s);
	if (ret) {
		free(v);
		return ret;
	}
	/* ?5 is in every text: ?1 and ?2 may be bound when unused */
	sqlite3_bind_int64(s, 1, f->athlete_id);
	sqlite3_bind_int64(s, 2, f->session_id);
	sqlite3_bind_int64(s, 3, f->since_ms);
	sqlite3_bind_int64(s, 4, f->before_id > 0 ? f->before_id : INT64_MAX);
	sqlite3_bind_int64(s, 5, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && cnt < f->limit) {
		e = &v[cnt++];
		e->id = sqlite3_column_int64(s, 0);
		e->wall_ms = sqlite3_column_int64(s, 1);
		e->mono_ns = (uint64_t)sqlite3_column_int64(s, 2);
		e->session_id = sqlite3_column_int64(s, 3);
		e->athlete_id = sqlite3_column_int64(s, 4);
		text_col(s, 5, e->athlete, sizeof(e->athlete));
		text_col(s, 6, e->kind, sizeof(e->kind));
		text_col(s, 7, e->cause, sizeof(e->cause));
		text_col(s, 8, e->detail, sizeof(e->detail));
	}
	st->events_scan_steps = (uint64_t)sqlite3_stmt_status(s,
				SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(v);
		return sql_fail(rc);
	}
	*list = v;
	*n = cnt;
	return 0;
}

uint64_t store_events_scan_steps(struct store *st)
{
	return st->events_scan_steps;
}
