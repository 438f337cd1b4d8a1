// SPDX-License-Identifier: MIT
/*
 * fuzz_plan: libFuzzer target for the plan parser. Whatever bytes a plan or
 * session file holds, plan_ must return 0 or -EINVAL with a file:line:col
 * message, never crash, leak or read out of bounds; and what it accepts
 * can be shown: leverd's `show` and `plans` build it as JSON
 * (plan_json.c), which a text that is not UTF-8 made fail.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_error err;
	struct plan_session s;
	struct plan p;
	json_t *j;
	char *text;
	int ret;

	/* A private copy without a terminator: the parser must use len. */
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	ret = plan_parse_session("fuzz/week2-day3", "week2-day3", text, size,
				 &s, &err);
	if (ret == 0) {
		if (!s.n_steps || s.steps[s.n_steps - 1].kind != PLAN_COOLDOWN)
			abort();
		j = plan_json_session(NULL, &s);
		if (!j)
			abort();
		json_decref(j);
		plan_session_clear(&s);
	} else if (ret != -EINVAL || !err.line || !err.col || !err.msg[0]) {
		abort();
	}
	memset(&p, 0, sizeof(p));
	ret = plan_parse_plan("fuzz/plan", text, size, &p, &err);
	if (ret == 0) {
		p.id = "fuzz";
		j = plan_json_plan(&p);
		if (!j)
			abort();
		json_decref(j);
		plan_clear(&p);
	}
	else if (ret != -EINVAL || !err.line || !err.msg[0])
		abort();
	free(text);
	return 0;
}
