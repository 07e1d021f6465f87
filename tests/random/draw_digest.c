/*
 * draw_digest.c — prints one XXH64 digest per sampler of 20000 draws from fixed streams, plus
 * digests of the statistics functions' results. Built twice (at -O0, and at -O3 with
 * -march=native where supported) for the test `random_opt_levels`, which requires identical
 * output: the numbers must not depend on the optimisation level or on fused multiply-adds; and
 * run with the C library's FMA code paths masked for `random_libm_dispatch`. The statistics
 * line uses t(0.975, df) only (other t quantiles go through the C library's lgamma).
 * Output: "name digest" lines on stdout. Exit status 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "fab/dist.h"
#include "fab/stat.h"

enum { DRAWS = 20000 };

static const double table_values[3] = {1, 2, 5};
static const double table_probs[3] = {0.2, 0.5, 0.3};

#define D(kind_, ...) {.kind = FAB_DIST_##kind_, .p = {__VA_ARGS__}}

static const struct {
    const char *name;
    fab_dist d;
} samplers[] = {
    {"uniform", D(UNIFORM, 2, 5)},
    {"triangular", D(TRIANGULAR, 1, 3, 7)},
    {"exponential", D(EXPONENTIAL, 2.5)},
    {"normal", D(NORMAL, 10, 5)},
    {"lognormal", D(LOGNORMAL, 5, 2)},
    {"gamma-small", D(GAMMA, 0.3, 2)},
    {"gamma", D(GAMMA, 2.5, 0.5)},
    {"erlang", D(ERLANG, 3, 6)},
    {"erlang-large", D(ERLANG, 20, 4)},
    {"weibull", D(WEIBULL, 1.5, 2)},
    {"beta", D(BETA, 2, 5, 10, 20)},
    {"beta-small", D(BETA, 0.3, 0.5, 0, 1)},
    {"pert", D(PERT, 0, 2, 10)},
    {"poisson-small", D(POISSON, 3)},
    {"poisson-large", D(POISSON, 137.5)},
    {"bernoulli", D(BERNOULLI, 0.3)},
    {"discrete", {.kind = FAB_DIST_DISCRETE, .n = 3, .values = table_values,
                  .probs = table_probs}},
    {"empirical", {.kind = FAB_DIST_EMPIRICAL, .n = 3, .values = table_values}},
    {"normal-truncated", {.kind = FAB_DIST_NORMAL, .p = {10, 5}, .bound = FAB_BOUND_TRUNCATE,
                          .lo = 0, .hi = 12}},
};

static void print_digest(const char *name, const double *x, size_t n)
{
    uint64_t h = XXH64(x, n * sizeof *x, 0); /* hashes the bit patterns of the doubles */
    printf("%-18s %016" PRIx64 "\n", name, h);
}

int main(void)
{
    static double x[DRAWS];
    for (size_t s = 0; s < sizeof samplers / sizeof samplers[0]; s++) {
        fab_rng r;
        fab_rng_init(&r, 7, samplers[s].name, "digest", 1);
        for (int i = 0; i < DRAWS; i++)
            x[i] = fab_dist_sample(&samplers[s].d, &r);
        print_digest(samplers[s].name, x, DRAWS);
    }

    /* statistics: tally, time average, P², summaries and t quantiles */
    fab_rng r;
    fab_rng_init(&r, 7, "stat", "digest", 1);
    fab_stat_tally t;
    fab_stat_tally_reset(&t);
    fab_stat_timeavg a;
    memset(&a, 0, sizeof a);
    fab_stat_timeavg_reset(&a, 0.0);
    fab_stat_quantile q;
    fab_stat_quantile_init(&q, 0.9);
    double now = 0;
    for (int i = 0; i < DRAWS; i++) {
        double v = fab_dist_lognormal(&r, 100, 80);
        fab_stat_tally_add(&t, v);
        fab_stat_quantile_add(&q, v);
        now += fab_dist_exponential(&r, 1.0);
        fab_stat_timeavg_set(&a, now, v);
    }
    double out[12] = {
        fab_stat_tally_mean(&t), fab_stat_tally_var(&t), fab_stat_timeavg_mean(&a, now + 1),
        fab_stat_quantile_value(&q), fab_stat_t_quantile(0.975, 4),
        fab_stat_t_quantile(0.975, 250.5),
    };
    fab_stat_summary s = fab_stat_summarize(x, 30);
    out[6] = s.mean;
    out[7] = s.sd;
    out[8] = s.ci95_lo;
    out[9] = s.ci95_hi;
    out[10] = fab_stat_t_quantile(0.025, 1e6);
    out[11] = fab_stat_t_quantile(0.975, 200);
    print_digest("statistics", out, 12);
    return 0;
}
