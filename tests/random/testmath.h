/*
 * testmath.h — exact distribution functions and goodness-of-fit p-values for the statistical
 * tests of tests/random. Written independently of runtime/src (the library's own special
 * functions are not reused, so a bug there cannot hide a bug here).
 *
 * In: plain doubles. Out: probabilities. Memory: tm_ks_statistic sorts the caller's array in place.
 */
#ifndef TESTMATH_H
#define TESTMATH_H

#include <stddef.h>

/* Significance level of every statistical check in this suite (per check, two-sided). */
#define TM_ALPHA 0.001

double tm_normal_cdf(double z);
/* Regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x). */
double tm_gamma_p(double a, double x);
double tm_gamma_q(double a, double x);
/* Regularised incomplete beta function I_x(a, b). */
double tm_beta_i(double a, double b, double x);

/* Kolmogorov–Smirnov statistic D_n of x[0..n) against cdf (x is sorted in place). */
double tm_ks_statistic(double *x, size_t n, double (*cdf)(double, const void *), const void *arg);
/* P(D_n >= d) from the Kolmogorov distribution with Stephens' finite-n correction. */
double tm_ks_pvalue(double d, size_t n);
/* P(chi^2_df >= x). */
double tm_chisq_pvalue(double x, double df);
/* Two-sided p-value of a standard normal z. */
double tm_z_pvalue(double z);

#endif
