/*
 * bench_hold.c — benchmark (a): the classic hold model on libfabrt's two pending-event sets.
 * The set holds N events; each step pops the earliest and pushes one at t + exponential(1)
 * (and, in the "bimodal" variant, t + 0 or t + 100 with equal probability mixed in).
 * Prints ns per hold operation and bytes per pending event for N = 10 .. 100000.
 *
 *   bench_hold [steps per size, default 2000000]
 *   bench_hold STEPS N heap|calendar exp|bimodal     one configuration (e.g. under cachegrind)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fab/rng.h"
#include "evset.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double hold(int kind, int n, long steps, int bimodal, size_t *bytes)
{
    rt_evset q;
    rt_evset_init(&q, kind);
    fab_rng r;
    fab_rng_init(&r, 1, "hold", "increment", 0);
    uint64_t seq = 0;
    for (int i = 0; i < n; i++) {
        rt_event e = {0};
        e.t = -log(fab_rng_u01(&r));
        e.key = rt_ev_key(seq++, 0, 0);
        rt_evset_push(&q, &e);
    }
    double t0 = now_s();
    double sink = 0;
    for (long s = 0; s < steps; s++) {
        rt_event e;
        rt_evset_pop(&q, &e);
        sink += e.t;
        double u = fab_rng_u01(&r);
        double inc = bimodal ? (u < 0.5 ? 0.0 : 100.0 * u) : -log(u);
        e.t += inc;
        e.key = rt_ev_key(seq++, 0, 0);
        rt_evset_push(&q, &e);
    }
    double dt = now_s() - t0;
    *bytes = rt_evset_bytes(&q) / (rt_evset_peak(&q) ? rt_evset_peak(&q) : 1) * (size_t)n;
    rt_evset_free(&q);
    if (sink < 0)
        printf("impossible\n");
    return dt / (double)steps * 1e9;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 2000000;
    if (steps <= 0 || (argc != 1 && argc != 2 && argc != 5)) {
        fprintf(stderr, "usage: bench_hold [STEPS>0 [N heap|calendar exp|bimodal]]\n");
        return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    if (argc == 5) {
        size_t bytes;
        int kind = argv[3][0] == 'c' ? 2 : 1, n = atoi(argv[2]), bi = argv[4][0] == 'b';
        double ns = hold(kind, n, steps, bi, &bytes);
        printf("%d %s %s: %.1f ns/hold, %.1f bytes/pending\n", n, argv[3], argv[4], ns,
               (double)bytes / n);
        return 0;
    }
    static const int sizes[] = {10, 100, 1000, 10000, 100000};
    printf("%-8s %-9s %8s %14s %14s\n", "N", "increment", "set", "ns/hold", "bytes/pending");
    for (int bi = 0; bi <= 1; bi++)
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
            for (int kind = 1; kind <= 2; kind++) {
                size_t bytes;
                double ns = hold(kind, sizes[i], steps, bi, &bytes);
                printf("%-8d %-9s %8s %14.1f %14.1f\n", sizes[i], bi ? "bimodal" : "exp(1)",
                       kind == 1 ? "heap" : "calendar", ns, (double)bytes / sizes[i]);
            }
    return 0;
}
