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

typedef struct rt_evset {
    int kind;                   /* 1 heap, 2 calendar */
    size_t n;
    size_t peak;                /* largest n since init or clear */
    /* heap */
    rt_event *h;
    size_t cap;
    /* calendar queue */
    rt_cq_node *node;
    uint32_t node_cap, free_node;
    uint32_t *bucket;           /* head node per bucket */
    uint32_t nb;                /* number of buckets, a power of two */
    double width;
    double inv_width;           /* 1 / width: bucket numbers are t * inv_width */
    int64_t cur;                /* virtual bucket of the last dequeued event */
    double last_t;
} rt_evset;

int    rt_evset_init(rt_evset *q, int kind);
void   rt_evset_free(rt_evset *q);
void   rt_evset_clear(rt_evset *q);
int    rt_evset_push(rt_evset *q, const rt_event *e);
int    rt_evset_pop(rt_evset *q, rt_event *out);     /* 0 when empty */
/* Bytes held by the set (for the memory-per-pending-event figure). */
size_t rt_evset_bytes(const rt_evset *q);

#endif
