/*
 * fab/stat.h — statistics accumulators and across-replication summaries.
 *
 *   fab_stat_tally     observations (waiting times, lead times): count, mean, variance (Welford),
 *                      min, max.
 *   fab_stat_timeavg   a piecewise-constant level over time (queue length, busy servers):
 *                      time-weighted mean and maximum.
 *   fab_stat_hist      observations >= 0 (lead times) in a log-spaced histogram: quantiles to
 *                      within 0.8 % of the value, the same bits on every machine (the
 *                      simulator's lead-time percentiles also hold them to the tally's min
 *                      and max, so equal observations give their exact value).
 *   fab_stat_quantile  P² streaming estimate of one quantile in five markers (not used by the
 *                      runtime: on autocorrelated series, as lead times are, it can be far off).
 *   fab_stat_summary   mean, sd, Student-t 95 % confidence interval and n over replications.
 *
 * Accumulators are plain structs without heap memory, except fab_stat_hist (init/free); reset
 * them at the end of warmup with the *_reset functions. All functions are deterministic: the
 * same calls give the same bits.
 */
#ifndef FAB_STAT_H
#define FAB_STAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fab_stat_tally {
    uint64_t n;
    double mean, m2, min, max;
} fab_stat_tally;

void   fab_stat_tally_reset(fab_stat_tally *t);
void   fab_stat_tally_add(fab_stat_tally *t, double x);
double fab_stat_tally_mean(const fab_stat_tally *t);      /* NAN when n == 0 */
double fab_stat_tally_var(const fab_stat_tally *t);       /* sample variance; NAN when n < 2 */

typedef struct fab_stat_timeavg {
    double t_last;      /* time of the last change */
    double level;       /* current level */
    double area;        /* integral of level over [t0, t_last] */
    double max;         /* maximum level seen in the window */
    double t0;          /* start of the observation window (reset time); last, as a change
                         * does not read it */
} fab_stat_timeavg;

void   fab_stat_timeavg_reset(fab_stat_timeavg *a, double now);   /* keeps the level */
void   fab_stat_timeavg_set(fab_stat_timeavg *a, double now, double level);
void   fab_stat_timeavg_add(fab_stat_timeavg *a, double now, double delta);
double fab_stat_timeavg_mean(const fab_stat_timeavg *a, double now);

/* Histogram of observations x >= 0: every binary octave from 2^-10 (about 1 ms for times in
 * seconds) to 2^31 is split into FAB_STAT_HIST_SUB equal bins, so a bin is at most 0.8 % wide
 * relative to its values; x below 2^-10 (including 0 and negative or NAN x) count in `low`, x
 * of 2^31 and above (+inf included) in the last bin. Bin numbers come from frexp and exact
 * arithmetic. */
#define FAB_STAT_HIST_EMIN (-9)      /* frexp exponent of 2^-10 */
#define FAB_STAT_HIST_SUB 128
#define FAB_STAT_HIST_OCTAVES 41
#define FAB_STAT_HIST_BINS (FAB_STAT_HIST_SUB * FAB_STAT_HIST_OCTAVES)

typedef struct fab_stat_hist {
    uint64_t *bin;      /* FAB_STAT_HIST_BINS counts */
    uint64_t low;       /* observations below 2^-10 */
} fab_stat_hist;

int    fab_stat_hist_init(fab_stat_hist *h);             /* 0, or -1 when out of memory */
void   fab_stat_hist_free(fab_stat_hist *h);
void   fab_stat_hist_reset(fab_stat_hist *h);
void   fab_stat_hist_add(fab_stat_hist *h, double x);
uint64_t fab_stat_hist_count(const fab_stat_hist *h);
/* The q-quantile (0 <= q <= 1) at rank q (n - 1) among the n observations, with the c
 * observations of each bin taken to sit evenly over it, at (j + 1/2) / c of its width: the
 * rank's position is interpolated between two observations of one bin, and held at the last
 * one's when the rank falls between a bin's last observation and the next bin's first (no
 * interpolation across bins). The result lies in the bin of the observation at rank
 * floor(q (n - 1)), within 0.8 % of it; 0 for ranks among the `low` observations; NAN when
 * there are none. */
double fab_stat_hist_quantile(const fab_stat_hist *h, double q);

/* P² (Jain & Chlamtac) estimate of one quantile; exact while fewer than 5 observations. */
typedef struct fab_stat_quantile {
    double p;
    uint64_t n;
    double q[5], np[5], dn[5];
    int    pos[5];
} fab_stat_quantile;

void   fab_stat_quantile_init(fab_stat_quantile *q, double p);
void   fab_stat_quantile_add(fab_stat_quantile *q, double x);
double fab_stat_quantile_value(const fab_stat_quantile *q);   /* NAN when n == 0 */

typedef struct fab_stat_summary {
    double mean, sd, ci95_lo, ci95_hi;
    uint64_t n;
} fab_stat_summary;

/* Summary of n per-replication values; NAN entries are skipped (and not counted).
 * With one value, sd and the CI half-width are 0; with none, everything is NAN and n == 0. */
fab_stat_summary fab_stat_summarize(const double *x, size_t n);

/* Quantile of Student's t distribution with df degrees of freedom (df >= 1), 0 < p < 1. */
double fab_stat_t_quantile(double p, double df);

#ifdef __cplusplus
}
#endif
#endif
