// SPDX-License-Identifier: MIT
/*
 * test_dev.c - argument checks of every public liblever function: NULL
 * objects and outputs, malformed open strings, out-of-range values,
 * read-only handles, nonzero reserved fields. None of these may reach a
 * transport, and none may crash.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <lever/lever.h>

static int setup_sim(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open("sim:", &dev), 0);
	*state = dev;
	return 0;
}

static int teardown_sim(void **state)
{
	lever_dev_close(*state);
	return 0;
}

static void test_open_needs_an_output_pointer(void **state)
{
	assert_int_equal(lever_dev_open("sim:", NULL), -EINVAL);
}

static void test_open_unknown_scheme_is_einval(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open("tcp:1.2.3.4", &dev), -EINVAL);
	assert_int_equal(lever_dev_open("lever0", &dev), -EINVAL);
	assert_null(dev);
}

static void test_open_unknown_flag_is_einval(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open_flags("sim:", 1u << 7, &dev), -EINVAL);
	assert_null(dev);
}

static void test_open_sim_without_colon_works(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open("sim", &dev), 0);
	lever_dev_close(dev);
}

static void test_usb_serial_too_long_is_einval(void **state)
{
	struct lever_dev *dev = NULL;

	assert_int_equal(lever_dev_open("usb:0123456789012345678901234",
					&dev), -EINVAL);
}

static void test_close_null_is_harmless(void **state)
{
	lever_dev_close(NULL);
}

static void test_every_dev_function_refuses_null_handle(void **state)
{
	struct lever_dev_command cmd;
	struct lever_dev_status st;
	struct lever_dev_sample s;
	struct lever_dev_info info;

	memset(&cmd, 0, sizeof(cmd));
	assert_int_equal(lever_dev_reopen(NULL), -EINVAL);
	assert_int_equal(lever_dev_info(NULL, &info), -EINVAL);
	assert_int_equal(lever_dev_arm(NULL), -EINVAL);
	assert_int_equal(lever_dev_disarm(NULL), -EINVAL);
	assert_int_equal(lever_dev_command(NULL, &cmd), -EINVAL);
	assert_int_equal(lever_dev_stop(NULL), -EINVAL);
	assert_int_equal(lever_dev_set_watchdog(NULL, 50), -EINVAL);
	assert_int_equal(lever_dev_status(NULL, &st), -EINVAL);
	assert_int_equal(lever_dev_reset_faults(NULL), -EINVAL);
	assert_int_equal(lever_dev_read_sample(NULL, &s), -EINVAL);
	assert_int_equal(lever_dev_try_read_sample(NULL, &s), -EINVAL);
	assert_int_equal(lever_dev_fd(NULL), -EINVAL);
}

static void test_every_sim_function_refuses_null_handle(void **state)
{
	struct lever_dev_sample s;
	uint64_t now;

	assert_int_equal(lever_sim_step(NULL, 1), -EINVAL);
	assert_int_equal(lever_sim_step_read(NULL, 1, &s), -EINVAL);
	assert_int_equal(lever_sim_now(NULL, &now), -EINVAL);
	assert_int_equal(lever_sim_inject(NULL, LEVER_SIM_FAULT_STALL, 1),
			 -EINVAL);
	assert_int_equal(lever_sim_set_line(NULL, LEVER_DEV_LINE_ESTOP, 1),
			 -EINVAL);
	assert_int_equal(lever_sim_press_button(NULL, LEVER_DEV_BTN_STOP, 1),
			 -EINVAL);
	assert_int_equal(lever_sim_set_runner(NULL, 70000, 170), -EINVAL);
}

static void test_outputs_must_not_be_null(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_dev_info(dev, NULL), -EINVAL);
	assert_int_equal(lever_dev_status(dev, NULL), -EINVAL);
	assert_int_equal(lever_dev_command(dev, NULL), -EINVAL);
	assert_int_equal(lever_dev_read_sample(dev, NULL), -EINVAL);
	assert_int_equal(lever_dev_try_read_sample(dev, NULL), -EINVAL);
	assert_int_equal(lever_sim_now(dev, NULL), -EINVAL);
}

static void test_command_with_negative_belt_speed_is_einval(void **state)
{
	struct lever_dev_command cmd = { .belt_speed_mm_s = -1 };

	assert_int_equal(lever_dev_arm(*state), 0);
	assert_int_equal(lever_dev_command(*state, &cmd), -EINVAL);
}

static void test_command_with_reserved_field_set_is_einval(void **state)
{
	struct lever_dev_command cmd;

	assert_int_equal(lever_dev_arm(*state), 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.reserved0 = 1;
	assert_int_equal(lever_dev_command(*state, &cmd), -EINVAL);
	cmd.reserved0 = 0;
	cmd.reserved[2] = 1;
	assert_int_equal(lever_dev_command(*state, &cmd), -EINVAL);
	cmd.reserved[2] = 0;
	assert_int_equal(lever_dev_command(*state, &cmd), 0);
}

static void test_watchdog_period_outside_bounds_is_einval(void **state)
{
	struct lever_dev *dev = *state;

	assert_int_equal(lever_dev_set_watchdog(dev, 0), -EINVAL);
	assert_int_equal(lever_dev_set_watchdog(dev, 4), -EINVAL);
	assert_int_equal(lever_dev_set_watchdog(dev, 1001), -EINVAL);
	assert_int_equal(lever_dev_set_watchdog(dev, 5), 0);
	assert_int_equal(lever_dev_set_watchdog(dev, 1000), 0);
}

static void test_readonly_handle_cannot_control(void **state)
{
	struct lever_dev_command cmd;
	struct lever_dev_sample s;
	struct lever_dev_status st;
	struct lever_dev_info info;
	struct lever_dev *dev = NULL;

	memset(&cmd, 0, sizeof(cmd));
	assert_int_equal(lever_dev_open_flags("sim:", LEVER_DEV_OPEN_READONLY,
					      &dev), 0);
	assert_int_equal(lever_dev_arm(dev), -EPERM);
	assert_int_equal(lever_dev_disarm(dev), -EPERM);
	assert_int_equal(lever_dev_command(dev, &cmd), -EPERM);
	assert_int_equal(lever_dev_stop(dev), -EPERM);
	assert_int_equal(lever_dev_set_watchdog(dev, 50), -EPERM);
	assert_int_equal(lever_dev_reset_faults(dev), -EPERM);
	/* but it sees everything */
	assert_int_equal(lever_dev_info(dev, &info), 0);
	assert_int_equal(lever_dev_status(dev, &st), 0);
	assert_int_equal(lever_dev_read_sample(dev, &s), 0);
	assert_true(lever_dev_fd(dev) >= 0);
	lever_dev_close(dev);
}

static void test_sim_inject_unknown_fault_is_einval(void **state)
{
	assert_int_equal(lever_sim_inject(*state, 0, 1), -EINVAL);
	assert_int_equal(lever_sim_inject(*state, 11, 1), -EINVAL);
	assert_int_equal(lever_sim_inject(*state, LEVER_SIM_FAULT_VALVE, 1),
			 0);
}

static void test_sim_set_line_needs_exactly_one_known_bit(void **state)
{
	assert_int_equal(lever_sim_set_line(*state, 0, 1), -EINVAL);
	assert_int_equal(lever_sim_set_line(*state, LEVER_DEV_LINE_ESTOP |
					    LEVER_DEV_LINE_HARNESS, 1),
			 -EINVAL);
	assert_int_equal(lever_sim_set_line(*state, 1u << 5, 1), -EINVAL);
	assert_int_equal(lever_sim_set_line(*state, LEVER_DEV_LINE_HARNESS, 1),
			 0);
}

static void test_sim_press_button_checks_button_and_hold(void **state)
{
	assert_int_equal(lever_sim_press_button(*state, 0, 10), -EINVAL);
	assert_int_equal(lever_sim_press_button(*state, 3, 10), -EINVAL);
	assert_int_equal(lever_sim_press_button(*state, 1u << 8, 10), -EINVAL);
	assert_int_equal(lever_sim_press_button(*state, LEVER_DEV_BTN_STOP, 0),
			 -ERANGE);
	assert_int_equal(lever_sim_press_button(*state, LEVER_DEV_BTN_STOP,
						60001), -ERANGE);
	assert_int_equal(lever_sim_press_button(*state, LEVER_DEV_BTN_STOP,
						60000), 0);
}

static void test_sim_set_runner_checks_mass_and_cadence(void **state)
{
	assert_int_equal(lever_sim_set_runner(*state, 0, 170), -ERANGE);
	assert_int_equal(lever_sim_set_runner(*state, 19999, 170), -ERANGE);
	assert_int_equal(lever_sim_set_runner(*state, 250001, 170), -ERANGE);
	assert_int_equal(lever_sim_set_runner(*state, 70000, 59), -ERANGE);
	assert_int_equal(lever_sim_set_runner(*state, 70000, 241), -ERANGE);
	assert_int_equal(lever_sim_set_runner(*state, 20000, 60), 0);
	assert_int_equal(lever_sim_set_runner(*state, 250000, 240), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_sim, teardown_sim)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_needs_an_output_pointer),
		cmocka_unit_test(test_open_unknown_scheme_is_einval),
		cmocka_unit_test(test_open_unknown_flag_is_einval),
		cmocka_unit_test(test_open_sim_without_colon_works),
		cmocka_unit_test(test_usb_serial_too_long_is_einval),
		cmocka_unit_test(test_close_null_is_harmless),
		cmocka_unit_test(test_every_dev_function_refuses_null_handle),
		cmocka_unit_test(test_every_sim_function_refuses_null_handle),
		T(test_outputs_must_not_be_null),
		T(test_command_with_negative_belt_speed_is_einval),
		T(test_command_with_reserved_field_set_is_einval),
		T(test_watchdog_period_outside_bounds_is_einval),
		cmocka_unit_test(test_readonly_handle_cannot_control),
		T(test_sim_inject_unknown_fault_is_einval),
		T(test_sim_set_line_needs_exactly_one_known_bit),
		T(test_sim_press_button_checks_button_and_hold),
		T(test_sim_set_runner_checks_mass_and_cadence),
	};

	return cmocka_run_group_tests_name("liblever argument checks", tests,
					   NULL, NULL);
}
