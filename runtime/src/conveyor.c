/*
 * conveyor.c — accumulating and non-accumulating conveyors with exact kinematics.
 *
 * In:  parts offered by rt_route_push; CONV_ARRIVE (head reaches the end) and CONV_ENTRY
 *      (the entry becomes free) events. Out: parts sent on from the belt's end, in order.
 * Rules: transit time length/speed when nothing blocks; at most
 * floor(length/spacing + FAB_CONVEYOR_SLACK) parts (fab/limits.h: a length that is a multiple
 * of the spacing in decimal holds that multiple, as the compiler counts it); a part enters only
 * when the previous one is `spacing` beyond the entry.
 *   Accumulating: each part stores its virtual entry time tf, so its free position is
 *   speed * (t - tf). While the head is blocked at the end, the k-th part behind it stops at
 *   length - k * spacing; positions are computed lazily, and when the head leaves, stopped
 *   parts get a new tf so that they move on from where they stood. With the slack, the last
 *   part of a full belt stops at least (1 - 1e-9) spacing from the entry, not always at one
 *   spacing or more: after a departure the next part may then enter up to 1e-9 spacing/speed
 *   later instead of at the same instant.
 *   Non-accumulating: the whole belt stops while the head is blocked. Parts store the belt
 *   time at entry; belt time = real time minus the total stopped time.
 * Memory: the ring of slots (one per part the belt holds) is owned by the rt_es.
 */
#include "rt_internal.h"

#include <math.h>
#include <stdlib.h>

int rt_conveyor_setup(fab_sim *s, rt_es *x)
{
    (void)s;
    const rt_elem *e = x->e;
    double cap = floor(e->length / e->spacing + FAB_CONVEYOR_SLACK);
    x->cv_cap = cap < 1 ? 1 : (uint64_t)cap;     /* at most FAB_MAX_CONVEYOR_PARTS (validated) */
    x->cv = calloc(x->cv_cap, sizeof *x->cv);
    return x->cv ? 0 : -1;
}

static inline rt_conv_slot *cv_at(rt_es *x, uint64_t i)
{
    uint64_t j = x->cv_head + i;
    if (j >= x->cv_cap)
        j -= x->cv_cap;
    return &x->cv[j];
}

/* Real time from which a new part may enter (-INFINITY: now; INFINITY: not while stopped). */
static double cv_entry_time(rt_es *x)
{
    if (x->cv_len == 0)
        return -INFINITY;
    const rt_elem *e = x->e;
    const rt_conv_slot *tail = cv_at(x, x->cv_len - 1);
    double gap = e->spacing / e->speed;
    if (e->accumulating)
        return tail->tf + gap;
    if (x->head_blocked)
        return (x->stop_start - x->belt_off) - tail->tf >= gap ? -INFINITY : INFINITY;
    return tail->tf + gap + x->belt_off;
}

static void cv_schedule_entry(fab_sim *s, rt_es *x, double t)
{
    if (t == x->entry_ready)
        return;     /* already scheduled for that time */
    x->entry_ready = t;
    rt_schedule(s, t, RT_EV_CONV_ENTRY, x->e->id, 0, 0, x->cv_gen);
}

static void cv_schedule_head(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    const rt_conv_slot *h = cv_at(x, 0);
    double t = h->tf + e->length / e->speed;
    if (!e->accumulating)
        t += x->belt_off;
    if (t < s->now)
        t = s->now;
    rt_schedule(s, t, RT_EV_CONV_ARRIVE, e->id, 0, 0, x->cv_gen);
}

int rt_conveyor_accept(fab_sim *s, rt_es *x, fab_part *p)
{
    if (x->cv_len >= x->cv_cap)
        return 0;
    double te = cv_entry_time(x);
    if (s->now < te) {
        if (isfinite(te))
            cv_schedule_entry(s, x, te);
        return 0;
    }
    rt_conv_slot *sl = cv_at(x, x->cv_len);
    sl->part = p;
    sl->tf = x->e->accumulating ? s->now
           : (x->head_blocked ? x->stop_start : s->now) - x->belt_off;
    x->cv_len++;
    p->entered = s->now;
    rt_stat_timeavg_set(&x->level, s->now, (double)x->cv_len);
    if (x->cv_len == 1)
        cv_schedule_head(s, x);
    return 1;
}

static void cv_departed(fab_sim *s, rt_es *x)
{
    const rt_elem *e = x->e;
    int was_blocked = x->head_blocked;
    x->head_blocked = 0;
    x->head_at_end = 0;
    if (was_blocked) {
        if (e->accumulating) {
            /* the k-th part behind the old head stood at length - k * spacing at most */
            for (uint64_t j = 0; j < x->cv_len; j++) {
                rt_conv_slot *sl = cv_at(x, j);
                double stop = e->length - (double)(j + 1) * e->spacing;
                if (e->speed * (s->now - sl->tf) > stop)
                    sl->tf = s->now - stop / e->speed;
            }
        } else {
            x->belt_off += s->now - x->stop_start;
        }
    }
    if (x->cv_len)
        cv_schedule_head(s, x);
    double te = cv_entry_time(x);
    if (te <= s->now)
        rt_notify_space(s, x);
    else if (isfinite(te))
        cv_schedule_entry(s, x, te);
}

void rt_conveyor_push_out(fab_sim *s, rt_es *x)
{
    if (!x->head_at_end || x->cv_len == 0)
        return;
    rt_conv_slot *h = cv_at(x, 0);
    fab_part *p = h->part;
    double entered = p->entered;
    if (!rt_route_push(s, x, p)) {
        if (!x->head_blocked) {
            x->head_blocked = 1;
            x->stop_start = s->now;
            /* the deadlock check made on the refusal saw the head still free: a conveyor
             * can be the last element of a cycle to block */
            rt_check_deadlock(s, x->id);
        }
        return;
    }
    h->part = NULL;
    if (++x->cv_head == x->cv_cap)
        x->cv_head = 0;
    x->cv_len--;
    x->count++;
    rt_stat_tally_add(&x->transit, s->now - entered);
    rt_stat_timeavg_set(&x->level, s->now, (double)x->cv_len);
    cv_departed(s, x);
}

void rt_conveyor_event(fab_sim *s, const rt_event *ev)
{
    rt_es *x = &s->es[rt_ev_elem(ev)];
    if (ev->gen != x->cv_gen)
        return;
    if (rt_ev_kind(ev) == RT_EV_CONV_ARRIVE) {
        x->head_at_end = 1;
        rt_wake(s, x);
    } else {
        if (ev->t == x->entry_ready)
            x->entry_ready = -1;
        if (x->cv_len < x->cv_cap && s->now >= cv_entry_time(x))
            rt_notify_space(s, x);
    }
}

int rt_conveyor_stuck(const fab_sim *s, const rt_es *x)
{
    (void)s;
    if (!x->head_blocked)
        return 0;
    if (x->cv_len >= x->cv_cap)
        return 1;
    return cv_entry_time((rt_es *)x) == INFINITY;
}
