/*
 * rng_inline.h — the draw of fab/rng.h inline, for the samplers of dist.c, which draw on every
 * event: rng_next_u64 and rng_next_u01 return exactly what fab_rng_u64 and fab_rng_u01 return
 * (they are those functions' bodies); only the refill of a block, once every four words,
 * is a call. Private to the runtime.
 */
#ifndef RT_RNG_INLINE_H
#define RT_RNG_INLINE_H

#include "fab/rng.h"

enum { RNG_WORDS_PER_BLOCK = 4 };

/* Compute the stream's next Philox block into r->out and restart r->next at 0 (rng.c). */
void rng_refill(fab_rng *r);

static inline uint64_t rng_next_u64(fab_rng *r)
{
    if (r->next >= RNG_WORDS_PER_BLOCK)
        rng_refill(r);
    return r->out[r->next++];
}

/* (j + 1/2) * 2^-52 with j the top 52 bits: exact in a double, and in [2^-53, 1 - 2^-53]. */
static inline double rng_u01_from_u64(uint64_t bits)
{
    return ((double)(bits >> 12) + 0.5) * 0x1p-52;
}

static inline double rng_next_u01(fab_rng *r)
{
    return rng_u01_from_u64(rng_next_u64(r));
}

#endif
