// SPDX-License-Identifier: MIT
/*
 * store_: athletes and session records in SQLite. Every write is its own
 * transaction with synchronous=FULL, so a record the operator was told about
 * survives a power cut. Records are never deleted; the schema grows with
 * PRAGMA user_version.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

struct store {
	sqlite3 *db;
	uint64_t events_scan_steps;	/* of the last store_events() */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS athletes ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" mass_g INTEGER NOT NULL CHECK (mass_g > 0),"
	" created_s INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS sessions ("
	" id INTEGER PRIMARY KEY,"
	" athlete_id INTEGER NOT NULL REFERENCES athletes(id),"
	" plan TEXT NOT NULL,"
	" session TEXT NOT NULL,"
	" date TEXT NOT NULL,"
	" started_s INTEGER NOT NULL,"
	" ended_s INTEGER NOT NULL DEFAULT 0,"
	" completed INTEGER NOT NULL DEFAULT 0,"
	" pain INTEGER NOT NULL DEFAULT 0,"
	" pain_score INTEGER NOT NULL DEFAULT -1,"
	" end_cause TEXT NOT NULL DEFAULT 'running',"
	" elapsed_ms INTEGER NOT NULL DEFAULT 0,"
	" steps_skipped INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS sessions_by_athlete"
	" ON sessions(athlete_id, id);"
	"CREATE TABLE IF NOT EXISTS criteria ("
	" athlete_id INTEGER NOT NULL REFERENCES athletes(id),"
	" plan TEXT NOT NULL,"
	" confirmed_s INTEGER NOT NULL,"
	" PRIMARY KEY (athlete_id, plan));"
	/* version 2: the recorder's events and 10 Hz traces */
	"CREATE TABLE IF NOT EXISTS events ("
	" id INTEGER PRIMARY KEY,"
	" wall_ms INTEGER NOT NULL,"
	" mono_ns INTEGER NOT NULL,"
	" session_id INTEGER REFERENCES sessions(id),"
	" athlete_id INTEGER REFERENCES athletes(id),"
	" kind TEXT NOT NULL,"
	" cause TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id);"
	"CREATE INDEX IF NOT EXISTS events_by_athlete ON events(athlete_id);"
	"CREATE TABLE IF NOT EXISTS trace ("
	" session_id INTEGER NOT NULL REFERENCES sessions(id),"
	" t_ms INTEGER NOT NULL,"
	" samples INTEGER NOT NULL,"
	" force_mn_mean INTEGER NOT NULL,"
	" force_mn_min INTEGER NOT NULL,"
	" force_mn_max INTEGER NOT NULL,"
	" pressure_pa_mean INTEGER NOT NULL,"
	" belt_mm_s_mean INTEGER NOT NULL,"
	" cmd_pressure_pa INTEGER NOT NULL,"
	" cmd_belt_mm_s INTEGER NOT NULL,"
	" cmd_incline_centi_pct INTEGER NOT NULL,"
	" faults INTEGER NOT NULL,"
	" mode INTEGER NOT NULL,"
	" PRIMARY KEY (session_id, t_ms)) WITHOUT ROWID;";

/*
 * Version 3: what an export needs to stand alone. Added by ALTER on every
 * older database (and on a new one, after the tables above): the columns
 * are NULL or '' for sessions recorded before, never a guess.
 */
static const char schema_v3[] =
	"ALTER TABLE sessions ADD COLUMN mass_g INTEGER"
	" CHECK (mass_g IS NULL OR mass_g > 0);"
	"ALTER TABLE sessions ADD COLUMN board_serial TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE sessions ADD COLUMN operator_uid INTEGER;"
	"CREATE TABLE IF NOT EXISTS steps ("
	" session_id INTEGER NOT NULL REFERENCES sessions(id),"
	" t_ms INTEGER NOT NULL,"
	" step_index INTEGER NOT NULL,"
	" step_count INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" bw_carried_pct_x100 INTEGER NOT NULL,"
	" belt_speed_mm_s INTEGER NOT NULL,"
	" PRIMARY KEY (session_id, t_ms, step_index)) WITHOUT ROWID;";

static const char *const event_kinds[] = { STORE_EVENT_KINDS };

static int sql_err(int rc)
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

static int exec(struct store *st, const char *sql)
{
	return sql_err(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

static int user_version(struct store *st, int *v)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version;", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return sql_err(rc);
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -EIO;
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
	/* versions 1 and 2: tables made with IF NOT EXISTS */
	ret = exec(st, schema);
	if (!ret && v < 3)
		ret = exec(st, schema_v3);
	if (!ret && v != STORE_SCHEMA_VERSION)
		ret = exec(st, "PRAGMA user_version=3;");	/* STORE_SCHEMA_VERSION */
	return ret;
}

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
	 * not block each other's readers. The event loop's connection stays
	 * synchronous=FULL (each commit fsyncs the log: durable on power
	 * loss); the recorder's may lose its last batch, never corrupt.
	 */
	ret = exec(st, trace_writer ?
		       "PRAGMA journal_mode=WAL;"
		       "PRAGMA synchronous=NORMAL;"
		       "PRAGMA foreign_keys=ON;" :
		       "PRAGMA journal_mode=WAL;"
		       "PRAGMA synchronous=FULL;"
		       "PRAGMA foreign_keys=ON;");
	if (ret || trace_writer)
		goto out;
	/*
	 * A checkpoint copies up to a thousand pages and fsyncs the database;
	 * the commit that crosses the threshold runs it. The event loop forwards
	 * the e-stop line and answers the socket: only the recorder's
	 * connection checkpoints (on its commits, once a second while a session
	 * runs); the last close checkpoints what is left.
	 */
	sqlite3_wal_autocheckpoint(st->db, 0);
	ret = exec(st, "BEGIN IMMEDIATE;");
	if (ret)
		goto err;
	ret = store_migrate(st);
	/* A session that was running when leverd died or power was lost. */
	if (!ret)
		ret = exec(st, "INSERT INTO events(wall_ms, mono_ns, session_id,"
			       " athlete_id, kind, cause, detail)"
			       " SELECT CAST(strftime('%s','now') AS INTEGER)"
			       " * 1000, 0, id, athlete_id, 'end', 'interrupted',"
			       " 'still running when leverd started again'"
			       " FROM sessions WHERE end_cause='running';");
	if (!ret)
		ret = exec(st, "UPDATE sessions SET end_cause='interrupted'"
			       " WHERE end_cause='running';");
	if (ret) {
		exec(st, "ROLLBACK;");
		goto err;
	}
	ret = exec(st, "COMMIT;");
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

static int prep(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
	return sql_err(sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL));
}

/* Run a statement that returns no rows; -ENOENT when it changed nothing. */
static int run(struct store *st, sqlite3_stmt *stmt, bool need_change)
{
	int rc = sqlite3_step(stmt);
	int ret;

	ret = rc == SQLITE_DONE ? 0 : sql_err(rc);
	if (!ret && need_change && sqlite3_changes(st->db) == 0)
		ret = -ENOENT;
	sqlite3_finalize(stmt);
	return ret;
}

int store_athlete_add(struct store *st, const char *name, uint32_t mass_g,
		      int64_t now_s)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "INSERT INTO athletes(name, mass_g, created_s)"
		       " VALUES (?, ?, ?);", &s);
	if (ret)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, mass_g);
	sqlite3_bind_int64(s, 3, now_s);
	return run(st, s, false);
}

static void athlete_row(sqlite3_stmt *s, struct store_athlete *a)
{
	const unsigned char *name = sqlite3_column_text(s, 1);

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	snprintf(a->name, sizeof(a->name), "%s", name ? (const char *)name : "");
	a->mass_g = (uint32_t)sqlite3_column_int64(s, 2);
	a->created_s = sqlite3_column_int64(s, 3);
}

int store_athlete_get(struct store *st, const char *name,
		      struct store_athlete *out)
{
	sqlite3_stmt *s;
	int ret, rc;

	ret = prep(st, "SELECT id, name, mass_g, created_s FROM athletes"
		       " WHERE name = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		athlete_row(s, out);
		ret = 0;
	} else {
		ret = rc == SQLITE_DONE ? -ENOENT : sql_err(rc);
	}
	sqlite3_finalize(s);
	return ret;
}

int store_athlete_set_mass(struct store *st, const char *name,
			   uint32_t mass_g)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "UPDATE athletes SET mass_g = ? WHERE name = ?;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, mass_g);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	return run(st, s, true);
}

int store_athlete_list(struct store *st, struct store_athlete **list,
		       size_t *n)
{
	struct store_athlete *v = NULL, *nv;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int ret, rc;

	*list = NULL;
	*n = 0;
	ret = prep(st, "SELECT id, name, mass_g, created_s FROM athletes"
		       " ORDER BY name;", &s);
	if (ret)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = nv;
		athlete_row(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_err(rc) ? sql_err(rc) : -EIO;
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

static void text_col(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

#define SESSION_COLS "SELECT id, athlete_id, plan, session, date, started_s," \
	" ended_s, completed, pain, pain_score, end_cause, elapsed_ms," \
	" steps_skipped, IFNULL(mass_g, 0), board_serial," \
	" IFNULL(operator_uid, -1) FROM sessions"

static void session_row(sqlite3_stmt *s, struct store_session *r)
{
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
		ret = rc == SQLITE_DONE ? -ENOENT : sql_err(rc);
	sqlite3_finalize(s);
	return ret;
}

int store_sessions(struct store *st, int64_t athlete_id, const char *plan,
		   struct store_session **list, size_t *n)
{
	struct store_session *v = NULL, *nv;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int ret, rc;

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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = nv;
		session_row(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_err(rc) ? sql_err(rc) : -EIO;
	}
	*list = v;
	*n = cnt;
	return 0;
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

/* ---- events ---- */

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
		return sql_err(rc) ? sql_err(rc) : -EIO;
	}
	*list = v;
	*n = cnt;
	return 0;
}

uint64_t store_events_scan_steps(struct store *st)
{
	return st->events_scan_steps;
}

/* ---- traces ---- */

int store_trace_add(struct store *st, int64_t session_id,
		    const struct store_trace_row *rows, size_t n)
{
	const struct store_trace_row *r;
	sqlite3_stmt *s = NULL;
	size_t i;
	int ret;


	ret = exec(st, "BEGIN IMMEDIATE;");
	if (ret)
		return ret;
	ret = prep(st, "INSERT OR REPLACE INTO trace(session_id, t_ms,"
		       " samples, force_mn_mean, force_mn_min, force_mn_max,"
		       " pressure_pa_mean, belt_mm_s_mean, cmd_pressure_pa,"
		       " cmd_belt_mm_s, cmd_incline_centi_pct, faults, mode)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);", &s);
	for (i = 0; !ret && i < n; i++) {
		r = &rows[i];
		sqlite3_bind_int64(s, 1, session_id);
		sqlite3_bind_int64(s, 2, r->t_ms);
		sqlite3_bind_int64(s, 3, r->samples);
		sqlite3_bind_int64(s, 4, r->force_mn_mean);
		sqlite3_bind_int64(s, 5, r->force_mn_min);
		sqlite3_bind_int64(s, 6, r->force_mn_max);
		sqlite3_bind_int64(s, 7, r->pressure_pa_mean);
		sqlite3_bind_int64(s, 8, r->belt_mm_s_mean);
		sqlite3_bind_int64(s, 9, r->cmd_pressure_pa);
		sqlite3_bind_int64(s, 10, r->cmd_belt_mm_s);
		sqlite3_bind_int64(s, 11, r->cmd_incline_centi_pct);
		sqlite3_bind_int64(s, 12, r->faults);
		sqlite3_bind_int64(s, 13, r->mode);
		ret = sql_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);	/* NULL when prep failed: a no-op */
	if (!ret)
		ret = exec(st, "COMMIT;");
	if (ret)
		exec(st, "ROLLBACK;");
	return ret;
}

int store_trace_count(struct store *st, int64_t session_id, size_t *n)
{
	sqlite3_stmt *s;
	int ret;

	ret = prep(st, "SELECT COUNT(*) FROM trace WHERE session_id = ?;",
		   &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, session_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0);
	else
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}

int store_trace_rows(struct store *st, int64_t session_id, size_t offset,
		     size_t limit, struct store_trace_row **rows, size_t *n)
{
	struct store_trace_row *v, *r;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int ret, rc;

	*rows = NULL;
	*n = 0;
	if (!limit)
		return 0;
	v = calloc(limit, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = prep(st, "SELECT t_ms, samples, force_mn_mean, force_mn_min,"
		       " force_mn_max, pressure_pa_mean, belt_mm_s_mean,"
		       " cmd_pressure_pa, cmd_belt_mm_s, cmd_incline_centi_pct,"
		       " faults, mode FROM trace WHERE session_id = ?"
		       " ORDER BY t_ms LIMIT ? OFFSET ?;", &s);
	if (ret) {
		free(v);
		return ret;
	}
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && cnt < limit) {
		r = &v[cnt++];
		r->t_ms = (uint32_t)sqlite3_column_int64(s, 0);
		r->samples = (uint32_t)sqlite3_column_int64(s, 1);
		r->force_mn_mean = (int32_t)sqlite3_column_int64(s, 2);
		r->force_mn_min = (int32_t)sqlite3_column_int64(s, 3);
		r->force_mn_max = (int32_t)sqlite3_column_int64(s, 4);
		r->pressure_pa_mean = (uint32_t)sqlite3_column_int64(s, 5);
		r->belt_mm_s_mean = (int32_t)sqlite3_column_int64(s, 6);
		r->cmd_pressure_pa = (uint32_t)sqlite3_column_int64(s, 7);
		r->cmd_belt_mm_s = (int32_t)sqlite3_column_int64(s, 8);
		r->cmd_incline_centi_pct = (int32_t)sqlite3_column_int64(s, 9);
		r->faults = (uint32_t)sqlite3_column_int64(s, 10);
		r->mode = (uint32_t)sqlite3_column_int64(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(v);
		return sql_err(rc) ? sql_err(rc) : -EIO;
	}
	*rows = v;
	*n = cnt;
	return 0;
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

int store_steps(struct store *st, int64_t session_id,
		struct store_step **list, size_t *n)
{
	struct store_step *v = NULL, *nv, *p;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int ret, rc;

	*list = NULL;
	*n = 0;
	ret = prep(st, "SELECT t_ms, step_index, step_count, kind,"
		       " bw_carried_pct_x100, belt_speed_mm_s FROM steps"
		       " WHERE session_id = ? ORDER BY t_ms, step_index;", &s);
	if (ret)
		return ret;
	sqlite3_bind_int64(s, 1, session_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = nv;
		p = &v[cnt++];
		memset(p, 0, sizeof(*p));
		p->t_ms = (uint32_t)sqlite3_column_int64(s, 0);
		p->step_index = sqlite3_column_int(s, 1);
		p->step_count = sqlite3_column_int(s, 2);
		text_col(s, 3, p->kind, sizeof(p->kind));
		p->bw_carried_pct_x100 = sqlite3_column_int(s, 4);
		p->belt_speed_mm_s = sqlite3_column_int(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_err(rc) ? sql_err(rc) : -EIO;
	}
	*list = v;
	*n = cnt;
	return 0;
}
