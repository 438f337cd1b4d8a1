// SPDX-License-Identifier: MIT
/*
 * store_: athletes and session records in SQLite. Every write is its own
 * transaction with synchronous=FULL, so a record the operator was told about
 * survives a power cut. Records are deleted only with their athlete, on the
 * clinic's request (store_athlete.c); the schema grows with PRAGMA
 * user_version. This file opens the database and keeps sessions and steps;
 * athletes and weigh-ins are in store_athlete.c, events in store_events.c,
 * traces in store_trace.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "store_priv.h"

/*
 * The schema, one definition per table and per column: the tables of
 * each version, and the columns a later version added to an older
 * table. A database of an earlier version is brought forward by the
 * version's own statements (store_migrate()); a new one is made at the
 * current version at once (schema_new), with the added columns in the
 * order those statements add them, so both end with the same tables,
 * columns, keys and checks (test_store.c compares them).
 */
#define ATHLETES_V1 \
	" id INTEGER PRIMARY KEY," \
	" name TEXT NOT NULL UNIQUE," \
	" mass_g INTEGER NOT NULL CHECK (mass_g > 0)," \
	" created_s INTEGER NOT NULL"
#define SESSIONS_V1 \
	" id INTEGER PRIMARY KEY," \
	" athlete_id INTEGER NOT NULL REFERENCES athletes(id)," \
	" plan TEXT NOT NULL," \
	" session TEXT NOT NULL," \
	" date TEXT NOT NULL," \
	" started_s INTEGER NOT NULL," \
	" ended_s INTEGER NOT NULL DEFAULT 0," \
	" completed INTEGER NOT NULL DEFAULT 0," \
	" pain INTEGER NOT NULL DEFAULT 0," \
	" pain_score INTEGER NOT NULL DEFAULT -1," \
	" end_cause TEXT NOT NULL DEFAULT 'running'," \
	" elapsed_ms INTEGER NOT NULL DEFAULT 0," \
	" steps_skipped INTEGER NOT NULL DEFAULT 0"
/* version 1's other table and index */
#define TABLES_V1 \
	"CREATE INDEX IF NOT EXISTS sessions_by_athlete" \
	" ON sessions(athlete_id, id);" \
	"CREATE TABLE IF NOT EXISTS criteria (" \
	" athlete_id INTEGER NOT NULL REFERENCES athletes(id)," \
	" plan TEXT NOT NULL," \
	" confirmed_s INTEGER NOT NULL," \
	" PRIMARY KEY (athlete_id, plan));"
/* version 2: the recorder's events and 10 Hz traces */
#define TABLES_V2 \
	"CREATE TABLE IF NOT EXISTS events (" \
	" id INTEGER PRIMARY KEY," \
	" wall_ms INTEGER NOT NULL," \
	" mono_ns INTEGER NOT NULL," \
	" session_id INTEGER REFERENCES sessions(id)," \
	" athlete_id INTEGER REFERENCES athletes(id)," \
	" kind TEXT NOT NULL," \
	" cause TEXT NOT NULL," \
	" detail TEXT NOT NULL DEFAULT '');" \
	"CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id);" \
	"CREATE INDEX IF NOT EXISTS events_by_athlete ON events(athlete_id);" \
	"CREATE TABLE IF NOT EXISTS trace (" \
	" session_id INTEGER NOT NULL REFERENCES sessions(id)," \
	" t_ms INTEGER NOT NULL," \
	" samples INTEGER NOT NULL," \
	" force_mn_mean INTEGER NOT NULL," \
	" force_mn_min INTEGER NOT NULL," \
	" force_mn_max INTEGER NOT NULL," \
	" pressure_pa_mean INTEGER NOT NULL," \
	" belt_mm_s_mean INTEGER NOT NULL," \
	" cmd_pressure_pa INTEGER NOT NULL," \
	" cmd_belt_mm_s INTEGER NOT NULL," \
	" cmd_incline_centi_pct INTEGER NOT NULL," \
	" faults INTEGER NOT NULL," \
	" mode INTEGER NOT NULL," \
	" PRIMARY KEY (session_id, t_ms)) WITHOUT ROWID;"
/*
 * Version 3: what an export needs to stand alone. The columns added to
 * sessions are NULL or '' for sessions recorded before, never a guess.
 */
#define SESSIONS_V3_MASS \
	" mass_g INTEGER CHECK (mass_g IS NULL OR mass_g > 0)"
#define SESSIONS_V3_SERIAL	" board_serial TEXT NOT NULL DEFAULT ''"
#define SESSIONS_V3_OPERATOR	" operator_uid INTEGER"
#define TABLES_V3 \
	"CREATE TABLE IF NOT EXISTS steps (" \
	" session_id INTEGER NOT NULL REFERENCES sessions(id)," \
	" t_ms INTEGER NOT NULL," \
	" step_index INTEGER NOT NULL," \
	" step_count INTEGER NOT NULL," \
	" kind TEXT NOT NULL," \
	" bw_carried_pct_x100 INTEGER NOT NULL," \
	" belt_speed_mm_s INTEGER NOT NULL," \
	" PRIMARY KEY (session_id, t_ms, step_index)) WITHOUT ROWID;"
/*
 * Version 4: the athlete's body mass as dated weigh-ins (the support force
 * is set from it, so its age is a start check), and anonymised athletes.
 * Athletes of earlier versions get no weigh-in: when their mass was last
 * checked is not known, and leverd asks for a weigh-in before their next
 * start rather than inventing a date.
 */
#define ATHLETES_V4_ANONYMISED	" anonymised_s INTEGER NOT NULL DEFAULT 0"
#define TABLES_V4 \
	"CREATE TABLE IF NOT EXISTS weighins (" \
	" id INTEGER PRIMARY KEY," \
	" athlete_id INTEGER NOT NULL REFERENCES athletes(id)," \
	" weighed_s INTEGER NOT NULL," \
	" mass_g INTEGER NOT NULL CHECK (mass_g > 0));" \
	"CREATE INDEX IF NOT EXISTS weighins_by_athlete" \
	" ON weighins(athlete_id, weighed_s);"
#define SCHEMA_VERSION_SET	"PRAGMA user_version=4;" /* STORE_SCHEMA_VERSION */

/* versions 1 and 2: tables made with IF NOT EXISTS */
static const char schema_v2[] =
	"CREATE TABLE IF NOT EXISTS athletes (" ATHLETES_V1 ");"
	"CREATE TABLE IF NOT EXISTS sessions (" SESSIONS_V1 ");"
	TABLES_V1 TABLES_V2;

static const char schema_v3[] =
	"ALTER TABLE sessions ADD COLUMN" SESSIONS_V3_MASS ";"
	"ALTER TABLE sessions ADD COLUMN" SESSIONS_V3_SERIAL ";"
	"ALTER TABLE sessions ADD COLUMN" SESSIONS_V3_OPERATOR ";"
	TABLES_V3;

static const char schema_v4[] =
	TABLES_V4
	"ALTER TABLE athletes ADD COLUMN" ATHLETES_V4_ANONYMISED ";";

/*
 * A new database, at the current version in one go: each ALTER TABLE
 * makes SQLite parse the whole schema again: replaying the history on
 * an empty file took 5.1 M instructions of leverd's start-up, this 2.5 M.
 */
static const char schema_new[] =
	"CREATE TABLE athletes (" ATHLETES_V1 "," ATHLETES_V4_ANONYMISED ");"
	"CREATE TABLE sessions (" SESSIONS_V1 "," SESSIONS_V3_MASS ","
	SESSIONS_V3_SERIAL "," SESSIONS_V3_OPERATOR ");"
	TABLES_V1 TABLES_V2 TABLES_V3 TABLES_V4 SCHEMA_VERSION_SET;

static int user_version(struct store *st, int *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version;", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(rc);
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

/* No table, index or anything else in the file yet: a new database. */
static bool schema_empty(struct store *st)
{
	sqlite3_stmt *s;
	bool empty;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master LIMIT 1;",
			       -1, &s, NULL) != SQLITE_OK)
		return false;	/* then migrate: every statement is idempotent */
	empty = sqlite3_step(s) == SQLITE_DONE;
	sqlite3_finalize(s);
	return empty;
}

/*
 * Brings any earlier schema (or none) to STORE_SCHEMA_VERSION inside the
 * caller's transaction: rows are only ever added to, never rewritten. A
 * database from a newer leverd is refused rather than half understood.
 */
static int store_migrate(struct store *st)
{
	int v, ret;

	ret = user_version(st, &v);
	if (ret)
		return ret;
	if (v > STORE_SCHEMA_VERSION)
		return -EPROTO;
	if (!v && schema_empty(st))
		return exec(st, schema_new);
	ret = exec(st, schema_v2);
	if (!ret && v < 3)
		ret = exec(st, schema_v3);
	if (!ret && v < 4)
		ret = exec(st, schema_v4);
	if (!ret && v != STORE_SCHEMA_VERSION)
		ret = exec(st, SCHEMA_VERSION_SET);
	return ret;
}

/*
 * The start of an INSERT of the end events leverd adds when it opens the
 * records, timed now; the statement goes on with session id, athlete id,
 * kind, cause, detail and its FROM.
 */
#define END_EVENT_NOW "INSERT INTO events(wall_ms, mono_ns, session_id," \
	" athlete_id, kind, cause, detail)" \
	" SELECT CAST(strftime('%s','now') AS INTEGER) * 1000, 0, "

static int store_open_conn(struct store **out, const char *state_dir,
			   bool trace_writer)
{
	struct store *st;
	char path[4096];
	int rc, ret;

	*out = NULL;
	if (mkdir(state_dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (snprintf(path, sizeof(path), "%s/lever.db", state_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = sql_err(rc);
		goto err;
	}
	sqlite3_busy_timeout(st->db, 2000);
	/*
	 * WAL: the recorder's trace writes and the event loop's records do
	 * not block each other's readers. Both connections are
	 * synchronous=FULL: each commit fsyncs the log, so it is durable on
	 * power loss. The recorder's must be too: in WAL mode NORMAL syncs
	 * the log only at a checkpoint, and a power cut then takes every
	 * trace batch since the last checkpoint or event (minutes), not the
	 * last one. It commits twice a second (rec.h), off the RT thread.
	 */
	ret = exec(st, trace_writer ?
		       "PRAGMA journal_mode=WAL;"
		       "PRAGMA synchronous=FULL;"
		       "PRAGMA foreign_keys=ON;" :
		       "PRAGMA journal_mode=WAL;"
		       "PRAGMA synchronous=FULL;"
		       "PRAGMA foreign_keys=ON;"
		       /* a removed athlete's rows are zeroed, not freed */
		       "PRAGMA secure_delete=ON;");
	if (ret || trace_writer)
		goto out;
	/*
	 * A checkpoint copies up to a thousand pages and fsyncs the database;
	 * the commit that crosses the threshold runs it. The event loop forwards
	 * the e-stop line and answers the socket: only the recorder's
	 * connection checkpoints (on its commits, twice a second while a
	 * session runs); the last close checkpoints what is left.
	 */
	sqlite3_wal_autocheckpoint(st->db, 0);
	ret = store_begin(st);
	if (ret)
		goto err;
	ret = store_migrate(st);
	/*
	 * A session's end record and its end event are one commit now
	 * (sess.c), but were two before, and still are when that
	 * transaction could not begin: a power cut between them left an
	 * ended session with no end event. It gets one now, saying why,
	 * with the cause its record holds. Only sessions with a start
	 * event: those of before the events table (version 1) have none to
	 * complete, and none is invented for them.
	 */
	if (!ret)
		ret = exec(st, END_EVENT_NOW "s.id, s.athlete_id, 'end',"
			       " s.end_cause, 'its end event was lost (leverd"
			       " died or power was lost after the session''s end"
			       " was recorded); recorded when leverd started"
			       " again'"
			       " FROM sessions s WHERE s.end_cause <> 'running'"
			       " AND EXISTS (SELECT 1 FROM events e"
			       " WHERE e.session_id = s.id AND e.kind = 'start')"
			       " AND NOT EXISTS (SELECT 1 FROM events e"
			       " WHERE e.session_id = s.id AND e.kind = 'end')"
			       " ORDER BY s.id;");
	/* A session that was running when leverd died or power was lost. */
	if (!ret)
		ret = exec(st, END_EVENT_NOW "id, athlete_id, 'end',"
			       " 'interrupted',"
			       " 'still running when leverd started again'"
			       " FROM sessions WHERE end_cause='running';");
	if (!ret)
		ret = exec(st, "UPDATE sessions SET end_cause='interrupted'"
			       " WHERE end_cause='running';");
	ret = store_end(st, ret);
out:
	if (ret)
		goto err;
	*out = st;
	return 0;
err:
	sqlite3_close(st->db);
	free(st);
	return ret;
}

int store_open(struct store **out, const char *state_dir)
{
	return store_open_conn(out, state_dir, false);
}

int store_open_trace_writer(struct store **out, const char *state_dir)
{
	return store_open_conn(out, state_dir, true);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

/*
 * Steps @s to its end, each row into one more element (@size bytes) of a
 * growing array filled by @row, and finalizes @s: 0 with *list (free it)
 * and *n, or -errno with nothing allocated. For results the caller
 * cannot bound (athletes, sessions, steps); events and traces come in
 * pages of a size the caller gives.
 */
int store_rows_collect(sqlite3_stmt *s, size_t size,
		       void (*row)(sqlite3_stmt *s, void *dst), void **list,
		       size_t *n)
{
	char *v = NULL, *nv;
	size_t cnt = 0;
	int rc;

	*list = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * size);
		if (!nv) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = nv;
		row(s, v + cnt++ * size);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_fail(rc);
	}
	*list = v;
	*n = cnt;
	return 0;
}

int store_session_begin(struct store *st, int64_t athlete_id,
			const char *plan, const char *session,
			const char *date, int64_t started_s, int64_t *id)
{
	sqlite3_stmt *s;
	int ret;

	/* the mass it runs with, as the athlete's record holds it now */
	ret = prep(st, "INSERT INTO sessions(athlete_id, plan, session, date,"
		       " started_s, mass_g) SELECT ?1, ?2, ?3, ?4, ?5, mass_g"
		       " FROM athletes WHERE id = ?1;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	sqlite3_bind_text(s, 2, plan, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, session, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, started_s);
	ret = run(st, s, true);
	if (!ret)
		*id = sqlite3_last_insert_rowid(st->db);
	return ret;
}

int store_session_set_unit(struct store *st, int64_t id,
			   const char *board_serial, int64_t operator_uid)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "UPDATE sessions SET board_serial = ?,"
		       " operator_uid = ? WHERE id = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_text(s, 1, board_serial ? board_serial : "", -1,
			  SQLITE_TRANSIENT);
	if (operator_uid >= 0)
		sqlite3_bind_int64(s, 2, operator_uid);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, id);
	return run(st, s, true);
}

int store_session_end(struct store *st, const struct store_session *r)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "UPDATE sessions SET ended_s = ?, completed = ?,"
		       " pain = ?, pain_score = ?, end_cause = ?,"
		       " elapsed_ms = ?, steps_skipped = ? WHERE id = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, r->ended_s);
	sqlite3_bind_int(s, 2, r->completed);
	sqlite3_bind_int(s, 3, r->pain);
	sqlite3_bind_int(s, 4, r->pain_score);
	sqlite3_bind_text(s, 5, r->end_cause, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, r->elapsed_ms);
	sqlite3_bind_int64(s, 7, r->steps_skipped);
	sqlite3_bind_int64(s, 8, r->id);
	return run(st, s, true);
}

int store_begin(struct store *st)
{
	return exec(st, "BEGIN IMMEDIATE;");
}

int store_commit(struct store *st)
{
	int ret;

	if (sqlite3_get_autocommit(st->db))
		return 0;	/* a failed write ended it (store.h) */
	ret = exec(st, "COMMIT;");
	if (ret && !sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK;");
	return ret;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK;");
}

int store_end(struct store *st, int ret)
{
	if (ret) {
		store_rollback(st);
		return ret;
	}
	return store_commit(st);
}

int store_session_set_pain(struct store *st, int64_t id, int score)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "UPDATE sessions SET pain = 1, pain_score = ?"
		       " WHERE id = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int(s, 1, score);
	sqlite3_bind_int64(s, 2, id);
	return run(st, s, true);
}

#define SESSION_COLS "SELECT id, athlete_id, plan, session, date, started_s," \
	" ended_s, completed, pain, pain_score, end_cause, elapsed_ms," \
	" steps_skipped, IFNULL(mass_g, 0), board_serial," \
	" IFNULL(operator_uid, -1) FROM sessions"

static void session_row(sqlite3_stmt *s, void *dst)
{
	struct store_session *r = dst;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->athlete_id = sqlite3_column_int64(s, 1);
	text_col(s, 2, r->plan, sizeof(r->plan));
	text_col(s, 3, r->session, sizeof(r->session));
	text_col(s, 4, r->date, sizeof(r->date));
	r->started_s = sqlite3_column_int64(s, 5);
	r->ended_s = sqlite3_column_int64(s, 6);
	r->completed = sqlite3_column_int(s, 7);
	r->pain = sqlite3_column_int(s, 8);
	r->pain_score = sqlite3_column_int(s, 9);
	text_col(s, 10, r->end_cause, sizeof(r->end_cause));
	r->elapsed_ms = (uint32_t)sqlite3_column_int64(s, 11);
	r->steps_skipped = (unsigned int)sqlite3_column_int(s, 12);
	r->mass_g = (uint32_t)sqlite3_column_int64(s, 13);
	text_col(s, 14, r->board_serial, sizeof(r->board_serial));
	r->operator_uid = sqlite3_column_int64(s, 15);
}

int store_session_get(struct store *st, int64_t id,
		      struct store_session *out)
{
	sqlite3_stmt *s;
	int ret, rc;

	ret = prep(st, SESSION_COLS " WHERE id = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		session_row(s, out);
	else
		ret = rc == SQLITE_DONE ? -ENOENT : sql_fail(rc);
	sqlite3_finalize(s);
	return ret;
}

int store_sessions(struct store *st, int64_t athlete_id, const char *plan,
		   struct store_session **list, size_t *n)
{
	sqlite3_stmt *s;
	void *v;
	int ret;

	*list = NULL;
	*n = 0;
	ret = prep(st, SESSION_COLS
		       " WHERE athlete_id = ?1 AND (?2 IS NULL OR plan = ?2)"
		       " ORDER BY id;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	if (plan)
		sqlite3_bind_text(s, 2, plan, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 2);
	ret = store_rows_collect(s, sizeof(**list), session_row, &v, n);
	*list = v;
	return ret;
}

int store_criteria_confirmed(struct store *st, int64_t athlete_id,
			     const char *plan, bool *yes)
{
	sqlite3_stmt *s;
	int ret, rc;

	ret = prep(st, "SELECT 1 FROM criteria WHERE athlete_id = ?"
		       " AND plan = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	sqlite3_bind_text(s, 2, plan, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_err(rc);
	sqlite3_finalize(s);
	return ret;
}

int store_criteria_confirm(struct store *st, int64_t athlete_id,
			   const char *plan, int64_t now_s)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "INSERT OR IGNORE INTO criteria(athlete_id, plan,"
		       " confirmed_s) VALUES (?, ?, ?);", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, athlete_id);
	sqlite3_bind_text(s, 2, plan, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, now_s);
	return run(st, s, false);
}

int store_schema_version(struct store *st)
{
	int v, ret;

	ret = user_version(st, &v);
	return ret ? ret : v;
}

int store_synchronous(struct store *st)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "PRAGMA synchronous;", &s);
	if (ret)
		return ret;
	ret = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -EIO;
	sqlite3_finalize(s);
	return ret;
}

int store_wal_autocheckpoint(struct store *st)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "PRAGMA wal_autocheckpoint;", &s);
	if (ret)
		return ret;
	ret = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -EIO;
	sqlite3_finalize(s);
	return ret;
}

int store_journal_mode(struct store *st, char *buf, size_t len)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "PRAGMA journal_mode;", &s);
	if (ret)
		return ret;
	if (sqlite3_step(s) == SQLITE_ROW)
		text_col(s, 0, buf, len);
	else
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}

/* ---- steps ---- */

int store_step_add(struct store *st, int64_t session_id,
		   const struct store_step *p)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "INSERT OR REPLACE INTO steps(session_id, t_ms,"
		       " step_index, step_count, kind, bw_carried_pct_x100,"
		       " belt_speed_mm_s) VALUES (?, ?, ?, ?, ?, ?, ?);", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, p->t_ms);
	sqlite3_bind_int(s, 3, p->step_index);
	sqlite3_bind_int(s, 4, p->step_count);
	sqlite3_bind_text(s, 5, p->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 6, p->bw_carried_pct_x100);
	sqlite3_bind_int(s, 7, p->belt_speed_mm_s);
	return run(st, s, false);
}

static void step_row(sqlite3_stmt *s, void *dst)
{
	struct store_step *p = dst;

	memset(p, 0, sizeof(*p));
	p->t_ms = (uint32_t)sqlite3_column_int64(s, 0);
	p->step_index = sqlite3_column_int(s, 1);
	p->step_count = sqlite3_column_int(s, 2);
	text_col(s, 3, p->kind, sizeof(p->kind));
	p->bw_carried_pct_x100 = sqlite3_column_int(s, 4);
	p->belt_speed_mm_s = sqlite3_column_int(s, 5);
}

int store_steps(struct store *st, int64_t session_id,
		struct store_step **list, size_t *n)
{
	sqlite3_stmt *s;
	void *v;
	int ret;

	*list = NULL;
	*n = 0;
	ret = prep(st, "SELECT t_ms, step_index, step_count, kind,"
		       " bw_carried_pct_x100, belt_speed_mm_s FROM steps"
		       " WHERE session_id = ? ORDER BY t_ms, step_index;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, session_id);
	ret = store_rows_collect(s, sizeof(**list), step_row, &v, n);
	*list = v;
	return ret;
}
