/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lever_limits.h - the limits a board reports (its wire format) as the
 * gate's limits: one conversion for lever.ko and for liblever's sim
 * transport, so that both gates hold a board to the same numbers.
 */
#ifndef LEVER_LIMITS_H
#define LEVER_LIMITS_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <asm/byteorder.h>
#define lever_le32(x)	le32_to_cpu(x)
#define lever_le16(x)	le16_to_cpu(x)
#else
#include <endian.h>
#include <string.h>
#define lever_le32(x)	le32toh(x)
#define lever_le16(x)	le16toh(x)
#endif

#include "lever_gate.h"
#include "lever_wire.h"

static inline void lever_limits_from_wire(struct lever_gate_limits *gl,
					  const struct lever_wire_limits *wl)
{
	memset(gl, 0, sizeof(*gl));
	gl->max_support_pressure_pa = lever_le32(wl->max_support_pressure_pa);
	gl->max_belt_speed_mm_s = (__s32)lever_le32(wl->max_belt_speed_mm_s);
	gl->max_belt_accel_mm_s2 = (__s32)lever_le32(wl->max_belt_accel_mm_s2);
	gl->stop_decel_mm_s2 = (__s32)lever_le32(wl->stop_decel_mm_s2);
	gl->incline_min_centi_pct =
		(__s16)lever_le16(wl->incline_min_centi_pct);
	gl->incline_max_centi_pct =
		(__s16)lever_le16(wl->incline_max_centi_pct);
	gl->max_pressure_slew_pa_s = lever_le32(wl->max_pressure_slew_pa_s);
}

#endif /* LEVER_LIMITS_H */
