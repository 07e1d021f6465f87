/*
 * dist.c — sampling the distributions of dist.def (implements fab/dist.h).
 *
 * In:  a fab_rng stream and parameters in SI doubles (already validated: the samplers do not
 *      check their parameters; fab_dist_validate does, and callers run it once per model).
 * Out: one draw per call; a draw consumes a number of words from the stream that depends on
 *      the distribution and, for rejection methods, on the values drawn.
 * Memory: none. Tables passed in (discrete/empirical) are borrowed, never kept.
 *
 * Algorithms (see docs/validation.md for the tests of each):
 *   uniform, triangular, weibull   inversion of the exact CDF (one uniform)
 *   exponential  Marsaglia–Tsang ziggurat, 256 layers (tail by memorylessness)
 *   normal       Marsaglia–Tsang ziggurat, 256 layers, exact tail (tables are constants)
 *   lognormal    exp(mu + sigma Z) with sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2
 *   gamma        Marsaglia–Tsang (2000) for shape >= 1; shape < 1 by G(shape + 1) U^(1/shape)
 *   erlang       sum of k exponentials for k <= 4, else gamma(k, mean/k)
 *   beta         G_a / (G_a + G_b), in log space when a or b < 1 so that tiny gammas do not
 *                underflow to 0/0; pert = beta(1 + 4(mode-min)/w, 1 + 4(max-mode)/w) on [min, max]
 *   poisson      sequential-search inversion for mean < 10, PTRS (Hörmann 1993) for mean >= 10
 *   bernoulli    U < p
 *   discrete     binary search of U in the cumulative table; empirical: an unbiased index
 *
 * Determinism: plain double arithmetic only (no long double), with exp and log implemented
 * here from +, -, *, / (the C library's may differ in the last bit between machines), sqrt and
 * floor (exact in IEEE arithmetic). Floating-point contraction into fused multiply-adds is
 * switched off below because it would change results between machines. The C library's
 * tgamma is used only by fab_dist_mean, never for drawing.
 *
 * Deliberately not handled: parameters outside their domain (garbage in, garbage out, but never
 * an endless loop for finite parameters except a truncate window of zero probability, which
 * stops after FAB_TRUNCATE_MAX_TRIES draws).
 */
#include "fab/dist.h"
#include "dist_inline.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static const char *const dist_names[FAB_DIST__COUNT] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) name,
#include "fab/dist.def"
#undef FAB_DIST
};

static const int dist_nparams[FAB_DIST__COUNT] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) n,
#include "fab/dist.def"
#undef FAB_DIST
};

static const char *const dist_param_names[FAB_DIST__COUNT][4] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) {p0, p1, p2, p3},
#include "fab/dist.def"
#undef FAB_DIST
};

const char *fab_dist_name(fab_dist_kind k)
{
    if ((int)k < 0 || k >= FAB_DIST__COUNT)
        return NULL;
    return dist_names[k];
}

/* ---- elementary functions ------------------------------------------------------------ */

/* exp and log used by every sampler. The C library's versions are not used because they may
 * differ in the last bit between machines even with the same library (glibc, for one, picks
 * an FMA code path on CPUs that have FMA). These use only IEEE +, -, *, / (correctly rounded
 * everywhere, and not contracted: see the pragma above), so they give the same bits on every
 * machine. Accuracy: within 1 ulp of the C library's result (tested in
 * tests/random/test_dist_internal.c). Arguments outside the samplers' needs (NaN, inf, <= 0
 * for log) get the usual IEEE answers. The tables hold ln(j/64) and 2^(j/32) split into a
 * double and its remainder, computed with 50-digit arithmetic. */

#define DIST_LN2_HI 0x1.62e42fefa2000p-1   /* ln 2 to 41 bits: k * DIST_LN2_HI is exact */
#define DIST_LN2_LO 0x1.9ef35793c7673p-41  /* ln 2 - DIST_LN2_HI */
#define DIST_LN2_32_HI 0x1.62e42fefa0000p-6 /* ln(2)/32 to 36 bits: n * it is exact, |n| < 2^16 */
#define DIST_LN2_32_LO 0x1.cf79abc9e3b3ap-45
#define DIST_32_LN2 0x1.71547652b82fep+5
#define DIST_SQRT2 0x1.6a09e667f3bcdp+0

static const double dist_log_table[47][2] = { /* ln(j/64), j = 45..91: hi, lo */
    {-0x1.68ac83e9c6a14p-2, -0x1.a64eadd740178p-58},
    {-0x1.522ae0738a3d8p-2, 0x1.8f7e9b38a6979p-57},
    {-0x1.3c25277333184p-2, 0x1.2ad27e50a8ec6p-56},
    {-0x1.269621134db92p-2, -0x1.e0efadd9db02bp-56},
    {-0x1.1178e8227e47cp-2, 0x1.0e63a5f01c691p-57},
    {-0x1.f991c6cb3b379p-3, -0x1.f665066f980a2p-57},
    {-0x1.d1037f2655e7bp-3, -0x1.60629242471a2p-57},
    {-0x1.a93ed3c8ad9e3p-3, -0x1.bcafa9de97203p-57},
    {-0x1.823c16551a3c2p-3, 0x1.1232ce70be781p-57},
    {-0x1.5bf406b543db2p-3, 0x1.1f5b44c0df7e7p-61},
    {-0x1.365fcb0159016p-3, -0x1.7d411a5b944adp-58},
    {-0x1.1178e8227e47cp-3, 0x1.0e63a5f01c691p-58},
    {-0x1.da727638446a2p-4, -0x1.401fa71733019p-58},
    {-0x1.9335e5d594989p-4, 0x1.478a85704ccb7p-58},
    {-0x1.4d3115d207eacp-4, -0x1.769f42c7842ccp-58},
    {-0x1.08598b59e3a07p-4, 0x1.dd7009902bf32p-58},
    {-0x1.894aa149fb343p-5, -0x1.a8be97660a23dp-60},
    {-0x1.0415d89e74444p-5, -0x1.c05cf1d753622p-59},
    {-0x1.0205658935847p-6, -0x1.27c8e8416e71fp-60},
    {0x0.0p+0, 0x0.0p+0},
    {0x1.fc0a8b0fc03e4p-7, -0x1.83092c59642a1p-62},
    {0x1.f829b0e783300p-6, 0x1.33e3f04f1ef23p-60},
    {0x1.77458f632dcfcp-5, 0x1.18d3ca87b9296p-59},
    {0x1.f0a30c01162a6p-5, 0x1.85f325c5bbacdp-59},
    {0x1.341d7961bd1d1p-4, -0x1.b599f227becbbp-58},
    {0x1.6f0d28ae56b4cp-4, -0x1.906d99184b992p-58},
    {0x1.a926d3a4ad563p-4, 0x1.942f48aa70ea9p-58},
    {0x1.e27076e2af2e6p-4, -0x1.61578001e0162p-60},
    {0x1.0d77e7cd08e59p-3, 0x1.9a5dc5e9030acp-57},
    {0x1.29552f81ff523p-3, 0x1.301771c407dbfp-57},
    {0x1.44d2b6ccb7d1ep-3, 0x1.9f4f6543e1f88p-57},
    {0x1.5ff3070a793d4p-3, -0x1.bc60efafc6f6ep-58},
    {0x1.7ab890210d909p-3, 0x1.be36b2d6a0608p-59},
    {0x1.9525a9cf456b4p-3, 0x1.d904c1d4e2e26p-57},
    {0x1.af3c94e80bff3p-3, -0x1.398cff3641985p-58},
    {0x1.c8ff7c79a9a22p-3, -0x1.4f689f8434012p-57},
    {0x1.e27076e2af2e6p-3, -0x1.61578001e0162p-59},
    {0x1.fb9186d5e3e2bp-3, -0x1.caaae64f21acbp-57},
    {0x1.0a324e27390e3p-2, 0x1.7dcfde8061c03p-56},
    {0x1.1675cababa60ep-2, 0x1.ce63eab883717p-61},
    {0x1.22941fbcf7966p-2, -0x1.76f5eb09628afp-56},
    {0x1.2e8e2bae11d31p-2, -0x1.8f4cdb95ebdf9p-56},
    {0x1.3a64c556945eap-2, -0x1.c68651945f97cp-57},
    {0x1.4618bc21c5ec2p-2, 0x1.f42decdeccf1dp-56},
    {0x1.51aad872df82dp-2, 0x1.3927ac19f55e3p-59},
    {0x1.5d1bdbf5809cap-2, 0x1.4236383dc7fe1p-56},
    {0x1.686c81e9b14afp-2, -0x1.ddea0f7f58e3dp-57},
};
static const double dist_exp_table[32][2] = { /* 2^(j/32), j = 0..31: hi, lo */
    {0x1.0000000000000p+0, 0x0.0p+0},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54},
};

static double dist_bits_to_double(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static uint64_t dist_double_to_bits(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

/* Natural logarithm. x = 2^k m with m in [sqrt(1/2), sqrt(2)); F = j/64 nearest to m and
 * f = m - F (both exact); ln m = ln F + 2 atanh(s) with s = f / (F + m), |s| < 1/180, so
 * 2 atanh(s) = 2s + s R, R = sum_{n>=1} 2 s^2n / (2n + 1), needs four terms. Near m = 1
 * (|m - 1| < 3/128) F = 1 and the form f - s (f - R), s = f / (2 + f), avoids cancellation
 * against ln F. The large terms k ln2 + ln F are added with their rounding error recovered. */
static double dist_log(double x)
{
    if (!(x > 0.0))
        return x == 0.0 ? -INFINITY : NAN;
    if (x == INFINITY)
        return x;
    int k = 0;
    uint64_t bits = dist_double_to_bits(x);
    if (bits < 0x0010000000000000u) { /* subnormal: scale into the normal range */
        bits = dist_double_to_bits(x * 0x1p54);
        k = -54;
    }
    k += (int)(bits >> 52) - 1023;
    double m = dist_bits_to_double((bits & 0x000fffffffffffffu) | 0x3ff0000000000000u);
    if (m > DIST_SQRT2) {
        m *= 0.5;
        k++;
    }
    double kd = (double)k;
    int j = (int)(m * 64.0 + 0.5);
    if (j >= 62 && j <= 66) {
        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11)))));
        return kd * DIST_LN2_HI + (f - (s * (f - r) - kd * DIST_LN2_LO));
    }
    double big_f = (double)j * 0x1p-6;
    double f = m - big_f;
    double s = f / (big_f + m);
    double z = s * s;
    double r = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9))));
    const double *ln_f = dist_log_table[j - 45];
    double a = kd * DIST_LN2_HI, hi = a + ln_f[0];
    double hi_err = k != 0 ? (a - hi) + ln_f[0] : 0.0; /* exact: |a| >= ln 2 > |ln F| */
    return hi + (hi_err + ((s + s) + s * r) + (ln_f[1] + kd * DIST_LN2_LO));
}

/* ln(1 + x) for x >= 0, accurate also for tiny x. */
static double dist_log1p(double x)
{
    double u = 1.0 + x;
    if (u == 1.0)
        return x;
    return dist_log(u) * (x / (u - 1.0));
}

/* Exponential: x = (32 k + j) ln(2)/32 + r with |r| <= ln(2)/64 (the reduction is exact),
 * exp(x) = 2^k 2^(j/32) exp(r), exp(r) - 1 by its Taylor polynomial to r^6 (remainder
 * < 4e-18 relative). */
static double dist_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.782712893384)
        return INFINITY;
    if (x < -745.1332191019412)
        return 0.0;
    /* nearest integer to x 32/ln2 (|.| < 2^15): adding and subtracting 1.5 * 2^52 rounds to an
     * integer in IEEE round-to-nearest, without a call to floor */
    double nd = (x * DIST_32_LN2 + 0x1.8p52) - 0x1.8p52;
    double r = (x - nd * DIST_LN2_32_HI) - nd * DIST_LN2_32_LO;
    int n = (int)nd;
    int j = (int)((unsigned)n & 31u); /* n mod 32, also for negative n */
    int k = (n - j) / 32;
    double p = r + r * r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
               + r * (1.0 / 720)))));
    const double *t = dist_exp_table[j];
    double e = t[0] + (t[0] * p + t[1]);
    if (k > 1023) {
        e *= 2.0;
        k--;
    }
    if (k < -1022) { /* subnormal result: one rounding, in the last multiplication */
        e *= dist_bits_to_double((uint64_t)(k + 54 + 1023) << 52);
        return e * 0x1p-54;
    }
    return e * dist_bits_to_double((uint64_t)(k + 1023) << 52);
}

double fab_dist_math_exp(double x)
{
    return dist_exp(x);
}

double fab_dist_math_log(double x)
{
    return dist_log(x);
}

/* x^y for x > 0 as exp(y ln x): relative error about |y ln x| * 2^-53. */
static double dist_pow_pos(double x, double y)
{
    return dist_exp(y * dist_log(x));
}

/* ---- continuous distributions ---------------------------------------------------------- */

double fab_dist_uniform(fab_rng *r, double min, double max)
{
    return min + (max - min) * rng_next_u01(r);
}

double fab_dist_triangular(fab_rng *r, double min, double mode, double max)
{
    double width = max - min;
    if (!(width > 0))
        return min;
    double u = rng_next_u01(r);
    double left = mode - min;
    if (u * width < left)
        return min + sqrt(u * width * left);
    return max - sqrt((1.0 - u) * width * (max - mode));
}


/* Ziggurat tables for the standard normal: 256 layers of equal area under exp(-x^2/2),
 * generated with 60-digit arithmetic by tests/random/gen_ziggurat.py and rounded once to
 * doubles (so they do not depend on the C library). dist_zig_x[1] is r, the start of the tail;
 * dist_zig_x[0] = v / f(r) is the width of the base strip; dist_zig_f[i] = exp(-x[i]^2 / 2). */
/* r = 3.6541528853610087716, v = 0.0049286732339746553474 */
static const double dist_zig_x[DIST_ZIG_LAYERS + 1] = {
    0x1.f493b7815d982p+1, 0x1.d3bb48209ad33p+1, 0x1.b981f3878fdb0p+1,
    0x1.a8fdc78947759p+1, 0x1.9cbee014057aap+1, 0x1.92ee0946f4496p+1,
    0x1.8ab0fbfaa7c14p+1, 0x1.839030529f233p+1, 0x1.7d42df4d6ce8bp+1,
    0x1.7799556090672p+1, 0x1.72728f05f7a33p+1, 0x1.6db6b8d09e231p+1,
    0x1.69540be9fe5c2p+1, 0x1.653ce7b006aeap+1, 0x1.61669cf861e4bp+1,
    0x1.5dc8a243ad0fep+1, 0x1.5a5c08b718dd9p+1, 0x1.571b1a94ae41cp+1,
    0x1.54011523a7e43p+1, 0x1.5109f53e9ac42p+1, 0x1.4e3250dcd8903p+1,
    0x1.4b7739d6b5a28p+1, 0x1.48d62759c43bdp+1, 0x1.464ce44a73a16p+1,
    0x1.43d9815545e94p+1, 0x1.417a49cb9e5dbp+1, 0x1.3f2dbaa60f475p+1,
    0x1.3cf27b31704a6p+1, 0x1.3ac7570ae88fap+1, 0x1.38ab39256410ap+1,
    0x1.369d27a33a840p+1, 0x1.349c405ae12a3p+1, 0x1.32a7b5e68a4a3p+1,
    0x1.30becd256aeeep+1, 0x1.2ee0db1a978f5p+1, 0x1.2d0d43196db97p+1,
    0x1.2b437532a0a53p+1, 0x1.2982ecd770e78p+1, 0x1.27cb2faa8592ep+1,
    0x1.261bcc77658e0p+1, 0x1.24745a4ac9c24p+1, 0x1.22d477a6fd3efp+1,
    0x1.213bc9d04cc82p+1, 0x1.1fa9fc2e2d901p+1, 0x1.1e1ebfbe4ae39p+1,
    0x1.1c99ca971a695p+1, 0x1.1b1ad777f2f8fp+1, 0x1.19a1a564eebadp+1,
    0x1.182df74d21262p+1, 0x1.16bf93b9deef5p+1, 0x1.1556448602e3dp+1,
    0x1.13f1d69c4096fp+1, 0x1.129219bbb5d37p+1, 0x1.1136e04207043p+1,
    0x1.0fdffefa69fb8p+1, 0x1.0e8d4cf116594p+1, 0x1.0d3ea34aa3d32p+1,
    0x1.0bf3dd1eed449p+1, 0x1.0aacd7571c0c5p+1, 0x1.0969708e8a255p+1,
    0x1.082988f632e18p+1, 0x1.06ed023a72669p+1, 0x1.05b3bf6adb37ep+1,
    0x1.047da4e3ef5c7p+1, 0x1.034a983a902abp+1, 0x1.021a8028fc947p+1,
    0x1.00ed447d3a075p+1, 0x1.ff859c118f60bp+0, 0x1.fd360d22fe785p+0,
    0x1.faebb187122bfp+0, 0x1.f8a6604899782p+0, 0x1.f665f20c90168p+0,
    0x1.f42a40fb74d6dp+0, 0x1.f1f328ac25321p+0, 0x1.efc086101eca9p+0,
    0x1.ed9237610a73ap+0, 0x1.eb681c0f76f08p+0, 0x1.e94214b2abf09p+0,
    0x1.e72002f97fe23p+0, 0x1.e501c99c1d186p+0, 0x1.e2e74c4ea46f3p+0,
    0x1.e0d06fb49d219p+0, 0x1.debd195522e34p+0, 0x1.dcad2f8fc490cp+0,
    0x1.daa0999206e6ep+0, 0x1.d8973f4d7fba4p+0, 0x1.d691096e7f123p+0,
    0x1.d48de1533c647p+0, 0x1.d28db1037ef20p+0, 0x1.d0906328b8f6ep+0,
    0x1.ce95e3068e037p+0, 0x1.cc9e1c73bd690p+0, 0x1.caa8fbd36a2abp+0,
    0x1.c8b66e0eba617p+0, 0x1.c6c6608ec8705p+0, 0x1.c4d8c136e0d1dp+0,
    0x1.c2ed7e5f07a2dp+0, 0x1.c10486cec16a0p+0, 0x1.bf1dc9b81ae82p+0,
    0x1.bd3936b2ec0a2p+0, 0x1.bb56bdb85256ep+0, 0x1.b9764f1e5f73dp+0,
    0x1.b797db93f8928p+0, 0x1.b5bb541ce3d04p+0, 0x1.b3e0aa0e00c01p+0,
    0x1.b207cf09a985cp+0, 0x1.b030b4fc3a11bp+0, 0x1.ae5b4e18bb338p+0,
    0x1.ac878cd5af5cfp+0, 0x1.aab563e9ff10ap+0, 0x1.a8e4c64a0313fp+0,
    0x1.a715a724aa9a7p+0, 0x1.a547f9e0bbb8bp+0, 0x1.a37bb21a2c85ep+0,
    0x1.a1b0c39f93696p+0, 0x1.9fe7226fad24dp+0, 0x1.9e1ec2b6f7414p+0,
    0x1.9c5798cd5d92ep+0, 0x1.9a919933f99c1p+0, 0x1.98ccb892e2a33p+0,
    0x1.9708ebb70d5efp+0, 0x1.954627903a28bp+0, 0x1.9384612ef0afep+0,
    0x1.91c38dc288349p+0, 0x1.9003a2973b591p+0, 0x1.8e44951446a28p+0,
    0x1.8c865aba10c9dp+0, 0x1.8ac8e9205c044p+0, 0x1.890c35f47f72ep+0,
    0x1.875036f7a7ec7p+0, 0x1.8594e1fd1f5bep+0, 0x1.83da2ce899f16p+0,
    0x1.82200dac88677p+0, 0x1.80667a486ea1fp+0, 0x1.7ead68c73dee7p+0,
    0x1.7cf4cf3db22fcp+0, 0x1.7b3ca3c8b140ap+0, 0x1.7984dc8babd94p+0,
    0x1.77cd6faeff44ap+0, 0x1.7616535e57320p+0, 0x1.745f7dc70eeddp+0,
    0x1.72a8e516914c7p+0, 0x1.70f27f78b68ecp+0, 0x1.6f3c43161f856p+0,
    0x1.6d8626128d354p+0, 0x1.6bd01e8b343bdp+0, 0x1.6a1a22950b2b3p+0,
    0x1.6864283b13139p+0, 0x1.66ae257c99674p+0, 0x1.64f8104b7260dp+0,
    0x1.6341de8a2b0a4p+0, 0x1.618b860a31fc5p+0, 0x1.5fd4fc89f5e39p+0,
    0x1.5e1e37b2f8cd4p+0, 0x1.5c672d17d733fp+0, 0x1.5aafd23241b5ap+0,
    0x1.58f81c60e8515p+0, 0x1.574000e555f79p+0, 0x1.558774e1bb2c9p+0,
    0x1.53ce6d56a6650p+0, 0x1.5214df20a8b5cp+0, 0x1.505abef5e5563p+0,
    0x1.4ea001638a606p+0, 0x1.4ce49acb311ddp+0, 0x1.4b287f602415ep+0,
    0x1.496ba32488f30p+0, 0x1.47adf9e66c338p+0, 0x1.45ef773cac75ep+0,
    0x1.44300e83c30a6p+0, 0x1.426fb2da6745fp+0, 0x1.40ae571e09e76p+0,
    0x1.3eebede725a85p+0, 0x1.3d28698561de3p+0, 0x1.3b63bbfb83d06p+0,
    0x1.399dd6fb2b267p+0, 0x1.37d6abe05586cp+0, 0x1.360e2baca52d7p+0,
    0x1.3444470265ea4p+0, 0x1.3278ee1f4b933p+0, 0x1.30ac10d6e48dap+0,
    0x1.2edd9e8cba990p+0, 0x1.2d0d862e1b855p+0, 0x1.2b3bb62b82edbp+0,
    0x1.29681c719d71dp+0, 0x1.2792a661dd381p+0, 0x1.25bb40ca96bfep+0,
    0x1.23e1d7de9c322p+0, 0x1.2206572c4c6ecp+0, 0x1.2028a9940a0a3p+0,
    0x1.1e48b93e0d431p+0, 0x1.1c666f8f82acfp+0, 0x1.1a81b51ee6d8bp+0,
    0x1.189a71a78da37p+0, 0x1.16b08bfc42020p+0, 0x1.14c3e9f8e9143p+0,
    0x1.12d4707310fc1p+0, 0x1.10e20329515f1p+0, 0x1.0eec84b16086fp+0,
    0x1.0cf3d664bcc83p+0, 0x1.0af7d84bc6116p+0, 0x1.08f869071f40fp+0,
    0x1.06f565b72a014p+0, 0x1.04eea9e16a5ffp+0, 0x1.02e40f5398f9dp+0,
    0x1.00d56e04234eep+0, 0x1.fd8537dfa2eb1p-1, 0x1.f956d9e87d7b2p-1,
    0x1.f51f654d8f68cp-1, 0x1.f0de784f0622ap-1, 0x1.ec93abdf982d2p-1,
    0x1.e83e9337a6f04p-1, 0x1.e3debb5d2ee02p-1, 0x1.df73aa9f17656p-1,
    0x1.dafce0023b8c8p-1, 0x1.d679d29e41f14p-1, 0x1.d1e9f0e80b74bp-1,
    0x1.cd4c9fe72268fp-1, 0x1.c8a13a5323b66p-1, 0x1.c3e70f9594ef8p-1,
    0x1.bf1d62abf8239p-1, 0x1.ba4368e529f40p-1, 0x1.b558487427a2fp-1,
    0x1.b05b16d136ca2p-1, 0x1.ab4ad6e101636p-1, 0x1.a62676d77cd5fp-1,
    0x1.a0eccdca4a731p-1, 0x1.9b9c98e38c54dp-1, 0x1.96347822c1ef0p-1,
    0x1.90b2ea94ecf9ep-1, 0x1.8b1649e7b769fp-1, 0x1.855cc53430a7dp-1,
    0x1.7f845ad46f549p-1, 0x1.798ad10b32a7ep-1, 0x1.736dad346f8adp-1,
    0x1.6d2a292000576p-1, 0x1.66bd261a37c44p-1, 0x1.60231cfd97ef1p-1,
    0x1.59580a707ce9cp-1, 0x1.52575621ad379p-1, 0x1.4b1bb363dfeadp-1,
    0x1.439ef8dff9b5ap-1, 0x1.3bd9ec1a2b134p-1, 0x1.33c3fc05791fap-1,
    0x1.2b52e3863d885p-1, 0x1.227a28f7a1afap-1, 0x1.192a69741367dp-1,
    0x1.0f5053b025d4ap-1, 0x1.04d32278ebbb4p-1, 0x1.f32482d4cd5d0p-2,
    0x1.dac2f5a747281p-2, 0x1.c004d2f386207p-2, 0x1.a230c2e4cd0cbp-2,
    0x1.801fce82fa71ap-2, 0x1.57cb938443b71p-2, 0x1.250af3c2c5bc6p-2,
    0x1.b8d0be3fdf702p-3, 0x0.0p+0,
};
static const double dist_zig_f[DIST_ZIG_LAYERS + 1] = {
    0x1.f4a946f13842fp-12, 0x1.4a605b6b9f70dp-10, 0x1.55f9f43c1b070p-9,
    0x1.08a1f03b0b205p-8, 0x1.69ea8d90cb864p-8, 0x1.ce160f8ec683cp-8,
    0x1.1a59229952f95p-7, 0x1.4eb96421acfe7p-7, 0x1.841040d8da47ep-7,
    0x1.ba48d274f8fb3p-7, 0x1.f152a4f72dd53p-7, 0x1.149033460301ap-6,
    0x1.30d388dab5e1ap-6, 0x1.4d6eaf2fbb067p-6, 0x1.6a5daf40bbf87p-6,
    0x1.879d1b600c10bp-6, 0x1.a529f4e22ebf4p-6, 0x1.c301983cd0912p-6,
    0x1.e121adb828c69p-6, 0x1.ff881d718a5b5p-6, 0x1.0f1982e968009p-5,
    0x1.1e9059f1f6ab6p-5, 0x1.2e27ce83df495p-5, 0x1.3ddf2ce98eec7p-5,
    0x1.4db5d0e11275cp-5, 0x1.5dab23cf2add1p-5, 0x1.6dbe9b398d062p-5,
    0x1.7defb77af271cp-5, 0x1.8e3e02a68b5a9p-5, 0x1.9ea90f9295561p-5,
    0x1.af30790385f6fp-5, 0x1.bfd3e0f282a2cp-5, 0x1.d092efeadf162p-5,
    0x1.e16d547b25185p-5, 0x1.f262c2b6c6e33p-5, 0x1.01b979e30e496p-4,
    0x1.0a4ed2c159622p-4, 0x1.12f14d0f2179dp-4, 0x1.1ba0cbe97897ep-4,
    0x1.245d344dd0d8fp-4, 0x1.2d266cf9b310dp-4, 0x1.35fc5e4d93e69p-4,
    0x1.3edef23269a81p-4, 0x1.47ce1401b2212p-4, 0x1.50c9b06fa2babp-4,
    0x1.59d1b5774669dp-4, 0x1.62e6124854d10p-4, 0x1.6c06b73694a46p-4,
    0x1.753395aaa116dp-4, 0x1.7e6ca013eefccp-4, 0x1.87b1c9dbf2846p-4,
    0x1.9103075a4a09fp-4, 0x1.9a604dc9d5b0bp-4, 0x1.a3c9933ea627bp-4,
    0x1.ad3ece9caf627p-4, 0x1.b6bff78f2e228p-4, 0x1.c04d0680b100ap-4,
    0x1.c9e5f493b7404p-4, 0x1.d38abb9bd91dcp-4, 0x1.dd3b56176e88bp-4,
    0x1.e6f7bf29aa546p-4, 0x1.f0bff29520e16p-4, 0x1.fa93ecb6b222bp-4,
    0x1.0239d54067d29p-3, 0x1.072f94bb8bf84p-3, 0x1.0c2b33d5209b9p-3,
    0x1.112cb1da26eb8p-3, 0x1.16340e5a82d62p-3, 0x1.1b41492757d42p-3,
    0x1.2054625183c34p-3, 0x1.256d5a2835eb6p-3, 0x1.2a8c3137a071bp-3,
    0x1.2fb0e847c2a65p-3, 0x1.34db805b4ab89p-3, 0x1.3a0bfaae8d7eep-3,
    0x1.3f4258b6931afp-3, 0x1.447e9c20375d6p-3, 0x1.49c0c6cf5ce30p-3,
    0x1.4f08dade31fc6p-3, 0x1.5456da9c8683bp-3, 0x1.59aac88f31d74p-3,
    0x1.5f04a76f88400p-3, 0x1.64647a2adf1a4p-3, 0x1.69ca43e21f261p-3,
    0x1.6f3607e964719p-3, 0x1.74a7c9c7ab5a8p-3, 0x1.7a1f8d368a323p-3,
    0x1.7f9d5621f7174p-3, 0x1.852128a819a38p-3, 0x1.8aab09192815ap-3,
    0x1.903afbf74fa68p-3, 0x1.95d105f6a7c27p-3, 0x1.9b6d2bfd2fe5ap-3,
    0x1.a10f7322d7e3cp-3, 0x1.a6b7e0b19267cp-3, 0x1.ac667a2571805p-3,
    0x1.b21b452ccd13ap-3, 0x1.b7d647a8731abp-3, 0x1.bd9787abe18a2p-3,
    0x1.c35f0b7d89d46p-3, 0x1.c92cd9971df52p-3, 0x1.cf00f8a5e6fcap-3,
    0x1.d4db6f8b2514cp-3, 0x1.dabc455c79006p-3, 0x1.e0a3816457181p-3,
    0x1.e6912b2283cd9p-3, 0x1.ec854a4c99c3ep-3, 0x1.f27fe6ce998ccp-3,
    0x1.f88108cb8322fp-3, 0x1.fe88b89df93bcp-3, 0x1.024b7f6c7747ap-2,
    0x1.0555f2242e9d4p-2, 0x1.0863b8f904331p-2, 0x1.0b74d88b242d4p-2,
    0x1.0e895598709bdp-2, 0x1.11a134fcf241dp-2, 0x1.14bc7bb34ee63p-2,
    0x1.17db2ed5454e5p-2, 0x1.1afd539c2f04cp-2, 0x1.1e22ef6188113p-2,
    0x1.214c079f7cc9cp-2, 0x1.2478a1f17de86p-2, 0x1.27a8c414db11bp-2,
    0x1.2adc73e963fdap-2, 0x1.2e13b77210764p-2, 0x1.314e94d5af62dp-2,
    0x1.348d125f9d19cp-2, 0x1.37cf368081376p-2, 0x1.3b1507cf143acp-2,
    0x1.3e5e8d08ed2d8p-2, 0x1.41abcd1357a18p-2, 0x1.44fccefc324fcp-2,
    0x1.485199fad6ad4p-2, 0x1.4baa357109ca2p-2, 0x1.4f06a8ebf6d91p-2,
    0x1.5266fc2533beap-2, 0x1.55cb3703d00fdp-2, 0x1.5933619d6eebcp-2,
    0x1.5c9f84376c241p-2, 0x1.600fa7480d2c6p-2, 0x1.6383d377be513p-2,
    0x1.66fc11a25cbdfp-2, 0x1.6a786ad88de1ep-2, 0x1.6df8e86124ca6p-2,
    0x1.717d93ba96148p-2, 0x1.7506769c7b1e8p-2, 0x1.78939af9252e6p-2,
    0x1.7c250aff414acp-2, 0x1.7fbad11b8d90dp-2, 0x1.8354f7faa0dd5p-2,
    0x1.86f38a8ac5ab2p-2, 0x1.8a9693fde9185p-2, 0x1.8e3e1fcb9f113p-2,
    0x1.91ea39b33cb13p-2, 0x1.959aedbe09f8fp-2, 0x1.995048418c0c3p-2,
    0x1.9d0a55e1e93dcp-2, 0x1.a0c923946843bp-2, 0x1.a48cbea20c04bp-2,
    0x1.a85534aa4d87dp-2, 0x1.ac2293a5f5a9ap-2, 0x1.aff4e9ea18550p-2,
    0x1.b3cc462b331c8p-2, 0x1.b7a8b78071319p-2, 0x1.bb8a4d6716d8fp-2,
    0x1.bf7117c616a14p-2, 0x1.c35d26f1d2cb5p-2, 0x1.c74e8bb00d7c3p-2,
    0x1.cb45573c0a843p-2, 0x1.cf419b4ae5b69p-2, 0x1.d3436a102107bp-2,
    0x1.d74ad6426de2dp-2, 0x1.db57f320b56abp-2, 0x1.df6ad47763a03p-2,
    0x1.e3838ea5f9b7ep-2, 0x1.e7a236a4ec3bfp-2, 0x1.ebc6e20bd1f4fp-2,
    0x1.eff1a717e8f8ep-2, 0x1.f4229cb2f7aecp-2, 0x1.f859da7a900c4p-2,
    0x1.fc9778c7bbd9bp-2, 0x1.006dc85b8cac2p-1, 0x1.02931e18b8228p-1,
    0x1.04bbcafa63f2bp-1, 0x1.06e7dccf03c33p-1, 0x1.091761d995d7dp-1,
    0x1.0b4a68d70d9abp-1, 0x1.0d8101041429cp-1, 0x1.0fbb3a232590fp-1,
    0x1.11f9248311f34p-1, 0x1.143ad105ea998p-1, 0x1.16805128639d6p-1,
    0x1.18c9b709b3c4dp-1, 0x1.1b171573fd10ep-1, 0x1.1d687fe549966p-1,
    0x1.1fbe0a992961dp-1, 0x1.2217ca92ff7eep-1, 0x1.2475d5a90db80p-1,
    0x1.26d84290504e9p-1, 0x1.293f28e93cd11p-1, 0x1.2baaa14d79545p-1,
    0x1.2e1ac55ea3beap-1, 0x1.308fafd6438ebp-1, 0x1.33097c9703a32p-1,
    0x1.358848bf550e6p-1, 0x1.380c32bda00d2p-1, 0x1.3a955a662cd0bp-1,
    0x1.3d23e10af31a1p-1, 0x1.3fb7e99585b7fp-1, 0x1.425198a355fe0p-1,
    0x1.44f114a493676p-1, 0x1.479685fdf500fp-1, 0x1.4a42172dc5276p-1,
    0x1.4cf3f4f494ebep-1, 0x1.4fac4e820b665p-1, 0x1.526b55a656cd3p-1,
    0x1.55313f08d9e44p-1, 0x1.57fe4264c8d8cp-1, 0x1.5ad29acc85c85p-1,
    0x1.5dae86f4aff66p-1, 0x1.6092498802661p-1, 0x1.637e298550c15p-1,
    0x1.667272a92e320p-1, 0x1.696f75e513b26p-1, 0x1.6c7589e635a86p-1,
    0x1.6f850baea7aebp-1, 0x1.729e5f43f6d0ep-1, 0x1.75c1f0770d852p-1,
    0x1.78f033ca0b0d2p-1, 0x1.7c29a779c6855p-1, 0x1.7f6ed4b20e2c8p-1,
    0x1.82c050f56cf6bp-1, 0x1.861ebfc37bca8p-1, 0x1.898ad48badefep-1,
    0x1.8d0554fe60aa4p-1, 0x1.908f1bd31714bp-1, 0x1.94291c21b7a43p-1,
    0x1.97d4657617abep-1, 0x1.9b9228d24067ep-1, 0x1.9f63bee651fd5p-1,
    0x1.a34aafdf5af0cp-1, 0x1.a748bd550c9dep-1, 0x1.ab5fef17a2502p-1,
    0x1.af92a3f6ce8a0p-1, 0x1.b3e3a8234dd0ep-1, 0x1.b85653a8ff54fp-1,
    0x1.bceeb4ee1dc7fp-1, 0x1.c1b1cd9eebae7p-1, 0x1.c6a5ecea9787cp-1,
    0x1.cbd33a8a72de8p-1, 0x1.d144978a119d9p-1, 0x1.d70920657bcefp-1,
    0x1.dd36fa704de92p-1, 0x1.e3f11e027f074p-1, 0x1.eb7545b6ca912p-1,
    0x1.f446ac979f084p-1, 0x1.0000000000000p+0,
};

/* The same for the standard exponential, exp(-x) on [0, inf): dist_zig_exp_x[1] = r = 7.697. */
/* zig_exp: r = 7.697117470131049714, v = 0.00394965982258155722 */
const double dist_zig_exp_x[DIST_ZIG_LAYERS + 1] = {
    0x1.164ec94bf5dc1p+3, 0x1.ec9d9297ebb83p+2, 0x1.bc39e51da71fcp+2,
    0x1.9e9dc0d487b85p+2, 0x1.8939fe6f2ed19p+2, 0x1.78750d6eac62fp+2,
    0x1.6aa676d4bbf72p+2, 0x1.5ee7ae17313d2p+2, 0x1.54ad83ccf73f6p+2,
    0x1.4b9d7cd4751d1p+2, 0x1.4379766e41362p+2, 0x1.3c14ec7c8b861p+2,
    0x1.354ee27ccf75ep+2, 0x1.2f0e38a4411f0p+2, 0x1.293f5ae49aaa5p+2,
    0x1.23d2bb659919fp+2, 0x1.1ebbca0c9fa7cp+2, 0x1.19f03bcb3c2d6p+2,
    0x1.156786775442ap+2, 0x1.111a8034392a6p+2, 0x1.0d031785d48a0p+2,
    0x1.091c1cdcba54ep+2, 0x1.056118bf58eefp+2, 0x1.01ce2b362ec2ep+2,
    0x1.fcbfe43f6c6e5p+1, 0x1.f626e9791f7a7p+1, 0x1.efcc26750ea4ap+1,
    0x1.e9aaf2af383c1p+1, 0x1.e3bf26e190960p+1, 0x1.de050af4ef19fp+1,
    0x1.d87946fec3becp+1, 0x1.d318d6b2738c5p+1, 0x1.cde0fecf2a97fp+1,
    0x1.c8cf442c8c8f4p+1, 0x1.c3e1641c2e0a7p+1, 0x1.bf154de4bef77p+1,
    0x1.ba691d276da5ep+1, 0x1.b5db15091ea0fp+1, 0x1.b1699c003b60ap+1,
    0x1.ad13382d845c4p+1, 0x1.a8d68c2ad86eap+1, 0x1.a4b2543e84c3bp+1,
    0x1.a0a563e49f178p+1, 0x1.9caea3a24d9eap+1, 0x1.98cd0f18d1ad8p+1,
    0x1.94ffb34fc2a0ep+1, 0x1.9145ad2f37544p+1, 0x1.8d9e2823b3695p+1,
    0x1.8a085ce695babp+1, 0x1.8683906687342p+1, 0x1.830f12cc0bec3p+1,
    0x1.7faa3e96e1412p+1, 0x1.7c5477d1476d3p+1, 0x1.790d2b56b71f9p+1,
    0x1.75d3ce2bd71c3p+1, 0x1.72a7dce5cd218p+1, 0x1.6f88db1f42507p+1,
    0x1.6c7652f9a7b1ep+1, 0x1.696fd4a9748eep+1, 0x1.6674f60c3f432p+1,
    0x1.63855247b2e94p+1, 0x1.60a0897081879p+1, 0x1.5dc640388bd9ep+1,
    0x1.5af61fa38e107p+1, 0x1.582fd4c1b4461p+1, 0x1.5573106f8a75ap+1,
    0x1.52bf871acaab2p+1, 0x1.5014f08b99508p+1, 0x1.4d7307b1cb127p+1,
    0x1.4ad98a75da14cp+1, 0x1.4848398d39432p+1, 0x1.45bed851bc92cp+1,
    0x1.433d2c9bd42f8p+1, 0x1.40c2fe9f5eeadp+1, 0x1.3e5018cadded0p+1,
    0x1.3be447a8d8b83p+1, 0x1.397f59c345143p+1, 0x1.37211f88ca856p+1,
    0x1.34c96b33bc965p+1, 0x1.327810b2aa7d0p+1, 0x1.302ce59265965p+1,
    0x1.2de7c0e962d70p+1, 0x1.2ba87b445db51p+1, 0x1.296eee942532bp+1,
    0x1.273af61c7daa6p+1, 0x1.250c6e6403bbap+1, 0x1.22e33524fe550p+1,
    0x1.20bf293f0f4a2p+1, 0x1.1ea02aa9b3370p+1, 0x1.1c861a6782a5ap+1,
    0x1.1a70da7a27820p+1, 0x1.18604dd6fae9ep+1, 0x1.1654585c404c1p+1,
    0x1.144cdec6f3a2bp+1, 0x1.1249c6a92154ap+1, 0x1.104af660befcep+1,
    0x1.0e50550efcfb7p+1, 0x1.0c59ca900946fp+1, 0x1.0a673f733c819p+1,
    0x1.08789cf3aad0fp+1, 0x1.068dccf1126dbp+1, 0x1.04a6b9e9224a3p+1,
    0x1.02c34ef11391bp+1, 0x1.00e377af911d4p+1, 0x1.fe0e40add09d8p+0,
    0x1.fa5c6b3efe1e5p+0, 0x1.f6b1498515ed0p+0, 0x1.f30cb6ea0bc7fp+0,
    0x1.ef6e8fc5b9168p+0, 0x1.ebd6b154a7678p+0, 0x1.e844f9af4237fp+0,
    0x1.e4b947c16a452p+0, 0x1.e1337b426509bp+0, 0x1.ddb374ad2357fp+0,
    0x1.da391538da50ap+0, 0x1.d6c43ed1ea3fep+0, 0x1.d354d4130f2adp+0,
    0x1.cfeab83ed7180p+0, 0x1.cc85cf395a56cp+0, 0x1.c925fd82323fbp+0,
    0x1.c5cb282eab1a4p+0, 0x1.c27534e42e02dp+0, 0x1.bf2409d2dfd85p+0,
    0x1.bbd78db072610p+0, 0x1.b88fa7b324fb6p+0, 0x1.b54c3f8cf2542p+0,
    0x1.b20d3d66e8bb5p+0, 0x1.aed289dcaacffp+0, 0x1.ab9c0df81657ap+0,
    0x1.a869b32d0f30fp+0, 0x1.a53b63556c690p+0, 0x1.a21108ad0592dp+0,
    0x1.9eea8dcdde951p+0, 0x1.9bc7ddac7035dp+0, 0x1.98a8e3940bbf4p+0,
    0x1.958d8b235828ap+0, 0x1.9275c048e73e1p+0, 0x1.8f616f3fe1513p+0,
    0x1.8c50848cc6094p+0, 0x1.8942ecfa40f54p+0, 0x1.86389596108e7p+0,
    0x1.83316badfe62ap+0, 0x1.802d5ccce7277p+0, 0x1.7d2c56b7d17f7p+0,
    0x1.7a2e476b1240ap+0, 0x1.77331d177d130p+0, 0x1.743ac61fa041cp+0,
    0x1.714531150a9fbp+0, 0x1.6e524cb59a608p+0, 0x1.6b6207e8d3cdfp+0,
    0x1.687451bd3ebeep+0, 0x1.65891965c9b8cp+0, 0x1.62a04e3731a2ep+0,
    0x1.5fb9dfa56cf26p+0, 0x1.5cd5bd4119335p+0, 0x1.59f3d6b4e9cf9p+0,
    0x1.57141bc316f27p+0, 0x1.54367c42cb5f8p+0, 0x1.515ae81d900fbp+0,
    0x1.4e814f4cb45eap+0, 0x1.4ba9a1d6b18a4p+0, 0x1.48d3cfcc883c4p+0,
    0x1.45ffc94716ca7p+0, 0x1.432d7e6466cd0p+0, 0x1.405cdf44f09c4p+0,
    0x1.3d8ddc08d336dp+0, 0x1.3ac064ccfeffcp+0, 0x1.37f469a851af0p+0,
    0x1.3529daa8a1ba1p+0, 0x1.3260a7cfb7611p+0, 0x1.2f98c11031721p+0,
    0x1.2cd2164a53b5dp+0, 0x1.2a0c9748bcdaap+0, 0x1.274833bd0189fp+0,
    0x1.2484db3c2a329p+0, 0x1.21c27d3b10e05p+0, 0x1.1f01090a9c4e2p+0,
    0x1.1c406dd3d5283p+0, 0x1.19809a93d2396p+0, 0x1.16c17e1777ffbp+0,
    0x1.140306f707dbep+0, 0x1.114523917ac15p+0, 0x1.0e87c207a2f66p+0,
    0x1.0bcad03710137p+0, 0x1.090e3bb4b0072p+0, 0x1.0651f1c7276f8p+0,
    0x1.0395df60db162p+0, 0x1.00d9f119a3cd9p+0, 0x1.fc3c26504a9a1p-1,
    0x1.f6c462b57feb5p-1, 0x1.f14c6e202949fp-1, 0x1.ebd41e5e21b62p-1,
    0x1.e65b483cf1044p-1, 0x1.e0e1bf77c31fep-1, 0x1.db6756a429057p-1,
    0x1.d5ebdf1d86b8dp-1, 0x1.d06f28ef0e6fbp-1, 0x1.caf102bc25adbp-1,
    0x1.c57139a70d29fp-1, 0x1.bfef99359fe99p-1, 0x1.ba6beb33f8f89p-1,
    0x1.b4e5f794c979bp-1, 0x1.af5d844f224c9p-1, 0x1.a9d255396d261p-1,
    0x1.a4442be14884ap-1, 0x1.9eb2c75ff03bfp-1, 0x1.991de42ad1338p-1,
    0x1.93853bdfda244p-1, 0x1.8de8850d0c52ap-1, 0x1.884772f2be1ecp-1,
    0x1.82a1b53fed599p-1, 0x1.7cf6f7c7e8172p-1, 0x1.7746e23077973p-1,
    0x1.71911797990bbp-1, 0x1.6bd5362faa944p-1, 0x1.6612d6d0c68e0p-1,
    0x1.60498c7dd2ecfp-1, 0x1.5a78e3db8befdp-1, 0x1.54a0629786f4dp-1,
    0x1.4ebf86bcd0b93p-1, 0x1.48d5c5f35e712p-1, 0x1.42e28ca706748p-1,
    0x1.3ce53d12162a0p-1, 0x1.36dd2e26d8202p-1, 0x1.30c9aa526da4bp-1,
    0x1.2aa9ee123680bp-1, 0x1.247d26538ff2ep-1, 0x1.1e426e93e49e7p-1,
    0x1.17f8ceb4bdfa0p-1, 0x1.119f38749f5afp-1, 0x1.0b348479b80fcp-1,
    0x1.04b76ed6a7558p-1, 0x1.fc4d25d683209p-2, 0x1.ef00ccf5f4faap-2,
    0x1.e186678f1735ap-2, 0x1.d3da24df17c36p-2, 0x1.c5f7bd78c3f89p-2,
    0x1.b7da5dddda3c4p-2, 0x1.a97c8be5d5203p-2, 0x1.9ad80552237d2p-2,
    0x1.8be5954d3606fp-2, 0x1.7c9cdda17d019p-2, 0x1.6cf40f0a72bbdp-2,
    0x1.5cdf89d024ac3p-2, 0x1.4c515c60bfe21p-2, 0x1.3b388fe3d6ecap-2,
    0x1.2980290da2633p-2, 0x1.170db24d6f670p-2, 0x1.03bf049c65c3cp-2,
    0x1.decd8b76dbd98p-3, 0x1.b38d1ef79b7ccp-3, 0x1.85090fbc27a80p-3,
    0x1.522e6e54a2a73p-3, 0x1.19335a95b8dbap-3, 0x1.ad6b2495b4d2bp-4,
    0x1.0589d8b5d4119p-4, 0x0.0p+0,
};
static const double dist_zig_exp_f[DIST_ZIG_LAYERS + 1] = {
    0x1.5e5d3f59d055cp-13, 0x1.dc31c329f0b4bp-12, 0x1.fb20af78dfcb9p-11,
    0x1.92bb5540c3e25p-10, 0x1.1946ba8e1a324p-9, 0x1.6d888f3a1feffp-9,
    0x1.c58b381cd4b11p-9, 0x1.1073d69574043p-8, 0x1.3fa97cee322fdp-8,
    0x1.7049f37ec3620p-8, 0x1.a23e9d4974836p-8, 0x1.d5751fa745dc5p-8,
    0x1.04ef2295fd7f9p-7, 0x1.1fb69edb37671p-7, 0x1.3b0b8c1516f62p-7,
    0x1.56e930be416cbp-7, 0x1.734b6e6aa74f5p-7, 0x1.902ea688fa7bdp-7,
    0x1.ad8fa5542c92dp-7, 0x1.cb6b9146e2757p-7, 0x1.e9bfdde89c7cep-7,
    0x1.04452091e02f0p-6, 0x1.13e4554725f5fp-6, 0x1.23bc9e1b93a32p-6,
    0x1.33cd225315d84p-6, 0x1.44151ce87f0bep-6, 0x1.5493da6ab0251p-6,
    0x1.6548b72a24077p-6, 0x1.76331da87fc96p-6, 0x1.8752853ec9967p-6,
    0x1.98a670f132a48p-6, 0x1.aa2e6e6924e9bp-6, 0x1.bbea150fa5870p-6,
    0x1.cdd9054331b0cp-6, 0x1.dffae7a517468p-6, 0x1.f24f6c7af9890p-6,
    0x1.026b2590dfaeep-5, 0x1.0bc7a0c7cd651p-5, 0x1.153d09f19b3a1p-5,
    0x1.1ecb45ff312d4p-5, 0x1.28723c956c00cp-5, 0x1.3231d7e3f14aep-5,
    0x1.3c0a047ff18ffp-5, 0x1.45fab14266b19p-5, 0x1.5003cf296c5ebp-5,
    0x1.5a25513c5d2cap-5, 0x1.645f2c726a041p-5, 0x1.6eb1579b6af52p-5,
    0x1.791bcb4ab089ep-5, 0x1.839e81c3a396bp-5, 0x1.8e3976e80776dp-5,
    0x1.98eca827b7c4cp-5, 0x1.a3b81471bf138p-5, 0x1.ae9bbc26a8084p-5,
    0x1.b997a10bed985p-5, 0x1.c4abc640721e9p-5, 0x1.cfd83031e794ap-5,
    0x1.db1ce49315810p-5, 0x1.e679ea52eb2e5p-5, 0x1.f1ef49944e834p-5,
    0x1.fd7d0ba699676p-5, 0x1.04919d7f5c817p-4, 0x1.0a70f19871b3bp-4,
    0x1.105c88756ca50p-4, 0x1.165468f755392p-4, 0x1.1c589a86fa340p-4,
    0x1.22692512c9d8cp-4, 0x1.2886110ce0570p-4, 0x1.2eaf676948dd1p-4,
    0x1.34e5319c6e718p-4, 0x1.3b277999b9f9ep-4, 0x1.417649d25b10ep-4,
    0x1.47d1ad343985cp-4, 0x1.4e39af290d929p-4, 0x1.54ae5b959d036p-4,
    0x1.5b2fbed91bb3ep-4, 0x1.61bde5ccadef7p-4, 0x1.6858ddc30b620p-4,
    0x1.6f00b488416b6p-4, 0x1.75b5786193c1ep-4, 0x1.7c77380d7a6f3p-4,
    0x1.834602c3bc4bap-4, 0x1.8a21e835a533bp-4, 0x1.910af88e574b9p-4,
    0x1.9801447336b70p-4, 0x1.9f04dd046f428p-4, 0x1.a615d3dd938b7p-4,
    0x1.ad343b1655465p-4, 0x1.b460254356548p-4, 0x1.bb99a5771268fp-4,
    0x1.c2e0cf42e10afp-4, 0x1.ca35b6b80fd57p-4, 0x1.d198706914dd7p-4,
    0x1.d909116ad9398p-4, 0x1.e087af561bafbp-4, 0x1.e8146048eb9ccp-4,
    0x1.efaf3ae83c33cp-4, 0x1.f758566190414p-4, 0x1.ff0fca6cbea8dp-4,
    0x1.036ad7a6e7f04p-3, 0x1.07550eeb7a5bep-3, 0x1.0b4697b54b62fp-3,
    0x1.0f3f7efec1720p-3, 0x1.133fd20c9712fp-3, 0x1.17479e6f0ae78p-3,
    0x1.1b56f2031d666p-3, 0x1.1f6ddaf3dca65p-3, 0x1.238c67bbbe878p-3,
    0x1.27b2a72609940p-3, 0x1.2be0a8504cf34p-3, 0x1.30167aabe7d6ep-3,
    0x1.34542dffa0cafp-3, 0x1.3899d2694d5c9p-3, 0x1.3ce7785f8a905p-3,
    0x1.413d30b386a9ap-3, 0x1.459b0c92dccc6p-3, 0x1.4a011d8983096p-3,
    0x1.4e6f7583cb6fap-3, 0x1.52e626d078c49p-3, 0x1.57654422e78f5p-3,
    0x1.5bece0954c2b6p-3, 0x1.607d0fab06a31p-3, 0x1.6515e5530d1acp-3,
    0x1.69b775ea6da28p-3, 0x1.6e61d63ee84eap-3, 0x1.73151b91a2839p-3,
    0x1.77d15b99f46fep-3, 0x1.7c96ac8851baep-3, 0x1.816525094e7e6p-3,
    0x1.863cdc48c1af9p-3, 0x1.8b1de9f5062d5p-3, 0x1.900866425bb79p-3,
    0x1.94fc69ee692a1p-3, 0x1.99fa0e43e1623p-3, 0x1.9f016d1e4c512p-3,
    0x1.a412a0edf5cbcp-3, 0x1.a92dc4bc03c49p-3, 0x1.ae52f42eb5b0bp-3,
    0x1.b3824b8dcef3ep-3, 0x1.b8bbe7c72e4a5p-3, 0x1.bdffe67394435p-3,
    0x1.c34e65db9afeep-3, 0x1.c8a784fce1802p-3, 0x1.ce0b638f6d09fp-3,
    0x1.d37a220b431fdp-3, 0x1.d8f3e1ae3eeb8p-3, 0x1.de78c48224f39p-3,
    0x1.e408ed62f83a7p-3, 0x1.e9a48005940f2p-3, 0x1.ef4ba0fe8e09bp-3,
    0x1.f4fe75c963e7ep-3, 0x1.fabd24cff9354p-3, 0x1.0043eab93476ap-2,
    0x1.032f580797c2cp-2, 0x1.0620ef05d90d2p-2, 0x1.0918c4ee93e13p-2,
    0x1.0c16ef88f5333p-2, 0x1.0f1b852d9a66cp-2, 0x1.12269ccba9fbap-2,
    0x1.15384dee291efp-2, 0x1.1850b0c191982p-2, 0x1.1b6fde19abc5ap-2,
    0x1.1e95ef77b09dbp-2, 0x1.21c2ff10b7effp-2, 0x1.24f727d4776fdp-2,
    0x1.2832857457629p-2, 0x1.2b75346ae2262p-2, 0x1.2ebf520394270p-2,
    0x1.3210fc6312435p-2, 0x1.356a528fcd0ddp-2, 0x1.38cb747b17defp-2,
    0x1.3c34830abb285p-2, 0x1.3fa5a0230a14ep-2, 0x1.431eeeb1841e2p-2,
    0x1.46a092b80beefp-2, 0x1.4a2ab158bdad3p-2, 0x1.4dbd70e26f91dp-2,
    0x1.5158f8dde89f5p-2, 0x1.54fd721bda3e7p-2, 0x1.58ab06c3aa9efp-2,
    0x1.5c61e2631ee6cp-2, 0x1.602231fef5876p-2, 0x1.63ec2424827e4p-2,
    0x1.67bfe8fc60d9fp-2, 0x1.6b9db25e4e99cp-2, 0x1.6f85b3e649e9dp-2,
    0x1.7378230b08deap-2, 0x1.77753735e72e3p-2, 0x1.7b7d29dc6801ep-2,
    0x1.7f90369b6ce59p-2, 0x1.83ae9b5446138p-2, 0x1.87d8984bc3f8cp-2,
    0x1.8c0e704b75d39p-2, 0x1.905068c545d04p-2, 0x1.949ec9f9a8110p-2,
    0x1.98f9df2097ba8p-2, 0x1.9d61f695a3792p-2, 0x1.a1d76207521f4p-2,
    0x1.a65a76aa30140p-2, 0x1.aaeb8d6fdf6e5p-2, 0x1.af8b03428ef5fp-2,
    0x1.b43939454806fp-2, 0x1.b8f6951990b88p-2, 0x1.bdc3812aeeeb5p-2,
    0x1.c2a06d00ea583p-2, 0x1.c78dcd983fb60p-2, 0x1.cc8c1dc40e092p-2,
    0x1.d19bde97e1a0bp-2, 0x1.d6bd97db9ed7ap-2, 0x1.dbf1d88a7210cp-2,
    0x1.e139375e137fcp-2, 0x1.e6945367dd351p-2, 0x1.ec03d4b969d90p-2,
    0x1.f1886d1eb424dp-2, 0x1.f722d8ebfc5fap-2, 0x1.fcd3dfe214576p-2,
    0x1.014e2b160f324p-1, 0x1.043e8ebd26548p-1, 0x1.073b931ee3b7dp-1,
    0x1.0a45b8854d02ap-1, 0x1.0d5d8812b1e2bp-1, 0x1.108394a1cc38dp-1,
    0x1.13b87bc33169cp-1, 0x1.16fce6dce6feep-1, 0x1.1a518c71e3b25p-1,
    0x1.1db7319877b89p-1, 0x1.212eaba813ec8p-1, 0x1.24b8e228c50a3p-1,
    0x1.2856d111132bdp-1, 0x1.2c098b61f4f24p-1, 0x1.2fd23e345da5ep-1,
    0x1.33b23450e6318p-1, 0x1.37aada708ddd9p-1, 0x1.3bbdc44e1d114p-1,
    0x1.3fecb2bb18b80p-1, 0x1.44399afa8e125p-1, 0x1.48a6afb8ee069p-1,
    0x1.4d366c151f8afp-1, 0x1.51eba1578899ap-1, 0x1.56c9882da8773p-1,
    0x1.5bd3d694cac75p-1, 0x1.610edc1a7af66p-1, 0x1.667fa6d4f5c06p-1,
    0x1.6c2c3498418c6p-1, 0x1.721bb5ba94b63p-1, 0x1.7856e9b09d47ep-1,
    0x1.7ee8a2d243126p-1, 0x1.85de87806c5b8p-1, 0x1.8d4a376d3d22fp-1,
    0x1.95431c455aa39p-1, 0x1.9de9715556d9bp-1, 0x1.a76baa562fae7p-1,
    0x1.b210f0ee67f2ap-1, 0x1.be5007beb7b27p-1, 0x1.cd0a65081fff1p-1,
    0x1.e0545e5881137p-1, 0x1.0000000000000p+0,
};

/* A standard normal variate (Marsaglia & Tsang's ziggurat, 2000, with 256 layers). One word
 * gives the layer (bits 0-7), the sign (bit 8) and a 53-bit uniform (bits 11-63); 98.5 % of
 * draws end there, inline. The rest continue out of line from that word: the wedges use one
 * more uniform and exp(); the tail beyond r uses Marsaglia's exact method (1964): r + a with
 * a = -ln(U1) / r, accepted when -2 ln(U2) >= a^2; a rejected wedge point draws a new word. */
static __attribute__((noinline)) double dist_std_normal_rest(fab_rng *r, unsigned layer,
                                                              double sign, double x)
{
    const double tail_start = dist_zig_x[1];
    for (;;) {
        if (layer == 0) {
            double a, b;
            do {
                a = -dist_log(rng_next_u01(r)) / tail_start;
                b = -dist_log(rng_next_u01(r));
            } while (b + b < a * a);
            return sign * (tail_start + a);
        }
        double y = dist_zig_f[layer]
                   + rng_next_u01(r) * (dist_zig_f[layer + 1] - dist_zig_f[layer]);
        if (y < dist_exp(-0.5 * x * x))
            return sign * x;
        uint64_t w = rng_next_u64(r);
        layer = (unsigned)(w & 0xffu);
        sign = (w & 0x100u) ? -1.0 : 1.0;
        x = (double)(w >> 11) * 0x1p-53 * dist_zig_x[layer];
        if (x < dist_zig_x[layer + 1])
            return sign * x;
    }
}

static inline double dist_std_normal(fab_rng *r)
{
    uint64_t w = rng_next_u64(r);
    unsigned layer = (unsigned)(w & 0xffu);
    double sign = (w & 0x100u) ? -1.0 : 1.0;
    double x = (double)(w >> 11) * 0x1p-53 * dist_zig_x[layer];
    if (x < dist_zig_x[layer + 1])
        return sign * x;
    return dist_std_normal_rest(r, layer, sign, x);
}

/* A standard exponential variate (Marsaglia & Tsang's ziggurat, 256 layers). One word gives
 * the layer (bits 0-7) and a 53-bit uniform (bits 11-63); 97.8 % of draws end there, inline
 * (dist_std_exponential, dist_inline.h). The rest continue here from that word's layer and x:
 * the wedges use one more uniform and exp(); beyond r the exponential is r plus a new
 * exponential (memorylessness), so the tail draws again with r added. */
__attribute__((noinline)) double dist_std_exponential_rest(fab_rng *r, unsigned layer, double x)
{
    double offset = 0.0;
    for (;;) {
        if (layer == 0) {
            offset += dist_zig_exp_x[1];
        } else {
            double y = dist_zig_exp_f[layer]
                       + rng_next_u01(r) * (dist_zig_exp_f[layer + 1] - dist_zig_exp_f[layer]);
            if (y < dist_exp(-x))
                return offset + x;
        }
        uint64_t w = rng_next_u64(r);
        layer = (unsigned)(w & 0xffu);
        x = (double)(w >> 11) * 0x1p-53 * dist_zig_exp_x[layer];
        if (x < dist_zig_exp_x[layer + 1])
            return offset + x;
    }
}

double fab_dist_exponential(fab_rng *r, double mean)
{
    return rt_dist_exponential(r, mean);
}

double fab_dist_normal(fab_rng *r, double mean, double sd)
{
    return mean + sd * dist_std_normal(r);
}

double fab_dist_lognormal(fab_rng *r, double mean, double sd)
{
    /* ln(1 + cv^2); where cv^2 would overflow (or cv itself), 2 ln(sd / mean): the term
     * dropped, ln(1 + 1 / cv^2) < 2^-1000, is far below half an ulp of the result */
    double cv = sd / mean;
    double sigma2 = cv < 0x1p500 ? dist_log1p(cv * cv) : 2.0 * (dist_log(sd) - dist_log(mean));
    double mu = dist_log(mean) - 0.5 * sigma2;
    return dist_exp(mu + sqrt(sigma2) * dist_std_normal(r));
}

/* Gamma(shape, 1) for shape >= 1 (Marsaglia & Tsang 2000). */
static double dist_gamma_ge1(fab_rng *r, double shape)
{
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z, v;
        do {
            z = dist_std_normal(r);
            v = 1.0 + c * z;
        } while (v <= 0.0);
        v = v * v * v;
        double u = rng_next_u01(r);
        double z2 = z * z;
        if (u < 1.0 - 0.0331 * z2 * z2)
            return d * v;
        if (dist_log(u) < 0.5 * z2 + d * (1.0 - v + dist_log(v)))
            return d * v;
    }
}

/* log of a Gamma(shape, 1) variate, any shape > 0; does not underflow for small shapes. */
static double dist_log_gamma_variate(fab_rng *r, double shape)
{
    if (shape >= 1.0)
        return dist_log(dist_gamma_ge1(r, shape));
    double g = dist_gamma_ge1(r, shape + 1.0);
    return dist_log(g) + dist_log(rng_next_u01(r)) / shape;
}

double fab_dist_gamma(fab_rng *r, double shape, double scale)
{
    if (shape >= 1.0)
        return scale * dist_gamma_ge1(r, shape);
    double g = dist_gamma_ge1(r, shape + 1.0);
    return scale * g * dist_pow_pos(rng_next_u01(r), 1.0 / shape);
}

enum { DIST_ERLANG_SUM_MAX_K = 4 };

double fab_dist_erlang(fab_rng *r, double k, double mean)
{
    if (k <= DIST_ERLANG_SUM_MAX_K) {
        /* the sum of k exponentials: k ziggurat draws cost less than a gamma for k <= 4 */
        int n = (int)k;
        double sum = 0.0;
        for (int i = 0; i < n; i++)
            sum += dist_std_exponential(r);
        return (mean / k) * sum;
    }
    return fab_dist_gamma(r, k, mean / k);
}

double fab_dist_weibull(fab_rng *r, double shape, double scale)
{
    return scale * dist_pow_pos(-dist_log(rng_next_u01(r)), 1.0 / shape);
}

double fab_dist_beta(fab_rng *r, double a, double b, double min, double max)
{
    double x;
    if (a >= 1.0 && b >= 1.0) {
        double ga = dist_gamma_ge1(r, a);
        double gb = dist_gamma_ge1(r, b);
        x = ga / (ga + gb);
    } else {
        double la = dist_log_gamma_variate(r, a);
        double lb = dist_log_gamma_variate(r, b);
        x = 1.0 / (1.0 + dist_exp(lb - la));
    }
    return min + (max - min) * x;
}

double fab_dist_pert(fab_rng *r, double min, double mode, double max)
{
    double width = max - min;
    if (!(width > 0))
        return min;
    double a = 1.0 + 4.0 * (mode - min) / width;
    double b = 1.0 + 4.0 * (max - mode) / width;
    return fab_dist_beta(r, a, b, min, max);
}

/* ---- discrete distributions ------------------------------------------------------------ */

/* ln(k!) for integral k >= 0: table below 10, Stirling's series above (relative error about
 * 2e-16, i.e. at the rounding level of the other terms of the PTRS acceptance test). */
static double dist_log_factorial(double k)
{
    static const double small[10] = {
        0.0, 0.0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458,
        4.787491742782046, 6.579251212010101, 8.525161361065415, 10.60460290274525,
        12.801827480081469,
    };
    if (k < 10.0)
        return small[(int)k];
    double x = k + 1.0;
    double ix = 1.0 / x, ix2 = ix * ix;
    double series = ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0
                    - ix2 * (1.0 / 1680.0 - ix2 * (1.0 / 1188.0)))));
    return (x - 0.5) * dist_log(x) - x + 0.91893853320467274178 + series;
}

enum { DIST_POISSON_INVERSION_MAX_K = 1000 };
#define DIST_POISSON_PTRS_MIN_MEAN 10.0

static double dist_poisson_inversion(fab_rng *r, double mean)
{
    double u = rng_next_u01(r);
    double p = dist_exp(-mean);
    double cum = p;
    int k = 0;
    /* p reaches 0 long before the guard for mean < 10; the guard only stops rounding loops. */
    while (u > cum && p > 0.0 && k < DIST_POISSON_INVERSION_MAX_K) {
        k++;
        p *= mean / k;
        cum += p;
    }
    return (double)k;
}

/* PTRS, transformed rejection with squeeze (W. Hörmann, Insurance: Mathematics and Economics
 * 12, 1993). Exact for mean >= 10. */
static double dist_poisson_ptrs(fab_rng *r, double mean)
{
    double smu = sqrt(mean);
    double log_mean = dist_log(mean);
    double b = 0.931 + 2.53 * smu;
    double a = -0.059 + 0.02483 * b;
    double log_inv_alpha = dist_log(1.1239 + 1.1328 / (b - 3.4));
    double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = rng_next_u01(r) - 0.5;
        double v = rng_next_u01(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= v_r)
            return k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (dist_log(v) + log_inv_alpha - dist_log(a / (us * us) + b)
            <= -mean + k * log_mean - dist_log_factorial(k))
            return k;
    }
}

double fab_dist_poisson(fab_rng *r, double mean)
{
    if (!(mean > 0))
        return 0.0;
    if (mean < DIST_POISSON_PTRS_MIN_MEAN)
        return dist_poisson_inversion(r, mean);
    return dist_poisson_ptrs(r, mean);
}

double fab_dist_bernoulli(fab_rng *r, double p)
{
    return rng_next_u01(r) < p ? 1.0 : 0.0;
}

double fab_dist_discrete(fab_rng *r, size_t n, const double *values, const double *cum)
{
    if (n == 0)
        return NAN;
    double u = rng_next_u01(r);
    /* smallest i with u < cum[i]; n - 1 if the table sums to slightly less than u */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return values[lo];
}

double fab_dist_empirical(fab_rng *r, size_t n, const double *values)
{
    if (n == 0)
        return NAN;
    return values[fab_rng_below(r, n)];
}

/* ---- descriptors ----------------------------------------------------------------------- */

double fab_dist_clamp(double x, double lo, double hi)
{
    if (x < lo)
        return lo;
    if (x > hi)
        return hi;
    return x;
}

/* discrete from a descriptor: probabilities accumulated in table order, exactly as a
 * cumulative table built by summing them, so both forms give the same draws. Entries of
 * probability 0 at the end are left out (as the compiler leaves them out of its tables): the
 * sum may fall short of 1 by rounding, and u beyond it then takes the last entry left. */
static double dist_discrete_probs(fab_rng *r, size_t n, const double *values, const double *probs)
{
    if (n == 0)
        return NAN;
    while (n > 1 && !(probs[n - 1] > 0))
        n--;
    double u = rng_next_u01(r);
    double cum = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        cum += probs[i];
        if (u < cum)
            return values[i];
    }
    return values[n - 1];
}

static double dist_sample_unbounded(const fab_dist *d, fab_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case FAB_DIST_CONSTANT:    return p[0];
    case FAB_DIST_UNIFORM:     return fab_dist_uniform(r, p[0], p[1]);
    case FAB_DIST_TRIANGULAR:  return fab_dist_triangular(r, p[0], p[1], p[2]);
    case FAB_DIST_EXPONENTIAL: return fab_dist_exponential(r, p[0]);
    case FAB_DIST_NORMAL:      return fab_dist_normal(r, p[0], p[1]);
    case FAB_DIST_LOGNORMAL:   return fab_dist_lognormal(r, p[0], p[1]);
    case FAB_DIST_GAMMA:       return fab_dist_gamma(r, p[0], p[1]);
    case FAB_DIST_ERLANG:      return fab_dist_erlang(r, p[0], p[1]);
    case FAB_DIST_WEIBULL:     return fab_dist_weibull(r, p[0], p[1]);
    case FAB_DIST_BETA:        return fab_dist_beta(r, p[0], p[1], p[2], p[3]);
    case FAB_DIST_PERT:        return fab_dist_pert(r, p[0], p[1], p[2]);
    case FAB_DIST_POISSON:     return fab_dist_poisson(r, p[0]);
    case FAB_DIST_BERNOULLI:   return fab_dist_bernoulli(r, p[0]);
    case FAB_DIST_DISCRETE:    return dist_discrete_probs(r, d->n, d->values, d->probs);
    case FAB_DIST_EMPIRICAL:   return fab_dist_empirical(r, d->n, d->values);
    case FAB_DIST__COUNT:      break;
    }
    return NAN;
}

double fab_dist_sample(const fab_dist *d, fab_rng *r)
{
    double x = dist_sample_unbounded(d, r);
    switch (d->bound) {
    case FAB_BOUND_NONE:
        return x;
    case FAB_BOUND_CLAMP:
        return fab_dist_clamp(x, d->lo, d->hi);
    case FAB_BOUND_TRUNCATE:
        for (int tries = 1; tries < FAB_TRUNCATE_MAX_TRIES; tries++) {
            if (x >= d->lo && x <= d->hi)
                return x;
            x = dist_sample_unbounded(d, r);
        }
        return fab_dist_clamp(x, d->lo, d->hi);
    }
    return x;
}

double fab_dist_mean(const fab_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case FAB_DIST_CONSTANT:    return p[0];
    case FAB_DIST_UNIFORM:     return 0.5 * (p[0] + p[1]);
    case FAB_DIST_TRIANGULAR:  return (p[0] + p[1] + p[2]) / 3.0;
    case FAB_DIST_EXPONENTIAL: return p[0];
    case FAB_DIST_NORMAL:      return p[0];
    case FAB_DIST_LOGNORMAL:   return p[0];
    case FAB_DIST_GAMMA:       return p[0] * p[1];
    case FAB_DIST_ERLANG:      return p[1];
    case FAB_DIST_WEIBULL:     return p[1] * tgamma(1.0 + 1.0 / p[0]);
    case FAB_DIST_BETA:        return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1]);
    case FAB_DIST_PERT:        return (p[0] + 4.0 * p[1] + p[2]) / 6.0;
    case FAB_DIST_POISSON:     return p[0];
    case FAB_DIST_BERNOULLI:   return p[0];
    case FAB_DIST_DISCRETE: {
        if (d->n == 0 || d->values == NULL || d->probs == NULL)
            return NAN;
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++)
            sum += d->values[i] * d->probs[i];
        return sum;
    }
    case FAB_DIST_EMPIRICAL: {
        if (d->n == 0 || d->values == NULL)
            return NAN;
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++)
            sum += d->values[i];
        return sum / (double)d->n;
    }
    case FAB_DIST__COUNT:
        break;
    }
    return NAN;
}

/* ---- validation ------------------------------------------------------------------------ */

#define DIST_PROB_SUM_TOLERANCE 1e-9

static int dist_fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int dist_fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err != NULL && errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int fab_dist_validate(const fab_dist *d, char *err, size_t errsize)
{
    if (err != NULL && errsize > 0)
        err[0] = '\0';
    if ((int)d->kind < 0 || d->kind >= FAB_DIST__COUNT)
        return dist_fail(err, errsize, "unknown distribution kind %d", (int)d->kind);

    const char *name = dist_names[d->kind];
    const double *p = d->p;
    for (int i = 0; i < dist_nparams[d->kind]; i++) {
        if (!isfinite(p[i]))
            return dist_fail(err, errsize, "%s: parameter '%s' is not a finite number (%g)",
                             name, dist_param_names[d->kind][i], p[i]);
    }

    switch (d->kind) {
    case FAB_DIST_CONSTANT:
        break;
    case FAB_DIST_UNIFORM:
        if (p[0] > p[1])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[0],
                             p[1]);
        break;
    case FAB_DIST_TRIANGULAR:
    case FAB_DIST_PERT:
        if (p[0] > p[2])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[0],
                             p[2]);
        if (p[1] < p[0] || p[1] > p[2])
            return dist_fail(err, errsize, "%s: mode %g is outside [min, max] = [%g, %g]", name,
                             p[1], p[0], p[2]);
        break;
    case FAB_DIST_EXPONENTIAL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[0]);
        break;
    case FAB_DIST_NORMAL:
        if (p[1] < 0)
            return dist_fail(err, errsize, "%s: sd must be >= 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_LOGNORMAL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[0]);
        if (p[1] < 0)
            return dist_fail(err, errsize, "%s: sd must be >= 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_GAMMA:
    case FAB_DIST_WEIBULL:
        if (!(p[0] > 0))
            return dist_fail(err, errsize, "%s: shape must be > 0 (got %g)", name, p[0]);
        if (!(p[1] > 0))
            return dist_fail(err, errsize, "%s: scale must be > 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_ERLANG:
        if (!(p[0] >= 1) || p[0] != floor(p[0]))
            return dist_fail(err, errsize, "%s: k must be a whole number >= 1 (got %g)", name,
                             p[0]);
        if (!(p[1] > 0))
            return dist_fail(err, errsize, "%s: mean must be > 0 (got %g)", name, p[1]);
        break;
    case FAB_DIST_BETA:
        if (!(p[0] > 0) || !(p[1] > 0))
            return dist_fail(err, errsize, "%s: shapes a and b must be > 0 (got a %g, b %g)",
                             name, p[0], p[1]);
        if (p[2] > p[3])
            return dist_fail(err, errsize, "%s: min exceeds max (min %g, max %g)", name, p[2],
                             p[3]);
        break;
    case FAB_DIST_POISSON:
        if (!(p[0] >= 0) || !(p[0] <= FAB_POISSON_MAX_MEAN))
            return dist_fail(err, errsize, "%s: mean must be in [0, 1e12] (got %g)", name, p[0]);
        break;
    case FAB_DIST_BERNOULLI:
        if (!(p[0] >= 0 && p[0] <= 1))
            return dist_fail(err, errsize, "%s: p must be in [0, 1] (got %g)", name, p[0]);
        break;
    case FAB_DIST_DISCRETE:
    case FAB_DIST_EMPIRICAL: {
        if (d->n == 0 || d->values == NULL)
            return dist_fail(err, errsize, "%s: the table of values is empty", name);
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(d->values[i]))
                return dist_fail(err, errsize, "%s: value %zu is not a finite number (%g)", name,
                                 i + 1, d->values[i]);
        }
        if (d->kind == FAB_DIST_EMPIRICAL)
            break;
        if (d->probs == NULL)
            return dist_fail(err, errsize, "%s: no probabilities given", name);
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            if (!(d->probs[i] >= 0 && d->probs[i] <= 1))
                return dist_fail(err, errsize, "%s: probability %zu is outside [0, 1] (got %g)",
                                 name, i + 1, d->probs[i]);
            sum += d->probs[i];
        }
        if (!(fabs(sum - 1.0) <= DIST_PROB_SUM_TOLERANCE))
            return dist_fail(err, errsize,
                             "%s: probabilities sum to %.12g, not 1 (tolerance 1e-9)", name, sum);
        break;
    }
    case FAB_DIST__COUNT:
        break;
    }

    switch (d->bound) {
    case FAB_BOUND_NONE:
        break;
    case FAB_BOUND_CLAMP:
    case FAB_BOUND_TRUNCATE:
        if (isnan(d->lo) || isnan(d->hi) || d->lo > d->hi)
            return dist_fail(err, errsize, "%s: empty %s interval [%g, %g]", name,
                             d->bound == FAB_BOUND_CLAMP ? "clamp" : "truncate", d->lo, d->hi);
        break;
    default:
        return dist_fail(err, errsize, "%s: unknown bound mode %d", name, (int)d->bound);
    }
    return 0;
}

int fab_dist_validate_duration(const fab_dist *d, char *err, size_t errsize)
{
    if (fab_dist_validate(d, err, errsize))
        return -1;
    if (d->bound != FAB_BOUND_NONE && d->lo >= 0)
        return 0;
    const char *name = dist_names[d->kind];
    const double *p = d->p;
    double lo = 0, hi = 0;      /* the support's ends, for the laws of a bounded support */
    switch (d->kind) {
    case FAB_DIST_CONSTANT:
        if (p[0] < 0)
            return dist_fail(err, errsize, "a duration cannot be negative (constant %g)", p[0]);
        return 0;
    case FAB_DIST_NORMAL:
        if (p[0] < 0 || (p[0] == 0 && p[1] > 0))
            return dist_fail(err, errsize, "%s: a duration needs a positive mean (got %g); it "
                             "would be negative at least half the time", name, p[0]);
        return 0;
    case FAB_DIST_UNIFORM: lo = p[0]; hi = p[1]; break;
    case FAB_DIST_TRIANGULAR:
    case FAB_DIST_PERT: lo = p[0]; hi = p[2]; break;
    case FAB_DIST_BETA: lo = p[2]; hi = p[3]; break;
    default:
        return 0;
    }
    if (hi <= 0 && lo < 0)
        return dist_fail(err, errsize, "%s: never positive (max %g), but a duration cannot be "
                         "negative", name, hi);
    return 0;
}
