/* SPDX-License-Identifier: MIT */
/*
 * store_priv.h - what the files of store_ share: the connection and the
 * small SQLite helpers (static inline, so that nothing here becomes a
 * symbol of leverd). Private to daemon/store/.
 */
#ifndef LEVER_STORE_PRIV_H
#define LEVER_STORE_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "lever_utf8.h"
#include "store.h"

struct store {
	sqlite3 *db;
	uint64_t events_scan_steps;	/* of the last store_events() */
};

static inline int sql_err(int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

/*
 * The errno of a result code already known not to be success: never 0,
 * so that no caller can take a failed step for a row it did not get.
 */
static inline int sql_fail(int rc)
{
	int ret = sql_err(rc);

	return ret ? ret : -EIO;
}

static inline int exec(struct store *st, const char *sql)
{
	return sql_err(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

static inline int prep(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
	return sql_err(sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL));
}

/* Run a statement that returns no rows; -ENOENT when it changed nothing. */
static inline int run(struct store *st, sqlite3_stmt *stmt, bool need_change)
{
	int rc = sqlite3_step(stmt);
	int ret;

	ret = rc == SQLITE_DONE ? 0 : sql_err(rc);
	if (!ret && need_change && sqlite3_changes(st->db) == 0)
		ret = -ENOENT;
	sqlite3_finalize(stmt);
	return ret;
}

/*
 * A text column into @dst, as UTF-8 whatever the file holds (it goes out
 * as JSON): a hand-edited database's stray byte, and a character the
 * field's length cuts, become '?'.
 */
static inline void text_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
	lever_utf8_plain(dst);
}

/*
 * Steps @s to its end, each row into one more element (@size bytes) of a
 * growing array filled by @row, and finalizes @s: 0 with *list (free it)
 * and *n, or -errno with nothing allocated (store.c).
 */
int store_rows_collect(sqlite3_stmt *s, size_t size,
		       void (*row)(sqlite3_stmt *s, void *dst), void **list,
		       size_t *n);

#endif /* LEVER_STORE_PRIV_H */
