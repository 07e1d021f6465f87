/*
 * sim.c — the discrete-event kernel and the simple elements (source, buffer, sink).
 *
 * In:  a validated fab_model. Out: one replication's metrics, in the order of rt_layout.
 * The kernel pops events in (time, seq) order; seq is a global counter in scheduling order,
 * so same-time events run FIFO. After every event the "wake" FIFO is drained: elements whose
 * downstream may have room (or that just received a part) retry sending their parts on. This
 * keeps part moves iterative (no deep recursion) and deterministic.
 *
 * Memory: the fab_sim owns its element states, event set, part slabs and wait lists. Parts
 * come from slabs recycled through a free list; nothing is allocated per event or per part
 * once the pools have grown to the model's working size. Streams are keyed once per run and
 * repositioned for every replication.
 *
 * Deadlock: when an element on a directed cycle of the flow graph fails to send a part, the
 * kernel follows "waits for" edges; if every element reached is stuck (full and blocked), the
 * replication stops and the time and elements are recorded.
 */
#include "rt_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLAB_PARTS 256

void rt_sim_fail(fab_sim *s, const char *fmt, ...)
{
    if (s->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    s->failed = 1;
    s->stop = 1;
}

/* The replication fails: `what` went on without time passing; x is the element it was at
 * when the limit was reached (one of those involved). */
static void sim_fail_no_progress(fab_sim *s, const char *what, const rt_es *x)
{
    rt_sim_fail(s, "%s without time passing at t = %.17g s, last at %s %s (a loop of buffers "
                "or zero-time stations, or an unlimited source feeding elements that take no "
                "time?)", what, s->now, fab_kind_name(x->e->kind), x->e->name);
}

/* Called every RT_PROGRESS_MASK + 1 events: 1 (and the replication failed) when time has not
 * advanced over the last s->progress_limit events or so, which only zero-time elements
 * scheduling each other forever can do. */
#define RT_PROGRESS_MASK 0xFFFFFu
static __attribute__((noinline)) int sim_check_progress(fab_sim *s, const rt_event *ev)
{
    if (s->now != s->progress_now) {
        s->progress_now = s->now;
        s->progress_events = 0;
        return 0;
    }
    s->progress_events += RT_PROGRESS_MASK + 1;
    if (s->progress_events < s->progress_limit)
        return 0;
    sim_fail_no_progress(s, "events follow each other", &s->es[rt_ev_elem(ev)]);
    return 1;
}

/* ---- streams ---------------------------------------------------------------------------- */

void rt_stream_setup(fab_sim *s, rt_stream *st, const char *elem, const char *purpose)
{
    fab_rng_key(st->key, s->seed, elem, purpose);
    fab_rng_init_key(&st->rng, st->key, 0);
    if (s->nstreams == s->streams_cap) {
        size_t nc = s->streams_cap ? s->streams_cap * 2 : 64;
        rt_stream **nv = realloc(s->streams, nc * sizeof *nv);
        if (!nv) {
            rt_sim_fail(s, "out of memory");
            return;
        }
        s->streams = nv;
        s->streams_cap = nc;
    }
    s->streams[s->nstreams++] = st;
}

double rt_sample(const rt_sampler *rs, fab_rng *r, const fab_part *p)
{
    double x;
    if (rs->s.fn)
        x = rs->s.fn(r, p, rs->s.ctx);
    else if (rs->s.dist.kind == FAB_DIST_EXPONENTIAL && rs->s.dist.bound == FAB_BOUND_NONE)
        x = fab_dist_exponential(r, rs->s.dist.p[0]);   /* the commonest case, no dispatch */
    else
        x = fab_dist_sample(&rs->s.dist, r);
    if (rs->is_duration && !(x > 0))
        x = 0;          /* also maps NAN to 0 */
    return x;
}

/* ---- events ----------------------------------------------------------------------------- */

/* rt_schedule: rt_internal.h (inline, on every event's path) */

/* ---- parts ------------------------------------------------------------------------------ */

static int sim_slab_add(fab_sim *s)
{
    if (s->nslabs == s->slab_cap) {
        size_t nc = s->slab_cap ? s->slab_cap * 2 : 16;
        void **ns = realloc(s->slabs, nc * sizeof *ns);
        if (!ns)
            return -1;
        s->slabs = ns;
        s->slab_cap = nc;
    }
    char *slab = aligned_alloc(64, s->part_size * SLAB_PARTS);  /* part_size: whole lines */
    if (!slab)
        return -1;
    s->slabs[s->nslabs++] = slab;
    for (int i = SLAB_PARTS - 1; i >= 0; i--) {
        fab_part *p = (fab_part *)(slab + (size_t)i * s->part_size);
        p->next = s->free_parts;
        s->free_parts = p;
    }
    return 0;
}

static void sim_parts_reset(fab_sim *s)
{
    s->free_parts = NULL;
    for (size_t k = s->nslabs; k-- > 0;) {
        char *slab = s->slabs[k];
        for (int i = SLAB_PARTS - 1; i >= 0; i--) {
            fab_part *p = (fab_part *)(slab + (size_t)i * s->part_size);
            p->next = s->free_parts;
            s->free_parts = p;
        }
    }
}

fab_part *rt_part_new(fab_sim *s, int type, int creator)
{
    if (!s->free_parts && sim_slab_add(s)) {
        rt_sim_fail(s, "out of memory (parts)");
        return NULL;
    }
    fab_part *p = s->free_parts;
    s->free_parts = p->next;
    p->next = NULL;
    p->created = s->now;
    p->due = NAN;
    p->entered = s->now;
    p->key = 0;
    p->seq = 0;
    p->id = s->next_part_id++;
    p->type = type;
    p->route = -1;
    const fab_model *m = s->m;
    /* Attributes a part type does not define read 0, except "due": a type without a due date
     * has none (NAN), so its parts count neither as late nor as on time at a sink. */
    for (int i = 0; i < m->nattr; i++)
        p->attr[i] = i == m->due_slot ? NAN : 0;
    rt_es *c = &s->es[creator];
    for (int i = 0; i < c->nattr; i++)
        p->attr[c->attr[i].slot] = rt_sample(c->attr[i].s, &c->attr[i].st.rng, p);
    const rt_ptype *pt = &m->ptype[type];
    if (pt->init)
        pt->init(p, &c->init.rng, s, pt->init_ctx);
    if (m->due_slot >= 0)
        p->due = p->attr[m->due_slot];
    return p;
}

void rt_part_free(fab_sim *s, fab_part *p)
{
    p->next = s->free_parts;
    s->free_parts = p;
}

/* ---- wake-ups and waiting --------------------------------------------------------------- */

/* rt_wake, rt_notify_space: rt_internal.h (inline, on every event's path) */

/* A second or later waiter for d: appended to d->wait_more (grown as needed), unless it is
 * already waiting. */
static __attribute__((noinline)) void sim_wait_more(fab_sim *s, rt_es *d, rt_es *from)
{
    int nmore = d->nwait - 1;
    for (int i = 0; i < nmore; i++)
        if (d->wait_more[i] == from)
            return;
    if (nmore == d->wait_more_cap) {
        int nc = d->wait_more_cap ? d->wait_more_cap * 2 : 4;
        rt_es **nw = realloc(d->wait_more, (size_t)nc * sizeof *nw);
        if (!nw) {
            rt_sim_fail(s, "out of memory");
            return;
        }
        d->wait_more = nw;
        d->wait_more_cap = nc;
    }
    d->wait_more[nmore] = from;
    d->nwait++;
}

/* from waits for room in dst (once: already waiting is a no-op). */
static inline void sim_wait_on(fab_sim *s, rt_es *d, rt_es *from)
{
    if (d->nwait == 0) {
        d->wait0 = from;
        d->nwait = 1;
    } else if (d->wait0 != from) {
        sim_wait_more(s, d, from);
    }
}

/* ---- sink and buffer -------------------------------------------------------------------- */

static int sink_accept(fab_sim *s, rt_es *x, fab_part *p)
{
    double lead = s->now - p->created;
    x->count++;
    rt_stat_tally_add(&x->lead, lead);
    fab_stat_hist_add(&x->lead_hist, lead);
    if (!isnan(p->due)) {
        double late = lead - p->due;
        rt_stat_tally_add(&x->tard, late > 0 ? late : 0);
        x->with_due++;
        if (late <= 0)
            x->on_time++;
    }
    rt_part_free(s, p);
    return 1;
}

static inline int buf_before(const fab_part *a, const fab_part *b)
{
    return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

/* A keyed buffer files p in its heap (or, for a dynamic key, in entry order); 0 when out of
 * memory. */
static __attribute__((noinline)) int buffer_file_keyed(fab_sim *s, rt_es *x, fab_part *p)
{
    const rt_elem *e = x->e;
    if (!e->key_dynamic) {
        double k = e->key(p, s, e->key_ctx);
        p->key = e->descending ? -k : k;
    }
    p->seq = x->seq++;
    if (x->qlen == x->heap_cap) {
        uint64_t nc = x->heap_cap ? x->heap_cap * 2 : 64;
        fab_part **nh = realloc(x->heap, nc * sizeof *nh);
        if (!nh) {
            rt_sim_fail(s, "out of memory (buffer)");
            return 0;
        }
        x->heap = nh;
        x->heap_cap = nc;
    }
    uint64_t i = x->qlen;
    while (i > 0 && !e->key_dynamic) {     /* a dynamic-key buffer keeps entry order */
        uint64_t par = (i - 1) / 2;
        if (!buf_before(p, x->heap[par]))
            break;
        x->heap[i] = x->heap[par];
        i = par;
    }
    x->heap[i] = p;
    return 1;
}

/* For a RT_DIRECT_SOLE buffer: its station is busy (or in setup) until after now, so it cannot
 * take a part at this instant (it becomes idle only at its SERVER_END; a failure and repair
 * in between resume the cycle). Offering the part would be refused, with the only effect of
 * registering the buffer as the station's waiter; as no other element feeds the station,
 * registering now instead of when the wake-up is drained keeps every waiting list and every
 * order of same-time actions as it was. */
static inline int buffer_sole_busy(const fab_sim *s, const rt_es *x)
{
    const rt_server *v = &x->succ0->srv[0];
    return (v->state == FAB_STATE_BUSY || v->state == FAB_STATE_SETUP) && v->end_time > s->now;
}

/* x's list of parts (a source's queue, a FIFO buffer) without its head, whose successor in
 * the list is next (read before the head went on: an accepted part may be recycled). */
static inline void sim_queue_unlink_head(rt_es *x, fab_part *next)
{
    x->q_head = next;
    if (!next)
        x->q_tail = NULL;
    x->qlen--;
}

/* p appended to x's list of parts (a source's queue, a FIFO buffer). */
static inline void sim_queue_append(rt_es *x, fab_part *p)
{
    p->next = NULL;
    if (x->q_tail)
        x->q_tail->next = p;
    else
        x->q_head = p;
    x->q_tail = p;
    x->qlen++;
}

/* x's parts held recorded as its level, when that changed (after its offers). */
static inline void sim_level_update(fab_sim *s, rt_es *x)
{
    if (rt_count(x->qlen) != x->level.level)
        rt_stat_timeavg_set(&x->level, s->now, rt_count(x->qlen));
}

/* Buffer x has sent on a part that waited `waited` seconds: its count and mean wait. */
static inline void buffer_sent(rt_es *x, double waited)
{
    x->count++;
    x->wait_mean += (waited - x->wait_mean) / rt_count(x->count);
}

/* A part has entered buffer x: a buffer that now has to offer it is woken (or, as the sole
 * feeder of a busy station, registers as its waiter at once). */
static inline void buffer_wake(fab_sim *s, rt_es *x)
{
    if (x->direct == RT_DIRECT_SOLE && !x->in_wake && buffer_sole_busy(s, x))
        sim_wait_on(s, x->succ0, x);
    else
        rt_wake(s, x);
}

/* A part has entered buffer x: its level. */
static inline void buffer_level_in(fab_sim *s, rt_es *x)
{
    if (x->in_wake) {
        /* buffer_push_out runs at this same instant and records the level once it has offered
         * its parts: a part handed straight on is never counted as held. The area up to now is
         * added here, so the time average sums exactly as if the level had been recorded. */
        rt_stat_timeavg_set(&x->level, s->now, x->level.level);
    } else {
        rt_stat_timeavg_set(&x->level, s->now, rt_count(x->qlen));
    }
}

/* Part p enters FIFO buffer x, which has room. In a FIFO buffer that already held parts the
 * head is unchanged: it is either waiting downstream (registered as a waiter) or about to be
 * offered, so no wake-up is needed. */
static inline void buffer_fifo_in(fab_sim *s, rt_es *x, fab_part *p)
{
    p->entered = s->now;
    sim_queue_append(x, p);
    if (x->qlen == 1)
        buffer_wake(s, x);
    buffer_level_in(s, x);
}

__attribute__((noinline)) static int buffer_accept(fab_sim *s, rt_es *x, fab_part *p)
{
    if (x->qlen >= x->cap)
        return 0;
    if (x->order == FAB_ORDER_FIFO) {
        buffer_fifo_in(s, x, p);
        return 1;
    }
    p->entered = s->now;
    p->next = NULL;
    if (x->order == FAB_ORDER_LIFO) {
        p->next = x->q_head;
        x->q_head = p;
    } else if (!buffer_file_keyed(s, x, p)) {
        return 0;
    }
    x->qlen++;
    buffer_wake(s, x);      /* the part to offer may be the new one */
    buffer_level_in(s, x);
    return 1;
}

/* The offer of a station marked `pass` to its buffer x (FIFO, room > 0, one successor: a plain
 * station); 1 if x took the part, 0 if x is full. An empty x whose station is idle hands the
 * part straight on when nothing is waiting to be woken: the same actions, in the same order,
 * as buffer_accept followed by the buffer_push_out the drain would run first (x would head the
 * empty wake-up FIFO), minus what cancels out: linking and unlinking the part, the wake-up,
 * and a level record that stays 0 (with no wake-up queued, a buffer's level is its length).
 * The calling station is plain and does nothing after a part leaves that another element
 * could see (srv_released), so running x's offer before the rest of the station's event keeps
 * every same-time action, and event numbering, in order. Otherwise the same as buffer_accept
 * for a FIFO buffer. */
RT_KERNEL_INLINE int rt_buffer_offer(fab_sim *s, rt_es *x, fab_part *p)
{
    if (x->qlen == 0 && !s->wake_len && x->succ0->srv[0].state == FAB_STATE_IDLE) {
        p->entered = s->now;
        p->next = NULL;
        rt_station_accept(s, x->succ0, p);  /* idle and plain: takes it */
        buffer_sent(x, 0.0);
        rt_notify_space(s, x);
        return 1;
    }
    if (x->qlen >= x->cap)
        return 0;
    buffer_fifo_in(s, x, p);
    return 1;
}

/* Dynamic key: the index (in entry order) of the part whose key, evaluated now, is the
 * smallest (largest when descending); the earliest entered among equal keys. */
static uint64_t buffer_dynamic_pick(fab_sim *s, const rt_es *x)
{
    const rt_elem *e = x->e;
    uint64_t best = 0;
    double best_key = 0;
    for (uint64_t i = 0; i < x->qlen; i++) {
        double k = e->key(x->heap[i], s, e->key_ctx);
        if (e->descending)
            k = -k;
        if (i == 0 || k < best_key) {
            best = i;
            best_key = k;
        }
    }
    return best;
}

/* The part the buffer offers next; for a dynamic key also its index in x->heap. */
static fab_part *buffer_peek(fab_sim *s, const rt_es *x, uint64_t *index)
{
    *index = 0;
    if (x->qlen == 0)
        return NULL;
    if (x->order != FAB_ORDER_KEY)
        return x->q_head;
    if (x->e->key_dynamic)
        *index = buffer_dynamic_pick(s, x);
    return x->heap[*index];
}

/* Remove the part at `index` of a keyed buffer's x->heap (buffer_peek's index). */
static void buffer_key_remove(rt_es *x, uint64_t index)
{
    if (x->e->key_dynamic) {
        memmove(&x->heap[index], &x->heap[index + 1],
                (size_t)(x->qlen - 1 - index) * sizeof *x->heap);
    } else {
        uint64_t n = x->qlen - 1;
        fab_part *last = x->heap[n];
        uint64_t i = 0;
        for (;;) {
            uint64_t c = 2 * i + 1;
            if (c >= n)
                break;
            if (c + 1 < n && buf_before(x->heap[c + 1], x->heap[c]))
                c++;
            if (!buf_before(x->heap[c], last))
                break;
            x->heap[i] = x->heap[c];
            i = c;
        }
        if (n > 0)
            x->heap[i] = last;
    }
    x->qlen--;
}

/* Buffer x offers part p downstream: rt_route_push, with its commonest case, one successor
 * that is a station, made without the call that dispatches on the successor's kind. */
static inline int buffer_offer_on(fab_sim *s, rt_es *x, fab_part *p)
{
    if (x->direct && x->succ0->kind == FAB_KIND_STATION) {
        if (rt_station_accept(s, x->succ0, p))
            return 1;
        rt_route_refused(s, x, x->succ0);
        return 0;
    }
    return rt_route_push(s, x, p);
}

static void buffer_push_out(fab_sim *s, rt_es *x)
{
    int freed = 0;
    fab_part *p;
    uint64_t index;
    /* The head is offered in place and unlinked only once taken. Nothing an acceptance does
     * can touch this buffer (downstream elements only schedule events and wake-ups), but an
     * accepted part may already be recycled (a sink frees it): read its fields first. */
    while ((p = buffer_peek(s, x, &index)) != NULL) {
        double entered = p->entered;
        fab_part *next = p->next;
        if (!buffer_offer_on(s, x, p))
            break;
        if (x->order == FAB_ORDER_KEY) {
            buffer_key_remove(x, index);
        } else {
            sim_queue_unlink_head(x, next);
        }
        buffer_sent(x, s->now - entered);
        freed = 1;
        /* the station has just taken a part: the next offer would only register the buffer
         * as its waiter (buffer_sole_busy) */
        if (x->direct == RT_DIRECT_SOLE && x->qlen && buffer_sole_busy(s, x)) {
            sim_wait_on(s, x->succ0, x);
            break;
        }
    }
    /* The level counts the parts still here after the offers (see buffer_level_in). */
    sim_level_update(s, x);
    if (freed)
        rt_notify_space(s, x);
}

/* A station marked `pull` has just released its part, and its feeder b (a RT_DIRECT_SOLE
 * buffer, the only element that can wait for it) waits, with no other wake-up queued: waking
 * b would make b's offers the drain's next action. This is that action, buffer_push_out of b,
 * for what it is known to meet: b holds parts, its head goes to the idle plain station, and
 * the next part waits for it. Only a zero-time cycle leaves the station free again at this
 * instant; the general loop then makes the next offer. */
RT_KERNEL_INLINE void rt_buffer_feed(fab_sim *s, rt_es *b)
{
    rt_es *d = b->succ0;
    fab_part *p = b->q_head;
    double entered = p->entered;
    fab_part *next = p->next;
    rt_station_accept(s, d, p);     /* idle and plain: takes it */
    sim_queue_unlink_head(b, next);
    buffer_sent(b, s->now - entered);
    if (b->qlen) {
        if (buffer_sole_busy(s, b)) {
            sim_wait_on(s, d, b);
        } else {
            buffer_push_out(s, b);  /* the next offers, the level; nothing more freed */
            rt_notify_space(s, b);
            return;
        }
    }
    sim_level_update(s, b);
    rt_notify_space(s, b);
}

/* ---- source ----------------------------------------------------------------------------- */

static void source_push_out(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    if (e->unlimited) {
        for (uint64_t budget = s->instant_limit;; budget--) {
            if (budget == 0) {
                sim_fail_no_progress(s, "an unlimited source sends parts on", x);
                return;
            }
            if (!x->pending) {
                if (x->created >= x->limit)
                    return;
                x->pending = rt_part_new(s, e->part_type, e->id);
                if (!x->pending)
                    return;
                x->created++;
                x->count++;
            }
            x->pending->created = s->now;
            x->pending->entered = s->now;
            if (!rt_route_push(s, x, x->pending))
                return;
            x->pending = NULL;
        }
    }
    while (x->q_head) {
        fab_part *p = x->q_head;
        x->q_head = p->next;
        if (!rt_route_push(s, x, p)) {
            p->next = x->q_head;
            x->q_head = p;
            break;
        }
        if (!x->q_head)
            x->q_tail = NULL;
        x->qlen--;
    }
    /* The queue statistic counts the parts still here after the offers: a part created and
     * sent on at the same instant never waited (source_arrival leaves the level alone). */
    sim_level_update(s, x);
}

static void source_arrival(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    for (uint64_t i = 0; i < x->batch && x->created < x->limit; i++) {
        fab_part *p = rt_part_new(s, e->part_type, e->id);
        if (!p)
            return;
        x->created++;
        x->count++;
        if (e->on_block == FAB_ON_BLOCK_LOSE) {
            if (!rt_route_push(s, x, p)) {
                x->lost++;
                rt_part_free(s, p);
            }
            continue;
        }
        sim_queue_append(x, p);
    }
    if (x->qlen)
        rt_wake(s, x);     /* the level is recorded once the parts have been offered */
    if (x->created < x->limit)
        rt_schedule(s, s->now + rt_sample(e->interarrival, &x->ia.rng, NULL), RT_EV_ARRIVAL,
                    e->id, 0, 0, 0);
}

/* ---- routing ---------------------------------------------------------------------------- */

/* Any offer. Kept out of line so that rt_accept's common case needs no stack frame. */
__attribute__((noinline)) static int sim_accept_any(fab_sim *s, rt_es *d, fab_part *p)
{
    int saved = p->route;
    p->route = -1;
    int ok;
    switch (d->kind) {
    case FAB_KIND_SINK: ok = sink_accept(s, d, p); break;
    case FAB_KIND_BUFFER: ok = buffer_accept(s, d, p); break;
    case FAB_KIND_STATION:
    case FAB_KIND_ASSEMBLY: ok = rt_station_accept(s, d, p); break;
    case FAB_KIND_CONVEYOR: ok = rt_conveyor_accept(s, d, p); break;
    default: ok = 0; break;
    }
    if (!ok)
        p->route = saved;
    return ok;
}

int rt_accept_unrouted(fab_sim *s, rt_es *d, fab_part *p)
{
    /* The commonest offers, to a station or a buffer: no route to save and restore, a plain
     * tail call. */
    if (d->kind == FAB_KIND_STATION)
        return rt_station_accept(s, d, p);
    if (d->kind == FAB_KIND_BUFFER)
        return buffer_accept(s, d, p);
    return sim_accept_any(s, d, p);
}

int rt_accept(fab_sim *s, rt_es *d, fab_part *p)
{
    if (p->route < 0)
        return rt_accept_unrouted(s, d, p);
    return sim_accept_any(s, d, p);
}

RT_KERNEL_INLINE void rt_route_refused(fab_sim *s, rt_es *from, rt_es *dst)
{
    sim_wait_on(s, dst, from);
    if (from->on_cycle)
        rt_check_deadlock(s, from->id);
}

int rt_route_push_routed(fab_sim *s, rt_es *x, fab_part *p)
{
    const rt_elem *e = x->e;
    if (p->route < 0 && (e->rule || e->has_prob)) {
        int k;
        if (e->rule) {
            /* -1: no rule fits; the part goes to the first successor that accepts it (and the
             * rule is asked again when the part is offered next) */
            k = e->rule(p, s, e->rule_ctx);
            if (k < -1 || k >= e->nsucc) {
                rt_sim_fail(s, "route %s: the rule chose successor %d of %d", e->name, k, e->nsucc);
                return 0;
            }
        } else {
            double u = fab_rng_u01(&x->route.rng), acc = 0;
            k = -1;
            for (int i = 0; i < e->nsucc; i++) {
                if (e->prob[i] > 0)
                    k = i;
                acc += e->prob[i];
                if (u < acc && e->prob[i] > 0)
                    break;
            }
        }
        p->route = k;
    }
    if (p->route >= 0) {
        rt_es *d = &s->es[e->succ[p->route]];
        if (rt_accept(s, d, p))
            return 1;
        sim_wait_on(s, d, x);
    } else {
        for (int i = 0; i < e->nsucc; i++)
            if (rt_accept(s, &s->es[e->succ[i]], p))
                return 1;
        for (int i = 0; i < e->nsucc; i++)
            sim_wait_on(s, &s->es[e->succ[i]], x);
    }
    rt_check_deadlock(s, x->id);
    return 0;
}

/* ---- deadlock --------------------------------------------------------------------------- */

static int sim_stuck(const fab_sim *s, const rt_es *x)
{
    if (x->in_wake)
        return 0;
    switch (x->e->kind) {
    case FAB_KIND_BUFFER: return x->qlen > 0 && x->qlen >= x->cap;
    case FAB_KIND_STATION:
    case FAB_KIND_ASSEMBLY: return rt_station_stuck(s, x);
    case FAB_KIND_CONVEYOR: return rt_conveyor_stuck(s, x);
    default: return 0;
    }
}

/* The successor a stuck element waits for through part p. */
static int sim_dl_target(const rt_elem *e, const fab_part *p)
{
    return (p && p->route >= 0) ? e->succ[p->route] : -1;
}

/* The walk of rt_check_deadlock: elements to look at (each pushed once, so the stack never
 * holds more than nelem) and the ones seen, whose flags are cleared afterwards. */
typedef struct sim_dl_walk {
    int *stack, *visit, *vis_list;
    int sp, nvis;
} sim_dl_walk;

static void sim_dl_visit(sim_dl_walk *w, int d)
{
    if (w->visit[d])
        return;
    w->visit[d] = 1;
    w->vis_list[w->nvis++] = d;
    w->stack[w->sp++] = d;
}

/* A stuck element with a rule or probabilities waits for the successors its held parts were
 * routed to: visit those and return 1. Return 0 (visiting nothing) when that is unknown (a
 * part without a route, or no part found), so that the caller visits all successors. */
static int sim_dl_visit_routed(fab_sim *s, const rt_es *x, sim_dl_walk *w)
{
    const rt_elem *e = x->e;
    if (e->kind == FAB_KIND_STATION || e->kind == FAB_KIND_ASSEMBLY) {
        unsigned nblocked = 0;
        for (unsigned k = 0; k < x->nsrv; k++) {
            if (x->srv[k].state != FAB_STATE_BLOCKED)
                continue;
            if (sim_dl_target(e, x->srv[k].part) < 0)
                return 0;
            nblocked++;
        }
        if (nblocked == 0)
            return 0;
        for (unsigned k = 0; k < x->nsrv; k++)
            if (x->srv[k].state == FAB_STATE_BLOCKED)
                sim_dl_visit(w, sim_dl_target(e, x->srv[k].part));
        return 1;
    }
    int d = -1;
    if (e->kind == FAB_KIND_BUFFER) {
        uint64_t index;
        d = sim_dl_target(e, buffer_peek(s, x, &index));
    } else if (e->kind == FAB_KIND_CONVEYOR && x->cv_len) {
        d = sim_dl_target(e, x->cv[x->cv_head].part);
    }
    if (d < 0)
        return 0;
    sim_dl_visit(w, d);
    return 1;
}

void rt_check_deadlock(fab_sim *s, int from)
{
    if (!s->dl_mark || !s->dl_mark[from] || s->deadlock)
        return;
    /* dl_mark[e] != 0: e lies on a directed cycle of the flow graph */
    sim_dl_walk w = {.stack = s->dl_stack, .visit = s->dl_stack + s->nelem,
                     .vis_list = s->dl_stack + 2 * s->nelem};   /* visit flags cleared after */
    int ok = 1;
    sim_dl_visit(&w, from);
    while (w.sp > 0) {
        const rt_es *x = &s->es[w.stack[--w.sp]];
        if (!sim_stuck(s, x)) {
            ok = 0;
            break;
        }
        const rt_elem *e = x->e;
        if (!((e->rule || e->has_prob) && sim_dl_visit_routed(s, x, &w)))
            for (int k = 0; k < e->nsucc; k++)
                sim_dl_visit(&w, e->succ[k]);
    }
    int *visit = w.visit;
    if (ok) {
        for (int i = 0; i < s->nelem; i++)
            s->dl_set[i] = visit[i];
        s->deadlock = 1;
        s->stop = 1;
        s->deadlock_time = s->now;
    }
    for (int i = 0; i < w.nvis; i++)
        visit[w.vis_list[i]] = 0;
}

/* Mark elements on a directed cycle of the flow graph: those in a strongly connected
 * component of two or more elements, or with a flow to themselves. Tarjan's algorithm with
 * an explicit stack, linear in the size of the graph. 0, or -1 when out of memory. */
static int sim_mark_cycles(fab_sim *s)
{
    int rc = -1;
    int n = s->nelem;
    int *index = malloc((size_t)n * sizeof *index), *low = malloc((size_t)n * sizeof *low);
    int *onstk = calloc((size_t)n, sizeof *onstk), *stk = malloc((size_t)n * sizeof *stk);
    int *cs_node = malloc((size_t)n * sizeof *cs_node), *cs_edge = malloc((size_t)n * sizeof *cs_edge);
    if (!index || !low || !onstk || !stk || !cs_node || !cs_edge)
        goto out;
    for (int i = 0; i < n; i++)
        index[i] = -1;
    int counter = 0, sp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0)
            continue;
        int cp = 0;
        cs_node[cp] = root;
        cs_edge[cp++] = 0;
        index[root] = low[root] = counter++;
        stk[sp++] = root;
        onstk[root] = 1;
        while (cp > 0) {
            int v = cs_node[cp - 1];
            const rt_elem *e = s->m->elem[v];
            if (cs_edge[cp - 1] < e->nsucc) {
                int w = e->succ[cs_edge[cp - 1]++];
                if (w == v)
                    s->dl_mark[v] = 1;
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stk[sp++] = w;
                    onstk[w] = 1;
                    cs_node[cp] = w;
                    cs_edge[cp++] = 0;
                } else if (onstk[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                int size = 0, top = sp;
                do {
                    onstk[stk[--sp]] = 0;
                    size++;
                } while (stk[sp] != v);
                if (size > 1)
                    for (int k = sp; k < top; k++)
                        s->dl_mark[stk[k]] = 1;
            }
            cp--;
            if (cp > 0) {
                int u = cs_node[cp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
    rc = 0;
out:
    free(index);
    free(low);
    free(onstk);
    free(stk);
    free(cs_node);
    free(cs_edge);
    return rc;
}

/* ---- view ------------------------------------------------------------------------------- */

double fab_sim_now(const fab_sim *s) { return s->now; }

double fab_sim_level(const fab_sim *s, int elem)
{
    if (elem < 0 || elem >= s->nelem)
        return NAN;
    const rt_es *x = &s->es[elem];
    switch (x->e->kind) {
    case FAB_KIND_SOURCE: return (double)x->qlen + (x->pending ? 1 : 0);
    case FAB_KIND_BUFFER: return (double)x->qlen;
    case FAB_KIND_CONVEYOR: return (double)x->cv_len;
    case FAB_KIND_STATION:
    case FAB_KIND_ASSEMBLY: return rt_station_level(x);
    default: return 0;
    }
}

fab_state fab_sim_state(const fab_sim *s, int elem)
{
    if (elem < 0 || elem >= s->nelem)
        return FAB_STATE_IDLE;
    const rt_es *x = &s->es[elem];
    if (x->e->kind == FAB_KIND_STATION || x->e->kind == FAB_KIND_ASSEMBLY)
        return rt_station_state(x);
    return FAB_STATE_IDLE;
}

/* ---- metric layout ---------------------------------------------------------------------- */

static const char *const sim_metrics_source[] = {"created", "queue_mean", "queue_max", "lost"};
static const char *const sim_metrics_station[] = {
    "throughput_per_h", "utilization", "state_fraction.idle", "state_fraction.busy",
    "state_fraction.blocked", "state_fraction.setup", "state_fraction.down", "energy_kwh",
    "energy_kwh_per_part", "failures"};
static const char *const sim_metrics_buffer[] = {"mean_level", "max_level", "mean_wait_s",
                                                 "throughput_per_h"};
static const char *const sim_metrics_conveyor[] = {"mean_level", "max_level", "mean_transit_s",
                                                   "throughput_per_h"};
static const char *const sim_metrics_sink[] = {
    "count", "throughput_per_h", "lead_time_s", "lead_time_percentiles_s.p50",
    "lead_time_percentiles_s.p90", "lead_time_percentiles_s.p99", "tardiness_s", "on_time"};

static const char *const *sim_metrics_of(fab_kind k, int *n)
{
#define SIM_N(a) (int)(sizeof a / sizeof a[0])
    switch (k) {
    case FAB_KIND_SOURCE: *n = SIM_N(sim_metrics_source); return sim_metrics_source;
    case FAB_KIND_STATION:
    case FAB_KIND_ASSEMBLY: *n = SIM_N(sim_metrics_station); return sim_metrics_station;
    case FAB_KIND_BUFFER: *n = SIM_N(sim_metrics_buffer); return sim_metrics_buffer;
    case FAB_KIND_CONVEYOR: *n = SIM_N(sim_metrics_conveyor); return sim_metrics_conveyor;
    case FAB_KIND_SINK: *n = SIM_N(sim_metrics_sink); return sim_metrics_sink;
    }
#undef SIM_N
    *n = 0;
    return NULL;
}

int rt_layout_build(const fab_model *m, rt_layout *L)
{
    int total = 0, n;
    for (int i = 0; i < m->nelem; i++) {
        sim_metrics_of(m->elem[i]->kind, &n);
        total += n;
    }
    L->nmetric = total;
    L->elem = malloc((size_t)(total ? total : 1) * sizeof *L->elem);
    L->name = malloc((size_t)(total ? total : 1) * sizeof *L->name);
    if (!L->elem || !L->name) {
        rt_layout_free(L);
        return -1;
    }
    int k = 0;
    for (int i = 0; i < m->nelem; i++) {
        const char *const *names = sim_metrics_of(m->elem[i]->kind, &n);
        for (int j = 0; j < n; j++, k++) {
            L->elem[k] = i;
            L->name[k] = names[j];
        }
    }
    return 0;
}

void rt_layout_free(rt_layout *L)
{
    free(L->elem);
    free(L->name);
    L->elem = NULL;
    L->name = NULL;
    L->nmetric = 0;
}

/* ---- replication ------------------------------------------------------------------------ */

static int sim_attr_streams(fab_sim *s, rt_es *x, int type)
{
    const fab_model *m = s->m;
    const rt_ptype *pt = &m->ptype[type];
    x->nattr = pt->nattr;
    if (pt->nattr) {
        x->attr = calloc((size_t)pt->nattr, sizeof *x->attr);
        if (!x->attr)
            return -1;
    }
    for (int i = 0; i < pt->nattr; i++) {
        x->attr[i].slot = pt->attr[i].slot;
        x->attr[i].s = pt->attr[i].s;
        rt_stream_setup(s, &x->attr[i].st, x->e->name, pt->attr[i].s->purpose);
    }
    rt_stream_setup(s, &x->init, x->e->name, "attr");
    return 0;
}

/* The element states, zeroed, aligned as rt_es requires (64 bytes). Large arrays are aligned
 * to 2 MiB and marked for transparent huge pages: every event touches a few elements
 * scattered over the array, and with 4 KiB pages a 1000-station line misses the TLB on most
 * of them. */
static rt_es *sim_alloc_elements(size_t n)
{
    size_t bytes = n * sizeof(rt_es);
    size_t align = bytes < ((size_t)1 << 20) ? _Alignof(rt_es) : (size_t)2 << 20;
    size_t rounded = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, rounded ? rounded : align);
    if (!p && align > _Alignof(rt_es)) {
        align = _Alignof(rt_es);
        rounded = (bytes + align - 1) / align * align;
        p = aligned_alloc(align, rounded);
    }
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (align > _Alignof(rt_es))
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, bytes);
    return p;
}

/* RT_DIRECT_SOLE buffers, and the stations that may pass parts through their buffer or pull
 * them from their feeder (see rt_internal.h); 0 or -1 when out of memory. */
static int sim_mark_shortcuts(fab_sim *s)
{
    int *npred = calloc((size_t)s->nelem, sizeof *npred);
    if (!npred)
        return -1;
    for (int i = 0; i < s->nelem; i++)
        for (int k = 0; k < s->es[i].e->nsucc; k++)
            npred[s->es[i].succ[k]]++;
    for (int i = 0; i < s->nelem; i++) {
        rt_es *x = &s->es[i];
        if (x->kind != FAB_KIND_BUFFER || x->direct != RT_DIRECT || x->on_cycle
            || x->order != FAB_ORDER_FIFO)
            continue;
        const rt_es *d = x->succ0;
        if (d->kind == FAB_KIND_STATION && d->nsrv == 1 && npred[d->id] == 1)
            x->direct = RT_DIRECT_SOLE;
    }
    free(npred);
    /* rt_es.pass and pull: every station is set up (plain) by now */
    for (int i = 0; i < s->nelem; i++) {
        rt_es *x = &s->es[i];
        rt_es *b = x->succ0;
        if (x->kind == FAB_KIND_BUFFER && x->direct == RT_DIRECT_SOLE && b->plain)
            b->pull = 1;
        x->pass = x->kind == FAB_KIND_STATION && x->plain && x->direct != RT_ROUTED
                  && b->kind == FAB_KIND_BUFFER && b->order == FAB_ORDER_FIFO && b->cap > 0
                  && b->direct != RT_ROUTED && b->succ0->kind == FAB_KIND_STATION
                  && b->succ0->plain;
    }
    return 0;
}

fab_sim *rt_sim_new(const fab_model *m, fab_evset_kind evk, double horizon, double warmup,
                    uint64_t seed, char *err, size_t errsize)
{
    fab_sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    s->m = m;
    s->horizon = horizon;
    s->warmup = warmup;
    s->seed = seed;
    s->nelem = m->nelem;
    s->instant_limit = rt_instant_limit(m->nelem);
    s->progress_limit = s->instant_limit;   /* raised by large batches below */
    /* a whole number of cache lines, so that a part's fixed fields (64 bytes) are one line */
    _Static_assert(sizeof(fab_part) == 64, "a part's fixed fields fill one cache line");
    s->part_size = (sizeof(fab_part) + (size_t)m->nattr * sizeof(double) + 63) & ~(size_t)63;
    int evkind = evk == FAB_EVSET_HEAP ? 1 : 2;     /* default: calendar queue */
    s->es = sim_alloc_elements((size_t)m->nelem);
    s->wake_mask = 1;
    while (s->wake_mask < (unsigned)m->nelem)
        s->wake_mask <<= 1;
    s->wake = malloc((size_t)s->wake_mask * sizeof *s->wake);
    s->wake_mask -= 1;
    s->dl_mark = calloc((size_t)m->nelem, sizeof *s->dl_mark);
    s->dl_stack = calloc((size_t)m->nelem * 4, sizeof *s->dl_stack);
    s->dl_set = s->dl_stack ? s->dl_stack + 3 * m->nelem : NULL;
    if (rt_evset_init(&s->ev, evkind) || !s->es || !s->wake || !s->dl_mark || !s->dl_stack
        || sim_mark_cycles(s)) {
        rt_sim_free(s);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    for (int i = 0; i < m->nelem; i++) {
        rt_es *x = &s->es[i];
        const rt_elem *e = m->elem[i];
        x->e = e;
        x->kind = e->kind;
        x->on_cycle = s->dl_mark[i] != 0;
        x->id = i;
        x->is_asm = e->kind == FAB_KIND_ASSEMBLY;
        x->order = e->order;
        x->setup = e->setup;
        x->succ = e->succ;
        x->direct = e->nsucc == 1 && !e->rule ? RT_DIRECT : RT_ROUTED;
        x->succ0 = e->nsucc ? &s->es[e->succ[0]] : NULL;
        if (e->has_prob)
            rt_stream_setup(s, &x->route, e->name, "route");
        int rc = 0;
        switch (e->kind) {
        case FAB_KIND_SOURCE:
            if (e->interarrival)
                rt_stream_setup(s, &x->ia, e->name, "interarrival");
            x->batch = rt_count_u64(e->batch);
            x->limit = rt_count_u64(e->limit);
            if (x->batch > 1) {     /* at most instant_limit (rt_model_validate) */
                uint64_t need = s->instant_limit + 4 * x->batch * (uint64_t)m->nelem;
                if (need > s->progress_limit)
                    s->progress_limit = need;
            }
            rc = sim_attr_streams(s, x, e->part_type);
            break;
        case FAB_KIND_BUFFER:
            x->cap = rt_count_u64(e->capacity);
            break;
        case FAB_KIND_STATION:
            rc = rt_station_setup(s, x);
            break;
        case FAB_KIND_ASSEMBLY:
            rc = rt_station_setup(s, x);
            if (!rc)
                rc = sim_attr_streams(s, x, e->out_type);
            break;
        case FAB_KIND_CONVEYOR:
            rc = rt_conveyor_setup(s, x);
            break;
        case FAB_KIND_SINK:
            rc = fab_stat_hist_init(&x->lead_hist);
            break;
        }
        if (rc || s->failed) {
            snprintf(err, errsize, "%s", s->failed ? s->err : "out of memory");
            rt_sim_free(s);
            return NULL;
        }
    }
    if (sim_mark_shortcuts(s)) {
        snprintf(err, errsize, "out of memory");
        rt_sim_free(s);
        return NULL;
    }
    return s;
}

void rt_sim_free(fab_sim *s)
{
    if (!s)
        return;
    if (s->es) {
        for (int i = 0; i < s->nelem; i++) {
            rt_es *x = &s->es[i];
            free(x->wait_more);
            free(x->attr);
            free(x->heap);
            free(x->cv);
            fab_stat_hist_free(&x->lead_hist);
            rt_station_free(x);
        }
    }
    free(s->es);
    free(s->wake);
    free(s->dl_mark);
    free(s->dl_stack);
    for (size_t k = 0; k < s->nslabs; k++)
        free(s->slabs[k]);
    free(s->slabs);
    free(s->streams);
    rt_evset_free(&s->ev);
    free(s);
}

static inline __attribute__((always_inline)) void sim_drain_wakes(fab_sim *s)
{
    /* Parts that circulate through zero-time elements (buffers routed into each other) would
     * keep this loop going without time passing: stop the replication instead of hanging. */
    uint64_t budget = s->instant_limit;
    while (s->wake_len) {
        if (--budget == 0) {
            sim_fail_no_progress(s, "parts move in a loop", s->wake[s->wake_head]);
            return;
        }
        rt_es *x = s->wake[s->wake_head];
        s->wake_head = (s->wake_head + 1) & s->wake_mask;
        s->wake_len--;
        x->in_wake = 0;
        /* buffers and stations first: the wake-ups of a line */
        if (x->kind == FAB_KIND_BUFFER)
            buffer_push_out(s, x);
        else if (x->kind == FAB_KIND_STATION || x->kind == FAB_KIND_ASSEMBLY)
            rt_station_push_out(s, x);
        else if (x->kind == FAB_KIND_SOURCE)
            source_push_out(s, x);
        else if (x->kind == FAB_KIND_CONVEYOR)
            rt_conveyor_push_out(s, x);
    }
}

static void sim_reset_stats(fab_sim *s, rt_es *x)
{
    x->count = x->count_out = 0;
    x->lost = 0;
    x->failures = 0;
    fab_stat_timeavg_reset(&x->level, s->now);
    x->wait_mean = 0;
    fab_stat_tally_reset(&x->transit);
    fab_stat_tally_reset(&x->lead);
    fab_stat_tally_reset(&x->tard);
    if (x->lead_hist.bin)
        fab_stat_hist_reset(&x->lead_hist);
    x->on_time = x->with_due = 0;
}

static void sim_warmup(fab_sim *s)
{
    for (int i = 0; i < s->nelem; i++) {
        rt_es *x = &s->es[i];
        sim_reset_stats(s, x);
        if (x->e->kind == FAB_KIND_STATION || x->e->kind == FAB_KIND_ASSEMBLY)
            rt_station_warmup(s, x);
    }
}

/* The replication's metrics over [warmup, end] into row (layout order). An empty window (a
 * deadlock before the warmup's end) gives counts of 0 and NaN for every mean, rate, maximum
 * and fraction. */
static void sim_metrics(fab_sim *s, double end, double *row)
{
    double T = end - s->warmup;
    double perh = T > 0 ? 3600.0 / T : NAN;
    double no_window = T > 0 ? 0.0 : NAN;     /* added to each maximum */
    double *o = row;
    for (int i = 0; i < s->nelem; i++) {
        rt_es *x = &s->es[i];
        switch (x->e->kind) {
        case FAB_KIND_SOURCE:
            *o++ = (double)x->count;
            *o++ = fab_stat_timeavg_mean(&x->level, end);
            *o++ = x->level.max + no_window;
            *o++ = (double)x->lost;
            break;
        case FAB_KIND_STATION:
        case FAB_KIND_ASSEMBLY: {
            rt_station_finish(s, x);
            double t[FAB_STATE__COUNT] = {0}, energy = 0;
            for (unsigned k = 0; k < x->nsrv; k++)
                for (int st = 0; st < FAB_STATE__COUNT; st++) {
                    t[st] += x->srv[k].t_state[st];
                    energy += x->srv[k].t_state[st] * x->e->power[st];
                }
            /* State fractions of the servers' summed state times, which add up to T * nsrv
             * only up to rounding: dividing by their sum keeps each fraction within [0, 1]
             * and their total 1 (T * nsrv could leave a busy-throughout station at
             * 1.0000000000000002). */
            double denom = 0;
            for (int st = 0; st < FAB_STATE__COUNT; st++)
                denom += t[st];
            if (!(T > 0))
                denom = 0;
            energy /= 3.6e6;
            *o++ = (double)x->count_out * perh;
            *o++ = denom > 0 ? t[FAB_STATE_BUSY] / denom : NAN;
            for (int st = 0; st < FAB_STATE__COUNT; st++)
                *o++ = denom > 0 ? t[st] / denom : NAN;
            *o++ = energy;
            *o++ = x->count_out ? energy / (double)x->count_out : NAN;
            *o++ = (double)x->failures;
            break;
        }
        case FAB_KIND_BUFFER:
        case FAB_KIND_CONVEYOR:
            *o++ = fab_stat_timeavg_mean(&x->level, end);
            *o++ = x->level.max + no_window;
            *o++ = x->e->kind == FAB_KIND_BUFFER ? (x->count ? x->wait_mean : NAN)
                                                 : fab_stat_tally_mean(&x->transit);
            *o++ = (double)x->count * perh;
            break;
        case FAB_KIND_SINK:
            *o++ = (double)x->count;
            *o++ = (double)x->count * perh;
            *o++ = fab_stat_tally_mean(&x->lead);
            for (int k = 0; k < 3; k++) {
                /* a quantile lies between the smallest and the largest lead time: the
                 * histogram's estimate (within 0.8 %) is held to them, so that equal lead
                 * times give their exact value */
                static const double qp[3] = {0.5, 0.9, 0.99};
                double q = fab_stat_hist_quantile(&x->lead_hist, qp[k]);
                if (x->lead.n > 0)
                    q = q < x->lead.min ? x->lead.min : q > x->lead.max ? x->lead.max : q;
                *o++ = q;
            }
            *o++ = fab_stat_tally_mean(&x->tard);
            *o++ = x->with_due ? (double)x->on_time / (double)x->with_due : NAN;
            break;
        }
    }
}

int rt_sim_run(fab_sim *s, uint64_t rep, double *row)
{
    s->now = 0;
    s->seq = 0;
    s->events = 0;
    s->deadlock = 0;
    s->stop = s->failed;
    s->progress_now = NAN;
    s->progress_events = 0;
    s->deadlock_time = NAN;
    for (int i = 0; i < s->nelem; i++)
        s->dl_set[i] = 0;
    s->wake_head = s->wake_len = 0;
    s->next_part_id = 0;
    rt_evset_clear(&s->ev);
    sim_parts_reset(s);
    for (size_t k = 0; k < s->nstreams; k++)
        fab_rng_init_key(&s->streams[k]->rng, s->streams[k]->key, rep);
    if (s->warmup > 0)
        rt_schedule(s, s->warmup, RT_EV_WARMUP, 0, 0, 0, 0);
    for (int i = 0; i < s->nelem; i++) {
        rt_es *x = &s->es[i];
        x->nwait = 0;
        x->in_wake = 0;
        x->q_head = x->q_tail = NULL;
        x->qlen = 0;
        x->created = 0;
        x->pending = NULL;
        x->seq = 0;
        memset(&x->level, 0, sizeof x->level);
        sim_reset_stats(s, x);
        switch (x->e->kind) {
        case FAB_KIND_SOURCE:
            if (x->e->unlimited)
                rt_wake(s, x);
            else
                rt_schedule(s, rt_sample(x->e->interarrival, &x->ia.rng, NULL), RT_EV_ARRIVAL,
                            i, 0, 0, 0);
            break;
        case FAB_KIND_STATION:
        case FAB_KIND_ASSEMBLY:
            rt_station_start(s, x);
            break;
        case FAB_KIND_CONVEYOR:
            x->cv_head = x->cv_len = 0;
            x->entry_ready = -1;
            x->head_at_end = x->head_blocked = 0;
            x->belt_off = x->stop_start = 0;
            x->cv_gen++;
            break;
        default:
            break;
        }
    }
    rt_event ev;
    for (;;) {
        sim_drain_wakes(s);     /* inline: the only call, once per event */
        if (s->stop || !rt_evset_pop(&s->ev, &ev) || ev.t > s->horizon)
            break;
        s->now = ev.t;
        if ((++s->events & RT_PROGRESS_MASK) == 0 && sim_check_progress(s, &ev))
            break;
        unsigned kind = rt_ev_kind(&ev);
        if (kind == RT_EV_SERVER_END) {     /* the commonest */
            rt_station_cycle_end(s, &ev);
            continue;
        }
        switch (kind) {
        case RT_EV_WARMUP: sim_warmup(s); break;
        case RT_EV_FAIL:
        case RT_EV_REPAIR: rt_station_event(s, &ev); break;
        case RT_EV_ARRIVAL: source_arrival(s, &s->es[rt_ev_elem(&ev)]); break;
        case RT_EV_CONV_ARRIVE:
        case RT_EV_CONV_ENTRY: rt_conveyor_event(s, &ev); break;
        default: break;
        }
    }
    if (s->failed)
        return -1;
    double end = s->deadlock ? s->now : s->horizon;
    s->now = end;
    if (end < s->warmup)    /* a deadlock during the warmup: the window [warmup, end] is empty */
        sim_warmup(s);
    sim_metrics(s, end, row);
    return 0;
}
