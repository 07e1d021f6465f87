/*
 * test_dist_internal.c — deterministic checks of dist.c's internals: the ziggurat tables and
 * the library-independent exp/log.
 *
 * Test-only access to internals: this file includes runtime/src/dist.c itself (the executable
 * is linked without dist.c) so it can read its static tables and functions.
 *
 * exp, log, log1p: compared with the C library (glibc's are within about 0.52 ulp of exact) at
 * 10^6 points each over their whole range, plus special values; the stated accuracy is 1 ulp
 * (2 ulp for log1p), i.e. a difference of at most 1 (2) ulp from the C library's result.
 *
 * Ziggurat tables (normal and exponential), checked independently of the generator script:
 * every layer has the same area v (relative 2e-13), the base strip and tail add up to v with
 * the exact tail integral, the f table is the density at the x table (to the rounding of x,
 * tolerance derived below), the layers shrink monotonically to x = 0, and the fast-path
 * acceptance rate (the mean over layers of x[i+1]/x[i]) is the 98.5 % (normal) and 97.8 %
 * (exponential) stated in dist.c.
 */
#include "../../runtime/src/dist.c"

#include <check.h>
#include <stdlib.h>

/* difference of a and b in units in the last place of b */
static double ulp_diff(double a, double b)
{
    if (a == b)
        return 0.0;
    double ulp = nextafter(fabs(b), INFINITY) - fabs(b);
    return fabs(a - b) / ulp;
}

START_TEST(log_and_exp_are_accurate)
{
    fab_rng r;
    fab_rng_init(&r, 11, "dist-internal", "elementary", 0);
    double worst_log = 0, worst_exp = 0, worst_log1p = 0;
    for (int i = 0; i < 1000000; i++) {
        double u = fab_rng_u01(&r);
        double wide = ldexp(0.5 + fab_rng_u01(&r), (int)fab_rng_below(&r, 2100) - 1074);
        double near_one = 0.5 + 1.5 * fab_rng_u01(&r);
        double e_wide = -745.0 + 1454.0 * fab_rng_u01(&r);
        double e_small = 2.0 * fab_rng_u01(&r) - 1.0;
        worst_log = fmax(worst_log, ulp_diff(dist_log(u), log(u)));
        worst_log = fmax(worst_log, ulp_diff(dist_log(wide), log(wide)));
        worst_log = fmax(worst_log, ulp_diff(dist_log(near_one), log(near_one)));
        worst_exp = fmax(worst_exp, ulp_diff(dist_exp(e_wide), exp(e_wide)));
        worst_exp = fmax(worst_exp, ulp_diff(dist_exp(e_small), exp(e_small)));
        worst_log1p = fmax(worst_log1p, ulp_diff(dist_log1p(u * 4), log1p(u * 4)));
        worst_log1p = fmax(worst_log1p, ulp_diff(dist_log1p(u * 1e-9), log1p(u * 1e-9)));
    }
    ck_assert_msg(worst_log <= 1.0, "log: %.2f ulp", worst_log);
    ck_assert_msg(worst_exp <= 1.0, "exp: %.2f ulp", worst_exp);
    ck_assert_msg(worst_log1p <= 2.0, "log1p: %.2f ulp", worst_log1p);

    ck_assert(dist_log(1.0) == 0.0);
    ck_assert(dist_log(0.0) == -INFINITY);
    ck_assert(isnan(dist_log(-1.0)) && isnan(dist_log(NAN)));
    ck_assert(dist_log(INFINITY) == INFINITY);
    ck_assert(ulp_diff(dist_log(0x1p-1074), log(0x1p-1074)) <= 1.0);
    ck_assert(dist_exp(0.0) == 1.0);
    ck_assert(dist_exp(710.0) == INFINITY && dist_exp(-746.0) == 0.0);
    ck_assert(dist_exp(-INFINITY) == 0.0 && isnan(dist_exp(NAN)));
    ck_assert(ulp_diff(dist_exp(-740.0), exp(-740.0)) <= 1.0); /* subnormal result */
    ck_assert(ulp_diff(dist_exp(709.78), exp(709.78)) <= 1.0);
    ck_assert(dist_log1p(0x1p-60) == 0x1p-60);
    /* the public entry points are the samplers' functions */
    ck_assert(fab_dist_math_exp(0.3) == dist_exp(0.3) && fab_dist_math_log(7.5) == dist_log(7.5));
    ck_assert(ulp_diff(dist_pow_pos(2.0, 0.5), sqrt(2.0)) <= 1.0);
}
END_TEST

/* One ziggurat: x[0..256] and f[0..256] for the density f, tail = integral of f beyond r. */
typedef struct zig {
    const char *name;
    const double *x, *f;
    double (*density)(double);
    double (*tail)(double);
    double fast_rate; /* documented share of draws that end on the fast path */
} zig;

static double normal_density(double x) { return exp(-0.5 * x * x); }
static double normal_tail(double r) { return sqrt(M_PI / 2) * erfc(r / sqrt(2.0)); }
static double exp_density(double x) { return exp(-x); }
static double exp_tail(double r) { return exp(-r); }

static const zig zigs[2] = {
    {"normal", dist_zig_x, dist_zig_f, normal_density, normal_tail, 0.985},
    {"exponential", dist_zig_exp_x, dist_zig_exp_f, exp_density, exp_tail, 0.978},
};

START_TEST(layers_have_equal_area)
{
    const zig *z = &zigs[_i];
    const double *x = z->x, *f = z->f;
    const double r = x[1];
    const double v = r * f[1] + z->tail(r);
    ck_assert_msg(fabs(x[0] * f[1] - v) <= 1e-14 * v, "%s: base strip %.17g vs v %.17g", z->name,
                  x[0] * f[1], v);
    /* f[i+1] - f[i] >= v (about 0.005) loses at most 2 ulp(1) / 0.004 = 1.2e-13 relative */
    for (int i = 1; i < DIST_ZIG_LAYERS; i++) {
        double area = x[i] * (f[i + 1] - f[i]);
        ck_assert_msg(fabs(area - v) <= 2e-13 * v, "%s: layer %d area %.17g vs %.17g", z->name, i,
                      area, v);
    }
    ck_assert(x[DIST_ZIG_LAYERS] == 0.0 && f[DIST_ZIG_LAYERS] == 1.0);
}
END_TEST

START_TEST(tables_are_consistent)
{
    const zig *z = &zigs[_i];
    const double *x = z->x, *f = z->f;
    double fast = 0;
    for (int i = 0; i <= DIST_ZIG_LAYERS; i++) {
        /* x[i] carries a rounding error up to x 2^-53, which moves the density by a relative
         * |x f'/f| x 2^-53 (x^2 for the normal, x for the exponential); add one rounding each
         * for exp and for f[i] itself */
        double want = z->density(x[i]);
        double slope = z->density == normal_density ? x[i] * x[i] : x[i];
        double tol = (slope * 0x1p-53 + 2 * 0x1p-53) * want;
        ck_assert_msg(fabs(f[i] - want) <= tol, "%s: f[%d] = %.17g, exp gives %.17g", z->name, i,
                      f[i], want);
        if (i > 0)
            ck_assert(x[i] < x[i - 1]);
        if (i < DIST_ZIG_LAYERS)
            fast += x[i + 1] / x[i];
    }
    fast /= DIST_ZIG_LAYERS;
    ck_assert_msg(fabs(fast - z->fast_rate) < 0.001, "%s: fast-path rate %.5f", z->name, fast);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dist_internal");
    TCase *tc = tcase_create("dist_internal");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, log_and_exp_are_accurate);
    tcase_add_loop_test(tc, layers_have_equal_area, 0, 2);
    tcase_add_loop_test(tc, tables_are_consistent, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
