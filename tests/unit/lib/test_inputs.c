// SPDX-License-Identifier: MIT
/*
 * test_inputs.c - the host-side checks of the GPIO, keys and usb: parts:
 * argument checks and the errors for devices that are not there. Edges,
 * key events and the SYN_DROPPED resync need a kernel with the lever
 * gpiochip and uinput: tests/vm/cases/52-lib-keys.sh and 53-lib-gpio.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <lever/lever.h>

static const char *const lines[] = { "estop", "safety-key", "harness" };

static void test_gpio_watch_checks_arguments(void **state)
{
	const char *const with_null[] = { "estop", NULL };
	const char *const with_empty[] = { "estop", "" };
	const char *many[65];
	struct lever_gpio *g = NULL;
	unsigned int i;

	for (i = 0; i < 65; i++)
		many[i] = "estop";
	assert_int_equal(lever_gpio_watch(NULL, lines, 3, NULL, &g), -EINVAL);
	assert_int_equal(lever_gpio_watch("", lines, 3, NULL, &g), -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", NULL, 3, NULL, &g),
			 -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", lines, 0, NULL, &g),
			 -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", many, 65, NULL, &g),
			 -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", with_null, 2, NULL,
					  &g), -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", with_empty, 2, NULL,
					  &g), -EINVAL);
	assert_int_equal(lever_gpio_watch("lever-safety", lines, 3, NULL,
					  NULL), -EINVAL);
	assert_null(g);
}

static void test_gpio_watch_of_missing_chip_is_enoent(void **state)
{
	struct lever_gpio *g = NULL;

	assert_int_equal(lever_gpio_watch("no-such-chip-label", lines, 3,
					  "test", &g), -ENOENT);
	assert_null(g);
}

static void test_gpio_functions_refuse_null(void **state)
{
	struct lever_gpio_event ev;
	int v;

	lever_gpio_close(NULL);
	assert_int_equal(lever_gpio_fd(NULL), -EINVAL);
	assert_int_equal(lever_gpio_read_event(NULL, &ev), -EINVAL);
	assert_int_equal(lever_gpio_get_value(NULL, 0, &v), -EINVAL);
}

static void test_keys_watch_checks_arguments(void **state)
{
	struct lever_keys *k = NULL;

	assert_int_equal(lever_keys_watch(NULL, &k), -EINVAL);
	assert_int_equal(lever_keys_watch("", &k), -EINVAL);
	assert_int_equal(lever_keys_watch("LEVER console", NULL), -EINVAL);
	assert_null(k);
}

static void test_keys_watch_of_missing_path_is_enoent(void **state)
{
	struct lever_keys *k = NULL;

	assert_int_equal(lever_keys_watch("/dev/input/no-such-event", &k),
			 -ENOENT);
	assert_null(k);
}

static void test_keys_watch_of_missing_name_is_enoent(void **state)
{
	struct lever_keys *k = NULL;

	assert_int_equal(lever_keys_watch("No Such Console 4711", &k),
			 -ENOENT);
	assert_null(k);
}

static void test_keys_watch_of_non_input_device_is_enotty(void **state)
{
	struct lever_keys *k = NULL;

	assert_int_equal(lever_keys_watch("/dev/null", &k), -ENOTTY);
	assert_null(k);
}

static void test_keys_functions_refuse_null(void **state)
{
	struct lever_keys_event ev;
	int pressed;

	lever_keys_close(NULL);
	assert_int_equal(lever_keys_fd(NULL), -EINVAL);
	assert_int_equal(lever_keys_read_event(NULL, &ev), -EINVAL);
	assert_int_equal(lever_keys_is_pressed(NULL, 28, &pressed), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_watch_checks_arguments),
		cmocka_unit_test(test_gpio_watch_of_missing_chip_is_enoent),
		cmocka_unit_test(test_gpio_functions_refuse_null),
		cmocka_unit_test(test_keys_watch_checks_arguments),
		cmocka_unit_test(test_keys_watch_of_missing_path_is_enoent),
		cmocka_unit_test(test_keys_watch_of_missing_name_is_enoent),
		cmocka_unit_test(test_keys_watch_of_non_input_device_is_enotty),
		cmocka_unit_test(test_keys_functions_refuse_null),
	};

	return cmocka_run_group_tests_name("liblever gpio and keys", tests,
					   NULL, NULL);
}
