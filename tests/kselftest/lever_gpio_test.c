// SPDX-License-Identifier: GPL-2.0
/*
 * lever_gpio_test.c - kselftest of lever.ko's "lever-safety" gpiochip seen
 * through libgpiod 1.6, in the VM, against the simulated board. Each test
 * finds the board plugged in and leaves every line released and none
 * requested.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <linux/types.h>
#include <poll.h>
#include <unistd.h>

#include "uapi/linux/lever.h"

#include "kselftest_harness.h"
#include "lever_gpio_input_util.h"

#define LEVER_GPIO_LABEL	"lever-safety"

static const char * const line_names[] = { "estop", "safety-key", "harness" };

/* The chip appears with the board; open it by label as the daemon does. */
static struct gpiod_chip *open_lever_chip(void)
{
	unsigned long long deadline = lever_now_ns() +
		LEVER_TEST_WAIT_MS * 1000000ull;
	struct gpiod_chip *chip;

	do {
		chip = gpiod_chip_open_by_label(LEVER_GPIO_LABEL);
		if (chip)
			return chip;
		lever_sleep_ms(20);
	} while (lever_now_ns() < deadline);
	return NULL;
}

/* Polls the line's value until it is @want; the board sends 1 kHz. */
static int wait_value(struct gpiod_line *line, int want)
{
	unsigned long long deadline = lever_now_ns() +
		LEVER_TEST_WAIT_MS * 1000000ull;
	int v;

	do {
		v = gpiod_line_get_value(line);
		if (v == want || v < 0)
			return v;
		lever_sleep_ms(5);
	} while (lever_now_ns() < deadline);
	return v;
}

/* Next edge event of @line: 1 with *ev filled, 0 if none came, -1 error. */
static int next_event(struct gpiod_line *line, unsigned int wait_ms,
		      struct gpiod_line_event *ev)
{
	struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
	int ret;

	ret = gpiod_line_event_wait(line, &ts);
	if (ret <= 0)
		return ret;
	return gpiod_line_event_read(line, ev) ? -1 : 1;
}

FIXTURE(board) {
	struct gpiod_chip *chip;
};

FIXTURE_SETUP(board)
{
	ASSERT_EQ(0, lever_stim("plug"));
	self->chip = open_lever_chip();
	ASSERT_NE(NULL, self->chip)
		TH_LOG("no gpiochip labelled %s", LEVER_GPIO_LABEL);
}

FIXTURE_TEARDOWN(board)
{
	if (self->chip)
		gpiod_chip_close(self->chip);
}

TEST_F_VM(board, chip_has_three_lines)
{
	EXPECT_EQ(3u, gpiod_chip_num_lines(self->chip));
	EXPECT_STREQ(LEVER_GPIO_LABEL, gpiod_chip_label(self->chip));
}

TEST_F_VM(board, lines_are_named_estop_safety_key_harness_in_order)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct gpiod_line *line = gpiod_chip_get_line(self->chip, i);

		ASSERT_NE(NULL, line);
		EXPECT_STREQ(line_names[i], gpiod_line_name(line));
		EXPECT_EQ(line, gpiod_chip_find_line(self->chip,
						     line_names[i]));
	}
}

TEST_F_VM(board, lines_are_unused_active_high_inputs)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct gpiod_line *line = gpiod_chip_get_line(self->chip, i);

		ASSERT_NE(NULL, line);
		EXPECT_EQ(GPIOD_LINE_DIRECTION_INPUT,
			  gpiod_line_direction(line));
		EXPECT_EQ(GPIOD_LINE_ACTIVE_STATE_HIGH,
			  gpiod_line_active_state(line));
		EXPECT_FALSE(gpiod_line_is_used(line));
	}
}

TEST_F_VM(board, requesting_a_line_as_output_is_refused_with_eperm)
{
	struct gpiod_line *line = gpiod_chip_find_line(self->chip, "estop");

	ASSERT_NE(NULL, line);
	errno = 0;
	EXPECT_EQ(-1, gpiod_line_request_output(line, "kselftest", 0));
	EXPECT_EQ(EPERM, errno);
	gpiod_line_release(line);
	/* Still an input, still readable afterwards. */
	EXPECT_EQ(GPIOD_LINE_DIRECTION_INPUT, gpiod_line_direction(line));
}

TEST_F_VM(board, requested_line_shows_consumer_in_line_info)
{
	struct gpiod_line *line = gpiod_chip_find_line(self->chip, "harness");
	struct gpiod_chip *other;
	struct gpiod_line *seen;

	ASSERT_NE(NULL, line);
	ASSERT_EQ(0, gpiod_line_request_input(line, "kselftest"));
	other = gpiod_chip_open_by_label(LEVER_GPIO_LABEL);
	ASSERT_NE(NULL, other);
	seen = gpiod_chip_find_line(other, "harness");
	ASSERT_NE(NULL, seen);
	EXPECT_TRUE(gpiod_line_is_used(seen));
	EXPECT_STREQ("kselftest", gpiod_line_consumer(seen));
	gpiod_chip_close(other);
	gpiod_line_release(line);
}

FIXTURE(line) {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

FIXTURE_VARIANT(line) {
	const char *name;
	unsigned int offset;
};

FIXTURE_VARIANT_ADD(line, estop) { .name = "estop", .offset = 0 };
FIXTURE_VARIANT_ADD(line, safety_key) { .name = "safety-key", .offset = 1 };
FIXTURE_VARIANT_ADD(line, harness) { .name = "harness", .offset = 2 };

FIXTURE_SETUP(line)
{
	ASSERT_EQ(0, lever_stim("plug"));
	self->chip = open_lever_chip();
	ASSERT_NE(NULL, self->chip);
	self->line = gpiod_chip_find_line(self->chip, variant->name);
	ASSERT_NE(NULL, self->line);
	ASSERT_EQ(variant->offset, gpiod_line_offset(self->line));
	/* A fresh board may start with the harness clipped in. */
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
}

FIXTURE_TEARDOWN(line)
{
	if (self->line)
		gpiod_line_release(self->line);
	if (self->chip)
		gpiod_chip_close(self->chip);
	lever_stim("line %s 0", variant->name);
}

TEST_F_VM(line, value_follows_the_board)
{
	ASSERT_EQ(0, gpiod_line_request_input(self->line, "kselftest"));
	EXPECT_EQ(0, wait_value(self->line, 0));
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	EXPECT_EQ(1, wait_value(self->line, 1));
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
	EXPECT_EQ(0, wait_value(self->line, 0));
}

TEST_F_VM(line, both_edges_request_sees_rising_then_falling)
{
	struct gpiod_line_event ev;

	ASSERT_EQ(0, gpiod_line_request_both_edges_events(self->line,
							  "kselftest"));
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_RISING_EDGE, ev.event_type);
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_FALLING_EDGE, ev.event_type);
}

TEST_F_VM(line, rising_edge_request_ignores_the_falling_edge)
{
	struct gpiod_line_event ev;

	ASSERT_EQ(0, gpiod_line_request_rising_edge_events(self->line,
							   "kselftest"));
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_RISING_EDGE, ev.event_type);
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
	/* The value has gone down: the only edge since was a falling one. */
	EXPECT_EQ(0, wait_value(self->line, 0));
	EXPECT_EQ(0, next_event(self->line, 200, &ev));
}

TEST_F_VM(line, falling_edge_request_ignores_the_rising_edge)
{
	struct gpiod_line_event ev;

	ASSERT_EQ(0, gpiod_line_request_falling_edge_events(self->line,
							    "kselftest"));
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	EXPECT_EQ(1, wait_value(self->line, 1));
	EXPECT_EQ(0, next_event(self->line, 200, &ev));
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_FALLING_EDGE, ev.event_type);
}

TEST_F_VM(line, edge_timestamps_are_monotonic_clock_between_the_stimuli)
{
	struct gpiod_line_event ev1, ev2;
	unsigned long long before, after, t1, t2;

	ASSERT_EQ(0, gpiod_line_request_both_edges_events(self->line,
							  "kselftest"));
	before = lever_now_ns();
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev1));
	ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev2));
	after = lever_now_ns();
	t1 = ev1.ts.tv_sec * 1000000000ull + ev1.ts.tv_nsec;
	t2 = ev2.ts.tv_sec * 1000000000ull + ev2.ts.tv_nsec;
	EXPECT_LE(before, t1);
	EXPECT_LT(t1, t2);
	EXPECT_LE(t2, after);
}

TEST_F_VM(line, other_lines_changing_raise_no_event)
{
	struct gpiod_line_event ev;
	const char *other = variant->offset ? "estop" : "harness";

	ASSERT_EQ(0, gpiod_line_request_both_edges_events(self->line,
							  "kselftest"));
	ASSERT_EQ(0, lever_stim("line %s 1", other));
	ASSERT_EQ(0, lever_stim("line %s 0", other));
	/* A change of our own line after them is the first event seen. */
	ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
	ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_RISING_EDGE, ev.event_type);
	EXPECT_EQ(0, next_event(self->line, 200, &ev));
}

/*
 * The edge comes from the very sample that first shows the line: its
 * timestamp is not before that sample's URB completion as /dev/lever0
 * records it. The gap between the two is printed as a measurement.
 */
/*
 * Reads the records there are (waiting for one if @wait) and follows
 * the line: *@before_seen says the last record read showed it clear with
 * nothing lost since. With @first, the first record showing the line
 * set ends the scan: 1 when it came right after one that showed it
 * clear (copied to @first), 2 when this file's ring may have overflowed
 * in between. Otherwise 0 when the ring is drained, -1 on error.
 *
 * Only a read that came back full (the ring's 1024 records) can follow an
 * overflow of our ring: the ring stays full once it overflows. A gap in a
 * record that came in a shorter read is the board's (a slow debug kernel
 * makes many): those samples never reached the driver, so the sample
 * after them is still the first the driver saw showing the line.
 */
static int scan_line(int fd, unsigned int bit, bool wait, bool *before_seen,
		     struct lever_sample *first)
{
	static struct lever_sample rec[LEVER_TEST_RECORDS];
	ssize_t n;
	int i;

	for (;;) {
		n = read(fd, rec, sizeof(rec));
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { fd, POLLIN, 0 };

			if (!wait)
				return 0;
			if (poll(&pfd, 1, LEVER_TEST_WAIT_MS) != 1)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		wait = false;
		for (i = 0; i < n / (ssize_t)sizeof(rec[0]); i++) {
			/* our ring may have lost records just before this one */
			if ((rec[i].flags & LEVER_SAMPLE_OVERFLOW) &&
			    n == (ssize_t)sizeof(rec))
				*before_seen = false;
			if (!(rec[i].lines & bit)) {
				*before_seen = true;
				continue;
			}
			if (first) {
				*first = rec[i];
				return *before_seen ? 1 : 2;
			}
			*before_seen = false;
		}
	}
}

/*
 * The edge comes from the very sample that first shows the line: its
 * timestamp is not before that sample's URB completion as /dev/lever0
 * records it. The gap between the two is printed as a measurement.
 */
TEST_F_VM(line, edge_is_raised_by_the_first_sample_showing_the_line)
{
	unsigned int bit = 1u << variant->offset;
	struct gpiod_line_event ev;
	struct lever_sample first;
	unsigned long long edge_ns;
	bool before_seen;
	int fd, tries, found;

	fd = open("/dev/lever0", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpiod_line_request_both_edges_events(self->line,
							  "kselftest"));
	/*
	 * A record lost to overflow may be the one: try again then. The
	 * scan before the change ends on a record showing the line clear,
	 * so the first record showing it set is the change itself.
	 */
	for (tries = 0; tries < 5; tries++) {
		ASSERT_EQ(0, lever_stim("line %s 0", variant->name));
		EXPECT_EQ(0, wait_value(self->line, 0));
		while (next_event(self->line, 0, &ev) == 1)
			;
		before_seen = false;
		do {
			ASSERT_EQ(0, scan_line(fd, bit, !before_seen,
					       &before_seen, NULL));
		} while (!before_seen);
		ASSERT_EQ(0, lever_stim("line %s 1", variant->name));
		/*
		 * The records first, read as they come: waiting for the edge
		 * before reading them let the ring overflow on a slow (debug)
		 * kernel. The events wait in their own queue meanwhile.
		 */
		do {
			found = scan_line(fd, bit, true, &before_seen, &first);
		} while (!found);
		ASSERT_LT(0, found);
		/* the release's event may still have been on its way */
		do {
			ASSERT_EQ(1, next_event(self->line, LEVER_TEST_WAIT_MS,
						&ev));
		} while (ev.event_type != GPIOD_LINE_EVENT_RISING_EDGE);
		edge_ns = ev.ts.tv_sec * 1000000000ull + ev.ts.tv_nsec;
		if (found == 2)
			continue;
		EXPECT_LE(first.timestamp_ns, edge_ns);
		TH_LOG("edge raised %llu ns after the URB completion of the sample that showed %s",
		       edge_ns - first.timestamp_ns, variant->name);
		break;
	}
	EXPECT_GT(5, tries);
	close(fd);
}

/*
 * Last in the file (the harness runs fixtures in the order they are
 * declared): these unplug the board, and each leaves a gpio_device that
 * 6.1's gpiolib never frees, see
 * Documentation/userspace-api/lever-gpio-input.rst.
 */
FIXTURE(unplug) {
	int unused;
};

FIXTURE_SETUP(unplug)
{
}

FIXTURE_TEARDOWN(unplug)
{
}

TEST_F_VM(unplug, with_a_requested_line_gives_enodev_and_replug_works)
{
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	struct gpiod_line_event ev;

	ASSERT_EQ(0, lever_stim("plug"));
	chip = open_lever_chip();
	ASSERT_NE(NULL, chip);
	line = gpiod_chip_find_line(chip, "estop");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(0, gpiod_line_request_both_edges_events(line, "kselftest"));
	ASSERT_EQ(0, lever_stim("unplug"));
	errno = 0;
	EXPECT_EQ(-1, gpiod_line_get_value(line));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, next_event(line, 0, &ev));
	gpiod_line_release(line);
	gpiod_chip_close(chip);

	/* A board plugged in again works. */
	ASSERT_EQ(0, lever_stim("plug"));
	chip = open_lever_chip();
	ASSERT_NE(NULL, chip);
	line = gpiod_chip_find_line(chip, "estop");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(0, gpiod_line_request_both_edges_events(line, "kselftest"));
	ASSERT_EQ(0, lever_stim("line estop 1"));
	ASSERT_EQ(1, next_event(line, LEVER_TEST_WAIT_MS, &ev));
	EXPECT_EQ(GPIOD_LINE_EVENT_RISING_EDGE, ev.event_type);
	gpiod_line_release(line);
	gpiod_chip_close(chip);
	lever_stim("line estop 0");
}

/* lever.ko's reference count as the module loader shows it, or -1. */
static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/lever/refcnt", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * leverd holds the e-stop line across every unplug. 6.1's gpiolib forgets
 * the module reference of a line released after its chip went, so lever.ko
 * makes gpiolib take none (the irq core pins the module while an interrupt
 * is requested): `apt remove` must be able to unload it.
 */
TEST_F_VM(unplug, a_line_held_across_it_leaves_no_reference_on_the_module)
{
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int before, held;

	ASSERT_EQ(0, lever_stim("plug"));
	chip = open_lever_chip();
	ASSERT_NE(NULL, chip);
	before = module_refcnt();
	ASSERT_LE(0, before);
	line = gpiod_chip_find_line(chip, "estop");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(0, gpiod_line_request_both_edges_events(line, "kselftest"));
	held = module_refcnt();
	EXPECT_EQ(before + 1, held);	/* the interrupt's, until free_irq() */
	ASSERT_EQ(0, lever_stim("unplug"));
	gpiod_line_release(line);
	gpiod_chip_close(chip);

	ASSERT_EQ(0, lever_stim("plug"));
	chip = open_lever_chip();
	ASSERT_NE(NULL, chip);
	EXPECT_EQ(before, module_refcnt());
	TH_LOG("refcnt %d before, %d with the line's interrupt, %d after",
	       before, held, module_refcnt());
	gpiod_chip_close(chip);
}

TEST_HARNESS_MAIN
