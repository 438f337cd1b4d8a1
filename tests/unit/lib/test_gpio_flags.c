// SPDX-License-Identifier: MIT
/*
 * test_gpio_flags.c - lever_gpio_watch_flags()'s per-line word: which
 * bias and active level libgpiod is asked for, and the words it refuses
 * before it touches a chip. Requesting real lines needs a gpiochip: the
 * VM's lever-safety chip (tests/vm/cases/53-lib-gpio.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gpiod.h>

#include "lever_priv.h"

static const char *const lines[] = { "estop", "safety-key" };

#ifdef GPIOD_LINE_BULK_MAX_LINES	/* libgpiod 1.x (gpio.c says why) */
static void test_pull_up_active_low_asks_libgpiod_for_both(void **state)
{
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_BIAS_PULL_UP |
					     LEVER_GPIO_ACTIVE_LOW),
			 GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP |
			 GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
}

static void test_each_bias_is_its_libgpiod_flag(void **state)
{
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_BIAS_PULL_UP),
			 GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP);
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_BIAS_PULL_DOWN),
			 GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN);
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_BIAS_DISABLE),
			 GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE);
}

static void test_as_is_active_high_asks_for_nothing(void **state)
{
	/* what lever_gpio_watch() has always requested */
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_BIAS_AS_IS), 0);
	assert_int_equal(lever_gpio_flags_v1(LEVER_GPIO_ACTIVE_LOW),
			 GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
}

static void test_v1_unknown_flag_bit_is_einval(void **state)
{
	assert_int_equal(lever_gpio_flags_v1(0x8), -EINVAL);
}
#endif

static void test_unknown_flag_bit_is_einval(void **state)
{
	assert_int_equal(lever_gpio_flags_check(0x8), -EINVAL);
	assert_int_equal(lever_gpio_flags_check(LEVER_GPIO_BIAS_PULL_UP |
						0x80000000u), -EINVAL);
	assert_int_equal(lever_gpio_flags_check(LEVER_GPIO_BIAS_PULL_DOWN |
						LEVER_GPIO_ACTIVE_LOW), 0);
}

static void test_watch_flags_refuses_unknown_bits_before_any_chip(void **state)
{
	const uint32_t flags[] = { LEVER_GPIO_BIAS_PULL_UP, 0x10 };
	struct lever_gpio *g = NULL;

	/* -EINVAL, not -ENOENT: the word is checked before the chip search */
	assert_int_equal(lever_gpio_watch_flags("no-such-chip-label", lines,
						flags, 2, "test", &g),
			 -EINVAL);
	assert_null(g);
}

static void test_watch_flags_of_missing_chip_is_enoent(void **state)
{
	const uint32_t flags[] = {
		LEVER_GPIO_BIAS_PULL_UP | LEVER_GPIO_ACTIVE_LOW,
		LEVER_GPIO_BIAS_AS_IS,
	};
	struct lever_gpio *g = NULL;

	assert_int_equal(lever_gpio_watch_flags("no-such-chip-label", lines,
						flags, 2, "test", &g),
			 -ENOENT);
	assert_null(g);
	assert_int_equal(lever_gpio_watch_flags("no-such-chip-label", lines,
						NULL, 2, "test", &g),
			 -ENOENT);
}

static void test_watch_flags_checks_arguments_as_watch_does(void **state)
{
	const uint32_t flags[] = { 0, 0 };
	struct lever_gpio *g = NULL;

	assert_int_equal(lever_gpio_watch_flags(NULL, lines, flags, 2, NULL,
						&g), -EINVAL);
	assert_int_equal(lever_gpio_watch_flags("lever-safety", lines, flags,
						0, NULL, &g), -EINVAL);
	assert_int_equal(lever_gpio_watch_flags("lever-safety", lines, flags,
						2, NULL, NULL), -EINVAL);
	assert_null(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef GPIOD_LINE_BULK_MAX_LINES
		cmocka_unit_test(test_pull_up_active_low_asks_libgpiod_for_both),
		cmocka_unit_test(test_each_bias_is_its_libgpiod_flag),
		cmocka_unit_test(test_as_is_active_high_asks_for_nothing),
		cmocka_unit_test(test_v1_unknown_flag_bit_is_einval),
#endif
		cmocka_unit_test(test_unknown_flag_bit_is_einval),
		cmocka_unit_test(test_watch_flags_refuses_unknown_bits_before_any_chip),
		cmocka_unit_test(test_watch_flags_of_missing_chip_is_enoent),
		cmocka_unit_test(test_watch_flags_checks_arguments_as_watch_does),
	};

	return cmocka_run_group_tests_name("liblever gpio line flags", tests,
					   NULL, NULL);
}
