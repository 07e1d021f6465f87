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

#include <stddef.h>
#include <stdint.h>

/* 24 bytes. key = seq << 24 | kind << 20 | elem: comparing keys compares sequence numbers
 * (unique), so (t, key) is the order. Limits: 2^20 elements, 16 kinds, 2^40 events per
 * replication (checked by the kernel). */
typedef struct rt_event {
    double t;
    uint64_t key;
    uint32_t gen;
    uint16_t a;
    uint16_t b;
} rt_event;

#define RT_EV_MAX_ELEM 0xFFFFFu
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
    uint32_t next;              /* index of the next node in the bucket, or UINT32_MAX */
} rt_cq_node;
_Static_assert(sizeof(rt_cq_node) == 32, "two calendar nodes per cache line");

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
    uint32_t node_hwm;          /* nodes [0, node_hwm) have been handed out since the last
                                 * clear: a new one is taken only when none was released, so
                                 * node_hwm is the largest n (the calendar's peak) */
    uint32_t *bucket;           /* head node per bucket */
    uint32_t nb;                /* number of buckets, a power of two */
    size_t grow_above;          /* resize to 2 nb when n > this (2 nb; none at 2^30 buckets) */
    size_t shrink_below;        /* resize to nb / 2 when n < this (nb / 2; none at 16) */
    double width;
    double inv_width;           /* 1 / width: bucket numbers are t * inv_width */
    int64_t cur;                /* virtual bucket of the last dequeued event */
    double last_t;
} rt_evset;

int    rt_evset_init(rt_evset *q, int kind);
void   rt_evset_free(rt_evset *q);
void   rt_evset_clear(rt_evset *q);
/* Bytes held by the set (for the memory-per-pending-event figure). */
size_t rt_evset_bytes(const rt_evset *q);

/* Push and pop (below) are inline: the kernel calls them for every event. What they need
 * rarely stays in evset.c: the heap, growing the node pool, resizing the calendar, and the
 * search for the next event after an empty year of buckets. */
int    rt_evset_heap_push(rt_evset *q, const rt_event *e);
int    rt_evset_heap_pop(rt_evset *q, rt_event *out);
int    rt_cq_grow(rt_evset *q);                         /* 0 or -1: a larger node pool */
int    rt_cq_resize(rt_evset *q, uint32_t nb);          /* 0 or -1 (old calendar kept) */
void   rt_cq_search(rt_evset *q);                       /* sets q->cur to the earliest event */

#define CQ_NIL UINT32_MAX

static inline int rt_ev_before(const rt_event *a, const rt_event *b)
{
    return (a->t < b->t) | ((a->t == b->t) & (a->key < b->key));
}

/* Event times are >= 0, so truncation is floor (and much cheaper than a libm call). A product
 * with the reciprocal of the width instead of a quotient: still non-decreasing in t, which is
 * all the queue needs (bucket numbers only have to be consistent and monotone; the order of
 * events is decided by (t, key) within and across buckets). */
static inline int64_t rt_cq_vb(const rt_evset *q, double t)
{
    return (int64_t)(t * q->inv_width);
}

/* Link node idx into its bucket's list, sorted by (t, key). */
static inline void rt_cq_insert_node(rt_evset *q, uint32_t idx)
{
    const rt_event *e = &q->node[idx].ev;
    uint32_t b = (uint32_t)((uint64_t)rt_cq_vb(q, e->t) & (q->nb - 1));
    uint32_t *link = &q->bucket[b];
    /* walk past the events not after e; equal times (rare) fall back to the keys */
    for (uint32_t i; (i = *link) != CQ_NIL; link = &q->node[i].next) {
        const rt_event *o = &q->node[i].ev;
        if (e->t < o->t || (e->t == o->t && e->key < o->key))
            break;
    }
    q->node[idx].next = *link;
    *link = idx;
}

static inline int rt_cq_push(rt_evset *q, const rt_event *e)
{
    uint32_t idx = q->free_node;
    if (idx != CQ_NIL) {
        q->free_node = q->node[idx].next;
    } else {
        if (q->node_hwm == q->node_cap && rt_cq_grow(q))
            return -1;
        idx = q->node_hwm++;
    }
    q->node[idx].ev = *e;
    rt_cq_insert_node(q, idx);
    q->n++;
    if (q->n > q->grow_above)
        return rt_cq_resize(q, q->nb * 2);
    return 0;
}

/* The earliest event is the head of the first bucket, from the current one on, whose head
 * falls in that bucket's virtual bucket (this year); after a year of misses, a direct search. */
static inline int rt_cq_pop(rt_evset *q, rt_event *out)
{
    if (q->n == 0)
        return 0;
    uint32_t mask = q->nb - 1;
    uint32_t k = 0;
    for (; k < q->nb; k++) {
        int64_t vb = q->cur + k;
        uint32_t i = q->bucket[(uint32_t)((uint64_t)vb & mask)];
        if (i != CQ_NIL && rt_cq_vb(q, q->node[i].ev.t) == vb) {
            q->cur = vb;
            break;
        }
    }
    if (k == q->nb)
        rt_cq_search(q);
    uint32_t b = (uint32_t)((uint64_t)q->cur & mask);
    uint32_t i = q->bucket[b];
    *out = q->node[i].ev;
    q->bucket[b] = q->node[i].next;
    q->node[i].next = q->free_node;
    q->free_node = i;
    q->n--;
    q->last_t = out->t;
    if (q->n < q->shrink_below)
        rt_cq_resize(q, q->nb / 2);    /* failure leaves the old (valid) calendar */
    return 1;
}

static inline int rt_evset_push(rt_evset *q, const rt_event *e)
{
    return q->kind == 1 ? rt_evset_heap_push(q, e) : rt_cq_push(q, e);
}

/* The largest number of pending events since init or clear. */
static inline size_t rt_evset_peak(const rt_evset *q)
{
    return q->kind == 1 ? q->peak : q->node_hwm;
}

/* The earliest event into *out; 0 when the set is empty. */
static inline int rt_evset_pop(rt_evset *q, rt_event *out)
{
    return q->kind == 1 ? rt_evset_heap_pop(q, out) : rt_cq_pop(q, out);
}

#endif
