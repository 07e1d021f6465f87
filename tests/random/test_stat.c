/*
 * test_stat.c — unit tests of the statistics accumulators (fab/stat.h).
 *
 * Tallies against a two-pass computation, time averages against integrals worked out by hand,
 * reset semantics, the lead-time histogram's bins and quantiles against exact sample
 * quantiles, P² against the exact quantiles of the laws sampled (z-test at alpha = 0.001 with
 * P²'s asymptotic variance, derived at the test), the Student-t quantile against printed table
 * values and closed forms, and the edge cases of fab_stat_summarize.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fab/dist.h"
#include "fab/stat.h"
#include "testmath.h"

/* ---- tally -------------------------------------------------------------------------------- */

/* Welford against a two-pass computation on 10^5 normal(offset, 3) observations, for offsets
 * 100 and 10^9 (where the naive sum-of-squares formula loses every digit). Tolerances from the
 * rounding analysis of the running mean: each update rounds by up to u = ulp(offset) / 2, so
 * the mean wanders by about sqrt(n) u (bound used: 2 sqrt(n) ulp); that error enters m2 through
 * a zero-mean sum of n deviations, a relative error of about 2 sqrt(n) u / (sigma sqrt(n))
 * (bound used: 4 ulp / sigma). */
START_TEST(tally_matches_two_pass)
{
    enum { N = 100000 };
    static double x[N];
    const double offsets[2] = {100.0, 1e9}, sigma = 3.0;
    for (int o = 0; o < 2; o++) {
        const double offset = offsets[o];
        const double ulp = nextafter(offset, INFINITY) - offset;
        fab_rng r;
        fab_rng_init(&r, 1, "stat-test", "tally", (uint64_t)o);
        fab_stat_tally t;
        fab_stat_tally_reset(&t);
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < N; i++) {
            x[i] = offset + fab_dist_normal(&r, 0, sigma);
            fab_stat_tally_add(&t, x[i]);
            lo = fmin(lo, x[i]);
            hi = fmax(hi, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < N; i++)
            sum += x[i] - offset;
        double mean = offset + sum / N;
        double ss = 0;
        for (int i = 0; i < N; i++)
            ss += (x[i] - mean) * (x[i] - mean);
        double var = ss / (N - 1);
        ck_assert_uint_eq(t.n, N);
        ck_assert_msg(fabs(fab_stat_tally_mean(&t) - mean) <= 2 * sqrt((double)N) * ulp,
                      "offset %g: mean %.17g vs %.17g", offset, fab_stat_tally_mean(&t), mean);
        ck_assert_msg(fabs(fab_stat_tally_var(&t) - var) <= 4 * ulp / sigma * var,
                      "offset %g: var %.17g vs %.17g", offset, fab_stat_tally_var(&t), var);
        ck_assert(t.min == lo && t.max == hi);
    }
}
END_TEST

START_TEST(tally_small_counts_and_reset)
{
    fab_stat_tally t;
    fab_stat_tally_reset(&t);
    ck_assert(isnan(fab_stat_tally_mean(&t)));
    ck_assert(isnan(fab_stat_tally_var(&t)));
    fab_stat_tally_add(&t, 4.0);
    ck_assert(fab_stat_tally_mean(&t) == 4.0);
    ck_assert(isnan(fab_stat_tally_var(&t)));
    fab_stat_tally_add(&t, 8.0);
    fab_stat_tally_add(&t, 6.0);
    ck_assert(fab_stat_tally_mean(&t) == 6.0);
    ck_assert(fab_stat_tally_var(&t) == 4.0); /* ((-2)^2 + 2^2 + 0) / 2 */
    ck_assert(t.min == 4.0 && t.max == 8.0);
    /* end of warmup: everything before is forgotten */
    fab_stat_tally_reset(&t);
    ck_assert_uint_eq(t.n, 0);
    ck_assert(isnan(fab_stat_tally_mean(&t)));
    fab_stat_tally_add(&t, -1.0);
    fab_stat_tally_add(&t, 1.0);
    ck_assert(fab_stat_tally_mean(&t) == 0.0);
    ck_assert(fab_stat_tally_var(&t) == 2.0);
    ck_assert(t.min == -1.0 && t.max == 1.0);
}
END_TEST

/* ---- time average ------------------------------------------------------------------------- */

START_TEST(timeavg_matches_hand_integrals)
{
    /* level: 0 on [0,1), 2 on [1,3), 3 on [3,4), 0 on [4,5]: integral 0 + 4 + 3 + 0 = 7 */
    fab_stat_timeavg a = {0};
    fab_stat_timeavg_reset(&a, 0.0);
    fab_stat_timeavg_set(&a, 1.0, 2.0);
    ck_assert(fab_stat_timeavg_mean(&a, 2.0) == 1.0); /* (0 + 2) / 2, before the next change */
    fab_stat_timeavg_add(&a, 3.0, 1.0);
    fab_stat_timeavg_set(&a, 4.0, 0.0);
    ck_assert(fabs(fab_stat_timeavg_mean(&a, 5.0) - 7.0 / 5.0) < 1e-15);
    ck_assert(a.max == 3.0);
    ck_assert(a.level == 0.0);

    /* warmup ends at t = 2 while the level is 2: the window restarts, the level stays */
    fab_stat_timeavg b = {0};
    fab_stat_timeavg_reset(&b, 0.0);
    fab_stat_timeavg_set(&b, 1.0, 2.0);
    fab_stat_timeavg_reset(&b, 2.0);
    ck_assert(b.level == 2.0 && b.max == 2.0 && b.area == 0.0);
    ck_assert(isnan(fab_stat_timeavg_mean(&b, 2.0))); /* empty window */
    fab_stat_timeavg_add(&b, 3.0, 1.0);
    fab_stat_timeavg_set(&b, 4.0, 0.0);
    /* 2*1 + 3*1 + 0*1 over [2, 5] */
    ck_assert(fabs(fab_stat_timeavg_mean(&b, 5.0) - 5.0 / 3.0) < 1e-15);
    ck_assert(b.max == 3.0);

    /* several changes at the same instant contribute nothing */
    fab_stat_timeavg c = {0};
    fab_stat_timeavg_reset(&c, 10.0);
    fab_stat_timeavg_add(&c, 10.0, 5.0);
    fab_stat_timeavg_add(&c, 10.0, -5.0);
    fab_stat_timeavg_add(&c, 12.0, 1.0);
    ck_assert(c.max == 5.0);
    ck_assert(fab_stat_timeavg_mean(&c, 14.0) == 0.5); /* 0 on [10,12], 1 on [12,14] */
}
END_TEST

/* An M/M/1-like random level: the time average equals the exact integral accumulated
 * independently in this test (relative 1e-12). */
START_TEST(timeavg_random_walk)
{
    fab_rng r;
    fab_rng_init(&r, 2, "stat-test", "timeavg", 0);
    fab_stat_timeavg a = {0};
    fab_stat_timeavg_reset(&a, 0.0);
    double t = 0, level = 0, area = 0, mx = 0;
    for (int i = 0; i < 100000; i++) {
        double dt = fab_dist_exponential(&r, 1.0);
        area += level * dt;
        t += dt;
        double delta = level > 0 && fab_dist_bernoulli(&r, 0.55) ? -1.0 : 1.0;
        level += delta;
        mx = fmax(mx, level);
        fab_stat_timeavg_add(&a, t, delta);
    }
    double end = t + 1.0;
    area += level * 1.0;
    ck_assert(fabs(fab_stat_timeavg_mean(&a, end) - area / end) <= 1e-12 * (area / end));
    ck_assert(a.max == mx);
}
END_TEST

/* ---- P² quantiles ------------------------------------------------------------------------- */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* exact sample quantile, linear interpolation between order statistics (h = (n - 1) p) */
static double sorted_quantile(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return s[n - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

/* The laws of the P² test: 0 uniform(0, 1), 1 exponential(60), 2 lognormal(mean 100, sd 150),
 * 3 the mixture 0.7 N(10, 1) + 0.3 N(30, 2). Exact CDF, density and quantile (by bisection). */
static double p2_law_sample(int law, fab_rng *r)
{
    switch (law) {
    case 0: return fab_dist_uniform(r, 0, 1);
    case 1: return fab_dist_exponential(r, 60);
    case 2: return fab_dist_lognormal(r, 100, 150);
    default:
        return fab_dist_bernoulli(r, 0.7) ? fab_dist_normal(r, 10, 1) : fab_dist_normal(r, 30, 2);
    }
}

static double std_normal_pdf(double z)
{
    return exp(-z * z / 2) / sqrt(2 * M_PI);
}

/* lognormal(mean 100, sd 150): ln X ~ N(m, s^2) with s^2 = ln(1 + 1.5^2), m = ln 100 - s^2 / 2 */
static const double p2_ln_sd_over_mean = 1.5;

static double p2_ln_s(void)
{
    return sqrt(log(1.0 + p2_ln_sd_over_mean * p2_ln_sd_over_mean));
}

static double p2_ln_z(double x)
{
    double s = p2_ln_s();
    return (log(x) - (log(100.0) - s * s / 2)) / s;
}

static double p2_law_cdf(int law, double x)
{
    switch (law) {
    case 0: return x <= 0 ? 0.0 : x >= 1 ? 1.0 : x;
    case 1: return x <= 0 ? 0.0 : -expm1(-x / 60);
    case 2: return x <= 0 ? 0.0 : tm_normal_cdf(p2_ln_z(x));
    default: return 0.7 * tm_normal_cdf(x - 10) + 0.3 * tm_normal_cdf((x - 30) / 2);
    }
}

static double p2_law_pdf(int law, double x)
{
    switch (law) {
    case 0: return x < 0 || x > 1 ? 0.0 : 1.0;
    case 1: return x < 0 ? 0.0 : exp(-x / 60) / 60;
    case 2: return x <= 0 ? 0.0 : std_normal_pdf(p2_ln_z(x)) / (x * p2_ln_s());
    default: return 0.7 * std_normal_pdf(x - 10) + 0.3 * std_normal_pdf((x - 30) / 2) / 2;
    }
}

static double p2_law_quantile(int law, double u)
{
    double lo = -1e3, hi = 1e6; /* F(lo) = 0 and F(hi) = 1 to double precision for all four */
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (p2_law_cdf(law, mid) < u)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* P² on 10^5 observations of each law above, for p = 0.5, 0.9, 0.99, against the exact quantile
 * x_p = Q(p) of the law (Q = F^-1), on the rank scale: the statistic is F(est) - p, which is
 * f(x_p) (est - x_p) to first order.
 *   - Sampling error: the exact sample quantile X_(k) has F(X_(k)) ~ Beta(k, n + 1 - k),
 *     asymptotically N(p, p (1 - p) / n), i.e. sd sqrt(p (1 - p) / n) / f(x_p) on the scale of x.
 *   - P²'s approximation: P² is a stochastic approximation. Each observation below the middle
 *     marker q raises its count by 1 while its desired position rises by p, and when the two
 *     differ by 1 the marker moves one position, by the spacing its parabolic formula takes
 *     from the neighbouring markers. For large n those sit at levels p/2 and (1 + p)/2 (they
 *     converge in the same way), the formula weighs the right and left secant slopes of Q by
 *     the opposite gaps' shares p and 1 - p, and the step is Q'_est / n with
 *       Q'_est = p (Q((1 + p)/2) - Q(p)) / ((1 - p)/2) + (1 - p) (Q(p) - Q(p/2)) / (p/2).
 *     So q follows the Robbins–Monro recursion q += (Q'_est / n) (p - 1{x < q}), and (Sacks,
 *     Ann. Math. Statist. 29, 1958) F(q) - p is asymptotically normal with variance
 *       g^2 / (2g - 1) * p (1 - p) / n,   g = Q'_est f(x_p) > 1/2.
 *     g = 1 when the secants give the local slope 1 / f(x_p) (the uniform at any p), and then P²
 *     is as accurate as the exact sample quantile; the other cases here have g between 1 and
 *     1.52 (variance factor at most 1.13), except the mixture at p = 0.5, g = 8.8 (its
 *     0.75-marker sits in the second peak, so the steps are far too long), a variance factor
 *     4.7.
 * Check: z = (F(est) - p) / sqrt(g^2 / (2g - 1) p (1 - p) / n), two-sided at alpha = TM_ALPHA
 * (0.001) per (law, p); g is computed here from the exact Q and f, not measured. */
START_TEST(p2_tracks_exact_quantiles)
{
    enum { N = 100000 };
    const double ps[3] = {0.5, 0.9, 0.99};
    for (int law = 0; law < 4; law++) {
        fab_rng r;
        fab_rng_init(&r, 3, "stat-test", "p2", (uint64_t)law);
        fab_stat_quantile q[3];
        for (int k = 0; k < 3; k++)
            fab_stat_quantile_init(&q[k], ps[k]);
        for (int i = 0; i < N; i++) {
            double x = p2_law_sample(law, &r);
            for (int k = 0; k < 3; k++)
                fab_stat_quantile_add(&q[k], x);
        }
        for (int k = 0; k < 3; k++) {
            const double p = ps[k];
            double xp = p2_law_quantile(law, p);
            double slope = p * (p2_law_quantile(law, (1 + p) / 2) - xp) / ((1 - p) / 2)
                           + (1 - p) * (xp - p2_law_quantile(law, p / 2)) / (p / 2);
            double g = slope * p2_law_pdf(law, xp);
            ck_assert_msg(g > 0.5, "law %d p %.2f: g = %.3f", law, p, g);
            double est = fab_stat_quantile_value(&q[k]);
            double z = (p2_law_cdf(law, est) - p) / sqrt(g * g / (2 * g - 1) * p * (1 - p) / N);
            ck_assert_msg(tm_z_pvalue(z) >= TM_ALPHA,
                          "law %d p %.2f: estimate %g, exact %g, rank %.5f, g %.2f, z %.2f", law,
                          p, est, xp, p2_law_cdf(law, est), g, z);
            ck_assert_uint_eq(q[k].n, N);
        }
    }
}
END_TEST

START_TEST(p2_is_exact_below_five_observations)
{
    fab_stat_quantile q;
    fab_stat_quantile_init(&q, 0.9);
    ck_assert(isnan(fab_stat_quantile_value(&q)));
    fab_stat_quantile_add(&q, 5.0);
    ck_assert(fab_stat_quantile_value(&q) == 5.0);
    fab_stat_quantile_add(&q, 1.0);
    ck_assert(fabs(fab_stat_quantile_value(&q) - 4.6) < 1e-15); /* 1 + 0.9 * 4 */
    fab_stat_quantile_add(&q, 3.0);
    ck_assert(fabs(fab_stat_quantile_value(&q) - 4.6) < 1e-15); /* h = 1.8: 3 + 0.8 * 2 */
    fab_stat_quantile_add(&q, 2.0);
    ck_assert(fabs(fab_stat_quantile_value(&q) - 4.4) < 1e-15); /* h = 2.7: 3 + 0.7 * 2 */
    fab_stat_quantile median;
    fab_stat_quantile_init(&median, 0.5);
    const double v[5] = {9, 2, 7, 4, 5};
    for (int i = 0; i < 5; i++)
        fab_stat_quantile_add(&median, v[i]);
    ck_assert(fab_stat_quantile_value(&median) == 5.0);
    /* constant data stays exact */
    fab_stat_quantile c;
    fab_stat_quantile_init(&c, 0.99);
    for (int i = 0; i < 1000; i++)
        fab_stat_quantile_add(&c, 7.0);
    ck_assert(fab_stat_quantile_value(&c) == 7.0);
}
END_TEST

/* ---- Student t and summaries -------------------------------------------------------------- */


/* ---- histogram ---------------------------------------------------------------------------- */

/* One observation per bin edge case, values worked out by hand: 1.0 is the first value of bin
 * (1 + 9) * 128 = 1280, whose width is 2^1 / 256, so a single observation reads as the bin's
 * middle, 1 + 1/256; 0, negative and NAN observations and those below 2^-10 count as `low`
 * (quantile 0); 2^40 lands in the last bin. */
START_TEST(hist_bins_and_edges)
{
    fab_stat_hist h;
    ck_assert_int_eq(fab_stat_hist_init(&h), 0);
    ck_assert(isnan(fab_stat_hist_quantile(&h, 0.5)));
    fab_stat_hist_add(&h, 1.0);
    ck_assert_uint_eq(h.bin[1280], 1);
    ck_assert(fab_stat_hist_quantile(&h, 0.5) == 1.0 + 1.0 / 256);
    ck_assert(fab_stat_hist_quantile(&h, 0.0) == 1.0 + 1.0 / 256);
    fab_stat_hist_add(&h, 0.0);
    fab_stat_hist_add(&h, -3.0);
    fab_stat_hist_add(&h, NAN);
    fab_stat_hist_add(&h, ldexp(1.0, -11));
    ck_assert_uint_eq(h.low, 4);
    ck_assert_uint_eq(fab_stat_hist_count(&h), 5);
    ck_assert(fab_stat_hist_quantile(&h, 0.5) == 0.0);            /* rank 2 of 0..4: low */
    ck_assert(fab_stat_hist_quantile(&h, 1.0) == 1.0 + 1.0 / 256); /* rank 4: the 1.0 */
    fab_stat_hist_add(&h, ldexp(1.0, 40));
    ck_assert_uint_eq(h.bin[FAB_STAT_HIST_BINS - 1], 1);
    double top = fab_stat_hist_quantile(&h, 1.0);
    ck_assert(isfinite(top) && top >= ldexp(1.0, 30) && top <= ldexp(1.0, 31));
    fab_stat_hist_reset(&h);
    ck_assert_uint_eq(fab_stat_hist_count(&h), 0);
    ck_assert(isnan(fab_stat_hist_quantile(&h, 0.9)));
    fab_stat_hist_free(&h);
    ck_assert(h.bin == NULL);
}
END_TEST

/* Values at and beyond the top of the range, and the non-finite ones: 2^31, 2^40, DBL_MAX and
 * +inf count in the last bin (for +inf, frexp gives no mantissa in [1/2, 1) to compute a bin
 * from), -inf and NAN in `low`; 2^30, the first value of the last octave, in that octave's first
 * bin (BINS - SUB). No other bin is touched: the count is the sum of those. */
START_TEST(hist_huge_and_infinite_values_in_last_bin)
{
    fab_stat_hist h;
    ck_assert_int_eq(fab_stat_hist_init(&h), 0);
    const double top[4] = {ldexp(1.0, 31), ldexp(1.0, 40), DBL_MAX, INFINITY};
    for (int i = 0; i < 4; i++)
        fab_stat_hist_add(&h, top[i]);
    ck_assert_uint_eq(h.bin[FAB_STAT_HIST_BINS - 1], 4);
    fab_stat_hist_add(&h, -INFINITY);
    fab_stat_hist_add(&h, NAN);
    ck_assert_uint_eq(h.low, 2);
    fab_stat_hist_add(&h, ldexp(1.0, 30));
    ck_assert_uint_eq(h.bin[FAB_STAT_HIST_BINS - FAB_STAT_HIST_SUB], 1);
    ck_assert_uint_eq(fab_stat_hist_count(&h), 7);
    double q = fab_stat_hist_quantile(&h, 1.0);
    ck_assert(q >= ldexp(1.0, 31) - ldexp(1.0, 23) && q <= ldexp(1.0, 31));
    fab_stat_hist_free(&h);
}
END_TEST

/* Quantiles of 10^5 draws (uniform(0.01, 1), exponential(60), lognormal(100, 150)) against the
 * exact interpolated sample quantile, p = 0.5, 0.9, 0.99. A bin spans at most 2^-7 of its lower
 * edge, and both values lie in or beside the bin of the order statistic at the rank, so the
 * relative difference is bounded by about 1/128 plus the gap between adjacent order statistics
 * (below 0.2 % at these sample sizes); tolerance 1 %. */
START_TEST(hist_quantiles_match_exact)
{
    enum { N = 100000 };
    static double x[N];
    const double ps[3] = {0.5, 0.9, 0.99};
    for (int dist = 0; dist < 3; dist++) {
        fab_rng r;
        fab_rng_init(&r, 5, "stat-test", "hist", (uint64_t)dist);
        fab_stat_hist h;
        ck_assert_int_eq(fab_stat_hist_init(&h), 0);
        for (int i = 0; i < N; i++) {
            switch (dist) {
            case 0: x[i] = fab_dist_uniform(&r, 0.01, 1); break;
            case 1: x[i] = fab_dist_exponential(&r, 60); break;
            default: x[i] = fab_dist_lognormal(&r, 100, 150); break;
            }
            fab_stat_hist_add(&h, x[i]);
        }
        qsort(x, N, sizeof *x, cmp_double);
        for (int k = 0; k < 3; k++) {
            double est = fab_stat_hist_quantile(&h, ps[k]);
            double exact = sorted_quantile(x, N, ps[k]);
            ck_assert_msg(fabs(est - exact) <= 0.01 * exact, "dist %d p %.2f: %.17g vs exact %.17g",
                          dist, ps[k], est, exact);
        }
        fab_stat_hist_free(&h);
    }
}
END_TEST

/* Printed two-sided 95 % / 99 % table values (4 decimals, so tolerance 5e-5 plus rounding). */
START_TEST(t_quantile_matches_tables)
{
    static const struct { double p, df, t; } table[] = {
        {0.975, 1, 12.7062}, {0.975, 2, 4.3027}, {0.975, 3, 3.1824}, {0.975, 5, 2.5706},
        {0.975, 9, 2.2622}, {0.975, 10, 2.2281}, {0.975, 29, 2.0452}, {0.975, 30, 2.0423},
        {0.975, 60, 2.0003}, {0.975, 120, 1.9799}, {0.995, 4, 4.6041}, {0.995, 29, 2.7564},
        {0.95, 10, 1.8125}, {0.9, 5, 1.4759}, {0.025, 9, -2.2622}, {0.975, 1e6, 1.9600},
        {0.975, INFINITY, 1.9600},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double t = fab_stat_t_quantile(table[i].p, table[i].df);
        ck_assert_msg(fabs(t - table[i].t) <= 5.1e-5, "t(%g, %g) = %.6f, table %.4f",
                      table[i].p, table[i].df, t, table[i].t);
    }
    /* limit: 1.959963984540054 (normal 97.5 % point) */
    ck_assert(fabs(fab_stat_t_quantile(0.975, 1e15) - 1.959963984540054) < 1e-12);
    ck_assert(fab_stat_t_quantile(0.5, 7) == 0.0);
    ck_assert(isnan(fab_stat_t_quantile(0.0, 7)));
    ck_assert(isnan(fab_stat_t_quantile(1.0, 7)));
    ck_assert(isnan(fab_stat_t_quantile(0.9, 0)));
}
END_TEST

/* Closed forms: df = 1 is Cauchy, t = tan(pi (p - 1/2)); df = 2: t = (2p - 1) / sqrt(2 p (1 - p)).
 * Relative 1e-10. */
START_TEST(t_quantile_matches_closed_forms)
{
    static const double ps[] = {0.51, 0.6, 0.75, 0.9, 0.975, 0.995, 0.9999, 1e-3, 0.3};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i];
        double c1 = tan(M_PI * (p - 0.5));
        double c2 = (2 * p - 1) / sqrt(2 * p * (1 - p));
        double t1 = fab_stat_t_quantile(p, 1), t2 = fab_stat_t_quantile(p, 2);
        ck_assert_msg(fabs(t1 - c1) <= 1e-10 * fabs(c1), "df 1, p %g: %.15g vs %.15g", p, t1, c1);
        ck_assert_msg(fabs(t2 - c2) <= 1e-10 * fabs(c2), "df 2, p %g: %.15g vs %.15g", p, t2, c2);
    }
}
END_TEST

/* t(0.975, df) comes from a table (integral df <= 200) and an expansion (df > 200), computed
 * without the C library. Checked: (1) against the numerical solver, reached through
 * non-integral df + 1e-9 (the quantile moves by less than 3e-8 relative for that change of df,
 * so the tolerance is 1e-7 relative); (2) the expansion against 20-digit values (relative
 * 1e-14); (3) monotone decrease in df across the seam at 200. */
START_TEST(t975_table_and_expansion)
{
    for (int df = 1; df <= 200; df++) {
        double table = fab_stat_t_quantile(0.975, df);
        double solver = fab_stat_t_quantile(0.975, df + 1e-9);
        ck_assert_msg(fabs(table - solver) <= 1e-7 * table, "df %d: table %.15g, solver %.15g",
                      df, table, solver);
        ck_assert(fab_stat_t_quantile(0.025, df) == -table);
    }
    static const struct { double df, t; } exact[] = {
        {201, 1.9718365067798592651}, {250, 1.9694983934211535865},
        {1000, 1.962339080826408485}, {10000, 1.9602012398906262578},
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        double t = fab_stat_t_quantile(0.975, exact[i].df);
        ck_assert_msg(fabs(t - exact[i].t) <= 1e-14 * exact[i].t, "df %g: %.17g", exact[i].df, t);
    }
    double prev = INFINITY;
    for (double df = 1; df <= 300; df += 1) {
        double t = fab_stat_t_quantile(0.975, df);
        ck_assert_msg(t < prev, "not decreasing at df %g", df);
        prev = t;
    }
}
END_TEST

START_TEST(summarize_edge_cases)
{
    fab_stat_summary s = fab_stat_summarize(NULL, 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(isnan(s.mean) && isnan(s.sd) && isnan(s.ci95_lo) && isnan(s.ci95_hi));

    double one[1] = {3.25};
    s = fab_stat_summarize(one, 1);
    ck_assert_uint_eq(s.n, 1);
    ck_assert(s.mean == 3.25 && s.sd == 0.0 && s.ci95_lo == 3.25 && s.ci95_hi == 3.25);

    double only_nan[2] = {NAN, NAN};
    s = fab_stat_summarize(only_nan, 2);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(isnan(s.mean));

    /* {1..5}: mean 3, sd sqrt(2.5), half-width t(0.975, 4) sd / sqrt(5) = 2.7764 * 0.70711 */
    double five[7] = {1, NAN, 2, 3, 4, NAN, 5};
    s = fab_stat_summarize(five, 7);
    ck_assert_uint_eq(s.n, 5);
    ck_assert(s.mean == 3.0);
    ck_assert(fabs(s.sd - sqrt(2.5)) < 1e-15);
    ck_assert(fabs((s.ci95_hi - s.mean) - 1.96324) < 1e-5);
    ck_assert(fabs((s.mean - s.ci95_lo) - 1.96324) < 1e-5);

    double same[3] = {2, 2, 2};
    s = fab_stat_summarize(same, 3);
    ck_assert(s.sd == 0.0 && s.ci95_lo == 2.0 && s.ci95_hi == 2.0);
}
END_TEST

/* Equal values whose sum rounds give their own value as the mean and an sd of 0, so the
 * interval holds them: 0.1 three times sums to 0.30000000000000004 (a mean one ulp above 0.1,
 * an sd of 1.7e-17) and a thousand times to 99.9999999999986 (a mean 1.4e-15 below 0.1, with
 * an interval that excluded 0.1). */
START_TEST(summarize_equal_values_exactly)
{
    static double x[1000];
    const size_t counts[] = {3, 7, 1000};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < counts[k]; i++)
            x[i] = 0.1;
        fab_stat_summary s = fab_stat_summarize(x, counts[k]);
        ck_assert_msg(s.mean == 0.1 && s.sd == 0.0 && s.ci95_lo == 0.1 && s.ci95_hi == 0.1,
                      "n %zu: mean %.17g sd %.17g", counts[k], s.mean, s.sd);
    }
}
END_TEST

/* Coverage of the 95 % interval: 2000 experiments of 10 normal replications each; the number of
 * intervals that contain the true mean is Binomial(2000, 0.95) if the t quantile is right
 * (z-test, alpha = 0.001; a normal 1.96 instead of 2.262 would give 91.8 % and fail). */
START_TEST(summarize_ci_has_nominal_coverage)
{
    enum { EXPERIMENTS = 2000, REPS = 10 };
    fab_rng r;
    fab_rng_init(&r, 4, "stat-test", "coverage", 0);
    int covered = 0;
    for (int e = 0; e < EXPERIMENTS; e++) {
        double x[REPS];
        for (int i = 0; i < REPS; i++)
            x[i] = fab_dist_normal(&r, 50, 7);
        fab_stat_summary s = fab_stat_summarize(x, REPS);
        covered += s.ci95_lo <= 50 && 50 <= s.ci95_hi;
    }
    double z = (covered - 0.95 * EXPERIMENTS) / sqrt(EXPERIMENTS * 0.95 * 0.05);
    ck_assert_msg(fabs(z) <= 3.2905, "coverage %d of %d, z = %.2f", covered, EXPERIMENTS, z);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stat");
    TCase *tc = tcase_create("stat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tally_matches_two_pass);
    tcase_add_test(tc, tally_small_counts_and_reset);
    tcase_add_test(tc, timeavg_matches_hand_integrals);
    tcase_add_test(tc, timeavg_random_walk);
    tcase_add_test(tc, hist_bins_and_edges);
    tcase_add_test(tc, hist_huge_and_infinite_values_in_last_bin);
    tcase_add_test(tc, hist_quantiles_match_exact);
    tcase_add_test(tc, p2_tracks_exact_quantiles);
    tcase_add_test(tc, p2_is_exact_below_five_observations);
    tcase_add_test(tc, t_quantile_matches_tables);
    tcase_add_test(tc, t_quantile_matches_closed_forms);
    tcase_add_test(tc, t975_table_and_expansion);
    tcase_add_test(tc, summarize_edge_cases);
    tcase_add_test(tc, summarize_equal_values_exactly);
    tcase_add_test(tc, summarize_ci_has_nominal_coverage);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
