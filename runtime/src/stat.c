/*
 * stat.c — statistics accumulators and across-replication summaries (implements fab/stat.h).
 *
 * In:  observations (tally, hist, quantile), level changes with their times (timeavg), arrays
 *      of per-replication values (summarize).
 * Out: means, variances, time averages, quantile estimates, Student-t confidence intervals.
 * Memory: every accumulator is a struct owned by the caller; a histogram's bins are allocated
 * by fab_stat_hist_init and freed by fab_stat_hist_free.
 *
 *   tally      Welford's update of mean and sum of squared deviations (m2).
 *   timeavg    exact integral of a piecewise-constant level; the caller passes non-decreasing
 *              times (an earlier time is not detected and would subtract area).
 *   hist       log-spaced bins (fab/stat.h); x >= 2^31 (+inf too) goes to the last bin by a
 *              comparison, any other x > 0 to its bin from frexp: octave e - EMIN, and
 *              (mantissa - 1/2) * 2 SUB within it, both exact, so the same bin on every
 *              machine; quantiles walk the bins once.
 *   quantile   P² (Jain & Chlamtac, CACM 1985), five markers; below five observations the exact
 *              sample quantile with linear interpolation between order statistics
 *              (h = (n - 1) p, "type 7"). Estimates cover the first 2^31 - 2 observations;
 *              later ones are ignored (marker positions are int).
 *   summarize  corrected two-pass mean (a second pass adds the mean deviation from the sum's
 *              estimate, so equal values give their own value) and the sample sd about it,
 *              CI = mean ± t(0.975, n - 1) sd / sqrt(n).
 *   t quantile p = 0.975 (and 0.025), the one the intervals use: a table for integral
 *              df <= 200 and an asymptotic expansion above, plain arithmetic only, so bit-identical
 *              on every machine. Other p and non-integral df <= 200: solves
 *              S(t) = 1 - p, S the upper tail 0.5 I_{df/(df+t²)}(df/2, 1/2), by Newton's method
 *              inside a bisection bracket; the regularised incomplete beta function is a
 *              continued fraction (modified Lentz); relative accuracy about 1e-13, last bits
 *              subject to the C library's exp/log/lgamma.
 *
 * lgamma() is used by the general t quantile (not by fab_stat_summarize), so call
 * fab_stat_t_quantile with p other than 0.975 from one thread at a time on C libraries where
 * lgamma writes signgam. Everything else uses only +, -, *, /, sqrt and floor, with
 * floating-point contraction off, so the results are the same bits on every machine.
 *
 * Deliberately not handled: weighted tallies, batch means, quantiles of the time-average.
 */
#include "fab/stat.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "stat_inline.h"    /* after the pragma: compiled without contraction */

/* ---- tally ------------------------------------------------------------------------------ */

void fab_stat_tally_reset(fab_stat_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

void fab_stat_tally_add(fab_stat_tally *t, double x)
{
    rt_stat_tally_add(t, x);
}

double fab_stat_tally_mean(const fab_stat_tally *t)
{
    return t->n == 0 ? NAN : t->mean;
}

double fab_stat_tally_var(const fab_stat_tally *t)
{
    return t->n < 2 ? NAN : t->m2 / (double)(t->n - 1);
}

/* ---- time average ----------------------------------------------------------------------- */

void fab_stat_timeavg_reset(fab_stat_timeavg *a, double now)
{
    a->t0 = now;
    a->t_last = now;
    a->area = 0.0;
    a->max = a->level;
}

void fab_stat_timeavg_set(fab_stat_timeavg *a, double now, double level)
{
    rt_stat_timeavg_set(a, now, level);
}

void fab_stat_timeavg_add(fab_stat_timeavg *a, double now, double delta)
{
    fab_stat_timeavg_set(a, now, a->level + delta);
}

double fab_stat_timeavg_mean(const fab_stat_timeavg *a, double now)
{
    double span = now - a->t0;
    if (!(span > 0))
        return NAN;
    return (a->area + a->level * (now - a->t_last)) / span;
}

/* ---- P² quantile ------------------------------------------------------------------------ */

void fab_stat_quantile_init(fab_stat_quantile *q, double p)
{
    q->p = p;
    q->n = 0;
    for (int i = 0; i < 5; i++) {
        q->q[i] = 0.0;
        q->np[i] = 0.0;
        q->dn[i] = 0.0;
        q->pos[i] = 0;
    }
}

static double quantile_parabolic(const fab_stat_quantile *q, int i, double d)
{
    double n_lo = q->pos[i - 1], n_i = q->pos[i], n_hi = q->pos[i + 1];
    return q->q[i] + d / (n_hi - n_lo)
           * ((n_i - n_lo + d) * (q->q[i + 1] - q->q[i]) / (n_hi - n_i)
              + (n_hi - n_i - d) * (q->q[i] - q->q[i - 1]) / (n_i - n_lo));
}

static double quantile_linear(const fab_stat_quantile *q, int i, int d)
{
    return q->q[i] + d * (q->q[i + d] - q->q[i]) / (double)(q->pos[i + d] - q->pos[i]);
}

void fab_stat_quantile_add(fab_stat_quantile *q, double x)
{
    if (q->n < 5) {
        /* insertion into the sorted first observations */
        int i = (int)q->n;
        while (i > 0 && q->q[i - 1] > x) {
            q->q[i] = q->q[i - 1];
            i--;
        }
        q->q[i] = x;
        q->n++;
        if (q->n == 5) {
            double p = q->p;
            for (int k = 0; k < 5; k++)
                q->pos[k] = k + 1;
            q->np[0] = 1.0;
            q->np[1] = 1.0 + 2.0 * p;
            q->np[2] = 1.0 + 4.0 * p;
            q->np[3] = 3.0 + 2.0 * p;
            q->np[4] = 5.0;
            q->dn[0] = 0.0;
            q->dn[1] = 0.5 * p;
            q->dn[2] = p;
            q->dn[3] = 0.5 * (1.0 + p);
            q->dn[4] = 1.0;
        }
        return;
    }
    if (q->pos[4] >= INT_MAX - 1)
        return;

    int k;
    if (x < q->q[0]) {
        q->q[0] = x;
        k = 0;
    } else if (x >= q->q[4]) {
        if (x > q->q[4])
            q->q[4] = x;
        k = 3;
    } else {
        k = 0;
        while (k < 3 && x >= q->q[k + 1])
            k++;
    }
    for (int i = k + 1; i < 5; i++)
        q->pos[i]++;
    for (int i = 0; i < 5; i++)
        q->np[i] += q->dn[i];
    q->n++;

    for (int i = 1; i <= 3; i++) {
        double d = q->np[i] - q->pos[i];
        if ((d >= 1.0 && q->pos[i + 1] - q->pos[i] > 1)
            || (d <= -1.0 && q->pos[i - 1] - q->pos[i] < -1)) {
            int step = d > 0 ? 1 : -1;
            double candidate = quantile_parabolic(q, i, step);
            if (q->q[i - 1] < candidate && candidate < q->q[i + 1])
                q->q[i] = candidate;
            else
                q->q[i] = quantile_linear(q, i, step);
            q->pos[i] += step;
        }
    }
}

double fab_stat_quantile_value(const fab_stat_quantile *q)
{
    if (q->n == 0)
        return NAN;
    if (q->n >= 5)
        return q->q[2];
    double h = (double)(q->n - 1) * q->p;
    int lo = (int)floor(h);
    if (lo >= (int)q->n - 1)
        return q->q[q->n - 1];
    if (lo < 0)
        return q->q[0];
    return q->q[lo] + (h - lo) * (q->q[lo + 1] - q->q[lo]);
}

/* ---- summaries over replications ------------------------------------------------------- */

/* ---- histogram ------------------------------------------------------------------------- */

int fab_stat_hist_init(fab_stat_hist *h)
{
    h->low = 0;
    h->bin = calloc(FAB_STAT_HIST_BINS, sizeof *h->bin);
    return h->bin ? 0 : -1;
}

void fab_stat_hist_free(fab_stat_hist *h)
{
    free(h->bin);
    h->bin = NULL;
}

void fab_stat_hist_reset(fab_stat_hist *h)
{
    memset(h->bin, 0, FAB_STAT_HIST_BINS * sizeof *h->bin);
    h->low = 0;
}

void fab_stat_hist_add(fab_stat_hist *h, double x)
{
    if (!(x > 0)) {                  /* 0, negative, NAN */
        h->low++;
        return;
    }
    /* 2^31 and above, +inf included, before frexp (whose mantissa of inf is inf) */
    if (x >= ldexp(0.5, FAB_STAT_HIST_OCTAVES + FAB_STAT_HIST_EMIN)) {
        h->bin[FAB_STAT_HIST_BINS - 1]++;
        return;
    }
    int e;
    double mant = frexp(x, &e);
    if (e < FAB_STAT_HIST_EMIN) {
        h->low++;
        return;
    }
    /* e - EMIN in 0 .. OCTAVES - 1, (mant - 1/2) * 2 SUB in [0, SUB): a bin in range */
    int b = (e - FAB_STAT_HIST_EMIN) * FAB_STAT_HIST_SUB
          + (int)((mant - 0.5) * (2 * FAB_STAT_HIST_SUB));
    h->bin[b]++;
}

uint64_t fab_stat_hist_count(const fab_stat_hist *h)
{
    uint64_t n = h->low;
    for (int b = 0; b < FAB_STAT_HIST_BINS; b++)
        n += h->bin[b];
    return n;
}

double fab_stat_hist_quantile(const fab_stat_hist *h, double q)
{
    uint64_t n = fab_stat_hist_count(h);
    if (n == 0)
        return NAN;
    double rank = q * (double)(n - 1), cum = (double)h->low;
    if (rank < cum)
        return 0;
    for (int b = 0; b < FAB_STAT_HIST_BINS; b++) {
        double c = (double)h->bin[b];
        if (c > 0 && rank < cum + c) {
            int oct = b / FAB_STAT_HIST_SUB, sub = b % FAB_STAT_HIST_SUB;
            double width = ldexp(1.0 / (2 * FAB_STAT_HIST_SUB), oct + FAB_STAT_HIST_EMIN);
            double lo = ldexp(0.5, oct + FAB_STAT_HIST_EMIN) + sub * width;
            /* the c values are taken as spread evenly over the bin, at (j + 1/2) / c */
            double pos = rank - cum + 0.5;
            return lo + width * (pos < c - 0.5 ? pos : c - 0.5) / c;
        }
        cum += c;
    }
    return ldexp(0.5, FAB_STAT_HIST_OCTAVES + FAB_STAT_HIST_EMIN);
}

fab_stat_summary fab_stat_summarize(const double *x, size_t n)
{
    fab_stat_summary s = {NAN, NAN, NAN, NAN, 0};
    uint64_t m = 0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(x[i])) {
            sum += x[i];
            m++;
        }
    }
    s.n = m;
    if (m == 0)
        return s;
    /* the mean corrected by the mean deviation from the first estimate (the rounding of the
     * sum): equal values give their own value, and an sd of exactly 0 */
    double mean = sum / (double)m, dev_sum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            dev_sum += x[i] - mean;
    mean += dev_sum / (double)m;
    s.mean = mean;
    if (m == 1) {
        s.sd = 0.0;
        s.ci95_lo = mean;
        s.ci95_hi = mean;
        return s;
    }
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(x[i])) {
            double dev = x[i] - mean;
            ss += dev * dev;
        }
    }
    s.sd = sqrt(ss / (double)(m - 1));
    double half = fab_stat_t_quantile(0.975, (double)(m - 1)) * s.sd / sqrt((double)m);
    s.ci95_lo = mean - half;
    s.ci95_hi = mean + half;
    return s;
}

/* ---- Student-t quantile ----------------------------------------------------------------- */

#define STAT_PI 3.14159265358979323846
#define STAT_SQRT2 1.41421356237309504880

enum { STAT_CF_MAX_ITER = 1000, STAT_SOLVE_MAX_ITER = 200 };

/* Continued fraction of I_x(a, b) without its prefactor (modified Lentz); converges fast for
 * x < (a + 1) / (a + b + 2). */
static double stat_beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= STAT_CF_MAX_ITER; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        if (fabs(d) < tiny)
            d = tiny;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        f *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        if (fabs(d) < tiny)
            d = tiny;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double step = d * c;
        f *= step;
        if (fabs(step - 1.0) < eps)
            break;
    }
    return f;
}

/* I_x(a, b) given x and y = 1 - x (both passed to keep precision near 1). */
static double stat_beta_inc(double a, double b, double x, double y)
{
    if (x <= 0.0)
        return 0.0;
    if (y <= 0.0)
        return 1.0;
    double log_front = a * log(x) + b * log(y) - (lgamma(a) + lgamma(b) - lgamma(a + b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return exp(log_front) * stat_beta_cf(a, b, x) / a;
    return 1.0 - exp(log_front) * stat_beta_cf(b, a, y) / b;
}

/* Upper tail P(T > t) for t >= 0, and the density. */
static double stat_t_upper(double t, double df)
{
    double t2 = t * t;
    return 0.5 * stat_beta_inc(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
}

static double stat_t_density(double t, double df)
{
    double log_c = lgamma(0.5 * (df + 1.0)) - lgamma(0.5 * df) - 0.5 * log(df * STAT_PI);
    return exp(log_c - 0.5 * (df + 1.0) * log1p(t * t / df));
}

static double stat_normal_upper(double z)
{
    return 0.5 * erfc(z / STAT_SQRT2);
}

static double stat_normal_density(double z)
{
    return exp(-0.5 * z * z) / sqrt(2.0 * STAT_PI);
}

/* t(0.975, df), the quantile of every confidence interval, without the C library: exact table
 * values for integral df <= 200 and, above, the Cornish-Fisher expansion
 * z + g1/df + ... + g5/df^5 (relative error < 5e-15 at df = 200, < 1e-16 from df = 400), both
 * generated with 40-digit arithmetic by tests/random/gen_t_table.py. Deterministic to the bit on
 * every machine, so the printed intervals are too. */
enum { STAT_T975_DF_MAX = 200 };
static const double stat_t975_series[6] = {
    0x1.f5c0331eeff85p+0, 0x1.2fa6956bafdfap+1, 0x1.6947a277cdaf0p+1,
    0x1.472615117d270p+1, 0x1.96ebb427346d2p+0, 0x1.773e6f378407cp-1,
};
static const double stat_t975_table[STAT_T975_DF_MAX + 1] = {
    NAN, 0x1.96993aacc4d24p+3, 0x1.135ea98e146bbp+2, 0x1.975a66893c1abp+1,
    0x1.63628d9efb5e0p+1, 0x1.4908d359dff3ap+1, 0x1.393468546e655p+1, 0x1.2eac01e9f5b1dp+1,
    0x1.272b24bc9242ap+1, 0x1.218e5dac50b24p+1, 0x1.1d33a7661d304p+1, 0x1.19b9e1b8c996ep+1,
    0x1.16e356bbc352ep+1, 0x1.1486f5cb67d3ep+1, 0x1.12885ec4c0667p+1, 0x1.10d356b5a06c1p+1,
    0x1.0f590e8d62dd7p+1, 0x1.0e0e6fd5b1561p+1, 0x1.0ceb036f23f32p+1, 0x1.0be83653b666ep+1,
    0x1.0b00d9a954438p+1, 0x1.0a30c955b504dp+1, 0x1.0974ac3559fb4p+1, 0x1.08c9c5c7af878p+1,
    0x1.082dd3fc3a168p+1, 0x1.079ef594769a5p+1, 0x1.071b96b177db4p+1, 0x1.06a261e29bdadp+1,
    0x1.0632348973a30p+1, 0x1.05ca15bce2872p+1, 0x1.05692f10aaeeap+1, 0x1.050ec6d0032d7p+1,
    0x1.04ba3b5725837p+1, 0x1.046aff4ce0d90p+1, 0x1.0420968c7f61cp+1, 0x1.03da939b97bfcp+1,
    0x1.0398958fb660dp+1, 0x1.035a464e0e4cbp+1, 0x1.031f59141b8adp+1, 0x1.02e7893bbcad6p+1,
    0x1.02b299300ed52p+1, 0x1.0280518a7d290p+1, 0x1.02508051216f6p+1, 0x1.0222f850e412cp+1,
    0x1.01f7908ed3d0ep+1, 0x1.01ce23cd00c4dp+1, 0x1.01a6901fcf862p+1, 0x1.0180b69140f88p+1,
    0x1.015c7ad019362p+1, 0x1.0139c2e92927ep+1, 0x1.01187709471cdp+1, 0x1.00f88146be527p+1,
    0x1.00d9cd712e718p+1, 0x1.00bc48e6fc926p+1, 0x1.009fe26f9904fp+1, 0x1.00848a19f9200p+1,
    0x1.006a311ebbcb5p+1, 0x1.0050c9c58322bp+1, 0x1.0038474d1e1aap+1, 0x1.00209dd62b0acp+1,
    0x1.0009c24fe7d7fp+1, 0x1.ffe754cddd112p+0, 0x1.ffbc98eb4b3b1p+0, 0x1.ff933eec65c17p+0,
    0x1.ff6b35eb8b3b8p+0, 0x1.ff446e12253f9p+0, 0x1.ff1ed883c1e67p+0, 0x1.fefa674b14d93p+0,
    0x1.fed70d48acdcfp+0, 0x1.feb4be2330d3dp+0, 0x1.fe936e38fc66cp+0, 0x1.fe731292f91a8p+0,
    0x1.fe53a0d8948bcp+0, 0x1.fe350f44b80b5p+0, 0x1.fe17549ba8de2p+0, 0x1.fdfa6821bb14cp+0,
    0x1.fdde4192c3476p+0, 0x1.fdc2d91a35991p+0, 0x1.fda8274be2387p+0, 0x1.fd8e251d4135ep+0,
    0x1.fd74cbdf40f3ap+0, 0x1.fd5c15388bbe8p+0, 0x1.fd43fb203a3c9p+0, 0x1.fd2c77d8e9637p+0,
    0x1.fd1585ec2b8d2p+0, 0x1.fcff20264d0fdp+0, 0x1.fce941926574cp+0, 0x1.fcd3e576af0edp+0,
    0x1.fcbf07511f443p+0, 0x1.fcaaa2d43a642p+0, 0x1.fc96b3e41e566p+0, 0x1.fc833693bfdfbp+0,
    0x1.fc70272256940p+0, 0x1.fc5d81f8f3e91p+0, 0x1.fc4b43a842280p+0, 0x1.fc3968e668449p+0,
    0x1.fc27ee8d0fe14p+0, 0x1.fc16d1978b015p+0, 0x1.fc060f21171dbp+0, 0x1.fbf5a4633b83bp+0,
    0x1.fbe58eb4410dbp+0, 0x1.fbd5cb85c16f8p+0, 0x1.fbc658634c733p+0, 0x1.fbb732f121a3ep+0,
    0x1.fba858eafd03ap+0, 0x1.fb99c822f5823p+0, 0x1.fb8b7e806c06ap+0, 0x1.fb7d79ff09f27p+0,
    0x1.fb6fb8adce1a6p+0, 0x1.fb6238ae2745dp+0, 0x1.fb54f8331b542p+0, 0x1.fb47f5807a3bep+0,
    0x1.fb3b2eea1c227p+0, 0x1.fb2ea2d329dadp+0, 0x1.fb224fad6f276p+0, 0x1.fb1633f8b622ep+0,
    0x1.fb0a4e422b441p+0, 0x1.fafe9d23c9756p+0, 0x1.faf31f43cdc4ep+0, 0x1.fae7d354323a0p+0,
    0x1.fadcb8122f63cp+0, 0x1.fad1cc45c43c8p+0, 0x1.fac70ec144042p+0, 0x1.fabc7e60e9b95p+0,
    0x1.fab21a0a70e03p+0, 0x1.faa7e0acb3495p+0, 0x1.fa9dd13f4b912p+0, 0x1.fa93eac23c150p+0,
    0x1.fa8a2c3d9a1ebp+0, 0x1.fa8094c13d0aap+0, 0x1.fa7723647132dp+0, 0x1.fa6dd745ae696p+0,
    0x1.fa64af8a51d25p+0, 0x1.fa5bab5e5aee7p+0, 0x1.fa52c9f42bad2p+0, 0x1.fa4a0a844b5b0p+0,
    0x1.fa416c4d2c493p+0, 0x1.fa38ee92f407dp+0, 0x1.fa30909f4612bp+0, 0x1.fa2851c110d08p+0,
    0x1.fa20314c5cc5dp+0, 0x1.fa182e9a1de0ep+0, 0x1.fa10490806c22p+0, 0x1.fa087ff85de97p+0,
    0x1.fa00d2d1d4af8p+0, 0x1.f9f940ff5ff60p+0, 0x1.f9f1c9f01277dp+0, 0x1.f9ea6d16f8a6fp+0,
    0x1.f9e329eaf6044p+0, 0x1.f9dbffe6a3dedp+0, 0x1.f9d4ee88316b5p+0, 0x1.f9cdf5514521cp+0,
    0x1.f9c713c6df53dp+0, 0x1.f9c049713dec2p+0, 0x1.f9b995dbc14a1p+0, 0x1.f9b2f894d22c5p+0,
    0x1.f9ac712dc89e1p+0, 0x1.f9a5ff3ad3dbcp+0, 0x1.f99fa252e3237p+0, 0x1.f9995a0f8f673p+0,
    0x1.f993260d05d72p+0, 0x1.f98d05e9f3397p+0, 0x1.f986f9477007fp+0, 0x1.f980ffc8ed4a8p+0,
    0x1.f97b191422258p+0, 0x1.f97544d0fa160p+0, 0x1.f96f82a983d2dp+0, 0x1.f969d249e0ccap+0,
    0x1.f964336035458p+0, 0x1.f95ea59c98fabp+0, 0x1.f95928b108594p+0, 0x1.f953bc5156393p+0,
    0x1.f94e60331e181p+0, 0x1.f949140db6cfbp+0, 0x1.f943d79a25c20p+0, 0x1.f93eaa931276ep+0,
    0x1.f9398cb4baa68p+0, 0x1.f9347dbce6ac4p+0, 0x1.f92f7d6ade5e0p+0, 0x1.f92a8b7f5e43dp+0,
    0x1.f925a7bc8d2bfp+0, 0x1.f920d1e5f2186p+0, 0x1.f91c09c06a81ap+0, 0x1.f9174f1220ebap+0,
    0x1.f912a1a283ca4p+0, 0x1.f90e013a3cb16p+0, 0x1.f9096da327ceap+0, 0x1.f904e6a84ba96p+0,
    0x1.f9006c15d1269p+0, 0x1.f8fbfdb8fbcddp+0, 0x1.f8f79b60224dbp+0, 0x1.f8f344daa73bfp+0,
    0x1.f8eef9f8f210dp+0, 0x1.f8eaba8c6859ep+0, 0x1.f8e6866767239p+0, 0x1.f8e25d5d3c96ap+0,
    0x1.f8de3f4221c7fp+0, 0x1.f8da2beb34b91p+0, 0x1.f8d6232e72874p+0, 0x1.f8d224e2b1c82p+0,
    0x1.f8ce30df9d113p+0,
};

/* t(0.975, df) when the table or the expansion applies, else NAN. */
static double stat_t975(double df)
{
    if (df > STAT_T975_DF_MAX) {
        const double *g = stat_t975_series;
        double w = 1.0 / df;
        return g[0] + w * (g[1] + w * (g[2] + w * (g[3] + w * (g[4] + w * g[5]))));
    }
    if (df >= 1.0 && df == floor(df))
        return stat_t975_table[(int)df];
    return NAN;
}

/* Beyond this many degrees of freedom the t quantile equals the normal one to ~1e-13. */
#define STAT_T_NORMAL_DF 1e13

double fab_stat_t_quantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
        return NAN;
    if (p == 0.5)
        return 0.0;
    if (p < 0.5)
        return -fab_stat_t_quantile(1.0 - p, df);
    if (p == 0.975) {
        double t = stat_t975(df);
        if (!isnan(t))
            return t;
    }

    double target = 1.0 - p; /* exact: p >= 0.5 */
    int normal = df > STAT_T_NORMAL_DF;
    /* bracket [lo, hi] with upper(lo) >= target > upper(hi) */
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 2000; i++) {
        double s = normal ? stat_normal_upper(hi) : stat_t_upper(hi, df);
        if (s < target)
            break;
        lo = hi;
        hi *= 2.0;
    }
    double t = 0.5 * (lo + hi);
    for (int i = 0; i < STAT_SOLVE_MAX_ITER; i++) {
        double s = normal ? stat_normal_upper(t) : stat_t_upper(t, df);
        double f = s - target;
        if (f > 0)
            lo = t;
        else
            hi = t;
        double dens = normal ? stat_normal_density(t) : stat_t_density(t, df);
        double next = dens > 0 ? t + f / dens : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - t) <= 1e-15 * t || hi - lo <= 1e-15 * hi)
            return next;
        t = next;
    }
    return t;
}
