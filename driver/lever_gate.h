/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lever_gate.h - the safety gate between the controlling file and the
 * board: limits, slew limits, arming rules, watchdog and stops. Pure C,
 * built into lever.ko and into liblever's sim transport alike, so it must
 * never use a kernel API, allocate, sleep or read a clock.
 */
#ifndef LEVER_GATE_H
#define LEVER_GATE_H

#include <linux/types.h>
#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* Gate states; the values are LEVER_STATE_* of <linux/lever.h>. */
#define LEVER_GATE_DISARMED	0	/* belt not driven, no controller */
#define LEVER_GATE_ARMED	1	/* following the controller */
#define LEVER_GATE_STOPPING	2	/* controlled stop ramp running */
#define LEVER_GATE_FAULT	3	/* stopped, fault latched */

/* Latched faults; the values are LEVER_DFAULT_* of <linux/lever.h>. */
#define LEVER_GATE_FAULT_WATCHDOG	0x01u
#define LEVER_GATE_FAULT_CLOSED		0x02u
#define LEVER_GATE_FAULT_BOARD		0x04u
#define LEVER_GATE_FAULT_ESTOP		0x08u
#define LEVER_GATE_FAULT_SAFETY_KEY	0x10u
#define LEVER_GATE_FAULT_IO		0x20u

/* Safety-line bits as the board reports them (LEVER_LINE_* of wire.h). */
#define LEVER_GATE_LINE_ESTOP		0x01u
#define LEVER_GATE_LINE_SAFETY_KEY	0x02u

/* Frame flags the gate asks for (LEVER_CMD_* of lever_wire.h). */
#define LEVER_GATE_CMD_RUN		0x01u
#define LEVER_GATE_CMD_STOP		0x02u

/* Watchdog on the controlling file, ms (SAFETY.md). */
#define LEVER_GATE_WATCHDOG_MIN_MS	5
#define LEVER_GATE_WATCHDOG_MAX_MS	1000
#define LEVER_GATE_WATCHDOG_DEF_MS	50

/*
 * Samples are stale after this many sample periods, or after twice the
 * controller's watchdog period if that is longer: the gate never trips
 * before leverd's own stale check at its widest setting (SAFETY.md: 2..50
 * periods), and a stall of the whole machine that the watchdog survives
 * does not trip the stale rule first (samples reach the gate later than
 * commands: the second period is their slack).
 */
#define LEVER_GATE_STALE_PERIODS	50

/* Sane bounds for a board's limits; outside them the board is refused. */
#define LEVER_GATE_PRESSURE_MAX_PA	1000000	/* 10 bar */
#define LEVER_GATE_BELT_MAX_MM_S	5556	/* 20 km/h */
#define LEVER_GATE_ACCEL_MIN_MM_S2	100
#define LEVER_GATE_ACCEL_MAX_MM_S2	5000
#define LEVER_GATE_DECEL_MIN_MM_S2	500	/* 0.5 m/s^2 */
#define LEVER_GATE_DECEL_MAX_MM_S2	2000	/* 2.0 m/s^2 */
#define LEVER_GATE_INCLINE_MIN_CPCT	(-1500)	/* -15 % */
#define LEVER_GATE_INCLINE_MAX_CPCT	3000	/* +30 % */
#define LEVER_GATE_SLEW_MAX_PA_S	1000000

/* The board's limits the gate enforces. */
struct lever_gate_limits {
	__u32	max_support_pressure_pa;	/* Pa */
	__s32	max_belt_speed_mm_s;		/* mm/s */
	__s32	max_belt_accel_mm_s2;		/* mm/s^2, slew limit */
	__s32	stop_decel_mm_s2;		/* mm/s^2, controlled stop */
	__s16	incline_min_centi_pct;		/* 0.01 % */
	__s16	incline_max_centi_pct;		/* 0.01 % */
	__u32	max_pressure_slew_pa_s;		/* Pa/s, slew limit */
};

#define LEVER_GATE_CMD_RESERVED	4

/* A command as the controller sent it (struct lever_command's fields). */
struct lever_gate_cmd {
	__u32	support_pressure_pa;	/* Pa */
	__s32	belt_speed_mm_s;	/* mm/s, >= 0 */
	__s16	incline_centi_pct;	/* 0.01 % */
	__u16	flags;			/* 0 */
	__u32	reserved[LEVER_GATE_CMD_RESERVED];	/* 0 */
};

/* One command frame's set-points, as the gate lets them out. */
struct lever_gate_frame {
	__u32	support_pressure_pa;	/* Pa */
	__s32	belt_speed_mm_s;	/* mm/s */
	__s16	incline_centi_pct;	/* 0.01 % */
	__u16	flags;			/* LEVER_GATE_CMD_* */
};

/*
 * Gate state. The caller embeds it and serialises every call (one lock);
 * the fields are the gate's own, read them through the functions below.
 * Set-points are kept in micro-units (um/s, mPa) so that slew steps of a
 * fraction of a unit per call are not lost to rounding.
 */
struct lever_gate {
	struct lever_gate_limits lim;
	__u32	state;			/* LEVER_GATE_* */
	__u32	faults;			/* LEVER_GATE_FAULT_*, latched */
	__u32	watchdog_ms;		/* of the current controller */
	__u16	lines;			/* latest safety lines */
	__u32	board_faults;		/* latest board fault bits */
	bool	final_frame;		/* one drive-off frame still owed */
	__u64	stale_ns;		/* 0: sample age not checked */
	__u64	sample_ns;		/* last valid sample, or link up */
	__u64	fed_ns;			/* last arm or command */
	__u64	step_ns;		/* time of the last slew step */
	__s64	belt_um_s;		/* output, um/s */
	__s64	belt_target_um_s;	/* clamped request, um/s */
	__s64	pressure_mpa;		/* output, mPa */
	__s64	pressure_target_mpa;	/* clamped request, mPa */
	__s32	pressure_req_pa;	/* the controller's last request */
	__s32	pressure_avg_pa;	/* its requests over about a stride */
	bool	have_req;		/* a request since the arm */
	bool	streaming;		/* it requests faster than silence */
	__s16	incline_centi_pct;	/* output = clamped request */
	__u64	clamped;		/* commands with a value clamped */
	__u64	watchdog_trips;
	__u64	fault_count;		/* faults latched */
};

/* 0 if every limit is inside the sane bounds above, else -EINVAL. */
int lever_gate_check_limits(const struct lever_gate_limits *lim);

/* Disarmed, no fault, watchdog at its default. @lim must pass the check. */
void lever_gate_init(struct lever_gate *g, const struct lever_gate_limits *lim);

/*
 * The board's sample rate (1..10000 Hz, else -EINVAL) and the time its
 * link came up (@now_ns): from then on ARM needs a valid sample younger
 * than the stale bound (LEVER_GATE_STALE_PERIODS), and an armed gate whose
 * samples go stale latches LEVER_GATE_FAULT_IO and stops. The link-up time
 * counts as the first sample, so a board has one stale bound to start
 * streaming. Until this is called the age of samples is not checked
 * (transports always call it; unit tests of other rules need not).
 */
int lever_gate_set_sample_rate(struct lever_gate *g, __u32 rate_hz,
			       __u64 now_ns);

/*
 * Latest board report: safety lines, board fault bits, and the pressure
 * and incline set-points the board applies (what "hold" starts from).
 * An active e-stop or safety key latches its fault at once; the board has
 * cut the belt drive itself, so the output belt speed drops to zero. A
 * board fault bit that was clear in the previous report latches
 * LEVER_GATE_FAULT_BOARD and starts a controlled stop (reports already in
 * flight when a reset clears the board's faults must not latch again).
 */
void lever_gate_observe(struct lever_gate *g, __u16 lines, __u32 board_faults,
			__u32 applied_pressure_pa, __s16 applied_incline,
			__u64 now_ns);

/*
 * Arms with watchdog @watchdog_ms (5..1000, else -EINVAL). -EPERM while a
 * fault is latched, the board reports a fault, or the e-stop or safety key
 * is active; -EBUSY unless disarmed; -ENODATA when the last valid sample
 * is stale (the gate cannot see the lines). Output starts at belt 0 with
 * pressure and incline held.
 */
int lever_gate_arm(struct lever_gate *g, __u32 watchdog_ms, __u64 now_ns);

/*
 * Takes a command: -EINVAL for nonsense (belt speed < 0, pressure above
 * INT32_MAX, flags or reserved nonzero), -EPERM unless armed (also when
 * the watchdog or stale samples stop the gate at @now_ns). Values
 * outside the limits are clamped (and counted, *@clamped set). Feeds the
 * watchdog. @clamped may be NULL.
 */
int lever_gate_command(struct lever_gate *g, const struct lever_gate_cmd *cmd,
		       __u64 now_ns, bool *clamped);

/*
 * Changes the armed watchdog period: 5..1000 ms, else -EINVAL. The old
 * period is checked at @now_ns first: an overdue controller trips and is
 * not rescued (-EPERM). Not armed: 0, nothing changes.
 */
int lever_gate_set_watchdog(struct lever_gate *g, __u32 watchdog_ms,
			    __u64 now_ns);

/*
 * Controlled stop without a fault (STOP, DISARM): belt ramps to zero at
 * the stop deceleration, pressure held, then disarmed. No effect unless
 * armed.
 */
void lever_gate_stop(struct lever_gate *g, __u64 now_ns);

/*
 * The controller closed its file or died while armed: controlled stop,
 * fault latched. A stop already under way runs on without a new fault.
 */
void lever_gate_release(struct lever_gate *g, __u64 now_ns);

/* The link to the board failed: controlled stop, fault latched. */
void lever_gate_io_fault(struct lever_gate *g, __u64 now_ns);

/*
 * Clears latched faults: -EBUSY while armed (a controller holds the
 * board), while the belt is still ramping down, or while the e-stop or
 * safety key is active; disarmed afterwards.
 */
int lever_gate_reset_faults(struct lever_gate *g);

/*
 * Advances time: trips the watchdog (controlled stop, fault latched) once
 * @now_ns is a watchdog period past the last feed, stops on stale samples
 * (LEVER_GATE_FAULT_IO), and slews the output.
 * Returns true and fills @f when a command frame must go to the board
 * now; false when the drive is off and nothing is owed.
 */
bool lever_gate_tick(struct lever_gate *g, __u64 now_ns,
		     struct lever_gate_frame *f);

/* When the watchdog trips if nothing feeds it; 0 unless armed. */
__u64 lever_gate_deadline_ns(const struct lever_gate *g);

static inline __u32 lever_gate_state(const struct lever_gate *g)
{
	return g->state;
}

static inline __u32 lever_gate_faults(const struct lever_gate *g)
{
	return g->faults;
}

#endif /* LEVER_GATE_H */
