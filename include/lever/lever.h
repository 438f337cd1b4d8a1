/* SPDX-License-Identifier: MIT */
/*
 * lever.h - liblever, the C API of the LEVER treadmill controller: the
 * board behind /dev/leverN, the in-process simulated board, the read-only
 * USB diagnostic link, safety GPIO lines and console keys. This header
 * must stay strict C99 and self-contained; it never exposes the kernel's
 * ioctl structs, so the kernel ABI can change without breaking callers.
 *
 * Conventions, stated once for the whole API:
 *
 * - The errors of lever_dev_* on /dev/leverN are the driver's, passed on
 *   unchanged (Documentation/userspace-api/lever.rst); the sim transport
 *   gives the same ones, from the same gate code. Exception: on a handle
 *   opened LEVER_DEV_OPEN_READONLY every control call is -EPERM here,
 *   before the driver's -EBADF.
 *
 * - Every function returning int returns 0 (or a documented non-negative
 *   value) on success and a negative errno on failure; errno itself is not
 *   used to report errors. Error codes common to every function taking an
 *   object: -EINVAL for a NULL object or NULL output pointer, or a
 *   reserved field that is not zero; -ENODEV once the board has been
 *   unplugged (or the sim link was cut with LEVER_SIM_FAULT_DISCONNECT):
 *   close the handle or call lever_dev_reopen(). Functions document only
 *   the codes that carry extra meaning.
 * - Objects are opaque. The function that creates an object (an `_open`
 *   or `_watch` function) hands ownership to the caller through its last
 *   argument; the matching `_close` function frees it and everything it
 *   owns, and accepts NULL. Nothing else allocates memory the caller must
 *   free. Output structs are owned and provided by the caller.
 * - A handle is not thread-safe: use it from one thread at a time.
 * - File descriptors returned by `_fd` functions belong to the object:
 *   poll them, never read, write or close them.
 * - Units are in every field name: _pa (pascal), _mn (millinewton),
 *   _mm_s (mm/s), _mm_s2 (mm/s^2), _centi_pct (0.01 %), _ms, _ns, _g
 *   (gram), _hz, _spm (steps per minute).
 */
#ifndef LEVER_LEVER_H
#define LEVER_LEVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(LEVER_BUILDING_LIB)
#define LEVER_API __attribute__((visibility("default")))
#else
#define LEVER_API
#endif

/* ---------------------------------------------------------------------
 * Values shared with the board (same numbers as the wire protocol).
 */

/* lever_dev_sample.lines: safety lines, 1 = the named condition holds. */
#define LEVER_DEV_LINE_ESTOP		(1u << 0)	/* e-stop pressed */
#define LEVER_DEV_LINE_SAFETY_KEY	(1u << 1)	/* safety key pulled */
#define LEVER_DEV_LINE_HARNESS		(1u << 2)	/* harness clipped in */

/* lever_dev_sample.buttons: console buttons held down. */
#define LEVER_DEV_BTN_START		(1u << 0)
#define LEVER_DEV_BTN_STOP		(1u << 1)
#define LEVER_DEV_BTN_PAUSE		(1u << 2)
#define LEVER_DEV_BTN_PAIN		(1u << 3)
#define LEVER_DEV_BTN_SPEED_UP		(1u << 4)
#define LEVER_DEV_BTN_SPEED_DOWN	(1u << 5)
#define LEVER_DEV_BTN_SUPPORT_UP	(1u << 6)
#define LEVER_DEV_BTN_SUPPORT_DOWN	(1u << 7)

/* lever_dev_sample.board_faults: latched by the board. */
#define LEVER_DEV_BFAULT_ESTOP		(1u << 0)	/* hard stop, e-stop */
#define LEVER_DEV_BFAULT_SAFETY_KEY	(1u << 1)	/* hard stop, key */
#define LEVER_DEV_BFAULT_WATCHDOG	(1u << 2)	/* board watchdog */
#define LEVER_DEV_BFAULT_OVERSPEED	(1u << 3)	/* belt above limit */
#define LEVER_DEV_BFAULT_PRESSURE_SENSOR (1u << 4)	/* reading invalid */
#define LEVER_DEV_BFAULT_FORCE_SENSOR	(1u << 5)	/* reading invalid */
#define LEVER_DEV_BFAULT_VALVE		(1u << 6)	/* valve not following */
#define LEVER_DEV_BFAULT_BELT_DRIVE	(1u << 7)	/* drive not following */

/* lever_dev_sample.board_state */
#define LEVER_DEV_BOARD_IDLE		0	/* belt drive disabled */
#define LEVER_DEV_BOARD_RUNNING		1	/* following commands */
#define LEVER_DEV_BOARD_STOPPING	2	/* controlled stop */
#define LEVER_DEV_BOARD_HARD_STOPPED	3	/* drive cut, fault latched */

/* lever_dev_sample.flags */
#define LEVER_DEV_SAMPLE_OVERFLOW	(1u << 0)	/* records lost before */

/* lever_dev_status.state: the safety gate's state (driver or sim). The
 * usb: transport has no gate and always reports DISARMED. */
#define LEVER_DEV_STATE_DISARMED	0	/* no controller */
#define LEVER_DEV_STATE_ARMED		1	/* this or another handle
						 * controls the board */
#define LEVER_DEV_STATE_STOPPING	2	/* controlled stop running */
#define LEVER_DEV_STATE_FAULT		3	/* fault latched, needs reset */
#define LEVER_DEV_STATE_DISCONNECTED	4	/* board gone */

/* lever_dev_status.faults: latched by the gate until a fault reset. */
#define LEVER_DEV_FAULT_WATCHDOG	(1u << 0)	/* controller silent */
#define LEVER_DEV_FAULT_CLOSED		(1u << 1)	/* controller closed */
#define LEVER_DEV_FAULT_BOARD		(1u << 2)	/* board fault */
#define LEVER_DEV_FAULT_ESTOP		(1u << 3)	/* e-stop active */
#define LEVER_DEV_FAULT_SAFETY_KEY	(1u << 4)	/* safety key pulled */
#define LEVER_DEV_FAULT_IO		(1u << 5)	/* USB transfer failed */

/* Watchdog period bounds of the gate (SAFETY.md), in ms. */
#define LEVER_DEV_WATCHDOG_MIN_MS	5
#define LEVER_DEV_WATCHDOG_MAX_MS	1000
#define LEVER_DEV_WATCHDOG_DEF_MS	50

/* lever_dev_info.transport */
#define LEVER_DEV_TRANSPORT_CHARDEV	1	/* /dev/leverN, lever.ko */
#define LEVER_DEV_TRANSPORT_SIM		2	/* in-process simulation */
#define LEVER_DEV_TRANSPORT_USB		3	/* libusb, read-only */

#define LEVER_DEV_SERIAL_MAX		24	/* chars, without the NUL */

/* ---------------------------------------------------------------------
 * Data exchanged with a device. Reserved fields are zero on output and
 * must be zero on input (else -EINVAL); they keep room for new fields.
 */

/* Identity, limits and gate settings of one board. */
struct lever_dev_info {
	char		serial[LEVER_DEV_SERIAL_MAX + 1]; /* NUL terminated */
	uint8_t		fw_major;
	uint8_t		fw_minor;
	uint8_t		fw_patch;
	uint8_t		protocol_version;	/* USB wire protocol */
	uint32_t	transport;		/* LEVER_DEV_TRANSPORT_* */
	char		node[64];		/* "/dev/lever0", "sim:",
						 * "usb:BUS-PORT"; NUL term. */
	uint32_t	sample_rate_hz;
	uint32_t	max_support_pressure_pa;
	int32_t		max_support_force_mn;
	int32_t		max_belt_speed_mm_s;
	int32_t		max_belt_accel_mm_s2;	/* gate slew limit */
	int32_t		stop_decel_mm_s2;	/* controlled stop */
	int16_t		incline_min_centi_pct;
	int16_t		incline_max_centi_pct;
	uint32_t	force_per_pressure_un_pa; /* uN of support per Pa */
	uint32_t	max_pressure_slew_pa_s;	/* gate slew limit */
	uint32_t	board_watchdog_ms;	/* the board's own */
	uint32_t	watchdog_ms;		/* the gate's, per handle */
	uint32_t	reserved[8];
};

/* Set-points. Sending one also feeds the gate's watchdog. */
struct lever_dev_command {
	uint32_t	support_pressure_pa;	/* clamped to the board max */
	int32_t		belt_speed_mm_s;	/* >= 0, clamped, slewed */
	int16_t		incline_centi_pct;	/* clamped to the range */
	uint16_t	reserved0;
	uint32_t	reserved[3];
};

/* One sample of the board, in the order the board produced them. */
struct lever_dev_sample {
	uint64_t	timestamp_ns;	/* CLOCK_MONOTONIC on arrival (sim:
					 * the virtual clock) */
	uint64_t	board_time_ns;	/* board clock */
	uint32_t	seq;		/* board sequence number, wraps */
	uint32_t	flags;		/* LEVER_DEV_SAMPLE_* */
	uint32_t	lost;		/* records dropped before this one */
	uint32_t	support_pressure_pa;
	int32_t		support_force_mn;	/* load cell */
	int32_t		belt_speed_mm_s;	/* measured */
	int16_t		incline_centi_pct;	/* measured */
	uint16_t	lines;			/* LEVER_DEV_LINE_* */
	uint16_t	buttons;		/* LEVER_DEV_BTN_* */
	uint16_t	board_state;		/* LEVER_DEV_BOARD_* */
	uint32_t	board_faults;		/* LEVER_DEV_BFAULT_* */
	uint32_t	cmd_seq_applied;	/* board's last applied cmd */
	uint32_t	pressure_setpoint_pa;	/* as the board applied it */
	int32_t		belt_setpoint_mm_s;	/* as the board applied it */
	int16_t		incline_setpoint_centi_pct;
	uint16_t	reserved0;
	uint32_t	reserved[3];
};

/* State of the safety gate and its counters. */
struct lever_dev_status {
	struct lever_dev_sample last;	/* latest sample of the board */
	uint32_t	state;		/* LEVER_DEV_STATE_* */
	uint32_t	faults;		/* LEVER_DEV_FAULT_* */
	uint64_t	samples;	/* sample frames received */
	uint64_t	dropped;	/* records lost */
	uint64_t	fault_count;	/* faults latched since probe/open */
	uint64_t	watchdog_trips;	/* gate watchdog expiries */
	uint64_t	commands;	/* commands sent to the board */
	uint64_t	clamped;	/* commands with a value clamped */
	uint32_t	controller_pid;	/* process that armed; 0 = none (sim:
					 * getpid() of the caller) */
	uint32_t	reserved[7];
};

/* ---------------------------------------------------------------------
 * The device.
 */

struct lever_dev;

/* lever_dev_open_flags() flags */
#define LEVER_DEV_OPEN_READONLY	(1u << 0)	/* monitor only, never arms */

/**
 * lever_dev_open() - open a board.
 * @spec: which board and how:
 *   NULL or ""        the first board found (lowest /sys/class/lever/leverN)
 *   "/dev/leverN"     a device node of lever.ko (any path starting with '/')
 *   "serial:XYZ"      the lever.ko board whose serial is XYZ
 *   "sim:" or "sim:OPTS" the in-process simulated board; OPTS is a comma
 *                     separated list of seed=N (default 1), speed=N (0:
 *                     the virtual clock moves only when the caller steps or
 *                     reads, see lever_dev_read_sample(); N: N times real
 *                     time, at most 1000; default 0), serial=XYZ
 *                     (default "SIM0001"), pace=real|lockstep (default
 *                     real). All gate times (the watchdog) are virtual:
 *                     at speed=N with pace=real a controller must command
 *                     N times as often in real time, and a machine too
 *                     slow for N lets the clock slip rather than burst.
 *                     pace=lockstep (accelerated demos and soak runs):
 *                     the clock never moves past a sample the caller has
 *                     not read, so a preempted caller slows the
 *                     simulation down instead of tripping its watchdog;
 *                     controller stalls are then not observable (use
 *                     pace=real or lever-simd for those).
 *   "usb:" or "usb:SERIAL" the read-only libusb diagnostic link to the
 *                     first (or the named) board; only when lever.ko is not
 *                     bound to it
 * @out: on success *@out is the new handle; the caller frees it with
 *   lever_dev_close(). Untouched on failure.
 *
 * Returns 0, -ENOENT (no such board or node), -EACCES (permissions),
 * -EBUSY (usb: the kernel driver owns the board), -EINVAL (malformed
 * @spec), -ENOMEM.
 */
LEVER_API int lever_dev_open(const char *spec, struct lever_dev **out);

/**
 * lever_dev_open_flags() - lever_dev_open() with LEVER_DEV_OPEN_* @flags.
 * A read-only handle reads samples, info and status; arm, command and the
 * other control functions return -EPERM. Unknown flags are -EINVAL.
 */
LEVER_API int lever_dev_open_flags(const char *spec, unsigned int flags,
				   struct lever_dev **out);

/**
 * lever_dev_close() - release a handle and free it. If this handle armed
 * the board, the gate makes a controlled stop and latches
 * LEVER_DEV_FAULT_CLOSED, as it would if the process died. NULL is a no-op.
 */
LEVER_API void lever_dev_close(struct lever_dev *dev);

/**
 * lever_dev_reopen() - after -ENODEV, find the same board again (by its
 * serial; the node name may have changed) and reconnect this handle.
 * The gate is disarmed afterwards: nothing moves until a new
 * lever_dev_arm(). Returns 0, -ENODEV while the board is absent, or an
 * error of lever_dev_open(). On sim: the link comes back when the
 * LEVER_SIM_FAULT_DISCONNECT injection was turned off.
 */
LEVER_API int lever_dev_reopen(struct lever_dev *dev);

/** lever_dev_info() - identity, limits and gate settings into *@info. */
LEVER_API int lever_dev_info(struct lever_dev *dev,
			     struct lever_dev_info *info);

/**
 * lever_dev_arm() - make this handle the board's one controller.
 * Returns 0, -EBUSY (another handle controls the board, or this one is
 * already armed or stopping), -EPERM (refused by the gate: e-stop or safety
 * key active, or a fault latched, see lever_dev_status(); or a read-only
 * handle), -ENODATA (the board's last valid sample is older than 50 sample
 * periods or twice the watchdog period, whichever is longer: the gate
 * cannot see the safety lines), -EROFS (usb:). An armed gate whose samples go stale
 * stops with LEVER_DEV_FAULT_IO.
 * After arming, send commands at least every watchdog period.
 */
LEVER_API int lever_dev_arm(struct lever_dev *dev);

/**
 * lever_dev_disarm() - give up control after a controlled stop; the gate
 * stops the belt first if it moves. No fault is latched. Does nothing (0)
 * when nothing is armed; -EBUSY when another handle controls the board.
 */
LEVER_API int lever_dev_disarm(struct lever_dev *dev);

/**
 * lever_dev_command() - send set-points. The gate clamps them to the
 * board's limits (counted in lever_dev_status.clamped) and limits their
 * slew; a negative belt speed or a non-zero reserved field is -EINVAL.
 * -EPERM if this handle is not armed (or after a stop or fault: arm again),
 * -EBUSY when another handle controls the board.
 */
LEVER_API int lever_dev_command(struct lever_dev *dev,
				const struct lever_dev_command *cmd);

/**
 * lever_dev_stop() - controlled stop: the belt ramps to zero at the stop
 * deceleration, support pressure is held. The handle stays the controller
 * but must arm again before commands move anything.
 */
LEVER_API int lever_dev_stop(struct lever_dev *dev);

/**
 * lever_dev_set_watchdog() - the gate's watchdog period for this handle,
 * LEVER_DEV_WATCHDOG_MIN_MS..MAX_MS, else -EINVAL. Takes effect at once
 * when armed, else at the next lever_dev_arm(). An armed handle already
 * past its old deadline trips the watchdog and gets -EPERM: a longer
 * period never rescues an overdue controller.
 */
LEVER_API int lever_dev_set_watchdog(struct lever_dev *dev,
				     uint32_t period_ms);

/** lever_dev_status() - gate state, latched faults, counters. */
LEVER_API int lever_dev_status(struct lever_dev *dev,
			       struct lever_dev_status *status);

/**
 * lever_dev_reset_faults() - clear latched faults, the board's first.
 * -EBUSY while a controller holds the gate (armed or stopping, this handle
 * included: disarm first), while the e-stop or the safety key is still
 * active, or while the board refuses. Nothing moves afterwards until a new lever_dev_arm() and command.
 * The board's cleared faults show in its next sample; arming before that
 * may still be refused.
 */
LEVER_API int lever_dev_reset_faults(struct lever_dev *dev);

/**
 * lever_dev_read_sample() - the next sample, waiting for it if needed.
 * Returns 0, -EINTR (a signal arrived while waiting), -ENODEV. On sim:
 * with speed=0, an empty queue advances the virtual clock to the next
 * sample instead of waiting, so a read loop runs as fast as it can; if one
 * second of virtual time brings no sample (LEVER_SIM_FAULT_STALL), it
 * returns -ETIMEDOUT.
 */
LEVER_API int lever_dev_read_sample(struct lever_dev *dev,
				    struct lever_dev_sample *sample);

/**
 * lever_dev_try_read_sample() - the next sample if one is queued, else
 * -EAGAIN at once. Never advances a speed=0 sim clock; on a speed=N sim it
 * catches up with real time at most once between two -EAGAIN returns or
 * calls of other functions, so a loop draining until -EAGAIN always ends.
 */
LEVER_API int lever_dev_try_read_sample(struct lever_dev *dev,
					struct lever_dev_sample *sample);

/**
 * lever_dev_fd() - a file descriptor that poll() reports readable
 * (POLLIN) when lever_dev_try_read_sample() may have a sample; after a
 * disconnect it reports POLLHUP and POLLERR (on every transport, at once
 * and on every poll after; POLLIN may come with them) and reads return
 * -ENODEV. Returns the fd (>= 0), owned by the handle and valid
 * until lever_dev_close() or lever_dev_reopen(). On sim: an epoll fd.
 */
LEVER_API int lever_dev_fd(struct lever_dev *dev);

/* ---------------------------------------------------------------------
 * Simulation controls: only on a handle opened with "sim:"; every other
 * handle returns -EOPNOTSUPP.
 */

/* lever_sim_inject() faults */
#define LEVER_SIM_FAULT_PRESSURE_SENSOR	1	/* pressure reading frozen */
#define LEVER_SIM_FAULT_FORCE_SENSOR	2	/* load-cell reading frozen */
#define LEVER_SIM_FAULT_VALVE		3	/* regulator output frozen */
#define LEVER_SIM_FAULT_BELT_DRIVE	4	/* drive runs away (overspeed) */
#define LEVER_SIM_FAULT_DISCONNECT	5	/* USB link cut: -ENODEV */
#define LEVER_SIM_FAULT_STALL		6	/* board stops sending */
#define LEVER_SIM_FAULT_PRESSURE_NOISE	7	/* pressure noise burst */
#define LEVER_SIM_FAULT_FORCE_NOISE	8	/* load-cell noise burst */
#define LEVER_SIM_FAULT_DROP_FRAMES	9	/* every other sample lost */
#define LEVER_SIM_FAULT_DELAY_FRAMES	10	/* samples arrive 20 ms late */

/**
 * lever_sim_step() - advance the virtual clock by @ns nanoseconds,
 * producing the samples (and gate decisions, e.g. a watchdog stop) of that
 * time. With speed=N the clock also follows real time; stepping then adds
 * to it.
 */
LEVER_API int lever_sim_step(struct lever_dev *dev, uint64_t ns);

/**
 * lever_sim_step_read() - a stepped reader's period in one call: the
 * oldest queued sample if there is one (the clock does not move), else
 * lever_sim_step(@ns) and then the oldest sample, if that made one.
 * Exactly lever_dev_try_read_sample(), lever_sim_step() and
 * lever_dev_try_read_sample() as those return (0 and *@sample; -EAGAIN:
 * none queued after the step; else the first error), for the cost of
 * one call on the sim transport. Since LIBLEVER_0.4.
 */
LEVER_API int lever_sim_step_read(struct lever_dev *dev, uint64_t ns,
				  struct lever_dev_sample *sample);

/** lever_sim_now() - the virtual clock in ns since open, into *@now_ns. */
LEVER_API int lever_sim_now(struct lever_dev *dev, uint64_t *now_ns);

/* What the simulated plant really does, whatever its sensors say. */
struct lever_sim_truth {
	uint64_t	now_ns;			/* virtual clock */
	double		support_pressure_pa;	/* cylinder */
	double		support_force_n;	/* on the runner */
	double		belt_speed_mm_s;	/* belt surface */
	double		runner_mass_kg;
	uint32_t	pressure_setpoint_pa;	/* as the board holds it */
	uint32_t	reserved[3];
};

/**
 * lever_sim_truth() - the plant's true pressure, force and belt speed
 * (for tests that judge safety on the truth, not on the readings).
 * -EOPNOTSUPP on anything but sim:.
 */
LEVER_API int lever_sim_truth(struct lever_dev *dev,
			      struct lever_sim_truth *truth);

/**
 * lever_sim_inject() - turn a LEVER_SIM_FAULT_* on (@on != 0) or off.
 * Unknown faults are -EINVAL.
 */
LEVER_API int lever_sim_inject(struct lever_dev *dev, unsigned int fault,
			       int on);

/**
 * lever_sim_set_line() - set a safety line (one LEVER_DEV_LINE_* bit) to
 * active (@active != 0) or released. Anything but one known bit is -EINVAL.
 */
LEVER_API int lever_sim_set_line(struct lever_dev *dev, unsigned int line,
				 int active);

/**
 * lever_sim_press_button() - hold a console button (one LEVER_DEV_BTN_*
 * bit) down for @hold_ms of virtual time (1..60000, else -ERANGE).
 */
LEVER_API int lever_sim_press_button(struct lever_dev *dev,
				     unsigned int button, uint32_t hold_ms);

/* The runner's body mass the stack accepts anywhere, g. */
#define LEVER_BODY_MASS_MIN_G	20000
#define LEVER_BODY_MASS_MAX_G	250000

/**
 * lever_sim_set_runner() - the runner on the belt: body mass in grams
 * (LEVER_BODY_MASS_MIN_G..LEVER_BODY_MASS_MAX_G) and cadence in steps per
 * minute (60..240), else -ERANGE.
 * The default runner is 70 kg at 168 steps/min.
 */
LEVER_API int lever_sim_set_runner(struct lever_dev *dev,
				   uint32_t body_mass_g, uint32_t cadence_spm);

/* ---------------------------------------------------------------------
 * Safety GPIO lines (libgpiod): edges on named lines of one chip, e.g.
 * chip "lever-safety", lines "estop", "safety-key", "harness".
 */

struct lever_gpio;

/* lever_gpio_event.edge */
#define LEVER_GPIO_EDGE_RISING		1
#define LEVER_GPIO_EDGE_FALLING		2

struct lever_gpio_event {
	uint32_t	line;		/* index into the watched names */
	uint32_t	edge;		/* LEVER_GPIO_EDGE_* */
	uint64_t	timestamp_ns;	/* kernel timestamp of the edge */
	uint32_t	reserved[2];
};

/**
 * lever_gpio_watch() - request @n_lines lines, named @line_names, of the
 * gpiochip labelled @chip_label, as inputs with edge events on both edges.
 * @consumer names this process in gpioinfo (NULL: "liblever").
 * @out: the caller frees it with lever_gpio_close().
 * Returns 0, -ENOENT (no chip with that label, or a line name not on it),
 * -EBUSY (a line is requested by someone else), -EINVAL (@n_lines is 0 or
 * above 64, a name is NULL), -ENOMEM.
 */
LEVER_API int lever_gpio_watch(const char *chip_label,
			       const char *const *line_names,
			       unsigned int n_lines, const char *consumer,
			       struct lever_gpio **out);

/*
 * lever_gpio_watch_flags() @line_flags, one word per line: one bias, or'ed
 * with LEVER_GPIO_ACTIVE_LOW if wanted. A normally-closed e-stop switch
 * to ground, say, needs a pull-up (a broken wire then reads as pressed).
 */
#define LEVER_GPIO_BIAS_AS_IS		0x0	/* leave the pin's bias alone */
#define LEVER_GPIO_BIAS_DISABLE		0x1	/* no pull: an outer resistor */
#define LEVER_GPIO_BIAS_PULL_UP		0x2
#define LEVER_GPIO_BIAS_PULL_DOWN	0x3
#define LEVER_GPIO_BIAS_MASK		0x3
#define LEVER_GPIO_ACTIVE_LOW		0x4	/* 1 when the pin is low */

/**
 * lever_gpio_watch_flags() - lever_gpio_watch(), each line requested with
 * its @line_flags word (NULL: every line as lever_gpio_watch() does, bias
 * as is, active high). For an active-low line lever_gpio_get_value() and
 * the edges are the logical level: 1, and a rising edge, when the pin
 * goes low. A chip that cannot set a bias keeps its own (the kernel
 * treats bias as optional). Returns as lever_gpio_watch(), and -EINVAL for
 * a flag bit it does not know.
 */
LEVER_API int lever_gpio_watch_flags(const char *chip_label,
				     const char *const *line_names,
				     const uint32_t *line_flags,
				     unsigned int n_lines,
				     const char *consumer,
				     struct lever_gpio **out);

/** lever_gpio_close() - release the lines and free @gpio; NULL is a no-op. */
LEVER_API void lever_gpio_close(struct lever_gpio *gpio);

/** lever_gpio_fd() - pollable fd (owned by @gpio), readable on an edge. */
LEVER_API int lever_gpio_fd(struct lever_gpio *gpio);

/**
 * lever_gpio_read_event() - the next edge event, or -EAGAIN at once when
 * none is pending.
 */
LEVER_API int lever_gpio_read_event(struct lever_gpio *gpio,
				    struct lever_gpio_event *event);

/**
 * lever_gpio_get_value() - current value (0 or 1, as the chip reports it)
 * of watched line @line into *@value; -EINVAL if @line is out of range.
 */
LEVER_API int lever_gpio_get_value(struct lever_gpio *gpio, unsigned int line,
				   int *value);

/* ---------------------------------------------------------------------
 * Console and pendant keys (libevdev): EV_KEY events of one input device.
 */

struct lever_keys;

struct lever_keys_event {
	uint32_t	code;		/* KEY_* / BTN_* of linux/input.h */
	int32_t		value;		/* 1 pressed, 0 released, 2 repeat */
	uint64_t	timestamp_ns;	/* event time as the kernel gives it */
	uint32_t	flags;		/* LEVER_KEYS_EVENT_* */
	uint32_t	reserved;
};

/* lever_keys_event.flags */
#define LEVER_KEYS_EVENT_RESYNC	(1u << 0)	/* synthesised after the
						 * kernel dropped events
						 * (SYN_DROPPED): the key
						 * state changed meanwhile */

/**
 * lever_keys_watch() - open the input device @device: a path (starting
 * with '/', e.g. "/dev/input/event3") or a device name as the kernel
 * reports it (e.g. "LEVER console"; the first /dev/input/event* with that
 * exact name). @out: the caller frees it with lever_keys_close().
 * Returns 0, -ENOENT (no such device), -EACCES (no permission, also when
 * a device could not be opened to compare its name), -ENOTTY (not an input
 * device), -EINVAL (the device reports no keys), -ENOMEM.
 */
LEVER_API int lever_keys_watch(const char *device, struct lever_keys **out);

/** lever_keys_close() - close the device and free @keys; NULL is a no-op. */
LEVER_API void lever_keys_close(struct lever_keys *keys);

/** lever_keys_fd() - pollable fd (owned by @keys), readable on input. */
LEVER_API int lever_keys_fd(struct lever_keys *keys);

/**
 * lever_keys_read_event() - the next key event, or -EAGAIN at once when
 * none is pending. After the kernel dropped events, the key changes that
 * were lost are reported as events flagged LEVER_KEYS_EVENT_RESYNC, so the
 * caller's key state is always the device's. -ENODEV when the device is
 * gone.
 */
LEVER_API int lever_keys_read_event(struct lever_keys *keys,
				    struct lever_keys_event *event);

/**
 * lever_keys_is_pressed() - whether key @code is down now (as far as the
 * events read so far tell): 1 or 0 into *@pressed; -EINVAL if the device
 * has no such key.
 */
LEVER_API int lever_keys_is_pressed(struct lever_keys *keys, uint32_t code,
				    int *pressed);

#ifdef __cplusplus
}
#endif

#endif /* LEVER_LEVER_H */
