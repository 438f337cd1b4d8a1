/* SPDX-License-Identifier: MIT */
/*
 * plan_json_: plans and sessions as JSON, shared by leverd's `show`/`plans`
 * answers and leverctl's local ones so both print the same figures. Pure:
 * no I/O; every function returns a new reference or NULL (out of memory).
 */
#ifndef LEVER_PLAN_JSON_H
#define LEVER_PLAN_JSON_H

#include <jansson.h>

#include "plan.h"

/* One session: totals and every step (repeats unrolled). */
json_t *plan_json_session(const struct plan *p, const struct plan_session *s);
/* The plan: texts, start criteria, rules, per-session and weekly totals. */
json_t *plan_json_plan(const struct plan *p);
/* Short entry for `plans`. */
json_t *plan_json_summary(const struct plan *p);

#endif /* LEVER_PLAN_JSON_H */
