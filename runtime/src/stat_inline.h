/*
 * stat_inline.h — the two statistics updates on the kernel's per-event path, inline.
 *
 * In:  a tally and an observation, or a time-average, a time and a new level.
 * Out: the accumulator updated exactly as fab/stat.h documents; stat.c's public
 *      fab_stat_tally_add and fab_stat_timeavg_set are these functions, so there is one
 *      implementation. Floating-point contraction must be off wherever they are compiled
 *      (stat.c has a pragma; runtime/meson.build passes -ffp-contract=off to the whole
 *      runtime) so that the bits are the same on machines with fused multiply-add.
 * Memory: none. Not handled here: everything else in fab/stat.h.
 */
#ifndef RT_STAT_INLINE_H
#define RT_STAT_INLINE_H

#include "fab/stat.h"

/* A count (of parts, of observations) as a double: the same value as (double)n for every
 * count below 2^63, converted as a signed integer, which is one instruction on x86-64 where
 * an unsigned conversion takes several. */
static inline double rt_count(uint64_t n)
{
    return (double)(int64_t)n;
}

/* Welford's update of mean and m2, then min and max. */
static inline void rt_stat_tally_add(fab_stat_tally *t, double x)
{
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / rt_count(t->n);
    t->m2 += delta * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
}

/* The level changes to `level` at time `now` (not earlier than the previous change). */
static inline void rt_stat_timeavg_set(fab_stat_timeavg *a, double now, double level)
{
    a->area += a->level * (now - a->t_last);
    a->t_last = now;
    a->level = level;
    if (level > a->max)
        a->max = level;
}

#endif
