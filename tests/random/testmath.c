/*
 * testmath.c — special functions for the statistical tests (see testmath.h).
 *
 * Incomplete gamma: power series for x < a + 1, Legendre continued fraction otherwise
 * (evaluated by Lentz's method). Incomplete beta: the standard continued fraction, applied to
 * whichever of I_x(a, b) and 1 - I_{1-x}(b, a) converges fast. Accuracy ~1e-13, ample for
 * p-values compared with 0.001.
 */
#include "testmath.h"

#include <math.h>
#include <stdlib.h>

enum { TM_MAX_ITER = 10000 };
#define TM_EPS 1e-15
#define TM_TINY 1e-300

double tm_normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

static double tm_gamma_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < TM_MAX_ITER; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * TM_EPS)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

static double tm_gamma_contfrac(double a, double x)
{
    /* Q(a,x) = e^-x x^a / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))) */
    double b = x + 1.0 - a;
    double c = 1.0 / TM_TINY, d = 1.0 / b, h = d;
    for (int i = 1; i < TM_MAX_ITER; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < TM_TINY)
            d = TM_TINY;
        c = b + an / c;
        if (fabs(c) < TM_TINY)
            c = TM_TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < TM_EPS)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double tm_gamma_p(double a, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x < a + 1.0)
        return tm_gamma_series(a, x);
    return 1.0 - tm_gamma_contfrac(a, x);
}

double tm_gamma_q(double a, double x)
{
    if (x <= 0.0)
        return 1.0;
    if (x < a + 1.0)
        return 1.0 - tm_gamma_series(a, x);
    return tm_gamma_contfrac(a, x);
}

static double tm_beta_contfrac(double a, double b, double x)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < TM_TINY)
        d = TM_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m < TM_MAX_ITER; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < TM_TINY)
            d = TM_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < TM_TINY)
            c = TM_TINY;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < TM_TINY)
            d = TM_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < TM_TINY)
            c = TM_TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < TM_EPS)
            break;
    }
    return h;
}

double tm_beta_i(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1.0) / (a + b + 2.0))
        return exp(lfront) * tm_beta_contfrac(a, b, x) / a;
    return 1.0 - exp(lfront) * tm_beta_contfrac(b, a, 1.0 - x) / b;
}

static int tm_cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

double tm_ks_statistic(double *x, size_t n, double (*cdf)(double, const void *), const void *arg)
{
    qsort(x, n, sizeof *x, tm_cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], arg);
        double above = (double)(i + 1) / (double)n - f;
        double below = f - (double)i / (double)n;
        if (above > d)
            d = above;
        if (below > d)
            d = below;
    }
    return d;
}

/* Q_KS(lambda) = P(K > lambda) for the Kolmogorov distribution. */
static double tm_kolmogorov_q(double lambda)
{
    if (lambda <= 0.0)
        return 1.0;
    if (lambda < 1.0) {
        /* theta-function form, fast for small lambda */
        double s = 0.0, c = M_PI * M_PI / (8.0 * lambda * lambda);
        for (int k = 1; k < 100; k += 2)
            s += exp(-(double)k * k * c);
        return 1.0 - sqrt(2.0 * M_PI) / lambda * s;
    }
    double s = 0.0;
    for (int k = 1; k < 100; k++) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        s += (k % 2 ? term : -term);
        if (term < 1e-18)
            break;
    }
    return 2.0 * s;
}

double tm_ks_pvalue(double d, size_t n)
{
    double sn = sqrt((double)n);
    return tm_kolmogorov_q((sn + 0.12 + 0.11 / sn) * d);
}

double tm_chisq_pvalue(double x, double df)
{
    return tm_gamma_q(0.5 * df, 0.5 * x);
}

double tm_z_pvalue(double z)
{
    return erfc(fabs(z) / sqrt(2.0));
}
