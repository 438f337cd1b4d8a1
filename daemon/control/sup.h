/* SPDX-License-Identifier: MIT */
/*
 * sup.h - leverd's safety supervisor: checks every sample (or its absence)
 * and names the faults that must put the treadmill in the safe state. It
 * only detects and latches; the loop (loop.h) acts. Never clear a latched
 * e-stop or safety key except through sup_reset() with the line released.
 */
#ifndef LEVERD_SUP_H
#define LEVERD_SUP_H

#include <stdbool.h>
#include <stdint.h>

#include <lever/lever.h>

#define SUP_F_STALE		(1u << 0)	/* no sample in time */
#define SUP_F_SEQ_GAP		(1u << 1)	/* too many samples lost */
#define SUP_F_FORCE_RANGE	(1u << 2)	/* load cell out of range */
#define SUP_F_PRESSURE_RANGE	(1u << 3)	/* pressure out of range */
#define SUP_F_IMPLAUSIBLE	(1u << 4)	/* force vs pressure x geometry */
#define SUP_F_STUCK		(1u << 5)	/* a reading frozen */
#define SUP_F_OVERSPEED		(1u << 6)	/* belt faster than asked */
#define SUP_F_ESTOP		(1u << 7)	/* e-stop (line or GPIO) */
#define SUP_F_SAFETY_KEY	(1u << 8)	/* safety key pulled */
#define SUP_F_BOARD		(1u << 9)	/* board reports a fault */
#define SUP_F_OVERSUPPORT	(1u << 10)	/* support > set-point + 5 %BW */
#define SUP_F_OPERATOR_STOP	(1u << 11)	/* stop key (console/pendant) */
#define SUP_F_PAIN		(1u << 12)	/* pain key */
#define SUP_F_GATE		(1u << 13)	/* kernel gate stopped by itself */
#define SUP_F_LINK		(1u << 14)	/* the board is gone (-ENODEV) */
#define SUP_F_COUNT		15

/* Faults that stay latched until sup_reset() with the lines released. */
#define SUP_F_LATCHING		(SUP_F_ESTOP | SUP_F_SAFETY_KEY)

struct sup_params {
	uint64_t period_ns;		/* sample period */
	unsigned int stale_samples;	/* stale after this many periods */
	unsigned int stuck_samples;	/* identical readings = stuck */
	unsigned int implausible_samples; /* disagreement must persist */
	double plausibility_tol_n;
	double force_per_pa;		/* N per Pa, board geometry */
	double max_pressure_pa;
	double max_force_n;
	double max_belt_mm_s;
	double overspeed_margin_mm_s;
};

struct sup_input {
	const struct lever_dev_sample *sample;	/* NULL: none this cycle */
	uint64_t now_ns;
	double belt_cmd_mm_s;		/* what the loop commands now */
	double support_limit_n;		/* above it: over-support; <= 0 off */
	unsigned int ext_lines;		/* LEVER_DEV_LINE_* from GPIO watch */
	unsigned int ext_keys;		/* SUP_F_OPERATOR_STOP / SUP_F_PAIN */
};

struct sup;

int sup_new(const struct sup_params *p, uint64_t now_ns, struct sup **out);
void sup_free(struct sup *s);

/*
 * One check per cycle. Returns the faults present this cycle (conditions
 * now, plus latched ones). Button presses come back as edges in
 * *@buttons_pressed (LEVER_DEV_BTN_* newly down), may be NULL.
 */
uint32_t sup_check(struct sup *s, const struct sup_input *in,
		   uint16_t *buttons_pressed);

/*
 * A new run begins: filtered values start from the next sample, so
 * history from before the start (e.g. a sensor fault now cleared) does
 * not trip the new run.
 */
void sup_restart(struct sup *s);

/* Latched faults. */
uint32_t sup_latched(const struct sup *s);

/* Safety lines as last seen (sample | GPIO), LEVER_DEV_LINE_*. */
unsigned int sup_lines(const struct sup *s);

/* Clears latched faults: 0, or -EBUSY while e-stop/key still active. */
int sup_reset(struct sup *s);
/*
 * The sensors found dead (stuck, out of range, or named by the board)
 * since the last reset: SUP_SENSOR_*. An implausible pair names neither.
 */
#define SUP_SENSOR_PRESSURE	(1u << 0)
#define SUP_SENSOR_FORCE	(1u << 1)
unsigned int sup_bad_sensors(const struct sup *s);

/* The stale-sample timer starts again at @now_ns. */
void sup_restart_stale(struct sup *s, uint64_t now_ns);

/* Short name of one SUP_F_* bit ("stale-samples", ...). */
const char *sup_fault_name(uint32_t bit);

#endif /* LEVERD_SUP_H */
