// SPDX-License-Identifier: MIT
/*
 * leverd.c - the daemon: start-up in order (configuration, real-time
 * limits, mlockall, RT thread), then one poll() loop over the control
 * socket, the GPIO and key watchers, a timer and signals. The event loop
 * never commands the device; only the RT thread does. Signal handlers do
 * not exist: signals arrive through signalfd.
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <lever/lever.h>

#include "cfg.h"
#include "ctl.h"
#include "plan/sess.h"
#include "plan/store.h"
#include "rec.h"
#include "rt.h"
#include "sup.h"

#define TICK_MS		10
/* a fault cause absent this long is recorded again when it comes back */
#define FAULT_FORGET_NS	1000000000ull
/* a chattering contact: at most one durable event a second per line */
#define LINE_EVENT_MIN_NS	1000000000ull
#define KEY_STOP_BITS	(SUP_F_OPERATOR_STOP | SUP_F_PAIN)
#define FNV_OFFSET	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull

struct d_line_note {
	uint64_t last_ns;	/* last event recorded, 0 before any */
	unsigned int held;	/* edges since then, not yet recorded */
};

enum key_action {
	KEY_ACT_STOP, KEY_ACT_PAUSE, KEY_ACT_PAIN, KEY_ACT_SPEED_UP,
	KEY_ACT_SPEED_DOWN, KEY_ACT_SUPPORT_UP, KEY_ACT_SUPPORT_DOWN,
	KEY_ACT_COUNT
};

static const char *const key_action_names[KEY_ACT_COUNT] = {
	"stop", "pause", "pain", "speed_up", "speed_down", "support_up",
	"support_down",
};

struct leverd {
	struct leverd_cfg cfg;
	struct lever_dev *dev;
	struct lever_dev_info info;
	struct rt *rt;
	struct sess *sess;
	struct ctl *ctl;
	struct lever_gpio *gpio;
	struct lever_keys *keys;
	int keycode[KEY_ACT_COUNT];
	bool stepped, sim;
	int sig_fd, timer_fd;
	bool quit;
	/* operator adjustments from the pendant, reset at every start */
	int32_t speed_offset_mm_s, bw_offset_x100;
	uint32_t adj_generation;
	struct sess_targets last_posted;
	uint64_t last_post_ns;
	/* recorder */
	uint64_t trace_hash, trace_records;
	FILE *trace;
	struct rec *rec;
	int64_t rec_sid;		/* the session the recorder was told */
	unsigned int gpio_lines;
	/* events: what was recorded already */
	uint32_t faults_noted;
	uint64_t fault_seen_ns[SUP_F_COUNT];
	unsigned int lines_noted;
	struct d_line_note estop_note, key_note;
};

static void logmsg(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leverd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The daemon's clock: virtual time on the sim transport. */
static uint64_t d_now(struct leverd *d)
{
	struct rt_snapshot snap;

	if (!d->sim)
		return mono_ns();
	rt_snapshot(d->rt, &snap);
	return snap.st.now_ns;
}

static void faults_json_append(json_t *arr, uint32_t bits)
{
	unsigned int i;

	for (i = 0; i < SUP_F_COUNT; i++)
		if (bits & (1u << i))
			json_array_append_new(arr,
				json_string(sup_fault_name(1u << i)));
}

static json_t *d_status(struct leverd *d, uint64_t now)
{
	struct rt_snapshot snap;
	json_t *st = sess_status(d->sess, now), *faults;
	double mg;

	if (!st)
		return NULL;
	rt_snapshot(d->rt, &snap);
	mg = snap.st.mass_kg * 9.80665;
	faults = json_array();
	faults_json_append(faults, snap.st.faults | snap.st.cause);
	json_object_set_new(st, "measured", json_pack(
		"{s:f, s:f, s:f, s:f}",
		"belt_speed_km_h", snap.st.belt_meas_mm_s * 3.6 / 1000,
		"incline_pct", snap.st.incline_meas_centi_pct / 100,
		"support_force_n", snap.st.support_force_n,
		"bw_pct", mg > 0 ? 100 * (1 - snap.st.support_force_n / mg) :
				   100.0));
	/* the plan's target stays as it is; what the pendant added, apart */
	if (d->last_posted.run == SESS_RUN &&
	    (d->speed_offset_mm_s || d->bw_offset_x100))
		json_object_set_new(st, "pendant", json_pack(
			"{s:f, s:f}",
			"belt_speed_km_h", d->speed_offset_mm_s * 3.6 / 1000,
			"bw_pct", d->bw_offset_x100 / 100.0));
	json_object_set_new(st, "faults", faults);
	json_object_set_new(st, "estop", json_boolean(
		(snap.st.lines & LEVER_DEV_LINE_ESTOP) ||
		(snap.st.latched & SUP_F_ESTOP)));
	json_object_set_new(st, "safety_key", json_boolean(
		(snap.st.lines & LEVER_DEV_LINE_SAFETY_KEY) ||
		(snap.st.latched & SUP_F_SAFETY_KEY)));
	json_object_set_new(st, "rt", json_pack(
		"{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
		"mode", loop_mode_name(snap.st.mode), "safe_state",
		snap.st.safe_state, "cycles", (json_int_t)snap.cycles,
		"overruns", (json_int_t)snap.overruns, "late_wakeups",
		(json_int_t)snap.late_wakeups, "missed_samples",
		(json_int_t)snap.missed_samples, "io_errors",
		(json_int_t)snap.io_errors, "trace_dropped",
		(json_int_t)snap.trace_dropped, "rt_priority",
		rt_priority(d->rt)));
	if (d->rec) {
		struct rec_stats rs;

		rec_stats(d->rec, &rs);
		json_object_set_new(st, "recorder", json_pack(
			"{s:o, s:I, s:I, s:I}", "session", rs.session_id ?
			json_integer(rs.session_id) : json_null(),
			"rows", (json_int_t)rs.rows,
			"dropped", (json_int_t)rs.dropped,
			"errors", (json_int_t)rs.errors));
	} else {
		json_object_set_new(st, "recorder", json_null());
	}
	return st;
}

/*
 * The board a session runs on and who started it, for its record (exports
 * name the unit). The session runs whether or not this is kept.
 */
static void d_note_unit(struct leverd *d, const json_t *started)
{
	json_int_t id = json_integer_value(json_object_get(started,
							   "record_id"));

	if (id > 0 && store_session_set_unit(sess_store(d->sess), id,
					     d->info.serial,
					     ctl_peer_uid(d->ctl)))
		logmsg("session #%lld: board and operator not recorded",
		       (long long)id);
}

static int d_request(void *ctx, const char *cmd, const json_t *args,
		     bool may_command, json_t **result, char *msg,
		     size_t len)
{
	struct leverd *d = ctx;
	uint64_t now = d_now(d);
	int ret;

	if (!strcmp(cmd, "hello")) {
		*result = json_pack("{s:s, s:s, s:[i], s:s, s:b, s:i}",
				    "daemon", "leverd", "version", "0.1",
				    "protocol", CTL_PROTOCOL_VERSION,
				    "transport", d->info.node, "sim", d->sim,
				    "rt_priority", rt_priority(d->rt));
		return *result ? 0 : -ENOMEM;
	}
	if (!strcmp(cmd, "status")) {
		*result = d_status(d, now);
		return *result ? 0 : -ENOMEM;
	}
	ret = rec_request(sess_store(d->sess), cmd, args, result, msg, len);
	if (ret <= 0)
		return ret;
	if (!strcmp(cmd, "reset")) {
		struct rt_snapshot snap;
		struct rt_msg m = { .type = RT_MSG_RESET };

		rt_snapshot(d->rt, &snap);
		if (snap.st.lines & (LEVER_DEV_LINE_ESTOP |
				     LEVER_DEV_LINE_SAFETY_KEY)) {
			snprintf(msg, len,
				 "the %s is still active; release it, then reset",
				 snap.st.lines & LEVER_DEV_LINE_ESTOP ?
				 "e-stop" : "safety key");
			return -EBUSY;
		}
		ret = sess_request(d->sess, cmd, args, may_command, now,
				   result, msg, len);
		if (!ret)
			rt_post(d->rt, &m);
		return ret;
	}
	ret = sess_request(d->sess, cmd, args, may_command, now, result,
			   msg, len);
	if (!ret && !strcmp(cmd, "start"))
		d_note_unit(d, *result);
	return ret;
}

static void d_sess_simple(struct leverd *d, const char *cmd, uint64_t now)
{
	json_t *r = NULL;
	char msg[256];

	if (sess_request_from(d->sess, "key", cmd, NULL, true, now, &r, msg,
			      sizeof(msg)))
		logmsg("key %s: %s", cmd, msg);
	json_decref(r);
}

static void d_key_action(struct leverd *d, enum key_action a, uint64_t now)
{
	struct rt_msg m = { .type = RT_MSG_EXTERNAL };

	logmsg("key: %s", key_action_names[a]);
	switch (a) {
	case KEY_ACT_STOP:
	case KEY_ACT_PAIN:
		/* the RT side stops at once; the session learns after */
		m.lines = d->gpio_lines;
		m.keys = a == KEY_ACT_STOP ? SUP_F_OPERATOR_STOP : SUP_F_PAIN;
		rt_post(d->rt, &m);
		break;
	case KEY_ACT_PAUSE:
		d_sess_simple(d, "pause", now);
		break;
	case KEY_ACT_SPEED_UP:
		d->speed_offset_mm_s += 139;	/* 0.5 km/h */
		break;
	case KEY_ACT_SPEED_DOWN:
		d->speed_offset_mm_s -= 139;
		break;
	case KEY_ACT_SUPPORT_UP:
		d->bw_offset_x100 -= 100;	/* more support: less BW */
		break;
	case KEY_ACT_SUPPORT_DOWN:
		d->bw_offset_x100 += 100;
		break;
	default:
		break;
	}
}

/*
 * Each supervisor fault cause is recorded once as it appears (the stop and
 * pain keys are recorded by the session as what they are). A cause gone
 * for FAULT_FORGET_NS is recorded again when it comes back.
 */
static void d_note_faults(struct leverd *d, uint32_t bits, uint64_t now,
			  const char *how)
{
	unsigned int i;

	for (i = 0; i < SUP_F_COUNT; i++) {
		uint32_t bit = 1u << i;

		if (!(bits & bit) || (bit & KEY_STOP_BITS))
			continue;
		d->fault_seen_ns[i] = now;
		if (d->faults_noted & bit)
			continue;
		d->faults_noted |= bit;
		sess_event(d->sess, now, "fault", sup_fault_name(bit), how);
	}
}

/*
 * Records a safety line's edge at once, then at most one event a second:
 * each event is a synchronous commit in the event loop, and a chattering
 * contact would cost one every tick. Edges in between are counted into
 * the next event, which gives the line's state by then. The line's
 * effect on the loop does not wait for any of this.
 */
static void d_note_line(struct leverd *d, struct d_line_note *ln, bool edge,
			bool active, uint64_t now, const char *kind,
			const char *on, const char *off)
{
	char detail[64];

	if (edge)
		ln->held++;
	if (!ln->held ||
	    (ln->last_ns && now < ln->last_ns + LINE_EVENT_MIN_NS))
		return;
	if (ln->held > 1)
		snprintf(detail, sizeof(detail),
			 "%u edges since the last %s event", ln->held, kind);
	sess_event(d->sess, now, kind, active ? on : off,
		   ln->held > 1 ? detail : NULL);
	ln->last_ns = now;
	ln->held = 0;
}

/* Faults seen in the snapshot (also idle, also in the safe state). */
static void d_note_state(struct leverd *d, const struct rt_snapshot *snap,
			 uint64_t now)
{
	unsigned int lines = snap->st.lines, edges, i;
	char how[64];

	snprintf(how, sizeof(how), "seen in mode %s",
		 loop_mode_name(snap->st.mode));
	d_note_faults(d, snap->st.faults | snap->st.latched, now, how);
	/* the RT events drained after the snapshot may be newer than now */
	for (i = 0; i < SUP_F_COUNT; i++)
		if ((d->faults_noted & (1u << i)) &&
		    !(snap->st.latched & (1u << i)) &&
		    now >= d->fault_seen_ns[i] + FAULT_FORGET_NS)
			d->faults_noted &= ~(1u << i);

	edges = lines ^ d->lines_noted;
	d->lines_noted = lines;
	d_note_line(d, &d->estop_note, edges & LEVER_DEV_LINE_ESTOP,
		    lines & LEVER_DEV_LINE_ESTOP, now, "estop", "pressed",
		    "released");
	d_note_line(d, &d->key_note, edges & LEVER_DEV_LINE_SAFETY_KEY,
		    lines & LEVER_DEV_LINE_SAFETY_KEY, now, "safety-key",
		    "pulled", "put back");
}

static void d_rt_events(struct leverd *d, uint64_t now)
{
	static const enum key_action btn_act[] = {
		[1] = KEY_ACT_STOP, [2] = KEY_ACT_PAUSE, [3] = KEY_ACT_PAIN,
		[4] = KEY_ACT_SPEED_UP, [5] = KEY_ACT_SPEED_DOWN,
		[6] = KEY_ACT_SUPPORT_UP, [7] = KEY_ACT_SUPPORT_DOWN,
	};
	struct rt_event ev;
	char cause[256];
	unsigned int i;
	size_t n;

	while (rt_next_event(d->rt, &ev) == 0) {
		switch (ev.type) {
		case RT_EV_FAULT:
			n = 0;
			cause[0] = '\0';
			for (i = 0; i < SUP_F_COUNT; i++)
				if (ev.bits & (1u << i))
					n += snprintf(cause + n,
						      sizeof(cause) - n,
						      "%s%s", n ? "," : "",
						      sup_fault_name(1u << i));
			logmsg("safe state at %.3f s: %s", ev.now_ns / 1e9,
			       cause);
			d_note_faults(d, ev.bits, ev.now_ns,
				      "entered the safe state");
			/* operator keys end the session as the operator asked;
			 * anything else is a fault the session records */
			if (ev.bits & SUP_F_PAIN)
				d_sess_simple(d, "pain", now);
			else if (ev.bits == SUP_F_OPERATOR_STOP)
				d_sess_simple(d, "stop", now);
			else
				sess_fault(d->sess, now, cause);
			break;
		case RT_EV_BUTTONS:
			/* stop and pain already acted on in the RT cycle */
			for (i = 2; i < 8; i++)
				if (i != 3 && (ev.bits & (1u << i)))
					d_key_action(d, btn_act[i], now);
			break;
		case RT_EV_RESET:
			logmsg("reset: %s", ev.err ? strerror(-ev.err) :
						     "done");
			if (ev.err)
				sess_event(d->sess, ev.now_ns, "reset",
					   "refused by the control loop",
					   strerror(-ev.err));
			break;
		case RT_EV_IO:
			logmsg("device error: %s", strerror(-ev.err));
			break;
		case RT_EV_SIM_FAULT:
			logmsg("sim: fault %u %s at %.3f s", ev.bits,
			       ev.err ? "on" : "off", ev.now_ns / 1e9);
			break;
		}
	}
}

/*
 * The RT ring is drained here, in the event loop, for the replay hash and
 * the CSV; the records of a session in progress go on to the recorder.
 */
static void d_record(struct leverd *d)
{
	struct rt_snapshot snap;
	struct rt_trace tr;
	const unsigned char *b;
	uint64_t t0 = 0, lost = 0;
	int64_t sid = 0;
	bool fwd = false;
	size_t i;

	if (d->rec) {
		rt_snapshot(d->rt, &snap);
		sess_recording(d->sess, d->sim ? snap.st.now_ns : mono_ns(),
			       &sid, &t0);
		if (sid == d->rec_sid || !rec_session(d->rec, sid, t0))
			d->rec_sid = sid;
		/* until the recorder knows the session, its records are lost */
		fwd = sid && sid == d->rec_sid;
	}
	while (rt_next_trace(d->rt, &tr) == 0) {
		if (fwd)
			rec_sample(d->rec, &tr, snap.st.mode, d->stepped);
		else if (sid)
			lost++;
		b = (const unsigned char *)&tr;
		for (i = 0; i < sizeof(tr); i++)
			d->trace_hash = (d->trace_hash ^ b[i]) * FNV_PRIME;
		d->trace_records++;
		if (d->trace)
			fprintf(d->trace, "%llu,%u,%d,%u,%d,%u,%d,%d,%#x\n",
				(unsigned long long)tr.now_ns, tr.seq,
				tr.support_force_mn, tr.support_pressure_pa,
				tr.belt_speed_mm_s,
				tr.cmd.support_pressure_pa,
				tr.cmd.belt_speed_mm_s,
				tr.cmd.incline_centi_pct, tr.faults);
	}
	if (lost)
		rec_count_dropped(d->rec, lost);
}

static void d_tick(struct leverd *d)
{
	struct rt_snapshot snap;
	struct sess_feedback fb = { 0 };
	struct sess_targets t;
	struct rt_msg m = { .type = RT_MSG_TARGETS };
	uint64_t now;
	json_t *sum, *st;

	d_record(d);
	rt_snapshot(d->rt, &snap);
	now = d->sim ? snap.st.now_ns : mono_ns();
	d_rt_events(d, now);
	d_note_state(d, &snap, now);

	fb.now_ns = now;
	fb.belt_speed_mm_s = (int32_t)lrint(snap.st.belt_meas_mm_s);
	fb.incline_centi_pct = (int32_t)lrint(snap.st.incline_meas_centi_pct);
	fb.support_force_n_x10 = (int32_t)lrint(snap.st.support_force_n * 10);
	fb.belt_stopped = snap.st.belt_stopped;
	fb.safe_state = snap.st.safe_state;
	fb.fault_latched = snap.st.latched != 0;
	fb.estop = snap.st.lines & LEVER_DEV_LINE_ESTOP;
	fb.safety_key = snap.st.lines & LEVER_DEV_LINE_SAFETY_KEY;
	fb.max_support_force_n = d->info.max_support_force_mn / 1000.0f;
	sess_tick(d->sess, &fb, &t);

	/* pendant adjustments hold until the next explicit start */
	if (t.generation != d->adj_generation) {
		d->adj_generation = t.generation;
		d->speed_offset_mm_s = 0;
		d->bw_offset_x100 = 0;
	}
	if (t.run == SESS_RUN) {
		t.belt_speed_mm_s += d->speed_offset_mm_s;
		if (t.belt_speed_mm_s < 0)
			t.belt_speed_mm_s = 0;
		t.bw_carried_pct_x100 += d->bw_offset_x100;
		if (t.bw_carried_pct_x100 < 0)
			t.bw_carried_pct_x100 = 0;
		if (t.bw_carried_pct_x100 > 10000)
			t.bw_carried_pct_x100 = 10000;
	}
	if (memcmp(&t, &d->last_posted, sizeof(t)) ||
	    now - d->last_post_ns >= 100000000ull) {
		m.targets = t;
		if (rt_post(d->rt, &m) == 0) {
			d->last_posted = t;
			d->last_post_ns = now;
		}
	}

	sum = sess_take_summary(d->sess);
	if (sum)
		ctl_broadcast(d->ctl, json_pack("{s:i, s:s, s:o}", "v",
						CTL_PROTOCOL_VERSION, "event",
						"session_end", "summary", sum));
	if (ctl_watch_interval(d->ctl)) {
		st = d_status(d, now);
		if (st) {
			ctl_watch_tick(d->ctl, now / 1000000, st);
			json_decref(st);
		}
	}
}

static void d_gpio(struct leverd *d)
{
	struct lever_gpio_event ev;
	struct rt_msg m = { .type = RT_MSG_EXTERNAL };
	int v0 = 0, v1 = 0;

	while (lever_gpio_read_event(d->gpio, &ev) == 0)
		;
	lever_gpio_get_value(d->gpio, 0, &v0);
	lever_gpio_get_value(d->gpio, 1, &v1);
	d->gpio_lines = (v0 ? LEVER_DEV_LINE_ESTOP : 0) |
			(v1 ? LEVER_DEV_LINE_SAFETY_KEY : 0);
	m.lines = d->gpio_lines;
	rt_post(d->rt, &m);
	logmsg("gpio: e-stop %s, safety key %s", v0 ? "active" : "released",
	       v1 ? "pulled" : "in");
}

static void d_keys(struct leverd *d, uint64_t now)
{
	struct lever_keys_event ev;
	int a;

	while (lever_keys_read_event(d->keys, &ev) == 0) {
		if (ev.value != 1)
			continue;
		for (a = 0; a < KEY_ACT_COUNT; a++)
			if (d->keycode[a] == (int)ev.code)
				d_key_action(d, a, now);
	}
}

static int d_parse_keymap(struct leverd *d, char *err, size_t len)
{
	char buf[CFG_STR_MAX], *tok, *save, *eq;
	int a, code;

	for (a = 0; a < KEY_ACT_COUNT; a++)
		d->keycode[a] = -1;
	strcpy(buf, d->cfg.keymap);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			goto bad;
		*eq = '\0';
		for (a = 0; a < KEY_ACT_COUNT; a++)
			if (!strcmp(tok, key_action_names[a]))
				break;
		code = libevdev_event_code_from_name(EV_KEY, eq + 1);
		if (a == KEY_ACT_COUNT || code < 0)
			goto bad;
		d->keycode[a] = code;
	}
	return 0;
bad:
	snprintf(err, len,
		 "keymap: '%s' is not action=KEY_NAME (actions: stop, pause, pain, speed_up, speed_down, support_up, support_down)",
		 tok);
	return -EINVAL;
}

static int d_open_transport(struct leverd *d, char *err, size_t len)
{
	char spec[CFG_STR_MAX + 64];
	double sf = d->cfg.speed_factor;
	int ret;

	d->sim = !strncmp(d->cfg.transport, "sim:", 4);
	if (d->sim && !strcmp(d->cfg.transport, "sim:")) {
		if (sf > 0 && (sf < 1 || sf != floor(sf))) {
			snprintf(err, len,
				 "speed_factor = %g: the sim transport runs at 0 (as fast as possible) or a whole multiple of real time",
				 sf);
			return -EINVAL;
		}
		snprintf(spec, sizeof(spec), "sim:seed=%d,speed=%u",
			 d->cfg.seed, (unsigned int)sf);
		d->stepped = sf == 0;
	} else {
		snprintf(spec, sizeof(spec), "%s", d->cfg.transport);
		d->stepped = d->sim && (strstr(spec, "speed=0") ||
					!strstr(spec, "speed="));
	}
	ret = lever_dev_open(spec, &d->dev);
	if (ret) {
		snprintf(err, len, "cannot open transport %s: %s%s", spec,
			 strerror(-ret), ret == -EACCES ?
			 " (run as root or as a member of group lever)" :
			 ret == -ENOENT && !d->sim ?
			 " (is lever.ko loaded and the board plugged in?)" :
			 "");
		return ret;
	}
	ret = lever_dev_info(d->dev, &d->info);
	if (!ret && d->info.board_watchdog_ms > (uint32_t)d->cfg.board_watchdog_ms) {
		/* a board that waits longer than we allow is not safe here */
		snprintf(err, len,
			 "the board's command watchdog is %u ms, longer than board_watchdog_ms = %d; set the board's watchdog or raise the item (20..1000 ms)",
			 d->info.board_watchdog_ms, d->cfg.board_watchdog_ms);
		return -EINVAL;
	}
	if (!ret && d->info.sample_rate_hz &&
	    1000000 / d->info.sample_rate_hz != (uint32_t)d->cfg.period_us) {
		/* one cycle per sample: the board's rate sets the period */
		uint32_t p = 1000000 / d->info.sample_rate_hz;

		if (p < 250 || p > 10000) {
			snprintf(err, len,
				 "the board samples at %u Hz; leverd runs 100..4000 Hz",
				 d->info.sample_rate_hz);
			return -EINVAL;
		}
		logmsg("period %u us, from the board's %u Hz (period_us was %d)",
		       p, d->info.sample_rate_hz, d->cfg.period_us);
		d->cfg.period_us = (int)p;
	}
	if (!ret)
		ret = lever_dev_set_watchdog(d->dev, d->cfg.kernel_watchdog_ms);
	if (ret) {
		snprintf(err, len, "%s: %s", spec, strerror(-ret));
		return ret;
	}
	return 0;
}

static void d_watchers(struct leverd *d)
{
	const char *names[2] = { d->cfg.gpio_estop_line,
				 d->cfg.gpio_key_line };
	int ret;

	ret = lever_gpio_watch(d->cfg.gpio_chip, names, 2, "leverd",
			       &d->gpio);
	if (ret) {
		d->gpio = NULL;
		logmsg("no GPIO safety lines (chip '%s': %s); the board's own lines still count",
		       d->cfg.gpio_chip, strerror(-ret));
	} else {
		d_gpio(d);
	}
	if (d->cfg.input_device[0]) {
		ret = lever_keys_watch(d->cfg.input_device, &d->keys);
		if (ret) {
			d->keys = NULL;
			logmsg("no pendant keys (%s: %s)",
			       d->cfg.input_device, strerror(-ret));
		}
	}
}

static int d_signals(struct leverd *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sig_fd < 0 ? -errno : 0;
}

static void d_poll_once(struct leverd *d, int timeout_ms)
{
	struct pollfd fds[CTL_MAX_CLIENTS + 8];
	int n = 0, base, got, i;
	struct signalfd_siginfo si;
	uint64_t ticks;

	fds[n].fd = d->sig_fd;
	fds[n++].events = POLLIN;
	fds[n].fd = d->timer_fd;
	fds[n++].events = POLLIN;
	fds[n].fd = d->gpio ? lever_gpio_fd(d->gpio) : -1;
	fds[n++].events = POLLIN;
	fds[n].fd = d->keys ? lever_keys_fd(d->keys) : -1;
	fds[n++].events = POLLIN;
	base = n;
	n += ctl_pollfds(d->ctl, fds + n, CTL_MAX_CLIENTS + 8 - n);
	for (i = 0; i < n; i++)
		fds[i].revents = 0;
	got = poll(fds, n, timeout_ms);
	if (got <= 0)
		return;
	if (fds[0].revents &&
	    read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		char cause[32];

		logmsg("signal %u: stopping", si.ssi_signo);
		snprintf(cause, sizeof(cause), "signal %s",
			 si.ssi_signo == SIGINT ? "SIGINT" :
			 si.ssi_signo == SIGTERM ? "SIGTERM" :
			 si.ssi_signo == SIGHUP ? "SIGHUP" : "?");
		sess_event(d->sess, d_now(d), "stop", cause,
			   "leverd exits; the device's gate stops the belt");
		d->quit = true;
	}
	if (fds[1].revents && read(d->timer_fd, &ticks, sizeof(ticks)) > 0)
		d_tick(d);
	if (fds[2].revents)
		d_gpio(d);
	if (fds[3].revents)
		d_keys(d, d_now(d));
	ctl_handle(d->ctl, fds + base, n - base);
}

int main(int argc, char **argv)
{
	struct itimerspec its = { { 0, TICK_MS * 1000000 },
				  { 0, TICK_MS * 1000000 } };
	struct leverd d;
	char err[512];
	uint64_t end_ns = 0;
	int ret, i, per_tick;

	memset(&d, 0, sizeof(d));
	d.trace_hash = FNV_OFFSET;
	ret = cfg_load(&d.cfg, argc, argv, stdout, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		return 2;
	}
	if (d_parse_keymap(&d, err, sizeof(err))) {
		fprintf(stderr, "leverd: %s\n", err);
		return 2;
	}
	if (d_signals(&d)) {
		perror("leverd: signalfd");
		return 1;
	}
	ret = d_open_transport(&d, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		return 1;
	}
	ret = rt_new(&d.cfg, d.dev, d.stepped, &d.rt);
	if (ret) {
		fprintf(stderr, "leverd: control loop: %s\n", strerror(-ret));
		goto out_dev;
	}
	if (!d.stepped) {
		/* SCHED_FIFO allowed? then lock memory, then the thread */
		ret = rt_clamp_priority(d.cfg.rt_priority, err, sizeof(err));
		if (ret < 0 && !d.sim) {
			fprintf(stderr, "leverd: %s\n", err);
			goto out_rt;
		}
		if (mlockall(MCL_CURRENT | MCL_FUTURE) && !d.sim) {
			fprintf(stderr, "leverd: mlockall: %s (needs root or CAP_IPC_LOCK)\n",
				strerror(errno));
			ret = -errno;
			goto out_rt;
		}
		ret = rt_start(d.rt, err, sizeof(err));
		if (ret && !d.sim) {
			fprintf(stderr, "leverd: %s\n", err);
			goto out_rt;
		}
		if (ret) {
			/* sim only: the plant does not need hard real time */
			logmsg("%s; the sim runs without SCHED_FIFO", err);
			d.cfg.rt_priority = 1;
		}
	}
	ret = sess_open(&d.sess, d.cfg.plans_dir, d.cfg.state_dir);
	if (ret) {
		fprintf(stderr, "leverd: sessions (plans %s, records %s): %s\n",
			d.cfg.plans_dir, d.cfg.state_dir, strerror(-ret));
		goto out_rt;
	}
	ret = ctl_open(d.cfg.socket, d_request, &d, &d.ctl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "leverd: %s\n", err);
		goto out_sess;
	}
	/* without a recorder the sessions and events are still recorded */
	ret = rec_new(d.cfg.state_dir, REC_RING_RECORDS, &d.rec);
	if (!ret)
		ret = rec_start(d.rec, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", strerror(-ret));
	if (ret) {
		logmsg("no session traces (recorder: %s)", err);
		rec_free(d.rec);
		d.rec = NULL;
	}
	if (d.cfg.trace[0]) {
		d.trace = fopen(d.cfg.trace, "w");
		if (!d.trace)
			logmsg("trace %s: %s", d.cfg.trace, strerror(errno));
	}
	d_watchers(&d);
	d.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
				    TFD_CLOEXEC);
	if (!d.stepped)
		timerfd_settime(d.timer_fd, 0, &its, NULL);
	logmsg("running on %s (%s), control socket %s", d.info.node,
	       d.stepped ? "virtual time, as fast as possible" :
	       rt_priority(d.rt) ? "SCHED_FIFO" : "not real-time",
	       d.cfg.socket);

	if (d.sim && d.cfg.sim_duration_s > 0)
		end_ns = (uint64_t)(d.cfg.sim_duration_s * 1e9);
	per_tick = TICK_MS * 1000 / d.cfg.period_us;
	while (!d.quit) {
		if (d.stepped) {
			/* virtual time: cycles, then one event-loop tick */
			for (i = 0; i < per_tick; i++)
				rt_cycle(d.rt);
			d_tick(&d);
			d_poll_once(&d, 0);
		} else {
			d_poll_once(&d, 100);
		}
		if (end_ns && d_now(&d) >= end_ns)
			d.quit = true;
	}
	rt_stop(d.rt);
	d_record(&d);
	rec_free(d.rec);	/* writes what it has */
	{
		struct rt_snapshot snap;

		rt_snapshot(d.rt, &snap);
		printf("leverd: trace hash %016llx over %llu cycles (%.3f s %s), overruns %llu, late wake-ups %llu\n",
		       (unsigned long long)d.trace_hash,
		       (unsigned long long)d.trace_records,
		       snap.st.now_ns / 1e9,
		       d.sim ? "simulated" : "monotonic clock",
		       (unsigned long long)snap.overruns,
		       (unsigned long long)snap.late_wakeups);
		if (!d.stepped)
			printf("leverd: wake-up latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
			       rt_latency_quantile_us(d.rt, 0.5),
			       rt_latency_quantile_us(d.rt, 0.99),
			       rt_latency_quantile_us(d.rt, 1.0));
		fflush(stdout);
	}
	ret = 0;
	if (d.trace)
		fclose(d.trace);
	lever_keys_close(d.keys);
	lever_gpio_close(d.gpio);
	close(d.timer_fd);
	ctl_close(d.ctl);
out_sess:
	sess_close(d.sess);
out_rt:
	rt_free(d.rt);
out_dev:
	/* closing an armed handle makes the gate stop the belt */
	lever_dev_close(d.dev);
	return ret ? 1 : 0;
}
