/*
 * dist_inline.h — the exponential sampler of fab/dist.h inline, for the kernel's default
 * cycle sampler (an exponential cycle is drawn on every event of many models):
 * rt_dist_exponential returns exactly what fab_dist_exponential returns (it is that
 * function's body: the ziggurat's common layer here, the rest out of line in dist.c).
 * Private to the runtime.
 */
#ifndef RT_DIST_INLINE_H
#define RT_DIST_INLINE_H

#include "rng_inline.h"

#define DIST_ZIG_LAYERS 256

/* dist.c: layer edges of the exponential ziggurat, and the draw after a first word whose
 * layer did not accept at once (wedges, tail). */
extern const double dist_zig_exp_x[DIST_ZIG_LAYERS + 1];
double dist_std_exponential_rest(fab_rng *r, unsigned layer, double x);

/* A standard exponential variate: the first word's layer accepts 97.8 % of draws. */
static inline double dist_std_exponential(fab_rng *r)
{
    uint64_t w = rng_next_u64(r);
    unsigned layer = (unsigned)(w & 0xffu);
    double x = (double)(w >> 11) * 0x1p-53 * dist_zig_exp_x[layer];
    if (x < dist_zig_exp_x[layer + 1])
        return x;
    return dist_std_exponential_rest(r, layer, x);
}

static inline double rt_dist_exponential(fab_rng *r, double mean)
{
    return mean * dist_std_exponential(r);
}

#endif
