/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * lever_wire.h - the USB wire protocol of the LEVER treadmill controller
 * board, shared by lever.ko, lever-simd and userspace tools. Every field is
 * little-endian, fixed-width and named or commented with its unit. A change
 * to any layout here needs a new LEVER_WIRE_VERSION.
 * Documentation/hardware/wire-protocol.rst describes it field by field.
 */
#ifndef LEVER_WIRE_H
#define LEVER_WIRE_H

#include <linux/types.h>

/* pid.codes open-source vendor ID; the product ID is LEVER's own. */
#define LEVER_USB_VID			0x1209
#define LEVER_USB_PID			0x4c56

#define LEVER_WIRE_VERSION		1

/* The one vendor-specific interface: class/subclass/protocol. */
#define LEVER_USB_CLASS			0xff
#define LEVER_USB_SUBCLASS		0x4c
#define LEVER_USB_PROTOCOL		0x01

/*
 * Endpoints: one interrupt IN (samples), one interrupt OUT (commands).
 * wMaxPacketSize is exactly the frame size so every transfer is one frame;
 * bInterval gives 1 ms at full speed (1) and at high speed (4: 2^3 uframes).
 */
#define LEVER_EP_SAMPLE_MAXP		64
#define LEVER_EP_COMMAND_MAXP		32
#define LEVER_EP_INTERVAL_FS		1
#define LEVER_EP_INTERVAL_HS		4

/* Frame types (byte 1 of every frame). */
#define LEVER_FRAME_SAMPLE		0x01
#define LEVER_FRAME_COMMAND		0x02

/* sample.lines: safety-line states, 1 = the condition named is true. */
#define LEVER_LINE_ESTOP		(1u << 0)	/* e-stop pressed */
#define LEVER_LINE_SAFETY_KEY		(1u << 1)	/* safety key pulled */
#define LEVER_LINE_HARNESS		(1u << 2)	/* harness clipped in */

/* sample.buttons: console buttons held down, 1 = pressed. */
#define LEVER_BTN_START			(1u << 0)
#define LEVER_BTN_STOP			(1u << 1)
#define LEVER_BTN_PAUSE			(1u << 2)
#define LEVER_BTN_PAIN			(1u << 3)
#define LEVER_BTN_SPEED_UP		(1u << 4)
#define LEVER_BTN_SPEED_DOWN		(1u << 5)
#define LEVER_BTN_SUPPORT_UP		(1u << 6)
#define LEVER_BTN_SUPPORT_DOWN		(1u << 7)
#define LEVER_BTN_COUNT			8

/* sample.faults: latched by the board until a fault reset succeeds. */
#define LEVER_FAULT_ESTOP		(1u << 0)	/* hard stop by e-stop */
#define LEVER_FAULT_SAFETY_KEY		(1u << 1)	/* hard stop by key */
#define LEVER_FAULT_WATCHDOG		(1u << 2)	/* no command in time */
#define LEVER_FAULT_OVERSPEED		(1u << 3)	/* belt above limit */
#define LEVER_FAULT_PRESSURE_SENSOR	(1u << 4)	/* reading invalid */
#define LEVER_FAULT_FORCE_SENSOR	(1u << 5)	/* reading invalid */
#define LEVER_FAULT_VALVE		(1u << 6)	/* valve not following */
#define LEVER_FAULT_BELT_DRIVE		(1u << 7)	/* drive not following */

/* sample.board_state */
#define LEVER_BOARD_IDLE		0	/* belt drive disabled */
#define LEVER_BOARD_RUNNING		1	/* following commands */
#define LEVER_BOARD_STOPPING		2	/* controlled stop */
#define LEVER_BOARD_HARD_STOPPED	3	/* drive cut, fault latched */

/* command.flags */
#define LEVER_CMD_RUN			(1u << 0)	/* drive enabled */
#define LEVER_CMD_STOP			(1u << 1)	/* controlled stop */
#define LEVER_CMD_FLAGS_ALL		(LEVER_CMD_RUN | LEVER_CMD_STOP)

/*
 * Sample frame, interrupt IN, one per sample period (default 1000 Hz).
 * The board samples at a fixed rate and never queues: a host that falls
 * behind misses frames and sees the gap in @seq.
 */
struct lever_wire_sample {
	__u8	version;		/* LEVER_WIRE_VERSION */
	__u8	type;			/* LEVER_FRAME_SAMPLE */
	__le16	length;			/* bytes, sizeof this struct */
	__le32	seq;			/* +1 per sample, wraps */
	__le64	board_time_ns;		/* ns since board power-up */
	__le32	support_pressure_pa;	/* Pa, gauge, cylinder */
	__le32	support_force_mn;	/* mN, load cell, signed */
	__le32	belt_speed_mm_s;	/* mm/s, measured, signed */
	__le16	incline_centi_pct;	/* 0.01 %, measured, signed */
	__le16	lines;			/* LEVER_LINE_* */
	__le16	buttons;		/* LEVER_BTN_* */
	__le16	board_state;		/* LEVER_BOARD_* */
	__le32	faults;			/* LEVER_FAULT_*, latched */
	__le32	cmd_seq_applied;	/* seq of last command applied */
	__le32	pressure_setpoint_pa;	/* Pa, as applied after clamping */
	__le32	belt_setpoint_mm_s;	/* mm/s, as applied after clamping */
	__le16	incline_setpoint_centi_pct; /* 0.01 %, as applied */
	__le16	reserved0;		/* 0 */
	__le32	cmds_rejected;		/* malformed command frames, count */
	__le32	cmds_clamped;		/* commands with a value clamped */
} __attribute__((packed));

/* Command frame, interrupt OUT. Feeds the board's command watchdog. */
struct lever_wire_command {
	__u8	version;		/* LEVER_WIRE_VERSION */
	__u8	type;			/* LEVER_FRAME_COMMAND */
	__le16	length;			/* bytes, sizeof this struct */
	__le32	seq;			/* host's command sequence number */
	__le32	support_pressure_pa;	/* Pa, set-point */
	__le32	belt_speed_mm_s;	/* mm/s, set-point, >= 0 */
	__le16	incline_centi_pct;	/* 0.01 %, set-point, signed */
	__le16	flags;			/* LEVER_CMD_* */
	__le32	reserved[3];		/* 0 */
} __attribute__((packed));

/*
 * Control requests: bmRequestType vendor | interface recipient, wIndex =
 * interface number. A request the board cannot honour is STALLed.
 */
#define LEVER_REQ_GET_IDENTITY		0x01	/* IN, lever_wire_identity */
#define LEVER_REQ_GET_LIMITS		0x02	/* IN, lever_wire_limits */
#define LEVER_REQ_SET_WATCHDOG		0x03	/* OUT, wValue = ms, no data */
#define LEVER_REQ_GET_WATCHDOG		0x04	/* IN, __le32 ms */
#define LEVER_REQ_RESET_FAULTS		0x05	/* OUT, no data; STALL while
						 * e-stop or key is active */

#define LEVER_SERIAL_LEN		24

struct lever_wire_identity {
	__le16	protocol_version;	/* LEVER_WIRE_VERSION */
	__le16	reserved0;		/* 0 */
	char	serial[LEVER_SERIAL_LEN]; /* ASCII, NUL padded */
	__u8	fw_major;
	__u8	fw_minor;
	__u8	fw_patch;
	__u8	reserved1;		/* 0 */
	__le32	sample_rate_hz;		/* Hz, sample frames per second */
	__le32	reserved[7];		/* 0 */
} __attribute__((packed));

struct lever_wire_limits {
	__le32	max_support_pressure_pa;	/* Pa */
	__le32	max_support_force_mn;		/* mN */
	__le32	max_belt_speed_mm_s;		/* mm/s */
	__le32	max_belt_accel_mm_s2;		/* mm/s^2 */
	__le32	stop_decel_mm_s2;		/* mm/s^2, controlled stop */
	__le16	incline_min_centi_pct;		/* 0.01 %, signed */
	__le16	incline_max_centi_pct;		/* 0.01 %, signed */
	__le32	force_per_pressure_un_pa;	/* uN of support per Pa */
	__le32	max_pressure_slew_pa_s;		/* Pa/s the valve can follow */
	__le32	watchdog_min_ms;		/* ms */
	__le32	watchdog_max_ms;		/* ms */
	__le32	reserved[6];			/* 0 */
} __attribute__((packed));

/* Board watchdog bounds and default, as SAFETY.md gives them. */
#define LEVER_BOARD_WATCHDOG_MIN_MS	20
#define LEVER_BOARD_WATCHDOG_MAX_MS	1000
#define LEVER_BOARD_WATCHDOG_DEF_MS	100

#if defined(__KERNEL__) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
_Static_assert(sizeof(struct lever_wire_sample) == LEVER_EP_SAMPLE_MAXP,
	       "sample frame size");
_Static_assert(sizeof(struct lever_wire_command) == LEVER_EP_COMMAND_MAXP,
	       "command frame size");
_Static_assert(sizeof(struct lever_wire_identity) == 64, "identity size");
_Static_assert(sizeof(struct lever_wire_limits) == 64, "limits size");
#endif

#endif /* LEVER_WIRE_H */
