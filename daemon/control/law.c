// SPDX-License-Identifier: MIT
/*
 * law.c - picks a support-force law by name and dispatches to it. The
 * laws live one to a file (law_pi.c, law_afc.c), their state private to
 * them; nothing here may touch it. RT context after law_new().
 */
#include <errno.h>
#include <string.h>

#include "law_priv.h"

static const struct law_ops *const law_table[] = {
	&law_pi_ops,
	&law_afc_ops,
};

const char *law_nth_name(size_t i)
{
	return i < sizeof(law_table) / sizeof(law_table[0]) ?
	       law_table[i]->name : NULL;
}

int law_new(const char *name, const struct law_params *p, struct law **out)
{
	const struct law_ops *ops = NULL;
	struct law *l;
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(law_table) / sizeof(law_table[0]); i++)
		if (!strcmp(law_table[i]->name, name))
			ops = law_table[i];
	if (!ops)
		return -ENOENT;
	l = ops->create(p, &ret);
	if (!l)
		return ret ? ret : -ENOMEM;
	ops->reset(l, 0, 0);
	*out = l;
	return 0;
}

void law_free(struct law *l)
{
	if (l)
		l->ops->destroy(l);
}

double law_update(struct law *l, const struct law_input *in)
{
	return l->ops->update(l, in);
}

void law_reset(struct law *l, double pressure_pa, double force_n)
{
	l->ops->reset(l, pressure_pa, force_n);
}

void law_hold(struct law *l)
{
	l->ops->hold(l);
}

enum law_state law_state(const struct law *l)
{
	return l->ops->state(l);
}

double law_setpoint_n(const struct law *l)
{
	return l->ops->setpoint_n(l);
}

double law_cadence_hz(const struct law *l)
{
	return l->ops->cadence_hz ? l->ops->cadence_hz(l) : 0;
}

const char *law_state_name(enum law_state s)
{
	switch (s) {
	case LAW_IDLE:
		return "idle";
	case LAW_RAMPING:
		return "ramping";
	case LAW_TRACKING:
		return "tracking";
	case LAW_HOLDING:
		return "holding";
	}
	return "?";
}
