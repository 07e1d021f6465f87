/*
 * stat.c — statistics accumulators and across-replication summaries (implements fab/stat.h).
 *
 * In:  observations (tally, quantile), level changes with their times (timeavg), arrays of
 *      per-replication values (summarize).
 * Out: means, variances, time averages, quantile estimates, Student-t confidence intervals.
 * Memory: none; every accumulator is a plain struct owned by the caller.
 *
 *   tally      Welford's update of mean and sum of squared deviations (m2).
 *   timeavg    exact integral of a piecewise-constant level; the caller passes non-decreasing
 *              times (an earlier time is not detected and would subtract area).
 *   quantile   P² (Jain & Chlamtac, CACM 1985), five markers; below five observations the exact
 *              sample quantile with linear interpolation between order statistics
 *              (h = (n - 1) p, "type 7"). Estimates cover the first 2^31 - 2 observations;
 *              later ones are ignored (marker positions are int).
 *   summarize  two-pass mean and sample sd, CI = mean ± t(0.975, n - 1) sd / sqrt(n).
 *   t quantile solves S(t) = 1 - p, S the upper tail 0.5 I_{df/(df+t²)}(df/2, 1/2), by Newton's
 *              method inside a bisection bracket; the regularised incomplete beta function is a
 *              continued fraction (modified Lentz). Relative accuracy about 1e-13.
 *
 * lgamma() is used by the t quantile, so call fab_stat_t_quantile/fab_stat_summarize from one
 * thread at a time on C libraries where lgamma writes signgam.
 *
 * Deliberately not handled: weighted tallies, batch means, quantiles of the time-average.
 */
#include "fab/stat.h"

#include <limits.h>
#include <math.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

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
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
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
    a->area += a->level * (now - a->t_last);
    a->t_last = now;
    a->level = level;
    if (level > a->max)
        a->max = level;
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
    double mean = sum / (double)m;
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
