/* SPDX-License-Identifier: MIT */
/*
 * board.h - the LEVER controller board's firmware behaviour on top of the
 * plant model: command frames in, sample frames out, control requests,
 * hard stops, the command watchdog and clamping. Like the plant it never
 * reads a clock and does no I/O; time passes only through board_step().
 * lever-simd (FunctionFS) and liblever's sim transport both drive it.
 */
#ifndef LEVER_SIM_BOARD_H
#define LEVER_SIM_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "lever_wire.h"
#include "plant.h"

#define BOARD_FW_MAJOR		1
#define BOARD_FW_MINOR		0
#define BOARD_FW_PATCH		0
#define BOARD_DEFAULT_RATE_HZ	1000
#define BOARD_STOP_DECEL_MM_S2	1000	/* controlled stop, SAFETY.md */

struct board_config {
	struct plant_config plant;
	uint32_t sample_rate_hz;		/* 100..4000; default 1000 */
	char	serial[LEVER_SERIAL_LEN];	/* NUL padded; "SIM0001" */
};

/* Counters and states for assertions (the control socket's `state`). */
struct board_status {
	uint16_t board_state;		/* LEVER_BOARD_* */
	uint32_t faults;		/* LEVER_FAULT_*, latched */
	uint32_t watchdog_ms;
	uint32_t sample_seq;		/* seq of the next sample made */
	uint32_t samples_made;		/* including dropped ones */
	uint32_t samples_dropped;	/* lost to PLANT_FAULT_DROP_FRAMES or
					 * a full output queue */
	uint32_t cmds_accepted;
	uint32_t cmds_rejected;
	uint32_t cmds_clamped;
	uint32_t cmd_seq_applied;
	int	 last_reject;		/* negative errno of the last reject */
	uint32_t pressure_setpoint_pa;	/* as applied */
	uint32_t belt_setpoint_mm_s;	/* as applied */
	int16_t	 incline_setpoint_centi_pct;
	uint32_t resets_ok;
	uint32_t resets_refused;
};

struct board;

void board_default_config(struct board_config *cfg);
/* Returns 0, -EINVAL (bad config) or -ENOMEM. */
int board_new(const struct board_config *cfg, struct board **out);
void board_free(struct board *b);

/*
 * Advances board and plant by @dt_ns. Every sample period a sample frame
 * is made and queued for board_sample(); the queue holds a few frames and
 * drops the oldest when full, so a slow reader sees gaps in seq, never a
 * burst of stale data.
 */
int board_step(struct board *b, uint64_t dt_ns);

/* Time of the next sample, ns of board time (for pacing by the caller). */
uint64_t board_next_sample_ns(const struct board *b);
uint64_t board_time_ns(const struct board *b);
uint32_t board_sample_period_ns(const struct board *b);

/* Takes the oldest ready sample frame: 0, or -EAGAIN when none is due. */
int board_sample(struct board *b, struct lever_wire_sample *out);
/*
 * The same, lent instead of copied: the frame taken, or NULL when none is
 * due. Valid until the board is stepped again.
 */
const struct lever_wire_sample *board_take_sample(struct board *b);

/*
 * Applies one command frame of @len bytes as received on the OUT
 * endpoint. Returns 0 when accepted (values may have been clamped; see
 * cmds_clamped), or a negative errno when rejected and counted:
 * -EMSGSIZE wrong length, -EPROTO wrong version, -EBADMSG wrong type or
 * length field, -EINVAL bad flags or nonzero reserved, -ERANGE negative
 * belt speed.
 */
int board_command(struct board *b, const void *frame, size_t len);

/*
 * Answers a vendor control request (LEVER_REQ_*). For IN requests fills
 * @buf (up to @len bytes) and returns the byte count; for OUT requests
 * returns 0. A negative errno means the board STALLs the request:
 * -EOPNOTSUPP unknown request, -ERANGE watchdog out of bounds, -EBUSY
 * fault reset while e-stop or key is active or the belt still moves.
 */
int board_control(struct board *b, uint8_t request, uint16_t value,
		  void *buf, size_t len);

/* The outside world and fault injection, passed to the plant. */
int board_set_line(struct board *b, unsigned int line_bit, bool active);
int board_set_button(struct board *b, unsigned int button_bit, bool pressed);
int board_set_runner(struct board *b, double mass_kg, double cadence_steps_s);
int board_set_fault(struct board *b, enum plant_fault fault, bool active);

void board_get_status(const struct board *b, struct board_status *st);
/* Read-only view of the plant for assertions. */
const struct plant *board_plant(const struct board *b);

/*
 * Writes the whole state as "key=value\n" lines into @buf (NUL
 * terminated). Returns the length, or -ENOSPC if @size is too small.
 */
int board_dump(const struct board *b, char *buf, size_t size);

#endif /* LEVER_SIM_BOARD_H */
