/*
 * test_units.c — Check unit tests of the unit table and dimension algebra (units.h):
 * the table agrees with units.def, scales convert to SI, dimension products and quotients,
 * readable names, and "did you mean" suggestions.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static const units_unit *unit(const char *s)
{
    int i = units_lookup(s, strlen(s));
    ck_assert_msg(i >= 0, "unit %s missing", s);
    return units_get(i);
}

START_TEST(test_required_units_exist)
{
    static const char *const req[] = {"s", "ms", "min", "h", "d", "mm", "cm", "m", "km", "m/s", "m/min",
                                      "mm/s", "m/s^2", "g", "kg", "t", "W", "kW", "MW", "J", "kJ", "MJ",
                                      "Wh", "kWh", "K", "degC", "J/K", "kJ/K", "K/W", "/s", "/min", "/h"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        unit(req[i]);
    ck_assert_int_lt(units_lookup("furlong", 7), 0);
}
END_TEST

START_TEST(test_scales_to_si)
{
    ck_assert_double_eq(unit("h")->scale, 3600.0);
    ck_assert_double_eq(unit("min")->scale, 60.0);
    ck_assert_double_eq(unit("kWh")->scale, 3.6e6);
    ck_assert_double_eq(unit("kW*h")->scale, 3.6e6);
    ck_assert_double_eq_tol(unit("/h")->scale, 1.0 / 3600.0, 1e-18);
    ck_assert_double_eq(unit("degC")->offset, 273.15);
}
END_TEST

START_TEST(test_dimension_algebra)
{
    /* length / speed is a time */
    fm_dim t, e, n;
    ck_assert(units_dim_div(unit("m")->dim, unit("m/s")->dim, &t));
    ck_assert(units_dim_eq(t, UNITS_TIME));
    /* power * time is energy */
    ck_assert(units_dim_mul(unit("kW")->dim, unit("h")->dim, &e));
    ck_assert(units_dim_eq(e, unit("kWh")->dim));
    /* rate * time is dimensionless */
    ck_assert(units_dim_mul(unit("/h")->dim, unit("s")->dim, &n) && units_dim_is_none(n));
    ck_assert(!units_dim_eq(unit("m")->dim, unit("s")->dim));
}
END_TEST

START_TEST(test_dimension_exponent_overflow_is_refused)
{
    /* m^127 * m and 1/m^128 / m leave the int8_t exponents: refused, not wrapped around */
    fm_dim m127 = UNITS_DIM(0, 127, 0, 0, 0), m_128 = UNITS_DIM(0, -128, 0, 0, 0), d = UNITS_TIME;
    ck_assert(!units_dim_mul(m127, UNITS_LENGTH, &d));
    ck_assert(!units_dim_div(m_128, UNITS_LENGTH, &d));
    ck_assert(!units_dim_div(UNITS_DIM(0, 0, 0, 0, 0), m_128, &d));
    ck_assert(units_dim_eq(d, UNITS_TIME));     /* unchanged */
    /* the extremes themselves are fine */
    ck_assert(units_dim_mul(UNITS_DIM(0, 126, 0, 0, 0), UNITS_LENGTH, &d) && units_dim_eq(d, m127));
    ck_assert(units_dim_div(UNITS_DIM(0, -127, 0, 0, 0), UNITS_LENGTH, &d) && units_dim_eq(d, m_128));
}
END_TEST

START_TEST(test_dimension_names)
{
    char b[48];
    ck_assert_str_eq(units_dim_str(unit("s")->dim, b, sizeof b), "time");
    ck_assert_str_eq(units_dim_str(unit("kW")->dim, b, sizeof b), "power");
    ck_assert_str_eq(units_dim_str(unit("K/W")->dim, b, sizeof b), "thermal resistance");
    fm_dim d;
    ck_assert(units_dim_mul(unit("m")->dim, unit("m")->dim, &d));
    ck_assert_str_eq(units_dim_str(d, b, sizeof b), "m^2");
    ck_assert(units_dim_div(unit("kg")->dim, unit("s")->dim, &d));
    ck_assert_str_eq(units_dim_str(d, b, sizeof b), "kg/s");
    ck_assert(units_dim_by_name("rate", &d) && units_dim_eq(d, unit("/s")->dim));
    ck_assert(!units_dim_by_name("colour", &d));
}
END_TEST

START_TEST(test_suggestions)
{
    ck_assert_str_eq(units_suggest("mins"), "min");
    ck_assert_str_eq(units_suggest("kw"), "kW");
    ck_assert_ptr_null(units_suggest("parsec"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_required_units_exist);
    tcase_add_test(tc, test_scales_to_si);
    tcase_add_test(tc, test_dimension_algebra);
    tcase_add_test(tc, test_dimension_exponent_overflow_is_refused);
    tcase_add_test(tc, test_dimension_names);
    tcase_add_test(tc, test_suggestions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
