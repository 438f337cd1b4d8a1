// SPDX-License-Identifier: MIT
/*
 * scenario.c - one scenario, the same code on every transport: arm,
 * command a belt and support ramp, read 1000 samples, stop. Run on "sim:"
 * by make check-unit and on /dev/lever0 inside the VM (50-lib-scenario).
 * It must only use the public API: it is what a user's program does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lever/lever.h>

#define N_SAMPLES		1000
#define RAMP_TOP_MM_S		500	/* 0 -> 0.5 m/s over the 1000 samples */
#define SUPPORT_PA		100000
#define STOP_SAMPLES_MAX	5000	/* the stop must end within these */

static int test_no;
static int failed;

static void check(int ok, const char *name, const char *detail)
{
	test_no++;
	if (!ok)
		failed = 1;
	printf("%sok %d - %s", ok ? "" : "not ", test_no, name);
	if (!ok && detail)
		printf(" (%s)", detail);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "sim:seed=7";
	struct lever_dev_command cmd;
	struct lever_dev_status st;
	struct lever_dev_sample s = { 0 }, first, prev;
	struct lever_dev_info info;
	struct lever_dev *dev = NULL;
	int32_t max_step = 0, max_setpoint = 0;
	uint64_t lost = 0;
	char why[160];
	int ret, i, ordered = 1, stopped = 0;

	printf("1..10\n# scenario on %s\n", spec);
	ret = lever_dev_open(spec, &dev);
	snprintf(why, sizeof(why), "%s", strerror(-ret));
	check(ret == 0, "open the board", why);
	if (ret)
		return 1;

	ret = lever_dev_info(dev, &info);
	check(ret == 0 && info.sample_rate_hz > 0 &&
	      info.max_belt_speed_mm_s >= RAMP_TOP_MM_S &&
	      info.max_support_pressure_pa >= SUPPORT_PA,
	      "info reports a board that can run the scenario", NULL);

	/* A loaded TCG guest can stall a process for hundreds of ms: the
	 * scenario is about the data path, not the watchdog (test_sim and
	 * the kselftests test that), so it takes the longest period. */
	ret = lever_dev_set_watchdog(dev, 1000);
	if (!ret)
		ret = lever_dev_arm(dev);
	snprintf(why, sizeof(why), "%s", strerror(-ret));
	check(ret == 0, "arm with a 1000 ms watchdog", why);

	memset(&cmd, 0, sizeof(cmd));
	memset(&prev, 0, sizeof(prev));
	memset(&first, 0, sizeof(first));
	for (i = 0; i < N_SAMPLES; i++) {
		cmd.belt_speed_mm_s = RAMP_TOP_MM_S * (i + 1) / N_SAMPLES;
		cmd.support_pressure_pa = SUPPORT_PA;
		ret = lever_dev_command(dev, &cmd);
		if (ret)
			break;
		ret = lever_dev_read_sample(dev, &s);
		if (ret)
			break;
		if (i == 0) {
			first = s;
		} else {
			if (s.seq - prev.seq != 1 + s.lost ||
			    s.timestamp_ns < prev.timestamp_ns)
				ordered = 0;
			if (s.belt_setpoint_mm_s - prev.belt_setpoint_mm_s >
			    max_step)
				max_step = s.belt_setpoint_mm_s -
					   prev.belt_setpoint_mm_s;
		}
		if (s.belt_setpoint_mm_s > max_setpoint)
			max_setpoint = s.belt_setpoint_mm_s;
		lost += s.lost;
		prev = s;
	}
	snprintf(why, sizeof(why), "stopped at %d: %s", i, strerror(-ret));
	check(i == N_SAMPLES, "command a ramp and read 1000 samples", why);
	snprintf(why, sizeof(why), "%llu lost", (unsigned long long)lost);
	check(ordered, "samples come in board order, gaps counted", why);
	/* The gate's slew limit per 1 ms sample, plus one unit of rounding;
	 * a late sample may cover several periods (its lost count). */
	snprintf(why, sizeof(why), "largest step %d mm/s, top %d mm/s",
		 max_step, max_setpoint);
	check(max_step <= info.max_belt_accel_mm_s2 / 1000 + 1 +
	      (int32_t)(lost * (uint64_t)info.max_belt_accel_mm_s2 / 1000) &&
	      max_setpoint <= RAMP_TOP_MM_S && max_setpoint >= RAMP_TOP_MM_S * 8 / 10,
	      "the applied belt set-point follows the ramp within the slew limit",
	      why);
	snprintf(why, sizeof(why), "belt %d mm/s, pressure %u Pa",
		 prev.belt_speed_mm_s, prev.support_pressure_pa);
	check(prev.belt_speed_mm_s > RAMP_TOP_MM_S / 2 &&
	      prev.support_pressure_pa > SUPPORT_PA / 2,
	      "the belt moves and the support pressure rose", why);

	ret = lever_dev_stop(dev);
	snprintf(why, sizeof(why), "%s", strerror(-ret));
	check(ret == 0, "controlled stop accepted", why);

	for (i = 0; i < STOP_SAMPLES_MAX && !ret; i++) {
		ret = lever_dev_read_sample(dev, &s);
		if (!ret && s.belt_setpoint_mm_s == 0 &&
		    s.belt_speed_mm_s < 30) {
			stopped = 1;
			break;
		}
	}
	snprintf(why, sizeof(why), "after %d samples belt %d mm/s", i,
		 s.belt_speed_mm_s);
	check(stopped, "the belt comes to a stop", why);

	/* the gate disarms at the end of its stop ramp */
	for (i = 0; i < 200; i++) {
		ret = lever_dev_status(dev, &st);
		if (ret || st.state != LEVER_DEV_STATE_STOPPING)
			break;
		lever_dev_read_sample(dev, &s);
	}
	snprintf(why, sizeof(why), "state %u faults 0x%x ret %d", st.state,
		 st.faults, ret);
	check(ret == 0 && st.state == LEVER_DEV_STATE_DISARMED &&
	      st.faults == 0, "disarmed without a fault after the stop", why);

	lever_dev_close(dev);
	return failed;
}
