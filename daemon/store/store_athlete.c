// SPDX-License-Identifier: MIT
/*
 * store_athlete.c - athletes and their dated weigh-ins. The mass sets
 * every newton of support, so it is kept as a history (each weigh-in
 * dated) and every session stores the one it ran with. Renaming,
 * anonymising and removing are here because a clinic must be able to
 * correct a name and to erase a patient's data on request: removal is
 * the one place the store deletes rows, all of the athlete's at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store_priv.h"

#define ATHLETE_COLS "SELECT a.id, a.name, a.mass_g, a.created_s," \
	" IFNULL((SELECT MAX(w.weighed_s) FROM weighins w" \
	" WHERE w.athlete_id = a.id), 0), a.anonymised_s FROM athletes a"

/* One statement's step inside the caller's transaction. */
static int tx_step(struct store *st, const char *sql, int64_t id,
		   size_t *changed)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, sql, &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	ret = run(st, s, false);
	if (!ret && changed)
		*changed = (size_t)sqlite3_changes(st->db);
	return ret;
}

static int weighin_add(struct store *st, int64_t athlete_id,
		       uint32_t mass_g, int64_t weighed_s)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "INSERT INTO weighins(athlete_id, weighed_s, mass_g)"
		       " VALUES (?, ?, ?);", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	sqlite3_bind_int64(s, 2, weighed_s);
	sqlite3_bind_int64(s, 3, mass_g);
	return run(st, s, false);
}

/*
 * Opens the transaction every change to one athlete runs in and finds
 * the athlete in it; on failure nothing is left open.
 */
static int tx_begin_athlete(struct store *st, const char *name,
			    struct store_athlete *a)
{
	int ret = store_begin(st);

	if (ret)
		return ret;
	ret = store_athlete_get(st, name, a);
	if (ret)
		store_rollback(st);
	return ret;
}

int store_athlete_add(struct store *st, const char *name, uint32_t mass_g,
		      int64_t now_s)
{
	sqlite3_stmt *s;
	int ret;

	ret = store_begin(st);
	if (ret)
		return ret;
	ret = prep(st, "INSERT INTO athletes(name, mass_g, created_s)"
		       " VALUES (?, ?, ?);", &s);
	if (!ret) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, mass_g);
		sqlite3_bind_int64(s, 3, now_s);
		ret = run(st, s, false);
	}
	if (!ret)
		ret = weighin_add(st, sqlite3_last_insert_rowid(st->db), mass_g,
				  now_s);
	return store_end(st, ret);
}

static void athlete_row(sqlite3_stmt *s, void *dst)
{
	struct store_athlete *a = dst;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	text_col(s, 1, a->name, sizeof(a->name));
	a->mass_g = (uint32_t)sqlite3_column_int64(s, 2);
	a->created_s = sqlite3_column_int64(s, 3);
	a->weighed_s = sqlite3_column_int64(s, 4);
	a->anonymised_s = sqlite3_column_int64(s, 5);
}

int store_athlete_get(struct store *st, const char *name,
		      struct store_athlete *out)
{
	sqlite3_stmt *s;
	int ret, rc;

	ret = prep(st, ATHLETE_COLS " WHERE a.name = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		athlete_row(s, out);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : sql_fail(rc);
	}
	sqlite3_finalize(s);
	return ret;
}

int store_athlete_weigh(struct store *st, const char *name, uint32_t mass_g,
			int64_t weighed_s)
{
	struct store_athlete a;
	sqlite3_stmt *s;
	int ret;

	ret = tx_begin_athlete(st, name, &a);
	if (ret)
		return ret;
	if (!ret)
		ret = weighin_add(st, a.id, mass_g, weighed_s);
	if (!ret)
		ret = prep(st, "UPDATE athletes SET mass_g = ? WHERE id = ?;",
			   &s);
	if (!ret) {
		sqlite3_bind_int64(s, 1, mass_g);
		sqlite3_bind_int64(s, 2, a.id);
		ret = run(st, s, true);
	}
	return store_end(st, ret);
}

static void weighin_row(sqlite3_stmt *s, void *dst)
{
	struct store_weighin *w = dst;

	w->weighed_s = sqlite3_column_int64(s, 0);
	w->mass_g = (uint32_t)sqlite3_column_int64(s, 1);
}

int store_weighins(struct store *st, int64_t athlete_id,
		   struct store_weighin **list, size_t *n)
{
	sqlite3_stmt *s;
	void *v;
	int ret;

	*list = NULL;
	*n = 0;
	ret = prep(st, "SELECT weighed_s, mass_g FROM weighins"
		       " WHERE athlete_id = ? ORDER BY weighed_s, id;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	ret = store_rows_collect(s, sizeof(**list), weighin_row, &v, n);
	*list = v;
	return ret;
}

int store_athlete_list(struct store *st, struct store_athlete **list,
		       size_t *n)
{
	sqlite3_stmt *s;
	void *v;
	int ret;

	*list = NULL;
	*n = 0;
	ret = prep(st, ATHLETE_COLS " ORDER BY a.name;", &s);
	if (ret)
		return ret;
	ret = store_rows_collect(s, sizeof(**list), athlete_row, &v, n);
	*list = v;
	return ret;
}


/*
 * leverd writes an athlete's name into an event's text in one form only,
 * "athlete NAME" (the start event, daemon/session/sess_cmd.c): that form
 * is rewritten in every event of the athlete or of their sessions.
 */
static int scrub_events(struct store *st, int64_t id, const char *name,
			const char *new_name)
{
	char from[96], to[96];
	sqlite3_stmt *s;
	int ret;

	snprintf(from, sizeof(from), "athlete %s", name);
	snprintf(to, sizeof(to), "athlete %s", new_name);
	ret = prep(st, "UPDATE events SET detail = replace(detail, ?2, ?3),"
		       " cause = replace(cause, ?2, ?3)"
		       " WHERE athlete_id = ?1 OR session_id IN"
		       " (SELECT id FROM sessions WHERE athlete_id = ?1);",
		   &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_TRANSIENT);
	return run(st, s, false);
}

/*
 * Moves the log into the database and truncates it, so that the pages
 * that held what was just erased stay in no file. A reader holding an
 * old snapshot (the recorder) can keep part of the log for a moment:
 * then the next checkpoint takes it, and the caller is not failed.
 */
static void store_flush_log(struct store *st)
{
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				  NULL, NULL);
}

/*
 * A corrected name replaces the old one in the events' text as well, so
 * that a later anonymisation finds every name the athlete ever had.
 */
int store_athlete_rename(struct store *st, const char *name,
			 const char *new_name)
{
	struct store_athlete a;
	sqlite3_stmt *s;
	int ret;

	ret = tx_begin_athlete(st, name, &a);
	if (ret)
		return ret;
	if (!ret)
		ret = prep(st, "UPDATE athletes SET name = ? WHERE id = ?;", &s);
	if (!ret) {
		sqlite3_bind_text(s, 1, new_name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, a.id);
		ret = run(st, s, true);
	}
	if (!ret)
		ret = scrub_events(st, a.id, name, new_name);
	return store_end(st, ret);
}

int store_athlete_anonymise(struct store *st, const char *name,
			    int64_t now_s, char *new_name, size_t len)
{
	struct store_athlete a;
	sqlite3_stmt *s;
	int ret;

	ret = tx_begin_athlete(st, name, &a);
	if (ret)
		return ret;
	if (!ret && snprintf(new_name, len, STORE_ANON_PREFIX "%lld",
			     (long long)a.id) >= (int)len)
		ret = -ENAMETOOLONG;
	if (!ret)
		ret = prep(st, "UPDATE athletes SET name = ?, anonymised_s = ?"
			       " WHERE id = ?;", &s);
	if (!ret) {
		sqlite3_bind_text(s, 1, new_name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, now_s);
		sqlite3_bind_int64(s, 3, a.id);
		ret = run(st, s, true);
	}
	if (!ret)
		ret = scrub_events(st, a.id, name, new_name);
	ret = store_end(st, ret);
	if (!ret)
		store_flush_log(st);
	return ret;
}

int store_athlete_remove(struct store *st, const char *name,
			 struct store_removed *removed)
{
	struct store_removed r = { 0 };
	struct store_athlete a;
	int ret;

	ret = tx_begin_athlete(st, name, &a);
	if (ret)
		return ret;
	/* children first: the foreign keys are enforced */
	if (!ret)
		ret = tx_step(st, "DELETE FROM trace WHERE session_id IN"
			      " (SELECT id FROM sessions WHERE athlete_id = ?);",
			      a.id, &r.trace_rows);
	if (!ret)
		ret = tx_step(st, "DELETE FROM steps WHERE session_id IN"
			      " (SELECT id FROM sessions WHERE athlete_id = ?);",
			      a.id, NULL);
	if (!ret)
		ret = tx_step(st, "DELETE FROM events WHERE athlete_id = ?1"
			      " OR session_id IN (SELECT id FROM sessions"
			      " WHERE athlete_id = ?1);", a.id, &r.events);
	if (!ret)
		ret = tx_step(st, "DELETE FROM sessions WHERE athlete_id = ?;",
			      a.id, &r.sessions);
	if (!ret)
		ret = tx_step(st, "DELETE FROM criteria WHERE athlete_id = ?;",
			      a.id, NULL);
	if (!ret)
		ret = tx_step(st, "DELETE FROM weighins WHERE athlete_id = ?;",
			      a.id, &r.weighins);
	if (!ret)
		ret = tx_step(st, "DELETE FROM athletes WHERE id = ?;", a.id,
			      NULL);
	ret = store_end(st, ret);
	if (ret)
		return ret;
	store_flush_log(st);
	if (removed)
		*removed = r;
	return 0;
}
