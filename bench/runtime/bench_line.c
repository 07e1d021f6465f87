/*
 * bench_line.c — benchmark (b): a serial line of N stations (default 1000) with finite
 * buffers and failures, built and run through libfabrt's C API.
 *
 *   saturated source -> S1 -> B1 -> S2 -> ... -> B(N-1) -> SN -> sink
 *   cycle exponential(mean 10 s), buffers of 5, failure per station: ttf exponential(mean 8 h)
 *   of operating time, ttr exponential(mean 10 min).
 *
 * Prints events, wall and CPU time of the run, events per CPU second (the figure to compare:
 * on a shared machine the wall time also counts the time other processes held the core) and
 * the bytes held by the event set divided by the peak number of pending events (the event set
 * is read through the runtime's internal header; nothing else is).
 *
 *   bench_line [--stations N] [--horizon SECONDS] [--evset heap|calendar]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fab/fab.h"
#include "rt_internal.h"

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int n = 1000;
    double horizon = 200000;
    fab_evset_kind evk = FAB_EVSET_DEFAULT;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--stations") && v && (n = atoi(v)) > 0)
            continue;
        if (!strcmp(argv[i], "--horizon") && v && (horizon = atof(v)) > 0)
            continue;
        if (!strcmp(argv[i], "--evset") && v && !strcmp(v, "calendar"))
            evk = FAB_EVSET_CALENDAR;
        else if (!strcmp(argv[i], "--evset") && v && !strcmp(v, "heap"))
            evk = FAB_EVSET_HEAP;
        else {
            fprintf(stderr, "usage: bench_line [--stations N>0] [--horizon SECONDS>0] "
                            "[--evset heap|calendar]\n");
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    fab_model *m = fab_model_new("serial line");
    int t = fab_model_part_type(m, "P");
    int src = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, src);
    int prev = src;
    char name[64];
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            snprintf(name, sizeof name, "b%d", i);
            int b = fab_buffer_new(m, name, 5);
            fab_flow(m, prev, b);
            prev = b;
        }
        snprintf(name, sizeof name, "s%d", i + 1);
        int s = fab_station_new(m, name);
        fab_station_cycle(m, s, fab_sampler_of_dist(fab_dist_exp(10)));
        fab_station_failure(m, s, "jam", fab_sampler_of_dist(fab_dist_exp(8 * 3600.0)),
                            fab_sampler_of_dist(fab_dist_exp(600)), FAB_BASIS_OPERATING);
        fab_flow(m, prev, s);
        prev = s;
    }
    int sink = fab_sink_new(m, "done");
    fab_flow(m, prev, sink);
    char err[256];
    if (rt_model_validate(m, err, sizeof err)) {
        fprintf(stderr, "bench_line: %s\n", err);
        return 1;
    }
    fab_sim *sim = rt_sim_new(m, evk, horizon, 0, 1, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "bench_line: %s\n", err);
        return 1;
    }
    rt_layout L;
    rt_layout_build(m, &L);
    double *row = malloc((size_t)L.nmetric * sizeof *row);
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (rt_sim_run(sim, 0, row)) {
        fprintf(stderr, "bench_line: %s\n", sim->err);
        return 1;
    }
    double cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double wall = now_s(CLOCK_MONOTONIC) - t0;
    size_t pending = rt_evset_peak(&sim->ev);
    size_t bytes = rt_evset_bytes(&sim->ev);
    int k = 0;
    for (int i = 0; i < L.nmetric; i++)
        if (L.elem[i] == sink && !strcmp(L.name[i], "count"))
            k = i;
    printf("stations %d  evset %s  horizon %.0f s  events %llu  wall %.3f s  cpu %.3f s  "
           "%.2f M events/s  parts out %.0f  peak pending %zu  evset bytes/peak pending %.1f\n",
           n, sim->ev.kind == 2 ? "calendar" : "heap", horizon,
           (unsigned long long)sim->events, wall, cpu, sim->events / cpu / 1e6, row[k], pending,
           pending ? (double)bytes / (double)pending : 0.0);
    free(row);
    rt_layout_free(&L);
    rt_sim_free(sim);
    fab_model_free(m);
    return 0;
}
