/*
 * rng.c — counter-based random streams (implements fab/rng.h).
 *
 * In:  a model seed, an element name and a purpose (NUL-terminated; NULL reads as ""), and a
 *      replication index.
 * Out: a stream of 64-bit words, uniforms on (0, 1) and unbiased integers below n.
 * Memory: none; a fab_rng is a plain value owned by the caller.
 *
 * Stream key: XXH3-128 (seed 0) of the byte string
 *     seed as 8 little-endian bytes | element bytes | 0x00 | purpose bytes | 0x00
 * with key[0] = low 64 bits and key[1] = high 64 bits of the hash. The NUL after each name
 * makes the encoding unambiguous: ("ab", "c") and ("a", "bc") are different keys.
 * Counter: {block, replication, 0, 0}; block counts from 0, and each Philox4x64-10 call yields
 * four words, used in the order out[0], out[1], out[2], out[3]. docs/random.md describes this
 * mapping for users; changing it changes every model's numbers.
 *
 * Deliberately not handled: streams longer than 2^64 blocks (the block counter wraps), and
 * names containing NUL bytes (they end at the first NUL).
 */
/* XXH3 compiled into libfabrt (static inline functions), so that simulators need no libxxhash
 * at run time: the same algorithm, so the same keys, as the shared library's. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <Random123/philox.h>

#include "fab/rng.h"
#include "rng_inline.h"

#include <string.h>


static void rng_hash_name(XXH3_state_t *state, const char *name)
{
    static const unsigned char terminator = 0;
    if (name != NULL)
        XXH3_128bits_update(state, name, strlen(name));
    XXH3_128bits_update(state, &terminator, 1);
}

void fab_rng_key(uint64_t key[2], uint64_t seed, const char *element, const char *purpose)
{
    unsigned char seed_le[8];
    for (int i = 0; i < 8; i++)
        seed_le[i] = (unsigned char)(seed >> (8 * i));

    XXH3_state_t state;
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, seed_le, sizeof seed_le);
    rng_hash_name(&state, element);
    rng_hash_name(&state, purpose);
    XXH128_hash_t h = XXH3_128bits_digest(&state);
    key[0] = h.low64;
    key[1] = h.high64;
}

void fab_rng_init_key(fab_rng *r, const uint64_t key[2], uint64_t replication)
{
    r->key[0] = key[0];
    r->key[1] = key[1];
    r->ctr[0] = 0;
    r->ctr[1] = replication;
    r->ctr[2] = 0;
    r->ctr[3] = 0;
    memset(r->out, 0, sizeof r->out);
    r->next = RNG_WORDS_PER_BLOCK;
}

void fab_rng_init(fab_rng *r, uint64_t seed, const char *element, const char *purpose,
                  uint64_t replication)
{
    uint64_t key[2];
    fab_rng_key(key, seed, element, purpose);
    fab_rng_init_key(r, key, replication);
}

void rng_refill(fab_rng *r)
{
    philox4x64_ctr_t ctr = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
    philox4x64_key_t key = {{r->key[0], r->key[1]}};
    philox4x64_ctr_t out = philox4x64(ctr, key);
    for (int i = 0; i < RNG_WORDS_PER_BLOCK; i++)
        r->out[i] = out.v[i];
    r->ctr[0]++;
    r->next = 0;
}

uint64_t fab_rng_u64(fab_rng *r)
{
    return rng_next_u64(r);
}

double fab_rng_u01_from_u64(uint64_t bits)
{
    return rng_u01_from_u64(bits);
}

double fab_rng_u01(fab_rng *r)
{
    return fab_rng_u01_from_u64(fab_rng_u64(r));
}

uint64_t fab_rng_below(fab_rng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* Accept x >= 2^64 mod n: the accepted range is a whole number of copies of [0, n). */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = fab_rng_u64(r);
        if (x >= threshold)
            return x % n;
    }
}
