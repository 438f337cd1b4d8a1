// SPDX-License-Identifier: MIT
/*
 * loop.c - the control cycle. The safe state is entered here and only
 * left by targets of a newer generation; support is never raised in the
 * safe state and lowered only once the belt is at zero, at the release
 * rate. RT context: no allocation, no lock, no syscall.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__LP64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "law.h"
#include "loop.h"
#include "ramp.h"
#include "sup.h"

#define BELT_STOPPED_MM_S	20.0
#define BELT_STOPPED_SAMPLES	50	/* seen at zero this long: stopped */
#define PRESSURE_AVG_S		0.5	/* averages several strides */
/* a start that meets a fault waits this long for it to clear */
#define START_WAIT_NS		2000000000ull
/* the release may lead the measured pressure by this long of release */
#define RELEASE_LEAD_S		1.0
#define RELEASE_LEAD_CYCLES(l)	(RELEASE_LEAD_S / (l)->dt_s)
/* a cycle's ramp step spans at most this many periods */
#define MAX_STEP_PERIODS	5
#define MEAS_AVG_S		0.05	/* measured pressure: sensor noise only */
#define INCLINE_RATE_CENTI_PCT_S 50.0
#define INCLINE_JERK_CENTI_PCT_S2 100.0
/* mass assumed for rates when none is known: small mass, slow rates */
#define FALLBACK_MASS_KG	40.0

/*
 * lrint() without the call. On x86-64 glibc's lrint() is this one
 * instruction (cvtsd2si: the current rounding mode, and the same answer
 * out of range), so the same value.
 */
static inline long loop_lrint(double v)
{
#if defined(__x86_64__) && defined(__LP64__) && defined(__SSE2__)
	return _mm_cvtsd_si64(_mm_set_sd(v));
#else
	return lrint(v);
#endif
}

/* The incline's ramp, whatever the mode. */
static const struct ramp_limits loop_incline_lim = {
	.max_rate = INCLINE_RATE_CENTI_PCT_S,
	.max_jerk = INCLINE_JERK_CENTI_PCT_S2,
};

struct loop {
	struct leverd_cfg cfg;
	struct lever_dev_info info;
	double force_per_pa, dt_s;
	/*
	 * Products of cfg and dt_s the cycle used to form every time, formed
	 * once (loop_new()) by the same expressions: the same values.
	 */
	double max_step_s;		/* MAX_STEP_PERIODS * dt_s */
	struct ramp_limits belt_lim;	/* comfort accel, jerk, in mm */
	struct ramp_limits belt_stop_lim; /* stop decel, jerk, in mm */
	struct sup *sup;
	struct law *law;
	struct ramp belt, incline;
	struct sess_targets t;		/* latest received */
	bool have_targets;
	uint32_t gen_floor;		/* generations <= this never run */
	uint32_t gen;			/* generation being followed */
	enum loop_mode mode;
	uint32_t cause;
	uint64_t safe_since_ns;
	double hold_pa;			/* pressure held in the safe state */
	double meas_pa;			/* board's measured pressure, filtered */
	double meas_avg_pa;		/* the same over strides */
	double force_avg1_n, force_avg_n; /* the load cell over strides,
					   * two stages: its swing is large */
	bool have_meas;
	bool commanding;		/* this cycle's command reaches the board */
	uint32_t refused_gen, start_refused;
	uint64_t refused_since_ns;
	bool refusal_said;
	double ceiling_n;		/* over-support reference, see below */
	double ceiling_want_n;		/* the target its fall was set for */
	double ceiling_rate_n_s;	/* and that fall's rate */
	double pressure_lp_pa;		/* command averaged over strides */
	double pressure_cmd_pa;
	double mass_kg;
	double bw_pct;			/* followed target, % carried */
	double belt_target_mm_s, incline_target;
	unsigned int ext_lines, ext_keys;
	uint32_t ext_faults;
	bool started;
	uint32_t faults;
	double belt_meas, incline_meas, force_n;
	unsigned int stopped_samples;
	uint64_t now_ns, cycles, targets_refused, stale_targets;
};

int loop_new(const struct leverd_cfg *cfg, const struct lever_dev_info *info,
	     uint64_t now_ns, struct loop **out)
{
	struct sup_params sp = { 0 };
	struct law_params lp = { 0 };
	struct loop *l;
	int ret;

	if (!info->force_per_pressure_un_pa || !info->max_support_pressure_pa)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	l->info = *info;
	l->force_per_pa = info->force_per_pressure_un_pa * 1e-6;
	l->dt_s = cfg->period_us * 1e-6;
	l->max_step_s = MAX_STEP_PERIODS * l->dt_s;
	l->belt_lim.max_rate = cfg->comfort_accel_m_s2 * 1000;
	l->belt_lim.max_jerk = cfg->jerk_m_s3 * 1000;
	l->belt_stop_lim.max_rate = cfg->stop_decel_m_s2 * 1000;
	l->belt_stop_lim.max_jerk = cfg->jerk_m_s3 * 1000;

	sp.period_ns = cfg->period_us * 1000ull;
	sp.stale_samples = cfg->stale_samples;
	sp.stuck_samples = cfg->stuck_samples;
	sp.implausible_samples = 20;
	sp.plausibility_tol_n = cfg->plausibility_tol_n;
	sp.force_per_pa = l->force_per_pa;
	sp.max_pressure_pa = info->max_support_pressure_pa;
	sp.max_force_n = info->max_support_force_mn > 0 ?
			 info->max_support_force_mn / 1000.0 :
			 cfg->max_support_force_n;
	sp.max_belt_mm_s = fmin(cfg->max_belt_speed_km_h / 3.6 * 1000,
				info->max_belt_speed_mm_s > 0 ?
				info->max_belt_speed_mm_s : 1e9);
	sp.overspeed_margin_mm_s = cfg->overspeed_margin_km_h / 3.6 * 1000;
	ret = sup_new(&sp, now_ns, &l->sup);
	if (ret)
		goto err;

	lp.force_per_pa = l->force_per_pa;
	lp.max_pressure_pa = info->max_support_pressure_pa;
	lp.max_slew_pa_s = info->max_pressure_slew_pa_s ?
			   info->max_pressure_slew_pa_s : 1e9;
	lp.kp = cfg->law_kp;
	lp.ki_1_s = cfg->law_ki_1_s;
	ret = law_new(cfg->law, &lp, &l->law);
	if (ret)
		goto err_sup;

	ramp_init(&l->belt, 0);
	ramp_init(&l->incline, 0);
	l->mode = LOOP_IDLE;
	l->now_ns = now_ns;
	*out = l;
	return 0;
err_sup:
	sup_free(l->sup);
err:
	free(l);
	return ret;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	law_free(l->law);
	sup_free(l->sup);
	free(l);
}

void loop_set_targets(struct loop *l, const struct sess_targets *t)
{
	l->t = *t;
	l->have_targets = true;
}

void loop_set_external(struct loop *l, unsigned int lines,
		       unsigned int stop_keys)
{
	l->ext_lines = lines;
	l->ext_keys |= stop_keys;
}

void loop_external_fault(struct loop *l, uint32_t sup_bits)
{
	l->ext_faults |= sup_bits;
}

int loop_reset(struct loop *l)
{
	int ret = sup_reset(l->sup);

	/* the causes were seen and acknowledged; the mode stays as it is */
	if (!ret)
		l->cause = 0;
	return ret;
}

void loop_restart_stale(struct loop *l, uint64_t now_ns)
{
	sup_restart_stale(l->sup, now_ns);
}

static double loop_mass(const struct loop *l)
{
	return l->mass_kg > 0 ? l->mass_kg : FALLBACK_MASS_KG;
}

/*
 * The loop's state machine, Documentation/safety.rst "The daemon's state
 * machine": every mode change of the control cycle is this table and
 * loop_enter() below, nothing else. Rows are modes, columns events.
 */
static const enum loop_mode loop_table[LOOP_MODE_COUNT][LOOP_EV_COUNT] = {
	[LOOP_IDLE] = {
		LOOP_RUN, LOOP_IDLE, LOOP_IDLE, LOOP_IDLE, LOOP_IDLE,
		LOOP_IDLE, LOOP_IDLE, LOOP_IDLE, LOOP_IDLE, LOOP_IDLE,
	},
	[LOOP_RUN] = {
		LOOP_RUN, LOOP_RUN, LOOP_PAUSE, LOOP_STOPPING, LOOP_STOPPING,
		LOOP_STOPPING, LOOP_RUN, LOOP_RUN, LOOP_RUN, LOOP_RUN,
	},
	[LOOP_PAUSE] = {
		LOOP_RUN, LOOP_PAUSE, LOOP_PAUSE, LOOP_STOPPING, LOOP_STOPPING,
		LOOP_STOPPING, LOOP_PAUSE, LOOP_PAUSE, LOOP_PAUSE, LOOP_PAUSE,
	},
	[LOOP_STOPPING] = {
		LOOP_RUN, LOOP_STOPPING, LOOP_STOPPING, LOOP_STOPPING,
		LOOP_STOPPING, LOOP_STOPPING, LOOP_RELEASING, LOOP_STOPPING,
		LOOP_STOPPING, LOOP_STOPPING,
	},
	[LOOP_RELEASING] = {
		LOOP_RUN, LOOP_RELEASING, LOOP_RELEASING, LOOP_RELEASING,
		LOOP_RELEASING, LOOP_RELEASING, LOOP_RELEASING,
		LOOP_STOPPING, LOOP_RELEASING, LOOP_RELEASING,
	},
};

enum loop_mode loop_next_mode(enum loop_mode m, enum loop_event ev)
{
	if (m >= LOOP_MODE_COUNT || ev >= LOOP_EV_COUNT)
		return m;
	return loop_table[m][ev];
}

const char *loop_event_name(enum loop_event ev)
{
	static const char *const n[LOOP_EV_COUNT] = {
		"start", "run", "pause", "stop", "idle", "fault",
		"belt-stopped", "belt-moving", "reset", "refused",
	};

	return ev < LOOP_EV_COUNT ? n[ev] : "?";
}

/*
 * The pressure the board holds now, as the board measures it: what a
 * (re)start continues from and what the safe state holds while nothing
 * the daemon sends reaches the board. Never leverd's own estimate. Its
 * stride average, not the instant: a start taken during a stop's
 * deceleration (or on a runner still stepping) that began from a stride's
 * trough dropped the support by a fifth at once (soak seed 879501: 24 N
 * in 1 s on a 61 kg runner, 12 N/s allowed).
 */
static double loop_board_pa(const struct loop *l)
{
	return l->have_meas ? l->meas_avg_pa : l->pressure_cmd_pa;
}

/* Enters the safe state; the support pressure now applied is held. */
static void loop_enter_safe(struct loop *l, uint32_t cause)
{
	unsigned int bad;

	l->cause = cause;
	l->safe_since_ns = l->now_ns;
	/*
	 * Hold the support the runner had: the cylinder's stride average,
	 * by its own sensor. Not the instantaneous command (a peak or a
	 * trough of the law fighting a stride: held at a peak once the
	 * runner stops it would lift them above target, at a trough drop
	 * their support at once, in a pause too), and not the command's
	 * stride average either: under a stride the regulator does not
	 * give the cylinder the mean it is asked (soak seed 84275: 2.7 %
	 * more once held still, on a 51 kg runner 0.8 %BW raised after the
	 * stop). A dead pressure sensor could ask for a sudden change
	 * instead: then the load cell's stride average says what the runner
	 * had. Only with neither sensor to trust (or an implausible pair)
	 * the command's average, which a valve that stuck has wound up
	 * (soak seed 61096), or with nothing reaching the board, what the
	 * board holds.
	 */
	bad = sup_bad_sensors(l->sup);
	if (l->have_meas && !(bad & SUP_SENSOR_PRESSURE) &&
	    !(cause & SUP_F_IMPLAUSIBLE))
		l->hold_pa = l->meas_avg_pa;
	else if (l->have_meas && !(bad & SUP_SENSOR_FORCE) &&
		 !(cause & SUP_F_IMPLAUSIBLE))
		l->hold_pa = fmax(l->force_avg_n, 0) / l->force_per_pa;
	else if (l->commanding)
		l->hold_pa = l->pressure_lp_pa;
	else
		l->hold_pa = loop_board_pa(l);
	/*
	 * A stop must never speed the belt up: drop any acceleration at
	 * once (the jerk limit is for comfort, the stop comes first).
	 */
	if (l->belt.rate > 0)
		l->belt.rate = 0;
	if (l->gen > l->gen_floor)
		l->gen_floor = l->gen;
	if (l->t.generation > l->gen_floor)
		l->gen_floor = l->t.generation;
	law_hold(l->law);
}

/* Entering @to from the current mode on @ev (loop_event()). */
static void loop_enter(struct loop *l, enum loop_event ev, enum loop_mode to,
		       uint32_t faults)
{
	enum loop_mode from = l->mode;
	double board_pa;

	switch (to) {
	case LOOP_RUN:
		l->gen = l->t.generation;
		if (from == LOOP_RUN)
			break;
		l->cause = 0;
		l->started = true;
		sup_restart(l->sup);
		/*
		 * Bumpless from the truth: the board's measured, held
		 * pressure, not what leverd last computed or sent.
		 */
		board_pa = loop_board_pa(l);
		l->ceiling_n = fmax(l->ceiling_n, board_pa * l->force_per_pa);
		l->ceiling_want_n = -1;		/* a new move */
		/*
		 * ... and the force the runner had over strides: the
		 * instant's load cell, a stride's trough, set the law's
		 * reference a fifth low and it pulled the support down to
		 * it at once (soak seed 879501).
		 */
		law_reset(l->law, board_pa,
			  l->have_meas ? l->force_avg_n : l->force_n);
		l->pressure_cmd_pa = board_pa;
		l->pressure_lp_pa = board_pa;
		break;
	case LOOP_PAUSE:
		if (from == LOOP_RUN)
			l->gen = l->t.generation;
		if (l->t.generation > l->gen_floor)
			l->gen_floor = l->t.generation;
		break;
	case LOOP_STOPPING:
		if (from == LOOP_RUN || from == LOOP_PAUSE)
			loop_enter_safe(l, ev == LOOP_EV_FAULT ? faults : 0);
		break;
	case LOOP_RELEASING:
	case LOOP_IDLE:
	case LOOP_MODE_COUNT:
		break;
	}
	l->mode = to;
}

/*
 * One event: the table's next mode, and what entering it does. Inline:
 * several come every cycle and almost all leave the mode as it is.
 */
static inline void loop_event(struct loop *l, enum loop_event ev,
			      uint32_t faults)
{
	enum loop_mode from = l->mode, to = loop_next_mode(from, ev);

	if ((from == LOOP_STOPPING || from == LOOP_RELEASING) &&
	    ev == LOOP_EV_FAULT)
		l->cause |= faults;
	if (to == from && ev != LOOP_EV_START)
		return;
	loop_enter(l, ev, to, faults);
}

static bool loop_targets_valid(const struct loop *l,
			       const struct sess_targets *t)
{
	double max_mm_s = l->cfg.max_belt_speed_km_h / 3.6 * 1000;

	if (t->run != SESS_RUN && t->run != SESS_PAUSE)
		return true;
	return t->belt_speed_mm_s >= 0 && t->belt_speed_mm_s <= max_mm_s &&
	       t->bw_carried_pct_x100 >= 0 &&
	       t->bw_carried_pct_x100 <= LEVERD_BW_FULL_X100 &&
	       t->mass_kg >= LEVERD_MASS_MIN_KG &&
	       t->mass_kg <= LEVERD_MASS_MAX_KG &&
	       t->incline_centi_pct >= l->info.incline_min_centi_pct &&
	       t->incline_centi_pct <= l->info.incline_max_centi_pct;
}

/*
 * A start that meets a fault waits while it lasts (one may clear by
 * itself); one that outlasts START_WAIT_NS is said, once per start, so
 * the session ends instead of running its clock on a belt that never
 * moves.
 */
static void loop_start_waits(struct loop *l, uint32_t faults)
{
	const struct sess_targets *t = &l->t;

	if (t->generation != l->refused_gen) {
		l->refused_gen = t->generation;
		l->refused_since_ns = l->now_ns;
		l->refusal_said = false;
	}
	if (!l->refusal_said &&
	    l->now_ns - l->refused_since_ns >= START_WAIT_NS) {
		l->start_refused = faults;
		l->refusal_said = true;
		/* said refused: it never runs later */
		if (t->generation > l->gen_floor)
			l->gen_floor = t->generation;
	}
}

/* The event the session's latest targets make, if any. */
static int loop_targets_event(struct loop *l, uint32_t faults)
{
	const struct sess_targets *t = &l->t;

	switch (t->run) {
	case SESS_RUN:
		if (l->mode == LOOP_RUN && t->generation == l->gen)
			return LOOP_EV_RUN;
		if (t->generation <= l->gen_floor ||
		    (l->mode == LOOP_RUN && t->generation < l->gen)) {
			/* queued before the stop: never acted on */
			l->stale_targets++;
			return LOOP_EV_REFUSED;
		}
		if (l->mode != LOOP_RUN && faults) {
			loop_start_waits(l, faults);
			return LOOP_EV_REFUSED;
		}
		return LOOP_EV_START;
	case SESS_PAUSE:
		if (t->generation < l->gen) {
			l->stale_targets++;
			return LOOP_EV_REFUSED;
		}
		/*
		 * A start still waiting on a fault, then paused: the pause
		 * does not stop its clock. Paused before the loop took it up,
		 * the session would otherwise hold "paused at the step's
		 * target" for as long as the operator waits, while the board
		 * holds what the stop left (soak seed 838522: 148 N held, 104
		 * N asked, after a stop and an unplug).
		 */
		if (l->mode != LOOP_RUN && l->mode != LOOP_PAUSE && faults &&
		    t->generation > l->gen_floor)
			loop_start_waits(l, faults);
		return LOOP_EV_PAUSE;
	case SESS_STOP:
		return LOOP_EV_STOP;
	case SESS_IDLE:
		return LOOP_EV_IDLE;
	}
	return LOOP_EV_REFUSED;
}

/* Mode changes the session asks for. */
static void loop_follow(struct loop *l, uint32_t faults)
{
	const struct sess_targets *t = &l->t;
	int ev;

	if (!l->have_targets)
		return;
	if (!loop_targets_valid(l, t)) {
		l->targets_refused++;
		return;
	}
	ev = loop_targets_event(l, faults);
	/* a stop asked while already stopping changes nothing */
	loop_event(l, ev, 0);
	if ((l->mode == LOOP_RUN || l->mode == LOOP_PAUSE) &&
	    (t->run == SESS_RUN || t->run == SESS_PAUSE)) {
		l->mass_kg = t->mass_kg;
		l->bw_pct = t->bw_carried_pct_x100 / 100.0;
		l->belt_target_mm_s = t->belt_speed_mm_s;
		l->incline_target = t->incline_centi_pct;
	}
}

void loop_commanding(struct loop *l, bool reaches_board)
{
	l->commanding = reaches_board;
}

/* The time a new target is reached in: the step's ramp, or the default. */
static double loop_ramp_s(const struct loop *l)
{
	return l->t.ramp_ms ? l->t.ramp_ms / 1000.0 : l->cfg.setpoint_ramp_s;
}

/*
 * Over-support reference, independent of the law: the support the
 * session's target asks for now, or, after the target fell (or a start
 * found the board holding more), a value that comes down as the target
 * asks to be reached: over the step's ramp, and never faster than support
 * may change (support_rate_pct_bw_s), with the rate fixed for the whole
 * move. A law that follows the lowered target so never trips it; one
 * that lags more than the margin does. In the safe state the reference is
 * what is held: support is never raised there. Idle asks for nothing and
 * checks nothing.
 */
static void loop_update_ceiling(struct loop *l, double mg)
{
	double want_n, fall_n, max_n_s = l->cfg.support_rate_pct_bw_s / 100 * mg;

	switch (l->mode) {
	case LOOP_RUN:
	case LOOP_PAUSE:
		want_n = (1 - l->bw_pct / 100) * mg;
		if (want_n != l->ceiling_want_n) {
			l->ceiling_want_n = want_n;
			l->ceiling_rate_n_s = loop_ramp_s(l) > 0 ?
				(l->ceiling_n - want_n) / loop_ramp_s(l) :
				max_n_s;
		}
		fall_n = fmin(fmax(l->ceiling_rate_n_s, 0), max_n_s) * l->dt_s;
		l->ceiling_n = fmax(want_n, l->ceiling_n - fall_n);
		return;
	case LOOP_STOPPING:
	case LOOP_RELEASING:
		want_n = l->hold_pa * l->force_per_pa;
		break;
	default:
		l->ceiling_n = 0;
		return;
	}
	fall_n = max_n_s * l->dt_s;
	l->ceiling_n = fmax(want_n, l->ceiling_n - fall_n);
}

static double loop_support_limit_n(const struct loop *l, double mg)
{
	if (l->mode == LOOP_IDLE || l->ceiling_n <= 0)
		return 0;
	return l->ceiling_n + l->cfg.support_over_target_pct_bw / 100 * mg;
}

void loop_cycle(struct loop *l, const struct lever_dev_sample *sample,
		uint64_t now_ns, struct loop_out *out)
{
	struct sup_input si = { 0 };
	const struct ramp_limits *bl;
	double belt_target, mg, setpoint, pa, step_s;
	uint32_t faults;

	/*
	 * Ramps and the release follow the time that passed, not the number
	 * of cycles: with frames lost a cycle spans several periods, and a
	 * stop must still decelerate at its rate (bounded: a long stall is
	 * no licence for one big step).
	 */
	step_s = now_ns > l->now_ns ? (now_ns - l->now_ns) * 1e-9 : 0;
	if (!l->cycles || step_s > l->max_step_s)
		step_s = l->cycles ? l->max_step_s : l->dt_s;
	l->now_ns = now_ns;
	l->cycles++;
	if (sample) {
		l->belt_meas = sample->belt_speed_mm_s;
		l->incline_meas = sample->incline_centi_pct;
		l->force_n = sample->support_force_mn / 1000.0;
		if (!l->have_meas) {
			l->meas_pa = sample->support_pressure_pa;
			l->meas_avg_pa = sample->support_pressure_pa;
			l->force_avg1_n = l->force_n;
			l->force_avg_n = l->force_n;
		}
		l->force_avg1_n += (l->force_n - l->force_avg1_n) * l->dt_s /
				   (PRESSURE_AVG_S / 2);
		l->force_avg_n += (l->force_avg1_n - l->force_avg_n) * l->dt_s /
				  (PRESSURE_AVG_S / 2);
		l->meas_pa += (sample->support_pressure_pa - l->meas_pa) *
			      l->dt_s / MEAS_AVG_S;
		l->meas_avg_pa += (sample->support_pressure_pa -
				   l->meas_avg_pa) * l->dt_s / PRESSURE_AVG_S;
		l->have_meas = true;
	}

	mg = loop_mass(l) * LEVERD_G_M_S2;
	si.sample = sample;
	si.now_ns = now_ns;
	si.belt_cmd_mm_s = l->belt.value;
	si.ext_lines = l->ext_lines;
	si.ext_keys = l->ext_keys;
	l->ext_keys = 0;
	si.support_limit_n = loop_support_limit_n(l, mg);
	faults = sup_check(l->sup, &si, &out->buttons) | l->ext_faults;
	l->ext_faults = 0;
	l->faults = faults;
	out->faults = faults;
	out->new_faults = 0;

	/*
	 * Idle has nothing moving and no support asked for: a fault there is
	 * shown (and blocks a start while it lasts), it does not stop what
	 * is not running. E-stop and key still latch in the supervisor.
	 */
	if (faults && (l->mode == LOOP_RUN || l->mode == LOOP_PAUSE))
		out->new_faults = faults;
	if (faults)
		loop_event(l, LOOP_EV_FAULT, faults);
	loop_follow(l, faults);

	/* belt and incline */
	if (l->mode == LOOP_RUN) {
		belt_target = l->belt_target_mm_s;
		bl = &l->belt_lim;
	} else if (l->mode == LOOP_PAUSE || l->mode == LOOP_IDLE) {
		belt_target = 0;
		bl = &l->belt_lim;
	} else {
		belt_target = 0;
		bl = &l->belt_stop_lim;
	}
	ramp_step(&l->belt, belt_target, bl, step_s);
	if (l->belt.value < 0)
		l->belt.value = 0;
	if (l->mode == LOOP_RUN)
		ramp_step(&l->incline, l->incline_target, &loop_incline_lim,
			  step_s);
	else
		ramp_step(&l->incline, l->incline.value, &loop_incline_lim,
			  step_s);

	/*
	 * Release support only after the belt has been seen at zero for a
	 * while, and hold again the moment it is seen moving.
	 */
	if (sample && fabs(l->belt_meas) < BELT_STOPPED_MM_S &&
	    ramp_done(&l->belt, 0))
		l->stopped_samples++;
	else if (sample || !ramp_done(&l->belt, 0))
		l->stopped_samples = 0;
	if (l->stopped_samples >= BELT_STOPPED_SAMPLES)
		loop_event(l, LOOP_EV_BELT_STOPPED, 0);
	else if (!l->stopped_samples)
		loop_event(l, LOOP_EV_BELT_MOVING, 0);

	/* support */
	switch (l->mode) {
	case LOOP_RUN:
	case LOOP_PAUSE: {
		struct law_input in;

		setpoint = (1 - l->bw_pct / 100) * mg;
		in.target_force_n = setpoint;
		in.ramp_s = loop_ramp_s(l);
		in.max_rate_n_s = l->cfg.support_rate_pct_bw_s / 100 * mg;
		in.force_n = l->force_n;
		in.dt_s = l->dt_s;
		in.limit_n = setpoint +
			     l->cfg.support_over_target_pct_bw / 100 * mg;
		l->pressure_cmd_pa = law_update(l->law, &in);
		l->pressure_lp_pa += (l->pressure_cmd_pa - l->pressure_lp_pa) *
				     l->dt_s / PRESSURE_AVG_S;
		break;
	}
	case LOOP_RELEASING:
		/*
		 * Only down, only slowly, only with the belt at zero, and
		 * only on a cycle whose sample shows the truth and whose
		 * command reaches the board: an estimate never moves while
		 * nothing is sent.
		 */
		pa = l->cfg.release_rate_pct_bw_s / 100 * mg /
		     l->force_per_pa * step_s;
		if (!l->commanding) {
			l->hold_pa = loop_board_pa(l);
		} else if (sample && l->meas_pa - l->hold_pa <=
			   pa * RELEASE_LEAD_CYCLES(l)) {
			/*
			 * ... and never ahead of the cylinder: a valve that
			 * sticks must not let the command run down, to drop
			 * the runner at once when it frees.
			 */
			l->hold_pa = fmax(l->hold_pa - pa, 0);
		}
		l->pressure_cmd_pa = l->hold_pa;
		break;
	case LOOP_STOPPING:
		/* the gate refuses us: what the board holds is the truth */
		if (!l->commanding)
			l->hold_pa = loop_board_pa(l);
		l->pressure_cmd_pa = l->hold_pa;
		break;
	case LOOP_IDLE:
		/*
		 * Nothing asked: a daemon started on a support the board
		 * holds adopts it at the start (loop_board_pa()), not here.
		 */
	case LOOP_MODE_COUNT:
		break;
	}
	loop_update_ceiling(l, mg);

	memset(&out->cmd, 0, sizeof(out->cmd));
	out->cmd.support_pressure_pa = (uint32_t)loop_lrint(l->pressure_cmd_pa);
	out->cmd.belt_speed_mm_s = (int32_t)loop_lrint(l->belt.value);
	out->cmd.incline_centi_pct = (int16_t)loop_lrint(l->incline.value);
	out->drive = l->mode == LOOP_RUN || l->belt.value > 0;
	out->start = l->started;
	l->started = false;
	out->start_refused = l->start_refused;
	l->start_refused = 0;
}

void loop_status(const struct loop *l, struct loop_status *st)
{
	memset(st, 0, sizeof(*st));
	st->now_ns = l->now_ns;
	st->cycles = l->cycles;
	st->mode = l->mode;
	st->safe_state = l->mode == LOOP_STOPPING ||
			 l->mode == LOOP_RELEASING;
	st->belt_stopped = l->stopped_samples >= BELT_STOPPED_SAMPLES;
	st->generation = l->gen;
	st->faults = l->faults;
	st->latched = sup_latched(l->sup);
	st->lines = sup_lines(l->sup);
	st->cause = l->cause;
	st->safe_since_ns = l->safe_since_ns;
	st->belt_cmd_mm_s = l->belt.value;
	st->belt_accel_mm_s2 = l->belt.rate;
	st->belt_meas_mm_s = l->belt_meas;
	st->incline_cmd_centi_pct = l->incline.value;
	st->incline_meas_centi_pct = l->incline_meas;
	st->support_target_n = (1 - l->bw_pct / 100) * loop_mass(l) * LEVERD_G_M_S2;
	st->support_setpoint_n = law_setpoint_n(l->law);
	st->support_force_n = l->force_n;
	st->pressure_cmd_pa = l->pressure_cmd_pa;
	st->mass_kg = l->mass_kg;
	st->targets_refused = l->targets_refused;
	st->stale_targets = l->stale_targets;
}

const char *loop_mode_name(enum loop_mode m)
{
	static const char *const n[] = { "idle", "run", "pause", "stopping",
					 "releasing" };

	return m < LOOP_MODE_COUNT ? n[m] : "?";
}
