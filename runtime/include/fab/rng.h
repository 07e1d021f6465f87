/*
 * fab/rng.h — counter-based random streams.
 *
 * Every random quantity of a model draws from its own stream. A stream is Philox4x64-10
 * (Random123) keyed by a 128-bit xxHash (XXH3) of (model seed, element name, purpose), with
 * the replication index and a block counter in the Philox counter. Consequences:
 *   - the same (seed, element, purpose, replication) gives the same numbers on any machine,
 *     compiler and number of worker processes;
 *   - adding or removing an element changes no other element's numbers;
 *   - replications are independent streams, computable in any order.
 *
 * A fab_rng is a small value type (no heap memory); copy it to fork a stream's state.
 * Thread-compatible: one fab_rng must not be used by two threads at once.
 */
#ifndef FAB_RNG_H
#define FAB_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fab_rng {
    uint64_t key[2];     /* from fab_rng_key(seed, element, purpose) */
    uint64_t ctr[4];     /* ctr[0] block counter, ctr[1] replication, ctr[2..3] zero */
    uint64_t out[4];     /* the current block's outputs */
    unsigned next;       /* index of the next unused word of out[]; 4 means empty */
} fab_rng;

/* The stream key of (seed, element, purpose). element and purpose are NUL-terminated names,
 * e.g. ("press", "cycle") or ("press", "failure.jam.ttf"). */
void fab_rng_key(uint64_t key[2], uint64_t seed, const char *element, const char *purpose);

/* Position a stream at the start of a replication. */
void fab_rng_init(fab_rng *r, uint64_t seed, const char *element, const char *purpose,
                  uint64_t replication);
void fab_rng_init_key(fab_rng *r, const uint64_t key[2], uint64_t replication);

/* Next 64 uniformly distributed bits. */
uint64_t fab_rng_u64(fab_rng *r);

/* Uniform on the open interval (0, 1): (j + 1/2) * 2^-52 with j the top 52 bits of the next
 * word, i.e. the odd multiples of 2^-53. Never exactly 0 or 1; u and 1 - u are equally likely. */
double fab_rng_u01(fab_rng *r);

/* The mapping fab_rng_u01 applies to one 64-bit word (exposed for tests and generated code). */
double fab_rng_u01_from_u64(uint64_t bits);

/* Uniform integer in [0, n), unbiased (rejection). Returns 0 when n <= 1. */
uint64_t fab_rng_below(fab_rng *r, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
