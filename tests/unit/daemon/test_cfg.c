// SPDX-License-Identifier: MIT
/*
 * test_cfg.c - specification of leverd's configuration table: defaults are
 * SAFETY.md's, values outside an item's bounds are refused with its name,
 * bounds and origin, flags and file share one table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"

static char err[512];

static const char *write_conf(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	strcpy(path, "/tmp/leverd-test-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_defaults_are_safety_md_values(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(c.kernel_watchdog_ms, 50);
	assert_int_equal(c.board_watchdog_ms, 100);
	assert_int_equal(c.stale_samples, 5);
	assert_true(c.stop_decel_m_s2 == 1.0);
	assert_true(c.comfort_accel_m_s2 == 0.5);
	assert_true(c.jerk_m_s3 == 2.0);
	assert_true(c.support_rate_pct_bw_s == 2.0);
	assert_true(c.release_rate_pct_bw_s == 1.0);
	assert_true(c.support_over_target_pct_bw == 5.0);
	assert_true(c.max_belt_speed_km_h == 20.0);
	assert_string_equal(c.transport, "/dev/lever0");
	assert_string_equal(c.socket, "/run/lever/leverd.sock");
}

static void test_value_above_bound_is_refused_with_name_and_bounds(void **s)
{
	struct leverd_cfg c;
	int ret;

	cfg_defaults(&c);
	ret = cfg_set(&c, "stop_decel_m_s2", "3.0", "test", err, sizeof(err));
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(err, "stop_decel_m_s2"));
	assert_non_null(strstr(err, "0.5..2"));
	assert_non_null(strstr(err, "m/s^2"));
	assert_true(c.stop_decel_m_s2 == 1.0);
}

static void test_value_below_bound_is_refused(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "stale_samples", "1", "t", err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "2..50"));
	assert_int_equal(c.stale_samples, 5);
}

static void test_release_rate_cannot_exceed_two_pct_bw_per_s(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "release_rate_pct_bw_s", "2.5", "t", err,
				 sizeof(err)), -EINVAL);
	assert_int_equal(cfg_set(&c, "release_rate_pct_bw_s", "2", "t", err,
				 sizeof(err)), 0);
	assert_true(c.release_rate_pct_bw_s == 2.0);
}

static void test_non_number_is_refused(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "jerk_m_s3", "fast", "t", err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(cfg_set(&c, "jerk_m_s3", "nan", "t", err,
				 sizeof(err)), -EINVAL);
	assert_int_equal(cfg_set(&c, "jerk_m_s3", "2.0x", "t", err,
				 sizeof(err)), -EINVAL);
	assert_int_equal(cfg_set(&c, "rt_priority", "80.5", "t", err,
				 sizeof(err)), -EINVAL);
	assert_int_equal(cfg_set(&c, "rt_priority", "", "t", err,
				 sizeof(err)), -EINVAL);
}

static void test_unknown_item_is_refused(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "belt_turbo", "1", "t", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "belt_turbo"));
}

static void test_too_long_string_is_refused(void **state)
{
	struct leverd_cfg c;
	char big[300];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "socket", big, "t", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(c.socket, "/run/lever/leverd.sock");
}

/*
 * A law that does not exist is refused when it is read, by name and with
 * the laws there are; leverd said "control loop: No such file or
 * directory" once its loop was made.
 */
static void test_a_law_that_does_not_exist_is_refused_by_name(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "law", "bogus", "command line", err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "command line: law = 'bogus'"));
	assert_non_null(strstr(err, "pi or afc"));
	assert_string_equal(c.law, "afc");
	assert_int_equal(cfg_set(&c, "law", "pi", "command line", err,
				 sizeof(err)), 0);
	assert_string_equal(c.law, "pi");
}

/* fuzz_cfg: --law=$'pi\nx = 1' dumped as two lines that read back wrong. */
static void test_flag_value_the_file_cannot_hold_is_refused(void **state)
{
	const char *bad[] = { "pi\nseed = 3", "pi\r", "a#b", " pi", "pi\t",
			      "p\x7fi" };
	struct leverd_cfg c;
	size_t i;

	cfg_defaults(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cfg_set(&c, "law", bad[i], "command line",
					 err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "law"));
		assert_string_equal(c.law, "afc");
	}
	assert_int_equal(cfg_set(&c, "socket", "/run/a b/s", "t", err,
				 sizeof(err)), 0);
}

static void test_file_sets_items_and_skips_comments(void **state)
{
	const char *p = write_conf("# leverd\n\n  jerk_m_s3 = 1.5  # soft\n"
				   "transport=sim:\n");
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, p, err, sizeof(err)), 0);
	assert_true(c.jerk_m_s3 == 1.5);
	assert_string_equal(c.transport, "sim:");
	unlink(p);
}

static void test_file_error_names_file_and_line(void **state)
{
	const char *p = write_conf("jerk_m_s3 = 1.5\n\ncomfort_accel_m_s2 = 4\n");
	struct leverd_cfg c;
	char want[128];

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: comfort_accel_m_s2", p);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "0.1..1"));
	unlink(p);
}

static void test_file_line_without_equals_is_an_error(void **state)
{
	const char *p = write_conf("jerk_m_s3 1.5\n");
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1: expected 'name = value'"));
	unlink(p);
}

static void test_missing_config_file_is_an_error(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, "/nonexistent/leverd.conf", err,
				       sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/leverd.conf"));
}

/*
 * A --config path the system cannot open for another reason than a
 * missing file (here a name longer than a directory entry holds) gives
 * that reason and the path, as the header promises: fuzz_cfg found it.
 */
static void test_unopenable_config_gives_the_system_reason(void **state)
{
	char flag[400] = "--config=", *argv[] = { "leverd", flag, NULL };
	struct leverd_cfg c;

	memset(flag + 9, 'x', 300);
	assert_int_equal(cfg_load(&c, 2, argv, stdout, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err, "cannot open: File name too long"));
	assert_non_null(strstr(err, "xxxxxxxx"));
}

static void test_flags_override_file(void **state)
{
	const char *p = write_conf("seed = 7\nspeed_factor = 10\n");
	char *argv[] = { "leverd", "--config", (char *)p, "--seed=9",
			 "--speed-factor", "0", NULL };
	struct leverd_cfg c;

	assert_int_equal(cfg_load(&c, 6, argv, stdout, err, sizeof(err)), 0);
	assert_int_equal(c.seed, 9);
	assert_true(c.speed_factor == 0.0);
	unlink(p);
}

static void test_bad_flag_names_command_line(void **state)
{
	char *argv[] = { "leverd", "--config=/dev/null", "--rt-priority=150",
			 NULL };
	struct leverd_cfg c;

	assert_int_equal(cfg_load(&c, 3, argv, stdout, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "command line: rt_priority"));
	assert_non_null(strstr(err, "1..99"));
}

static void test_positional_argument_is_refused(void **state)
{
	char *argv[] = { "leverd", "--config=/dev/null", "fast", NULL };
	struct leverd_cfg c;

	assert_int_equal(cfg_load(&c, 3, argv, stdout, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'fast'"));
}

static void test_help_lists_every_item_with_bounds(void **state)
{
	char *argv[] = { "leverd", "--help", NULL };
	struct leverd_cfg c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(cfg_load(&c, 2, argv, out, err, sizeof(err)), 1);
	fclose(out);
	assert_non_null(strstr(buf, "--release-rate-pct-bw-s=X"));
	assert_non_null(strstr(buf, "0.5..2 %BW/s"));
	assert_non_null(strstr(buf, "--transport=TEXT"));
	free(buf);
}

/* @a dumped to a file and read back over the defaults is @a again. */
static void assert_dump_round_trips(const struct leverd_cfg *a)
{
	struct leverd_cfg b;
	char path[] = "/tmp/leverd-test-dump-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	cfg_dump(a, f);
	fclose(f);
	cfg_defaults(&b);
	assert_int_equal(cfg_load_file(&b, path, err, sizeof(err)), 0);
	assert_memory_equal(a, &b, sizeof(*a));
	unlink(path);
}

static void test_dump_round_trips_through_the_file_parser(void **state)
{
	struct leverd_cfg a;

	cfg_defaults(&a);
	a.jerk_m_s3 = 0.75;
	a.seed = 1234;
	strcpy(a.transport, "sim:");
	assert_dump_round_trips(&a);
}

static void test_estop_line_defaults_to_bias_as_is_and_active_high(void **s)
{
	struct leverd_cfg c;

	/* what lever.ko's lever-safety chip needs: nothing asked of it */
	cfg_defaults(&c);
	assert_int_equal(c.gpio_estop_bias, CFG_GPIO_BIAS_AS_IS);
	assert_false(c.gpio_estop_active_low);
}

static void test_estop_bias_takes_each_of_its_names(void **state)
{
	static const struct {
		const char *name;
		int bias;
	} t[] = {
		{ "pull-up", CFG_GPIO_BIAS_PULL_UP },
		{ "pull-down", CFG_GPIO_BIAS_PULL_DOWN },
		{ "disable", CFG_GPIO_BIAS_DISABLE },
		{ "as-is", CFG_GPIO_BIAS_AS_IS },
	};
	struct leverd_cfg c;
	size_t i;

	cfg_defaults(&c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(cfg_set(&c, "gpio_estop_bias", t[i].name,
					 "test", err, sizeof(err)), 0);
		assert_int_equal(c.gpio_estop_bias, t[i].bias);
	}
}

static void test_unknown_estop_bias_is_refused_with_the_choices(void **s)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "gpio_estop_bias", "pullup",
				 "leverd.conf:4", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "leverd.conf:4"));
	assert_non_null(strstr(err, "gpio_estop_bias"));
	assert_non_null(strstr(err, "'pullup'"));
	assert_non_null(strstr(err, "as-is, pull-up, pull-down or disable"));
	assert_int_equal(c.gpio_estop_bias, CFG_GPIO_BIAS_AS_IS);
}

static void test_estop_active_low_is_a_boolean(void **state)
{
	const char *path = write_conf("gpio_estop_active_low = yes\n"
				      "gpio_estop_bias = pull-up\n");
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, path, err, sizeof(err)), 0);
	unlink(path);
	assert_true(c.gpio_estop_active_low);
	assert_int_equal(c.gpio_estop_bias, CFG_GPIO_BIAS_PULL_UP);
	assert_int_equal(cfg_set(&c, "gpio_estop_active_low", "false", "test",
				 err, sizeof(err)), 0);
	assert_false(c.gpio_estop_active_low);
	assert_int_equal(cfg_set(&c, "gpio-estop-active-low", "1", "test",
				 err, sizeof(err)), 0);
	assert_true(c.gpio_estop_active_low);
}

static void test_estop_active_low_refuses_a_non_boolean(void **state)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "gpio_estop_active_low", "maybe",
				 "command line", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gpio_estop_active_low"));
	assert_non_null(strstr(err, "'maybe'"));
	assert_non_null(strstr(err, "true or false"));
	assert_false(c.gpio_estop_active_low);
}

static void test_key_line_defaults_to_bias_as_is_and_active_high(void **s)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(c.gpio_key_bias, CFG_GPIO_BIAS_AS_IS);
	assert_false(c.gpio_key_active_low);
}

static void test_key_bias_and_active_low_leave_the_estop_as_it_is(void **s)
{
	const char *path = write_conf("gpio_key_bias = pull-down\n"
				      "gpio_key_active_low = true\n");
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_load_file(&c, path, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(c.gpio_key_bias, CFG_GPIO_BIAS_PULL_DOWN);
	assert_true(c.gpio_key_active_low);
	assert_int_equal(c.gpio_estop_bias, CFG_GPIO_BIAS_AS_IS);
	assert_false(c.gpio_estop_active_low);
}

static void test_unknown_key_bias_is_refused_with_the_choices(void **s)
{
	struct leverd_cfg c;

	cfg_defaults(&c);
	assert_int_equal(cfg_set(&c, "gpio_key_bias", "up", "leverd.conf:7",
				 err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "leverd.conf:7"));
	assert_non_null(strstr(err, "gpio_key_bias"));
	assert_non_null(strstr(err, "as-is, pull-up, pull-down or disable"));
	assert_int_equal(c.gpio_key_bias, CFG_GPIO_BIAS_AS_IS);
	assert_int_equal(cfg_set(&c, "gpio_key_active_low", "maybe", "test",
				 err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gpio_key_active_low"));
	assert_false(c.gpio_key_active_low);
}

static void test_help_names_the_bias_choices_and_the_boolean(void **state)
{
	char *argv[] = { "leverd", "--help", NULL };
	struct leverd_cfg c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(cfg_load(&c, 2, argv, out, err, sizeof(err)), 1);
	fclose(out);
	assert_non_null(strstr(buf, "--gpio-estop-bias=NAME"));
	assert_non_null(strstr(buf,
		"default as-is; as-is, pull-up, pull-down or disable"));
	assert_non_null(strstr(buf, "--gpio-estop-active-low=BOOL"));
	assert_non_null(strstr(buf, "--gpio-key-bias=NAME"));
	assert_non_null(strstr(buf, "--gpio-key-active-low=BOOL"));
	free(buf);
}

static void test_dump_round_trips_the_bias_and_active_low(void **state)
{
	struct leverd_cfg a;

	cfg_defaults(&a);
	a.gpio_estop_bias = CFG_GPIO_BIAS_PULL_DOWN;
	a.gpio_estop_active_low = true;
	a.gpio_key_bias = CFG_GPIO_BIAS_PULL_UP;
	a.gpio_key_active_low = true;
	assert_dump_round_trips(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_safety_md_values),
		cmocka_unit_test(test_value_above_bound_is_refused_with_name_and_bounds),
		cmocka_unit_test(test_value_below_bound_is_refused),
		cmocka_unit_test(test_release_rate_cannot_exceed_two_pct_bw_per_s),
		cmocka_unit_test(test_non_number_is_refused),
		cmocka_unit_test(test_unknown_item_is_refused),
		cmocka_unit_test(test_too_long_string_is_refused),
		cmocka_unit_test(test_flag_value_the_file_cannot_hold_is_refused),
		cmocka_unit_test(test_a_law_that_does_not_exist_is_refused_by_name),
		cmocka_unit_test(test_file_sets_items_and_skips_comments),
		cmocka_unit_test(test_file_error_names_file_and_line),
		cmocka_unit_test(test_file_line_without_equals_is_an_error),
		cmocka_unit_test(test_missing_config_file_is_an_error),
		cmocka_unit_test(test_unopenable_config_gives_the_system_reason),
		cmocka_unit_test(test_flags_override_file),
		cmocka_unit_test(test_bad_flag_names_command_line),
		cmocka_unit_test(test_positional_argument_is_refused),
		cmocka_unit_test(test_help_lists_every_item_with_bounds),
		cmocka_unit_test(test_dump_round_trips_through_the_file_parser),
		cmocka_unit_test(test_estop_line_defaults_to_bias_as_is_and_active_high),
		cmocka_unit_test(test_estop_bias_takes_each_of_its_names),
		cmocka_unit_test(test_unknown_estop_bias_is_refused_with_the_choices),
		cmocka_unit_test(test_estop_active_low_is_a_boolean),
		cmocka_unit_test(test_estop_active_low_refuses_a_non_boolean),
		cmocka_unit_test(test_help_names_the_bias_choices_and_the_boolean),
		cmocka_unit_test(test_key_line_defaults_to_bias_as_is_and_active_high),
		cmocka_unit_test(test_key_bias_and_active_low_leave_the_estop_as_it_is),
		cmocka_unit_test(test_unknown_key_bias_is_refused_with_the_choices),
		cmocka_unit_test(test_dump_round_trips_the_bias_and_active_low),
	};

	return cmocka_run_group_tests_name("leverd cfg", tests, NULL, NULL);
}
