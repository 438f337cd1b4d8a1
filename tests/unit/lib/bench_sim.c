// SPDX-License-Identifier: MIT
/*
 * bench_sim.c - how fast the "sim:" transport runs a control loop (one
 * command and one blocking read per 1 ms sample, speed=0) on this
 * machine: the ceiling for speed=N and for deterministic daemon tests.
 * Prints "bench: NAME VALUE UNIT" lines; asserts nothing about speed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lever/lever.h>

#define N_SAMPLES	20000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct lever_dev_command cmd;
	struct lever_dev_sample s;
	struct lever_dev *dev;
	double t0, dt;
	int i, ret;

	ret = lever_dev_open("sim:seed=1", &dev);
	if (!ret)
		ret = lever_dev_arm(dev);
	if (ret) {
		fprintf(stderr, "bench_sim: sim: %s\n", strerror(-ret));
		return 1;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.support_pressure_pa = 100000;
	t0 = now_s();
	for (i = 0; i < N_SAMPLES; i++) {
		cmd.belt_speed_mm_s = i < N_SAMPLES / 2 ? 2000 : 1000;
		ret = lever_dev_command(dev, &cmd);
		if (!ret)
			ret = lever_dev_read_sample(dev, &s);
		if (ret) {
			fprintf(stderr, "bench_sim: cycle %d: %s\n", i,
				strerror(-ret));
			lever_dev_close(dev);
			return 1;
		}
	}
	dt = now_s() - t0;
	lever_dev_close(dev);
	printf("bench: liblever_sim_cycle_us %.2f us\n", dt * 1e6 / N_SAMPLES);
	printf("bench: liblever_sim_max_speed %.0f x_realtime\n",
	       N_SAMPLES * 1e-3 / dt);
	return 0;
}
