/*
 * test_rng.c — unit and statistical tests of the random streams (fab/rng.h).
 *
 * Determinism is checked three ways: Random123's published known-answer vectors for
 * Philox4x64-10 run through fab_rng; the stream key recomputed here from its documented byte
 * encoding with a one-shot XXH3-128 call (the library uses the streaming interface); and a
 * snapshot of the first words of a fixed stream, recorded once and cross-checked by calling
 * philox4x64 directly. Statistical checks use fixed seeds and are two-sided at alpha = 0.001
 * (TM_ALPHA), Bonferroni-divided where a check is repeated (stated at each).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>
#include <xxhash.h>

#include "fab/rng.h"
#include "testmath.h"

/* ---- Philox known answers (Random123 kat_vectors, philox4x64 10 rounds) ------------------- */

typedef struct kat {
    uint64_t ctr[4], key[2], out[4];
} kat;

static const kat philox_kats[] = {
    {{0, 0, 0, 0}, {0, 0},
     {0x16554d9eca36314cu, 0xdb20fe9d672d0fdcu, 0xd7e772cee186176bu, 0x7e68b68aec7ba23bu}},
    {{~0ull, ~0ull, ~0ull, ~0ull}, {~0ull, ~0ull},
     {0x87b092c3013fe90bu, 0x438c3c67be8d0224u, 0x9cc7d7c69cd777b6u, 0xa09caebf594f0ba0u}},
    {{0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u, 0x082efa98ec4e6c89u},
     {0x452821e638d01377u, 0xbe5466cf34e90c6cu},
     {0xa528f45403e61d95u, 0x38c72dbd566e9788u, 0xa5a1610e72fd18b5u, 0x57bd43b5e52b7fe6u}},
};

START_TEST(philox_known_answers)
{
    const kat *k = &philox_kats[_i];
    fab_rng r;
    fab_rng_init_key(&r, k->key, 0);
    memcpy(r.ctr, k->ctr, sizeof r.ctr); /* place the stream at the vector's counter */
    for (int w = 0; w < 4; w++)
        ck_assert_uint_eq(fab_rng_u64(&r), k->out[w]);
    ck_assert_uint_eq(r.ctr[0], k->ctr[0] + 1); /* the block counter advanced */
}
END_TEST

/* ---- keys -------------------------------------------------------------------------------- */

/* The documented encoding: seed as 8 little-endian bytes, element, NUL, purpose, NUL. */
static void key_by_hand(uint64_t key[2], uint64_t seed, const char *element, const char *purpose)
{
    unsigned char buf[256];
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        buf[n++] = (unsigned char)((seed >> (8 * i)) & 0xff);
    size_t le = strlen(element), lp = strlen(purpose);
    ck_assert(n + le + lp + 2 <= sizeof buf);
    memcpy(buf + n, element, le + 1);
    n += le + 1;
    memcpy(buf + n, purpose, lp + 1);
    n += lp + 1;
    XXH128_hash_t h = XXH3_128bits(buf, n);
    key[0] = h.low64;
    key[1] = h.high64;
}

START_TEST(key_follows_documented_encoding)
{
    static const struct { uint64_t seed; const char *e, *p; } ks[] = {
        {42, "press", "cycle"}, {0, "", ""}, {~0ull, "b1", "failure.jam.ttf"},
        {0x0102030405060708u, "a long element name with spaces and ünïcode", "x"},
    };
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        uint64_t want[2], got[2];
        key_by_hand(want, ks[i].seed, ks[i].e, ks[i].p);
        fab_rng_key(got, ks[i].seed, ks[i].e, ks[i].p);
        ck_assert_uint_eq(got[0], want[0]);
        ck_assert_uint_eq(got[1], want[1]);
    }
    /* NULL names read as "" */
    uint64_t a[2], b[2];
    fab_rng_key(a, 5, NULL, NULL);
    fab_rng_key(b, 5, "", "");
    ck_assert(a[0] == b[0] && a[1] == b[1]);
}
END_TEST

START_TEST(key_encoding_is_unambiguous)
{
    uint64_t k1[2], k2[2], k3[2], k4[2];
    fab_rng_key(k1, 1, "ab", "c");
    fab_rng_key(k2, 1, "a", "bc");
    fab_rng_key(k3, 1, "abc", "");
    fab_rng_key(k4, 2, "ab", "c");
    ck_assert(k1[0] != k2[0] || k1[1] != k2[1]);
    ck_assert(k1[0] != k3[0] || k1[1] != k3[1]);
    ck_assert(k2[0] != k3[0] || k2[1] != k3[1]);
    ck_assert(k1[0] != k4[0] || k1[1] != k4[1]);
}
END_TEST

/* ---- snapshot ---------------------------------------------------------------------------- */

/* First six words of (seed 42, "press", "cycle"), replications 0 and 3, recorded once from
 * this implementation. Changing them changes every model's numbers: see docs/random.md. */
static const uint64_t snapshot_rep0[6] = {
    0x08506806a441f8d3u, 0x18fc629c83d8f39bu, 0x5700096827daecf6u,
    0x7a72b91364ecfb37u, 0xc2a4a23cca0e0902u, 0x2acc3791770cc661u,
};
static const uint64_t snapshot_rep3[6] = {
    0xa0c6655e8862111cu, 0xf25abd550d09e202u, 0x5c5c2ad85ba69658u,
    0x6ede9194fc8d2f96u, 0x50e15e84aaf04782u, 0xaf953abeca42c3fau,
};

START_TEST(snapshot_of_a_fixed_stream)
{
    const uint64_t *snap[2] = {snapshot_rep0, snapshot_rep3};
    const uint64_t reps[2] = {0, 3};
    uint64_t key[2];
    key_by_hand(key, 42, "press", "cycle");
    for (int s = 0; s < 2; s++) {
        fab_rng r;
        fab_rng_init(&r, 42, "press", "cycle", reps[s]);
        for (int i = 0; i < 6; i++) {
            /* independent path: philox4x64 on counter {i / 4, replication, 0, 0} */
            philox4x64_ctr_t c = {{(uint64_t)(i / 4), reps[s], 0, 0}};
            philox4x64_key_t k = {{key[0], key[1]}};
            philox4x64_ctr_t out = philox4x64(c, k);
            uint64_t got = fab_rng_u64(&r);
            ck_assert_uint_eq(got, out.v[i % 4]);
            ck_assert_uint_eq(got, snap[s][i]);
        }
    }
}
END_TEST

/* ---- streams ------------------------------------------------------------------------------ */

/* Drawing from other streams, or creating new ones, leaves a stream's numbers unchanged, and
 * copying a stream forks it. */
START_TEST(streams_do_not_interfere)
{
    enum { N = 1000 };
    static uint64_t alone[N];
    fab_rng a;
    fab_rng_init(&a, 9, "press", "cycle", 1);
    for (int i = 0; i < N; i++)
        alone[i] = fab_rng_u64(&a);

    fab_rng a2, b, c;
    fab_rng_init(&b, 9, "oven", "cycle", 1);
    fab_rng_init(&a2, 9, "press", "cycle", 1);
    for (int i = 0; i < N; i++) {
        (void)fab_rng_u64(&b);
        if (i == N / 2)
            fab_rng_init(&c, 9, "new element", "cycle", 1);
        if (i > N / 2)
            (void)fab_rng_u01(&c);
        ck_assert_uint_eq(fab_rng_u64(&a2), alone[i]);
    }

    fab_rng fork_src;
    fab_rng_init(&fork_src, 9, "press", "cycle", 1);
    for (int i = 0; i < 3; i++)
        (void)fab_rng_u64(&fork_src);
    fab_rng fork = fork_src;
    for (int i = 3; i < N; i++) {
        ck_assert_uint_eq(fab_rng_u64(&fork), alone[i]);
        ck_assert_uint_eq(fab_rng_u64(&fork_src), alone[i]);
    }

    uint64_t key[2];
    fab_rng_key(key, 9, "press", "cycle");
    fab_rng k;
    fab_rng_init_key(&k, key, 1);
    for (int i = 0; i < N; i++)
        ck_assert_uint_eq(fab_rng_u64(&k), alone[i]);
}
END_TEST

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* The first word of 20000 replications, and of 20000 element names, are all distinct (a
 * collision among 40000 random 64-bit words has probability < 1e-10). */
START_TEST(replications_and_elements_give_distinct_streams)
{
    enum { N = 20000 };
    uint64_t *w = malloc(2 * N * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < N; i++) {
        fab_rng r;
        fab_rng_init(&r, 42, "press", "cycle", (uint64_t)i);
        w[i] = fab_rng_u64(&r);
        char name[32];
        snprintf(name, sizeof name, "station%d", i);
        fab_rng_init(&r, 42, name, "cycle", 0);
        w[N + i] = fab_rng_u64(&r);
    }
    qsort(w, 2 * N, sizeof *w, cmp_u64);
    for (int i = 1; i < 2 * N; i++)
        ck_assert_msg(w[i] != w[i - 1], "repeated first word %llx",
                      (unsigned long long)w[i]);
    free(w);
}
END_TEST

/* Pairs of streams that differ in one coordinate are uncorrelated: sample correlation r of
 * 100000 paired uniforms, z = r sqrt(n) ~ N(0, 1); three pairs, alpha = 0.001 each. */
START_TEST(neighbouring_streams_are_uncorrelated)
{
    enum { N = 100000 };
    struct { const char *e1, *p1; uint64_t r1; const char *e2, *p2; uint64_t r2; } pairs[] = {
        {"press", "cycle", 0, "press", "cycle", 1},
        {"press", "cycle", 0, "press", "setup", 0},
        {"press", "cycle", 0, "press2", "cycle", 0},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        fab_rng a, b;
        fab_rng_init(&a, 42, pairs[k].e1, pairs[k].p1, pairs[k].r1);
        fab_rng_init(&b, 42, pairs[k].e2, pairs[k].p2, pairs[k].r2);
        double sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
        for (int i = 0; i < N; i++) {
            double x = fab_rng_u01(&a), y = fab_rng_u01(&b);
            sa += x;
            sb += y;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        double cov = sab / N - (sa / N) * (sb / N);
        double r = cov / sqrt((saa / N - (sa / N) * (sa / N)) * (sbb / N - (sb / N) * (sb / N)));
        double z = r * sqrt((double)N);
        ck_assert_msg(tm_z_pvalue(z) >= TM_ALPHA, "pair %zu: correlation %.5f, z = %.2f", k, r, z);
    }
}
END_TEST

/* ---- uniforms ------------------------------------------------------------------------------ */

START_TEST(u01_mapping_is_strictly_inside_the_unit_interval)
{
    double lo = fab_rng_u01_from_u64(0), hi = fab_rng_u01_from_u64(~0ull);
    ck_assert(lo > 0.0 && lo == 0x1p-53);
    ck_assert(hi < 1.0 && hi == 1.0 - 0x1p-53);
    /* symmetric: the word and its complement map to u and 1 - u exactly */
    uint64_t w[] = {0, 1, 0x8000000000000000u, 0x123456789abcdef0u, ~0ull};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        ck_assert(fab_rng_u01_from_u64(w[i]) == 1.0 - fab_rng_u01_from_u64(~w[i]));
    /* the top 52 bits matter and the low 12 do not */
    ck_assert(fab_rng_u01_from_u64(0xfffu) == lo);
    ck_assert(fab_rng_u01_from_u64(0x1000u) > lo);
}
END_TEST

static double uniform_cdf(double x, const void *arg)
{
    (void)arg;
    return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

/* 10^6 uniforms: all strictly inside (0, 1), KS against U(0, 1) at alpha = 0.001; and each of the
 * 64 bits of 10^5 words is set with probability 1/2 (binomial z-test, alpha = 0.001 / 64 per bit
 * so the 64 checks together have level 0.001). */
START_TEST(u01_is_uniform_and_bits_are_balanced)
{
    enum { N = 1000000, NW = 100000 };
    double *x = malloc(N * sizeof *x);
    ck_assert_ptr_nonnull(x);
    fab_rng r;
    fab_rng_init(&r, 20261122u, "rng-test", "u01", 0);
    for (int i = 0; i < N; i++) {
        x[i] = fab_rng_u01(&r);
        ck_assert(x[i] > 0.0 && x[i] < 1.0);
    }
    double p = tm_ks_pvalue(tm_ks_statistic(x, N, uniform_cdf, NULL), N);
    ck_assert_msg(p >= TM_ALPHA, "u01 KS p = %.3g", p);
    free(x);

    int ones[64] = {0};
    fab_rng_init(&r, 20261122u, "rng-test", "bits", 0);
    for (int i = 0; i < NW; i++) {
        uint64_t w = fab_rng_u64(&r);
        for (int b = 0; b < 64; b++)
            ones[b] += (int)((w >> b) & 1u);
    }
    for (int b = 0; b < 64; b++) {
        double z = (ones[b] - NW / 2.0) / sqrt(NW / 4.0);
        ck_assert_msg(tm_z_pvalue(z) >= TM_ALPHA / 64, "bit %d: %d ones, z = %.2f", b, ones[b], z);
    }
}
END_TEST

/* below(n): always < n; uniform over 7 values (chi-square, 6 df, alpha = 0.001); and for
 * n = 3 * 2^62, where plain modulo would put 2/3 instead of 1/2 of the mass below n / 2, the
 * fraction below n / 2 is 1/2 (binomial z-test, alpha = 0.001). */
START_TEST(below_is_unbiased)
{
    enum { N = 70000 };
    fab_rng r;
    fab_rng_init(&r, 20261122u, "rng-test", "below", 0);
    ck_assert_uint_eq(fab_rng_below(&r, 0), 0);
    ck_assert_uint_eq(fab_rng_below(&r, 1), 0);
    int count[7] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t k = fab_rng_below(&r, 7);
        ck_assert_uint_lt(k, 7);
        count[k]++;
    }
    double chi2 = 0;
    for (int k = 0; k < 7; k++)
        chi2 += (count[k] - N / 7.0) * (count[k] - N / 7.0) / (N / 7.0);
    ck_assert_msg(tm_chisq_pvalue(chi2, 6) >= TM_ALPHA, "below(7) chi2 = %.2f", chi2);

    uint64_t big = 3ull << 62;
    int under_half = 0;
    for (int i = 0; i < N; i++) {
        uint64_t k = fab_rng_below(&r, big);
        ck_assert(k < big);
        under_half += k < big / 2;
    }
    double z = (under_half - N / 2.0) / sqrt(N / 4.0);
    ck_assert_msg(tm_z_pvalue(z) >= TM_ALPHA, "below(3*2^62): %d of %d under half, z = %.2f",
                  under_half, N, z);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, philox_known_answers, 0, sizeof philox_kats / sizeof philox_kats[0]);
    tcase_add_test(tc, key_follows_documented_encoding);
    tcase_add_test(tc, key_encoding_is_unambiguous);
    tcase_add_test(tc, snapshot_of_a_fixed_stream);
    tcase_add_test(tc, streams_do_not_interfere);
    tcase_add_test(tc, replications_and_elements_give_distinct_streams);
    tcase_add_test(tc, neighbouring_streams_are_uncorrelated);
    tcase_add_test(tc, u01_mapping_is_strictly_inside_the_unit_interval);
    tcase_add_test(tc, u01_is_uniform_and_bits_are_balanced);
    tcase_add_test(tc, below_is_unbiased);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
