// SPDX-License-Identifier: MIT
/*
 * dmn.c - what leverd's event loop does: each tick it drains the RT
 * side's records and events, records what happened, advances the session
 * and posts its targets; it answers control requests and acts on keys.
 * It never commands the device (only the RT thread does) and never
 * blocks on anything but its own database commits.
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmn.h"
#include "session/sess_export.h"
#include "store/store.h"

static const enum pendant_key pendant_keys[KEY_ACT_COUNT] = {
	[KEY_ACT_SPEED_UP] = PENDANT_SPEED_UP,
	[KEY_ACT_SPEED_DOWN] = PENDANT_SPEED_DOWN,
	[KEY_ACT_SUPPORT_UP] = PENDANT_SUPPORT_UP,
	[KEY_ACT_SUPPORT_DOWN] = PENDANT_SUPPORT_DOWN,
};

static const char *const key_action_names[KEY_ACT_COUNT] = {
	"stop", "pause", "pain", "speed_up", "speed_down", "support_up",
	"support_down",
};

static FILE *dmn_log;
static bool dmn_log_set;

void dmn_log_to(FILE *f)
{
	dmn_log = f;
	dmn_log_set = true;
}

void dmn_logmsg(const char *fmt, ...)
{
	FILE *out = dmn_log_set ? dmn_log : stderr;
	va_list ap;

	if (!out)
		return;
	va_start(ap, fmt);
	fputs("leverd: ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t dmn_now(struct leverd *d)
{
	if (!d->sim)
		return mono_ns();
	return rt_snapshot_now_ns(d->rt);
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
	mg = snap.st.mass_kg * LEVERD_G_M_S2;
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
	    (d->pendant.speed_offset_mm_s || d->pendant.bw_offset_x100))
		json_object_set_new(st, "pendant", json_pack(
			"{s:f, s:f}", "belt_speed_km_h",
			d->pendant.speed_offset_mm_s * 3.6 / 1000, "bw_pct",
			d->pendant.bw_offset_x100 / 100.0));
	json_object_set_new(st, "faults", faults);
	json_object_set_new(st, "estop", json_boolean(
		(snap.st.lines & LEVER_DEV_LINE_ESTOP) ||
		(snap.st.latched & SUP_F_ESTOP)));
	json_object_set_new(st, "link", json_string(snap.link_lost ? "lost" :
								  "ok"));
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
					     d->ctl ? ctl_peer_uid(d->ctl) : -1))
		dmn_logmsg("session #%lld: board and operator not recorded",
			   (long long)id);
}

static void d_rt_events(struct leverd *d, uint64_t now);

/* Posts a reset to the RT side and waits for its answer (at most 3 s). */
static int d_rt_reset(struct leverd *d, const struct rt_msg *m)
{
	struct timespec tick = { 0, TICK_MS * 1000000L };
	int i, k;

	d->reset_result = 1;		/* pending */
	if (rt_post(d->rt, m))
		return -EAGAIN;
	for (i = 0; i < 300 && d->reset_result == 1; i++) {
		if (d->stepped)
			for (k = 0; k < TICK_MS * 1000 / d->cfg.period_us; k++)
				rt_cycle(d->rt);
		else
			nanosleep(&tick, NULL);
		d_rt_events(d, dmn_now(d));
	}
	return d->reset_result == 1 ? -ETIMEDOUT : d->reset_result;
}

/*
 * leverd's requests, one handler each; the table below is built from the
 * protocol's list of commands (include/lever_ctl.h), which gives each its
 * right, so no command is served without one.
 */
typedef int d_cmd_fn(struct leverd *d, const char *cmd, const json_t *args,
		     bool may_command, uint64_t now, json_t **result,
		     char *msg, size_t len);

static int d_cmd_hello(struct leverd *d, const char *cmd, const json_t *args,
		       bool may_command, uint64_t now, json_t **result,
		       char *msg, size_t len)
{
	*result = json_pack("{s:s, s:s, s:[i], s:s, s:b, s:i}",
			    "daemon", "leverd", "version", "0.1",
			    "protocol", LEVER_CTL_PROTOCOL_VERSION,
			    "transport", d->info.node, "sim", d->sim,
			    "rt_priority", rt_priority(d->rt));
	return *result ? 0 : -ENOMEM;
}

static int d_cmd_status(struct leverd *d, const char *cmd, const json_t *args,
			bool may_command, uint64_t now, json_t **result,
			char *msg, size_t len)
{
	*result = d_status(d, now);
	return *result ? 0 : -ENOMEM;
}

/* The control socket answers "watch" itself (ctl.c); it never gets here. */
static int d_cmd_watch(struct leverd *d, const char *cmd, const json_t *args,
		       bool may_command, uint64_t now, json_t **result,
		       char *msg, size_t len)
{
	*result = NULL;
	snprintf(msg, len, "unknown command '%.32s'", cmd);
	return -ENOSYS;
}

/* The session's requests: the session answers them (sess_request). */
static int d_sess(struct leverd *d, const char *cmd, const json_t *args,
		  bool may_command, uint64_t now, json_t **result,
		  char *msg, size_t len)
{
	return sess_request(d->sess, cmd, args, may_command, now, result, msg,
			    len);
}

#define d_cmd_pause		d_sess
#define d_cmd_resume		d_sess
#define d_cmd_stop		d_sess
#define d_cmd_skip		d_sess
#define d_cmd_pain		d_sess
#define d_cmd_plans		d_sess
#define d_cmd_show		d_sess
#define d_cmd_next		d_sess
#define d_cmd_athlete_add	d_sess
#define d_cmd_athlete_list	d_sess
#define d_cmd_athlete_show	d_sess
#define d_cmd_athlete_set_mass	d_sess
#define d_cmd_athlete_weigh	d_sess
#define d_cmd_athlete_rename	d_sess
#define d_cmd_athlete_anonymise	d_sess
#define d_cmd_athlete_remove	d_sess

static int d_cmd_start(struct leverd *d, const char *cmd, const json_t *args,
		       bool may_command, uint64_t now, json_t **result,
		       char *msg, size_t len)
{
	int ret;

	ret = d_sess(d, cmd, args, may_command, now, result, msg, len);
	if (!ret)
		d_note_unit(d, *result);
	return ret;
}

static int d_cmd_reset(struct leverd *d, const char *cmd, const json_t *args,
		       bool may_command, uint64_t now, json_t **result,
		       char *msg, size_t len)
{
	struct rt_snapshot snap;
	struct rt_msg m = { .type = RT_MSG_RESET };
	int ret;

	rt_snapshot(d->rt, &snap);
	if (snap.link_lost) {
		snprintf(msg, len,
			 "the board is not connected; plug it in (leverd finds it again by itself), then reset");
		return -ENODEV;
	}
	/* as the board does: no reset while the belt still moves */
	if (snap.st.safe_state &&
	    fabs(snap.st.belt_meas_mm_s) >= BELT_MOVING_MM_S) {
		snprintf(msg, len,
			 "the belt is still stopping; reset once it stands still");
		return -EBUSY;
	}
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
	if (ret)
		return ret;
	/*
	 * The answer waits for the control loop: a start right after
	 * a reset must find the faults cleared, or refused with why.
	 */
	ret = d_rt_reset(d, &m);
	if (ret) {
		snprintf(msg, len,
			 "the control loop refused the reset (%s); wait until the belt stands still and the lines are released, then reset again",
			 strerror(-ret));
		sess_fault(d->sess, dmn_now(d), "reset refused");
		json_decref(*result);
		*result = NULL;
		return ret;
	}
	dmn_tick(d);	/* the session sees the cleared state */
	return 0;
}

/* The records, read on the event loop's own connection. */
static int d_cmd_events(struct leverd *d, const char *cmd, const json_t *args,
			bool may_command, uint64_t now, json_t **result,
			char *msg, size_t len)
{
	return rec_events(sess_store(d->sess), args, result, msg, len);
}

static int d_cmd_trace(struct leverd *d, const char *cmd, const json_t *args,
		       bool may_command, uint64_t now, json_t **result,
		       char *msg, size_t len)
{
	return rec_trace(sess_store(d->sess), args, result, msg, len);
}

static int d_cmd_export(struct leverd *d, const char *cmd, const json_t *args,
			bool may_command, uint64_t now, json_t **result,
			char *msg, size_t len)
{
	return sess_export(sess_store(d->sess), args, result, msg, len);
}

static const struct d_cmd {
	const char *name;
	bool needs_command;	/* root or group lever */
	d_cmd_fn *handler;
} d_cmds[] = {
#define D_CMD(name, needs_command) { #name, needs_command, d_cmd_##name },
	LEVER_CTL_COMMANDS(D_CMD)
#undef D_CMD
};

int dmn_request(void *ctx, const char *cmd, const json_t *args,
		     bool may_command, json_t **result, char *msg,
		     size_t len)
{
	struct leverd *d = ctx;
	const struct d_cmd *c;

	for (c = d_cmds; c < d_cmds + sizeof(d_cmds) / sizeof(d_cmds[0]); c++)
		if (!strcmp(cmd, c->name))
			break;
	if (c == d_cmds + sizeof(d_cmds) / sizeof(d_cmds[0])) {
		*result = NULL;
		snprintf(msg, len, "unknown command '%.32s'", cmd);
		return -ENOSYS;
	}
	if (c->needs_command && !may_command) {
		snprintf(msg, len,
			 "'%s' needs root or membership of the group lever",
			 cmd);
		return -EPERM;
	}
	return c->handler(d, cmd, args, may_command, dmn_now(d), result, msg,
			  len);
}

static void d_sess_simple(struct leverd *d, const char *cmd, uint64_t now)
{
	json_t *r = NULL;
	char msg[256];

	if (sess_request_from(d->sess, "key", cmd, NULL, true, now, &r, msg,
			      sizeof(msg)))
		dmn_logmsg("key %s: %s", cmd, msg);
	json_decref(r);
}

void dmn_key_action(struct leverd *d, enum key_action a, uint64_t now)
{
	struct rt_msg m = { .type = RT_MSG_EXTERNAL };

	dmn_logmsg("key: %s", key_action_names[a]);
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
	case KEY_ACT_SPEED_DOWN:
	case KEY_ACT_SUPPORT_UP:
	case KEY_ACT_SUPPORT_DOWN:
		if (pendant_key(&d->pendant, pendant_keys[a]))
			dmn_logmsg("key: %s refused, at its bound",
				   key_action_names[a]);
		break;
	default:
		break;
	}
}

/* the supervisor's fault bits, 0 to SUP_F_COUNT - 1 */
#define SUP_F_ALL	(SUP_F_COUNT < 32 ? (1u << SUP_F_COUNT) - 1 : ~0u)

/*
 * Each supervisor fault cause is recorded once as it appears (the stop and
 * pain keys are recorded by the session as what they are). A cause gone
 * for FAULT_FORGET_NS is recorded again when it comes back.
 */
/* Inline: every tick, for a bit or two already noted. */
static inline __attribute__((always_inline)) void
d_note_faults(struct leverd *d, uint32_t bits, uint64_t now, const char *how)
{
	/* every tick: only the bits set are looked at, lowest first */
	uint32_t todo = bits & SUP_F_ALL & ~KEY_STOP_BITS;
	unsigned int i;

	for (; todo; todo &= todo - 1) {
		uint32_t bit;

		i = (unsigned int)__builtin_ctz(todo);
		bit = 1u << i;
		d->fault_seen_ns[i] = now;
		if (d->faults_noted & bit)
			continue;
		d->faults_noted |= bit;
		sess_event(d->sess, now, "fault", sup_fault_name(bit), how);
	}
}

/* The event d_note_line() decided on, with its words. */
static __attribute__((noinline)) void
d_say_line(struct leverd *d, struct d_line_note *ln, bool active,
	   uint64_t now, const char *kind, const char *on, const char *off)
{
	char detail[64];

	if (ln->held > 1)
		snprintf(detail, sizeof(detail),
			 "%u edges since the last %s event", ln->held, kind);
	sess_event(d->sess, now, kind, active ? on : off,
		   ln->held > 1 ? detail : NULL);
	ln->last_ns = now;
	ln->held = 0;
}

/*
 * Records a safety line's edge at once, then at most one event a second:
 * each event is a synchronous commit in the event loop, and a chattering
 * contact would cost one every tick. Edges in between are counted into
 * the next event, which gives the line's state by then. The line's
 * effect on the loop does not wait for any of this. Inline, twice every
 * tick: nearly always there is nothing to say, and then no call.
 */
static inline void d_note_line(struct leverd *d, struct d_line_note *ln,
			       bool edge, bool active, uint64_t now,
			       const char *kind, const char *on,
			       const char *off)
{
	if (edge)
		ln->held++;
	if (!ln->held ||
	    (ln->last_ns && now < ln->last_ns + LINE_EVENT_MIN_NS))
		return;
	d_say_line(d, ln, active, now, kind, on, off);
}

/* Faults seen in the snapshot (also idle, also in the safe state). */
static void d_note_state(struct leverd *d, const struct rt_snapshot *snap,
			 uint64_t now)
{
	unsigned int lines = snap->st.lines, edges, i;
	uint32_t bits = snap->st.faults | snap->st.latched, todo;
	char how[64];

	/* every tick: the words only when a fault is to be recorded */
	how[0] = '\0';		/* read as a string only: not all 64 zeroed */
	if (bits & ~(d->faults_noted | KEY_STOP_BITS))
		snprintf(how, sizeof(how), "seen in mode %s",
			 loop_mode_name(snap->st.mode));
	d_note_faults(d, bits, now, how);
	/* the RT events drained after the snapshot may be newer than now */
	todo = d->faults_noted & ~snap->st.latched & SUP_F_ALL;
	for (; todo; todo &= todo - 1) {
		i = (unsigned int)__builtin_ctz(todo);
		if (now >= d->fault_seen_ns[i] + FAULT_FORGET_NS)
			d->faults_noted &= ~(1u << i);
	}

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
			dmn_logmsg("safe state at %.3f s: %s", ev.now_ns / 1e9,
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
					dmn_key_action(d, btn_act[i], now);
			break;
		case RT_EV_RESET_DEVICE:
			/*
			 * The RT thread lent us the device for its reset,
			 * which may wait on the board: here, not there. The
			 * safety inputs have a thread of their own (sin.c).
			 */
			rt_reset_device(d->rt);
			break;
		case RT_EV_RESET:
			d->reset_result = ev.err;
			dmn_logmsg("reset: %s", ev.err ? strerror(-ev.err) :
						     "done");
			if (ev.err)
				sess_event(d->sess, ev.now_ns, "reset",
					   "refused by the control loop",
					   strerror(-ev.err));
			break;
		case RT_EV_IO:
			dmn_logmsg("device error: %s", strerror(-ev.err));
			break;
		case RT_EV_SIM_FAULT:
			dmn_logmsg("sim: fault %u %s at %.3f s", ev.bits,
			       ev.err ? "on" : "off", ev.now_ns / 1e9);
			break;
		case RT_EV_START_REFUSED:
			/*
			 * The session was accepted but the control loop will
			 * not move: say so and end it, never let it run its
			 * clock on a belt that stands still.
			 */
			n = 0;
			cause[0] = '\0';
			for (i = 0; i < SUP_F_COUNT; i++)
				if (ev.bits & (1u << i))
					n += snprintf(cause + n,
						      sizeof(cause) - n,
						      "%s%s", n ? "," : "",
						      sup_fault_name(1u << i));
			dmn_logmsg("start refused by the control loop: %s", cause);
			sess_fault(d->sess, now, cause);
			break;
		case RT_EV_LINK:
			/* the stop itself comes as the link-lost fault */
			dmn_logmsg("board %s", ev.bits ? "lost" : "back");
			sess_event(d->sess, ev.now_ns, "link",
				   ev.bits ? "lost" : "back",
				   ev.bits ? strerror(-ev.err) :
				   "reopened; nothing moves until a reset and a new start");
			break;
		}
	}
}

/*
 * The replay hash of one cycle's record, a 64-bit word to a round: the
 * word xor-ed in and multiplied by an odd constant (a bijection of the
 * hash for a given word, so two runs whose records differ in one word
 * of one cycle always hash apart), the high half folded into the low so
 * that a change in a high bit also moves the low bits of later rounds.
 * FNV-1a a byte to a round was 160 instructions per cycle (the record is
 * 56 bytes), a sixth of the event loop's share of the deterministic
 * mode; this is about 30. Only its values differ from FNV's: the records
 * hashed are the same.
 */
static uint64_t trace_hash(uint64_t h, const struct rt_trace *tr)
{
	const unsigned char *p = (const unsigned char *)tr;
	uint64_t w;
	size_t i;

	_Static_assert(sizeof(*tr) % sizeof(uint64_t) == 0,
		       "the record is hashed in whole words");
	/*
	 * The ring's record, zeroed whole: no padding undefined. Unrolled,
	 * each word loaded straight from it: no loop counter, and no copy
	 * of the whole record first (seven loads and stores more).
	 */
#pragma GCC unroll 8
	for (i = 0; i < sizeof(*tr) / sizeof(w); i++) {
		memcpy(&w, p + i * sizeof(w), sizeof(w));
		h = (h ^ w) * TRACE_HASH_MUL;
		h ^= h >> 32;
	}
	return h;
}

/*
 * The RT ring is drained here, in the event loop, for the replay hash and
 * the CSV; the records of a session in progress go on to the recorder.
 */
/*
 * d_record()'s batch of @n records when any is forwarded to the recorder
 * (@fwd, in @mode) or written to the CSV: each in turn, as it is hashed.
 */
static uint64_t d_record_each(struct leverd *d, const struct rt_trace *batch,
			      unsigned int n, uint32_t mode, bool fwd,
			      FILE *csv, uint64_t hash)
{
	const struct rt_trace *tr;
	unsigned int i;

	for (i = 0; i < n; i++) {
		tr = &batch[i];
		if (fwd)
			rec_sample(d->rec, tr, mode, d->stepped);
		hash = trace_hash(hash, tr);
		if (csv)
			fprintf(csv, "%llu,%u,%d,%u,%d,%u,%d,%d,%#x\n",
				(unsigned long long)tr->now_ns,
				tr->seq, tr->support_force_mn,
				tr->support_pressure_pa,
				tr->belt_speed_mm_s,
				tr->cmd.support_pressure_pa,
				tr->cmd.belt_speed_mm_s,
				tr->cmd.incline_centi_pct, tr->faults);
	}
	return hash;
}

/*
 * @cur: the RT side's snapshot if the caller has just taken it (nothing
 * can have run since), or NULL.
 */
static void d_record(struct leverd *d, const struct rt_snapshot *cur)
{
	struct rt_snapshot own;
	/* a tick's records (ten at 1 ms), read where the RT side wrote them */
	const struct rt_trace *batch;
	uint64_t t0 = 0, lost = 0;
	int64_t sid = 0;
	bool fwd = false;
	uint32_t mode = 0;
	uint64_t hash = d->trace_hash, records = d->trace_records;
	FILE *csv = d->trace;
	unsigned int n, i;

	if (d->rec) {
		if (!cur) {
			rt_snapshot(d->rt, &own);
			cur = &own;
		}
		mode = cur->st.mode;
		sess_recording(d->sess, d->sim ? cur->st.now_ns : mono_ns(),
			       &sid, &t0);
		if (sid == d->rec_sid || !rec_session(d->rec, sid, t0))
			d->rec_sid = sid;
		/* until the recorder knows the session, its records are lost */
		fwd = sid && sid == d->rec_sid;
	}
	while ((n = rt_peek_traces(d->rt, &batch, 16))) {
		/* a batch at a time: the tests below are the same for all */
		if (!fwd && sid)
			lost += n;
		if (!fwd && !csv) {
			/* nothing to forward or write: the hash alone */
			for (i = 0; i < n; i++)
				hash = trace_hash(hash, &batch[i]);
		} else {
			hash = d_record_each(d, batch, n, mode, fwd, csv,
					     hash);
		}
		rt_release_traces(d->rt, n);
		records += n;
	}
	/* kept in registers above, not stored a record at a time */
	d->trace_hash = hash;
	d->trace_records = records;
	if (lost)
		rec_count_dropped(d->rec, lost);
}

void dmn_record(struct leverd *d)
{
	d_record(d, NULL);
}

void dmn_tick(struct leverd *d)
{
	struct rt_snapshot own;
	const struct rt_snapshot *snap;
	struct sess_feedback fb = { 0 };
	struct sess_targets t;
	uint64_t now, wall_ms;
	json_t *sum, *st;

	if (d->stepped) {
		/*
		 * No cycle runs in this tick: one snapshot, lent in place,
		 * serves the recorder and all below.
		 */
		snap = rt_snapshot_stepped(d->rt);
		d_record(d, snap);
	} else {
		d_record(d, NULL);
		rt_snapshot(d->rt, &own);
		snap = &own;
	}
	now = d->sim ? snap->st.now_ns : mono_ns();
	d_rt_events(d, now);
	d_note_state(d, snap, now);

	fb.now_ns = now;
	fb.belt_speed_mm_s = (int32_t)lrint(snap->st.belt_meas_mm_s);
	fb.incline_centi_pct = (int32_t)lrint(snap->st.incline_meas_centi_pct);
	fb.support_force_n_x10 = (int32_t)lrint(snap->st.support_force_n * 10);
	fb.belt_stopped = snap->st.belt_stopped;
	fb.safe_state = snap->st.safe_state;
	fb.fault_latched = snap->st.latched != 0;
	fb.estop = snap->st.lines & LEVER_DEV_LINE_ESTOP;
	fb.safety_key = snap->st.lines & LEVER_DEV_LINE_SAFETY_KEY;
	fb.max_support_force_n = d->info.max_support_force_mn / 1000.0f;
	sess_tick(d->sess, &fb, &t);

	/* pendant adjustments hold until the next explicit start */
	pendant_apply(&d->pendant, &t, (int32_t)(d->cfg.max_belt_speed_km_h /
						  3.6 * 1000));
	if (memcmp(&t, &d->last_posted, sizeof(t)) ||
	    now - d->last_post_ns >= 100000000ull) {
		/* made only when posted, not every tick */
		struct rt_msg m = { .type = RT_MSG_TARGETS };

		m.targets = t;
		if (rt_post(d->rt, &m) == 0) {
			d->last_posted = t;
			d->last_post_ns = now;
		}
	}

	sum = sess_take_summary(d->sess);
	if (sum && !d->ctl)
		json_decref(sum);
	else if (sum)
		ctl_broadcast(d->ctl, json_pack("{s:i, s:s, s:o}", "v",
						LEVER_CTL_PROTOCOL_VERSION, "event",
						"session_end", "summary", sum));
	/*
	 * A watcher's interval is the reader's time, the wall clock's, not
	 * the simulation's: in virtual time, at thousands of times real
	 * time, a status every 500 simulated ms was thousands of lines a
	 * second that no one reads, and a twentieth of a simulated plan.
	 */
	if (d->ctl && ctl_watching(d->ctl)) {
		wall_ms = mono_ns() / 1000000;
		if (ctl_watch_due(d->ctl, wall_ms)) {
			st = d_status(d, now);
			if (st) {
				ctl_watch_tick(d->ctl, wall_ms, st);
				json_decref(st);
			}
		}
	}
}

int dmn_parse_keymap(struct leverd *d, char *err, size_t len)
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
