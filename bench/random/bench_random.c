/*
 * bench_random.c — time per draw of the random streams and of every distribution.
 *
 * Usage: bench_random [draws]   (default 10^7 per line)
 * Prints one line per sampler: name, ns per draw (best of 3 runs), and the sample mean as a
 * sanity check. Single-threaded; times are thread CPU time (CLOCK_THREAD_CPUTIME_ID), so time
 * spent descheduled on a busy machine is not counted. Exit status 0, or 2 for a bad argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fab/dist.h"
#include "fab/stat.h"

typedef double (*sampler)(fab_rng *r);

static const double table_values[5] = {1, 2, 3, 5, 8};
static const double table_cum[5] = {0.1, 0.3, 0.6, 0.9, 1.0};
static double empirical_values[100];

static double s_u64(fab_rng *r) { return (double)(fab_rng_u64(r) >> 11); }
static double s_u01(fab_rng *r) { return fab_rng_u01(r); }
static double s_uniform(fab_rng *r) { return fab_dist_uniform(r, 2, 5); }
static double s_triangular(fab_rng *r) { return fab_dist_triangular(r, 1, 3, 7); }
static double s_exponential(fab_rng *r) { return fab_dist_exponential(r, 60); }
static double s_normal(fab_rng *r) { return fab_dist_normal(r, 10, 2); }
static double s_lognormal(fab_rng *r) { return fab_dist_lognormal(r, 10, 2); }
static double s_gamma_small(fab_rng *r) { return fab_dist_gamma(r, 0.5, 2); }
static double s_gamma(fab_rng *r) { return fab_dist_gamma(r, 2.5, 2); }
static double s_erlang3(fab_rng *r) { return fab_dist_erlang(r, 3, 60); }
static double s_erlang20(fab_rng *r) { return fab_dist_erlang(r, 20, 60); }
static double s_weibull(fab_rng *r) { return fab_dist_weibull(r, 1.5, 100); }
static double s_beta(fab_rng *r) { return fab_dist_beta(r, 2, 5, 0, 1); }
static double s_pert(fab_rng *r) { return fab_dist_pert(r, 0, 2, 10); }
static double s_poisson_small(fab_rng *r) { return fab_dist_poisson(r, 3); }
static double s_poisson_large(fab_rng *r) { return fab_dist_poisson(r, 100); }
static double s_bernoulli(fab_rng *r) { return fab_dist_bernoulli(r, 0.3); }
static double s_discrete(fab_rng *r) { return fab_dist_discrete(r, 5, table_values, table_cum); }
static double s_empirical(fab_rng *r) { return fab_dist_empirical(r, 100, empirical_values); }

static const fab_dist truncated_normal = {.kind = FAB_DIST_NORMAL, .p = {10, 5},
                                          .bound = FAB_BOUND_TRUNCATE, .lo = 0, .hi = 1e300};
static double s_truncated(fab_rng *r) { return fab_dist_sample(&truncated_normal, r); }

static const struct {
    const char *name;
    sampler fn;
} samplers[] = {
    {"rng_u64", s_u64},
    {"rng_u01", s_u01},
    {"uniform(2,5)", s_uniform},
    {"triangular(1,3,7)", s_triangular},
    {"exponential(60)", s_exponential},
    {"normal(10,2)", s_normal},
    {"lognormal(10,2)", s_lognormal},
    {"gamma(0.5,2)", s_gamma_small},
    {"gamma(2.5,2)", s_gamma},
    {"erlang(3,60)", s_erlang3},
    {"erlang(20,60)", s_erlang20},
    {"weibull(1.5,100)", s_weibull},
    {"beta(2,5,0,1)", s_beta},
    {"pert(0,2,10)", s_pert},
    {"poisson(3)", s_poisson_small},
    {"poisson(100)", s_poisson_large},
    {"bernoulli(0.3)", s_bernoulli},
    {"discrete(5-values)", s_discrete},
    {"empirical(100-values)", s_empirical},
    {"normal(10,5)-truncate[0,inf)", s_truncated},
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long draws = 10000000;
    if (argc > 1) {
        char *end;
        draws = strtol(argv[1], &end, 10);
        if (*end != '\0' || draws <= 0) {
            fprintf(stderr, "bench_random: expected a positive number of draws, got '%s'\n",
                    argv[1]);
            return 2;
        }
    }
    for (int i = 0; i < 100; i++)
        empirical_values[i] = i;

    printf("%-32s %10s %14s\n", "sampler", "ns/draw", "mean");
    for (size_t s = 0; s < sizeof samplers / sizeof samplers[0]; s++) {
        double best = 1e300, mean = 0;
        for (int run = 0; run < 3; run++) {
            fab_rng r;
            fab_rng_init(&r, 42, "bench", samplers[s].name, (uint64_t)run);
            double sum = 0;
            double t0 = now_ns();
            for (long i = 0; i < draws; i++)
                sum += samplers[s].fn(&r);
            double dt = now_ns() - t0;
            if (dt < best)
                best = dt;
            mean = sum / (double)draws;
        }
        printf("%-32s %10.2f %14.6g\n", samplers[s].name, best / (double)draws, mean);
    }
    return 0;
}
