/*
 * evset.h — the pending-event set of the kernel: a binary heap or a calendar queue.
 *
 * In:  24-byte event records with a time and a sequence number.
 * Out: events in increasing (time, seq) order. seq is unique and increasing in scheduling
 *      order, so same-time events leave in the order they were scheduled (FIFO).
 * Memory: the set owns its arrays; they grow geometrically and are kept across
 * rt_evset_clear(), so a steady-state simulation does not allocate. Push returns -1 only when
 * growing fails.
 */
#ifndef RT_EVSET_H
#define RT_EVSET_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* 24 bytes. key = seq << 24 | kind << 20 | elem: comparing keys compares sequence numbers
 * (unique), so (t, key) is the order. Limits: 2^20 - 1 elements, 16 kinds, 2^40 events per
 * replication (checked by the kernel). */
typedef struct rt_event {
    double t;
    uint64_t key;
    uint32_t gen;
    uint16_t a;
    uint16_t b;
} rt_event;

#define RT_EV_MAX_ELEM 0xFFFFFu       /* FAB_MAX_ELEMENTS (fab/limits.h) */
#define RT_EV_MAX_SEQ (1ULL << 40)
static inline uint64_t rt_ev_key(uint64_t seq, unsigned kind, unsigned elem)
{
    return seq << 24 | (uint64_t)kind << 20 | elem;
}
static inline unsigned rt_ev_elem(const rt_event *e) { return (unsigned)(e->key & 0xFFFFF); }
static inline unsigned rt_ev_kind(const rt_event *e) { return (unsigned)(e->key >> 20) & 0xF; }
static inline uint64_t rt_ev_seq(const rt_event *e) { return e->key >> 24; }

typedef struct rt_cq_node {
    rt_event ev;
    uint32_t next;              /* index of the next node in the bucket, or CQ_NIL */
} rt_cq_node;
_Static_assert(sizeof(rt_cq_node) == 32, "two calendar nodes per cache line");

/* A bucket's list head and the time of its first event, so that finding the earliest event
 * and most inserts read no node. */
typedef struct rt_cq_bucket {
    double t;                   /* time of the head node's event; +infinity when empty */
    uint32_t head;              /* first node, or CQ_NIL */
    uint32_t unused;
} rt_cq_bucket;
_Static_assert(sizeof(rt_cq_bucket) == 16, "four buckets per cache line");

typedef struct rt_evset {
    int kind;                   /* 1 heap, 2 calendar */
    size_t n;
    size_t peak;                /* heap: largest n since init or clear (rt_evset_peak) */
    /* heap */
    rt_event *h;
    size_t cap;
    /* calendar queue */
    rt_cq_node *node;
    uint32_t node_cap;
    uint32_t free_node;         /* list of released nodes (LIFO), or CQ_NIL */
    uint32_t node_hwm;          /* nodes [1, node_hwm) have been handed out since the last
                                 * clear: a new one is taken only when none was released, so
                                 * node_hwm - 1 is the largest n (the calendar's peak) */
    rt_cq_bucket *bucket;
    uint32_t nb;                /* number of buckets, a power of two */
    uint32_t mask;              /* nb - 1 */
    size_t grow_above;          /* resize to 2 nb when n > this after an insert behind another
                                 * event (2 nb; none at 2^30 buckets) */
    size_t shrink_below;        /* resize to nb / 2 when n < this (nb / 2; none at 16) */
    double inv_width;           /* 1 / the bucket width: bucket numbers are t * inv_width */
    /* cur, the virtual bucket of the last dequeued event, as pop uses it: */
    size_t cur_at;              /* (cur & mask) * sizeof(rt_cq_bucket), its bucket's offset */
    size_t at_mask;             /* mask * sizeof(rt_cq_bucket), for such offsets */
    double top;                 /* cur + 1 as a double (exact, see RT_CQ_TOP_MAX), or
                                 * -infinity from 2^52 on: pop then finds events beyond the
                                 * current bucket by rt_cq_search */
    double last_t;
} rt_evset;

int    rt_evset_init(rt_evset *q, int kind);
void   rt_evset_free(rt_evset *q);
void   rt_evset_clear(rt_evset *q);
/* Bytes held by the set (for the memory-per-pending-event figure). */
size_t rt_evset_bytes(const rt_evset *q);

/* Push and pop (below) are inline: the kernel calls them for every event (push always inline:
 * the compiler's size limits would otherwise leave it out of line in some handlers). What
 * they need rarely stays in evset.c: the heap, growing the node pool, resizing the calendar,
 * and the search for the next event after an empty year of buckets. */
int    rt_evset_heap_push(rt_evset *q, const rt_event *e);
int    rt_evset_heap_pop(rt_evset *q, rt_event *out);
int    rt_cq_grow(rt_evset *q);                         /* 0 or -1: a larger node pool */
int    rt_cq_resize(rt_evset *q, uint32_t nb);          /* 0 or -1 (old calendar kept) */
int    rt_cq_search(rt_evset *q);   /* cur to the earliest event's bucket; 0 if empty */

/* The end of a list: node 0, a sentinel that is never handed out, with time +infinity and
 * the largest key, so that a walk along a sorted list stops at it without a test of its own. */
#define CQ_NIL 0u

static inline int rt_ev_before(const rt_event *a, const rt_event *b)
{
    return (a->t < b->t) | ((a->t == b->t) & (a->key < b->key));
}

/* Event times are >= 0, so truncation is floor (and much cheaper than a libm call). A product
 * with the reciprocal of the width instead of a quotient: still non-decreasing in t, which is
 * all the queue needs (bucket numbers only have to be consistent and monotone; the order of
 * events is decided by (t, key) within and across buckets). Times of 2^62 widths and more
 * (+infinity too: a sampler may return it for "never") share the bucket number 2^62 instead of
 * overflowing the conversion; the pop finds them by its search (RT_CQ_TOP_MAX). */
static inline int64_t rt_cq_vb(const rt_evset *q, double t)
{
    double p = t * q->inv_width;
#ifdef __SSE2__
    /* minsd: p when p < 2^62, else 2^62 (also for NAN), without a branch */
    p = _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(p), _mm_set_sd(0x1p62)));
#else
    p = p < 0x1p62 ? p : 0x1p62;
#endif
    return (int64_t)p;
}

/* Link node idx, which holds an event at (t, key), into its bucket's list, sorted by (t, key);
 * 1 if it went after the bucket's first event, 0 if it became the first.
 * Times are numbers (no NaN), so a time not below another and not above it is equal to it:
 * one compare of times less than a test for equality. */
static inline __attribute__((always_inline)) int rt_cq_link(rt_evset *q, uint32_t idx, double t,
                                                            uint64_t key)
{
    rt_cq_node *node = q->node;
    rt_cq_bucket *c = &q->bucket[(uint32_t)(uint64_t)rt_cq_vb(q, t) & q->mask];
    /* before the head (always so in an empty bucket, whose time is +infinity); equal times
     * (rare) fall back to the keys */
    if (t < c->t || (!(t > c->t) && key < node[c->head].ev.key)) {
        node[idx].next = c->head;
        c->head = idx;
        c->t = t;
        return 0;
    }
    /* after the head: walk past the events not after (t, key), at the latest to the
     * sentinel */
    uint32_t *link = &node[c->head].next, i;
    for (;;) {
        i = *link;
        const rt_event *o = &node[i].ev;
        if (t < o->t || (!(t > o->t) && key < o->key))
            break;
        link = &node[i].next;
    }
    node[idx].next = i;
    *link = idx;
    return 1;
}

/* Link node idx into its bucket's list, sorted by (t, key). */
static inline void rt_cq_insert_node(rt_evset *q, uint32_t idx)
{
    rt_cq_link(q, idx, q->node[idx].ev.t, q->node[idx].ev.key);
}

static inline __attribute__((always_inline)) int rt_cq_push(rt_evset *q, const rt_event *e)
{
    uint32_t idx = q->free_node;
    if (idx != CQ_NIL) {
        q->free_node = q->node[idx].next;
    } else {
        if (q->node_hwm == q->node_cap && rt_cq_grow(q))
            return -1;
        idx = q->node_hwm++;
    }
    /* the time and key stay in registers for the walk (a store of a double could otherwise
     * be taken to change the set's own double fields) */
    double t = e->t;
    uint64_t key = e->key;
    int behind = rt_cq_link(q, idx, t, key);
    q->node[idx].ev = *e;
    q->n++;
    /* growth is checked when the event goes behind another: a crowded calendar does that */
    if (behind && q->n > q->grow_above)
        rt_cq_resize(q, q->nb * 2);    /* failure leaves the old (valid) calendar */
    return 0;
}

/* A scan past the current bucket starts with the bound at most this, or at -infinity, and
 * adds at most nb - 1 < 2^30: the bound stays an exact integer below 2^52 + 2^30 < 2^53. */
#define RT_CQ_TOP_MAX 0x1p52

/* The earliest event is the head of the first bucket, from the current one on, whose head
 * falls in that bucket's virtual bucket (this year); after a year of misses, a direct search.
 * Every pending event's virtual bucket is at least cur, and the one of bucket cur + k's head
 * is cur + k + j * nb for some j >= 0, so it is cur + k exactly when the head's scaled time
 * p is below cur + k + 1 (floor(p) <= v if and only if p < v + 1; an empty bucket's
 * +infinity never is). The bound cur + k + 1 is kept as a double, exact (RT_CQ_TOP_MAX);
 * from 2^52 widths on, every pop that does not find its event in the current bucket ends in
 * rt_cq_search. An empty set is found empty by that search too (after a year of empty
 * buckets, +infinity each). */
static inline int rt_cq_pop(rt_evset *q, rt_event *out)
{
    rt_cq_node *node = q->node;
    char *bucket = (char *)q->bucket;   /* addressed by byte offsets: no scaling in the scan */
    double inv_width = q->inv_width;
    size_t at = q->cur_at;
    double top = q->top;
    rt_cq_bucket *c = (rt_cq_bucket *)(bucket + at);
    if (!(c->t * inv_width < top)) {
        if (top > RT_CQ_TOP_MAX)
            top = -(double)INFINITY;
        size_t at_mask = q->at_mask;
        for (uint32_t k = q->mask;; k--) {
            if (k == 0) {
                if (!rt_cq_search(q))
                    return 0;
                at = q->cur_at;
                top = q->top;
                c = (rt_cq_bucket *)(bucket + at);
                break;
            }
            at = (at + sizeof(rt_cq_bucket)) & at_mask;
            top += 1.0;
            c = (rt_cq_bucket *)(bucket + at);
            if (c->t * inv_width < top)
                break;
        }
    }
    uint32_t i = c->head;
    rt_cq_node *nd = &node[i];
    double t = nd->ev.t;
    uint32_t next = nd->next;
    *out = nd->ev;
    c->head = next;
    c->t = node[next].ev.t;    /* the sentinel's +infinity when the bucket is now empty */
    nd->next = q->free_node;
    q->free_node = i;
    q->cur_at = at;
    q->top = top;
    q->last_t = t;
    if (--q->n < q->shrink_below)
        rt_cq_resize(q, q->nb / 2);    /* failure leaves the old (valid) calendar */
    return 1;
}

static inline __attribute__((always_inline)) int rt_evset_push(rt_evset *q, const rt_event *e)
{
    if (q->kind == 1) {
        /* the heap gets a copy: the caller's record, whose address goes no further, can then
         * stay in registers on the calendar's path */
        rt_event copy = *e;
        return rt_evset_heap_push(q, &copy);
    }
    return rt_cq_push(q, e);
}

/* The largest number of pending events since init or clear. */
static inline size_t rt_evset_peak(const rt_evset *q)
{
    return q->kind == 1 ? q->peak : q->node_hwm - (q->node_hwm > 0);   /* less the sentinel */
}

/* The earliest event into *out; 0 when the set is empty. */
static inline int rt_evset_pop(rt_evset *q, rt_event *out)
{
    return q->kind == 1 ? rt_evset_heap_pop(q, out) : rt_cq_pop(q, out);
}

#endif
