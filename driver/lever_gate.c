// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lever_gate.c - the safety gate of lever.ko (and of liblever's sim
 * transport): every set-point passes here before it reaches the board.
 * Pure C: no kernel API, no allocation, no clock, no 64-bit division (the
 * Raspberry Pi is 32-bit), so one file serves kernel and userspace.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include "lever_gate.h"

#define LEVER_GATE_LINES_ACTIVE	(LEVER_GATE_LINE_ESTOP | \
				 LEVER_GATE_LINE_SAFETY_KEY)
#define LEVER_GATE_NS_PER_US	1000u
#define LEVER_GATE_MAX_STEP_US	1000000u	/* 1 s of slew at most */
#define LEVER_GATE_AVG_MS	300	/* the requests' average: a stride */
/* no request for this long from a streaming controller: it is silent */
#define LEVER_GATE_SILENT_NS	20000000ull

int lever_gate_check_limits(const struct lever_gate_limits *lim)
{
	if (lim->max_support_pressure_pa < 1 ||
	    lim->max_support_pressure_pa > LEVER_GATE_PRESSURE_MAX_PA)
		return -EINVAL;
	if (lim->max_belt_speed_mm_s < 1 ||
	    lim->max_belt_speed_mm_s > LEVER_GATE_BELT_MAX_MM_S)
		return -EINVAL;
	if (lim->max_belt_accel_mm_s2 < LEVER_GATE_ACCEL_MIN_MM_S2 ||
	    lim->max_belt_accel_mm_s2 > LEVER_GATE_ACCEL_MAX_MM_S2)
		return -EINVAL;
	if (lim->stop_decel_mm_s2 < LEVER_GATE_DECEL_MIN_MM_S2 ||
	    lim->stop_decel_mm_s2 > LEVER_GATE_DECEL_MAX_MM_S2)
		return -EINVAL;
	if (lim->incline_min_centi_pct < LEVER_GATE_INCLINE_MIN_CPCT ||
	    lim->incline_max_centi_pct > LEVER_GATE_INCLINE_MAX_CPCT ||
	    lim->incline_min_centi_pct > lim->incline_max_centi_pct)
		return -EINVAL;
	if (lim->max_pressure_slew_pa_s < 1 ||
	    lim->max_pressure_slew_pa_s > LEVER_GATE_SLEW_MAX_PA_S)
		return -EINVAL;
	return 0;
}

void lever_gate_init(struct lever_gate *g, const struct lever_gate_limits *lim)
{
	*g = (struct lever_gate){
		.lim = *lim,
		.state = LEVER_GATE_DISARMED,
		.watchdog_ms = LEVER_GATE_WATCHDOG_DEF_MS,
	};
}

static bool lever_gate_watchdog_ok(__u32 watchdog_ms)
{
	return watchdog_ms >= LEVER_GATE_WATCHDOG_MIN_MS &&
	       watchdog_ms <= LEVER_GATE_WATCHDOG_MAX_MS;
}

static void lever_gate_latch(struct lever_gate *g, __u32 fault)
{
	if (!(g->faults & fault))
		g->fault_count++;
	g->faults |= fault;
}

/* Start of a controlled stop: belt to zero, pressure held where it is. */
static void lever_gate_begin_stop(struct lever_gate *g)
{
	if (g->state != LEVER_GATE_ARMED)
		return;
	g->state = LEVER_GATE_STOPPING;
	g->belt_target_um_s = 0;
	g->pressure_target_mpa = g->pressure_mpa;
}

/*
 * @rate per second times @dt_us, in thousandths of the rate's unit, in
 * 32-bit arithmetic: rate <= 10^6 and dt_us <= 10^6 keep both products
 * below 2^32.
 */
static __s64 lever_gate_scale(__u32 rate, __u32 dt_us)
{
	__u32 whole_ms = dt_us / 1000u;
	__u32 rest_us = dt_us % 1000u;

	return (__s64)rate * whole_ms + (rate * rest_us) / 1000u;
}

static __s64 lever_gate_toward(__s64 from, __s64 to, __s64 step)
{
	if (to > from)
		return to - from > step ? from + step : to;
	return from - to > step ? from - step : to;
}

/* Moves the output toward its target, no faster than the slew limits. */
static void lever_gate_slew(struct lever_gate *g, __u64 now_ns)
{
	__u64 dt_ns;
	__u32 dt_us, accel;

	if (now_ns <= g->step_ns)
		return;
	dt_ns = now_ns - g->step_ns;
	if (dt_ns >= (__u64)LEVER_GATE_MAX_STEP_US * LEVER_GATE_NS_PER_US) {
		dt_us = LEVER_GATE_MAX_STEP_US;
		g->step_ns = now_ns;
	} else {
		dt_us = (__u32)dt_ns / LEVER_GATE_NS_PER_US;
		/* keep the sub-microsecond rest for the next step */
		g->step_ns += (__u64)dt_us * LEVER_GATE_NS_PER_US;
	}

	accel = g->state == LEVER_GATE_STOPPING ?
		(__u32)g->lim.stop_decel_mm_s2 :
		(__u32)g->lim.max_belt_accel_mm_s2;
	g->belt_um_s = lever_gate_toward(g->belt_um_s, g->belt_target_um_s,
					 lever_gate_scale(accel, dt_us));
	g->pressure_mpa =
		lever_gate_toward(g->pressure_mpa, g->pressure_target_mpa,
				  lever_gate_scale(g->lim.max_pressure_slew_pa_s,
						   dt_us));
}

__u64 lever_gate_deadline_ns(const struct lever_gate *g)
{
	if (g->state != LEVER_GATE_ARMED)
		return 0;
	return g->fed_ns + (__u64)g->watchdog_ms * 1000000u;
}

int lever_gate_set_sample_rate(struct lever_gate *g, __u32 rate_hz,
			       __u64 now_ns)
{
	if (rate_hz < 1 || rate_hz > 10000)
		return -EINVAL;
	g->stale_ns = (__u64)LEVER_GATE_STALE_PERIODS *
		      (1000000000u / rate_hz);
	g->sample_ns = now_ns;
	return 0;
}

/* No valid sample for the stale bound (see lever_gate.h)? */
static bool lever_gate_stale(const struct lever_gate *g, __u32 watchdog_ms,
			     __u64 now_ns)
{
	__u64 bound = (__u64)watchdog_ms * 2000000u;

	if (!g->stale_ns || now_ns <= g->sample_ns)
		return false;
	if (bound < g->stale_ns)
		bound = g->stale_ns;
	return now_ns - g->sample_ns > bound;
}

/* Trips the watchdog if its period passed without a feed. */
static void lever_gate_check_watchdog(struct lever_gate *g, __u64 now_ns)
{
	__u64 deadline_ns = lever_gate_deadline_ns(g);

	if (g->state != LEVER_GATE_ARMED || now_ns < deadline_ns)
		return;
	/* the output followed the controller up to the deadline, not later */
	lever_gate_slew(g, deadline_ns);
	g->watchdog_trips++;
	lever_gate_latch(g, LEVER_GATE_FAULT_WATCHDOG);
	lever_gate_begin_stop(g);
}

/* The board went silent while armed: it is blind to its lines, stop. */
static void lever_gate_check_samples(struct lever_gate *g, __u64 now_ns)
{
	if (g->state != LEVER_GATE_ARMED ||
	    !lever_gate_stale(g, g->watchdog_ms, now_ns))
		return;
	lever_gate_latch(g, LEVER_GATE_FAULT_IO);
	lever_gate_slew(g, now_ns);
	lever_gate_begin_stop(g);
}

/* The e-stop or key cut the drive in hardware: the belt is coasting off. */
static void lever_gate_hard_stop(struct lever_gate *g)
{
	if (g->state == LEVER_GATE_ARMED || g->state == LEVER_GATE_STOPPING)
		g->final_frame = true;
	g->state = LEVER_GATE_FAULT;
	g->belt_um_s = 0;
	g->belt_target_um_s = 0;
	g->pressure_target_mpa = g->pressure_mpa;
}

void lever_gate_observe(struct lever_gate *g, __u16 lines, __u32 board_faults,
			__u32 applied_pressure_pa, __s16 applied_incline,
			__u64 now_ns)
{
	__u32 new_faults;

	g->lines = lines;
	g->sample_ns = now_ns;
	if (g->state == LEVER_GATE_DISARMED || g->state == LEVER_GATE_FAULT) {
		/* what "hold" means at the next arm */
		if (applied_pressure_pa > g->lim.max_support_pressure_pa)
			applied_pressure_pa = g->lim.max_support_pressure_pa;
		g->pressure_mpa = (__s64)applied_pressure_pa * 1000;
		g->pressure_target_mpa = g->pressure_mpa;
		g->incline_centi_pct = applied_incline;
	}
	if (lines & LEVER_GATE_LINE_ESTOP)
		lever_gate_latch(g, LEVER_GATE_FAULT_ESTOP);
	if (lines & LEVER_GATE_LINE_SAFETY_KEY)
		lever_gate_latch(g, LEVER_GATE_FAULT_SAFETY_KEY);
	if (lines & LEVER_GATE_LINES_ACTIVE) {
		lever_gate_hard_stop(g);
		return;
	}
	new_faults = board_faults & ~g->board_faults;
	g->board_faults = board_faults;
	if (new_faults) {
		lever_gate_latch(g, LEVER_GATE_FAULT_BOARD);
		lever_gate_slew(g, now_ns);
		lever_gate_begin_stop(g);
		if (g->state == LEVER_GATE_DISARMED)
			g->state = LEVER_GATE_FAULT;
	}
}

int lever_gate_arm(struct lever_gate *g, __u32 watchdog_ms, __u64 now_ns)
{
	if (!lever_gate_watchdog_ok(watchdog_ms))
		return -EINVAL;
	if (g->faults || g->board_faults ||
	    (g->lines & LEVER_GATE_LINES_ACTIVE))
		return -EPERM;
	if (g->state != LEVER_GATE_DISARMED)
		return -EBUSY;
	if (lever_gate_stale(g, watchdog_ms, now_ns))
		return -ENODATA;
	g->state = LEVER_GATE_ARMED;
	g->watchdog_ms = watchdog_ms;
	g->fed_ns = now_ns;
	g->step_ns = now_ns;
	g->final_frame = false;
	g->belt_um_s = 0;
	g->belt_target_um_s = 0;
	g->pressure_target_mpa = g->pressure_mpa;
	g->pressure_req_pa = (__s32)(g->pressure_mpa / 1000);
	g->pressure_avg_pa = g->pressure_req_pa;
	g->streaming = false;
	g->have_req = false;
	return 0;
}

/*
 * The controller's requests averaged over about a stride (an exponential
 * average, LEVER_GATE_AVG_MS), in 32-bit arithmetic: Pa below 2^21 times
 * at most LEVER_GATE_AVG_MS ms stays below 2^31.
 */
static void lever_gate_average(struct lever_gate *g, __u64 now_ns)
{
	__u64 dt_ns = now_ns > g->fed_ns ? now_ns - g->fed_ns : 0;
	__s32 dt_ms = dt_ns >= LEVER_GATE_AVG_MS * 1000000ull ?
		      LEVER_GATE_AVG_MS : (__s32)((__u32)dt_ns / 1000000u);

	g->pressure_avg_pa += (g->pressure_req_pa - g->pressure_avg_pa) *
			      dt_ms / (LEVER_GATE_AVG_MS + dt_ms);
	/* a second request within the silence: a streaming controller */
	g->streaming = g->have_req && dt_ns < LEVER_GATE_SILENT_NS;
	g->have_req = true;
}

/*
 * A controller that streamed requests and went silent (hung, stopped,
 * starved) may have left a stride peak or trough as its last request;
 * one more than 5 % off their stride average gives way to the average
 * until the controller speaks again or the watchdog stops the belt (the
 * board's hold rule at a stop, wire-protocol.rst, in the gate).
 */
static void lever_gate_check_silence(struct lever_gate *g, __u64 now_ns)
{
	__s32 off = g->pressure_req_pa - g->pressure_avg_pa;

	if (off < 0)
		off = -off;
	/* a steady request (within 5 % of the average) stands as it is */
	if (g->state == LEVER_GATE_ARMED && g->streaming &&
	    now_ns >= g->fed_ns + LEVER_GATE_SILENT_NS &&
	    off > g->pressure_avg_pa / 20)
		g->pressure_target_mpa = (__s64)g->pressure_avg_pa * 1000;
}

int lever_gate_command(struct lever_gate *g, const struct lever_gate_cmd *cmd,
		       __u64 now_ns, bool *clamped)
{
	struct lever_gate_limits *lim = &g->lim;
	__u32 pressure_pa = cmd->support_pressure_pa;
	__s32 belt_mm_s = cmd->belt_speed_mm_s;
	__s16 incline = cmd->incline_centi_pct;
	bool clamp = false;
	unsigned int i;

	if (clamped)
		*clamped = false;
	if (belt_mm_s < 0 || pressure_pa > 0x7fffffffu || cmd->flags)
		return -EINVAL;
	for (i = 0; i < LEVER_GATE_CMD_RESERVED; i++)
		if (cmd->reserved[i])
			return -EINVAL;

	/* a late command must not revive a controller the watchdog lost */
	lever_gate_check_watchdog(g, now_ns);
	lever_gate_check_samples(g, now_ns);
	if (g->state != LEVER_GATE_ARMED)
		return -EPERM;

	if (pressure_pa > lim->max_support_pressure_pa) {
		pressure_pa = lim->max_support_pressure_pa;
		clamp = true;
	}
	if (belt_mm_s > lim->max_belt_speed_mm_s) {
		belt_mm_s = lim->max_belt_speed_mm_s;
		clamp = true;
	}
	if (incline < lim->incline_min_centi_pct) {
		incline = lim->incline_min_centi_pct;
		clamp = true;
	} else if (incline > lim->incline_max_centi_pct) {
		incline = lim->incline_max_centi_pct;
		clamp = true;
	}
	if (clamp)
		g->clamped++;
	if (clamped)
		*clamped = clamp;

	/* the old target governs the time up to now */
	lever_gate_slew(g, now_ns);
	lever_gate_average(g, now_ns);
	g->pressure_req_pa = (__s32)pressure_pa;
	g->belt_target_um_s = (__s64)belt_mm_s * 1000;
	g->pressure_target_mpa = (__s64)pressure_pa * 1000;
	g->incline_centi_pct = incline;
	g->fed_ns = now_ns;
	return 0;
}

int lever_gate_set_watchdog(struct lever_gate *g, __u32 watchdog_ms,
			    __u64 now_ns)
{
	if (!lever_gate_watchdog_ok(watchdog_ms))
		return -EINVAL;
	if (g->state != LEVER_GATE_ARMED)
		return 0;
	/* a longer period must not rescue a controller already overdue */
	lever_gate_check_watchdog(g, now_ns);
	if (g->state != LEVER_GATE_ARMED)
		return -EPERM;
	g->watchdog_ms = watchdog_ms;
	return 0;
}

void lever_gate_stop(struct lever_gate *g, __u64 now_ns)
{
	lever_gate_slew(g, now_ns);
	lever_gate_begin_stop(g);
}

void lever_gate_release(struct lever_gate *g, __u64 now_ns)
{
	/* a stop already under way (disarm, watchdog) just runs on */
	if (g->state != LEVER_GATE_ARMED)
		return;
	lever_gate_latch(g, LEVER_GATE_FAULT_CLOSED);
	lever_gate_stop(g, now_ns);
}

void lever_gate_io_fault(struct lever_gate *g, __u64 now_ns)
{
	lever_gate_latch(g, LEVER_GATE_FAULT_IO);
	lever_gate_stop(g, now_ns);
	if (g->state == LEVER_GATE_DISARMED)
		g->state = LEVER_GATE_FAULT;
}

int lever_gate_reset_faults(struct lever_gate *g)
{
	if (g->lines & LEVER_GATE_LINES_ACTIVE)
		return -EBUSY;
	/* a controller holds the board: resetting is not its business */
	if (g->state == LEVER_GATE_ARMED || g->state == LEVER_GATE_STOPPING)
		return -EBUSY;
	g->faults = 0;
	if (g->state == LEVER_GATE_FAULT)
		g->state = LEVER_GATE_DISARMED;
	return 0;
}

bool lever_gate_tick(struct lever_gate *g, __u64 now_ns,
		     struct lever_gate_frame *f)
{
	lever_gate_check_silence(g, now_ns);
	lever_gate_check_watchdog(g, now_ns);
	lever_gate_check_samples(g, now_ns);
	if (g->state == LEVER_GATE_ARMED || g->state == LEVER_GATE_STOPPING)
		lever_gate_slew(g, now_ns);
	if (g->state == LEVER_GATE_STOPPING && g->belt_um_s == 0) {
		g->state = g->faults ? LEVER_GATE_FAULT : LEVER_GATE_DISARMED;
		g->final_frame = true;
	}

	switch (g->state) {
	case LEVER_GATE_ARMED:
		f->flags = LEVER_GATE_CMD_RUN;
		break;
	case LEVER_GATE_STOPPING:
		f->flags = LEVER_GATE_CMD_STOP;
		break;
	default:
		if (!g->final_frame)
			return false;
		g->final_frame = false;
		f->flags = LEVER_GATE_CMD_STOP;
		break;
	}
	f->belt_speed_mm_s = (__s32)g->belt_um_s / 1000;
	f->support_pressure_pa = (__u32)g->pressure_mpa / 1000u;
	f->incline_centi_pct = g->incline_centi_pct;
	return true;
}
