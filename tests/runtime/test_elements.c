/*
 * test_elements.c — behaviour of the factory elements against values known exactly:
 * conveyor kinematics (transit length/speed, throughput speed/spacing, parts on a belt whose
 * head is blocked), failures (deterministic clocks of each basis, availability
 * MTBF/(MTBF+MTTR) for calendar and operating time), setup and energy, blocking after
 * service, assembly, routing, source limit/batch, and deadlock detection. Suite 'runtime'.
 * Statistical checks use fixed seeds; their tolerance is the 95 % CI widened by at most 2 %
 * of the exact value (significance level 5 % per check at the fixed seed).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fab/fab.h"

static fab_results *run(fab_model *m, double horizon, double warmup, int reps, int seed)
{
    fab_run_opts o = fab_run_opts_default();
    o.horizon = horizon;
    o.warmup = warmup;
    o.replications = reps;
    o.seed = seed;
    char err[256] = "";
    fab_results *r = fab_run(m, &o, err, sizeof err);
    if (!r)
        fprintf(stderr, "run failed: %s\n", err);
    ck_assert_ptr_nonnull(r);
    return r;
}

static double mean_of(const fab_results *r, const char *e, const char *k)
{
    fab_stat_summary s = fab_results_get(r, e, k);
    ck_assert_msg(s.n > 0, "%s.%s has no values", e, k);
    return s.mean;
}

/* exact value inside the 95 % CI and within 2 % */
static void assert_stat(const fab_results *r, const char *e, const char *k, double exact)
{
    fab_stat_summary s = fab_results_get(r, e, k);
    ck_assert_msg(s.n > 0, "%s.%s has no values", e, k);
    ck_assert_msg(exact >= s.ci95_lo && exact <= s.ci95_hi,
                  "%s.%s: exact %.6g outside CI [%.6g, %.6g]", e, k, exact, s.ci95_lo, s.ci95_hi);
    ck_assert_msg(fabs(s.mean - exact) <= 0.02 * fabs(exact), "%s.%s: %.6g not within 2%% of %.6g",
                  e, k, s.mean, exact);
}

/* ---- conveyors -------------------------------------------------------------------------- */

/* source -> conveyor -> (station or sink) -> sink */
static fab_model *conveyor_model(int accumulating, double length, int saturated, double ia,
                                 double downstream_cycle)
{
    fab_model *m = fab_model_new("conveyor");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    if (saturated)
        fab_source_unlimited(m, s);
    else
        fab_source_interarrival(m, s, fab_sampler_const(ia));
    int c = fab_conveyor_new(m, "belt", length, 0.5, 0.6, accumulating);
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, c);
    if (downstream_cycle > 0) {
        int st = fab_station_new(m, "stop");
        fab_station_cycle(m, st, fab_sampler_const(downstream_cycle));
        fab_flow(m, c, st);
        fab_flow(m, st, k);
    } else {
        fab_flow(m, c, k);
    }
    return m;
}

/* Only the parts of types that define a due date are counted for tardiness and on-time
 * delivery: a type without one is neither late nor on time. */
START_TEST(test_due_date_only_for_types_that_define_it)
{
    fab_model *m = fab_model_new("due");
    int with = fab_model_part_type(m, "Dated");
    int without = fab_model_part_type(m, "Plain");
    int due = fab_model_attr(m, "due");
    fab_model_part_attr(m, with, due, fab_sampler_const(1000.0));
    int a = fab_source_new(m, "dated", with);
    int b = fab_source_new(m, "plain", without);
    fab_source_interarrival(m, a, fab_sampler_const(100.0));
    fab_source_interarrival(m, b, fab_sampler_const(100.0));
    int st = fab_station_new(m, "slow");
    fab_station_cycle(m, st, fab_sampler_const(10.0));
    int k = fab_sink_new(m, "out");
    fab_flow(m, a, st);
    fab_flow(m, b, st);
    fab_flow(m, st, k);
    fab_results *r = run(m, 10000.0, 0.0, 1, 1);
    /* every dated part takes at most 20 s against a due date of 1000 s: all on time */
    ck_assert_double_eq_tol(mean_of(r, "out", "on_time"), 1.0, 1e-12);
    ck_assert_double_eq_tol(mean_of(r, "out", "tardiness_s"), 0.0, 1e-12);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_conveyor_transit_exact)
{
    for (int acc = 0; acc <= 1; acc++) {
        fab_model *m = conveyor_model(acc, 12.0, 0, 100.0, 0);
        fab_results *r = run(m, 100000, 0, 1, 1);
        ck_assert(fabs(mean_of(r, "belt", "mean_transit_s") - 24.0) < 1e-9);
        ck_assert(fabs(mean_of(r, "out", "lead_time_s") - 24.0) < 1e-9);
        ck_assert(mean_of(r, "out", "count") == 999);   /* arrivals 100..99900, exits +24 s */
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

START_TEST(test_conveyor_max_throughput)
{
    for (int acc = 0; acc <= 1; acc++) {
        fab_model *m = conveyor_model(acc, 12.0, 1, 0, 0);
        fab_results *r = run(m, 3600, 0, 1, 1);
        /* entries every spacing/speed = 1.2 s from t = 0; exits 24 s later */
        double expect = floor((3600.0 - 24.0) / 1.2 + 1e-9) + 1;
        double got = mean_of(r, "out", "count");
        ck_assert_msg(fabs(got - expect) <= 1, "acc %d: %g parts, expected %g", acc, got, expect);
        ck_assert(fabs(mean_of(r, "belt", "mean_transit_s") - 24.0) < 1e-9);
        ck_assert(mean_of(r, "belt", "throughput_per_h") == got);   /* horizon is 1 h */
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

START_TEST(test_conveyor_blocked_head_count)
{
    /* the station downstream never finishes: the head blocks and the belt fills */
    static const double lengths[] = {12.0, 10.0};
    for (int li = 0; li < 2; li++)
        for (int acc = 0; acc <= 1; acc++) {
            fab_model *m = conveyor_model(acc, lengths[li], 1, 0, 1e12);
            fab_results *r = run(m, 5000, 1000, 1, 1);
            double cap = floor(lengths[li] / 0.6);
            ck_assert_msg(mean_of(r, "belt", "mean_level") == cap, "L %g acc %d: level %g cap %g",
                          lengths[li], acc, mean_of(r, "belt", "mean_level"), cap);
            ck_assert(mean_of(r, "belt", "max_level") == cap);
            fab_results_free(r);
            fab_model_free(m);
        }
}
END_TEST

START_TEST(test_conveyor_accumulating_closes_up)
{
    /* Accumulating belt fed every 1.2 s, station taking 6 s per part: the head waits, the
     * parts queue at spacing. Steady state: the belt is full (20 parts) and a part leaves
     * every 6 s; after each departure the queue moves up by one spacing (1.2 s), so the
     * entry is free again and one part enters per departure. Non-accumulating: the same
     * count limit holds. Exits per hour = 600 in both cases. */
    for (int acc = 0; acc <= 1; acc++) {
        fab_model *m = conveyor_model(acc, 12.0, 1, 0, 6.0);
        fab_results *r = run(m, 7200, 3600, 1, 1);
        ck_assert(fabs(mean_of(r, "out", "throughput_per_h") - 600) <= 1);
        ck_assert(mean_of(r, "belt", "max_level") == 20);
        if (acc) {
            /* transit in steady state: 20 parts ahead of an entering part, one leaves every
             * 6 s: 20 * 6 = 120 s */
            ck_assert(fabs(mean_of(r, "belt", "mean_transit_s") - 120) < 1e-6);
        }
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* Records, through a route rule, when each part reaches the end of the belt. */
typedef struct end_log {
    int n, blocked;
    double last, min_gap, min_transit, max_transit;
} end_log;

static int log_belt_end(const fab_part *p, const fab_sim *v, void *ctx)
{
    end_log *lg = ctx;
    double now = fab_sim_now(v), transit = now - p->entered;
    if (lg->n > 0 && now - lg->last < lg->min_gap)
        lg->min_gap = now - lg->last;
    if (transit < lg->min_transit)
        lg->min_transit = transit;
    if (transit > lg->max_transit)
        lg->max_transit = transit;
    lg->last = now;
    lg->n++;
    return 0;
}

START_TEST(test_conveyor_spacing_kept_when_blocked)
{
    /* random feed and a downstream station that is often busy: the head blocks again and
     * again. Parts must still reach the end at least spacing/speed = 1.2 s apart, never
     * faster than length/speed = 24 s, and in order. */
    for (int acc = 0; acc <= 1; acc++) {
        fab_model *m = fab_model_new("belt");
        int t = fab_model_part_type(m, "P");
        int s = fab_source_new(m, "feed", t);
        fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(1.3)));
        int c = fab_conveyor_new(m, "belt", 12, 0.5, 0.6, acc);
        int st = fab_station_new(m, "mc");
        fab_station_cycle(m, st, fab_sampler_of_dist(fab_dist_exp(1.4)));
        int k = fab_sink_new(m, "out");
        fab_flow(m, s, c);
        fab_flow(m, c, st);
        fab_flow(m, st, k);
        static end_log lg;
        memset(&lg, 0, sizeof lg);
        lg.min_gap = lg.min_transit = INFINITY;
        fab_route_rule(m, c, log_belt_end, &lg);
        fab_results *r = run(m, 20000, 0, 1, 9);
        ck_assert_int_gt(lg.n, 10000);
        ck_assert_msg(lg.min_gap >= 1.2 - 1e-9, "acc %d: gap %.12g", acc, lg.min_gap);
        ck_assert_msg(lg.min_transit >= 24 - 1e-9, "acc %d: transit %.12g", acc, lg.min_transit);
        ck_assert_msg(lg.max_transit > 40, "acc %d: the head never blocked long", acc);
        ck_assert(mean_of(r, "belt", "max_level") <= 20);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* ---- failures --------------------------------------------------------------------------- */

static fab_model *machine(int saturated, double ia, fab_sampler cycle, fab_sampler ttf,
                          fab_sampler ttr, fab_basis basis)
{
    fab_model *m = fab_model_new("machine");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    if (saturated)
        fab_source_unlimited(m, s);
    else
        fab_source_interarrival(m, s, fab_sampler_const(ia));
    int b = fab_buffer_new(m, "q", saturated ? 1 : FAB_CAPACITY_INF);
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, cycle);
    fab_station_failure(m, st, "jam", ttf, ttr, basis);
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, b);
    fab_flow(m, b, st);
    fab_flow(m, st, k);
    return m;
}

START_TEST(test_failure_operating_deterministic)
{
    /* busy 100 s, down 10 s, cycle 30 s: a failure interrupts every 4th cycle 10 s in */
    fab_model *m = machine(1, 0, fab_sampler_const(30), fab_sampler_const(100),
                           fab_sampler_const(10), FAB_BASIS_OPERATING);
    fab_results *r = run(m, 110000, 0, 1, 1);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.busy") - 100.0 / 110) < 1e-9);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.down") - 10.0 / 110) < 1e-9);
    ck_assert(mean_of(r, "out", "count") == 3333);
    ck_assert(mean_of(r, "mc", "failures") == 1000);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_failure_calendar_deterministic)
{
    /* an idle machine still fails on calendar time: down 10 s of every 110 s */
    fab_model *m = machine(0, 1e9, fab_sampler_const(1), fab_sampler_const(100),
                           fab_sampler_const(10), FAB_BASIS_CALENDAR);
    fab_results *r = run(m, 110000, 0, 1, 1);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.down") - 10.0 / 110) < 1e-9);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.idle") - 100.0 / 110) < 1e-9);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_failure_cycles_deterministic)
{
    /* 5 cycles of 2 s, then 10 s repair: period 20 s, 5 parts */
    fab_model *m = machine(1, 0, fab_sampler_const(2), fab_sampler_const(5),
                           fab_sampler_const(10), FAB_BASIS_CYCLES);
    fab_results *r = run(m, 20000, 0, 1, 1);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.busy") - 0.5) < 1e-9);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.down") - 0.5) < 1e-9);
    ck_assert(mean_of(r, "out", "count") == 5000);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_failure_calendar_availability)
{
    /* MTBF 900 s, MTTR 100 s on calendar time, machine loaded to 50 %: A = 0.9 */
    fab_model *m = machine(0, 20, fab_sampler_of_dist(fab_dist_exp(9)),
                           fab_sampler_of_dist(fab_dist_exp(900)),
                           fab_sampler_of_dist(fab_dist_exp(100)), FAB_BASIS_CALENDAR);
    fab_results *r = run(m, 400000, 0, 10, 11);
    fab_stat_summary d = fab_results_get(r, "mc", "state_fraction.down");
    ck_assert(d.n == 10);
    assert_stat(r, "mc", "state_fraction.down", 0.1);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_failure_operating_availability)
{
    /* saturated machine, exponential cycle 10 s, MTBF 900 s of busy time, MTTR 100 s:
     * up (= busy) fraction 0.9 and throughput 0.9 / 10 s = 324 per hour */
    fab_model *m = machine(1, 0, fab_sampler_of_dist(fab_dist_exp(10)),
                           fab_sampler_of_dist(fab_dist_exp(900)),
                           fab_sampler_of_dist(fab_dist_exp(100)), FAB_BASIS_OPERATING);
    fab_results *r = run(m, 400000, 0, 10, 12);
    assert_stat(r, "mc", "state_fraction.busy", 0.9);
    assert_stat(r, "out", "throughput_per_h", 324);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* ---- setup, energy, blocking ------------------------------------------------------------ */

START_TEST(test_setup_and_energy)
{
    /* types A and B arrive together every 100 s; each part needs a setup (5 s) since the
     * types alternate; cycle 10 s. Per period: busy 20 s, setup 10 s, idle 70 s. */
    fab_model *m = fab_model_new("setup");
    int ta = fab_model_part_type(m, "A"), tb = fab_model_part_type(m, "B");
    int sa = fab_source_new(m, "srcA", ta), sb = fab_source_new(m, "srcB", tb);
    fab_source_interarrival(m, sa, fab_sampler_const(100));
    fab_source_interarrival(m, sb, fab_sampler_const(100));
    int q = fab_buffer_new(m, "q", 10);
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_const(10));
    fab_station_setup(m, st, fab_sampler_const(5));
    fab_station_power(m, st, FAB_STATE_BUSY, 15000);
    fab_station_power(m, st, FAB_STATE_SETUP, 5000);
    fab_station_power(m, st, FAB_STATE_IDLE, 2000);
    int k = fab_sink_new(m, "out");
    fab_flow(m, sa, q);
    fab_flow(m, sb, q);
    fab_flow(m, q, st);
    fab_flow(m, st, k);
    fab_results *r = run(m, 101000, 1000, 1, 1);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.setup") - 0.1) < 1e-12);
    ck_assert(fabs(mean_of(r, "mc", "state_fraction.busy") - 0.2) < 1e-12);
    ck_assert(fabs(mean_of(r, "mc", "energy_kwh") - 490000.0 / 3600) < 1e-6);
    ck_assert(fabs(mean_of(r, "mc", "energy_kwh_per_part") - 490000.0 / 3600 / 2000) < 1e-9);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_blocking_after_service)
{
    /* saturated 1 s station -> buffer(1) -> 2 s station: the first is blocked half the time */
    fab_model *m = fab_model_new("block");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, s);
    int a = fab_station_new(m, "fast");
    fab_station_cycle(m, a, fab_sampler_const(1));
    int b = fab_buffer_new(m, "b", 1);
    int c = fab_station_new(m, "slow");
    fab_station_cycle(m, c, fab_sampler_const(2));
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, a);
    fab_flow(m, a, b);
    fab_flow(m, b, c);
    fab_flow(m, c, k);
    fab_results *r = run(m, 10100, 100, 1, 1);
    ck_assert(fabs(mean_of(r, "fast", "state_fraction.busy") - 0.5) < 1e-12);
    ck_assert(fabs(mean_of(r, "fast", "state_fraction.blocked") - 0.5) < 1e-12);
    ck_assert(fabs(mean_of(r, "slow", "utilization") - 1.0) < 1e-12);
    ck_assert(fabs(mean_of(r, "out", "throughput_per_h") - 1800) < 1e-9);
    ck_assert(fabs(mean_of(r, "b", "mean_level") - 1.0) < 1e-12);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* ---- assembly, routing, sources --------------------------------------------------------- */

START_TEST(test_assembly_bom)
{
    fab_model *m = fab_model_new("asm");
    int th = fab_model_part_type(m, "Housing"), tc = fab_model_part_type(m, "Cover");
    int tu = fab_model_part_type(m, "Unit");
    int sh = fab_source_new(m, "housings", th), sc = fab_source_new(m, "covers", tc);
    fab_source_unlimited(m, sh);
    fab_source_unlimited(m, sc);
    int j = fab_assembly_new(m, "join", tu);
    fab_assembly_input(m, j, th, 1);
    fab_assembly_input(m, j, tc, 2);
    fab_station_cycle(m, j, fab_sampler_const(10));
    int k = fab_sink_new(m, "out");
    fab_flow(m, sh, j);
    fab_flow(m, sc, j);
    fab_flow(m, j, k);
    fab_results *r = run(m, 3600, 0, 1, 1);
    ck_assert(mean_of(r, "out", "count") == 360);
    /* at 3600 s: 360 units out, kit 361 in service, kit 362 loaded, and each unlimited
     * source holds one more part ready */
    ck_assert(mean_of(r, "housings", "created") == 362 + 1);
    ck_assert(mean_of(r, "covers", "created") == 2 * 362 + 1);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

static int route_by_type(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    return p->type == *(int *)ctx ? 1 : 0;
}

START_TEST(test_routing)
{
    fab_model *m = fab_model_new("route");
    int ta = fab_model_part_type(m, "A"), tb = fab_model_part_type(m, "B");
    int sa = fab_source_new(m, "srcA", ta), sb = fab_source_new(m, "srcB", tb);
    fab_source_interarrival(m, sa, fab_sampler_of_dist(fab_dist_exp(10)));
    fab_source_interarrival(m, sb, fab_sampler_of_dist(fab_dist_exp(30)));
    int q = fab_buffer_new(m, "q", FAB_CAPACITY_INF);
    int sorter = fab_station_new(m, "sorter");
    fab_station_capacity(m, sorter, 4);
    fab_station_cycle(m, sorter, fab_sampler_const(1));
    int la = fab_sink_new(m, "line_a"), lb = fab_sink_new(m, "line_b");
    int split = fab_buffer_new(m, "split", FAB_CAPACITY_INF);
    int x = fab_sink_new(m, "x"), y = fab_sink_new(m, "y");
    fab_flow(m, sa, q);
    fab_flow(m, sb, q);
    fab_flow(m, q, sorter);
    fab_flow(m, sorter, la);
    fab_flow(m, sorter, split);
    fab_flow(m, split, x);
    fab_flow(m, split, y);
    (void)lb;
    static int type_b;
    type_b = tb;
    fab_route_rule(m, sorter, route_by_type, &type_b);
    fab_route_prob(m, split, x, 0.25);
    fab_route_prob(m, split, y, 0.75);
    fab_flow(m, sb, lb);    /* a second successor for srcB, never used: first accepts */
    fab_results *r = run(m, 300000, 0, 1, 5);
    double na = mean_of(r, "srcA", "created"), nb = mean_of(r, "srcB", "created");
    ck_assert(mean_of(r, "line_a", "count") >= na - 4 && mean_of(r, "line_a", "count") <= na);
    ck_assert(mean_of(r, "line_b", "count") == 0);
    double nx = mean_of(r, "x", "count"), ny = mean_of(r, "y", "count");
    ck_assert(nx + ny >= nb - 4 && nx + ny <= nb);
    /* binomial(nb, 0.25): 4 standard deviations */
    double sd = sqrt(nb * 0.25 * 0.75);
    ck_assert_msg(fabs(nx - 0.25 * (nx + ny)) < 4 * sd, "x %g y %g", nx, ny);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_source_limit_batch_lose)
{
    fab_model *m = fab_model_new("src");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(10));
    fab_source_batch(m, s, 3);
    fab_source_limit(m, s, 10);
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, k);
    fab_results *r = run(m, 1000, 0, 1, 1);
    ck_assert(mean_of(r, "feed", "created") == 10);
    ck_assert(mean_of(r, "out", "count") == 10);
    fab_results_free(r);
    fab_model_free(m);

    /* arrivals every 1 s, a 2.5 s station and no buffer: parts that find it busy are lost */
    m = fab_model_new("lose");
    t = fab_model_part_type(m, "P");
    s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(1));
    fab_source_on_block(m, s, FAB_ON_BLOCK_LOSE);
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_const(2.5));
    k = fab_sink_new(m, "out");
    fab_flow(m, s, st);
    fab_flow(m, st, k);
    r = run(m, 3000.5, 0.5, 1, 1);
    /* accepted at 1, 4, 7, ...: one in three */
    ck_assert(mean_of(r, "feed", "created") == 3000);
    ck_assert(mean_of(r, "feed", "lost") == 2000);
    ck_assert(mean_of(r, "feed", "queue_max") == 0);
    fab_results_free(r);
    fab_model_free(m);

    /* the same with queueing: nothing lost, the queue grows */
    m = fab_model_new("queue");
    t = fab_model_part_type(m, "P");
    s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(1));
    st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_const(2.5));
    k = fab_sink_new(m, "out");
    fab_flow(m, s, st);
    fab_flow(m, st, k);
    r = run(m, 3000.5, 0.5, 1, 1);
    ck_assert(mean_of(r, "feed", "lost") == 0);
    ck_assert(mean_of(r, "feed", "queue_max") >= 1799);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* Counts set beyond 2^64 (--set b.capacity=1e30) act as unbounded: the same results as inf. */
static fab_results *run_counts(const char *capacity, const char *limit)
{
    fab_model *m = fab_model_new("counts");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(10)));
    int b = fab_buffer_new(m, "b", 5);
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_of_dist(fab_dist_exp(9)));
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, b);
    fab_flow(m, b, st);
    fab_flow(m, st, k);
    char err[256];
    ck_assert_msg(fab_model_set(m, "b.capacity", capacity, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(fab_model_set(m, "feed.limit", limit, err, sizeof err) == 0, "%s", err);
    fab_results *r = run(m, 20000, 0, 2, 3);
    fab_model_free(m);
    return r;
}

/* A station with an exponential default cycle, given either as a distribution or as
 * fab_sample_exponential, and optionally a cycle for a part type that never arrives. */
static fab_results *run_default_cycle(int as_fn, int with_cycle_for)
{
    static double mean = 9;
    fab_model *m = fab_model_new("default cycle");
    int t = fab_model_part_type(m, "P");
    int other = fab_model_part_type(m, "Q");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(10)));
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, as_fn ? fab_sampler_of_fn(fab_sample_exponential, &mean)
                                   : fab_sampler_of_dist(fab_dist_exp(mean)));
    if (with_cycle_for)
        fab_station_cycle_for(m, st, other, fab_sampler_const(5));
    fab_flow(m, s, st);
    fab_flow(m, st, fab_sink_new(m, "out"));
    fab_results *r = run(m, 20000, 0, 2, 5);
    fab_model_free(m);
    return r;
}

/* The kernel draws a plain exponential cycle inline, and through the sampler when the station
 * also has cycles by part type: the draws, and so the results, are the same. */
START_TEST(test_default_cycle_same_draws_with_cycles_by_type)
{
    fab_results *ref = run_default_cycle(0, 0);
    for (int variant = 1; variant < 4; variant++) {
        fab_results *r = run_default_cycle(variant & 1, variant >> 1);
        ck_assert(mean_of(r, "out", "count") == mean_of(ref, "out", "count"));
        ck_assert(mean_of(r, "out", "lead_time_s") == mean_of(ref, "out", "lead_time_s"));
        ck_assert(mean_of(r, "mc", "utilization") == mean_of(ref, "mc", "utilization"));
        fab_results_free(r);
    }
    fab_results_free(ref);
}
END_TEST

static int route_first(const fab_part *p, const fab_sim *view, void *ctx)
{
    (void)p;
    (void)view;
    (void)ctx;
    return 0;
}

/* source -> s1 -> b1 -> s2 -> b2 -> s3 -> sink, plain stations (one server, operating-time
 * failures). With `ruled`, each buffer sends its parts on through a rule that picks its only
 * successor: the general routed path, which neither passes parts straight through an empty
 * buffer nor registers a buffer as its busy station's waiter without an offer. Constant times
 * (`exponential` 0) make many events fall at the same instants, where the order of same-time
 * actions decides the results. */
static fab_results *run_short_line(int ruled, int exponential)
{
    fab_model *m = fab_model_new("short line");
    int t = fab_model_part_type(m, "P");
    int src = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, src, exponential ? fab_sampler_of_dist(fab_dist_exp(10))
                                                : fab_sampler_const(10));
    static const double cycle[3] = {10, 7, 10};
    static const double cap[2] = {2, 1};
    int prev = src;
    for (int i = 0; i < 3; i++) {
        char name[16];
        if (i > 0) {
            snprintf(name, sizeof name, "b%d", i);
            int b = fab_buffer_new(m, name, cap[i - 1]);
            if (ruled)
                fab_route_rule(m, b, route_first, NULL);
            fab_flow(m, prev, b);
            prev = b;
        }
        snprintf(name, sizeof name, "s%d", i + 1);
        int st = fab_station_new(m, name);
        fab_station_cycle(m, st, exponential ? fab_sampler_of_dist(fab_dist_exp(cycle[i]))
                                             : fab_sampler_const(cycle[i]));
        fab_station_failure(m, st, "jam", fab_sampler_const(95 + 10 * i), fab_sampler_const(13),
                            FAB_BASIS_OPERATING);
        fab_flow(m, prev, st);
        prev = st;
    }
    fab_flow(m, prev, fab_sink_new(m, "out"));
    fab_results *r = run(m, 20000, 1000, 2, 7);
    fab_model_free(m);
    return r;
}

/* The kernel's shortcuts for a line of plain stations keep every same-time action in order:
 * every metric of every replication is bit-for-bit that of the general path. */
START_TEST(test_line_shortcuts_same_results_as_routed_path)
{
    for (int exponential = 0; exponential < 2; exponential++) {
        fab_results *fast = run_short_line(0, exponential), *ruled = run_short_line(1, exponential);
        ck_assert_uint_eq(fab_results_events(fast), fab_results_events(ruled));
        int nm = fab_results_metric_count(fast);
        ck_assert_int_eq(nm, fab_results_metric_count(ruled));
        for (int k = 0; k < nm; k++)
            for (uint64_t rep = 0; rep < 2; rep++) {
                double a = fab_results_value(fast, rep, k), b = fab_results_value(ruled, rep, k);
                ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s %s.%s rep %llu: %.17g vs %.17g",
                              exponential ? "exponential" : "constant",
                              fab_results_metric_element(fast, k), fab_results_metric_name(fast, k),
                              (unsigned long long)rep, a, b);
            }
        fab_results_free(fast);
        fab_results_free(ruled);
    }
}
END_TEST

/* A batch no memory could hold is refused when the run starts, with the reason. */
START_TEST(test_huge_batch_refused)
{
    fab_model *m = fab_model_new("batch");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(10));
    fab_flow(m, s, fab_sink_new(m, "out"));
    char err[256] = "";
    ck_assert_int_eq(fab_model_set(m, "feed.batch", "1e12", err, sizeof err), 0);
    fab_run_opts o = fab_run_opts_default();
    o.horizon = 100;
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "source feed: a batch of 1000000000000 parts") != NULL, "%s", err);
    fab_model_free(m);
}
END_TEST

START_TEST(test_huge_counts_act_as_unbounded)
{
    fab_results *huge = run_counts("1e30", "1e30"), *inf = run_counts("inf", "inf");
    ck_assert(mean_of(huge, "b", "max_level") > 5);
    ck_assert(mean_of(huge, "b", "max_level") == mean_of(inf, "b", "max_level"));
    ck_assert(mean_of(huge, "out", "count") == mean_of(inf, "out", "count"));
    ck_assert(mean_of(huge, "feed", "created") == mean_of(inf, "feed", "created"));
    fab_results_free(huge);
    fab_results_free(inf);
}
END_TEST

static double key_attr(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    return p->attr[*(int *)ctx];
}

START_TEST(test_buffer_orders)
{
    /* a batch of 5 parts with attribute prio = 0..4 arrives at once behind a busy station;
     * the order they leave in is visible in the lead times of the sink */
    for (int order = 0; order < 3; order++) {
        fab_model *m = fab_model_new("orders");
        int t = fab_model_part_type(m, "P");
        static int slot;
        slot = fab_model_attr(m, "prio");
        fab_model_part_attr(m, t, slot, fab_sampler_of_dist(fab_dist_unif(0, 1)));
        int s = fab_source_new(m, "feed", t);
        fab_source_interarrival(m, s, fab_sampler_const(1000));
        fab_source_batch(m, s, 5);
        int q = fab_buffer_new(m, "q", 10);
        if (order == 1)
            fab_buffer_order(m, q, FAB_ORDER_LIFO);
        if (order == 2)
            fab_buffer_order_key(m, q, key_attr, &slot, 0);
        int st = fab_station_new(m, "mc");
        fab_station_cycle(m, st, fab_sampler_const(10));
        int k = fab_sink_new(m, "out");
        fab_flow(m, s, q);
        fab_flow(m, q, st);
        fab_flow(m, st, k);
        fab_results *r = run(m, 1100, 0, 1, 1);
        /* every order serves all five, lead times 10..50 s: mean 30; the median is the third
         * order statistic and p90 (rank 3.6 of 0..4) the fourth, each to within its
         * histogram bin (0.8 %) */
        ck_assert(fabs(mean_of(r, "out", "lead_time_s") - 30) < 1e-9);
        ck_assert(fabs(mean_of(r, "out", "lead_time_percentiles_s.p50") - 30) < 0.008 * 30);
        ck_assert(fabs(mean_of(r, "out", "lead_time_percentiles_s.p90") - 40) < 0.008 * 40);
        ck_assert(fabs(mean_of(r, "out", "lead_time_percentiles_s.p99") - 40) < 0.008 * 40);
        /* the idle station takes the first part at the instant the batch arrives, so the
         * buffer holds the other four */
        ck_assert(mean_of(r, "q", "max_level") == 4);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* A source feeding an unbounded buffer never holds a part: each is created and handed over
 * at the same instant, so its queue statistic is 0 (it used to count the part for the zero
 * time of the hand-over and report queue_max 1). A source in front of a station (no buffer)
 * that creates batches of 2 every 30 s, with a 10 s cycle, holds the second part of each
 * batch for 10 s: level 1 a third of the time, never 2 (the first part leaves at once). */
START_TEST(test_source_queue_counts_waiting_parts_only)
{
    fab_model *m = fab_model_new("mm1");
    int t = fab_model_part_type(m, "Job");
    int s = fab_source_new(m, "arrivals", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(60)));
    int q = fab_buffer_new(m, "queue", FAB_CAPACITY_INF);
    int st = fab_station_new(m, "server");
    fab_station_cycle(m, st, fab_sampler_of_dist(fab_dist_exp(48)));
    int k = fab_sink_new(m, "done");
    fab_flow(m, s, q);
    fab_flow(m, q, st);
    fab_flow(m, st, k);
    fab_results *r = run(m, 100000, 1000, 2, 1);
    ck_assert(mean_of(r, "arrivals", "created") > 1000);
    ck_assert(mean_of(r, "arrivals", "queue_max") == 0);
    ck_assert(mean_of(r, "arrivals", "queue_mean") == 0);
    ck_assert(mean_of(r, "queue", "max_level") >= 2);
    fab_results_free(r);
    fab_model_free(m);

    m = fab_model_new("blocked");
    t = fab_model_part_type(m, "P");
    s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(30));
    fab_source_batch(m, s, 2);
    st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_const(10));
    k = fab_sink_new(m, "out");
    fab_flow(m, s, st);
    fab_flow(m, st, k);
    r = run(m, 3000, 30, 1, 1);     /* batches at 30, 60, ..., 3000: 99 waits of 10 s */
    ck_assert(mean_of(r, "feed", "queue_max") == 1);
    ck_assert(fabs(mean_of(r, "feed", "queue_mean") - 1.0 / 3) < 1e-12);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* A buffer counts only the parts it holds after the offers of the instant they arrive: a part
 * taken by an idle station at once is never held (it used to count for the zero time of the
 * hand-over, max_level 1 with a station that is always idle). With batches of 3 every 30 s
 * and a 9 s cycle, the first part of each batch goes straight through and the other two
 * wait 9 and 18 s: max_level 2 (it was 3), level 2, 1, 0 for 9, 9, 12 s (mean 0.9) in FIFO,
 * LIFO and key order alike. A part that arrives at the instant of a station's cycle end but
 * in the event before it does wait (for the zero time to the next event) and is counted. */
START_TEST(test_buffer_level_counts_held_parts_only)
{
    for (int batch = 1; batch <= 3; batch += 2) {
        for (int order = 0; order <= 2; order++) {
            fab_model *m = fab_model_new("pass");
            int t = fab_model_part_type(m, "P");
            static int slot;
            slot = fab_model_attr(m, "prio");
            fab_model_part_attr(m, t, slot, fab_sampler_of_dist(fab_dist_unif(0, 1)));
            int s = fab_source_new(m, "feed", t);
            fab_source_interarrival(m, s, fab_sampler_const(30));
            fab_source_batch(m, s, batch);
            int q = fab_buffer_new(m, "q", FAB_CAPACITY_INF);
            if (order == 1)
                fab_buffer_order(m, q, FAB_ORDER_LIFO);
            if (order == 2)
                fab_buffer_order_key(m, q, key_attr, &slot, 0);
            int st = fab_station_new(m, "mc");
            fab_station_cycle(m, st, fab_sampler_const(9));
            int k = fab_sink_new(m, "out");
            fab_flow(m, s, q);
            fab_flow(m, q, st);
            fab_flow(m, st, k);
            fab_results *r = run(m, 3000, 30, 1, 1);
            ck_assert_msg(mean_of(r, "q", "max_level") == batch - 1, "batch %d order %d: %g",
                          batch, order, mean_of(r, "q", "max_level"));
            ck_assert(fabs(mean_of(r, "q", "mean_level") - (batch == 1 ? 0.0 : 0.9)) < 1e-12);
            ck_assert(mean_of(r, "out", "count") == 99 * batch);
            fab_results_free(r);
            fab_model_free(m);
        }
    }
}
END_TEST

/* ---- deadlock --------------------------------------------------------------------------- */

START_TEST(test_deadlock_reported)
{
    /* a closed loop a -> b1 -> b -> b2 -> a fed by a saturated source: it fills and jams */
    fab_model *m = fab_model_new("loop");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, s);
    int b1 = fab_buffer_new(m, "b1", 2);
    int a = fab_station_new(m, "a");
    fab_station_cycle(m, a, fab_sampler_of_dist(fab_dist_exp(5)));
    int b2 = fab_buffer_new(m, "b2", 2);
    int b = fab_station_new(m, "b");
    fab_station_cycle(m, b, fab_sampler_of_dist(fab_dist_exp(5)));
    fab_flow(m, s, b1);
    fab_flow(m, b1, a);
    fab_flow(m, a, b2);
    fab_flow(m, b2, b);
    fab_flow(m, b, b1);
    fab_results *r = run(m, 3600, 0, 3, 1);
    ck_assert_uint_eq(fab_results_deadlock_count(r), 3);
    uint64_t rep;
    double time;
    const char *els;
    ck_assert_int_eq(fab_results_deadlock(r, 0, &rep, &time, &els), 0);
    ck_assert_uint_eq(rep, 0);
    ck_assert(time > 0 && time < 3600);
    ck_assert_str_eq(els, "b1, a, b2, b");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fab_results_write_json(r, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\"elements\": [\"b1\", \"a\", \"b2\", \"b\"]"));
    free(buf);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

/* A deadlock through an element with more successors than any fixed fan-out (the walk used to
 * give up, without a report, beyond 64): b1 -> a -> c0..c69 -> b1, fed by a saturated source
 * and without a way out, jams once its 73 places are full. The report names the whole loop. */
START_TEST(test_deadlock_wide_fan_out)
{
    enum { NWIDE = 70 };
    fab_model *m = fab_model_new("wide");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, s);
    int b1 = fab_buffer_new(m, "b1", 2);
    int a = fab_station_new(m, "a");
    fab_station_cycle(m, a, fab_sampler_of_dist(fab_dist_exp(5)));
    fab_flow(m, s, b1);
    fab_flow(m, b1, a);
    char expect[NWIDE * 6 + 16] = "b1, a";
    for (int i = 0; i < NWIDE; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        int c = fab_buffer_new(m, name, 1);
        fab_flow(m, a, c);
        fab_flow(m, c, b1);
        strcat(expect, ", ");
        strcat(expect, name);
    }
    fab_results *r = run(m, 3600, 0, 2, 1);
    ck_assert_uint_eq(fab_results_deadlock_count(r), 2);
    for (uint64_t i = 0; i < 2; i++) {
        uint64_t rep;
        double time;
        const char *els;
        ck_assert_int_eq(fab_results_deadlock(r, i, &rep, &time, &els), 0);
        ck_assert_uint_eq(rep, i);
        ck_assert(time > 0 && time < 3600);
        ck_assert_str_eq(els, expect);
    }
    ck_assert(mean_of(r, "a", "throughput_per_h") > 0);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

static int route_to_shorter(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)p;
    const int *q = ctx;     /* q1, q2, m1, m2 */
    double l1 = fab_sim_level(v, q[0]) + (fab_sim_state(v, q[2]) == FAB_STATE_BUSY);
    double l2 = fab_sim_level(v, q[1]) + (fab_sim_state(v, q[3]) == FAB_STATE_BUSY);
    ck_assert(fab_sim_now(v) >= 0);
    return l1 <= l2 ? 0 : 1;
}

START_TEST(test_view_queries)
{
    /* a rule that joins the shorter of two queues (level + busy server), built from the
     * view queries: with arrivals every 1 s and two 1.5 s machines, each machine gets every
     * other part, utilization 0.75 each. First-available routing instead fills q1 first. */
    for (int rule = 0; rule <= 1; rule++) {
        fab_model *m = fab_model_new("view");
        int t = fab_model_part_type(m, "P");
        int s = fab_source_new(m, "feed", t);
        fab_source_interarrival(m, s, fab_sampler_const(1));
        int q1 = fab_buffer_new(m, "q1", 100), q2 = fab_buffer_new(m, "q2", 100);
        int m1 = fab_station_new(m, "m1"), m2 = fab_station_new(m, "m2");
        fab_station_cycle(m, m1, fab_sampler_const(1.5));
        fab_station_cycle(m, m2, fab_sampler_const(1.5));
        int k = fab_sink_new(m, "out");
        fab_flow(m, s, q1);
        fab_flow(m, s, q2);
        fab_flow(m, q1, m1);
        fab_flow(m, q2, m2);
        fab_flow(m, m1, k);
        fab_flow(m, m2, k);
        static int ids[4];
        ids[0] = q1; ids[1] = q2; ids[2] = m1; ids[3] = m2;
        if (rule)
            fab_route_rule(m, s, route_to_shorter, ids);
        fab_results *r = run(m, 10000, 1000, 1, 1);
        if (rule) {
            ck_assert(fabs(mean_of(r, "m1", "utilization") - 0.75) < 1e-3);
            ck_assert(fabs(mean_of(r, "m2", "utilization") - 0.75) < 1e-3);
        } else {
            ck_assert(mean_of(r, "q1", "max_level") == 100);
            ck_assert(mean_of(r, "m1", "utilization") == 1);
        }
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* Run a one-replication model to t = 10 s that must fail; the error names the loop. */
static void expect_no_progress(fab_model *m, const char *what)
{
    fab_run_opts o = fab_run_opts_default();
    o.horizon = 10;
    o.replications = 1;
    char err[256] = "";
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, what) && strstr(err, "without time passing"), "error: %s", err);
    fab_model_free(m);
}

START_TEST(test_zero_time_loop_fails)
{
    /* two buffers routed into each other by a rule: parts would circulate forever at t = 1 */
    fab_model *m = fab_model_new("loop");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(1));
    int a = fab_buffer_new(m, "a", 5), b = fab_buffer_new(m, "b", 5);
    int k = fab_sink_new(m, "never");
    fab_flow(m, s, a);
    fab_flow(m, a, b);
    fab_flow(m, b, a);
    fab_flow(m, b, k);
    static int no_such_type = 99;
    fab_route_rule(m, b, route_by_type, &no_such_type);   /* always successor 0: back to a */
    expect_no_progress(m, "without time passing");
}
END_TEST

START_TEST(test_unlimited_source_into_sink_fails)
{
    /* an unlimited source straight into a sink: the sink takes every part at t = 0 */
    fab_model *m = fab_model_new("flood");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "src", t);
    fab_source_unlimited(m, s);
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, k);
    expect_no_progress(m, "an unlimited source sends parts on");
}
END_TEST

START_TEST(test_zero_cycle_events_fail)
{
    /* an unlimited source feeding a station with a zero cycle: cycle ends follow each other at
     * t = 0 forever */
    fab_model *m = fab_model_new("zero");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "src", t);
    fab_source_unlimited(m, s);
    int st = fab_station_new(m, "instant");
    fab_station_cycle(m, st, fab_sampler_const(0));
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, st);
    fab_flow(m, st, k);
    expect_no_progress(m, "events follow each other");
}
END_TEST

/* A station busy for the whole window after a warmup: its summed state times exceed the
 * window by rounding (t - warmup accumulated cycle by cycle), which once gave a busy fraction
 * of 1.0000000000000002 at 3 of these seeds (1, 6, 7 with one server). Every fraction must be
 * within [0, 1]. */
START_TEST(test_fractions_stay_within_one)
{
    for (unsigned servers = 1; servers <= 3; servers += 2) {
        for (uint64_t seed = 1; seed <= 10; seed++) {
            fab_model *m = fab_model_new("busy");
            int t = fab_model_part_type(m, "P");
            int s = fab_source_new(m, "src", t);
            fab_source_unlimited(m, s);
            int st = fab_station_new(m, "st");
            fab_station_capacity(m, st, servers);
            fab_station_cycle(m, st, fab_sampler_of_dist(fab_dist_exp(55.7478)));
            int k = fab_sink_new(m, "out");
            fab_flow(m, s, st);
            fab_flow(m, st, k);
            fab_results *r = run(m, 1980, 217.418, 1, seed);
            const char *names[] = {"utilization", "state_fraction.busy", "state_fraction.idle",
                                   "state_fraction.blocked", "state_fraction.setup",
                                   "state_fraction.down"};
            double sum = 0;
            for (int i = 0; i < 6; i++) {
                double v = fab_results_value(r, 0, fab_results_metric_find(r, "st", names[i]));
                ck_assert_msg(v >= 0 && v <= 1, "seed %llu, %u servers: %s = %.17g",
                              (unsigned long long)seed, servers, names[i], v);
                if (i > 0)
                    sum += v;
            }
            ck_assert_msg(fabs(sum - 1) <= 4e-16, "fractions sum to %.17g", sum);
            fab_results_free(r);
            fab_model_free(m);
        }
    }
}
END_TEST

/* A route rule that records the parts leaving the station, in order. */
typedef struct order_log {
    int slot;
    int n;
    double prio[16];
    uint64_t id[16];
} order_log;

static int log_departure(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    order_log *lg = ctx;
    if (lg->n < 16) {
        lg->prio[lg->n] = p->attr[lg->slot];
        lg->id[lg->n] = p->id;
        lg->n++;
    }
    return 0;
}

START_TEST(test_buffer_order_sequence)
{
    /* five parts arrive together; they all enter the buffer, then the station takes them one
     * by one: FIFO in creation order, LIFO in reverse, by key in ascending (or descending)
     * attribute value */
    for (int order = 0; order < 4; order++) {
        fab_model *m = fab_model_new("orders");
        int t = fab_model_part_type(m, "P");
        static order_log lg;
        memset(&lg, 0, sizeof lg);
        lg.slot = fab_model_attr(m, "prio");
        fab_model_part_attr(m, t, lg.slot, fab_sampler_of_dist(fab_dist_unif(0, 1)));
        int s = fab_source_new(m, "feed", t);
        fab_source_interarrival(m, s, fab_sampler_const(1000));
        fab_source_batch(m, s, 5);
        fab_source_limit(m, s, 5);
        int q = fab_buffer_new(m, "q", 10);
        if (order == 1)
            fab_buffer_order(m, q, FAB_ORDER_LIFO);
        if (order >= 2)
            fab_buffer_order_key(m, q, key_attr, &lg.slot, order == 3);
        int st = fab_station_new(m, "mc");
        fab_station_cycle(m, st, fab_sampler_const(10));
        int k = fab_sink_new(m, "out");
        fab_flow(m, s, q);
        fab_flow(m, q, st);
        fab_flow(m, st, k);
        fab_route_rule(m, st, log_departure, &lg);
        fab_results *r = run(m, 2000, 0, 1, 3);
        ck_assert_int_eq(lg.n, 5);
        for (int i = 1; i < 5; i++) {
            if (order == 0)
                ck_assert_uint_lt(lg.id[i - 1], lg.id[i]);
            else if (order == 1)
                ck_assert_uint_gt(lg.id[i - 1], lg.id[i]);
            else if (order == 2)
                ck_assert(lg.prio[i - 1] <= lg.prio[i]);
            else
                ck_assert(lg.prio[i - 1] >= lg.prio[i]);
        }
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* Weighted age at the moment of the call: (now - created) * weight. */
static double key_weighted_age(const fab_part *p, const fab_sim *v, void *ctx)
{
    return (fab_sim_now(v) - p->created) * p->attr[*(int *)ctx];
}

static double key_neg_weighted_age(const fab_part *p, const fab_sim *v, void *ctx)
{
    return -key_weighted_age(p, v, ctx);
}

static double weight_of_part(fab_rng *r, const fab_part *p, void *ctx)
{
    (void)r;
    (void)ctx;
    return p->id == 3 ? 5 : 1;
}

START_TEST(test_buffer_dynamic_key_evaluated_at_dispatch)
{
    /* Parts 0..3 are created at 10, 20, 30, 40 s; part 0 occupies the station until 110 s,
     * parts 1..3 (weights 1, 1, 5) wait in the buffer. By weighted age, largest first: at
     * 110 s the ages are 90, 80, 70 and the weighted ages 90, 80, 350, so part 3 goes
     * first; at 210 s part 1 (190) beats part 2 (180). Evaluated when the parts enter, every
     * key would be 0 and the order that of entry (1, 2, 3). Ascending on the negated key
     * gives the same order. */
    for (int descending = 0; descending < 2; descending++) {
        fab_model *m = fab_model_new("dynamic");
        int t = fab_model_part_type(m, "P");
        static order_log lg;
        static int wslot;
        memset(&lg, 0, sizeof lg);
        wslot = fab_model_attr(m, "weight");
        lg.slot = wslot;
        fab_model_part_attr(m, t, wslot, fab_sampler_of_fn(weight_of_part, NULL));
        int s = fab_source_new(m, "feed", t);
        fab_source_interarrival(m, s, fab_sampler_const(10));
        fab_source_limit(m, s, 4);
        int q = fab_buffer_new(m, "q", 10);
        fab_buffer_order_key_dynamic(m, q, descending ? key_weighted_age : key_neg_weighted_age,
                                     &wslot, descending);
        int st = fab_station_new(m, "mc");
        fab_station_cycle(m, st, fab_sampler_const(100));
        int k = fab_sink_new(m, "out");
        fab_flow(m, s, q);
        fab_flow(m, q, st);
        fab_flow(m, st, k);
        fab_route_rule(m, st, log_departure, &lg);
        fab_results *r = run(m, 1000, 0, 1, 1);
        ck_assert_int_eq(lg.n, 4);
        static const uint64_t expect[4] = {0, 3, 1, 2};
        for (int i = 0; i < 4; i++)
            ck_assert_uint_eq(lg.id[i], expect[i]);
        ck_assert(mean_of(r, "out", "count") == 4);
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

/* Ties among dynamic keys go in entry order. */
static double key_zero(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)p;
    (void)v;
    (void)ctx;
    return 0;
}

START_TEST(test_buffer_dynamic_key_ties_in_entry_order)
{
    fab_model *m = fab_model_new("ties");
    int t = fab_model_part_type(m, "P");
    static order_log lg;
    memset(&lg, 0, sizeof lg);
    lg.slot = fab_model_attr(m, "unused");
    int s = fab_source_new(m, "feed", t);
    fab_source_interarrival(m, s, fab_sampler_const(1000));
    fab_source_batch(m, s, 6);
    fab_source_limit(m, s, 6);
    int q = fab_buffer_new(m, "q", 10);
    fab_buffer_order_key_dynamic(m, q, key_zero, NULL, 0);
    int st = fab_station_new(m, "mc");
    fab_station_cycle(m, st, fab_sampler_const(10));
    int k = fab_sink_new(m, "out");
    fab_flow(m, s, q);
    fab_flow(m, q, st);
    fab_flow(m, st, k);
    fab_route_rule(m, st, log_departure, &lg);
    fab_results *r = run(m, 2000, 0, 1, 1);
    ck_assert_int_eq(lg.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(lg.id[i], (uint64_t)i);
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

static Suite *elements_suite(void)
{
    Suite *s = suite_create("elements");
    TCase *tc = tcase_create("elements");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_conveyor_transit_exact);
    tcase_add_test(tc, test_conveyor_max_throughput);
    tcase_add_test(tc, test_conveyor_blocked_head_count);
    tcase_add_test(tc, test_conveyor_accumulating_closes_up);
    tcase_add_test(tc, test_conveyor_spacing_kept_when_blocked);
    tcase_add_test(tc, test_failure_operating_deterministic);
    tcase_add_test(tc, test_failure_calendar_deterministic);
    tcase_add_test(tc, test_failure_cycles_deterministic);
    tcase_add_test(tc, test_failure_calendar_availability);
    tcase_add_test(tc, test_failure_operating_availability);
    tcase_add_test(tc, test_setup_and_energy);
    tcase_add_test(tc, test_blocking_after_service);
    tcase_add_test(tc, test_assembly_bom);
    tcase_add_test(tc, test_routing);
    tcase_add_test(tc, test_source_limit_batch_lose);
    tcase_add_test(tc, test_huge_counts_act_as_unbounded);
    tcase_add_test(tc, test_default_cycle_same_draws_with_cycles_by_type);
    tcase_add_test(tc, test_huge_batch_refused);
    tcase_add_test(tc, test_line_shortcuts_same_results_as_routed_path);
    tcase_add_test(tc, test_source_queue_counts_waiting_parts_only);
    tcase_add_test(tc, test_buffer_level_counts_held_parts_only);
    tcase_add_test(tc, test_buffer_orders);
    tcase_add_test(tc, test_deadlock_reported);
    tcase_add_test(tc, test_deadlock_wide_fan_out);
    tcase_add_test(tc, test_view_queries);
    tcase_add_test(tc, test_zero_time_loop_fails);
    tcase_add_test(tc, test_unlimited_source_into_sink_fails);
    tcase_add_test(tc, test_zero_cycle_events_fail);
    tcase_add_test(tc, test_fractions_stay_within_one);
    tcase_add_test(tc, test_buffer_order_sequence);
    tcase_add_test(tc, test_buffer_dynamic_key_evaluated_at_dispatch);
    tcase_add_test(tc, test_buffer_dynamic_key_ties_in_entry_order);
    tcase_add_test(tc, test_due_date_only_for_types_that_define_it);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(elements_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
