// SPDX-License-Identifier: MIT
/*
 * store_trace.c - the trace table: a session's 10 Hz rows, written in
 * batches by the recorder's own connection and read back in pages by the
 * event loop's. Rows are never changed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store_priv.h"

int store_trace_add(struct store *st, int64_t session_id,
		    const struct store_trace_row *rows, size_t n)
{
	const struct store_trace_row *r;
	sqlite3_stmt *s = NULL;
	size_t i;
	int ret;

	ret = store_begin(st);
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
	return store_end(st, ret);
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
		return sql_fail(rc);
	}
	*rows = v;
	*n = cnt;
	return 0;
}
