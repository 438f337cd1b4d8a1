/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lever.h - ioctl ABI of lever.ko, the LEVER treadmill controller driver.
 * Fixed-width types, explicit reserved fields (must be zero, checked),
 * no pointers, enums or bitfields: the layout is the same for 32- and
 * 64-bit userspace. A change adds a new command number, never a version
 * field. Documentation/userspace-api/lever.rst describes every command.
 */
#ifndef _UAPI_LINUX_LEVER_H
#define _UAPI_LINUX_LEVER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LEVER_IOC_MAGIC		0xb9

#define LEVER_SERIAL_MAX	24

/* Identity, limits and gate settings of one board. */
struct lever_info {
	char	serial[LEVER_SERIAL_MAX];	/* ASCII, NUL padded */
	__u8	fw_major;
	__u8	fw_minor;
	__u8	fw_patch;
	__u8	protocol_version;		/* of the USB wire protocol */
	__u32	sample_rate_hz;			/* Hz */
	__u32	max_support_pressure_pa;	/* Pa */
	__s32	max_support_force_mn;		/* mN */
	__s32	max_belt_speed_mm_s;		/* mm/s */
	__s32	max_belt_accel_mm_s2;		/* mm/s^2, gate slew limit */
	__s32	stop_decel_mm_s2;		/* mm/s^2, controlled stop */
	__s16	incline_min_centi_pct;		/* 0.01 % */
	__s16	incline_max_centi_pct;		/* 0.01 % */
	__u32	force_per_pressure_un_pa;	/* uN of support per Pa */
	__u32	max_pressure_slew_pa_s;		/* Pa/s, gate slew limit */
	__u32	board_watchdog_ms;		/* ms, the board's own */
	__u32	watchdog_ms;			/* ms, the driver's, per file */
	__u32	reserved[8];			/* 0 */
};

/* Set-points; also feeds the driver's watchdog. */
struct lever_command {
	__u32	support_pressure_pa;	/* Pa, clamped to the board max */
	__s32	belt_speed_mm_s;	/* mm/s, < 0 is -EINVAL */
	__s16	incline_centi_pct;	/* 0.01 %, clamped to the range */
	__u16	flags;			/* 0; no flag defined yet */
	__u32	reserved[4];		/* 0, else -EINVAL */
};

/* sample.flags */
#define LEVER_SAMPLE_OVERFLOW	(1u << 0)	/* records lost before this */

/* One record as read() returns it. */
struct lever_sample {
	__u64	timestamp_ns;		/* CLOCK_MONOTONIC at URB completion */
	__u64	board_time_ns;		/* ns, board clock */
	__u32	seq;			/* board sample sequence number */
	__u32	flags;			/* LEVER_SAMPLE_* */
	__u32	lost;			/* records dropped before this one */
	__u32	support_pressure_pa;	/* Pa */
	__s32	support_force_mn;	/* mN, load cell */
	__s32	belt_speed_mm_s;	/* mm/s, measured */
	__s16	incline_centi_pct;	/* 0.01 %, measured */
	__u16	lines;			/* LEVER_LINE_* of lever_wire.h */
	__u16	buttons;		/* LEVER_BTN_* of lever_wire.h */
	__u16	board_state;		/* LEVER_BOARD_* of lever_wire.h */
	__u32	board_faults;		/* LEVER_FAULT_* of lever_wire.h */
	__u32	cmd_seq_applied;	/* board's last applied command */
	__u32	pressure_setpoint_pa;	/* Pa, as the board applied it */
	__s32	belt_setpoint_mm_s;	/* mm/s, as the board applied it */
	__s16	incline_setpoint_centi_pct; /* 0.01 %, as applied */
	__u16	reserved0;		/* 0 */
	__u32	reserved1[3];		/* 0 */
};

/* lever_status.state: the driver's gate state. */
#define LEVER_STATE_DISARMED	0	/* no controller; belt not driven */
#define LEVER_STATE_ARMED	1	/* a file controls the board */
#define LEVER_STATE_STOPPING	2	/* controlled stop in progress */
#define LEVER_STATE_FAULT	3	/* fault latched; needs a reset */
#define LEVER_STATE_DISCONNECTED 4	/* board gone */

/* lever_status.faults: latched in the driver until RESET_FAULTS. */
#define LEVER_DFAULT_WATCHDOG	(1u << 0)	/* controller silent */
#define LEVER_DFAULT_CLOSED	(1u << 1)	/* controller closed/died */
#define LEVER_DFAULT_BOARD	(1u << 2)	/* board reported a fault */
#define LEVER_DFAULT_ESTOP	(1u << 3)	/* e-stop line active */
#define LEVER_DFAULT_SAFETY_KEY	(1u << 4)	/* safety key pulled */
#define LEVER_DFAULT_IO		(1u << 5)	/* USB transfer failed */

struct lever_status {
	struct lever_sample last;	/* latest sample from the board */
	__u32	state;			/* LEVER_STATE_* */
	__u32	faults;			/* LEVER_DFAULT_* */
	__u64	samples;		/* sample frames received */
	__u64	dropped;		/* records lost (ring full, seq gap) */
	__u64	fault_count;		/* faults latched since probe */
	__u64	watchdog_trips;		/* driver watchdog expiries */
	__u64	commands;		/* commands sent to the board */
	__u64	clamped;		/* commands with a value clamped */
	__u32	controller_pid;		/* tgid of the arming process, 0 */
	__u32	reserved[7];		/* 0 */
};

struct lever_watchdog {
	__u32	period_ms;		/* ms, 5..1000 */
	__u32	reserved;		/* 0 */
};

#define LEVER_WATCHDOG_MIN_MS	5
#define LEVER_WATCHDOG_MAX_MS	1000
#define LEVER_WATCHDOG_DEF_MS	50

#define LEVER_IOC_GET_INFO	_IOR(LEVER_IOC_MAGIC, 0x00, struct lever_info)
#define LEVER_IOC_ARM		_IO(LEVER_IOC_MAGIC, 0x01)
#define LEVER_IOC_DISARM	_IO(LEVER_IOC_MAGIC, 0x02)
#define LEVER_IOC_COMMAND	_IOW(LEVER_IOC_MAGIC, 0x03, struct lever_command)
#define LEVER_IOC_STOP		_IO(LEVER_IOC_MAGIC, 0x04)
#define LEVER_IOC_SET_WATCHDOG	_IOW(LEVER_IOC_MAGIC, 0x05, struct lever_watchdog)
#define LEVER_IOC_GET_STATUS	_IOR(LEVER_IOC_MAGIC, 0x06, struct lever_status)
#define LEVER_IOC_RESET_FAULTS	_IO(LEVER_IOC_MAGIC, 0x07)

#endif /* _UAPI_LINUX_LEVER_H */
