/*
 * fab/dist.h — the distributions of the .fab language, over SI doubles.
 *
 * Two layers:
 *   - one sampling function per distribution (fab_dist_normal(r, mean, sd), ...), which the
 *     generated simulators call from their specialised sampling functions;
 *   - fab_dist, a descriptor (kind, parameters, table, clamp/truncate bounds) that the C API
 *     uses when a model is built by hand, with fab_dist_sample() dispatching on the kind.
 *
 * Parameters are those of dist.def. Algorithms: inversion where it is exact (uniform,
 * triangular, weibull, discrete/empirical by table search), ziggurat exponential and normal,
 * Marsaglia–Tsang gamma (with the a < 1 boost), beta from two gammas, lognormal from the
 * normal with sigma^2 = ln(1 + sd^2/mean^2), erlang as a sum of k exponentials (k <= 4) or a
 * gamma, Poisson by sequential-search inversion below mean 10 and PTRS (Hörmann) from 10 up.
 * All draws come from the fab_rng given; no global state. The mapping from streams to values is
 * specified in docs/random.md and tested in tests/random (docs/validation.md).
 *
 * The samplers do not check their parameters: run fab_dist_validate once per model first.
 *
 * Bounds: FAB_BOUND_CLAMP clips a draw to [lo, hi]; FAB_BOUND_TRUNCATE resamples until the
 * draw is inside [lo, hi] (giving up after FAB_TRUNCATE_MAX_TRIES draws and clamping the
 * last one, which only happens when [lo, hi] has negligible probability).
 */
#ifndef FAB_DIST_H
#define FAB_DIST_H

#include <stddef.h>
#include "fab/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fab_dist_kind {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) FAB_DIST_##id,
#include "fab/dist.def"
#undef FAB_DIST
    FAB_DIST__COUNT
} fab_dist_kind;

typedef enum fab_bound_mode { FAB_BOUND_NONE, FAB_BOUND_CLAMP, FAB_BOUND_TRUNCATE } fab_bound_mode;

#define FAB_TRUNCATE_MAX_TRIES 10000

typedef struct fab_dist {
    fab_dist_kind kind;
    double p[4];            /* parameters in dist.def order, SI units */
    size_t n;               /* table length for discrete/empirical */
    const double *values;   /* table values (not owned) */
    const double *probs;    /* discrete: probabilities, summing to 1 (not owned) */
    fab_bound_mode bound;
    double lo, hi;
} fab_dist;

/* Name of a kind as written in .fab ("normal"), or NULL for an invalid kind. */
const char *fab_dist_name(fab_dist_kind k);

double fab_dist_uniform(fab_rng *r, double min, double max);
double fab_dist_triangular(fab_rng *r, double min, double mode, double max);
double fab_dist_exponential(fab_rng *r, double mean);
double fab_dist_normal(fab_rng *r, double mean, double sd);
double fab_dist_lognormal(fab_rng *r, double mean, double sd);
double fab_dist_gamma(fab_rng *r, double shape, double scale);
double fab_dist_erlang(fab_rng *r, double k, double mean);
double fab_dist_weibull(fab_rng *r, double shape, double scale);
double fab_dist_beta(fab_rng *r, double a, double b, double min, double max);
double fab_dist_pert(fab_rng *r, double min, double mode, double max);
/* Poisson: exact for means up to FAB_POISSON_MAX_MEAN (fab_dist_validate refuses larger ones:
 * beyond, the rounding of its log-probabilities would distort the law). */
#define FAB_POISSON_MAX_MEAN 1e12
double fab_dist_poisson(fab_rng *r, double mean);
double fab_dist_bernoulli(fab_rng *r, double p);
/* values[i] with probability cum[i] - cum[i-1]; cum is the cumulative table, cum[n-1] == 1,
 * and its last entry has a probability above 0 (drop such entries from the end). */
double fab_dist_discrete(fab_rng *r, size_t n, const double *values, const double *cum);
/* one of values[0..n) with equal probability */
double fab_dist_empirical(fab_rng *r, size_t n, const double *values);

/* Apply a bound to a value already drawn (clamp) — truncate needs the sampler, see below. */
double fab_dist_clamp(double x, double lo, double hi);

/* Sample a descriptor, applying its bound. */
double fab_dist_sample(const fab_dist *d, fab_rng *r);

/* Exact mean of the unbounded distribution (NAN where it has none). */
double fab_dist_mean(const fab_dist *d);

/* exp and natural log as the samplers compute them: within 1 ulp, and the same bits on every
 * machine (the C library's may differ in the last bit between CPUs, e.g. glibc's FMA and
 * non-FMA code paths). For generated code that needs exp/log in model expressions without
 * giving up bit-identical results. */
double fab_dist_math_exp(double x);
double fab_dist_math_log(double x);

/* Check parameters; on failure write a one-line reason into err and return -1, else 0. */
int fab_dist_validate(const fab_dist *d, char *err, size_t errsize);
/* fab_dist_validate for a duration (a cycle, setup, interarrival, time to failure or repair),
 * which also refuses a law that is never positive, as the compiler does: a negative constant,
 * a normal whose mean is not positive (negative at least half the time), a uniform,
 * triangular, PERT or beta whose max is at most 0 and min below 0. Unless a bound keeps the
 * draws at or above 0 (clamp or truncate with lo >= 0). */
int fab_dist_validate_duration(const fab_dist *d, char *err, size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
