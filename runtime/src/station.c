/*
 * station.c — stations and assemblies: parallel servers, setup on a part-type change,
 * blocking after service, failure modes with preemptive resume, state times for the
 * state breakdown and energy.
 *
 * In:  parts offered by rt_route_push or a buffer (rt_station_accept), the kernel's
 *      SERVER_END (rt_station_cycle_end), FAIL and REPAIR (rt_station_event) events. Out:
 *      finished parts sent on from rt_station_push_out and the cycle end, in the order the
 *      servers blocked; state times per server. A plain station sends its part through its
 *      buffer at once when that buffer's station is idle (rt_buffer_offer) and takes its
 *      feeder's next part when it releases one (rt_buffer_feed), as the wake-ups would.
 * Server life: idle -> [setup] -> busy -> blocked -> idle; any state -> down -> the state it
 * left (a busy or setup server keeps its remaining time: preemptive resume).
 * Failure clocks per server and mode:
 *   calendar   ttf counts calendar time from the end of the previous repair;
 *   operating  ttf counts busy time only (setup, idle, blocked and down do not count);
 *   cycles     ttf is a number of completed cycles; the failure happens when the part of
 *              the last cycle has left the server.
 * Overlapping failures repair concurrently; the server is up when all repairs are done.
 * Servers beyond the first use streams "failure.<mode>.ttf#<k>" so that servers differ.
 * Memory: server arrays, failure clocks and the assembly kit are owned by the rt_es and
 * freed by rt_station_free.
 */
#include "rt_internal.h"
#include "dist_inline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The failure clocks of the servers, nfail per server, server by server: they follow the
 * servers in the block rt_station_setup allocates, so their address comes from line 0
 * (srv, nsrv) without a load of its own. */
static inline rt_fclock *st_fcs(const rt_es *x)
{
    return (rt_fclock *)(void *)(x->srv + x->nsrv);
}

/* The failure clocks of server k (x->nfail of them). */
static inline rt_fclock *srv_fc(const rt_es *x, unsigned k)
{
    return st_fcs(x) + (size_t)k * (size_t)x->nfail;
}

/* Components in a full kit: the BOM counts (each at most FAB_MAX_BOM_COUNT) summed in size_t. */
static size_t st_kit_size(const rt_elem *e)
{
    size_t n = 0;
    for (int k = 0; k < e->nbom; k++)
        n += e->bom_count[k];
    return n;
}

int rt_station_setup(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    x->nsrv = (unsigned)e->capacity;
    x->nfail = e->nfail;
    for (int f = 0; f < e->nfail; f++) {
        if (e->fail[f].basis == FAB_BASIS_OPERATING)
            x->has_op = e->nfail == 1 ? RT_OP_ONLY : RT_OP_SOME;
        if (e->fail[f].basis == FAB_BASIS_CYCLES)
            x->has_cycles_basis = 1;
    }
    /* servers, failure clocks and the blocked ring in one block, for locality; aligned so
     * that each server and the first line of each clock occupy whole cache lines */
    size_t nsrv = x->nsrv, nfc = nsrv * (size_t)e->nfail;
    size_t bytes = nsrv * sizeof(rt_server) + nfc * sizeof(rt_fclock) + nsrv * sizeof(unsigned);
    char *block = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!block)
        return -1;
    memset(block, 0, bytes);
    x->srv = (rt_server *)(void *)block;
    x->blocked_q = (unsigned *)(void *)(block + nsrv * sizeof(rt_server) + nfc * sizeof(rt_fclock));
    if (e->cycle) {
        rt_stream_setup(s, &x->cycle_st, e->name, e->cycle->purpose);
        const fab_sampler *cs = &e->cycle->s;
        x->has_cycle = 1;
        /* the exponential inline only without cycles by part type, so that one test selects
         * it (with them, the same draw through the sampler) */
        if (cs->fn == fab_sample_exponential && cs->ctx && *(const double *)cs->ctx > 0
            && !e->ncycle_for) {
            x->cyc_exp_mean = *(const double *)cs->ctx;   /* the same draw, inline */
        } else if (cs->fn) {
            x->cyc_fn = cs->fn;
            x->cyc_ctx = cs->ctx;
        } else if (cs->dist.kind == FAB_DIST_EXPONENTIAL && cs->dist.bound == FAB_BOUND_NONE
                   && cs->dist.p[0] > 0 && !e->ncycle_for) {
            x->cyc_exp_mean = cs->dist.p[0];
        } else {
            x->cyc_rs = e->cycle;
        }
    }
    if (e->setup)
        rt_stream_setup(s, &x->setup_st, e->name, "setup");
    if (e->ncycle_for) {
        x->cyc = calloc((size_t)e->ncycle_for, sizeof *x->cyc);
        if (!x->cyc)
            return -1;
        x->ncyc = e->ncycle_for;
        for (int k = 0; k < e->ncycle_for; k++) {
            x->cyc[k].type = e->cycle_for[k].type;
            x->cyc[k].s = e->cycle_for[k].s;
            rt_stream_setup(s, &x->cyc[k].st, e->name, e->cycle_for[k].s->purpose);
        }
    }
    for (unsigned k = 0; k < x->nsrv; k++) {
        rt_fclock *fc = srv_fc(x, k);
        for (int f = 0; f < e->nfail; f++) {
            fc[f].basis = e->fail[f].basis;
            if (k == 0) {   /* the first server's streams are the mode's own */
                rt_stream_setup(s, &fc[f].ttf, e->name, e->fail[f].ttf->purpose);
                rt_stream_setup(s, &fc[f].ttr, e->name, e->fail[f].ttr->purpose);
                continue;
            }
            char *p1 = rt_format("%s#%u", e->fail[f].ttf->purpose, k);
            char *p2 = rt_format("%s#%u", e->fail[f].ttr->purpose, k);
            if (p1 && p2) {
                rt_stream_setup(s, &fc[f].ttf, e->name, p1);
                rt_stream_setup(s, &fc[f].ttr, e->name, p2);
            }
            free(p1);
            free(p2);
            if (!p1 || !p2)
                return -1;
        }
    }
    x->plain = e->kind == FAB_KIND_STATION && x->nsrv == 1 && !e->setup && !e->ncycle_for
               && !x->has_cycles_basis;
    if (e->kind == FAB_KIND_ASSEMBLY) {
        x->kit = calloc((size_t)e->nbom, sizeof *x->kit);
        x->kit_parts = calloc(st_kit_size(e) + 1, sizeof *x->kit_parts);
        if (!x->kit || !x->kit_parts)
            return -1;
    }
    return 0;
}

void rt_station_free(rt_es *x)
{
    free(x->srv);       /* with the failure clocks and the blocked ring */
    free(x->cyc);
    free(x->kit);
    free(x->kit_parts);
}

static inline void srv_set(fab_sim *s, rt_server *v, fab_state st)
{
    v->t_state[v->state] += s->now - v->since;
    v->since = s->now;
    v->state = st;
}

/* srv_set for a server known to be in state `from` (a constant at every call). */
static inline void srv_switch(fab_sim *s, rt_server *v, fab_state from, fab_state to)
{
    v->t_state[from] += s->now - v->since;
    v->since = s->now;
    v->state = to;
}

static double st_ttf(const rt_failure *f, rt_fclock *fc)
{
    return rt_sample(f->ttf, &fc->ttf.rng, NULL);
}

static double st_cycles(const rt_failure *f, rt_fclock *fc)
{
    double n = floor(st_ttf(f, fc) + 0.5);
    return n < 1 ? 1 : n;
}

void rt_station_start(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    x->bq_head = x->bq_len = 0;
    for (unsigned k = 0; k < x->nsrv; k++) {
        rt_server *v = &x->srv[k];
        v->state = v->resume = FAB_STATE_IDLE;
        v->part = NULL;
        v->since = 0;
        memset(v->t_state, 0, sizeof v->t_state);
        v->gen++;
        v->last_type = -1;
        v->down_count = 0;
        v->fail_after_cycle = 0;
        for (int f = 0; f < e->nfail; f++) {
            rt_fclock *fc = &srv_fc(x, k)[f];
            fc->gen++;
            fc->pending = 0;
            switch (e->fail[f].basis) {
            case FAB_BASIS_OPERATING:
                fc->op_left = st_ttf(&e->fail[f], fc);
                break;
            case FAB_BASIS_CALENDAR:
                rt_schedule(s, s->now + st_ttf(&e->fail[f], fc), RT_EV_FAIL, e->id, k,
                            (unsigned)f, fc->gen);
                break;
            case FAB_BASIS_CYCLES:
                fc->cyc_left = st_cycles(&e->fail[f], fc);
                break;
            }
        }
    }
    if (x->kit)
        for (int k = 0; k < e->nbom; k++)
            x->kit[k] = 0;
}

void rt_station_warmup(fab_sim *s, rt_es *x)
{
    for (unsigned k = 0; k < x->nsrv; k++) {
        memset(x->srv[k].t_state, 0, sizeof x->srv[k].t_state);
        x->srv[k].since = s->now;
    }
}

void rt_station_finish(fab_sim *s, rt_es *x)
{
    for (unsigned k = 0; k < x->nsrv; k++)
        srv_set(s, &x->srv[k], x->srv[k].state);
}

/* ---- operating-time failure clocks ------------------------------------------------------ */

/* Mode f of server k fails within the cycle starting now, or at its end: schedule the failure
 * (out of line: rare). */
static __attribute__((noinline)) void op_clock_arm(fab_sim *s, rt_es *x, unsigned k, int f)
{
    rt_fclock *fc = &srv_fc(x, k)[f];
    fc->gen++;
    fc->pending = 1;
    rt_schedule(s, s->now + (fc->op_left > 0 ? fc->op_left : 0), RT_EV_FAIL, x->id, k,
                (unsigned)f, fc->gen);
}

static inline void op_clocks_start(fab_sim *s, rt_es *x, unsigned k, double busy_for)
{
    rt_server *v = &x->srv[k];
    v->busy_start = s->now;
    if (RT_LIKELY(x->has_op == RT_OP_ONLY)) {
        if (st_fcs(x)[k].op_left <= busy_for)
            op_clock_arm(s, x, k, 0);
        return;
    }
    rt_fclock *fcs = srv_fc(x, k);
    int f = 0;
    do {    /* has_op: at least one mode */
        if (fcs[f].basis == FAB_BASIS_OPERATING && fcs[f].op_left <= busy_for)
            op_clock_arm(s, x, k, f);
    } while (++f < x->nfail);
}

/* Stop server k's operating clocks: its busy period ends (at_end: the cycle is complete) or
 * is interrupted. A failure armed for the cycle is cancelled, except at the cycle's end: an
 * armed failure that has not preempted the cycle is due at its end (op_clocks_start arms a
 * time to failure equal to the cycle's time, and the failure, scheduled after the cycle's
 * end, follows it at the same instant, once the part has left or blocked). */
static inline void op_clocks_stop(fab_sim *s, rt_es *x, unsigned k, int at_end)
{
    rt_server *v = &x->srv[k];
    double used = s->now - v->busy_start;
    if (RT_LIKELY(x->has_op == RT_OP_ONLY)) {
        rt_fclock *fc = &st_fcs(x)[k];
        fc->op_left -= used;
        if (fc->pending && !at_end) {
            fc->gen++;
            fc->pending = 0;
        }
        return;
    }
    rt_fclock *fc = srv_fc(x, k), *end = fc + x->nfail;
    do {    /* has_op: at least one mode */
        if (fc->basis != FAB_BASIS_OPERATING)
            continue;
        fc->op_left -= used;
        if (fc->pending && !at_end) {
            fc->gen++;
            fc->pending = 0;
        }
    } while (++fc < end);
}

/* ---- service ---------------------------------------------------------------------------- */

/* The cycle time of part p when it is not the inline exponential: the cycle for its type,
 * else the default cycle (a function or a sampler); -1 with the replication failed when the
 * station has none. Every duration drawn here is >= 0. */
static __attribute__((noinline)) double srv_cycle_time(fab_sim *s, rt_es *x, const fab_part *p)
{
    for (int i = 0; i < x->ncyc; i++)
        if (x->cyc[i].type == p->type)
            return rt_sample(x->cyc[i].s, &x->cyc[i].st.rng, p);
    if (!x->has_cycle) {
        rt_sim_fail(s, "station %s has no cycle for part type %s", x->e->name,
                    fab_model_part_type_name(s->m, p->type));
        return -1;
    }
    if (x->cyc_fn) {
        double d = x->cyc_fn(&x->cycle_st.rng, p, x->cyc_ctx);
        return d > 0 ? d : 0;   /* durations below 0 (and NAN) are 0, as in rt_sample */
    }
    return rt_sample(x->cyc_rs, &x->cycle_st.rng, p);
}

/* Start the cycle of the part on server k, which is in state `from` (idle, or setup).
 * Inlined into every caller (an offer accepted by an idle station starts a cycle: no call
 * frame of its own on that path). */
static inline __attribute__((always_inline)) void srv_start_busy(fab_sim *s, rt_es *x,
                                                                 unsigned k, fab_state from)
{
    rt_server *v = &x->srv[k];
    double d;
    if (RT_LIKELY(x->cyc_exp_mean > 0)) {   /* set only without cycles by part type */
        d = rt_dist_exponential(&x->cycle_st.rng, x->cyc_exp_mean);
    } else {
        d = srv_cycle_time(s, x, v->part);
        if (d < 0)
            return;
    }
    srv_switch(s, v, from, FAB_STATE_BUSY);
    v->end_time = s->now + d;
    v->gen++;
    rt_schedule(s, v->end_time, RT_EV_SERVER_END, x->id, k, 0, v->gen);
    if (x->has_op)
        op_clocks_start(s, x, k, d);
}

/* The setup of server k is over: its cycle starts (out of line: off the common path). */
static __attribute__((noinline)) void srv_setup_done(fab_sim *s, rt_es *x, unsigned k)
{
    srv_start_busy(s, x, k, FAB_STATE_SETUP);
}

/* Server k starts a setup for its new part. */
static __attribute__((noinline)) void srv_start_setup(fab_sim *s, rt_es *x, unsigned k)
{
    rt_server *v = &x->srv[k];
    double d = rt_sample(x->setup, &x->setup_st.rng, v->part);
    srv_set(s, v, FAB_STATE_SETUP);
    v->end_time = s->now + d;
    v->gen++;
    rt_schedule(s, v->end_time, RT_EV_SERVER_END, x->id, k, 0, v->gen);
}

/* Server k has taken a part: a setup when the part type changed, else the cycle. */
static inline void srv_begin(fab_sim *s, rt_es *x, unsigned k)
{
    rt_server *v = &x->srv[k];
    if (x->setup && v->last_type >= 0 && v->last_type != v->part->type)
        srv_start_setup(s, x, k);
    else
        srv_start_busy(s, x, k, FAB_STATE_IDLE);
}

static int st_idle_server(const rt_es *x)
{
    for (unsigned k = 0; k < x->nsrv; k++)
        if (x->srv[k].state == FAB_STATE_IDLE)
            return (int)k;
    return -1;
}

/* Assembly: start when the kit is complete and a server is idle. */
static void asm_try_start(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    for (int k = 0; k < e->nbom; k++)
        if (x->kit[k] < e->bom_count[k])
            return;
    int k = st_idle_server(x);
    if (k < 0)
        return;
    fab_part *out = rt_part_new(s, e->out_type, e->id);
    if (!out)
        return;
    size_t n = st_kit_size(e);
    double created = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (x->kit_parts[i]->created < created)
            created = x->kit_parts[i]->created;
        rt_part_free(s, x->kit_parts[i]);
        x->kit_parts[i] = NULL;
    }
    for (int b = 0; b < e->nbom; b++)
        x->kit[b] = 0;
    out->created = created;
    out->entered = s->now;
    x->srv[k].part = out;
    srv_begin(s, x, (unsigned)k);
    rt_notify_space(s, x);
}

/* An assembly takes a part into its kit when its BOM line has room. */
static __attribute__((noinline)) int asm_accept(fab_sim *s, rt_es *x, fab_part *p)
{
    const rt_elem *e = x->e;
    size_t off = 0;
    for (int k = 0; k < e->nbom; k++) {
        if (e->bom_type[k] == p->type) {
            if (x->kit[k] >= e->bom_count[k])
                return 0;
            x->kit_parts[off + x->kit[k]] = p;
            x->kit[k]++;
            p->entered = s->now;
            asm_try_start(s, x);
            return 1;
        }
        off += e->bom_count[k];
    }
    return 0;
}

RT_KERNEL_INLINE int rt_station_accept(fab_sim *s, rt_es *x, fab_part *p)
{
    int k = 0;
    if (RT_LIKELY(x->plain)) {
        if (x->srv[0].state != FAB_STATE_IDLE)
            return 0;
        /* srv_begin without a setup, inline: the cycle of a plain station starts without a
         * call frame (docs/performance.md, sixth round) */
        x->srv[0].part = p;
        p->entered = s->now;
        srv_start_busy(s, x, 0, FAB_STATE_IDLE);
        return 1;
    } else {
        if (x->is_asm)
            return asm_accept(s, x, p);
        k = x->nsrv == 1 ? (x->srv[0].state == FAB_STATE_IDLE ? 0 : -1) : st_idle_server(x);
        if (k < 0)
            return 0;
    }
    rt_server *v = &x->srv[k];
    v->part = p;
    p->entered = s->now;
    srv_begin(s, x, (unsigned)k);
    return 1;
}

/* ---- failures --------------------------------------------------------------------------- */

/* Failures and repairs are rare: out of line, they keep rt_station_event's frame small. */
static __attribute__((noinline)) void srv_fail(fab_sim *s, rt_es *x, unsigned k, int mode)
{
    rt_server *v = &x->srv[k];
    const rt_elem *e = x->e;
    x->failures++;
    if (v->state == FAB_STATE_DOWN) {
        v->down_count++;
    } else {
        if (v->state == FAB_STATE_BUSY || v->state == FAB_STATE_SETUP) {
            v->remaining = v->end_time - s->now;
            v->gen++;
            if (v->state == FAB_STATE_BUSY && x->has_op)
                op_clocks_stop(s, x, k, 0);
        }
        v->resume = v->state;
        srv_set(s, v, FAB_STATE_DOWN);
        v->down_count = 1;
    }
    rt_fclock *fc = &srv_fc(x, k)[mode];
    rt_schedule(s, s->now + rt_sample(e->fail[mode].ttr, &fc->ttr.rng, NULL), RT_EV_REPAIR,
                e->id, k, (unsigned)mode, 0);
}

static __attribute__((noinline)) void srv_repair(fab_sim *s, rt_es *x, unsigned k, int mode)
{
    rt_server *v = &x->srv[k];
    const rt_elem *e = x->e;
    const rt_failure *f = &e->fail[mode];
    rt_fclock *fc = &srv_fc(x, k)[mode];
    switch (f->basis) {
    case FAB_BASIS_CALENDAR:
        fc->gen++;
        rt_schedule(s, s->now + st_ttf(f, fc), RT_EV_FAIL, e->id, k, (unsigned)mode, fc->gen);
        break;
    case FAB_BASIS_OPERATING:
        fc->op_left = st_ttf(f, fc);
        break;
    case FAB_BASIS_CYCLES:
        fc->cyc_left = st_cycles(f, fc);
        break;
    }
    if (--v->down_count > 0)
        return;
    fab_state st = v->resume;
    switch (st) {
    case FAB_STATE_BUSY:
    case FAB_STATE_SETUP:
        srv_set(s, v, st);
        v->end_time = s->now + v->remaining;
        v->gen++;
        rt_schedule(s, v->end_time, RT_EV_SERVER_END, e->id, k, 0, v->gen);
        if (st == FAB_STATE_BUSY && x->has_op)
            op_clocks_start(s, x, k, v->remaining);
        break;
    case FAB_STATE_BLOCKED:
        srv_set(s, v, FAB_STATE_BLOCKED);
        rt_wake(s, x);
        break;
    default:
        srv_set(s, v, FAB_STATE_IDLE);
        if (e->kind == FAB_KIND_ASSEMBLY)
            asm_try_start(s, x);
        rt_notify_space(s, x);
        break;
    }
}

/* What follows the part's leaving server k, which is now idle (returns at once at a plain
 * station): the failures of the cycles-basis modes that came due at the end of its cycle, in
 * mode order and overlapping when several did, or the assembly's next start. */
static inline void srv_after_release(fab_sim *s, rt_es *x, unsigned k)
{
    rt_server *v = &x->srv[k];
    if (RT_LIKELY(x->plain))
        return;
    if (x->has_cycles_basis && v->fail_after_cycle) {
        v->fail_after_cycle = 0;
        rt_fclock *fc = srv_fc(x, k);
        for (int f = 0; f < x->nfail; f++)
            if (fc[f].basis == FAB_BASIS_CYCLES && fc[f].cyc_left <= 0)
                srv_fail(s, x, k, f);
        return;
    }
    if (x->is_asm)
        asm_try_start(s, x);
}

/* The part has left server k: it becomes idle, or fails if a cycles-basis failure is due. */
static inline void srv_released(fab_sim *s, rt_es *x, unsigned k)
{
    rt_server *v = &x->srv[k];
    v->part = NULL;
    srv_switch(s, v, FAB_STATE_BLOCKED, FAB_STATE_IDLE);
    srv_after_release(s, x, k);
}

/* Server k joins the end of the ring of blocked servers (several servers), which has room:
 * it holds each server at most once. */
static inline void st_ring_append(rt_es *x, unsigned k)
{
    unsigned tail = x->bq_head + x->bq_len;
    if (tail >= x->nsrv)
        tail -= x->nsrv;
    x->blocked_q[tail] = k;
    x->bq_len++;
}

/* The cycle of server k is over, at a station that is not plain: count it for cycles-basis
 * modes, keep the part type for the next setup, and queue the server for sending its part on
 * (several servers). */
static __attribute__((noinline)) void srv_cycle_done(rt_es *x, unsigned k)
{
    rt_server *v = &x->srv[k];
    if (x->has_cycles_basis) {
        rt_fclock *fc = srv_fc(x, k);
        for (int f = 0; f < x->nfail; f++)
            if (fc[f].basis == FAB_BASIS_CYCLES && --fc[f].cyc_left <= 0)
                v->fail_after_cycle = 1;
    }
    if (x->setup)
        v->last_type = v->part->type;
    if (x->nsrv > 1)
        st_ring_append(x, k);
}

/* Several servers: offer the finished parts in the order their servers blocked. */
static __attribute__((noinline)) void st_push_out_ring(fab_sim *s, rt_es *x)
{
    unsigned n = x->bq_len;
    int freed = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = x->blocked_q[x->bq_head];
        if (++x->bq_head == x->nsrv)
            x->bq_head = 0;
        x->bq_len--;
        rt_server *v = &x->srv[k];
        if (v->state == FAB_STATE_BLOCKED && rt_route_push(s, x, v->part)) {
            x->count_out++;
            srv_released(s, x, k);
            freed = 1;
            continue;
        }
        st_ring_append(x, k);
    }
    if (freed)
        rt_notify_space(s, x);
}

/* One server, blocked: the same as the ring, for a ring of one. just_blocked (a constant at
 * each call): it blocked at this instant, its cycle having ended now, so that leaving the
 * blocked state adds nothing to its blocked time (a sum of 0, left out). */
static inline __attribute__((always_inline)) void st_push_out_single(fab_sim *s, rt_es *x,
                                                                     int just_blocked)
{
    fab_part *p = x->srv[0].part;
    if (x->pass) {
        if (!rt_buffer_offer(s, x->succ0, p)) {
            rt_route_refused(s, x, x->succ0);
            return;
        }
    } else if (!rt_route_push(s, x, p)) {
        return;
    }
    x->count_out++;
    if (just_blocked) {
        x->srv[0].part = NULL;
        x->srv[0].state = FAB_STATE_IDLE;     /* since is now */
        srv_after_release(s, x, 0);
    } else {
        srv_released(s, x, 0);
    }
    if (x->pull && x->nwait && !s->wake_len) {
        /* its feeder waits (nothing else can) and would be the drain's next action */
        x->nwait = 0;
        rt_buffer_feed(s, x->wait0);
        return;
    }
    rt_notify_space(s, x);
}

RT_KERNEL_INLINE void rt_station_push_out(fab_sim *s, rt_es *x)
{
    if (x->nsrv != 1) {
        st_push_out_ring(s, x);
        return;
    }
    if (x->srv[0].state == FAB_STATE_BLOCKED)
        st_push_out_single(s, x, 0);
}

/* A SERVER_END: the setup or the cycle of server ev->a is over, unless a failure cancelled it
 * (gen). */
RT_KERNEL_INLINE void rt_station_cycle_end(fab_sim *s, const rt_event *ev)
{
    rt_es *x = &s->es[rt_ev_elem(ev)];
    unsigned k = ev->a;
    rt_server *v = &x->srv[k];
    if (RT_UNLIKELY(ev->gen != v->gen))
        return;     /* cancelled by a failure */
    if (RT_UNLIKELY(v->state != FAB_STATE_BUSY)) {
        if (v->state == FAB_STATE_SETUP)
            srv_setup_done(s, x, k);
        return;
    }
    if (x->has_op)
        op_clocks_stop(s, x, k, 1);
    if (!x->plain)
        srv_cycle_done(x, k);
    srv_switch(s, v, FAB_STATE_BUSY, FAB_STATE_BLOCKED);
    if (x->in_wake)
        return;
    /* no recursion: the offers, and the pass-through and feeding they may make, start
     * cycles, schedule events and queue wake-ups, never another station's cycle end */
    if (x->nsrv == 1)
        st_push_out_single(s, x, 1);
    else
        st_push_out_ring(s, x);
}

/* A FAIL or REPAIR event (out of line: rare). */
void rt_station_event(fab_sim *s, const rt_event *ev)
{
    rt_es *x = &s->es[rt_ev_elem(ev)];
    unsigned k = ev->a;
    if (rt_ev_kind(ev) == RT_EV_FAIL) {
        rt_fclock *fc = &srv_fc(x, k)[ev->b];
        if (ev->gen != fc->gen)
            return;
        fc->pending = 0;
        srv_fail(s, x, k, (int)ev->b);
    } else {
        srv_repair(s, x, k, (int)ev->b);
    }
}

int rt_station_stuck(const fab_sim *s, const rt_es *x)
{
    (void)s;
    for (unsigned k = 0; k < x->nsrv; k++)
        if (x->srv[k].state != FAB_STATE_BLOCKED)
            return 0;
    if (x->kit)
        for (int k = 0; k < x->e->nbom; k++)
            if (x->kit[k] < x->e->bom_count[k])
                return 0;
    return 1;
}

fab_state rt_station_state(const rt_es *x)
{
    if (x->nsrv == 1)
        return x->srv[0].state;
    static const fab_state order[] = {FAB_STATE_BUSY, FAB_STATE_SETUP, FAB_STATE_BLOCKED,
                                      FAB_STATE_DOWN};
    for (int i = 0; i < 4; i++)
        for (unsigned k = 0; k < x->nsrv; k++)
            if (x->srv[k].state == order[i])
                return order[i];
    return FAB_STATE_IDLE;
}

double rt_station_level(const rt_es *x)
{
    double n = 0;
    for (unsigned k = 0; k < x->nsrv; k++)
        n += x->srv[k].part != NULL;
    if (x->kit)
        for (int k = 0; k < x->e->nbom; k++)
            n += x->kit[k];
    return n;
}
