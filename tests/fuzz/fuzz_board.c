// SPDX-License-Identifier: MIT
/*
 * fuzz_board: libFuzzer target for the board model's command frames
 * (sim/board.c, what lever-simd and the sim: transport run). The input
 * is a script of operations: command frames (well-formed with random
 * values, or raw bytes of any length), control requests, time steps, the
 * e-stop and key lines, buttons, faults and the runner. After each the
 * board must keep its own rules: set-points inside the limits, a held
 * e-stop or key means hard-stopped with the belt set-point 0, support
 * never raised while it is not running, well-formed sample frames with
 * consecutive-or-later sequence numbers.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "board.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS		400

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_board: %s\n", why);
	abort();
}

static void command(struct board *b, struct fuzz_in *in, bool raw)
{
	uint8_t frame[64];
	struct lever_wire_command c = {
		.version = LEVER_WIRE_VERSION,
		.type = LEVER_FRAME_COMMAND,
		.length = htole16(sizeof(c)),
	};
	size_t len;
	int ret;

	if (raw) {
		len = fuzz_u8(in) % (sizeof(frame) + 1);
		fuzz_bytes(in, frame, len);
		ret = board_command(b, frame, len);
	} else {
		c.seq = htole32(fuzz_u32(in));
		c.support_pressure_pa = htole32(fuzz_u32(in));
		c.belt_speed_mm_s = htole32(fuzz_u32(in));
		c.incline_centi_pct = htole16(fuzz_u16(in));
		c.flags = htole16(fuzz_u8(in) & 7);
		ret = board_command(b, &c, sizeof(c));
	}
	if (ret && ret != -EMSGSIZE && ret != -EPROTO && ret != -EBADMSG &&
	    ret != -EINVAL && ret != -ERANGE)
		fail("board_command: undocumented error");
}

static void control(struct board *b, struct fuzz_in *in)
{
	uint8_t buf[128];
	uint8_t req = fuzz_u8(in) % 8;
	uint16_t value = fuzz_u16(in);
	size_t len = fuzz_u8(in) % (sizeof(buf) + 1);
	int ret;

	ret = board_control(b, req, value, len ? buf : NULL, len);
	if (ret > (int)len)
		fail("board_control: answer longer than the buffer");
}

static void drain(struct board *b, uint32_t *next_seq, bool *have_seq)
{
	struct lever_wire_sample s;

	while (board_sample(b, &s) == 0) {
		uint32_t seq = le32toh(s.seq);

		if (s.version != LEVER_WIRE_VERSION ||
		    s.type != LEVER_FRAME_SAMPLE ||
		    le16toh(s.length) != sizeof(s))
			fail("malformed sample frame");
		if (*have_seq && (int32_t)(seq - *next_seq) < 0)
			fail("sample sequence went backwards");
		*have_seq = true;
		*next_seq = seq + 1;
	}
}

/*
 * The board's rules after an operation. The dump is formatted only when
 * the operation may have lengthened it (its fault lists are the only
 * fields without a bounded width) and after the last operation:
 * formatting it after every one took a tenth of the target's time.
 */
static void check(struct board *b, const struct board_status *before,
		  unsigned int lines, bool dump)
{
	struct board_status st;
	char text[4096];

	board_get_status(b, &st);
	if (st.pressure_setpoint_pa > PLANT_MAX_PRESSURE_PA ||
	    st.belt_setpoint_mm_s > PLANT_MAX_BELT_SPEED_MM_S ||
	    st.incline_setpoint_centi_pct < PLANT_INCLINE_MIN_CENTI_PCT ||
	    st.incline_setpoint_centi_pct > PLANT_INCLINE_MAX_CENTI_PCT) {
		fprintf(stderr, "fuzz_board: pressure %u Pa, belt %u mm/s, incline %d centi-%%, state %u\n",
			st.pressure_setpoint_pa, st.belt_setpoint_mm_s,
			st.incline_setpoint_centi_pct, st.board_state);
		fail("set-point outside the board's limits");
	}
	if (st.watchdog_ms < LEVER_BOARD_WATCHDOG_MIN_MS ||
	    st.watchdog_ms > LEVER_BOARD_WATCHDOG_MAX_MS)
		fail("watchdog outside its bounds");
	if ((lines & (LEVER_LINE_ESTOP | LEVER_LINE_SAFETY_KEY)) &&
	    (st.board_state != LEVER_BOARD_HARD_STOPPED ||
	     st.belt_setpoint_mm_s != 0))
		fail("e-stop or key held but the drive is not cut");
	if (before->board_state != LEVER_BOARD_RUNNING &&
	    st.board_state != LEVER_BOARD_RUNNING &&
	    st.pressure_setpoint_pa > before->pressure_setpoint_pa)
		fail("support raised while not running");
	if ((dump || st.faults != before->faults) &&
	    board_dump(b, text, sizeof(text)) < 0)
		fail("board_dump does not fit 4 KiB");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct board_config cfg;
	struct board_status before;
	unsigned int lines = 0, ops = 0;
	uint32_t next_seq = 0;
	bool have_seq = false;
	struct board *b;

	board_default_config(&cfg);
	cfg.plant.seed = fuzz_u8(&in);
	cfg.sample_rate_hz = fuzz_u8(&in) & 1 ? 100 : 1000;
	if (board_new(&cfg, &b))
		fail("board_new");
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		uint8_t op = fuzz_u8(&in);
		unsigned int bit;
		bool on;

		board_get_status(b, &before);
		switch (op % 10) {
		case 0:
		case 1:
			command(b, &in, false);
			break;
		case 2:
			command(b, &in, true);
			break;
		case 3:
			control(b, &in);
			break;
		case 4:
		case 5:
			/* up to 0.5 s, in 0.1 ms to 2 ms slices */
			board_step(b, (uint64_t)(fuzz_u8(&in) + 1) *
				   (op & 0x10 ? 2000000 : 100000));
			drain(b, &next_seq, &have_seq);
			break;
		case 6:
			bit = 1u << (fuzz_u8(&in) % 4);
			on = op & 0x80;
			if (board_set_line(b, bit, on) == 0)
				lines = on ? lines | bit : lines & ~bit;
			break;
		case 7:
			board_set_button(b, 1u << (fuzz_u8(&in) % 9),
					 op & 0x80);
			break;
		case 8:
			board_set_fault(b, fuzz_u8(&in) % (PLANT_FAULT_COUNT + 1),
					op & 0x80);
			break;
		case 9:
			board_set_runner(b, fuzz_u8(&in) + 1.0,
					 fuzz_u8(&in) / 32.0);
			break;
		}
		check(b, &before, lines, op % 10 == 8 || ops == MAX_OPS ||
		      !fuzz_more(&in));
	}
	board_free(b);
	return 0;
}
