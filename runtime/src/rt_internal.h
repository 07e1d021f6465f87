/*
 * rt_internal.h — libfabrt's private structures, shared by the runtime's .c files only.
 *
 * Model side (rt_model_*, built by model.c): the element descriptions, samplers and parameters
 * the builder API fills in. Everything here is owned by the fab_model and freed with it;
 * samplers and elements are allocated one by one so that parameter slots pointing into them
 * stay valid while the model grows.
 *
 * Simulation side (fab_sim, used by sim.c, station.c, conveyor.c): the state of one running
 * replication. A fab_sim is built once per run (per worker process) and reset for every
 * replication; its pools (events, parts) keep their memory across replications.
 */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#include <stdint.h>
#include <stddef.h>
#include "fab/model.h"
#include "fab/sim.h"
#include "fab/stat.h"
#include "evset.h"
#include "stat_inline.h"

/* ---- model ----------------------------------------------------------------------------- */

typedef struct rt_sampler {
    int is_duration;            /* clamp below at 0 */
    fab_dim dim;                /* dimension of the sampled quantity (for --set of params) */
    fab_sampler s;
    char *purpose;              /* stream purpose, e.g. "cycle.Housing" */
} rt_sampler;

typedef struct rt_failure {
    char *name;
    rt_sampler *ttf, *ttr;
    fab_basis basis;
} rt_failure;

typedef struct rt_cycle_for {
    int type;
    rt_sampler *s;
} rt_cycle_for;

typedef struct rt_elem {
    /* first cache lines: what the kernel reads on every part move */
    char *name;
    fab_kind kind;
    int id;
    int nsucc, succ_cap;
    int has_prob;
    int nfail;
    int *succ;
    double *prob;               /* per successor, when routed by probability */
    fab_route_fn rule;
    void *rule_ctx;
    rt_sampler *cycle;
    rt_sampler *setup;
    struct rt_failure *fail;
    fab_order order;
    int ncycle_for;
    fab_key_fn key;
    void *key_ctx;
    int descending;
    int key_dynamic;            /* key evaluated at dispatch, not at entry */
    int accumulating;
    double length, speed, spacing;
    /* source */
    int part_type;
    int unlimited;
    rt_sampler *interarrival;
    double batch, limit;        /* limit: INFINITY when none */
    fab_on_block on_block;
    /* station and assembly */
    double capacity;            /* servers (station, 1..FAB_MAX_SERVERS) or parts (buffer,
                                 * INFINITY: unbounded) */
    rt_cycle_for *cycle_for;
    double power[FAB_STATE__COUNT];
    /* assembly */
    int out_type;
    int *bom_type;
    unsigned *bom_count;
    int nbom;
} rt_elem;

typedef struct rt_param {
    char *name;
    double *slot;
    fab_dim dim;
} rt_param;

typedef struct rt_attr_sampler {
    int slot;
    rt_sampler *s;
} rt_attr_sampler;

typedef struct rt_ptype {
    char *name;
    rt_attr_sampler *attr;
    int nattr;
    fab_part_init_fn init;
    void *init_ctx;
} rt_ptype;

struct fab_model {
    char *name;
    char *error;
    double horizon, warmup;
    uint64_t replications, seed;
    rt_elem **elem;
    int nelem, elem_cap;
    rt_ptype *ptype;
    int nptype, ptype_cap;
    char **attr_name;
    int nattr, attr_cap;
    int due_slot;
    rt_param *param;
    int nparam, param_cap;
    rt_sampler **samplers;      /* every sampler, for freeing */
    int nsamplers, samplers_cap;
    /* open-addressing hash indexes (element and parameter names -> index, -1 empty) */
    int *elem_idx, *param_idx;
    size_t elem_idx_cap, param_idx_cap;
    int valid_as_built;         /* -1 unknown, else whether the model was valid before the first
                                 * command line's --set (fab_cli_parse; a generated simulator
                                 * parses its command line twice) */
};

void rt_model_fail(fab_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* printf into a new malloc'ed string (any length), or NULL when out of memory. */
char *rt_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Check the model is runnable (successors, samplers, probabilities); 0 or -1 with err. */
int  rt_model_validate(const fab_model *m, char *err, size_t errsize);
/* The most work one instant of a replication may take (fab_sim.instant_limit): also the largest
 * batch a source may have. */
static inline uint64_t rt_instant_limit(int nelem) { return 1000u * (uint64_t)nelem + 1000000u; }

/* ---- simulation ------------------------------------------------------------------------ */

enum {
    RT_EV_WARMUP,
    RT_EV_ARRIVAL,          /* source elem */
    RT_EV_SERVER_END,       /* station elem, a = server, gen */
    RT_EV_FAIL,             /* station elem, a = server, b = mode, gen */
    RT_EV_REPAIR,           /* station elem, a = server, b = mode */
    RT_EV_CONV_ARRIVE,      /* conveyor elem, gen */
    RT_EV_CONV_ENTRY        /* conveyor elem, gen */
};

typedef struct rt_stream {
    uint64_t key[2];
    fab_rng rng;
} rt_stream;

typedef struct rt_fclock {
    /* first cache line: what a cycle start and end touch; the streams only at failures */
    _Alignas(64) fab_basis basis;   /* copy of the mode's basis */
    double op_left;         /* operating basis: busy time left before failure */
    double cyc_left;        /* cycles basis: cycles left */
    uint32_t gen;           /* invalidates a scheduled operating/calendar FAIL */
    int pending;            /* an operating FAIL event is scheduled */
    rt_stream ttf, ttr;
} rt_fclock;

typedef struct rt_server {
    /* line 0: everything a cycle's start, end and release touch (the state times of the
     * states of a cycle: idle, busy, blocked); line 1: setup, failures */
    _Alignas(64) fab_state state;
    uint32_t gen;
    fab_part *part;
    double since;           /* time of the last state change */
    double end_time;        /* scheduled end of setup/cycle */
    double busy_start;
    double t_state[FAB_STATE__COUNT];
    double remaining;       /* setup/cycle time left when preempted */
    int last_type;          /* type of the last part (stations with a setup only) */
    fab_state resume;       /* state to return to after repair */
    int down_count;
    int fail_after_cycle;   /* some cycles-basis mode is due: its failure comes once the
                             * part has left */
} rt_server;

_Static_assert(sizeof(rt_server) == 128, "rt_server is two cache lines");
_Static_assert(FAB_STATE_IDLE < 3 && FAB_STATE_BUSY < 3 && FAB_STATE_BLOCKED < 3
               && offsetof(rt_server, t_state) + 3 * sizeof(double) <= 64,
               "the state times of idle, busy and blocked are in a server's first line");

typedef struct rt_conv_slot {
    fab_part *part;
    double tf;              /* accumulating: virtual entry time; else belt time at entry */
} rt_conv_slot;

typedef struct rt_cycle_stream {
    int type;
    rt_sampler *s;
    rt_stream st;
} rt_cycle_stream;

typedef struct rt_attr_stream {
    int slot;
    rt_sampler *s;
    rt_stream st;
} rt_attr_stream;

/* rt_es.direct: how an element sends parts on. */
enum {
    RT_ROUTED = 0,          /* several successors or a rule: rt_route_push_routed decides */
    RT_DIRECT = 1,          /* one successor, no rule */
    RT_DIRECT_SOLE = 2      /* a FIFO buffer off every flow cycle whose one successor is a
                             * single-server station that no other element feeds: a part that
                             * finds that station busy until after now need not be offered */
};

/* rt_es.has_op: the failure modes of a station that count operating time. */
enum {
    RT_OP_NONE = 0,
    RT_OP_SOME = 1,         /* one or more among several modes */
    RT_OP_ONLY = 2          /* the station's only mode: server k's one clock */
};

typedef struct rt_es {              /* element state during a replication */
    /* hot, grouped by cache line in the order a part move touches them (bench_line); the
     * struct is 64-byte aligned, so its size is a whole number of lines and, in the aligned
     * array of element states, each group stays in one line */
    /* line 0: offering a part (routing, acceptance by a buffer or a single server) */
    _Alignas(64) struct rt_es *succ0;   /* the first successor (the only one when direct);
                                         * NULL when none */
    rt_server *srv;
    struct rt_es *wait0;            /* the first upstream element waiting for room here (of
                                     * nwait; the others in wait_more: most have one at most) */
    uint64_t qlen;
    uint64_t cap;                   /* buffer capacity, UINT64_MAX: unbounded */
    int id;
    int nwait;
    unsigned nsrv;
    uint8_t kind;                   /* a fab_kind, copy of e->kind */
    uint8_t order;                  /* buffer: a fab_order */
    uint8_t direct;                 /* RT_DIRECT_*: one successor, no rule (no routing) */
    uint8_t in_wake;
    uint8_t is_asm;
    uint8_t has_op;                 /* RT_OP_*: some mode counts operating time */
    uint8_t has_cycle;
    uint8_t has_cycles_basis;       /* some failure mode counts completed cycles */
    uint8_t on_cycle;               /* copy of dl_mark: lies on a directed cycle of the flow */
    uint8_t plain;                  /* a station of one server without a setup, a cycle by part
                                     * type or a cycles-basis failure mode: a part move checks
                                     * this flag instead of each of those */
    uint8_t pass;                   /* a plain station whose one successor is a FIFO buffer of
                                     * room > 0 with one successor, a plain station: its parts
                                     * may pass that buffer at once (rt_buffer_offer) */
    uint8_t pull;                   /* a plain station whose one predecessor is a RT_DIRECT_SOLE
                                     * buffer: at its release it takes that buffer's next part
                                     * itself (rt_buffer_feed) */
    /* line 1: a buffer's acceptance and dispatch, with its statistics */
    fab_part *q_head, *q_tail;      /* source queue; buffer FIFO/LIFO list */
    uint64_t count;                 /* parts since warmup: created (source), taken in (sink)
                                     * or sent on (buffer, conveyor) */
    double wait_mean;               /* buffer: mean waiting time of the `count` parts sent on
                                     * (Welford's running mean) */
    fab_stat_timeavg level;         /* source queue, buffer, conveyor contents; its t0, read
                                     * only at warmup and at the end, is line 2's first field */
    /* lines 2-3: a station's cycle. The cycle stream starts in line 2 (after level.t0) so
     * that a draw reads line 3 only (out, next), which also holds the other fields a cycle's
     * start and end touch; line 2 (the stream's key and counter) is read at a refill, and
     * lines 2 and 3 are one aligned pair for the hardware's adjacent-line prefetch */
    rt_stream cycle_st;
    uint64_t count_out;             /* station, assembly: parts sent on since warmup */
    double cyc_exp_mean;            /* > 0: exponential with this mean, no bounds, and no cycle
                                     * by part type (drawn inline) */
    /* line 4 and on */
    fab_sample_fn cyc_fn;           /* the default cycle sampler, flattened: fn, or */
    void *cyc_ctx;
    const rt_sampler *cyc_rs;       /* the cycle sampler when neither cyc_fn nor cyc_exp_mean
                                     * (NULL: none) */
    int nfail;                      /* failure modes (station, assembly) */
    int ncyc;
    const rt_sampler *setup;        /* e->setup */
    struct rt_es **wait_more;       /* waiters after wait0, in the order they started waiting */
    int wait_more_cap;
    unsigned bq_head, bq_len;
    unsigned *blocked_q;            /* ring of blocked server indices in block order (nsrv > 1;
                                     * a single server is blocked when its state says so) */
    /* warm */
    const rt_elem *e;
    const int *succ;
    rt_stream setup_st;
    rt_cycle_stream *cyc;
    uint64_t failures;
    unsigned *kit;                  /* assembly: components held per BOM line */
    fab_part **kit_parts;           /* held components, per BOM line, bom_count each */
    fab_part **heap;                /* keyed buffer: a heap, or in entry order (dynamic key) */
    uint64_t heap_cap;
    uint64_t seq;
    /* conveyor */
    rt_conv_slot *cv;
    uint64_t cv_cap, cv_head, cv_len;
    double entry_ready;
    int head_at_end, head_blocked;
    double belt_off, stop_start;    /* non-accumulating belt clock */
    uint32_t cv_gen;
    fab_stat_tally transit;
    /* source */
    rt_stream route;
    rt_stream ia;
    rt_attr_stream *attr;
    int nattr;
    rt_stream init;
    uint64_t created, lost, limit, batch;
    fab_part *pending;              /* unlimited supply: the part waiting to enter */
    /* sink */
    fab_stat_tally lead, tard;
    fab_stat_hist lead_hist;        /* lead times, for their percentiles */
    uint64_t on_time, with_due;
} rt_es;

_Static_assert(sizeof(rt_es) % 64 == 0, "rt_es is a whole number of 64-byte cache lines");
_Static_assert(offsetof(rt_es, q_head) == 64 && offsetof(rt_es, level.t0) == 128
               && offsetof(rt_es, cycle_st.rng.out) / 64 == 3
               && offsetof(rt_es, cycle_st.rng.next) / 64 == 3
               && offsetof(rt_es, cyc_exp_mean) + sizeof(double) == 256,
               "line 1 holds a buffer's queue and statistics, line 3 what a station's cycle "
               "reads: the cycle stream's outputs, count_out and cyc_exp_mean");

struct fab_sim {
    const fab_model *m;
    double now, horizon, warmup;
    uint64_t seed;
    rt_evset ev;
    uint64_t seq;
    uint64_t events;
    rt_es *es;
    int nelem;
    rt_es **wake;                   /* FIFO of elements to retry pushing: a ring of wake_mask + 1
                                     * slots (a power of two >= nelem; an element is queued once) */
    unsigned wake_head, wake_len, wake_mask;
    /* parts pool */
    size_t part_size;
    void **slabs;
    size_t nslabs, slab_cap;
    fab_part *free_parts;
    uint64_t next_part_id;
    /* every stream, repositioned per replication */
    rt_stream **streams;
    size_t nstreams, streams_cap;
    /* deadlock */
    int deadlock;
    int stop;                       /* failed or deadlocked: the replication ends */
    uint64_t instant_limit;         /* the most work one instant may take (1000 nelem + 10^6):
                                     * wake-ups in one drain, parts an unlimited source sends on
                                     * at once, events at one time; past it, parts are taken to
                                     * move in a loop without time passing and the replication
                                     * stops with an error instead of hanging */
    uint64_t progress_limit;        /* events at one time past which time is taken not to
                                     * advance: instant_limit, plus 4 events per element for each
                                     * part of the largest batch (a batch's parts each cross the
                                     * zero-time elements in their way at the same instant) */
    double progress_now;            /* time at the last progress check (sim_check_progress) */
    uint64_t progress_events;       /* events since time last advanced, at the checks */
    double deadlock_time;
    int *dl_mark;
    int *dl_stack;
    int *dl_set;                    /* elements of the last deadlock (flags) */
    char err[256];
    int failed;
};

/* RT_KERNEL_INLINE: the functions on every event's path that one file of the kernel defines
 * and another calls (rt_station_cycle_end, rt_station_accept, rt_station_push_out,
 * rt_route_refused, rt_buffer_offer, rt_buffer_feed). The kernel (sim.c, station.c, conveyor.c) is compiled as one translation
 * unit, kernel.c, in which they are inlined into their callers; their declarations here,
 * without `inline`, make the definitions external ones as well. */
#define RT_KERNEL_INLINE __attribute__((always_inline)) inline

/* Branch hints for the kernel's common case, the line of plain stations (docs/performance.md:
 * about 2 % of CPU time from the code layout, the same instructions). */
#define RT_LIKELY(c) __builtin_expect(!!(c), 1)
#define RT_UNLIKELY(c) __builtin_expect(!!(c), 0)

/* sim.c */
fab_part *rt_part_new(fab_sim *s, int type, int creator);
void  rt_part_free(fab_sim *s, fab_part *p);
/* Offer part p to element dst (whatever its kind); 1 if it took it. */
int   rt_accept(fab_sim *s, rt_es *dst, fab_part *p);
/* The same for a part without a pending routing decision (p->route < 0), which is every part
 * held by an element that does not route: an accepted part's route is reset, and only
 * rt_route_push_routed sets one. */
int   rt_accept_unrouted(fab_sim *s, rt_es *dst, fab_part *p);
/* dst refused a part of `from`: `from` waits for it (and a deadlock check if on a cycle). */
void  rt_route_refused(fab_sim *s, rt_es *from, rt_es *dst);
/* rt_route_push for an element with several successors or a route rule. */
int   rt_route_push_routed(fab_sim *s, rt_es *from, fab_part *p);
void  rt_check_deadlock(fab_sim *s, int from);
double rt_sample(const rt_sampler *rs, fab_rng *r, const fab_part *p);
void  rt_stream_setup(fab_sim *s, rt_stream *st, const char *elem, const char *purpose);
void  rt_sim_fail(fab_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The kernel services every event uses, inline (each a few instructions, called several
 * times per event from sim.c, station.c and conveyor.c). */

/* Schedule an event at time t (kind RT_EV_*, element, a/b/gen as the kind defines). Always
 * inline: with the calendar's push it is a few dozen instructions, less than a call frame
 * and the register saves it costs its callers (docs/performance.md). */
static inline __attribute__((always_inline)) void rt_schedule(fab_sim *s, double t, int kind,
                                                             int elem, unsigned a, unsigned b,
                                                             uint32_t gen)
{
    if (s->seq >= RT_EV_MAX_SEQ) {
        rt_sim_fail(s, "more than 2^40 events in one replication");
        return;
    }
    rt_event ev = {.t = t, .key = rt_ev_key(s->seq++, (unsigned)kind, (unsigned)elem),
                   .gen = gen, .a = (uint16_t)a, .b = (uint16_t)b};
    if (rt_evset_push(&s->ev, &ev))
        rt_sim_fail(s, "out of memory (event set)");
}

/* A count the model holds as a double (validated >= 0), saturated at UINT64_MAX: a plain
 * conversion of 2^64 or more (a capacity or limit set to 1e30, say) is undefined. */
static inline uint64_t rt_count_u64(double v)
{
    return v < 0x1p64 ? (uint64_t)v : UINT64_MAX;
}

/* Queue x for a retry of sending its parts on (once: already queued is a no-op). */
static inline void rt_wake(fab_sim *s, rt_es *x)
{
    if (x->in_wake)
        return;
    x->in_wake = 1;
    s->wake[(s->wake_head + s->wake_len) & s->wake_mask] = x;
    s->wake_len++;
}

/* x has room again: wake the elements waiting for it, in the order they started waiting. */
static inline void rt_notify_space(fab_sim *s, rt_es *x)
{
    if (x->nwait == 0)
        return;
    rt_wake(s, x->wait0);
    for (int i = 0; i < x->nwait - 1; i++)
        rt_wake(s, x->wait_more[i]);
    x->nwait = 0;
}

/* Offer part p (held by x) to x's successors per the routing; 1 if one took it. The
 * commonest case, a single successor without a rule, is handled here. */
static inline int rt_route_push(fab_sim *s, rt_es *x, fab_part *p)
{
    if (!x->direct)
        return rt_route_push_routed(s, x, p);
    if (rt_accept_unrouted(s, x->succ0, p))
        return 1;
    rt_route_refused(s, x, x->succ0);
    return 0;
}

/* sim.c: the offer of a station marked `pass` to its FIFO buffer, which may pass the part
 * straight on; 1 if the buffer took it */
int   rt_buffer_offer(fab_sim *s, rt_es *x, fab_part *p);
/* sim.c: a station marked `pull`, just released, takes the next part of its feeder b */
void  rt_buffer_feed(fab_sim *s, rt_es *b);

/* station.c */
int   rt_station_setup(fab_sim *s, rt_es *x);
void  rt_station_start(fab_sim *s, rt_es *x);
int   rt_station_accept(fab_sim *s, rt_es *x, fab_part *p);
void  rt_station_push_out(fab_sim *s, rt_es *x);
void  rt_station_cycle_end(fab_sim *s, const rt_event *ev);    /* a SERVER_END event */
void  rt_station_event(fab_sim *s, const rt_event *ev);        /* a FAIL or REPAIR event */
void  rt_station_warmup(fab_sim *s, rt_es *x);
void  rt_station_finish(fab_sim *s, rt_es *x);
int   rt_station_stuck(const fab_sim *s, const rt_es *x);
fab_state rt_station_state(const rt_es *x);
double rt_station_level(const rt_es *x);
void  rt_station_free(rt_es *x);

/* conveyor.c */
int   rt_conveyor_setup(fab_sim *s, rt_es *x);
int   rt_conveyor_accept(fab_sim *s, rt_es *x, fab_part *p);
void  rt_conveyor_push_out(fab_sim *s, rt_es *x);
void  rt_conveyor_event(fab_sim *s, const rt_event *ev);
int   rt_conveyor_stuck(const fab_sim *s, const rt_es *x);

/* sim.c: metric layout (used by results.c) */
typedef struct rt_layout {
    int nmetric;
    int *elem;                      /* element of each metric */
    const char **name;              /* metric name, dotted for nesting */
} rt_layout;
int  rt_layout_build(const fab_model *m, rt_layout *L);
void rt_layout_free(rt_layout *L);

/* sim.c: one replication, of a model that passed rt_model_validate */
fab_sim *rt_sim_new(const fab_model *m, fab_evset_kind evk, double horizon, double warmup,
                    uint64_t seed, char *err, size_t errsize);
void     rt_sim_free(fab_sim *s);
/* Run replication rep; write metrics (layout order) into row. Returns 0 or -1 (s->err). */
int      rt_sim_run(fab_sim *s, uint64_t rep, double *row);

#endif
