/*
 * evset.c — pending-event sets: an implicit binary heap and a calendar queue (Brown, CACM
 * 1988) with bucket-count doubling/halving and a sampled bucket width.
 *
 * Both order events by (t, seq). The heap stores records inline (24 bytes each). The calendar
 * queue keeps records in a node pool linked by 32-bit indices (32 bytes per node) and sorted
 * lists per bucket, each bucket entry (16 bytes) holding its list's head and the head's time;
 * the bucket of an event is floor(t / width) mod nb (computed as t times 1 / width),
 * compared as an integer "virtual bucket"
 * so that no floating bucket boundary can drift. Which one the kernel uses by
 * default is decided by measurement (bench/runtime, docs/performance.md).
 *
 * The calendar's push and pop are inline in evset.h; this file holds the heap and what the
 * calendar needs rarely (node pool growth, resizing, the search after an empty year).
 */
#include "evset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- binary heap ------------------------------------------------------------------------- */

/* A binary implicit heap: the children of i are 2i + 1 and 2i + 2. It measured better than a
 * 4-ary heap on the line benchmark: the pending set fits in L1, where fewer comparisons per
 * level win (docs/performance.md). */

int rt_evset_heap_push(rt_evset *q, const rt_event *e)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap + q->cap / 2 : 256;   /* 1.5x: at most 36 bytes per pending event */
        rt_event *nh = realloc(q->h, nc * sizeof *nh);
        if (!nh)
            return -1;
        q->h = nh;
        q->cap = nc;
    }
    rt_event *h = q->h;
    size_t i = q->n++;
    if (q->n > q->peak)
        q->peak = q->n;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!rt_ev_before(e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = *e;
    return 0;
}

/* Floyd's bottom-up deletion: walk the hole down to a leaf along the smaller children (one
 * comparison per level), then sift the last record up from there (usually a step or two). */
int rt_evset_heap_pop(rt_evset *q, rt_event *out)
{
    if (q->n == 0)
        return 0;
    rt_event *h = q->h;
    *out = h[0];
    size_t n = --q->n;
    if (n == 0)
        return 1;
    size_t i = 0, c;
    while ((c = 2 * i + 1) < n) {
        if (c + 1 < n && rt_ev_before(&h[c + 1], &h[c]))
            c++;
        h[i] = h[c];
        i = c;
    }
    rt_event last = h[n];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!rt_ev_before(&last, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = last;
    return 1;
}

/* ---- calendar queue -------------------------------------------------------------------- */

/* The number of buckets and the queue lengths that trigger the next resize. */
static void cq_set_nb(rt_evset *q, uint32_t nb)
{
    q->nb = nb;
    q->mask = nb - 1;
    q->at_mask = q->mask * sizeof(rt_cq_bucket);
    q->grow_above = nb < (1u << 30) ? 2 * (size_t)nb : SIZE_MAX;
    q->shrink_below = nb > 16 ? nb / 2 : 0;
}

/* cur, the virtual bucket of the last dequeued event, as pop keeps it (for the current
 * bucket count). */
static void cq_set_cur(rt_evset *q, int64_t cur)
{
    q->cur_at = ((uint32_t)(uint64_t)cur & q->mask) * sizeof(rt_cq_bucket);
    q->top = cur < (int64_t)RT_CQ_TOP_MAX ? (double)(cur + 1) : -(double)INFINITY;
}

/* Every bucket empty: no head, time +infinity. */
static void cq_empty_buckets(rt_cq_bucket *bk, uint32_t nb)
{
    for (uint32_t b = 0; b < nb; b++)
        bk[b] = (rt_cq_bucket){.t = INFINITY, .head = CQ_NIL};
}

int rt_cq_grow(rt_evset *q)
{
    uint32_t nc = q->node_cap ? q->node_cap + q->node_cap / 2 : 256;
    /* 64-byte aligned, so that no 32-byte node straddles two cache lines */
    rt_cq_node *nn = aligned_alloc(64, ((size_t)nc * sizeof *nn + 63) & ~(size_t)63);
    if (!nn)
        return -1;
    if (q->node_cap)
        memcpy(nn, q->node, (size_t)q->node_cap * sizeof *nn);
    free(q->node);
    q->node = nn;
    q->node_cap = nc;
    return 0;
}

/* Rebuild with nb buckets; the width is three times the mean gap between the first events
 * (gaps over twice the mean discarded), as Brown suggests. */
int rt_cq_resize(rt_evset *q, uint32_t nb)
{
    rt_cq_bucket *nbk = malloc((size_t)nb * sizeof *nbk);
    if (!nbk)
        return -1;
    /* collect all nodes into one list */
    uint32_t all = CQ_NIL;
    for (uint32_t b = 0; b < q->nb; b++) {
        uint32_t i = q->bucket[b].head;
        while (i != CQ_NIL) {
            uint32_t nx = q->node[i].next;
            q->node[i].next = all;
            all = i;
            i = nx;
        }
    }
    /* sample the smallest times to size the width */
    enum { SAMPLE = 32 };
    double ts[SAMPLE];
    int ns = 0;
    for (uint32_t i = all; i != CQ_NIL; i = q->node[i].next) {
        double t = q->node[i].ev.t;
        if (ns < SAMPLE) {
            int k = ns++;
            while (k > 0 && ts[k - 1] > t) { ts[k] = ts[k - 1]; k--; }
            ts[k] = t;
        } else if (t < ts[SAMPLE - 1]) {
            int k = SAMPLE - 1;
            while (k > 0 && ts[k - 1] > t) { ts[k] = ts[k - 1]; k--; }
            ts[k] = t;
        }
    }
    if (ns >= 2) {
        double mean = (ts[ns - 1] - ts[0]) / (ns - 1), sum = 0;
        int cnt = 0;
        for (int k = 1; k < ns; k++) {
            double g = ts[k] - ts[k - 1];
            if (g <= 2 * mean) { sum += g; cnt++; }
        }
        double w = cnt ? 3.0 * sum / cnt : 0;
        if (w > 0 && isfinite(w) && isfinite(1.0 / w)) {
            q->inv_width = 1.0 / w;
        }
    }
    free(q->bucket);
    q->bucket = nbk;
    cq_set_nb(q, nb);
    cq_empty_buckets(nbk, nb);
    for (uint32_t i = all; i != CQ_NIL;) {
        uint32_t nx = q->node[i].next;
        rt_cq_insert_node(q, i);
        i = nx;
    }
    cq_set_cur(q, rt_cq_vb(q, q->last_t));
    return 0;
}

int rt_cq_search(rt_evset *q)
{
    uint32_t best = CQ_NIL;
    for (uint32_t b = 0; b < q->nb; b++) {
        uint32_t i = q->bucket[b].head;
        if (i != CQ_NIL && (best == CQ_NIL || rt_ev_before(&q->node[i].ev, &q->node[best].ev)))
            best = i;
    }
    if (best == CQ_NIL)
        return 0;
    cq_set_cur(q, rt_cq_vb(q, q->node[best].ev.t));
    return 1;
}

/* ---- set-up -------------------------------------------------------------------------- */

/* Node 0: the end of every list (CQ_NIL). */
static void cq_set_sentinel(rt_evset *q)
{
    q->node[CQ_NIL] = (rt_cq_node){.ev = {.t = INFINITY, .key = UINT64_MAX}, .next = CQ_NIL};
    q->node_hwm = 1;
}

int rt_evset_init(rt_evset *q, int kind)
{
    memset(q, 0, sizeof *q);
    q->kind = kind == 2 ? 2 : 1;
    q->free_node = CQ_NIL;
    if (q->kind == 2) {
        cq_set_nb(q, 16);
        cq_set_cur(q, 0);
        q->inv_width = 1.0;
        q->bucket = malloc(q->nb * sizeof *q->bucket);
        if (!q->bucket || rt_cq_grow(q))
            return -1;
        cq_set_sentinel(q);
        cq_empty_buckets(q->bucket, q->nb);
    }
    return 0;
}

void rt_evset_free(rt_evset *q)
{
    free(q->h);
    free(q->node);
    free(q->bucket);
    memset(q, 0, sizeof *q);
}

void rt_evset_clear(rt_evset *q)
{
    q->n = 0;
    q->peak = 0;
    if (q->kind == 2) {
        cq_empty_buckets(q->bucket, q->nb);
        q->free_node = CQ_NIL;
        cq_set_sentinel(q);
        cq_set_cur(q, 0);
        q->last_t = 0;
    }
}

size_t rt_evset_bytes(const rt_evset *q)
{
    return q->cap * sizeof(rt_event) + (size_t)q->node_cap * sizeof(rt_cq_node)
         + (size_t)q->nb * sizeof(rt_cq_bucket);
}
