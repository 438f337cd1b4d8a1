// SPDX-License-Identifier: MIT
/*
 * export_fit: a session as a FIT activity file, and a plan session as a
 * FIT workout file (protocol 2.0, written from the FIT protocol
 * description; no FIT SDK code). It names the maker as manufacturer
 * "development" (255): LEVER is no Garmin device and must never claim to
 * be one. Built in memory, CRCs last, then one write.
 */
#include "export.h"
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIT_EPOCH_UNIX_S	631065600	/* 1989-12-31T00:00:00Z */
#define FIT_PROTOCOL_2_0	0x20
#define FIT_PROFILE_VERSION	2132		/* 21.32 */
#define FIT_MANUFACTURER_DEVELOPMENT	255
#define FIT_PRODUCT_LEVER	1

/* base types */
#define FIT_ENUM	0x00
#define FIT_UINT8	0x02
#define FIT_UINT16	0x84
#define FIT_UINT32	0x86
#define FIT_STRING	0x07
#define FIT_FLOAT32	0x88
#define FIT_UINT32Z	0x8c
#define FIT_BYTE	0x0d

/* global message numbers */
enum {
	FIT_FILE_ID = 0, FIT_SESSION = 18, FIT_LAP = 19, FIT_RECORD = 20,
	FIT_EVENT = 21, FIT_DEVICE_INFO = 23, FIT_ACTIVITY = 34,
	FIT_FIELD_DESCRIPTION = 206, FIT_DEVELOPER_DATA_ID = 207,
};

/* local message types: one definition each, written once */
enum {
	L_FILE_ID, L_DEV_ID, L_FIELD_DESC, L_DEVICE_INFO, L_EVENT, L_RECORD,
	L_LAP, L_SESSION, L_ACTIVITY,
};

/* our developer fields (developer data index 0) */
enum { DEV_BW_CARRIED_PCT = 0, DEV_SUPPORT_FORCE_N = 1 };

#define NAME_LEN	24
#define UNITS_LEN	8
#define PRODUCT_LEN	20

struct fit_field {
	uint8_t num, size, base;
};

struct fit_buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct fit_buf *b, const void *src, size_t n)
{
	uint8_t *np;
	size_t cap;

	if (b->err)
		return;
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap * 2 : 65536;
		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void u8(struct fit_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

/* FIT is written little-endian (architecture 0) whatever the host. */
static void u16(struct fit_buf *b, uint16_t v)
{
	uint8_t x[2] = { v & 0xff, v >> 8 };

	put(b, x, 2);
}

static void u32(struct fit_buf *b, uint32_t v)
{
	uint8_t x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
			 v >> 24 };

	put(b, x, 4);
}

static void f32(struct fit_buf *b, float v)
{
	uint32_t bits;

	memcpy(&bits, &v, sizeof(bits));
	u32(b, bits);
}

/* A fixed-size string field: cut to fit, NUL-terminated and padded. */
static void str(struct fit_buf *b, const char *s, size_t size)
{
	char v[64] = { 0 };
	size_t n;

	if (size > sizeof(v))
		size = sizeof(v);
	/* read no more of s than the field holds (gcc -Wstringop-overread) */
	n = strnlen(s, size - 1);
	memcpy(v, s, n);
	put(b, v, size);
}

static void define(struct fit_buf *b, uint8_t local, uint16_t global,
		   const struct fit_field *f, size_t n,
		   const struct fit_field *dev, size_t ndev)
{
	size_t i;

	u8(b, 0x40 | (ndev ? 0x20 : 0) | local);
	u8(b, 0);		/* reserved */
	u8(b, 0);		/* little-endian */
	u16(b, global);
	u8(b, (uint8_t)n);
	for (i = 0; i < n; i++) {
		u8(b, f[i].num);
		u8(b, f[i].size);
		u8(b, f[i].base);
	}
	if (!ndev)
		return;
	u8(b, (uint8_t)ndev);
	for (i = 0; i < ndev; i++) {
		u8(b, dev[i].num);
		u8(b, dev[i].size);
		u8(b, dev[i].base);	/* here: developer data index */
	}
}

#define DEFINE(b, local, global, f) \
	define(b, local, global, f, sizeof(f) / sizeof(f[0]), NULL, 0)

/* CRC-16 (polynomial 0x8005, reflected, initial 0) as FIT asks. */
static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t n)
{
	int bit;

	while (n--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
	}
	return crc;
}

static uint32_t fit_time(const struct export_session *x, uint32_t t_ms)
{
	return (uint32_t)((x->start_wall_ms + t_ms) / 1000 -
			  FIT_EPOCH_UNIX_S);
}

/* FIT serial numbers are numbers: a stable hash of the board's serial. */
static uint32_t serial_number(const char *serial)
{
	uint32_t h = 2166136261u;

	while (*serial)
		h = (h ^ (uint8_t)*serial++) * 16777619u;
	return h ? h : 1;
}

static const struct fit_field file_id_f[] = {
	{ 0, 1, FIT_ENUM },		/* type */
	{ 1, 2, FIT_UINT16 },		/* manufacturer */
	{ 2, 2, FIT_UINT16 },		/* product */
	{ 3, 4, FIT_UINT32Z },		/* serial_number */
	{ 4, 4, FIT_UINT32 },		/* time_created */
	{ 8, PRODUCT_LEN, FIT_STRING },	/* product_name */
};

static const struct fit_field dev_id_f[] = {
	{ 1, 16, FIT_BYTE },		/* application_id */
	{ 2, 2, FIT_UINT16 },		/* manufacturer_id */
	{ 3, 1, FIT_UINT8 },		/* developer_data_index */
	{ 4, 4, FIT_UINT32 },		/* application_version */
};

static const struct fit_field field_desc_f[] = {
	{ 0, 1, FIT_UINT8 },		/* developer_data_index */
	{ 1, 1, FIT_UINT8 },		/* field_definition_number */
	{ 2, 1, FIT_UINT8 },		/* fit_base_type_id */
	{ 3, NAME_LEN, FIT_STRING },	/* field_name */
	{ 8, UNITS_LEN, FIT_STRING },	/* units */
};

static const struct fit_field device_info_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 0, 1, FIT_UINT8 },		/* device_index: 0, the creator */
	{ 2, 2, FIT_UINT16 },		/* manufacturer */
	{ 3, 4, FIT_UINT32Z },		/* serial_number */
	{ 4, 2, FIT_UINT16 },		/* product */
	{ 5, 2, FIT_UINT16 },		/* software_version, x100 */
	{ 19, 32, FIT_STRING },		/* descriptor: the board's serial */
	{ 27, PRODUCT_LEN, FIT_STRING },/* product_name */
};

static const struct fit_field event_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 3, 4, FIT_UINT32 },		/* data: timer trigger, manual */
	{ 0, 1, FIT_ENUM },		/* event: timer */
	{ 1, 1, FIT_ENUM },		/* event_type */
	{ 4, 1, FIT_UINT8 },		/* event_group */
};

static const struct fit_field record_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 5, 4, FIT_UINT32 },		/* distance, 1/100 m */
	{ 73, 4, FIT_UINT32 },		/* enhanced_speed, 1/1000 m/s */
};

static const struct fit_field record_dev_f[] = {
	{ DEV_BW_CARRIED_PCT, 4, 0 },
	{ DEV_SUPPORT_FORCE_N, 4, 0 },
};

static const struct fit_field lap_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 2, 4, FIT_UINT32 },		/* start_time */
	{ 7, 4, FIT_UINT32 },		/* total_elapsed_time, ms */
	{ 8, 4, FIT_UINT32 },		/* total_timer_time, ms */
	{ 9, 4, FIT_UINT32 },		/* total_distance, 1/100 m */
	{ 110, 4, FIT_UINT32 },		/* enhanced_avg_speed */
	{ 111, 4, FIT_UINT32 },		/* enhanced_max_speed */
	{ 254, 2, FIT_UINT16 },		/* message_index */
	{ 71, 2, FIT_UINT16 },		/* wkt_step_index */
	{ 0, 1, FIT_ENUM },		/* event: lap */
	{ 1, 1, FIT_ENUM },		/* event_type: stop */
	{ 23, 1, FIT_ENUM },		/* intensity */
	{ 24, 1, FIT_ENUM },		/* lap_trigger */
	{ 25, 1, FIT_ENUM },		/* sport */
	{ 39, 1, FIT_ENUM },		/* sub_sport */
};

static const struct fit_field lap_dev_f[] = {
	{ DEV_BW_CARRIED_PCT, 4, 0 },
	{ DEV_SUPPORT_FORCE_N, 4, 0 },
};

static const struct fit_field session_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 2, 4, FIT_UINT32 },		/* start_time */
	{ 7, 4, FIT_UINT32 },		/* total_elapsed_time */
	{ 8, 4, FIT_UINT32 },		/* total_timer_time */
	{ 9, 4, FIT_UINT32 },		/* total_distance */
	{ 124, 4, FIT_UINT32 },		/* enhanced_avg_speed */
	{ 125, 4, FIT_UINT32 },		/* enhanced_max_speed */
	{ 254, 2, FIT_UINT16 },		/* message_index */
	{ 25, 2, FIT_UINT16 },		/* first_lap_index */
	{ 26, 2, FIT_UINT16 },		/* num_laps */
	{ 0, 1, FIT_ENUM },		/* event: session */
	{ 1, 1, FIT_ENUM },		/* event_type: stop */
	{ 5, 1, FIT_ENUM },		/* sport: running */
	{ 6, 1, FIT_ENUM },		/* sub_sport: treadmill */
	{ 28, 1, FIT_ENUM },		/* trigger: activity_end */
};

static const struct fit_field activity_f[] = {
	{ 253, 4, FIT_UINT32 },		/* timestamp */
	{ 0, 4, FIT_UINT32 },		/* total_timer_time */
	{ 5, 4, FIT_UINT32 },		/* local_timestamp */
	{ 1, 2, FIT_UINT16 },		/* num_sessions */
	{ 2, 1, FIT_ENUM },		/* type: manual */
	{ 3, 1, FIT_ENUM },		/* event: activity */
	{ 4, 1, FIT_ENUM },		/* event_type: stop */
};

#define FIT_EVENT_TIMER		0
#define FIT_EVENT_SESSION	8
#define FIT_EVENT_LAP		9
#define FIT_EVENT_ACTIVITY	26
#define FIT_TYPE_START		0
#define FIT_TYPE_STOP		1
#define FIT_TYPE_STOP_ALL	4
#define FIT_SPORT_RUNNING	1
#define FIT_SUB_SPORT_TREADMILL	1
#define FIT_LAP_TRIGGER_MANUAL	0
#define FIT_LAP_TRIGGER_SESSION_END 7

/* Our application's id for developer fields: a fixed random UUID. */
static const uint8_t lever_app_id[16] = {
	0x6c, 0x65, 0x76, 0x65, 0x72, 0x2d, 0x4b, 0x0e,
	0x9a, 0x3d, 0x52, 0x1f, 0xb8, 0x04, 0x7e, 0x31,
};

static void header_part(struct fit_buf *b, const struct export_session *x)
{
	static const char *const names[2] = { "body_weight_carried",
					      "support_force" };
	static const char *const units[2] = { "%", "N" };
	uint8_t i;

	DEFINE(b, L_FILE_ID, FIT_FILE_ID, file_id_f);
	u8(b, L_FILE_ID);
	u8(b, 4);				/* activity */
	u16(b, FIT_MANUFACTURER_DEVELOPMENT);
	u16(b, FIT_PRODUCT_LEVER);
	u32(b, serial_number(x->rec.board_serial));
	u32(b, fit_time(x, x->duration_ms));
	str(b, "LEVER BWS treadmill", PRODUCT_LEN);

	DEFINE(b, L_DEV_ID, FIT_DEVELOPER_DATA_ID, dev_id_f);
	u8(b, L_DEV_ID);
	put(b, lever_app_id, sizeof(lever_app_id));
	u16(b, FIT_MANUFACTURER_DEVELOPMENT);
	u8(b, 0);
	u32(b, 1);

	DEFINE(b, L_FIELD_DESC, FIT_FIELD_DESCRIPTION, field_desc_f);
	for (i = 0; i < 2; i++) {
		u8(b, L_FIELD_DESC);
		u8(b, 0);
		u8(b, i);
		u8(b, FIT_FLOAT32);
		str(b, names[i], NAME_LEN);
		str(b, units[i], UNITS_LEN);
	}

	DEFINE(b, L_DEVICE_INFO, FIT_DEVICE_INFO, device_info_f);
	u8(b, L_DEVICE_INFO);
	u32(b, fit_time(x, 0));
	u8(b, 0);
	u16(b, FIT_MANUFACTURER_DEVELOPMENT);
	u32(b, serial_number(x->rec.board_serial));
	u16(b, FIT_PRODUCT_LEVER);
	u16(b, 10);				/* 0.10 */
	str(b, x->rec.board_serial[0] ? x->rec.board_serial : "unknown", 32);
	str(b, "LEVER BWS treadmill", PRODUCT_LEN);

	DEFINE(b, L_EVENT, FIT_EVENT, event_f);
	define(b, L_RECORD, FIT_RECORD, record_f,
	       sizeof(record_f) / sizeof(record_f[0]), record_dev_f,
	       sizeof(record_dev_f) / sizeof(record_dev_f[0]));
	define(b, L_LAP, FIT_LAP, lap_f, sizeof(lap_f) / sizeof(lap_f[0]),
	       lap_dev_f, sizeof(lap_dev_f) / sizeof(lap_dev_f[0]));
}

static void timer_event(struct fit_buf *b, const struct export_session *x,
			const struct export_timer *t)
{
	u8(b, L_EVENT);
	u32(b, fit_time(x, t->t_ms));
	u32(b, 0);				/* manual */
	u8(b, FIT_EVENT_TIMER);
	u8(b, t->start ? FIT_TYPE_START :
	      t->end ? FIT_TYPE_STOP_ALL : FIT_TYPE_STOP);
	u8(b, 0);
}

/* float32 all bits set: FIT's invalid value (mass not recorded) */
static void dev_value(struct fit_buf *b, double v, bool valid)
{
	if (valid)
		f32(b, (float)v);
	else
		u32(b, 0xffffffffu);
}

static uint32_t avg_speed(uint64_t distance_mm, uint32_t timer_ms)
{
	/* mm/s is the FIT unit (1/1000 m/s) */
	return timer_ms ? (uint32_t)(distance_mm * 1000 / timer_ms) : 0;
}

static void lap_message(struct fit_buf *b, const struct export_session *x,
			size_t i)
{
	const struct export_lap *l = &x->laps[i];
	double force = 0.0, bw = 0.0;
	size_t k, n = 0;

	for (k = 0; k < x->n_points; k++) {
		if (x->points[k].lap != (int)i || !k)
			continue;
		force += x->points[k].support_force_n;
		bw += x->points[k].bw_carried_pct;
		n++;
	}
	u8(b, L_LAP);
	u32(b, fit_time(x, l->end_ms));
	u32(b, fit_time(x, l->start_ms));
	u32(b, l->end_ms - l->start_ms);
	u32(b, l->timer_ms);
	u32(b, (uint32_t)(l->distance_mm / 10));
	u32(b, avg_speed(l->distance_mm, l->timer_ms));
	u32(b, (uint32_t)l->max_belt_mm_s);
	u16(b, (uint16_t)i);
	u16(b, l->step_index >= 0 ? (uint16_t)l->step_index : 0xffff);
	u8(b, FIT_EVENT_LAP);
	u8(b, FIT_TYPE_STOP);
	u8(b, (uint8_t)l->intensity);
	u8(b, i + 1 == x->n_laps ? FIT_LAP_TRIGGER_SESSION_END :
	      FIT_LAP_TRIGGER_MANUAL);
	u8(b, FIT_SPORT_RUNNING);
	u8(b, FIT_SUB_SPORT_TREADMILL);
	dev_value(b, n ? bw / n : 0, n && x->rec.mass_g);
	dev_value(b, n ? force / n : 0, n > 0);
}

static void record_message(struct fit_buf *b, const struct export_session *x,
			   const struct export_point *p)
{
	u8(b, L_RECORD);
	u32(b, fit_time(x, p->t_ms));
	u32(b, (uint32_t)(p->distance_mm / 10));
	u32(b, (uint32_t)p->belt_mm_s);
	dev_value(b, p->bw_carried_pct, p->bw_carried_pct >= 0);
	dev_value(b, p->support_force_n, true);
}

/* The clinic's UTC offset at the start, for the activity's local time. */
static int32_t local_offset_s(const struct export_session *x)
{
	time_t t = (time_t)(x->start_wall_ms / 1000);
	struct tm tm;

	return localtime_r(&t, &tm) ? (int32_t)tm.tm_gmtoff : 0;
}

static void closing_part(struct fit_buf *b, const struct export_session *x)
{
	uint32_t end = fit_time(x, x->duration_ms);

	DEFINE(b, L_SESSION, FIT_SESSION, session_f);
	u8(b, L_SESSION);
	u32(b, end);
	u32(b, fit_time(x, 0));
	u32(b, x->duration_ms);
	u32(b, x->timer_ms);
	u32(b, (uint32_t)(x->distance_mm / 10));
	u32(b, avg_speed(x->distance_mm, x->timer_ms));
	u32(b, (uint32_t)x->max_belt_mm_s);
	u16(b, 0);
	u16(b, 0);
	u16(b, (uint16_t)x->n_laps);
	u8(b, FIT_EVENT_SESSION);
	u8(b, FIT_TYPE_STOP);
	u8(b, FIT_SPORT_RUNNING);
	u8(b, FIT_SUB_SPORT_TREADMILL);
	u8(b, 0);				/* activity_end */

	DEFINE(b, L_ACTIVITY, FIT_ACTIVITY, activity_f);
	u8(b, L_ACTIVITY);
	u32(b, end);
	u32(b, x->timer_ms);
	u32(b, end + local_offset_s(x));
	u16(b, 1);
	u8(b, 0);				/* manual */
	u8(b, FIT_EVENT_ACTIVITY);
	u8(b, FIT_TYPE_STOP);
}

/*
 * Messages in time order: records, timer events where they fall, a lap
 * as its step ends; session and activity last.
 */
static void data_part(struct fit_buf *b, const struct export_session *x)
{
	size_t p = 0, t = 0, l = 0;

	while (p < x->n_points || t < x->n_timer || l < x->n_laps) {
		uint32_t tp = p < x->n_points ? x->points[p].t_ms : UINT32_MAX;
		uint32_t tt = t < x->n_timer ? x->timer[t].t_ms : UINT32_MAX;
		uint32_t tl = l < x->n_laps ? x->laps[l].end_ms : UINT32_MAX;

		if (tt <= tp && tt <= tl)
			timer_event(b, x, &x->timer[t++]);
		else if (tp <= tl)
			record_message(b, x, &x->points[p++]);
		else
			lap_message(b, x, l++);
	}
	closing_part(b, x);
}

/* Header (with its CRC) before the data, the file CRC after; one write. */
static int finish(struct fit_buf *b, FILE *f)
{
	uint8_t hdr[14] = { 0 };
	uint16_t crc;
	size_t data;
	int ret;

	if (b->err) {
		free(b->p);
		return b->err;
	}
	data = b->len - sizeof(hdr);
	hdr[0] = sizeof(hdr);
	hdr[1] = FIT_PROTOCOL_2_0;
	hdr[2] = FIT_PROFILE_VERSION & 0xff;
	hdr[3] = FIT_PROFILE_VERSION >> 8;
	hdr[4] = data & 0xff;
	hdr[5] = (data >> 8) & 0xff;
	hdr[6] = (data >> 16) & 0xff;
	hdr[7] = (data >> 24) & 0xff;
	memcpy(hdr + 8, ".FIT", 4);
	crc = crc16(0, hdr, 12);
	hdr[12] = crc & 0xff;
	hdr[13] = crc >> 8;
	memcpy(b->p, hdr, sizeof(hdr));
	crc = crc16(0, b->p, b->len);
	u16(b, crc);
	ret = b->err;
	if (!ret && fwrite(b->p, 1, b->len, f) != b->len)
		ret = -EIO;
	free(b->p);
	return ret;
}

int export_fit(const struct export_session *x, FILE *f)
{
	static const uint8_t room[14];
	struct fit_buf b = { 0 };

	put(&b, room, sizeof(room));	/* the header, filled in by finish */
	header_part(&b, x);
	data_part(&b, x);
	return finish(&b, f);
}

/* ---- workouts: a plan session as structured steps ---- */

static const struct fit_field workout_f[] = {
	{ 8, 32, FIT_STRING },		/* wkt_name */
	{ 17, 64, FIT_STRING },		/* wkt_description */
	{ 6, 2, FIT_UINT16 },		/* num_valid_steps */
	{ 4, 1, FIT_ENUM },		/* sport */
	{ 11, 1, FIT_ENUM },		/* sub_sport */
};

static const struct fit_field workout_step_f[] = {
	{ 0, 24, FIT_STRING },		/* wkt_step_name */
	{ 8, 48, FIT_STRING },		/* notes */
	{ 2, 4, FIT_UINT32 },		/* duration_value: time, ms */
	{ 4, 4, FIT_UINT32 },		/* target_value: 0, custom */
	{ 5, 4, FIT_UINT32 },		/* custom_target_speed_low, mm/s */
	{ 6, 4, FIT_UINT32 },		/* custom_target_speed_high */
	{ 254, 2, FIT_UINT16 },		/* message_index */
	{ 1, 1, FIT_ENUM },		/* duration_type: time */
	{ 3, 1, FIT_ENUM },		/* target_type: speed */
	{ 7, 1, FIT_ENUM },		/* intensity */
};

#define FIT_FILE_WORKOUT	5
#define FIT_WORKOUT		26
#define FIT_WORKOUT_STEP	27
#define FIT_DURATION_TIME	0
#define FIT_TARGET_SPEED	0

int export_fit_workout(const struct plan *p, const struct plan_session *ps,
		       int64_t created_s, FILE *f)
{
	static const uint8_t room[14];
	struct fit_buf b = { 0 };
	char name[64], text[128];
	size_t i;

	put(&b, room, sizeof(room));
	DEFINE(&b, 0, FIT_FILE_ID, file_id_f);
	u8(&b, 0);
	u8(&b, FIT_FILE_WORKOUT);
	u16(&b, FIT_MANUFACTURER_DEVELOPMENT);
	u16(&b, FIT_PRODUCT_LEVER);
	u32(&b, 1);
	u32(&b, (uint32_t)(created_s - FIT_EPOCH_UNIX_S));
	str(&b, "LEVER BWS treadmill", PRODUCT_LEN);

	DEFINE(&b, 1, FIT_WORKOUT, workout_f);
	u8(&b, 1);
	snprintf(name, sizeof(name), "%s %s", p->id, ps->name);
	str(&b, name, 32);
	snprintf(text, sizeof(text), "%s", ps->title ? ps->title : name);
	str(&b, text, 64);
	u16(&b, (uint16_t)ps->n_steps);
	u8(&b, FIT_SPORT_RUNNING);
	u8(&b, FIT_SUB_SPORT_TREADMILL);

	DEFINE(&b, 2, FIT_WORKOUT_STEP, workout_step_f);
	for (i = 0; i < ps->n_steps; i++) {
		const struct plan_step *st = &ps->steps[i];
		/* the belt holds its set-point: a band of 0.1 m/s around it */
		uint32_t v = (uint32_t)st->belt_speed_mm_s;

		u8(&b, 2);
		snprintf(name, sizeof(name), "%s %.1f km/h",
			 plan_step_kind_name(st->kind),
			 st->belt_speed_km_h_x100 / 100.0);
		str(&b, name, 24);
		snprintf(text, sizeof(text),
			 "%.1f %% body weight carried, incline %.1f %%",
			 st->bw_carried_pct_x100 / 100.0,
			 st->incline_centi_pct / 100.0);
		str(&b, text, 48);
		u32(&b, st->duration_ms);
		u32(&b, 0);
		u32(&b, v > 50 ? v - 50 : 0);
		u32(&b, v + 50);
		u16(&b, (uint16_t)i);
		u8(&b, FIT_DURATION_TIME);
		u8(&b, FIT_TARGET_SPEED);
		u8(&b, (uint8_t)export_intensity_of(
			plan_step_kind_name(st->kind)));
	}
	return finish(&b, f);
}
