/*
 * test_validation.c — libfabrt against exact queueing theory (suite 'validation').
 *
 * Each model has its own fixed seed (M/M/1: 121, 112, 113, percentiles 131; then 201, ..., 601): models that share element names
 * would otherwise share random streams and their errors would be correlated.
 * Every check runs replications at a fixed seed and requires the exact value to lie inside
 * the Student-t 95 % confidence interval over replications (significance level 5 % per check)
 * AND the mean to be within 2 % of it. Models: M/M/1 at rho = 0.5, 0.8, 0.9 (L and W, and
 * the p50/p90/p99 of the time in system at 0.5), M/M/3
 * (Erlang C), M/M/1/K blocking probability, M/D/1 (Pollaczek-Khinchine), the throughput of a
 * two-station exponential line with a finite buffer and blocking after service (birth-death
 * chain), and a three-node Jackson network with feedback.
 *
 * Prints the table of docs/validation.md (markdown) on stdout; with an argument, also writes
 * it to that file:  build-rt/tests/runtime/test_validation docs/validation-table.md
 *
 * Coverage mode, FAB_VALIDATION_SEEDS=N (not run by the test suite): every check is repeated
 * at N seeds (each model's seed + 1000 k, k = 0 .. N-1; k = 0 is the suite's run) and the
 * table gives, per check, how many of the N intervals hold the exact value and how many
 * means are within 2 % of it. Without bias the first count is Binomial(N, 0.95).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fab/fab.h"

#define REPS 10

static char g_table[16384];
static size_t g_len;
static int g_fail;

/* Coverage mode: the seed round k, and per check (in the order the checks run) its name and
 * how often its interval held the exact value and its mean was within 2 %. */
enum { MAX_CHECKS = 32 };
static int g_round;
static int g_check;
static struct {
    char name[128];
    int in_ci, within;
} g_cov[MAX_CHECKS];

static void row(const char *model, const char *what, double exact, fab_stat_summary s)
{
    double rel = (s.mean - exact) / exact;
    int in_ci = exact >= s.ci95_lo && exact <= s.ci95_hi;
    int ok = in_ci && fabs(rel) <= 0.02;
    ck_assert_int_lt(g_check, MAX_CHECKS);
    snprintf(g_cov[g_check].name, sizeof g_cov[g_check].name, "%s | %s", model, what);
    g_cov[g_check].in_ci += in_ci;
    g_cov[g_check].within += fabs(rel) <= 0.02;
    g_check++;
    if (g_round > 0)
        return;     /* coverage mode: the table and the verdict are those of round 0 */
    g_len += (size_t)snprintf(g_table + g_len, sizeof g_table - g_len,
                              "| %s | %s | %.6g | %.6g | [%.6g, %.6g] | %+.2f %% | %s |\n", model,
                              what, exact, s.mean, s.ci95_lo, s.ci95_hi, 100 * rel,
                              ok ? "yes" : "NO");
    if (!ok) {
        g_fail++;
        fprintf(stderr, "FAIL %s %s: exact %.6g, mean %.6g, CI [%.6g, %.6g]\n", model, what,
                exact, s.mean, s.ci95_lo, s.ci95_hi);
    }
}

static fab_results *run(fab_model *m, double horizon, double warmup, int64_t seed)
{
    fab_run_opts o = fab_run_opts_default();
    o.horizon = horizon;
    o.warmup = warmup;
    o.replications = REPS;
    o.seed = seed + 1000 * g_round;
    char err[256];
    fab_results *r = fab_run(m, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    return r;
}

/* Per-replication a*X + b*Y summarised over replications. */
static fab_stat_summary combo(const fab_results *r, const char *e1, const char *k1, double a,
                              const char *e2, const char *k2, double b)
{
    double v[REPS];
    int i1 = fab_results_metric_find(r, e1, k1);
    int i2 = e2 ? fab_results_metric_find(r, e2, k2) : -1;
    ck_assert_int_ge(i1, 0);
    for (int i = 0; i < REPS; i++)
        v[i] = a * fab_results_value(r, (uint64_t)i, i1)
             + (i2 >= 0 ? b * fab_results_value(r, (uint64_t)i, i2) : 0);
    return fab_stat_summarize(v, REPS);
}

/* source -> buffer(queue_cap) -> station(servers) -> sink */
static fab_model *queue_model(const char *name, double ia_mean, fab_dist service, unsigned servers,
                              uint64_t queue_cap, int lose)
{
    fab_model *m = fab_model_new(name);
    int t = fab_model_part_type(m, "Job");
    int s = fab_source_new(m, "arrivals", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(ia_mean)));
    if (lose)
        fab_source_on_block(m, s, FAB_ON_BLOCK_LOSE);
    int q = fab_buffer_new(m, "queue", queue_cap);
    int st = fab_station_new(m, "server");
    fab_station_capacity(m, st, servers);
    fab_station_cycle(m, st, fab_sampler_of_dist(service));
    int k = fab_sink_new(m, "done");
    fab_flow(m, s, q);
    fab_flow(m, q, st);
    fab_flow(m, st, k);
    return m;
}

START_TEST(test_mm1)
{
    static const double rhos[] = {0.5, 0.8, 0.9};
    static const double horizon[] = {2e6, 6e6, 2e7};   /* seconds; service mean 10 s */
    static const int64_t seeds[] = {121, 112, 113};
    for (int i = 0; i < 3; i++) {
        double rho = rhos[i], s = 10.0;
        fab_model *m = queue_model("M/M/1", s / rho, fab_dist_exp(s), 1, FAB_CAPACITY_INF, 0);
        fab_results *r = run(m, horizon[i], horizon[i] / 50, seeds[i]);
        char name[64];
        snprintf(name, sizeof name, "M/M/1, rho = %.1f", rho);
        row(name, "L (parts in system)", rho / (1 - rho),
            combo(r, "queue", "mean_level", 1, "server", "utilization", 1));
        row(name, "W (time in system, s)", s / (1 - rho), fab_results_get(r, "done", "lead_time_s"));
        fab_results_free(r);
        fab_model_free(m);
    }
}
END_TEST

START_TEST(test_mm1_percentiles)
{
    /* rho = 0.5: the time in system is exponential with mean W = 20 s, so its q-quantile is
     * -ln(1 - q) W. Tail quantiles converge slowly on correlated output: a longer run. */
    double rho = 0.5, s = 10.0, W = s / (1 - rho);
    fab_model *m = queue_model("M/M/1", s / rho, fab_dist_exp(s), 1, FAB_CAPACITY_INF, 0);
    fab_results *r = run(m, 1e7, 2e5, 131);
    static const double qs[3] = {0.5, 0.9, 0.99};
    static const char *const qn[3] = {"p50", "p90", "p99"};
    for (int k = 0; k < 3; k++) {
        char metric[64], what[64];
        snprintf(metric, sizeof metric, "lead_time_percentiles_s.%s", qn[k]);
        snprintf(what, sizeof what, "time in system %s (s)", qn[k]);
        row("M/M/1, rho = 0.5", what, -log(1 - qs[k]) * W, fab_results_get(r, "done", metric));
    }
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_mm3)
{
    double s = 10.0, c = 3, rho = 0.8, lambda = rho * c / s, a = lambda * s;
    double sum = 0, fact = 1;
    for (int k = 0; k < 3; k++) {
        if (k > 0)
            fact *= k;
        sum += pow(a, k) / fact;
    }
    double tail = pow(a, c) / (6.0 * (1 - rho));
    double erlang_c = tail / (sum + tail);
    double lq = erlang_c * rho / (1 - rho), L = lq + a, W = L / lambda;
    fab_model *m = queue_model("M/M/3", 1 / lambda, fab_dist_exp(s), 3, FAB_CAPACITY_INF, 0);
    fab_results *r = run(m, 2e6, 4e4, 201);
    row("M/M/3, rho = 0.8", "L (parts in system)", L,
        combo(r, "queue", "mean_level", 1, "server", "utilization", 3));
    row("M/M/3, rho = 0.8", "W (time in system, s)", W, fab_results_get(r, "done", "lead_time_s"));
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_mm1k)
{
    double s = 10.0, rho = 0.8;
    int K = 5;
    double pk = (1 - rho) * pow(rho, K) / (1 - pow(rho, K + 1));
    /* system capacity K = buffer K-1 + the server; arrivals that find it full are lost */
    fab_model *m = queue_model("M/M/1/K", s / rho, fab_dist_exp(s), 1, (uint64_t)K - 1, 1);
    fab_results *r = run(m, 1e7, 1e5, 301);
    double v[REPS];
    int il = fab_results_metric_find(r, "arrivals", "lost");
    int ic = fab_results_metric_find(r, "arrivals", "created");
    for (int i = 0; i < REPS; i++)
        v[i] = fab_results_value(r, (uint64_t)i, il) / fab_results_value(r, (uint64_t)i, ic);
    row("M/M/1/5, rho = 0.8", "blocking probability", pk, fab_stat_summarize(v, REPS));
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_md1)
{
    double D = 10.0, rho = 0.8, lambda = rho / D;
    double wq = rho * D / (2 * (1 - rho)), W = wq + D, L = lambda * W;
    fab_model *m = queue_model("M/D/1", 1 / lambda, fab_dist_const(D), 1, FAB_CAPACITY_INF, 0);
    fab_results *r = run(m, 4e6, 8e4, 401);
    row("M/D/1, rho = 0.8", "L (parts in system)", L,
        combo(r, "queue", "mean_level", 1, "server", "utilization", 1));
    row("M/D/1, rho = 0.8", "W (time in system, s)", W, fab_results_get(r, "done", "lead_time_s"));
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_two_station_line)
{
    /* saturated S1 (mean 10 s) -> buffer B = 2 -> S2 (mean 12 s), blocking after service.
     * n = parts in buffer and S2, plus 1 when S1 is blocked: birth-death on 0..B+2 with
     * birth mu1, death mu2, so TH = mu2 (1 - 1 / sum_{n=0}^{B+2} r^n), r = mu1/mu2. */
    double m1 = 10, m2 = 12, r = m2 / m1, sum = 0;
    int B = 2;
    for (int n = 0; n <= B + 2; n++)
        sum += pow(r, n);
    double th = 3600.0 / m2 * (1 - 1 / sum);
    fab_model *m = fab_model_new("two-station line");
    int t = fab_model_part_type(m, "P");
    int s = fab_source_new(m, "raw", t);
    fab_source_unlimited(m, s);
    int a = fab_station_new(m, "s1");
    fab_station_cycle(m, a, fab_sampler_of_dist(fab_dist_exp(m1)));
    int b = fab_buffer_new(m, "b", (uint64_t)B);
    int c = fab_station_new(m, "s2");
    fab_station_cycle(m, c, fab_sampler_of_dist(fab_dist_exp(m2)));
    int k = fab_sink_new(m, "done");
    fab_flow(m, s, a);
    fab_flow(m, a, b);
    fab_flow(m, b, c);
    fab_flow(m, c, k);
    fab_results *res = run(m, 2e6, 2e4, 501);
    row("two-station line, B = 2", "throughput (parts/h)", th,
        fab_results_get(res, "done", "throughput_per_h"));
    /* P(S1 blocked) = pi_{B+2} */
    row("two-station line, B = 2", "S1 blocked fraction", pow(r, B + 2) / sum,
        fab_results_get(res, "s1", "state_fraction.blocked"));
    fab_results_free(res);
    fab_model_free(m);
}
END_TEST

START_TEST(test_jackson)
{
    /* external arrivals 0.1/s to node 1; 1 -> 2 (0.6), 1 -> 3 (0.4); 2 -> 3; 3 -> exit (0.7),
     * 3 -> 1 (0.3). Traffic: l1 = l3 = 0.1 / 0.7, l2 = 0.6 l1. Service means give
     * rho = 0.6, 0.5, 0.7; product form: L_i = rho_i / (1 - rho_i), W = sum L_i / 0.1. */
    double lam = 0.1, l1 = lam / 0.7, l2 = 0.6 * l1, l3 = l1;
    double rho[3] = {0.6, 0.5, 0.7}, lam_i[3] = {l1, l2, l3};
    fab_model *m = fab_model_new("Jackson network");
    int t = fab_model_part_type(m, "Job");
    int s = fab_source_new(m, "arrivals", t);
    fab_source_interarrival(m, s, fab_sampler_of_dist(fab_dist_exp(1 / lam)));
    int q[3], st[3];
    static const char *qn[3] = {"q1", "q2", "q3"}, *sn[3] = {"n1", "n2", "n3"};
    for (int i = 0; i < 3; i++) {
        q[i] = fab_buffer_new(m, qn[i], FAB_CAPACITY_INF);
        st[i] = fab_station_new(m, sn[i]);
        fab_station_cycle(m, st[i], fab_sampler_of_dist(fab_dist_exp(rho[i] / lam_i[i])));
        fab_flow(m, q[i], st[i]);
    }
    int k = fab_sink_new(m, "done");
    fab_flow(m, s, q[0]);
    fab_flow(m, st[0], q[1]);
    fab_flow(m, st[0], q[2]);
    fab_route_prob(m, st[0], q[1], 0.6);
    fab_route_prob(m, st[0], q[2], 0.4);
    fab_flow(m, st[1], q[2]);
    fab_flow(m, st[2], k);
    fab_flow(m, st[2], q[0]);
    fab_route_prob(m, st[2], k, 0.7);
    fab_route_prob(m, st[2], q[0], 0.3);
    fab_results *r = run(m, 1e6, 2e4, 601);
    double Ltot = 0;
    for (int i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "L at node %d", i + 1);
        double L = rho[i] / (1 - rho[i]);
        Ltot += L;
        row("Jackson network (3 nodes, feedback)", what, L,
            combo(r, qn[i], "mean_level", 1, sn[i], "utilization", 1));
    }
    row("Jackson network (3 nodes, feedback)", "W (time in system, s)", Ltot / lam,
        fab_results_get(r, "done", "lead_time_s"));
    fab_results_free(r);
    fab_model_free(m);
}
END_TEST

START_TEST(test_all_within)
{
    ck_assert_msg(g_fail == 0, "%d validation checks failed (see the table)", g_fail);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("validation");
    TCase *tc = tcase_create("queueing");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mm1);
    tcase_add_test(tc, test_mm1_percentiles);
    tcase_add_test(tc, test_mm3);
    tcase_add_test(tc, test_mm1k);
    tcase_add_test(tc, test_md1);
    tcase_add_test(tc, test_two_station_line);
    tcase_add_test(tc, test_jackson);
    tcase_add_test(tc, test_all_within);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);     /* the table is collected across tests */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    const char *seeds = getenv("FAB_VALIDATION_SEEDS");
    int nseeds = seeds ? atoi(seeds) : 1;
    for (g_round = 1; g_round < nseeds; g_round++) {
        g_check = 0;
        srunner_run_all(sr, CK_SILENT);
    }
    if (nseeds > 1) {
        printf("\n| model | quantity | exact value in the 95 %% CI | mean within 2 %% |\n"
               "|---|---|---|---|\n");
        for (int i = 0; i < g_check; i++)
            printf("| %s | %d of %d | %d of %d |\n", g_cov[i].name, g_cov[i].in_ci, nseeds,
                   g_cov[i].within, nseeds);
    }
    srunner_free(sr);
    const char *head = "| model | quantity | exact | simulated (mean of 10) | 95 % CI | error | "
                       "in CI and within 2 % |\n|---|---|---|---|---|---|---|\n";
    printf("\n%s%s", head, g_table);
    if (argc > 1) {
        FILE *f = fopen(argv[1], "w");
        if (f) {
            fprintf(f, "%s%s", head, g_table);
            fclose(f);
        }
    }
    return failed ? 1 : 0;
}
