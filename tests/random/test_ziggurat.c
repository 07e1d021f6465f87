/*
 * test_ziggurat.c — deterministic checks of the normal sampler's ziggurat tables.
 *
 * Test-only access to internals: this file includes runtime/src/dist.c itself (the executable
 * is linked without dist.c) so it can read the static tables. Checked, independently of the
 * generator script: every layer has the same area v (relative 1e-13), the base strip and tail
 * add up to v with the exact tail integral sqrt(pi/2) erfc(r/sqrt 2), the f table is
 * exp(-x^2/2) of the x table (to the rounding of x, tolerance derived below), the layers shrink
 * monotonically to x = 0, and the fast-path acceptance rate (the mean over layers of
 * x[i+1]/x[i]) is the 98.5 % stated in dist.c.
 */
#include "../../runtime/src/dist.c"

#include <check.h>
#include <stdlib.h>

START_TEST(layers_have_equal_area)
{
    const double *x = dist_zig_x, *f = dist_zig_f;
    const double r = x[1];
    const double v = r * f[1] + sqrt(M_PI / 2) * erfc(r / sqrt(2.0));
    ck_assert_msg(fabs(x[0] * f[1] - v) <= 1e-14 * v, "base strip %.17g vs v %.17g", x[0] * f[1], v);
    /* f[i+1] - f[i] >= v (about 0.005) loses at most 2 ulp(1) / 0.005 = 1e-13 relative */
    for (int i = 1; i < DIST_ZIG_LAYERS; i++) {
        double area = x[i] * (f[i + 1] - f[i]);
        ck_assert_msg(fabs(area - v) <= 1e-13 * v, "layer %d area %.17g vs %.17g", i, area, v);
    }
    ck_assert(x[DIST_ZIG_LAYERS] == 0.0 && f[DIST_ZIG_LAYERS] == 1.0);
}
END_TEST

START_TEST(tables_are_consistent)
{
    const double *x = dist_zig_x, *f = dist_zig_f;
    double fast = 0;
    for (int i = 0; i <= DIST_ZIG_LAYERS; i++) {
        /* x[i] carries a rounding error up to x 2^-53, which moves exp(-x^2/2) by a relative
         * x^2 2^-53; add one rounding each for exp and for f[i] itself */
        double want = exp(-0.5 * x[i] * x[i]);
        double tol = (x[i] * x[i] * 0x1p-53 + 2 * 0x1p-53) * want;
        ck_assert_msg(fabs(f[i] - want) <= tol, "f[%d] = %.17g, exp gives %.17g", i,
                      f[i], want);
        if (i > 0)
            ck_assert(x[i] < x[i - 1]);
        if (i < DIST_ZIG_LAYERS)
            fast += x[i + 1] / x[i];
    }
    fast /= DIST_ZIG_LAYERS;
    ck_assert_msg(fast > 0.984 && fast < 0.986, "fast-path rate %.5f", fast);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ziggurat");
    TCase *tc = tcase_create("ziggurat");
    tcase_add_test(tc, layers_have_equal_area);
    tcase_add_test(tc, tables_are_consistent);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
