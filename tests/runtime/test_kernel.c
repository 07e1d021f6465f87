/*
 * test_kernel.c — unit tests of the kernel's building blocks: the two pending-event sets
 * (order, FIFO ties, growth, equal times across resizes, times of 2^52 bucket widths and
 * more), unit parsing for the command line, the model builder's error reporting, --set
 * parameters, replication counts too large for memory, the deadlock list of the JSON, no
 * interval for one replication, command-line parsing, and fab_main's exit status and
 * messages when its output cannot be written. Suite 'runtime'.
 * Random inputs use fixed seeds; every check compares with a value computed independently.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fab/fab.h"
#include "evset.h"

/* ---- event sets ------------------------------------------------------------------------ */

static int cmp_ev(const void *a, const void *b)
{
    const rt_event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Interleave pushes and pops as a simulation does (new times >= the last popped time) and
 * check every pop against a sorted reference of the pending events. */
static void evset_check(int kind, int n, int tie_every)
{
    rt_evset q;
    ck_assert_int_eq(rt_evset_init(&q, kind), 0);
    rt_event *ref = malloc((size_t)n * sizeof *ref);
    int nref = 0;
    uint64_t seq = 0, state = 12345;
    double now = 0;
    int popped = 0;
    for (int step = 0; step < 3 * n; step++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        int push = nref == 0 || (nref < n && (state >> 33) % 3 != 0);
        if (push) {
            double u = (double)((state >> 11) & ((1ULL << 40) - 1)) / (double)(1ULL << 40);
            rt_event e = {0};
            e.t = (tie_every && step % tie_every == 0) ? now : now + 100.0 * u * u;
            e.key = rt_ev_key(seq++, 3, (unsigned)step & RT_EV_MAX_ELEM);
            ck_assert_int_eq(rt_evset_push(&q, &e), 0);
            ref[nref++] = e;
        } else {
            qsort(ref, (size_t)nref, sizeof *ref, cmp_ev);
            rt_event got;
            ck_assert_int_eq(rt_evset_pop(&q, &got), 1);
            ck_assert(got.t == ref[0].t);
            ck_assert_uint_eq(rt_ev_seq(&got), rt_ev_seq(&ref[0]));
            ck_assert_uint_eq(rt_ev_elem(&got), rt_ev_elem(&ref[0]));
            ck_assert_uint_eq(rt_ev_kind(&got), 3);
            now = got.t;
            memmove(ref, ref + 1, (size_t)(nref - 1) * sizeof *ref);
            nref--;
            popped++;
        }
        ck_assert_uint_eq(q.n, (size_t)nref);
    }
    ck_assert_int_gt(popped, n / 2);
    free(ref);
    rt_evset_free(&q);
}

START_TEST(test_heap_order) { evset_check(1, 3000, 0); }
END_TEST
START_TEST(test_calendar_order) { evset_check(2, 3000, 0); }
END_TEST
START_TEST(test_heap_ties_fifo) { evset_check(1, 2000, 3); }
END_TEST
START_TEST(test_calendar_ties_fifo) { evset_check(2, 2000, 3); }
END_TEST

/* Push the n times given (in that order, keys increasing), then pop until empty, pushing a
 * copy of every third popped event at the same time (a later key) while more than n / 2 are
 * pending; check each pop against the least (t, key) pending. The counts cross the calendar's
 * resize thresholds both ways, and resizing relinks equal times in another order. */
static void evset_check_times(int kind, const double *t, int n)
{
    rt_evset q;
    ck_assert_int_eq(rt_evset_init(&q, kind), 0);
    rt_event *ref = malloc((size_t)n * sizeof *ref);
    int nref = 0;
    uint64_t seq = 0;
    for (int i = 0; i < n; i++) {
        rt_event e = {.t = t[i], .key = rt_ev_key(seq++, 1, (unsigned)i & RT_EV_MAX_ELEM)};
        ck_assert_int_eq(rt_evset_push(&q, &e), 0);
        ref[nref++] = e;
    }
    for (int popped = 0; nref > 0; popped++) {
        int m = 0;
        for (int j = 1; j < nref; j++)
            if (cmp_ev(&ref[j], &ref[m]) < 0)
                m = j;
        rt_event got;
        ck_assert_int_eq(rt_evset_pop(&q, &got), 1);
        ck_assert(got.t == ref[m].t);
        ck_assert_uint_eq(got.key, ref[m].key);
        ref[m] = ref[--nref];
        if (popped % 3 == 0 && nref > n / 2) {
            got.key = rt_ev_key(seq++, 1, 0);
            ck_assert_int_eq(rt_evset_push(&q, &got), 0);
            ref[nref++] = got;
        }
        ck_assert_uint_eq(q.n, (size_t)nref);
    }
    rt_event e;
    ck_assert_int_eq(rt_evset_pop(&q, &e), 0);
    free(ref);
    rt_evset_free(&q);
}

/* Many events per time, pushed out of time order: equal times meet at bucket heads and in
 * resizes (a zero sampled gap leaves the width as it was; a few distinct times set it). */
START_TEST(test_evset_ties_resize)
{
    enum { N = 3000 };
    static double t[N];
    for (int kind = 1; kind <= 2; kind++) {
        for (int i = 0; i < N; i++)
            t[i] = (double)(i % 7);
        evset_check_times(kind, t, N);
        for (int i = 0; i < N; i++)
            t[i] = 0.25 * (double)((i * 37) % 50);
        evset_check_times(kind, t, N);
    }
}
END_TEST

/* Times whose scaled values (t / width) reach 2^52 and beyond, where the calendar stops
 * trusting its double bound: with the initial width 1 (fewer events than the first resize
 * needs), times step across 2^52 one by one; then a resized calendar whose width fits small
 * gaps holds times near 2^61 too. */
START_TEST(test_calendar_far_times)
{
    double t[32];
    for (int i = 0; i < 32; i++)
        t[i] = i < 24 ? 0x1p52 - 12.0 + (double)((i * 5) % 24)
                      : 0x1p60 + 0x1p9 * (double)(i % 3);
    evset_check_times(2, t, 32);

    enum { N = 2000 };
    static double u[N];
    for (int i = 0; i < N; i++)
        u[i] = i % 2 ? 0.5 * (double)(i % 64) : 0x1p61 + 0x1p10 * (double)((i * 7) % 300);
    evset_check_times(2, u, N);
}
END_TEST

/* Times beyond any bucket number (1e300, +infinity: a sampler may return them to mean
 * "never") among ordinary ones: both sets still pop in (t, key) order, the infinite last. */
START_TEST(test_evset_huge_times)
{
    enum { N = 600 };
    static double t[N];
    for (int kind = 1; kind <= 2; kind++) {
        for (int i = 0; i < N; i++)
            t[i] = i % 5 == 0 ? INFINITY : i % 5 == 1 ? 1e300 * (double)(i % 3 + 1)
                                                      : 0.5 * (double)(i % 64);
        evset_check_times(kind, t, N);
        for (int i = 0; i < N; i++)
            t[i] = i % 2 ? INFINITY : (double)i;
        evset_check_times(kind, t, N);
    }
}
END_TEST

START_TEST(test_evset_clear_reuse)
{
    for (int kind = 1; kind <= 2; kind++) {
        rt_evset q;
        rt_evset_init(&q, kind);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 500; i++) {
                rt_event e = {0};
                e.t = (double)((i * 7919) % 500);
                e.key = rt_ev_key((uint64_t)i, 0, 0);
                rt_evset_push(&q, &e);
            }
            rt_event e;
            ck_assert_int_eq(rt_evset_pop(&q, &e), 1);
            ck_assert(e.t == 0.0);
            rt_evset_clear(&q);
            ck_assert_int_eq(rt_evset_pop(&q, &e), 0);
        }
        rt_evset_free(&q);
    }
}
END_TEST

/* ---- units ----------------------------------------------------------------------------- */

START_TEST(test_units_parse)
{
    double v;
    char err[200];
    ck_assert_int_eq(fab_units_parse("40s", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 40);
    ck_assert_int_eq(fab_units_parse("40 s", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 40);
    ck_assert_int_eq(fab_units_parse("2.5min", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 150);
    ck_assert_int_eq(fab_units_parse("8h", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 28800);
    ck_assert_int_eq(fab_units_parse("12", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 12);
    ck_assert_int_eq(fab_units_parse("15 kW", FAB_DIM_POWER, &v, err, sizeof err), 0);
    ck_assert(v == 15000);
    ck_assert_int_eq(fab_units_parse("0.5 m/s", FAB_DIM_SPEED, &v, err, sizeof err), 0);
    ck_assert(v == 0.5);
    ck_assert_int_eq(fab_units_parse("22 degC", FAB_DIM_TEMPERATURE, &v, err, sizeof err), 0);
    ck_assert(fabs(v - 295.15) < 1e-12);
    ck_assert_int_eq(fab_units_parse("96 %", FAB_DIM_NONE, &v, err, sizeof err), 0);
    ck_assert(fabs(v - 0.96) < 1e-15);
    ck_assert_int_eq(fab_units_parse("inf", FAB_DIM_COUNT, &v, err, sizeof err), 0);
    ck_assert(isinf(v));
    ck_assert_int_eq(fab_units_parse("1_000", FAB_DIM_COUNT, &v, err, sizeof err), 0);
    ck_assert(v == 1000);
}
END_TEST

START_TEST(test_units_errors)
{
    double v = -1;
    char err[200];
    ck_assert_int_eq(fab_units_parse("3 m", FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected a time"));
    ck_assert_ptr_nonnull(strstr(err, "length"));
    ck_assert_int_eq(fab_units_parse("40 sec", FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown unit"));
    ck_assert_int_eq(fab_units_parse("abc", FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert_int_eq(fab_units_parse("2.5", FAB_DIM_COUNT, &v, err, sizeof err), -1);
    ck_assert_int_eq(fab_units_parse("inf", FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert(v == -1);
}
END_TEST

/* Numbers are written as in .fab files (after an optional sign): hex, a bare or trailing
 * decimal point, a bare exponent and misplaced underscores are errors; strtod alone took
 * "0x10" as 16 and ".5" as 0.5. */
START_TEST(test_units_number_syntax_of_fab_files)
{
    double v = -1;
    char err[200];
    const char *bad[] = {"0x10", "0x10 s", ".5", ".5 min", "5.", "5. s", "1e", "1e+ s", "_1",
                         "1_", "1__0", "1_.5", "5e-0_1", "1._5", "+", "-", "--1", "nan", "0b11", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(fab_units_parse(bad[i], FAB_DIM_ANY, &v, err, sizeof err) == -1,
                      "\"%s\" accepted as %g", bad[i], v);
        ck_assert_msg(strstr(err, bad[i]) != NULL, "%s: %s", bad[i], err);
    }
    ck_assert(v == -1);
    const char *good[] = {"0.5", "+0.5", "-0.5", "5e-1", "5E-1", "50e-2", "0_0.5", "0.5_0",
                          "5_0e-2", "  0.5  ", "0.5e0", "5e-01"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(fab_units_parse(good[i], FAB_DIM_ANY, &v, err, sizeof err) == 0, "%s: %s",
                      good[i], err);
        ck_assert_msg(fabs(v) == 0.5, "%s: %g", good[i], v);
    }
    ck_assert_int_eq(fab_units_parse("1_000 s", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 1000);
}
END_TEST

/* A value that overflows a double, as written or once converted to SI, is an error naming the
 * range, not inf: 1e308 h is about 3.6e311 s. The largest bare values still parse. */
START_TEST(test_units_overflow_is_out_of_range)
{
    double v = -1;
    char err[200];
    const char *bad[] = {"1e308h", "1e308 h", "-1e308 h", "1e400 s", "1e400", "1e308 kWh",
                         "1e306 km"};
    const fab_dim dims[] = {FAB_DIM_TIME, FAB_DIM_TIME, FAB_DIM_TIME, FAB_DIM_TIME, FAB_DIM_TIME,
                            FAB_DIM_ENERGY, FAB_DIM_ANY};
    for (int i = 0; i < 7; i++) {
        ck_assert_msg(fab_units_parse(bad[i], dims[i], &v, err, sizeof err) == -1, "%s", bad[i]);
        ck_assert_msg(strstr(err, "out of range") != NULL, "%s: %s", bad[i], err);
    }
    ck_assert(v == -1);
    ck_assert_int_eq(fab_units_parse("1e308", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 1e308);
    ck_assert_int_eq(fab_units_parse("1e300 h", FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 1e300 * 3600.0);
}
END_TEST

/* A number beyond 63 characters (underscores not counted) is an error, not cut short: a
 * 64-digit number once lost its last digit, and "3600" + 60 spaces + "xyz" was 3600 s. 63
 * characters still parse, and so does a short value with long trailing space. */
START_TEST(test_units_long_text_is_an_error)
{
    double v = -1;
    char err[200], text[200];
    snprintf(text, sizeof text, "3600%60sxyz", "");
    ck_assert_int_eq(fab_units_parse(text, FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown unit \"xyz\""));
    snprintf(text, sizeof text, "1%063d", 0);                  /* 1e63, 64 digits */
    ck_assert_int_eq(fab_units_parse(text, FAB_DIM_ANY, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "longer than 63 characters"));
    ck_assert(v == -1);
    snprintf(text, sizeof text, "1%062d", 0);                  /* 1e62, 63 digits */
    ck_assert_int_eq(fab_units_parse(text, FAB_DIM_ANY, &v, err, sizeof err), 0);
    ck_assert(v == 1e62);
    strcpy(text, "1");
    for (int i = 0; i < 62; i++)
        strcat(text, "_0");                                     /* 1e62, 125 characters */
    ck_assert_int_eq(fab_units_parse(text, FAB_DIM_ANY, &v, err, sizeof err), 0);
    ck_assert(v == 1e62);
    snprintf(text, sizeof text, "  12 s%100s", "");
    ck_assert_int_eq(fab_units_parse(text, FAB_DIM_TIME, &v, err, sizeof err), 0);
    ck_assert(v == 12);
}
END_TEST

/* `%` is dimensionless, as in .fab files: accepted for dimensionless numbers, counts and ANY,
 * an error for a time or a length; its value is n / 100 as the compiler computes it (35 * 0.01
 * is one ulp above 0.35). */
START_TEST(test_units_percent_only_dimensionless)
{
    double v = -1;
    char err[200];
    ck_assert_int_eq(fab_units_parse("50%", FAB_DIM_TIME, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected a time"));
    ck_assert_ptr_nonnull(strstr(err, "(a dimensionless number)"));
    ck_assert_int_eq(fab_units_parse("50 %", FAB_DIM_LENGTH, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected a length"));
    ck_assert(v == -1);
    ck_assert_int_eq(fab_units_parse("35%", FAB_DIM_NONE, &v, err, sizeof err), 0);
    ck_assert(v == 0.35);
    ck_assert_int_eq(fab_units_parse("200 %", FAB_DIM_COUNT, &v, err, sizeof err), 0);
    ck_assert(v == 2);
    ck_assert_int_eq(fab_units_parse("50%", FAB_DIM_ANY, &v, err, sizeof err), 0);
    ck_assert(v == 0.5);
}
END_TEST

/* ---- model builder and parameters ------------------------------------------------------- */

/* arrivals (exponential, mean 60 s) -> b1 (capacity) -> press (exponential cycle) -> done */
static fab_model *line_with(double cycle_mean, uint64_t capacity)
{
    fab_model *m = fab_model_new("line");
    int job = fab_model_part_type(m, "Job");
    int src = fab_source_new(m, "arrivals", job);
    fab_source_interarrival(m, src, fab_sampler_of_dist(fab_dist_exp(60)));
    int q = fab_buffer_new(m, "b1", capacity);
    int st = fab_station_new(m, "press");
    fab_station_cycle(m, st, fab_sampler_of_dist(fab_dist_exp(cycle_mean)));
    int sk = fab_sink_new(m, "done");
    fab_flow(m, src, q);
    fab_flow(m, q, st);
    fab_flow(m, st, sk);
    return m;
}

static fab_model *small_line(void)
{
    return line_with(48, 5);
}

/* feed (a batch of 20 parts every 1200 s) -> b1 (capacity 5) -> press (constant cycle 48 s,
 * the parameter press.cycle) -> done; everything deterministic */
static fab_model *batch_line(void)
{
    fab_model *m = fab_model_new("batch line");
    int job = fab_model_part_type(m, "Job");
    int src = fab_source_new(m, "feed", job);
    fab_source_interarrival(m, src, fab_sampler_const(1200));
    fab_source_batch(m, src, 20);
    int q = fab_buffer_new(m, "b1", 5);
    int st = fab_station_new(m, "press");
    fab_station_cycle(m, st, fab_sampler_const(48));
    int sk = fab_sink_new(m, "done");
    fab_flow(m, src, q);
    fab_flow(m, q, st);
    fab_flow(m, st, sk);
    return m;
}

static fab_results *run_reps(fab_model *m, int64_t replications)
{
    fab_run_opts o = fab_run_opts_default();
    o.replications = replications;
    char err[256] = "";
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "run failed: %s", err);
    return r;
}

START_TEST(test_model_errors)
{
    fab_model *m = small_line();
    ck_assert_ptr_null(fab_model_error(m));
    ck_assert_int_eq(fab_station_new(m, "press"), -1);
    ck_assert_ptr_nonnull(strstr(fab_model_error(m), "defined twice"));
    char err[256];
    ck_assert_ptr_null(fab_run(m, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "press"));
    fab_model_free(m);

    m = fab_model_new("x");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "s", t);
    fab_source_interarrival(m, s, fab_sampler_const(1));
    fab_sink_new(m, "k");
    ck_assert_ptr_null(fab_run(m, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "no successor"));
    fab_model_free(m);

    m = fab_model_new("x");
    t = fab_model_part_type(m, "P");
    s = fab_source_new(m, "s", t);
    fab_source_interarrival(m, s, fab_sampler_const(1));
    int a = fab_sink_new(m, "a"), b = fab_sink_new(m, "b");
    fab_flow(m, s, a);
    fab_flow(m, s, b);
    fab_route_prob(m, s, a, 0.5);
    fab_route_prob(m, s, b, 0.4);
    ck_assert_ptr_null(fab_run(m, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "sum"));
    fab_model_free(m);
}
END_TEST

/* The value --help shows for parameter `name` (the slot it names), or NAN when not listed. */
static double usage_value(const fab_model *m, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    fab_cli_usage(f, "sim", m);
    fclose(f);
    double v = NAN;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char pname[128], dim[32];
        double x;
        if (sscanf(line, " %127s %31s = %lf", pname, dim, &x) == 3 && !strcmp(pname, name))
            v = x;
    }
    free(text);
    return v;
}

/* A constant's short name <element>.<purpose> is an alias: with a part type named v, the name
 * press.cycle.v is both the default constant cycle's full name and the alias of the type v
 * cycle's constant (press.cycle.v.v). The full name wins whichever is registered first; the
 * same for a type named like another parameter (mean). */
START_TEST(test_model_param_full_name_wins_over_alias)
{
    fab_model *m = fab_model_new("alias");
    int v = fab_model_part_type(m, "v"), mean = fab_model_part_type(m, "mean");
    int src = fab_source_new(m, "src", v);
    fab_source_interarrival(m, src, fab_sampler_const(10));
    int press = fab_station_new(m, "press"), lathe = fab_station_new(m, "lathe");
    int drill = fab_station_new(m, "drill");
    int k = fab_sink_new(m, "k");
    fab_station_cycle(m, press, fab_sampler_const(5));           /* full name first */
    fab_station_cycle_for(m, press, v, fab_sampler_const(7));
    fab_station_cycle_for(m, lathe, v, fab_sampler_const(7));    /* the alias first */
    fab_station_cycle(m, lathe, fab_sampler_const(5));
    fab_station_cycle(m, drill, fab_sampler_of_dist(fab_dist_exp(4)));
    fab_station_cycle_for(m, drill, mean, fab_sampler_const(3));
    fab_flow(m, src, press);
    fab_flow(m, press, lathe);
    fab_flow(m, lathe, drill);
    fab_flow(m, drill, k);
    char err[256];
    const char *st[] = {"press", "lathe"};
    for (int i = 0; i < 2; i++) {
        char full[64], type_v[64], alias[64];
        snprintf(full, sizeof full, "%s.cycle.v", st[i]);
        snprintf(type_v, sizeof type_v, "%s.cycle.v.v", st[i]);
        snprintf(alias, sizeof alias, "%s.cycle", st[i]);
        ck_assert_int_eq(fab_model_set(m, full, "9 s", err, sizeof err), 0);
        ck_assert_msg(usage_value(m, alias) == 9, "%s: %g", alias, usage_value(m, alias));
        ck_assert_msg(usage_value(m, type_v) == 7, "%s: %g", type_v, usage_value(m, type_v));
        ck_assert_int_eq(fab_model_set(m, type_v, "8 s", err, sizeof err), 0);
        ck_assert(usage_value(m, full) == 9 && usage_value(m, alias) == 9);
    }
    ck_assert_int_eq(fab_model_set(m, "drill.cycle.mean", "6 s", err, sizeof err), 0);
    ck_assert(usage_value(m, "drill.cycle.mean.v") == 3);
    ck_assert_int_eq(fab_model_set(m, "drill.cycle.mean.v", "2 s", err, sizeof err), 0);
    ck_assert(usage_value(m, "drill.cycle.mean") == 6);
    fab_model_free(m);
}
END_TEST

START_TEST(test_model_set)
{
    fab_model *m = small_line();
    char err[256];
    ck_assert_int_eq(fab_model_set(m, "press.cycle.mean", "40s", err, sizeof err), 0);
    ck_assert_int_eq(fab_model_set(m, "b1.capacity", "12", err, sizeof err), 0);
    ck_assert_int_eq(fab_model_set(m, "horizon", "2 h", err, sizeof err), 0);
    ck_assert_int_eq(fab_model_set(m, "press.cycle.mean", "3 m", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "press.cycle.mean"));
    ck_assert_ptr_nonnull(strstr(err, "time"));
    ck_assert_int_eq(fab_model_set(m, "press.speed", "3", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown parameter"));
    double extra = 1;
    fab_model_param(m, "press.extra", &extra, FAB_DIM_TIME);
    ck_assert_int_eq(fab_model_set(m, "press.extra", "2 min", err, sizeof err), 0);
    ck_assert(extra == 120);

    /* The overrides take effect, exactly: a replication is a pure function of (model,
     * parameters, seed, replication index) (fab/sim.h), so the overridden line must give, bit
     * for bit, every metric of every replication of the line built with exponential(40 s),
     * capacity 12 and horizon 2 h. An override that did not reach the run would change the
     * cycle draws (all scaled by 48/40), the horizon, or, wherever b1 would hold more than 5
     * parts, the blocking, and so the results; the deterministic line below checks each
     * override on its own. */
    fab_results *r = run_reps(m, 4);
    fab_model *built = line_with(40, 12);
    fab_model_horizon(built, 7200);
    fab_results *want = run_reps(built, 4);
    ck_assert(fab_results_horizon(r) == 7200);
    ck_assert_int_eq(fab_results_metric_count(r), fab_results_metric_count(want));
    for (int k = 0; k < fab_results_metric_count(r); k++) {
        ck_assert_str_eq(fab_results_metric_name(r, k), fab_results_metric_name(want, k));
        for (uint64_t rep = 0; rep < 4; rep++) {
            double a = fab_results_value(r, rep, k), b = fab_results_value(want, rep, k);
            ck_assert_msg(a == b || (isnan(a) && isnan(b)), "%s.%s rep %llu: %.17g vs %.17g",
                          fab_results_metric_element(r, k), fab_results_metric_name(r, k),
                          (unsigned long long)rep, a, b);
        }
    }
    fab_results_free(want);
    fab_model_free(built);
    fab_results_free(r);
    fab_model_free(m);

    /* The same overrides on a deterministic line, against values worked out by hand: batches of
     * 20 arrive at 1200, 2400, ..., 7200 s; the first part of each goes straight to the idle
     * press, min(capacity, 19) wait in b1 and the rest at the source. With cycle 40 s each of
     * the five batches before 7200 s keeps the press busy 20 * 40 = 800 s, so the utilization
     * over 2 h is 4000 / 7200 = 5/9 (2/3 with the default 48 s), b1's max_level is 12 (5 with
     * the default capacity), and done receives 5 * 20 = 100 parts (the batch at 7200 s finishes
     * none). Busy time and horizon are whole seconds, so only the final division rounds.
     * The constant cycle is reachable as press.cycle and as press.cycle.v (docs/cli.md). */
    static const char *const cycle_names[] = {"press.cycle", "press.cycle.v"};
    for (int i = 0; i < 2; i++) {
        m = batch_line();
        ck_assert_int_eq(fab_model_set(m, cycle_names[i], "40s", err, sizeof err), 0);
        ck_assert_int_eq(fab_model_set(m, "b1.capacity", "12", err, sizeof err), 0);
        ck_assert_int_eq(fab_model_set(m, "horizon", "2 h", err, sizeof err), 0);
        r = run_reps(m, 1);
        ck_assert(fab_results_horizon(r) == 7200);
        double u = fab_results_get(r, "press", "utilization").mean;
        ck_assert_msg(fabs(u - 5.0 / 9.0) <= 1e-12, "%s: utilization %.17g", cycle_names[i], u);
        ck_assert(fab_results_get(r, "b1", "max_level").mean == 12);
        ck_assert(fab_results_get(r, "done", "count").mean == 100);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* A replication count whose results matrix does not fit in memory is refused before any run:
 * with 2^61 replications, 8-byte values and an even number of values per replication the
 * byte count is a multiple of 2^64 (0 in 64 bits), with 2^61 + 1 just one row. */
START_TEST(test_run_too_many_replications_refused)
{
    static const int64_t counts[] = {(int64_t)1 << 61, ((int64_t)1 << 61) + 1, INT64_MAX};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        for (int jobs = 1; jobs <= 2; jobs++) {
            fab_model *m = small_line();
            fab_run_opts o = fab_run_opts_default();
            o.replications = counts[i];
            o.jobs = jobs;
            char err[256] = "";
            fab_results *r = fab_run(m, &o, err, sizeof err);
            ck_assert_msg(r == NULL, "%lld replications, %d jobs: accepted",
                          (long long)counts[i], jobs);
            ck_assert_msg(strstr(err, "too many replications") != NULL, "error: %s", err);
            fab_model_free(m);
        }
    /* the same limit for the model's own count */
    fab_model *m = small_line();
    fab_model_replications(m, UINT64_MAX);
    char err[256] = "";
    ck_assert_ptr_null(fab_run(m, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "too many replications"));
    fab_model_free(m);
}
END_TEST

/* ---- results output ------------------------------------------------------------------- */

/* The JSON of r in *buf (malloc'd), its length in *len. */
static void json_of(const fab_results *r, char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fab_results_write_json(r, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* The summary table of r, malloc'd. */
static char *table_of(const fab_results *r)
{
    char *table = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&table, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fab_results_write_table(r, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return table;
}

/* raw (saturated) -> b1 (2) -> a (4 s) -> b2 (2) -> b (6 s) -> back to b1, with the buffers
 * named b1_name and b2_name: it jams at t = 16 s (test_elements.c's test_deadlock_reported). */
static fab_model *jam_loop(const char *b1_name, const char *b2_name)
{
    fab_model *m = fab_model_new("loop");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, s);
    int b1 = fab_buffer_new(m, b1_name, 2), a = fab_station_new(m, "a");
    fab_station_cycle(m, a, fab_sampler_const(4));
    int b2 = fab_buffer_new(m, b2_name, 2), b = fab_station_new(m, "b");
    fab_station_cycle(m, b, fab_sampler_const(6));
    fab_flow(m, s, b1);
    fab_flow(m, b1, a);
    fab_flow(m, a, b2);
    fab_flow(m, b2, b);
    fab_flow(m, b, b1);
    return m;
}

/* src (constant interarrival ia) -> station (constant cycle) -> sink k. */
static fab_model *one_station(const char *model, const char *station, double ia, double cycle)
{
    fab_model *m = fab_model_new(model);
    int t = fab_model_part_type(m, "P");
    int src = fab_source_new(m, "src", t);
    fab_source_interarrival(m, src, fab_sampler_const(ia));
    int st = fab_station_new(m, station);
    fab_station_cycle(m, st, fab_sampler_const(cycle));
    int k = fab_sink_new(m, "k");
    fab_flow(m, src, st);
    fab_flow(m, st, k);
    return m;
}

/* The deadlock list of the JSON (and fab_results_deadlock_element) names each element of the
 * deadlock whole, whatever its name:
 * the loop raw -> "b1, left" -> a -> <300 x> -> b -> "b1, left" jams at t = 16 s in every
 * replication (as in test_elements.c's test_deadlock_reported), with all four in the loop. */
START_TEST(test_json_deadlock_names_whole)
{
    char longname[301];
    memset(longname, 'x', 300);
    longname[300] = 0;
    fab_model *m = jam_loop("b1, left", longname);
    fab_results *r = run_reps(m, 2);
    ck_assert_uint_eq(fab_results_deadlock_count(r), 2);
    char want[1024];
    snprintf(want, sizeof want, "\"deadlocks\": [{\"replication\": 0, \"time_s\": 16, "
             "\"elements\": [\"b1, left\", \"a\", \"%s\", \"b\"]}, {\"replication\": 1, "
             "\"time_s\": 16, \"elements\": [\"b1, left\", \"a\", \"%s\", \"b\"]}]",
             longname, longname);
    char *json;
    size_t len;
    json_of(r, &json, &len);
    const char *got = strstr(json, "\"deadlocks\"");
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(!strncmp(got, want, strlen(want)), "want %s, got %.900s", want, got);
    free(json);
    /* and so does the C API, one name at a time */
    const char *names[] = {"b1, left", "a", longname, "b"};
    for (uint64_t i = 0; i < 2; i++) {
        ck_assert_int_eq(fab_results_deadlock_elements(r, i), 4);
        for (int k = 0; k < 4; k++)
            ck_assert_str_eq(fab_results_deadlock_element(r, i, k), names[k]);
    }
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* Names that are not well-formed UTF-8 are written with U+FFFD in place of each bad byte, so
 * that the JSON stays valid (RFC 8259 wants UTF-8); well-formed sequences are kept, control
 * characters, quotes and backslashes escaped. The raw bytes were copied before. */
START_TEST(test_json_names_are_valid_utf8)
{
    static const struct { const char *name, *json; } cases[] = {
        {"Pr\xc3\xbc" "fung \xe2\x82\xac \xf0\x9f\x94\xa7",
         "\"Pr\xc3\xbc" "fung \xe2\x82\xac \xf0\x9f\x94\xa7\""},
        {"latin1 \xff\xfe", "\"latin1 \\ufffd\\ufffd\""},
        {"overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\""},
        {"surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\""},
        {"beyond \xf4\x90\x80\x80", "\"beyond \\ufffd\\ufffd\\ufffd\\ufffd\""},
        {"cut \xe2\x82", "\"cut \\ufffd\\ufffd\""},
        {"q\"b\\t\tz", "\"q\\\"b\\\\t\\u0009z\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fab_model *m = fab_model_new(cases[i].name);
        int t = fab_model_part_type(m, "P");
        int src = fab_source_new(m, "src", t);
        fab_source_interarrival(m, src, fab_sampler_const(10));
        int k = fab_sink_new(m, "k");
        fab_flow(m, src, k);
        fab_results *r = run_reps(m, 1);
        char *json;
        size_t len;
        json_of(r, &json, &len);
        char want[128];
        snprintf(want, sizeof want, "\"model\": %s", cases[i].json);
        ck_assert_msg(strstr(json, want) != NULL, "case %zu: want %s in %.200s", i, want, json);
        free(json);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* The line of the table that starts with `prefix` (from a line start), copied into line. */
static void table_line(const char *table, const char *prefix, char *line, size_t n)
{
    const char *p = table;
    while (p && strncmp(p, prefix, strlen(prefix))) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    ck_assert_msg(p != NULL, "no line %s in\n%s", prefix, table);
    snprintf(line, n, "%.*s", (int)strcspn(p, "\n"), p);
}

/* Occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
    int c = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        c++;
    return c;
}

/* Fewer than two values give no confidence interval: with one replication the table's CI
 * column says n/a and the JSON's ci95_lo and ci95_hi are null for every statistic; with two
 * replications the interval is given. */
START_TEST(test_one_replication_no_interval)
{
    for (int reps = 1; reps <= 2; reps++) {
        fab_model *m = small_line();
        fab_results *r = run_reps(m, reps);
        char *table = table_of(r);
        size_t len;
        char line[256];
        table_line(table, "done ", line, sizeof line);
        ck_assert_msg(strstr(line, " count ") != NULL, "%s", line);
        char *json;
        json_of(r, &json, &len);
        int stats = count_of(json, "\"ci95_lo\": ");
        ck_assert_int_gt(stats, 20);
        ck_assert_int_eq(count_of(json, "\"ci95_hi\": "), stats);
        int nulls = count_of(json, "\"ci95_lo\": null, \"ci95_hi\": null");
        if (reps == 1) {
            ck_assert_msg(strstr(line, "n/a") != NULL, "%s", line);
            ck_assert_msg(strstr(table, "+/-") == NULL, "an interval in\n%s", table);
            ck_assert_int_eq(nulls, stats);
        } else {
            ck_assert_msg(strstr(line, "+/-") != NULL, "%s", line);
            ck_assert_msg(strstr(line, "n/a") == NULL, "%s", line);
            ck_assert_int_lt(nulls, stats);
        }
        free(json);
        free(table);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* The display column (UTF-8 characters) at which `word` starts in line, or -1. */
static int display_col(const char *line, const char *word)
{
    const char *p = strstr(line, word);
    if (!p)
        return -1;
    int c = 0;
    for (const char *q = line; q < p; q++)
        c += ((unsigned char)*q & 0xC0) != 0x80;
    return c;
}

/* The table's element column is as wide as the longest name (in characters, not bytes), so the
 * columns after it line up, and no line ends in spaces; a state fraction with no window (a
 * deadlock during the warmup) shows "-", not nan. */
START_TEST(test_table_columns_line_up)
{
    const char *longname = "a_really_long_station_name_f\xc3\xbcr_the_press";   /* 40 chars */
    fab_model *m = one_station("table", longname, 10, 4);
    fab_results *r = run_reps(m, 2);
    char *table = table_of(r);
    char line[512];
    table_line(table, "element ", line, sizeof line);
    int kind_col = display_col(line, " kind ");
    ck_assert_int_eq(kind_col, 40);
    table_line(table, "src ", line, sizeof line);
    ck_assert_int_eq(display_col(line, " source "), kind_col);
    table_line(table, longname, line, sizeof line);
    ck_assert_int_eq(display_col(line, " station "), kind_col);
    table_line(table, "k ", line, sizeof line);
    ck_assert_int_eq(display_col(line, " sink "), kind_col);
    const char *breakdown = strstr(table, "State breakdown");
    ck_assert_ptr_nonnull(breakdown);
    table_line(breakdown, "station ", line, sizeof line);
    int idle_col = display_col(line, "idle");
    char row[512];
    snprintf(row, sizeof row, "%s ", longname);
    table_line(breakdown, row, line, sizeof line);
    /* the first value right-aligned under "idle": its decimal point two before the end */
    ck_assert_msg(display_col(line, ".") == idle_col + 1, "%s", line);
    ck_assert_msg(strstr(table, " \n") == NULL, "a line ends in a space:\n%s", table);
    free(table);
    fab_results_free(r);
    fab_model_free(m);

    /* the loop jams at 16 s, before a warmup of 100 s */
    m = jam_loop("b1", "b2");
    fab_model_warmup(m, 100);
    r = run_reps(m, 2);
    table = table_of(r);
    ck_assert_msg(strstr(table, "nan") == NULL, "%s", table);
    breakdown = strstr(table, "State breakdown");
    ck_assert_ptr_nonnull(breakdown);
    table_line(breakdown, "a  ", line, sizeof line);
    ck_assert_msg(count_of(line, " -") == 5, "%s", line);
    free(table);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* Times in the table are shown in h, min or s by their size, under names without "_s": lead
 * times of 30 s, 5 min and 2.5 h (one part at a time through a constant cycle). */
START_TEST(test_table_times_in_engineers_units)
{
    const double cycle[3] = {30, 300, 9000};
    const char *shown[3] = {"30 s", "5 min", "2.5 h"};
    for (int i = 0; i < 3; i++) {
        fab_model *m = one_station("units", "mc", 2 * cycle[i], cycle[i]);
        fab_model_horizon(m, 100 * cycle[i]);
        fab_results *r = run_reps(m, 2);
        char *table = table_of(r);
        char line[512];
        const char *lt = strstr(table, " lead_time ");
        ck_assert_msg(lt != NULL, "no lead_time in\n%s", table);
        snprintf(line, sizeof line, "%.*s", (int)strcspn(lt, "\n"), lt);
        ck_assert_msg(strstr(line, shown[i]) != NULL, "want %s in: %s", shown[i], line);
        ck_assert_msg(strstr(table, "lead_time_s") == NULL, "%s", table);
        free(table);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* ---- command line ---------------------------------------------------------------------- */

static int parse(fab_model *m, fab_cli *cli, char *err, size_t n, const char *a1, const char *a2,
                 const char *a3)
{
    char *argv[5] = {"sim", (char *)a1, (char *)a2, (char *)a3, NULL};
    int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
    return fab_cli_parse(cli, m, argc, argv, err, n);
}

/* The seed fab_run uses for m (one replication of a minute). */
static uint64_t run_seed(fab_model *m)
{
    fab_run_opts o = fab_run_opts_default();
    o.replications = 1;
    o.horizon = 60;
    char err[256] = "";
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "run failed: %s", err);
    uint64_t seed = fab_results_seed(r);
    fab_results_free(r);
    return seed;
}

START_TEST(test_cli_parse)
{
    fab_model *m = small_line();
    fab_cli cli;
    char err[256];
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--horizon", "8h", "--quiet"), 0);
    ck_assert(cli.run.horizon == 28800);
    ck_assert_int_eq(cli.quiet, 1);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--warmup=90min", "--jobs", "4"), 0);
    ck_assert(cli.run.warmup == 5400);
    ck_assert_int_eq(cli.run.jobs, 4);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--set", "b1.capacity=7", "--json=-"), 0);
    ck_assert_str_eq(cli.json_path, "-");
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "3", "--seed=9"), 0);
    ck_assert_int_eq(cli.run.replications, 3);
    ck_assert_uint_eq(run_seed(m), 9);

    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--horizon", "8 m", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--horizon"));
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "0", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--replications"));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--jobs", "two", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--jobs"));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--frobnicate", NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--frobnicate"));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--set", "nope=3", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--set"));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--set", "b1.capacity", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "name=value"));
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--seed", NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "missing value"));
    fab_model_free(m);
}
END_TEST

/* Flags take no value: --quiet=no, --replication-values=0 and --help=x are errors naming the
 * flag, not the flag turned on. */
START_TEST(test_cli_flags_take_no_value)
{
    fab_model *m = small_line();
    fab_cli cli;
    char err[256];
    static const char *const bad[] = {"--quiet=no", "--quiet=", "--replication-values=0",
                                      "--help=x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(parse(m, &cli, err, sizeof err, bad[i], "--json", "-") == 2, "%s accepted",
                      bad[i]);
        char want[64];
        snprintf(want, sizeof want, "%.*s: does not take a value", (int)strcspn(bad[i], "="),
                 bad[i]);
        ck_assert_msg(strstr(err, want) != NULL, "%s: %s", bad[i], err);
    }
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--quiet", "--replication-values",
                           "--json=-"), 0);
    ck_assert_int_eq(cli.quiet, 1);
    ck_assert_int_eq(cli.replication_values, 1);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--help", NULL, NULL), 0);
    ck_assert_int_eq(cli.help, 1);
    fab_model_free(m);
}
END_TEST

/* --set reaches a parameter by its whole name, however long (a 300-character element name);
 * with the name cut short it would be an unknown parameter. */
START_TEST(test_cli_set_long_name)
{
    char elem[301], arg[400];
    memset(elem, 'm', 300);
    elem[300] = 0;
    fab_model *m = fab_model_new("long");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(10));
    int st = fab_station_new(m, elem);
    fab_station_cycle(m, st, fab_sampler_const(5));
    fab_flow(m, s, st);
    fab_flow(m, st, fab_sink_new(m, "out"));
    fab_cli cli;
    char err[256];
    snprintf(arg, sizeof arg, "%s.power.busy=5kW", elem);
    ck_assert_msg(parse(m, &cli, err, sizeof err, "--set", arg, NULL) == 0, "%s", err);
    snprintf(arg, sizeof arg, "%s.power.bsy=5kW", elem);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--set", arg, NULL), 2);
    fab_model_free(m);
}
END_TEST

/* --replications takes 1 to FAB_MAX_REPLICATIONS. */
START_TEST(test_cli_replications_range)
{
    fab_model *m = small_line();
    fab_cli cli;
    char err[256];
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "1000000000", NULL), 0);
    ck_assert_int_eq(cli.run.replications, 1000000000);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "1000000001", NULL), 2);
    ck_assert_str_eq(err, "--replications: expected a whole number from 1 to 1000000000, got "
                          "\"1000000001\"");
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "0", NULL), 2);
    ck_assert_str_eq(err, "--replications: expected a whole number from 1 to 1000000000, got "
                          "\"0\"");
    /* numbers as .fab files write them */
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "1_000", NULL), 0);
    ck_assert_int_eq(cli.run.replications, 1000);
    ck_assert_int_eq(parse(m, &cli, err, sizeof err, "--replications", "1e9", NULL), 0);
    ck_assert_int_eq(cli.run.replications, 1000000000);
    fab_model_free(m);
}
END_TEST

/* --seed takes every model seed, 0 to 2^64 - 1, exactly, as digits with single underscores
 * between them after an optional '+' (and surrounding space, as every value), and nothing
 * else. */
START_TEST(test_cli_seed_full_range)
{
    static const struct {
        const char *text;
        uint64_t seed;
    } ok[] = {{"0", 0},
              {"9223372036854775807", 9223372036854775807u},
              {"9223372036854775808", 9223372036854775808u},
              {"18446744073709551615", 18446744073709551615u},
              {"18_446_744_073_709_551_615", 18446744073709551615u},
              {"+7", 7}, {" 5 ", 5}};
    fab_cli cli;
    char err[256];
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        fab_model *m = small_line();
        ck_assert_msg(parse(m, &cli, err, sizeof err, "--seed", ok[i].text, NULL) == 0, "%s: %s",
                      ok[i].text, err);
        ck_assert_uint_eq(run_seed(m), ok[i].seed);
        fab_model_free(m);
    }
    static const char *const bad[] = {"18446744073709551616", "-1", "", "12x", "1__2", "_1",
                                      "1_", "1e3", "+", "1 2", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fab_model *m = small_line();
        ck_assert_msg(parse(m, &cli, err, sizeof err, "--seed", bad[i], NULL) == 2,
                      "\"%s\" accepted", bad[i]);
        ck_assert_msg(strstr(err, "--seed: expected a whole number from 0 to "
                                  "18446744073709551615") != NULL, "%s", err);
        ck_assert_uint_eq(run_seed(m), 42);
        fab_model_free(m);
    }
}
END_TEST

START_TEST(test_main_exit_status)
{
    char *bad[] = {"sim", "--horizon", "soon", NULL};
    ck_assert_int_eq(fab_main(small_line(), 3, bad), 2);
    char *ok[] = {"sim", "--replications", "2", "--horizon", "1h", "--quiet", NULL};
    ck_assert_int_eq(fab_main(small_line(), 6, ok), 0);
}
END_TEST

/* fab_main(small_line(), argv) in a child process whose standard output is the file `out`;
 * what it writes on standard error in err. Returns its exit status (99: out not opened). */
static int main_writing_to(const char *out, char **argv, char *err, size_t n)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    int pfd[2];
    ck_assert_int_eq(pipe(pfd), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        if (!freopen(out, "w", stdout) || dup2(pfd[1], STDERR_FILENO) < 0)
            _exit(99);
        _exit(fab_main(small_line(), argc, argv));
    }
    close(pfd[1]);
    size_t len = 0;
    char scratch[512];
    for (;;) {
        char *to = len + 1 < n ? err + len : scratch;
        size_t room = len + 1 < n ? n - 1 - len : sizeof scratch;
        ssize_t k = read(pfd[0], to, room);
        if (k <= 0)
            break;
        if (to != scratch)
            len += (size_t)k;
    }
    err[len] = 0;
    close(pfd[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "the child did not exit (status %d)", st);
    return WEXITSTATUS(st);
}

/* Output that cannot be written (here to /dev/full, where every write fails with ENOSPC) is an
 * error even when it fails only as the buffer is flushed: the table, the JSON on standard
 * output, the usage text and the JSON file each give status 1 and a message naming where. */
START_TEST(test_main_write_errors)
{
    char err[1024], want[256];
    char *table[] = {"sim", "--replications", "2", "--horizon", "1h", NULL};
    char *json[] = {"sim", "--replications", "2", "--horizon", "1h", "--json", "-", NULL};
    char *help[] = {"sim", "--help", NULL};
    char **to_stdout[] = {table, json, help};
    static const char *const what[] = {"table", "JSON", "usage"};
    snprintf(want, sizeof want, "sim: error: writing standard output: %s\n", strerror(ENOSPC));
    for (int i = 0; i < 3; i++) {
        int status = main_writing_to("/dev/full", to_stdout[i], err, sizeof err);
        ck_assert_msg(status == 1, "%s to /dev/full: status %d", what[i], status);
        ck_assert_str_eq(err, want);
    }
    char *file[] = {"sim", "--replications", "2", "--horizon", "1h", "--quiet", "--json",
                    "/dev/full", NULL};
    snprintf(want, sizeof want, "sim: error: writing /dev/full: %s\n", strerror(ENOSPC));
    ck_assert_int_eq(main_writing_to("/dev/null", file, err, sizeof err), 1);
    ck_assert_str_eq(err, want);
    /* the same runs with output that can be written */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(main_writing_to("/dev/null", to_stdout[i], err, sizeof err), 0);
        ck_assert_str_eq(err, "");
    }
    file[7] = "/dev/null";
    ck_assert_int_eq(main_writing_to("/dev/null", file, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
}
END_TEST

static Suite *kernel_suite(void)
{
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_heap_order);
    tcase_add_test(tc, test_calendar_order);
    tcase_add_test(tc, test_heap_ties_fifo);
    tcase_add_test(tc, test_calendar_ties_fifo);
    tcase_add_test(tc, test_evset_clear_reuse);
    tcase_add_test(tc, test_evset_ties_resize);
    tcase_add_test(tc, test_calendar_far_times);
    tcase_add_test(tc, test_evset_huge_times);
    tcase_add_test(tc, test_units_parse);
    tcase_add_test(tc, test_units_errors);
    tcase_add_test(tc, test_units_overflow_is_out_of_range);
    tcase_add_test(tc, test_units_long_text_is_an_error);
    tcase_add_test(tc, test_units_number_syntax_of_fab_files);
    tcase_add_test(tc, test_units_percent_only_dimensionless);
    tcase_add_test(tc, test_model_errors);
    tcase_add_test(tc, test_model_set);
    tcase_add_test(tc, test_model_param_full_name_wins_over_alias);
    tcase_add_test(tc, test_run_too_many_replications_refused);
    tcase_add_test(tc, test_json_deadlock_names_whole);
    tcase_add_test(tc, test_json_names_are_valid_utf8);
    tcase_add_test(tc, test_table_columns_line_up);
    tcase_add_test(tc, test_table_times_in_engineers_units);
    tcase_add_test(tc, test_one_replication_no_interval);
    tcase_add_test(tc, test_cli_parse);
    tcase_add_test(tc, test_cli_flags_take_no_value);
    tcase_add_test(tc, test_cli_seed_full_range);
    tcase_add_test(tc, test_cli_replications_range);
    tcase_add_test(tc, test_cli_set_long_name);
    tcase_add_test(tc, test_main_exit_status);
    tcase_add_test(tc, test_main_write_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kernel_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
