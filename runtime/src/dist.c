/*
 * dist.c — sampling the distributions of dist.def (implements fab/dist.h).
 *
 * In:  a fab_rng stream and parameters in SI doubles (already validated: the samplers do not
 *      check their parameters; fab_dist_validate does, and callers run it once per model).
 * Out: one draw per call; a draw consumes a number of words from the stream that depends on
 *      the distribution and, for rejection methods, on the values drawn.
 * Memory: none. Tables passed in (discrete/empirical) are borrowed, never kept.
 *
 * Algorithms (see docs/validation.md for the tests of each):
 *   uniform, triangular, exponential, weibull   inversion of the exact CDF (one uniform)
 *   normal       Marsaglia polar method; the second variate of each pair is discarded so a
 *                draw depends only on the stream position (no hidden cache)
 *   lognormal    exp(mu + sigma Z) with sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2
 *   gamma        Marsaglia–Tsang (2000) for shape >= 1; shape < 1 by G(shape + 1) U^(1/shape)
 *   erlang       product of k uniforms for k <= 16, else gamma(k, mean/k)
 *   beta         G_a / (G_a + G_b), in log space when a or b < 1 so that tiny gammas do not
 *                underflow to 0/0; pert = beta(1 + 4(mode-min)/w, 1 + 4(max-mode)/w) on [min, max]
 *   poisson      sequential-search inversion for mean < 10, PTRS (Hörmann 1993) for mean >= 10
 *   bernoulli    U < p
 *   discrete     binary search of U in the cumulative table; empirical: an unbiased index
 *
 * Determinism: plain double arithmetic and libm (exp, log, log1p, pow, sqrt, floor, tgamma)
 * only; no long double. Floating-point contraction into fused multiply-adds is switched off
 * below because it would change results between machines.
 *
 * Deliberately not handled: parameters outside their domain (garbage in, garbage out, but never
 * an endless loop for finite parameters except a truncate window of zero probability, which
 * stops after FAB_TRUNCATE_MAX_TRIES draws).
 */
#include "fab/dist.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static const char *const dist_names[FAB_DIST__COUNT] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) name,
#include "fab/dist.def"
#undef FAB_DIST
};

static const int dist_nparams[FAB_DIST__COUNT] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) n,
#include "fab/dist.def"
#undef FAB_DIST
};

static const char *const dist_param_names[FAB_DIST__COUNT][4] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) {p0, p1, p2, p3},
#include "fab/dist.def"
#undef FAB_DIST
};

const char *fab_dist_name(fab_dist_kind k)
{
    if ((int)k < 0 || k >= FAB_DIST__COUNT)
        return NULL;
    return dist_names[k];
}

/* ---- continuous distributions ---------------------------------------------------------- */

double fab_dist_uniform(fab_rng *r, double min, double max)
{
    return min + (max - min) * fab_rng_u01(r);
}

double fab_dist_triangular(fab_rng *r, double min, double mode, double max)
{
    double width = max - min;
    if (!(width > 0))
        return min;
    double u = fab_rng_u01(r);
    double left = mode - min;
    if (u * width < left)
        return min + sqrt(u * width * left);
    return max - sqrt((1.0 - u) * width * (max - mode));
}

double fab_dist_exponential(fab_rng *r, double mean)
{
    return -mean * log(fab_rng_u01(r));
}

/* A standard normal variate by the polar method. */
static double dist_std_normal(fab_rng *r)
{
    double x, y, s;
    do {
        x = 2.0 * fab_rng_u01(r) - 1.0;
        y = 2.0 * fab_rng_u01(r) - 1.0;
        s = x * x + y * y;
    } while (s >= 1.0 || s == 0.0);
    return x * sqrt(-2.0 * log(s) / s);
}

double fab_dist_normal(fab_rng *r, double mean, double sd)
{
    return mean + sd * dist_std_normal(r);
}

double fab_dist_lognormal(fab_rng *r, double mean, double sd)
{
    double cv = sd / mean;
    double sigma2 = log1p(cv * cv);
    double mu = log(mean) - 0.5 * sigma2;
    return exp(mu + sqrt(sigma2) * dist_std_normal(r));
}

/* Gamma(shape, 1) for shape >= 1 (Marsaglia & Tsang 2000). */
static double dist_gamma_ge1(fab_rng *r, double shape)
{
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z, v;
        do {
            z = dist_std_normal(r);
            v = 1.0 + c * z;
        } while (v <= 0.0);
        v = v * v * v;
        double u = fab_rng_u01(r);
        double z2 = z * z;
        if (u < 1.0 - 0.0331 * z2 * z2)
            return d * v;
        if (log(u) < 0.5 * z2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

/* log of a Gamma(shape, 1) variate, any shape > 0; does not underflow for small shapes. */
static double dist_log_gamma_variate(fab_rng *r, double shape)
{
    if (shape >= 1.0)
        return log(dist_gamma_ge1(r, shape));
    double g = dist_gamma_ge1(r, shape + 1.0);
    return log(g) + log(fab_rng_u01(r)) / shape;
}

double fab_dist_gamma(fab_rng *r, double shape, double scale)
{
    if (shape >= 1.0)
        return scale * dist_gamma_ge1(r, shape);
    double g = dist_gamma_ge1(r, shape + 1.0);
    return scale * g * pow(fab_rng_u01(r), 1.0 / shape);
}

enum { DIST_ERLANG_PRODUCT_MAX_K = 16 };

double fab_dist_erlang(fab_rng *r, double k, double mean)
{
    if (k <= DIST_ERLANG_PRODUCT_MAX_K) {
        /* A product of at most 16 uniforms >= 2^-53 is >= 2^-848: no underflow. */
        int n = (int)k;
        double prod = 1.0;
        for (int i = 0; i < n; i++)
            prod *= fab_rng_u01(r);
        return -(mean / k) * log(prod);
    }
    return fab_dist_gamma(r, k, mean / k);
}

double fab_dist_weibull(fab_rng *r, double shape, double scale)
{
    return scale * pow(-log(fab_rng_u01(r)), 1.0 / shape);
}

double fab_dist_beta(fab_rng *r, double a, double b, double min, double max)
{
    double x;
    if (a >= 1.0 && b >= 1.0) {
        double ga = dist_gamma_ge1(r, a);
        double gb = dist_gamma_ge1(r, b);
        x = ga / (ga + gb);
    } else {
        double la = dist_log_gamma_variate(r, a);
        double lb = dist_log_gamma_variate(r, b);
        x = 1.0 / (1.0 + exp(lb - la));
    }
    return min + (max - min) * x;
}

double fab_dist_pert(fab_rng *r, double min, double mode, double max)
{
    double width = max - min;
    if (!(width > 0))
        return min;
    double a = 1.0 + 4.0 * (mode - min) / width;
    double b = 1.0 + 4.0 * (max - mode) / width;
    return fab_dist_beta(r, a, b, min, max);
}

/* ---- discrete distributions ------------------------------------------------------------ */

/* ln(k!) for integral k >= 0: exact table below 10, Stirling's series (error < 1e-14) above. */
static double dist_log_factorial(double k)
{
    static const double small[10] = {
        0.0, 0.0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458,
        4.787491742782046, 6.579251212010101, 8.525161361065415, 10.60460290274525,
        12.801827480081469,
    };
    if (k < 10.0)
        return small[(int)k];
    double x = k + 1.0;
    double ix = 1.0 / x, ix2 = ix * ix;
    double series = ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0
                    - ix2 * (1.0 / 1680.0 - ix2 * (1.0 / 1188.0)))));
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 + series;
}

enum { DIST_POISSON_INVERSION_MAX_K = 1000 };
#define DIST_POISSON_PTRS_MIN_MEAN 10.0

static double dist_poisson_inversion(fab_rng *r, double mean)
{
    double u = fab_rng_u01(r);
    double p = exp(-mean);
    double cum = p;
    int k = 0;
    /* p reaches 0 long before the guard for mean < 10; the guard only stops rounding loops. */
    while (u > cum && p > 0.0 && k < DIST_POISSON_INVERSION_MAX_K) {
        k++;
        p *= mean / k;
        cum += p;
    }
    return (double)k;
}

/* PTRS, transformed rejection with squeeze (W. Hörmann, Insurance: Mathematics and Economics
 * 12, 1993). Exact for mean >= 10. */
static double dist_poisson_ptrs(fab_rng *r, double mean)
{
    double smu = sqrt(mean);
    double log_mean = log(mean);
    double b = 0.931 + 2.53 * smu;
    double a = -0.059 + 0.02483 * b;
    double log_inv_alpha = log(1.1239 + 1.1328 / (b - 3.4));
    double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = fab_rng_u01(r) - 0.5;
        double v = fab_rng_u01(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= v_r)
            return k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log_inv_alpha - log(a / (us * us) + b)
            <= -mean + k * log_mean - dist_log_factorial(k))
            return k;
    }
}

double fab_dist_poisson(fab_rng *r, double mean)
{
    if (!(mean > 0))
        return 0.0;
    if (mean < DIST_POISSON_PTRS_MIN_MEAN)
        return dist_poisson_inversion(r, mean);
    return dist_poisson_ptrs(r, mean);
}

double fab_dist_bernoulli(fab_rng *r, double p)
{
    return fab_rng_u01(r) < p ? 1.0 : 0.0;
}

double fab_dist_discrete(fab_rng *r, size_t n, const double *values, const double *cum)
{
    if (n == 0)
        return NAN;
    double u = fab_rng_u01(r);
    /* smallest i with u < cum[i]; n - 1 if the table sums to slightly less than u */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return values[lo];
}

double fab_dist_empirical(fab_rng *r, size_t n, const double *values)
{
    if (n == 0)
        return NAN;
    return values[fab_rng_below(r, n)];
}

/* ---- descriptors ----------------------------------------------------------------------- */

double fab_dist_clamp(double x, double lo, double hi)
{
    if (x < lo)
        return lo;
    if (x > hi)
        return hi;
    return x;
}

/* discrete from a descriptor: probabilities accumulated in table order, exactly as a
 * cumulative table built by summing them, so both forms give the same draws. */
static double dist_discrete_probs(fab_rng *r, size_t n, const double *values, const double *probs)
{
    if (n == 0)
        return NAN;
    double u = fab_rng_u01(r);
    double cum = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        cum += probs[i];
        if (u < cum)
            return values[i];
    }
    return values[n - 1];
}

static double dist_sample_unbounded(const fab_dist *d, fab_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case FAB_DIST_CONSTANT:    return p[0];
    case FAB_DIST_UNIFORM:     return fab_dist_uniform(r, p[0], p[1]);
    case FAB_DIST_TRIANGULAR:  return fab_dist_triangular(r, p[0], p[1], p[2]);
    case FAB_DIST_EXPONENTIAL: return fab_dist_exponential(r, p[0]);
    case FAB_DIST_NORMAL:      return fab_dist_normal(r, p[0], p[1]);
    case FAB_DIST_LOGNORMAL:   return fab_dist_lognormal(r, p[0], p[1]);
    case FAB_DIST_GAMMA:       return fab_dist_gamma(r, p[0], p[1]);
    case FAB_DIST_ERLANG:      return fab_dist_erlang(r, p[0], p[1]);
    case FAB_DIST_WEIBULL:     return fab_dist_weibull(r, p[0], p[1]);
    case FAB_DIST_BETA:        return fab_dist_beta(r, p[0], p[1], p[2], p[3]);
    case FAB_DIST_PERT:        return fab_dist_pert(r, p[0], p[1], p[2]);
    case FAB_DIST_POISSON:     return fab_dist_poisson(r, p[0]);
    case FAB_DIST_BERNOULLI:   return fab_dist_bernoulli(r, p[0]);
    case FAB_DIST_DISCRETE:    return dist_discrete_probs(r, d->n, d->values, d->probs);
    case FAB_DIST_EMPIRICAL:   return fab_dist_empirical(r, d->n, d->values);
    case FAB_DIST__COUNT:      break;
    }
    return NAN;
}

double fab_dist_sample(const fab_dist *d, fab_rng *r)
{
    double x = dist_sample_unbounded(d, r);
    switch (d->bound) {
    case FAB_BOUND_NONE:
        return x;
    case FAB_BOUND_CLAMP:
        return fab_dist_clamp(x, d->lo, d->hi);
    case FAB_BOUND_TRUNCATE:
        for (int tries = 1; tries < FAB_TRUNCATE_MAX_TRIES; tries++) {
            if (x >= d->lo && x <= d->hi)
                return x;
            x = dist_sample_unbounded(d, r);
        }
        return fab_dist_clamp(x, d->lo, d->hi);
    }
    return x;
}

double fab_dist_mean(const fab_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case FAB_DIST_CONSTANT:    return p[0];
    case FAB_DIST_UNIFORM:     return 0.5 * (p[0] + p[1]);
    case FAB_DIST_TRIANGULAR:  return (p[0] + p[1] + p[2]) / 3.0;
    case FAB_DIST_EXPONENTIAL: return p[0];
    case FAB_DIST_NORMAL:      return p[0];
    case FAB_DIST_LOGNORMAL:   return p[0];
    case FAB_DIST_GAMMA:       return p[0] * p[1];
    case FAB_DIST_ERLANG:      return p[1];
    case FAB_DIST_WEIBULL:     return p[1] * tgamma(1.0 + 1.0 / p[0]);
    case FAB_DIST_BETA:        return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1]);
    case FAB_DIST_PERT:        return (p[0] + 4.0 * p[1] + p[2]) / 6.0;
    case FAB_DIST_POISSON:     return p[0];
    case FAB_DIST_BERNOULLI:   return p[0];
    case FAB_DIST_DISCRETE: {
        if (d->n == 0 || d->values == NULL || d->probs == NULL)
            return NAN;
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++)
            sum += d->values[i] * d->probs[i];
        return sum;
    }
    case FAB_DIST_EMPIRICAL: {
        if (d->n == 0 || d->values == NULL)
            return NAN;
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++)
            sum += d->values[i];
        return sum / (double)d->n;
    }
    case FAB_DIST__COUNT:
        break;
    }
    return NAN;
}

/* ---- validation ------------------------------------------------------------------------ */

#define DIST_PROB_SUM_TOLERANCE 1e-9

static int dist_fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int dist_fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err != NULL && errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int fab_dist_validate(const fab_dist *d, char *err, size_t errsize)
{
    if (err != NULL && errsize > 0)
        err[0] = '\0';
    if ((int)d->kind < 0 || d->kind >= FAB_DIST__COUNT)
        return dist_fail(err, errsize, "unknown distribution kind %d", (int)d->kind);

    const char *name = dist_names[d->kind];
    const double *p = d->p;
    for (int i = 0; i < dist_nparams[d->kind]; i++) {
        if (!isfinite(p[i]))
            return dist_fail(err, errsize, "%s: parameter '%s' is not a finite number (%g)",
                             name, dist_param_names[d->kind][i], p[i]);
    }

    switch (d->kind) {
    case FAB_DIST_CONSTANT:
        break;
    case FAB_DIST_UNIFORM:
        if (p[0] > p[1])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[0],
                             p[1]);
        break;
    case FAB_DIST_TRIANGULAR:
    case FAB_DIST_PERT:
        if (p[0] > p[2])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[0],
                             p[2]);
        if (p[1] < p[0] || p[1] > p[2])
            return dist_fail(err, errsize, "%s: mode %g is outside [min, max] = [%g, %g]", name,
                             p[1], p[0], p[2]);
        break;
    case FAB_DIST_EXPONENTIAL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[0]);
        break;
    case FAB_DIST_NORMAL:
        if (p[1] < 0)
            return dist_fail(err, errsize, "%s: sd must be >= 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_LOGNORMAL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[0]);
        if (p[1] < 0)
            return dist_fail(err, errsize, "%s: sd must be >= 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_GAMMA:
    case FAB_DIST_WEIBULL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: shape must be > 0 (got %g)", name, p[0]);
        if (!(p[1] > 0))
            return dist_fail(err, errsize, "%s: scale must be > 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_ERLANG:
        if (!(p[0] >= 1) || p[0] != floor(p[0]))
            return dist_fail(err, errsize, "%s: k must be a whole number >= 1 (got %g)", name,
                             p[0]);
        if (!(p[1] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_BETA:
        if (!(p[0] > 0) || !(p[1] > 0))
            return dist_fail(err, errsize, "%s: shapes a and b must be > 0 (got a %g, b %g)",
                             name, p[0], p[1]);
        if (p[2] > p[3])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[2],
                             p[3]);
        break;
    case FAB_DIST_POISSON:
        if (!(p[0] >= 0))
            return dist_fail(err, errsize, "%s: mean must be >= 0 (got %g)", name, p[0]);
        break;
    case FAB_DIST_BERNOULLI:
        if (!(p[0] >= 0 && p[0] <= 1))
            return dist_fail(err, errsize, "%s: p must be in [0, 1] (got %g)", name, p[0]);
        break;
    case FAB_DIST_DISCRETE:
    case FAB_DIST_EMPIRICAL: {
        if (d->n == 0 || d->values == NULL)
            return dist_fail(err, errsize, "%s: the table of values is empty", name);
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(d->values[i]))
                return dist_fail(err, errsize, "%s: value %zu is not a finite number (%g)", name,
                                 i + 1, d->values[i]);
        }
        if (d->kind == FAB_DIST_EMPIRICAL)
            break;
        if (d->probs == NULL)
            return dist_fail(err, errsize, "%s: no probabilities given", name);
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            if (!(d->probs[i] >= 0 && d->probs[i] <= 1))
                return dist_fail(err, errsize, "%s: probability %zu is outside [0, 1] (got %g)",
                                 name, i + 1, d->probs[i]);
            sum += d->probs[i];
        }
        if (!(fabs(sum - 1.0) <= DIST_PROB_SUM_TOLERANCE))
            return dist_fail(err, errsize,
                             "%s: probabilities sum to %.12g, not 1 (tolerance 1e-9)", name, sum);
        break;
    }
    case FAB_DIST__COUNT:
        break;
    }

    switch (d->bound) {
    case FAB_BOUND_NONE:
        break;
    case FAB_BOUND_CLAMP:
    case FAB_BOUND_TRUNCATE:
        if (isnan(d->lo) || isnan(d->hi) || d->lo > d->hi)
            return dist_fail(err, errsize, "%s: empty %s interval [%g, %g]", name,
                             d->bound == FAB_BOUND_CLAMP ? "clamp" : "truncate", d->lo, d->hi);
        break;
    default:
        return dist_fail(err, errsize, "%s: unknown bound mode %d", name, (int)d->bound);
    }
    return 0;
}
