// SPDX-License-Identifier: MIT
/*
 * board.c - the controller board's firmware behaviour over the plant:
 * validates and clamps commands, streams samples at a fixed rate, cuts the
 * belt drive on e-stop or safety key, stops it on a silent host, latches
 * faults. Never reads a clock and never does I/O; board_step() is time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include "board.h"

#define QUEUE_LEN		64	/* sample frames waiting for the host */
#define DELAY_FAULT_NS		20000000ULL	/* delayed-frames injection */
#define STUCK_NS		100000000ULL	/* identical ADC reading = dead */
#define VALVE_ERR_PA		30000.0	/* filtered pressure error limit */
#define VALVE_ERR_NS		300000000ULL
#define VALVE_FILTER_S		0.2	/* averages the stride swing away */
#define OVERSPEED_MARGIN_MM_S	300.0
#define OVERSPEED_NS		50000000ULL
#define AT_REST_MM_S		20	/* belt counts as stopped below this */
#define SP_AVG_S		0.3	/* pressure set-point over about a stride */
#define SP_PEAK_FRAC		0.05	/* off its average by more: a peak */
/* release after a stop: 0.25 % of the full-scale support force a second
 * (3 N/s here: 0.44 %BW/s for 70 kg, under the 1 %BW/s of safety.rst) */
#define RELEASE_PA_S		(PLANT_MAX_PRESSURE_PA / 400.0)
/* no command for this long while running: the host is silent */
#define HOST_SILENT_NS		20000000ull

struct queued {
	uint64_t release_ns;
	struct lever_wire_sample frame;
};

struct board {
	struct plant *plant;
	char	serial[LEVER_SERIAL_LEN];
	uint32_t rate_hz;
	uint64_t period_ns;
	uint64_t time_ns;
	uint64_t next_sample_ns;

	uint16_t state;
	uint32_t faults;
	uint32_t watchdog_ms;
	uint64_t last_cmd_ns;

	/* set-points as applied */
	uint32_t pressure_sp;
	double pressure_sp_avg;		/* averaged while running */
	double pressure_meas_avg;	/* the cylinder's, by its sensors */
	double force_meas_avg;		/* the load cell's, mN */
	uint32_t release_to_pa;		/* host's lower set-point after a stop */
	bool releasing;			/* toward it */
	uint32_t belt_sp;
	int16_t	incline_sp;

	/* firmware's own model of what it asked the drive and valve for */
	double	fw_belt_ramp;
	double	fw_press_ramp;
	double	fw_press_lag;
	double	valve_err_filt;
	uint64_t valve_err_since;
	uint64_t overspeed_since;
	int32_t	last_pressure_rd;
	int32_t	last_force_rd;
	uint64_t pressure_same_since;
	uint64_t force_same_since;

	/* output queue (FIFO ring) */
	struct queued queue[QUEUE_LEN];
	unsigned int q_head, q_len;

	uint32_t seq;
	struct board_status st;

	/*
	 * The plant's actuator inputs as the firmware last set them: two
	 * command frames come every sample and most change nothing; those
	 * then cost no call (set_*() below).
	 */
	bool	out_pressure_known, out_drive_known, out_incline_known;
	double	out_pressure_pa;
	bool	out_drive;
	double	out_belt_mm_s, out_accel_mm_s2;
	bool	out_incline_on;
	double	out_incline_centi_pct;

	/*
	 * The firmware tick's products and quotients of its period, formed
	 * once (board_new()) by the expressions the tick formed each time:
	 * the same values.
	 */
	double	k_dt_s;			/* period_ns / 1e9 */
	double	k_slew_pa;		/* valve set-point slew a tick */
	double	k_sp_avg;		/* stride averages' weight */
	double	k_lag;			/* the regulator's lag */
	double	k_valve;		/* the valve error's filter */
	double	k_release_pa;		/* release a tick */
	double	k_brake_mm_s, k_accel_mm_s, k_stop_mm_s; /* belt a tick */
};

static void tick_constants(struct board *b)
{
	double dt = b->period_ns / 1e9, tau = PLANT_REG_TAU_US / 1e6;

	b->k_dt_s = dt;
	b->k_slew_pa = PLANT_MAX_PRESSURE_SLEW_PA_S * dt;
	b->k_sp_avg = dt / (SP_AVG_S + dt);
	b->k_lag = dt / (tau + dt);
	b->k_valve = dt / (VALVE_FILTER_S + dt);
	b->k_release_pa = RELEASE_PA_S * dt;
	b->k_brake_mm_s = PLANT_BELT_BRAKE_MM_S2 * dt;
	b->k_accel_mm_s = PLANT_MAX_BELT_ACCEL_MM_S2 * dt;
	b->k_stop_mm_s = BOARD_STOP_DECEL_MM_S2 * dt;
}

static void set_pressure(struct board *b, double pressure_pa)
{
	if (b->out_pressure_known && pressure_pa == b->out_pressure_pa)
		return;
	b->out_pressure_known =
		!plant_set_pressure_setpoint(b->plant, pressure_pa);
	b->out_pressure_pa = pressure_pa;
}

static void set_drive(struct board *b, bool on, double belt_mm_s,
		      double accel_mm_s2)
{
	if (b->out_drive_known && on == b->out_drive &&
	    belt_mm_s == b->out_belt_mm_s && accel_mm_s2 == b->out_accel_mm_s2)
		return;
	b->out_drive_known = !plant_set_belt_drive(b->plant, on, belt_mm_s,
						   accel_mm_s2);
	b->out_drive = on;
	b->out_belt_mm_s = belt_mm_s;
	b->out_accel_mm_s2 = accel_mm_s2;
}

static void set_incline(struct board *b, bool on, double centi_pct)
{
	if (b->out_incline_known && on == b->out_incline_on &&
	    centi_pct == b->out_incline_centi_pct)
		return;
	b->out_incline_known = !plant_set_incline(b->plant, on, centi_pct);
	b->out_incline_on = on;
	b->out_incline_centi_pct = centi_pct;
}

static const char *const state_names[] = {
	[LEVER_BOARD_IDLE]		= "idle",
	[LEVER_BOARD_RUNNING]		= "running",
	[LEVER_BOARD_STOPPING]		= "stopping",
	[LEVER_BOARD_HARD_STOPPED]	= "hard-stopped",
};

static const char *const fault_bit_names[] = {
	"estop", "safety-key", "watchdog", "overspeed", "pressure-sensor",
	"force-sensor", "valve", "belt-drive",
};

void board_default_config(struct board_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	plant_default_config(&cfg->plant);
	cfg->sample_rate_hz = BOARD_DEFAULT_RATE_HZ;
	strcpy(cfg->serial, "SIM0001");
}

int board_new(const struct board_config *cfg, struct board **out)
{
	struct board *b;
	int ret;

	if (!cfg || !out || cfg->sample_rate_hz < 100 ||
	    cfg->sample_rate_hz > 4000 ||
	    !memchr(cfg->serial, '\0', LEVER_SERIAL_LEN))
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = plant_new(&cfg->plant, &b->plant);
	if (ret) {
		free(b);
		return ret;
	}
	strncpy(b->serial, cfg->serial, LEVER_SERIAL_LEN);
	b->rate_hz = cfg->sample_rate_hz;
	b->period_ns = 1000000000ULL / b->rate_hz;
	tick_constants(b);
	b->next_sample_ns = b->period_ns;
	b->state = LEVER_BOARD_IDLE;
	b->watchdog_ms = LEVER_BOARD_WATCHDOG_DEF_MS;
	*out = b;
	return 0;
}

void board_free(struct board *b)
{
	if (!b)
		return;
	plant_free(b->plant);
	free(b);
}

uint64_t board_next_sample_ns(const struct board *b)
{
	return b->next_sample_ns;
}

uint64_t board_time_ns(const struct board *b)
{
	return b->time_ns;
}

uint32_t board_sample_period_ns(const struct board *b)
{
	return (uint32_t)b->period_ns;
}

const struct plant *board_plant(const struct board *b)
{
	return b->plant;
}

static void pstate(const struct board *b, struct plant_state *ps)
{
	plant_get_state(b->plant, ps);
}

static bool belt_at_rest(const struct board *b)
{
	struct plant_readings ps;

	plant_get_readings(b->plant, &ps);
	return abs(ps.belt_reading_mm_s) < AT_REST_MM_S &&
	       b->fw_belt_ramp < 1.0;
}

/*
 * Entering a stop from RUNNING: the support is held at what the runner
 * had, not at a stride peak or trough. A host that cancels the stride
 * swing commands pressure above and below its mean every step; held at a
 * peak once the runner stands it would lift them above the step's
 * target, held at a trough it would drop a share of their weight onto
 * the healing bone at once (a stop the host did not ask for, e.g. its
 * watchdog or its file closed, can come at any phase). What the runner
 * had is the cylinder's own stride average: under a stride the regulator
 * does not give the cylinder the mean of the set-points it is sent (held
 * still, that mean can be a few per cent more), and a valve stuck away
 * from the set-point would move the support once it frees. With a
 * failed pressure sensor the load cell's stride average says it; only
 * with both failed does the firmware fall back on the set-point (which a
 * stuck valve can have wound up): its stride average when the set-point
 * is more than SP_PEAK_FRAC off it.
 */
static void hold_support(struct board *b, uint32_t fault)
{
	double hold = b->pressure_sp;

	if (b->state != LEVER_BOARD_RUNNING)
		return;
	/* @fault: the one stopping now counts, it is not latched yet */
	if (!((b->faults | fault) & LEVER_FAULT_PRESSURE_SENSOR))
		hold = b->pressure_meas_avg;
	else if (!((b->faults | fault) & LEVER_FAULT_FORCE_SENSOR))
		hold = b->force_meas_avg * 1000.0 /
		       PLANT_FORCE_PER_PRESSURE_UN_PA;
	else if (fabs(hold - b->pressure_sp_avg) >
		 b->pressure_sp_avg * SP_PEAK_FRAC)
		hold = b->pressure_sp_avg;
	/*
	 * At the regulator's maximum the cylinder's average can read above
	 * it (the gas spring, the sensor's noise): a held set-point is
	 * still a set-point, inside the limits (safety.rst rule 4).
	 */
	if (hold < 0)
		hold = 0;
	else if (hold > PLANT_MAX_PRESSURE_PA)
		hold = PLANT_MAX_PRESSURE_PA;
	if ((uint32_t)hold == b->pressure_sp)
		return;
	b->pressure_sp = (uint32_t)hold;
	set_pressure(b, b->pressure_sp);
}

/* Category 0: drive power off now, brake on; pressure stays. */
static void hard_stop(struct board *b, uint32_t fault)
{
	hold_support(b, fault);
	b->faults |= fault;
	b->state = LEVER_BOARD_HARD_STOPPED;
	b->belt_sp = 0;
	/* fw_belt_ramp now follows the brake (check_belt), so the belt
	 * coasting down is never mistaken for over-speed. */
	set_drive(b, false, 0, PLANT_BELT_BRAKE_MM_S2);
	set_incline(b, false, 0);
}

/* Category 1: ramp the belt down under drive control; pressure stays. */
static void controlled_stop(struct board *b, uint32_t fault)
{
	hold_support(b, fault);
	b->faults |= fault;
	if (b->state == LEVER_BOARD_HARD_STOPPED)
		return;
	b->belt_sp = 0;
	set_incline(b, false, 0);
	if (b->state == LEVER_BOARD_RUNNING || b->state == LEVER_BOARD_STOPPING) {
		b->state = LEVER_BOARD_STOPPING;
		set_drive(b, true, 0, BOARD_STOP_DECEL_MM_S2);
	}
}

static void check_lines(struct board *b, const struct plant_readings *ps)
{
	if (ps->lines & LEVER_LINE_ESTOP)
		hard_stop(b, LEVER_FAULT_ESTOP);
	if (ps->lines & LEVER_LINE_SAFETY_KEY)
		hard_stop(b, LEVER_FAULT_SAFETY_KEY);
}

static void check_sensors(struct board *b, const struct plant_readings *ps)
{
	/* A live ADC always shows noise; an identical code for 100 ms means
	 * a dead or disconnected sensor. */
	if (ps->pressure_reading_pa != b->last_pressure_rd) {
		b->last_pressure_rd = ps->pressure_reading_pa;
		b->pressure_same_since = b->time_ns;
	} else if (b->time_ns - b->pressure_same_since >= STUCK_NS) {
		controlled_stop(b, LEVER_FAULT_PRESSURE_SENSOR);
	}
	if (ps->force_reading_mn != b->last_force_rd) {
		b->last_force_rd = ps->force_reading_mn;
		b->force_same_since = b->time_ns;
	} else if (b->time_ns - b->force_same_since >= STUCK_NS) {
		controlled_stop(b, LEVER_FAULT_FORCE_SENSOR);
	}
	/* At or past the end of its range a sensor says nothing true. */
	if (ps->pressure_reading_pa >= PLANT_PRESSURE_SENSOR_FS_PA ||
	    ps->pressure_reading_pa < -20000)
		controlled_stop(b, LEVER_FAULT_PRESSURE_SENSOR);
	if (ps->force_reading_mn >= PLANT_FORCE_SENSOR_FS_MN ||
	    ps->force_reading_mn < -100000)
		controlled_stop(b, LEVER_FAULT_FORCE_SENSOR);
}

/* The valve must follow the firmware's own rate-limited, lagged copy of
 * the set-point; the error is low-pass filtered so the stride swing of
 * the gas spring does not count. */
static void check_valve(struct board *b, const struct plant_readings *ps)
{
	double slew = b->k_slew_pa, d, err, meas;

	/* what the cylinder holds, by its own sensor */
	meas = ps->pressure_reading_pa;
	if (b->state == LEVER_BOARD_RUNNING &&
	    b->time_ns - b->last_cmd_ns >= HOST_SILENT_NS) {
		/*
		 * The host went silent (hung, stopped, its link stalled):
		 * its last set-point is a stride peak or trough as likely as
		 * not. Until it speaks again or the watchdog stops the belt,
		 * hold the stride average it had, frozen.
		 */
		if (b->pressure_sp != (uint32_t)b->pressure_sp_avg) {
			b->pressure_sp = (uint32_t)b->pressure_sp_avg;
			set_pressure(b, b->pressure_sp);
		}
	} else if (b->state == LEVER_BOARD_RUNNING) {
		b->pressure_sp_avg += (b->pressure_sp - b->pressure_sp_avg) *
				      b->k_sp_avg;
		b->pressure_meas_avg += (meas - b->pressure_meas_avg) *
					b->k_sp_avg;
		b->force_meas_avg += (ps->force_reading_mn -
				      b->force_meas_avg) * b->k_sp_avg;
	} else {
		b->pressure_sp_avg = b->pressure_sp;
		b->pressure_meas_avg = meas;
		b->force_meas_avg = ps->force_reading_mn;
	}
	d = (double)b->pressure_sp - b->fw_press_ramp;
	b->fw_press_ramp += d > slew ? slew : d < -slew ? -slew : d;
	b->fw_press_lag += (b->fw_press_ramp - b->fw_press_lag) * b->k_lag;
	err = ps->pressure_reading_pa - b->fw_press_lag;
	b->valve_err_filt += (err - b->valve_err_filt) * b->k_valve;
	if (fabs(b->valve_err_filt) < VALVE_ERR_PA)
		b->valve_err_since = b->time_ns;
	else if (b->time_ns - b->valve_err_since >= VALVE_ERR_NS)
		controlled_stop(b, LEVER_FAULT_VALVE);
}

/*
 * After a stop the host may lower the support, but the board lowers it no
 * faster than RELEASE_PA_S whatever the host asks: a host's last frames
 * can carry a stride trough, and a sudden drop puts weight on the healing
 * bone at once (safety.rst rule 9, enforced here as a second layer).
 */
static void release_support(struct board *b, const struct plant_readings *ps)
{
	double step = b->k_release_pa;

	if (!b->releasing || b->state == LEVER_BOARD_RUNNING ||
	    b->release_to_pa >= b->pressure_sp) {
		b->releasing = false;
		return;
	}
	/* and never ahead of the cylinder: a stuck valve, freed, drops */
	if (ps->pressure_reading_pa - (double)b->pressure_sp > RELEASE_PA_S)
		return;
	b->pressure_sp = b->pressure_sp - b->release_to_pa > step ?
			 (uint32_t)(b->pressure_sp - step) : b->release_to_pa;
	set_pressure(b, b->pressure_sp);
}

static void check_belt(struct board *b, const struct plant_readings *ps)
{
	/* the belt's change a tick: its acceleration x the period */
	double target = 0, step = b->k_brake_mm_s, d;

	if (b->state == LEVER_BOARD_RUNNING) {
		target = b->belt_sp;
		step = b->k_accel_mm_s;
	} else if (b->state == LEVER_BOARD_STOPPING) {
		step = b->k_stop_mm_s;
	}
	d = target - b->fw_belt_ramp;
	b->fw_belt_ramp += d > step ? step : d < -step ? -step : d;

	if (ps->belt_reading_mm_s < b->fw_belt_ramp + OVERSPEED_MARGIN_MM_S &&
	    ps->belt_reading_mm_s < PLANT_MAX_BELT_SPEED_MM_S * 21 / 20)
		b->overspeed_since = b->time_ns;
	else if (b->time_ns - b->overspeed_since >= OVERSPEED_NS)
		hard_stop(b, LEVER_FAULT_OVERSPEED);

	if (b->state == LEVER_BOARD_STOPPING && b->fw_belt_ramp < 1.0 &&
	    abs(ps->belt_reading_mm_s) < AT_REST_MM_S) {
		set_drive(b, false, 0, PLANT_BELT_BRAKE_MM_S2);
		b->state = LEVER_BOARD_IDLE;
	}
}

static void make_sample(struct board *b, const struct plant_readings *ps)
{
	struct lever_wire_sample *f;
	struct queued *q;
	uint64_t release = b->time_ns;
	uint32_t seq = b->seq++;

	b->st.samples_made++;
	if ((ps->faults_injected & (1u << PLANT_FAULT_DROP_FRAMES)) &&
	    (seq & 1)) {
		b->st.samples_dropped++;
		return;
	}
	if (ps->faults_injected & (1u << PLANT_FAULT_DELAY_FRAMES))
		release += DELAY_FAULT_NS;
	if (b->q_len == QUEUE_LEN) {
		/* Never queue forever: the oldest frame is lost. */
		b->q_head = (b->q_head + 1) % QUEUE_LEN;
		b->q_len--;
		b->st.samples_dropped++;
	}
	q = &b->queue[(b->q_head + b->q_len) % QUEUE_LEN];
	b->q_len++;
	q->release_ns = release;
	f = &q->frame;
	/*
	 * Every field written, none cleared first: the slot held an older
	 * frame. A field added to the frame must be added here.
	 */
	_Static_assert(sizeof(*f) == 64, "every field is written below");
	f->version = LEVER_WIRE_VERSION;
	f->type = LEVER_FRAME_SAMPLE;
	f->length = htole16(sizeof(*f));
	f->seq = htole32(seq);
	f->board_time_ns = htole64(b->time_ns);
	/* the wire field is unsigned: the transducer saturates at zero */
	f->support_pressure_pa = htole32(ps->pressure_reading_pa < 0 ? 0 :
					 (uint32_t)ps->pressure_reading_pa);
	f->support_force_mn = htole32((uint32_t)ps->force_reading_mn);
	f->belt_speed_mm_s = htole32((uint32_t)ps->belt_reading_mm_s);
	f->incline_centi_pct = htole16((uint16_t)ps->incline_reading_centi_pct);
	f->lines = htole16(ps->lines);
	f->buttons = htole16(ps->buttons);
	f->board_state = htole16(b->state);
	f->faults = htole32(b->faults);
	f->cmd_seq_applied = htole32(b->st.cmd_seq_applied);
	f->pressure_setpoint_pa = htole32(b->pressure_sp);
	f->belt_setpoint_mm_s = htole32(b->belt_sp);
	f->incline_setpoint_centi_pct = htole16((uint16_t)b->incline_sp);
	f->reserved0 = 0;
	f->cmds_rejected = htole32(b->st.cmds_rejected);
	f->cmds_clamped = htole32(b->st.cmds_clamped);
}

/*
 * One firmware cycle, at the end of each sample period. One look at the
 * plant serves it all: the stops below set the plant's actuators, never
 * what its sensors, lines and buttons read until the plant steps again.
 */
static void firmware_tick(struct board *b)
{
	const struct plant_readings *ps = plant_readings(b->plant);

	check_lines(b, ps);
	if (b->state == LEVER_BOARD_RUNNING &&
	    b->time_ns - b->last_cmd_ns >= b->watchdog_ms * 1000000ULL)
		controlled_stop(b, LEVER_FAULT_WATCHDOG);
	check_sensors(b, ps);
	check_valve(b, ps);
	release_support(b, ps);
	check_belt(b, ps);
	make_sample(b, ps);
}

int board_step(struct board *b, uint64_t dt_ns)
{
	uint64_t end, n;
	int ret;

	if (!b || dt_ns == 0)
		return -EINVAL;
	end = b->time_ns + dt_ns;
	while (b->time_ns < end) {
		n = b->next_sample_ns - b->time_ns;
		if (n > end - b->time_ns)
			n = end - b->time_ns;
		ret = plant_step(b->plant, n);
		if (ret)
			return ret;
		b->time_ns += n;
		if (b->time_ns == b->next_sample_ns) {
			firmware_tick(b);
			b->next_sample_ns += b->period_ns;
		}
	}
	return 0;
}

const struct lever_wire_sample *board_take_sample(struct board *b)
{
	struct queued *q;

	if (!b || !b->q_len)
		return NULL;
	q = &b->queue[b->q_head];
	if (q->release_ns > b->time_ns)
		return NULL;
	/* its slot is written again only by a sample made after QUEUE_LEN
	 * more, and none is made until the board steps */
	b->q_head = (b->q_head + 1) % QUEUE_LEN;
	b->q_len--;
	return &q->frame;
}

int board_sample(struct board *b, struct lever_wire_sample *out)
{
	const struct lever_wire_sample *f;

	if (!b || !out)
		return -EINVAL;
	f = board_take_sample(b);
	if (!f)
		return -EAGAIN;
	*out = *f;
	return 0;
}

static int reject(struct board *b, int err)
{
	b->st.cmds_rejected++;
	b->st.last_reject = err;
	return err;
}

int board_command(struct board *b, const void *frame, size_t len)
{
	struct lever_wire_command c;
	uint32_t pressure;
	int32_t belt;
	int16_t incline;
	uint16_t flags;
	bool clamped = false;

	if (!b || (!frame && len))
		return -EINVAL;
	if (len != sizeof(c))
		return reject(b, -EMSGSIZE);
	memcpy(&c, frame, sizeof(c));
	if (c.version != LEVER_WIRE_VERSION)
		return reject(b, -EPROTO);
	if (c.type != LEVER_FRAME_COMMAND || le16toh(c.length) != sizeof(c))
		return reject(b, -EBADMSG);
	flags = le16toh(c.flags);
	if ((flags & ~LEVER_CMD_FLAGS_ALL) ||
	    (flags & LEVER_CMD_FLAGS_ALL) == LEVER_CMD_FLAGS_ALL)
		return reject(b, -EINVAL);
	if (c.reserved[0] || c.reserved[1] || c.reserved[2])
		return reject(b, -EINVAL);
	belt = (int32_t)le32toh(c.belt_speed_mm_s);
	if (belt < 0)
		return reject(b, -ERANGE);

	pressure = le32toh(c.support_pressure_pa);
	if (pressure > PLANT_MAX_PRESSURE_PA) {
		pressure = PLANT_MAX_PRESSURE_PA;
		clamped = true;
	}
	if (belt > PLANT_MAX_BELT_SPEED_MM_S) {
		belt = PLANT_MAX_BELT_SPEED_MM_S;
		clamped = true;
	}
	incline = (int16_t)le16toh(c.incline_centi_pct);
	if (incline < PLANT_INCLINE_MIN_CENTI_PCT) {
		incline = PLANT_INCLINE_MIN_CENTI_PCT;
		clamped = true;
	} else if (incline > PLANT_INCLINE_MAX_CENTI_PCT) {
		incline = PLANT_INCLINE_MAX_CENTI_PCT;
		clamped = true;
	}
	if (clamped)
		b->st.cmds_clamped++;
	b->st.cmds_accepted++;
	b->st.cmd_seq_applied = le32toh(c.seq);
	b->last_cmd_ns = b->time_ns;

	/* Support: free while running with no fault latched, and at an
	 * explicit start (RUN from idle); otherwise - after any stop, and in
	 * idle without RUN - it is held, and may only be lowered once the
	 * belt is at rest, at RELEASE_PA_S at most (the host's release rate
	 * applies on top). A
	 * host that stops commanding may leave a stride peak in its last
	 * frames; nothing but a new start raises the support again. */
	if (!b->faults && (b->state == LEVER_BOARD_RUNNING ||
			   (b->state == LEVER_BOARD_IDLE &&
			    (flags & LEVER_CMD_RUN) && !(flags & LEVER_CMD_STOP)))) {
		b->pressure_sp = pressure;
		b->releasing = false;
	} else if (pressure < b->pressure_sp &&
		   b->state != LEVER_BOARD_STOPPING && belt_at_rest(b)) {
		b->release_to_pa = pressure;	/* at RELEASE_PA_S, in step */
		b->releasing = true;
	}
	set_pressure(b, b->pressure_sp);

	if (flags & LEVER_CMD_STOP || !(flags & LEVER_CMD_RUN)) {
		if (b->state == LEVER_BOARD_RUNNING)
			controlled_stop(b, 0);
		return 0;
	}
	/* RUN: only from idle with nothing latched, or while running. */
	if (b->faults || (b->state != LEVER_BOARD_IDLE &&
			  b->state != LEVER_BOARD_RUNNING))
		return 0;
	if (b->state == LEVER_BOARD_IDLE)
		b->pressure_sp_avg = b->pressure_sp;
	b->state = LEVER_BOARD_RUNNING;
	b->belt_sp = (uint32_t)belt;
	b->incline_sp = incline;
	set_drive(b, true, belt, PLANT_MAX_BELT_ACCEL_MM_S2);
	set_incline(b, true, incline);
	return 0;
}

static int fill_identity(struct board *b, void *buf, size_t len)
{
	struct lever_wire_identity id;

	memset(&id, 0, sizeof(id));
	id.protocol_version = htole16(LEVER_WIRE_VERSION);
	memcpy(id.serial, b->serial, LEVER_SERIAL_LEN);
	id.fw_major = BOARD_FW_MAJOR;
	id.fw_minor = BOARD_FW_MINOR;
	id.fw_patch = BOARD_FW_PATCH;
	id.sample_rate_hz = htole32(b->rate_hz);
	if (len > sizeof(id))
		len = sizeof(id);
	if (len)	/* buf may be NULL then: no data stage */
		memcpy(buf, &id, len);
	return (int)len;
}

static int fill_limits(void *buf, size_t len)
{
	struct lever_wire_limits l;

	memset(&l, 0, sizeof(l));
	l.max_support_pressure_pa = htole32(PLANT_MAX_PRESSURE_PA);
	l.max_support_force_mn = htole32(PLANT_MAX_FORCE_MN);
	l.max_belt_speed_mm_s = htole32(PLANT_MAX_BELT_SPEED_MM_S);
	l.max_belt_accel_mm_s2 = htole32(PLANT_MAX_BELT_ACCEL_MM_S2);
	l.stop_decel_mm_s2 = htole32(BOARD_STOP_DECEL_MM_S2);
	l.incline_min_centi_pct = htole16((uint16_t)PLANT_INCLINE_MIN_CENTI_PCT);
	l.incline_max_centi_pct = htole16(PLANT_INCLINE_MAX_CENTI_PCT);
	l.force_per_pressure_un_pa = htole32(PLANT_FORCE_PER_PRESSURE_UN_PA);
	l.max_pressure_slew_pa_s = htole32(PLANT_MAX_PRESSURE_SLEW_PA_S);
	l.watchdog_min_ms = htole32(LEVER_BOARD_WATCHDOG_MIN_MS);
	l.watchdog_max_ms = htole32(LEVER_BOARD_WATCHDOG_MAX_MS);
	if (len > sizeof(l))
		len = sizeof(l);
	if (len)	/* buf may be NULL then: no data stage */
		memcpy(buf, &l, len);
	return (int)len;
}

int board_control(struct board *b, uint8_t request, uint16_t value,
		  void *buf, size_t len)
{
	struct plant_state ps;
	__le32 ms;

	if (!b || (!buf && len))
		return -EINVAL;
	switch (request) {
	case LEVER_REQ_GET_IDENTITY:
		return fill_identity(b, buf, len);
	case LEVER_REQ_GET_LIMITS:
		return fill_limits(buf, len);
	case LEVER_REQ_SET_WATCHDOG:
		if (value < LEVER_BOARD_WATCHDOG_MIN_MS ||
		    value > LEVER_BOARD_WATCHDOG_MAX_MS)
			return -ERANGE;
		b->watchdog_ms = value;
		return 0;
	case LEVER_REQ_GET_WATCHDOG:
		ms = htole32(b->watchdog_ms);
		if (len > sizeof(ms))
			len = sizeof(ms);
		if (len)
			memcpy(buf, &ms, len);
		return (int)len;
	case LEVER_REQ_RESET_FAULTS:
		pstate(b, &ps);
		if ((ps.readings.lines &
		     (LEVER_LINE_ESTOP | LEVER_LINE_SAFETY_KEY)) ||
		    b->state == LEVER_BOARD_STOPPING || !belt_at_rest(b)) {
			b->st.resets_refused++;
			return -EBUSY;
		}
		b->faults = 0;
		b->state = LEVER_BOARD_IDLE;
		b->belt_sp = 0;
		b->pressure_same_since = b->time_ns;
		b->force_same_since = b->time_ns;
		b->valve_err_since = b->time_ns;
		b->overspeed_since = b->time_ns;
		b->st.resets_ok++;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int board_set_line(struct board *b, unsigned int line_bit, bool active)
{
	struct plant_readings ps;
	int ret;

	if (!b)
		return -EINVAL;
	ret = plant_set_line(b->plant, line_bit, active);
	/* The e-stop and key are wired into the drive's power: no firmware
	 * cycle stands between the line and the cut. */
	if (!ret) {
		plant_get_readings(b->plant, &ps);
		check_lines(b, &ps);
	}
	return ret;
}

int board_set_button(struct board *b, unsigned int button_bit, bool pressed)
{
	return b ? plant_set_button(b->plant, button_bit, pressed) : -EINVAL;
}

int board_set_runner(struct board *b, double mass_kg, double cadence_steps_s)
{
	return b ? plant_set_runner(b->plant, mass_kg, cadence_steps_s) :
		   -EINVAL;
}

int board_set_fault(struct board *b, enum plant_fault fault, bool active)
{
	return b ? plant_set_fault(b->plant, fault, active) : -EINVAL;
}

void board_get_status(const struct board *b, struct board_status *st)
{
	*st = b->st;
	st->board_state = b->state;
	st->faults = b->faults;
	st->watchdog_ms = b->watchdog_ms;
	st->sample_seq = b->seq;
	st->pressure_setpoint_pa = b->pressure_sp;
	st->belt_setpoint_mm_s = b->belt_sp;
	st->incline_setpoint_centi_pct = b->incline_sp;
}

static int names_of(char *out, size_t size, uint32_t bits,
		    const char *const *names, int count)
{
	size_t used = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; i < count; i++) {
		if (!(bits & (1u << i)))
			continue;
		n = snprintf(out + used, size - used, "%s%s",
			     used ? "," : "", names[i]);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += n;
	}
	if (!used)
		snprintf(out, size, "none");
	return 0;
}

int board_dump(const struct board *b, char *buf, size_t size)
{
	const char *fault_names[PLANT_FAULT_COUNT];
	char faults[160], injected[200];
	struct board_status st;
	struct plant_state ps;
	int i, n;

	for (i = 0; i < PLANT_FAULT_COUNT; i++)
		fault_names[i] = plant_fault_name(i);
	board_get_status(b, &st);
	pstate(b, &ps);
	if (names_of(faults, sizeof(faults), st.faults, fault_bit_names, 8) ||
	    names_of(injected, sizeof(injected), ps.readings.faults_injected,
		     fault_names, PLANT_FAULT_COUNT))
		return -ENOSPC;
	n = snprintf(buf, size,
		"board_time_ns=%llu\n"
		"state=%s\n"
		"faults=0x%x\n"
		"fault_names=%s\n"
		"watchdog_ms=%u\n"
		"sample_rate_hz=%u\n"
		"sample_seq=%u\n"
		"samples_made=%u\n"
		"samples_dropped=%u\n"
		"cmds_accepted=%u\n"
		"cmds_rejected=%u\n"
		"cmds_clamped=%u\n"
		"cmd_seq_applied=%u\n"
		"last_reject=%d\n"
		"resets_ok=%u\n"
		"resets_refused=%u\n"
		"pressure_setpoint_pa=%u\n"
		"belt_setpoint_mm_s=%u\n"
		"incline_setpoint_centi_pct=%d\n"
		"support_pressure_pa=%.0f\n"
		"support_force_n=%.1f\n"
		"belt_speed_mm_s=%.0f\n"
		"belt_target_mm_s=%.0f\n"
		"incline_centi_pct=%.0f\n"
		"drive_enabled=%d\n"
		"pressure_reading_pa=%d\n"
		"force_reading_mn=%d\n"
		"belt_reading_mm_s=%d\n"
		"estop=%d\n"
		"safety_key=%d\n"
		"harness=%d\n"
		"buttons=0x%x\n"
		"runner_mass_kg=%.1f\n"
		"cadence_steps_s=%.2f\n"
		"faults_injected=%s\n",
		(unsigned long long)b->time_ns, state_names[st.board_state],
		st.faults, faults, st.watchdog_ms, b->rate_hz, st.sample_seq,
		st.samples_made, st.samples_dropped, st.cmds_accepted,
		st.cmds_rejected, st.cmds_clamped, st.cmd_seq_applied,
		st.last_reject, st.resets_ok, st.resets_refused,
		st.pressure_setpoint_pa, st.belt_setpoint_mm_s,
		st.incline_setpoint_centi_pct, ps.support_pressure_pa,
		ps.support_force_n, ps.belt_speed_mm_s, ps.belt_target_mm_s,
		ps.incline_centi_pct, ps.drive_enabled,
		ps.readings.pressure_reading_pa, ps.readings.force_reading_mn,
		ps.readings.belt_reading_mm_s,
		!!(ps.readings.lines & LEVER_LINE_ESTOP),
		!!(ps.readings.lines & LEVER_LINE_SAFETY_KEY),
		!!(ps.readings.lines & LEVER_LINE_HARNESS), ps.readings.buttons,
		ps.runner_mass_kg, ps.cadence_steps_s, injected);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
