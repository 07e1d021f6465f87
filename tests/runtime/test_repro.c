/*
 * test_repro.c — reproducibility: the same seed gives bit-identical results; --jobs 1, 2 and
 * 4 give bit-identical per-replication values and JSON (apart from wall_time_s); adding an
 * unrelated element leaves every other element's results unchanged (streams are keyed by
 * element name and purpose, not by creation order); a different seed changes the results.
 * Failed runs: the error names the lowest failing replication for any number of jobs; a
 * worker that ends without finishing its replications, or whose end waitpid cannot report
 * (SIGCHLD ignored), never passes for a successful one. Suite 'runtime'.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fab/fab.h"

/* A line with variability everywhere: exponential arrivals, finite buffers, failures,
 * probabilistic routing with rework, a conveyor and due dates. With `extra`, an unrelated
 * source -> station -> sink chain is created FIRST, shifting every element id. */
static fab_model *line(int extra)
{
    fab_model *m = fab_model_new("repro line");
    fab_model_horizon(m, 20000);
    fab_model_warmup(m, 2000);
    fab_model_replications(m, 8);
    fab_model_seed(m, 42);
    int t = fab_model_part_type(m, "P");
    int due = fab_model_attr(m, "due");
    fab_model_part_attr(m, t, due, fab_sampler_of_dist(fab_dist_unif(100, 900)));
    if (extra) {
        int xs = fab_source_new(m, "other_src", t);
        fab_source_interarrival(m, xs, fab_sampler_of_dist(fab_dist_exp(7)));
        int xm = fab_station_new(m, "other_mc");
        fab_station_cycle(m, xm, fab_sampler_of_dist(fab_dist_exp(5)));
        int xk = fab_sink_new(m, "other_out");
        fab_flow(m, xs, xm);
        fab_flow(m, xm, xk);
    }
    int s = fab_source_new(m, "arrivals", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(30)));
    int b1 = fab_buffer_new(m, "b1", 5);
    int press = fab_station_new(m, "press");
    fab_station_cycle(m, press, fab_sampler_of_dist(fab_dist_make(FAB_DIST_NORMAL, 20, 4, 0, 0)));
    fab_station_failure(m, press, "jam", fab_sampler_of_dist(fab_dist_exp(2000)),
                        fab_sampler_of_dist(fab_dist_exp(120)), FAB_BASIS_OPERATING);
    int conv = fab_conveyor_new(m, "transfer", 6, 0.5, 0.6, 1);
    int b2 = fab_buffer_new(m, "b2", 3);
    int insp = fab_station_new(m, "inspect");
    fab_station_cycle(m, insp, fab_sampler_of_dist(fab_dist_exp(22)));
    int rework = fab_station_new(m, "rework");
    fab_station_cycle(m, rework, fab_sampler_of_dist(fab_dist_exp(60)));
    int rack = fab_buffer_new(m, "rack", FAB_CAPACITY_INF);
    int done = fab_sink_new(m, "done");
    fab_flow(m, s, b1);
    fab_flow(m, b1, press);
    fab_flow(m, press, conv);
    fab_flow(m, conv, b2);
    fab_flow(m, b2, insp);
    fab_flow(m, insp, done);
    fab_flow(m, insp, rack);
    fab_flow(m, rack, rework);
    fab_flow(m, rework, b2);
    fab_route_prob(m, insp, done, 0.9);
    fab_route_prob(m, insp, rack, 0.1);
    return m;
}

static fab_results *run_jobs(fab_model *m, int jobs, int64_t seed)
{
    fab_run_opts o = fab_run_opts_default();
    o.jobs = jobs;
    o.seed = seed;
    char err[256];
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    return r;
}

static int same_value(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void assert_identical(const fab_results *a, const fab_results *b)
{
    ck_assert_int_eq(fab_results_metric_count(a), fab_results_metric_count(b));
    ck_assert_uint_eq(fab_results_events(a), fab_results_events(b));
    for (int k = 0; k < fab_results_metric_count(a); k++)
        for (uint64_t rep = 0; rep < fab_results_replications(a); rep++)
            ck_assert_msg(same_value(fab_results_value(a, rep, k), fab_results_value(b, rep, k)),
                          "%s.%s differs in replication %llu", fab_results_metric_element(a, k),
                          fab_results_metric_name(a, k), (unsigned long long)rep);
}

static char *json_without_wall_time(const fab_results *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fab_results_write_json(r, f);
    fclose(f);
    char *w = strstr(buf, "\"wall_time_s\"");
    ck_assert_ptr_nonnull(w);
    char *eol = strchr(w, '\n');
    memmove(w, eol, strlen(eol) + 1);
    return buf;
}

START_TEST(test_same_seed_identical)
{
    fab_model *m = line(0);
    fab_results *a = run_jobs(m, 1, -1), *b = run_jobs(m, 1, -1);
    assert_identical(a, b);
    ck_assert(fab_results_get(a, "done", "count").mean > 100);
    fab_results *c = run_jobs(m, 1, 43);
    int differs = 0;
    int k = fab_results_metric_find(c, "done", "lead_time_s");
    for (uint64_t rep = 0; rep < 8; rep++)
        differs |= !same_value(fab_results_value(a, rep, k), fab_results_value(c, rep, k));
    ck_assert_msg(differs, "another seed gave the same lead times");
    fab_results_free(a);
    fab_results_free(b);
    fab_results_free(c);
    fab_model_free(m);
}
END_TEST

START_TEST(test_jobs_identical)
{
    fab_model *m = line(0);
    fab_results *r1 = run_jobs(m, 1, -1);
    char *j1 = json_without_wall_time(r1);
    for (int jobs = 2; jobs <= 4; jobs += 2) {
        fab_results *rn = run_jobs(m, jobs, -1);
        assert_identical(r1, rn);
        char *jn = json_without_wall_time(rn);
        ck_assert_str_eq(j1, jn);
        free(jn);
        fab_results_free(rn);
    }
    free(j1);
    fab_results_free(r1);
    fab_model_free(m);
}
END_TEST

START_TEST(test_unrelated_element_keeps_streams)
{
    fab_model *a = line(0), *b = line(1);
    fab_results *ra = run_jobs(a, 1, -1), *rb = run_jobs(b, 1, -1);
    int checked = 0;
    for (int k = 0; k < fab_results_metric_count(ra); k++) {
        const char *e = fab_results_metric_element(ra, k), *name = fab_results_metric_name(ra, k);
        int kb = fab_results_metric_find(rb, e, name);
        ck_assert_int_ge(kb, 0);
        for (uint64_t rep = 0; rep < fab_results_replications(ra); rep++)
            ck_assert_msg(same_value(fab_results_value(ra, rep, k), fab_results_value(rb, rep, kb)),
                          "%s.%s changed when an unrelated element was added", e, name);
        checked++;
    }
    ck_assert_int_gt(checked, 30);
    ck_assert(fab_results_get(rb, "other_out", "count").mean > 100);
    fab_results_free(ra);
    fab_results_free(rb);
    fab_model_free(a);
    fab_model_free(b);
}
END_TEST

START_TEST(test_evsets_agree)
{
    /* the heap and the calendar queue give the same event order, hence identical results */
    fab_model *m = line(1);
    fab_run_opts o = fab_run_opts_default();
    char err[256];
    o.evset = FAB_EVSET_HEAP;
    fab_results *h = fab_run(m, &o, err, sizeof err);
    o.evset = FAB_EVSET_CALENDAR;
    fab_results *c = fab_run(m, &o, err, sizeof err);
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_nonnull(c);
    assert_identical(h, c);
    fab_results_free(h);
    fab_results_free(c);
    fab_model_free(m);
}
END_TEST

/* ---- failed runs ------------------------------------------------------------------------ */

/* The replication a part is created in: a stream's counter holds it (fab/rng.h). */
static double replication_of(fab_rng *rng, const fab_part *p, void *ctx)
{
    (void)p;
    (void)ctx;
    return (double)rng->ctr[1];
}

typedef struct fail_plan {
    int slot;               /* the attribute holding the part's replication */
    uint64_t fail;          /* bit r: replication r fails */
    uint64_t quit;          /* bit r: the process ends (status 0) in replication r */
} fail_plan;

/* Route rule of `arrivals`: its one successor, except in the replications of plan->fail,
 * where it chooses successor -1 - r (the replication fails, its message names -1 - r), and in
 * those of plan->quit, where the process ends as if the model had called exit(0). */
static int planned_route(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    const fail_plan *plan = ctx;
    int rep = (int)fab_part_attr(p, plan->slot);
    if ((plan->quit >> rep) & 1)
        _exit(0);
    return (plan->fail >> rep) & 1 ? -1 - rep : 0;
}

/* arrivals (one part every 100 s, carrying its replication) -> done, for 1000 s */
static fab_model *planned_line(fail_plan *plan, uint64_t reps)
{
    fab_model *m = fab_model_new("planned line");
    fab_model_horizon(m, 1000);
    fab_model_replications(m, reps);
    int t = fab_model_part_type(m, "P");
    plan->slot = fab_model_attr(m, "rep");
    fab_model_part_attr(m, t, plan->slot, fab_sampler_of_fn(replication_of, NULL));
    int s = fab_source_new(m, "arrivals", t);
    fab_source_interarrival(m, s, fab_sampler_const(100));
    int k = fab_sink_new(m, "done");
    fab_flow(m, s, k);
    fab_route_rule(m, s, planned_route, plan);
    return m;
}

static fab_results *run_jobs_err(fab_model *m, int jobs, char *err, size_t errsize)
{
    fab_run_opts o = fab_run_opts_default();
    o.jobs = jobs;
    err[0] = 0;
    return fab_run(m, &o, err, errsize);
}

/* Replications 1 and 4 of 6 fail. One process stops at replication 1; with 2 or 4 workers,
 * worker 0 (replications 0, 2, 4 or 0, 4) fails at 4 and worker 1 at 1; with 3, worker 1
 * (1, 4) fails at 1. The error is replication 1's every time. */
START_TEST(test_failure_names_lowest_replication_for_any_jobs)
{
    fail_plan plan = {.fail = 1u << 1 | 1u << 4};
    fab_model *m = planned_line(&plan, 6);
    for (int jobs = 1; jobs <= 4; jobs++) {
        char err[256];
        fab_results *r = run_jobs_err(m, jobs, err, sizeof err);
        ck_assert_msg(r == NULL, "%d jobs: the failing run succeeded", jobs);
        ck_assert_msg(!strcmp(err, "replication 1: route arrivals: the rule chose successor -2 "
                                   "of 1"), "%d jobs: %s", jobs, err);
    }
    /* without failures the same model runs */
    plan.fail = 0;
    char err[256];
    fab_results *ok = run_jobs_err(m, 2, err, sizeof err);
    ck_assert_msg(ok != NULL, "%s", err);
    ck_assert(fab_results_get(ok, "done", "count").mean == 10);
    fab_results_free(ok);
    fab_model_free(m);
}
END_TEST

/* A worker process that ends with status 0 in replication 2 (worker 0 of 2: replications 0,
 * 2, 4) has not written its rows: the run fails and says so. */
START_TEST(test_worker_ending_early_is_a_failure)
{
    fail_plan plan = {.quit = 1u << 2};
    fab_model *m = planned_line(&plan, 6);
    char err[256];
    fab_results *r = run_jobs_err(m, 2, err, sizeof err);
    ck_assert_msg(r == NULL, "a run with a worker ended early succeeded");
    ck_assert_str_eq(err, "replication 2: worker 0 exited before finishing its replications");
    fab_model_free(m);
}
END_TEST

/* With SIGCHLD ignored, children are reaped by the system and waitpid fails with ECHILD once
 * all have ended, without their exit status: a failed replication is still reported, and a
 * successful run still gives the results of one process. */
START_TEST(test_jobs_with_sigchld_ignored)
{
    fab_model *good = line(0);
    fab_results *want = run_jobs(good, 1, -1);
    fail_plan plan = {.fail = 1u << 3};
    fab_model *bad = planned_line(&plan, 4);

    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    ck_assert_int_eq(sigaction(SIGCHLD, &ign, &old), 0);
    char err[256], err2[256];
    fab_results *failed = run_jobs_err(bad, 2, err, sizeof err);
    fab_results *got = run_jobs_err(good, 2, err2, sizeof err2);
    ck_assert_int_eq(sigaction(SIGCHLD, &old, NULL), 0);

    ck_assert_msg(failed == NULL, "a failed replication went unreported");
    ck_assert_str_eq(err, "replication 3: route arrivals: the rule chose successor -4 of 1");
    ck_assert_msg(got != NULL, "%s", err2);
    assert_identical(want, got);
    fab_results_free(got);
    fab_results_free(want);
    fab_model_free(bad);
    fab_model_free(good);
}
END_TEST

static Suite *repro_suite(void)
{
    Suite *s = suite_create("repro");
    TCase *tc = tcase_create("repro");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_same_seed_identical);
    tcase_add_test(tc, test_jobs_identical);
    tcase_add_test(tc, test_unrelated_element_keeps_streams);
    tcase_add_test(tc, test_evsets_agree);
    tcase_add_test(tc, test_failure_names_lowest_replication_for_any_jobs);
    tcase_add_test(tc, test_worker_ending_early_is_a_failure);
    tcase_add_test(tc, test_jobs_with_sigchld_ignored);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(repro_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
