/*
 * test_random_models.c — randomized property test of the runtime. Suite 'runtime'.
 *
 * NMODELS random factory models are built through the C API, each from its own splitmix64
 * stream: model i starts from the state RM_SEED_BASE + i, RM_SEED_BASE = 0xFAB0C0DE5EED0000
 * (fixed: the same models on every run). A model is a layered DAG:
 *   - 1-3 part types, sometimes a "due" attribute and a "prio" attribute (sampler or part
 *     initialiser callback);
 *   - 1-3 sources: interarrival constant/exponential/uniform/computed, sometimes batch > 1,
 *     a limit, supply = unlimited (then feeding stations or conveyors only) or on_block lose;
 *   - sometimes a serial line of 2-4 single-server stations and finite FIFO buffers;
 *   - 1-4 layers of stations (1-3 servers; cycles constant, exponential, uniform, normal
 *     clamped or truncated, triangular, lognormal, gamma, erlang, weibull, empirical table or a
 *     callback, sometimes per part type; setups; failure modes on the operating, calendar and
 *     cycles bases; power), buffers (finite or infinite; FIFO, LIFO, keyed on entry or at
 *     dispatch), conveyors (accumulating or not) and assemblies whose every predecessor
 *     delivers only BOM part types;
 *   - 1-2 sinks; a node with several successors routes by probability, by a rule callback
 *     (by type, by id, least-loaded successor through fab_sim_level) or to the first that
 *     accepts.
 * Sometimes a station feeds parts back to an earlier buffer or station (a loop in which time
 * passes; such loops can fill and deadlock). Horizons of 4800-19200 s (a few thousand
 * events), a warmup sometimes, 2-3 replications.
 *
 * Properties checked for every model:
 *   1. FAB_EVSET_HEAP and FAB_EVSET_CALENDAR give bit-identical results;
 *   2. jobs 1 and jobs 3 give bit-identical results;
 *   3. running twice gives bit-identical results;
 *      (identical = same metrics, per-replication values equal as bits, same event counts,
 *      same deadlocks: replication, time bits and elements);
 *   4. every station/assembly's state fractions lie in [0, 1] and sum to 1 within 1e-9 in
 *      every replication where they are defined, and utilization equals the busy fraction;
 *   5. buffers: 0 <= mean_level <= max_level <= capacity; conveyors: the same with the
 *      capacity floor(length / spacing); sources: 0 <= queue_mean <= queue_max;
 *   6. a run of a valid model never fails (fab_run returns results, deadlocks are reported
 *      through fab_results_deadlock_count) and never hangs (the Check timeout);
 *   7. with a rule that picks the only successor on every buffer that has one, the model
 *      gives bit-identical results: the kernel's shortcuts for lines of plain stations
 *      (pass-through, sole feeder, feeding) do what the general routed path does.
 * Metrics are located by name (fab_results_metric_element/_name), never by position.
 *
 * Environment (debugging): RM_MODEL=i runs model i only; RM_VERBOSE=1 prints each model's
 * builder calls and a one-line summary of its runs to stderr; RM_DIGEST=1 prints a digest of
 * each model's results (FNV-1a over the bits of every value, the event count and the
 * deadlocks) to stderr, so that two builds of the runtime can be compared model by model.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fab/fab.h"

#define NMODELS 200
#define RM_SEED_BASE UINT64_C(0xFAB0C0DE5EED0000)

#define MAX_NODES 64
#define MAX_SUCC 8

/* ---- splitmix64 ------------------------------------------------------------------------- */

static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* ---- generator state -------------------------------------------------------------------- */

typedef struct rule_ctx {
    int kind;               /* 0 by type, 1 by id, 2 least-loaded successor */
    int nsucc;
    int succ[MAX_SUCC];
} rule_ctx;

typedef struct gnode {
    int id;
    fab_kind kind;
    int layer;
    unsigned out_mask;      /* part types that can leave it */
    int unlimited;          /* an unlimited source */
    double cap;             /* buffer capacity (INFINITY), conveyor floor(length/spacing) */
    int any_cycle;          /* a station with a cycle for every part type */
    int nsucc;
    int succ[MAX_SUCC];
} gnode;

typedef struct gen {
    uint64_t rng;
    fab_model *m;
    int ntypes;
    int types[3];
    int prio_slot;          /* -1 if none */
    int nnodes;
    gnode node[MAX_NODES];
    rule_ctx rules[MAX_NODES];
    double tables[MAX_NODES * 4][4];   /* empirical tables (must outlive the model) */
    int ntables;
    double fn_base[MAX_NODES * 4];     /* contexts of sampler callbacks */
    int nfn;
    int nunlimited, nassembly, nconveyor, nfailure, nrule, nprob, nback;
    char *log;
    size_t loglen, logcap;
} gen;

static void glog(gen *g, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (g->loglen + (size_t)n + 2 > g->logcap) {
        size_t cap = g->logcap ? 2 * g->logcap : 4096;
        while (cap < g->loglen + (size_t)n + 2)
            cap *= 2;
        char *p = realloc(g->log, cap);
        if (!p)
            return;
        g->log = p;
        g->logcap = cap;
    }
    memcpy(g->log + g->loglen, line, (size_t)n);
    g->loglen += (size_t)n;
    g->log[g->loglen++] = '\n';
    g->log[g->loglen] = '\0';
}

static uint64_t g_below(gen *g, uint64_t n) { return n ? sm_next(&g->rng) % n : 0; }
static int g_int(gen *g, int lo, int hi) { return lo + (int)g_below(g, (uint64_t)(hi - lo + 1)); }
static double g_u01(gen *g) { return (double)(sm_next(&g->rng) >> 11) * 0x1.0p-53; }
static double g_unif(gen *g, double lo, double hi) { return lo + (hi - lo) * g_u01(g); }
static int g_chance(gen *g, double p) { return g_u01(g) < p; }

/* ---- callbacks -------------------------------------------------------------------------- */

/* A computed duration: base * (0.5 + u) * (1 + type / 4). part is NULL for interarrivals. */
static double fn_duration(fab_rng *r, const fab_part *p, void *ctx)
{
    double base = *(const double *)ctx;
    return base * (0.5 + fab_rng_u01(r)) * (1.0 + (p ? 0.25 * p->type : 0.0));
}

static void init_prio(fab_part *p, fab_rng *r, const fab_sim *v, void *ctx)
{
    int slot = *(const int *)ctx;
    p->attr[slot] = fab_rng_u01(r) + 0.001 * fab_sim_now(v);
}

static double key_attr(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    return p->attr[*(const int *)ctx];
}

static double key_created(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    (void)ctx;
    return p->created;
}

static double key_type(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)v;
    (void)ctx;
    return (double)p->type;
}

/* dynamic: time spent in the buffer so far, weighted by type */
static double key_age(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)ctx;
    return (fab_sim_now(v) - p->entered) * (1.0 + p->type);
}

/* property 7: the only successor */
static int route_only(const fab_part *p, const fab_sim *v, void *ctx)
{
    (void)p;
    (void)v;
    (void)ctx;
    return 0;
}

static int route_rule(const fab_part *p, const fab_sim *v, void *ctx)
{
    const rule_ctx *rc = ctx;
    switch (rc->kind) {
    case 0: return p->type % rc->nsucc;
    case 1: return (int)(p->id % (uint64_t)rc->nsucc);
    default: {
        int best = 0;
        double lv = fab_sim_level(v, rc->succ[0]);
        for (int k = 1; k < rc->nsucc; k++) {
            double l = fab_sim_level(v, rc->succ[k]);
            if (l < lv) {
                lv = l;
                best = k;
            }
        }
        return best;
    }
    }
}

/* ---- random pieces ---------------------------------------------------------------------- */

static const char *const dist_names[] = {"const", "exp", "unif", "normal-clamp", "normal-trunc",
                                         "tri", "lognormal", "gamma", "erlang", "weibull",
                                         "empirical", "fn"};

/* A positive duration with mean about `mean`; `kinds` limits the choice to the first kinds. */
static fab_sampler rand_duration(gen *g, double mean, int kinds, const char *what)
{
    int k = g_int(g, 0, kinds - 1);
    fab_dist d;
    switch (k) {
    case 0: d = fab_dist_const(mean); break;
    case 1: d = fab_dist_exp(mean); break;
    case 2: d = fab_dist_unif(0.5 * mean, 1.5 * mean); break;
    case 3:
        d = fab_dist_make(FAB_DIST_NORMAL, mean, 0.4 * mean, 0, 0);
        d.bound = FAB_BOUND_CLAMP;
        d.lo = 0.1 * mean;
        d.hi = 3 * mean;
        break;
    case 4:
        d = fab_dist_make(FAB_DIST_NORMAL, mean, 0.5 * mean, 0, 0);
        d.bound = FAB_BOUND_TRUNCATE;
        d.lo = 0.2 * mean;
        d.hi = 2 * mean;
        break;
    case 5: d = fab_dist_make(FAB_DIST_TRIANGULAR, 0.5 * mean, mean, 1.5 * mean, 0); break;
    case 6: d = fab_dist_make(FAB_DIST_LOGNORMAL, mean, 0.5 * mean, 0, 0); break;
    case 7: d = fab_dist_make(FAB_DIST_GAMMA, 2.0, mean / 2, 0, 0); break;
    case 8: d = fab_dist_make(FAB_DIST_ERLANG, 3, mean, 0, 0); break;
    case 9: d = fab_dist_make(FAB_DIST_WEIBULL, 1.5, mean, 0, 0); break;
    case 10: {
        double *t = g->tables[g->ntables++];
        for (int i = 0; i < 4; i++)
            t[i] = mean * (0.4 + 0.4 * i);
        d = fab_dist_make(FAB_DIST_EMPIRICAL, 0, 0, 0, 0);
        d.n = 4;
        d.values = t;
        break;
    }
    default: {
        double *b = &g->fn_base[g->nfn++];
        *b = mean;
        glog(g, "    %s: fn(%g)", what, mean);
        return fab_sampler_of_fn(fn_duration, b);
    }
    }
    glog(g, "    %s: %s(%g)", what, dist_names[k], mean);
    return fab_sampler_of_dist(d);
}

/* A predecessor for a node of `kind` in a layer after `layer`: any earlier non-sink node,
 * but an unlimited source only for stations and conveyors (it would otherwise push parts
 * through zero-time elements without end). -1 if none. */
static int pick_pred(gen *g, int layer, fab_kind kind)
{
    int cand[MAX_NODES], n = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const gnode *x = &g->node[i];
        if (x->layer >= layer || x->kind == FAB_KIND_SINK || x->nsucc >= MAX_SUCC - 1)
            continue;
        if (x->unlimited && kind != FAB_KIND_STATION && kind != FAB_KIND_CONVEYOR)
            continue;
        cand[n++] = i;
    }
    return n ? cand[g_below(g, (uint64_t)n)] : -1;
}

static void add_flow(gen *g, int from, int to)
{
    gnode *a = &g->node[from];
    for (int k = 0; k < a->nsucc; k++)
        if (a->succ[k] == to)
            return;
    a->succ[a->nsucc++] = to;
    fab_flow(g->m, a->id, g->node[to].id);
    glog(g, "flow %s -> %s", fab_model_element_name(g->m, a->id),
         fab_model_element_name(g->m, g->node[to].id));
}

static int add_node(gen *g, int id, fab_kind kind, int layer)
{
    gnode *x = &g->node[g->nnodes];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->kind = kind;
    x->layer = layer;
    x->cap = NAN;
    return g->nnodes++;
}

static void rand_failures(gen *g, int id, double cycle_mean)
{
    int nf = g_chance(g, 0.4) ? g_int(g, 1, 2) : 0;
    for (int f = 0; f < nf; f++) {
        char mode[16];
        snprintf(mode, sizeof mode, "f%d", f);
        fab_basis basis = (fab_basis)g_int(g, 0, 2);
        glog(g, "  failure %s basis %d", mode, (int)basis);
        fab_sampler ttf;
        if (basis == FAB_BASIS_CYCLES) {
            switch (g_int(g, 0, 2)) {
            case 0: ttf = fab_sampler_const(g_int(g, 3, 30)); break;
            case 1: ttf = fab_sampler_of_dist(fab_dist_unif(2, 40)); break;
            default: ttf = fab_sampler_of_dist(fab_dist_make(FAB_DIST_POISSON, 12, 0, 0, 0));
            }
        } else {
            ttf = rand_duration(g, cycle_mean * g_unif(g, 5, 40), 10, "ttf");
        }
        fab_sampler ttr = rand_duration(g, cycle_mean * g_unif(g, 0.5, 5), 10, "ttr");
        fab_station_failure(g->m, id, mode, ttf, ttr, basis);
        g->nfailure++;
    }
}

/* cycle, setup, power and failures of a station or assembly fed with types `mask` */
static int rand_processing(gen *g, int id, unsigned mask, double cycle_mean)
{
    int any = 1;
    if (g_chance(g, 0.3)) {
        /* per part type, with or without a default */
        int with_default = g_chance(g, 0.5);
        any = with_default;
        if (with_default)
            fab_station_cycle(g->m, id, rand_duration(g, cycle_mean, 12, "cycle"));
        for (int t = 0; t < g->ntypes; t++)
            if ((mask >> t & 1u) && (!with_default || g_chance(g, 0.6)))
                fab_station_cycle_for(g->m, id, g->types[t],
                                      rand_duration(g, cycle_mean * g_unif(g, 0.6, 1.4), 12,
                                                    "cycle_for"));
    } else {
        fab_station_cycle(g->m, id, rand_duration(g, cycle_mean, 12, "cycle"));
    }
    if (g_chance(g, 0.25))
        fab_station_setup(g->m, id, rand_duration(g, cycle_mean * g_unif(g, 0.2, 2), 3, "setup"));
    if (g_chance(g, 0.3)) {
        for (int s = 0; s < FAB_STATE__COUNT; s++)
            fab_station_power(g->m, id, (fab_state)s, 100.0 * g_int(g, 0, 20));
    }
    rand_failures(g, id, cycle_mean);
    return any;
}

/* ---- the model -------------------------------------------------------------------------- */

static void build_model(gen *g, int index, double *horizon_out)
{
    char name[64];
    g->prio_slot = -1;
    fab_model *m = g->m = fab_model_new("random");
    glog(g, "model %d", index);

    g->ntypes = g_int(g, 1, 3);
    for (int t = 0; t < g->ntypes; t++) {
        snprintf(name, sizeof name, "T%d", t);
        g->types[t] = fab_model_part_type(m, name);
    }
    glog(g, "types %d", g->ntypes);
    if (g_chance(g, 0.3)) {
        int due = fab_model_attr(m, "due");
        for (int t = 0; t < g->ntypes; t++)
            if (g_chance(g, 0.7))
                fab_model_part_attr(m, g->types[t], due,
                                    fab_sampler_of_dist(fab_dist_unif(50, 600)));
        glog(g, "attr due");
    }
    if (g_chance(g, 0.5)) {
        static int slot_store[1];   /* overwritten per model; read only during its runs */
        g->prio_slot = fab_model_attr(m, "prio");
        slot_store[0] = g->prio_slot;
        for (int t = 0; t < g->ntypes; t++) {
            if (g_chance(g, 0.5))
                fab_model_part_init(m, g->types[t], init_prio, slot_store);
            else
                fab_model_part_attr(m, g->types[t], g->prio_slot,
                                    fab_sampler_of_dist(fab_dist_unif(0, 10)));
        }
        glog(g, "attr prio");
    }

    double base = g_unif(g, 5, 20);         /* the time scale of this model */

    /* sources: layer 0 */
    int nsrc = g_int(g, 1, 3);
    for (int i = 0; i < nsrc; i++) {
        int t = g_int(g, 0, g->ntypes - 1);
        snprintf(name, sizeof name, "src%d", i);
        int id = fab_source_new(m, name, g->types[t]);
        int n = add_node(g, id, FAB_KIND_SOURCE, 0);
        g->node[n].out_mask = 1u << t;
        glog(g, "source %s type T%d", name, t);
        if (g_chance(g, 0.15)) {
            fab_source_unlimited(m, id);
            g->node[n].unlimited = 1;
            g->nunlimited++;
            glog(g, "  unlimited");
        } else {
            double ia = base * g_unif(g, 0.6, 2.5) * nsrc;
            int k = g_int(g, 0, 3);
            if (k == 3) {
                double *b = &g->fn_base[g->nfn++];
                *b = ia;
                fab_source_interarrival(m, id, fab_sampler_of_fn(fn_duration, b));
                glog(g, "  interarrival fn(%g)", ia);
            } else {
                fab_source_interarrival(m, id, rand_duration(g, ia, 3, "interarrival"));
            }
        }
        if (g_chance(g, 0.25)) {
            uint64_t b = (uint64_t)g_int(g, 2, 4);
            fab_source_batch(m, id, b);
            glog(g, "  batch %d", (int)b);
        }
        if (g_chance(g, 0.25)) {
            uint64_t l = (uint64_t)g_int(g, 1, 120);
            fab_source_limit(m, id, l);
            glog(g, "  limit %d", (int)l);
        }
        if (!g->node[n].unlimited && g_chance(g, 0.2)) {
            fab_source_on_block(m, id, FAB_ON_BLOCK_LOSE);
            glog(g, "  on_block lose");
        }
    }

    /* middle layers */
    int nlayers = g_int(g, 1, 4), seq = 0;
    for (int L = 1; L <= nlayers; L++) {
        int nl = g_int(g, 1, 3);
        for (int j = 0; j < nl && g->nnodes < MAX_NODES - 8; j++, seq++) {
            int r = g_int(g, 0, 99);
            fab_kind kind = r < 50 ? FAB_KIND_STATION
                            : r < 72 ? FAB_KIND_BUFFER
                            : r < 87 ? FAB_KIND_CONVEYOR : FAB_KIND_ASSEMBLY;
            /* predecessors first: the node's input types are then known */
            int preds[3], np = 0, want = g_int(g, 1, kind == FAB_KIND_ASSEMBLY ? 2 : 3);
            for (int k = 0; k < want; k++) {
                int p = pick_pred(g, L, kind);
                if (p < 0)
                    break;
                int dup = 0;
                for (int q = 0; q < np; q++)
                    dup |= preds[q] == p;
                if (!dup)
                    preds[np++] = p;
            }
            if (np == 0)
                continue;
            unsigned mask = 0;
            for (int q = 0; q < np; q++)
                mask |= g->node[preds[q]].out_mask;
            int id = -1, n;
            switch (kind) {
            case FAB_KIND_STATION: {
                snprintf(name, sizeof name, "st%d", seq);
                id = fab_station_new(m, name);
                unsigned servers = (unsigned)g_int(g, 1, 3);
                glog(g, "station %s servers %u", name, servers);
                if (servers > 1 || g_chance(g, 0.3))
                    fab_station_capacity(m, id, servers);
                int any = rand_processing(g, id, mask, base * g_unif(g, 0.3, 1.5) * servers);
                n = add_node(g, id, kind, L);
                g->node[n].any_cycle = any;
                g->node[n].out_mask = mask;
                break;
            }
            case FAB_KIND_BUFFER: {
                snprintf(name, sizeof name, "buf%d", seq);
                uint64_t cap = g_chance(g, 0.2) ? FAB_CAPACITY_INF : (uint64_t)g_int(g, 1, 12);
                id = fab_buffer_new(m, name, cap);
                n = add_node(g, id, kind, L);
                g->node[n].out_mask = mask;
                g->node[n].cap = cap == FAB_CAPACITY_INF ? INFINITY : (double)cap;
                int order = g_int(g, 0, 5);
                glog(g, "buffer %s cap %g order %d", name, g->node[n].cap, order);
                switch (order) {
                case 0: break;
                case 1: fab_buffer_order(m, id, FAB_ORDER_FIFO); break;
                case 2: fab_buffer_order(m, id, FAB_ORDER_LIFO); break;
                case 3:
                    if (g->prio_slot >= 0) {
                        static int prio_store[1];
                        prio_store[0] = g->prio_slot;
                        fab_buffer_order_key(m, id, key_attr, prio_store, g_int(g, 0, 1));
                    } else {
                        fab_buffer_order_key(m, id, key_created, NULL, g_int(g, 0, 1));
                    }
                    break;
                case 4: fab_buffer_order_key(m, id, key_type, NULL, g_int(g, 0, 1)); break;
                default: fab_buffer_order_key_dynamic(m, id, key_age, NULL, g_int(g, 0, 1));
                }
                break;
            }
            case FAB_KIND_CONVEYOR: {
                snprintf(name, sizeof name, "cv%d", seq);
                double spacing = 0.25 * g_int(g, 2, 8);
                double length = spacing * g_int(g, 1, 12) + 0.125 * g_int(g, 0, 1);
                double speed = 0.25 * g_int(g, 1, 8);
                int acc = g_int(g, 0, 1);
                id = fab_conveyor_new(m, name, length, speed, spacing, acc);
                n = add_node(g, id, kind, L);
                g->node[n].out_mask = mask;
                g->node[n].cap = floor(length / spacing);
                g->nconveyor++;
                glog(g, "conveyor %s length %g speed %g spacing %g acc %d", name, length, speed,
                     spacing, acc);
                break;
            }
            default: {
                int out = g_int(g, 0, g->ntypes - 1);
                snprintf(name, sizeof name, "asm%d", seq);
                id = fab_assembly_new(m, name, g->types[out]);
                glog(g, "assembly %s output T%d", name, out);
                for (int t = 0; t < g->ntypes; t++)
                    if (mask >> t & 1u) {
                        unsigned c = (unsigned)g_int(g, 1, 2);
                        fab_assembly_input(m, id, g->types[t], c);
                        glog(g, "  input T%d x%u", t, c);
                    }
                rand_processing(g, id, 1u << out, base * g_unif(g, 0.3, 1.2));
                n = add_node(g, id, kind, L);
                g->node[n].out_mask = 1u << out;
                g->nassembly++;
                break;
            }
            }
            for (int q = 0; q < np; q++)
                add_flow(g, preds[q], n);
        }
    }

    /* sometimes a serial line: 2-4 single-server stations with default cycles, linked by
     * finite FIFO buffers, fed by an earlier node (the kernel's shortcuts for lines of plain
     * stations; failure modes as anywhere, so that some stations are not plain) */
    if (g_chance(g, 0.4) && g->nnodes < MAX_NODES - 16) {
        int prev = pick_pred(g, nlayers + 1, FAB_KIND_STATION);
        int nst = g_int(g, 2, 4);
        double lbase = base * g_unif(g, 0.3, 1.0);
        glog(g, "line of %d stations:", nst);
        for (int k = 0; k < nst && prev >= 0; k++, seq++) {
            unsigned mask = g->node[prev].out_mask;
            if (k > 0) {
                snprintf(name, sizeof name, "lb%d", seq);
                uint64_t cap = (uint64_t)g_int(g, 1, 4);
                int id = fab_buffer_new(m, name, cap);
                glog(g, "buffer %s cap %llu", name, (unsigned long long)cap);
                int n = add_node(g, id, FAB_KIND_BUFFER, nlayers);
                g->node[n].out_mask = mask;
                g->node[n].cap = (double)cap;
                add_flow(g, prev, n);
                prev = n;
            }
            snprintf(name, sizeof name, "ls%d", seq);
            int id = fab_station_new(m, name);
            glog(g, "station %s", name);
            fab_station_cycle(m, id, rand_duration(g, lbase * g_unif(g, 0.7, 1.3), 12, "cycle"));
            rand_failures(g, id, lbase);
            int n = add_node(g, id, FAB_KIND_STATION, nlayers);
            g->node[n].any_cycle = 1;
            g->node[n].out_mask = mask;
            add_flow(g, prev, n);
            prev = n;
        }
    }

    /* sometimes a feedback flow: a station sends parts back to an earlier buffer or station
     * (time passes in the loop; such loops can fill up and deadlock). Only types the target
     * already receives, so every mask stays valid. Added after the forward flows: routing
     * without probabilities or a rule tries a forward successor first. */
    if (g_chance(g, 0.35)) {
        int cx[MAX_NODES * MAX_NODES], cy[MAX_NODES * MAX_NODES], nc = 0;
        for (int x = 0; x < g->nnodes; x++) {
            const gnode *X = &g->node[x];
            if (X->kind != FAB_KIND_STATION || X->layer < 2 || X->nsucc >= MAX_SUCC - 1)
                continue;
            for (int y = 0; y < g->nnodes; y++) {
                const gnode *Y = &g->node[y];
                if (Y->layer >= X->layer || (X->out_mask & ~Y->out_mask))
                    continue;
                if (Y->kind == FAB_KIND_BUFFER || (Y->kind == FAB_KIND_STATION && Y->any_cycle)) {
                    cx[nc] = x;
                    cy[nc++] = y;
                }
            }
        }
        if (nc) {
            int c = (int)g_below(g, (uint64_t)nc);
            glog(g, "feedback:");
            add_flow(g, cx[c], cy[c]);
            g->nback++;
        }
    }

    /* an unlimited source nobody took gets a station of its own */
    for (int i = 0; i < g->nnodes; i++) {
        if (!g->node[i].unlimited || g->node[i].nsucc)
            continue;
        snprintf(name, sizeof name, "own%d", i);
        int id = fab_station_new(m, name);
        glog(g, "station %s", name);
        fab_station_cycle(m, id, rand_duration(g, base, 10, "cycle"));
        int n = add_node(g, id, FAB_KIND_STATION, nlayers);
        g->node[n].any_cycle = 1;
        g->node[n].out_mask = g->node[i].out_mask;
        add_flow(g, i, n);
    }

    /* sinks */
    int nsink = g_int(g, 1, 2), first_sink = g->nnodes;
    for (int i = 0; i < nsink; i++) {
        snprintf(name, sizeof name, "sink%d", i);
        int id = fab_sink_new(m, name);
        glog(g, "sink %s", name);
        add_node(g, id, FAB_KIND_SINK, nlayers + 1);
    }
    for (int i = 0; i < first_sink; i++) {
        gnode *x = &g->node[i];
        if (x->unlimited)
            continue;
        if (x->nsucc == 0 || g_chance(g, 0.15))
            add_flow(g, i, first_sink + g_int(g, 0, nsink - 1));
    }

    /* routing of nodes with several successors */
    for (int i = 0; i < first_sink; i++) {
        gnode *x = &g->node[i];
        if (x->nsucc < 2)
            continue;
        int r = g_int(g, 0, 9);
        if (r < 4) {
            double w[MAX_SUCC], sum = 0, acc = 0;
            for (int k = 0; k < x->nsucc; k++)
                sum += w[k] = g_unif(g, 0.1, 1);
            for (int k = 0; k < x->nsucc; k++) {
                double p = k + 1 < x->nsucc ? w[k] / sum : 1.0 - acc;
                acc += p;
                fab_route_prob(m, x->id, g->node[x->succ[k]].id, p);
            }
            g->nprob++;
            glog(g, "route %s by probability", fab_model_element_name(m, x->id));
        } else if (r < 7) {
            rule_ctx *rc = &g->rules[i];
            rc->kind = g_int(g, 0, 2);
            rc->nsucc = x->nsucc;
            for (int k = 0; k < x->nsucc; k++)
                rc->succ[k] = g->node[x->succ[k]].id;
            fab_route_rule(m, x->id, route_rule, rc);
            g->nrule++;
            glog(g, "route %s by rule %d", fab_model_element_name(m, x->id), rc->kind);
        }
    }

    double horizon = 480.0 * g_int(g, 10, 40);
    fab_model_horizon(m, horizon);
    if (g_chance(g, 0.4)) {
        double w = horizon * g_unif(g, 0.05, 0.3);
        fab_model_warmup(m, w);
        glog(g, "warmup %g", w);
    }
    int reps = g_int(g, 2, 3);
    fab_model_replications(m, (uint64_t)reps);
    uint64_t seed = sm_next(&g->rng) >> 34;
    fab_model_seed(m, seed);
    glog(g, "horizon %g replications %d seed %llu", horizon, reps, (unsigned long long)seed);
    *horizon_out = horizon;
}

/* ---- running and comparing -------------------------------------------------------------- */

static fab_results *run_with(gen *g, int index, fab_evset_kind ev, int jobs, const char *label)
{
    fab_run_opts o = fab_run_opts_default();
    o.evset = ev;
    o.jobs = jobs;
    char err[512] = "";
    fab_results *r = fab_run(g->m, &o, err, sizeof err);
    if (!r)
        fprintf(stderr, "model %d (%s): run failed: %s\n%s", index, label, err,
                g->log ? g->log : "");
    ck_assert_msg(r != NULL, "model %d (%s): fab_run failed: %s", index, label, err);
    return r;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Properties 1-3: the two results are identical. */
static void assert_identical(const gen *g, int index, const fab_results *a, const fab_results *b,
                             const char *what)
{
    const char *log = g->log ? g->log : "";
    ck_assert_msg(fab_results_replications(a) == fab_results_replications(b),
                  "model %d %s: replications differ", index, what);
    ck_assert_msg(fab_results_events(a) == fab_results_events(b),
                  "model %d %s: events %llu vs %llu", index, what,
                  (unsigned long long)fab_results_events(a),
                  (unsigned long long)fab_results_events(b));
    int nm = fab_results_metric_count(a);
    ck_assert_msg(nm == fab_results_metric_count(b), "model %d %s: metric counts differ", index,
                  what);
    uint64_t reps = fab_results_replications(a);
    for (int k = 0; k < nm; k++) {
        ck_assert_msg(strcmp(fab_results_metric_element(a, k), fab_results_metric_element(b, k))
                          == 0
                      && strcmp(fab_results_metric_name(a, k), fab_results_metric_name(b, k)) == 0,
                      "model %d %s: metric %d named differently", index, what, k);
        for (uint64_t r = 0; r < reps; r++) {
            double x = fab_results_value(a, r, k), y = fab_results_value(b, r, k);
            if (!same_bits(x, y))
                fprintf(stderr, "%s", log);
            ck_assert_msg(same_bits(x, y), "model %d %s: %s.%s rep %llu: %.17g vs %.17g", index,
                          what, fab_results_metric_element(a, k), fab_results_metric_name(a, k),
                          (unsigned long long)r, x, y);
        }
    }
    uint64_t nd = fab_results_deadlock_count(a);
    ck_assert_msg(nd == fab_results_deadlock_count(b), "model %d %s: deadlocks %llu vs %llu", index,
                  what, (unsigned long long)nd, (unsigned long long)fab_results_deadlock_count(b));
    for (uint64_t i = 0; i < nd; i++) {
        uint64_t ra = 0, rb = 0;
        double ta = NAN, tb = NAN;
        const char *ea = NULL, *eb = NULL;
        ck_assert_int_eq(fab_results_deadlock(a, i, &ra, &ta, &ea), 0);
        ck_assert_int_eq(fab_results_deadlock(b, i, &rb, &tb, &eb), 0);
        ck_assert_msg(ra == rb && same_bits(ta, tb) && ea && eb && strcmp(ea, eb) == 0,
                      "model %d %s: deadlock %llu differs (rep %llu t %.17g {%s} vs rep %llu t "
                      "%.17g {%s})", index, what, (unsigned long long)i, (unsigned long long)ra,
                      ta, ea ? ea : "?", (unsigned long long)rb, tb, eb ? eb : "?");
    }
}

static uint64_t fnv_add(uint64_t h, const void *data, size_t n)
{
    const unsigned char *c = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * UINT64_C(1099511628211);
    return h;
}

/* RM_DIGEST: one number for everything assert_identical compares. */
static uint64_t results_digest(const fab_results *r)
{
    uint64_t h = UINT64_C(14695981039346656037);
    uint64_t events = fab_results_events(r), reps = fab_results_replications(r);
    h = fnv_add(h, &events, sizeof events);
    for (int k = 0; k < fab_results_metric_count(r); k++)
        for (uint64_t i = 0; i < reps; i++) {
            double x = fab_results_value(r, i, k);
            h = fnv_add(h, &x, sizeof x);
        }
    for (uint64_t i = 0; i < fab_results_deadlock_count(r); i++) {
        uint64_t rep = 0;
        double t = NAN;
        const char *elems = NULL;
        if (fab_results_deadlock(r, i, &rep, &t, &elems) == 0 && elems) {
            h = fnv_add(h, &rep, sizeof rep);
            h = fnv_add(h, &t, sizeof t);
            h = fnv_add(h, elems, strlen(elems));
        }
    }
    return h;
}

static int metric_of(const fab_results *r, const char *elem, const char *name)
{
    int n = fab_results_metric_count(r);
    for (int k = 0; k < n; k++)
        if (strcmp(fab_results_metric_element(r, k), elem) == 0
            && strcmp(fab_results_metric_name(r, k), name) == 0)
            return k;
    return -1;
}

static int metric_req(const gen *g, int index, const fab_results *r, const char *elem,
                      const char *name)
{
    int k = metric_of(r, elem, name);
    if (k < 0)
        fprintf(stderr, "%s", g->log ? g->log : "");
    ck_assert_msg(k >= 0, "model %d: no metric %s.%s", index, elem, name);
    return k;
}

/* Properties 4 and 5. */
static void assert_invariants(const gen *g, int index, const fab_results *r)
{
    static const char *const states[] = {"state_fraction.idle", "state_fraction.busy",
                                         "state_fraction.blocked", "state_fraction.setup",
                                         "state_fraction.down"};
    const char *log = g->log ? g->log : "";
    uint64_t reps = fab_results_replications(r);
    for (int i = 0; i < g->nnodes; i++) {
        const gnode *x = &g->node[i];
        const char *en = fab_model_element_name(g->m, x->id);
        for (uint64_t rep = 0; rep < reps; rep++) {
            if (x->kind == FAB_KIND_STATION || x->kind == FAB_KIND_ASSEMBLY) {
                double f[5], sum = 0;
                int defined = 1;
                for (int s = 0; s < 5; s++) {
                    f[s] = fab_results_value(r, rep, metric_req(g, index, r, en, states[s]));
                    defined &= !isnan(f[s]);
                }
                if (!defined)
                    continue;
                for (int s = 0; s < 5; s++) {
                    if (!(f[s] >= 0 && f[s] <= 1))
                        fprintf(stderr, "%s", log);
                    ck_assert_msg(f[s] >= 0 && f[s] <= 1, "model %d: %s.%s rep %llu = %.17g",
                                  index, en, states[s], (unsigned long long)rep, f[s]);
                    sum += f[s];
                }
                if (!(fabs(sum - 1) <= 1e-9))
                    fprintf(stderr, "%s", log);
                ck_assert_msg(fabs(sum - 1) <= 1e-9,
                              "model %d: %s state fractions rep %llu sum to %.17g "
                              "(idle %g busy %g blocked %g setup %g down %g)",
                              index, en, (unsigned long long)rep, sum, f[0], f[1], f[2], f[3],
                              f[4]);
                double u = fab_results_value(r, rep, metric_req(g, index, r, en, "utilization"));
                ck_assert_msg(same_bits(u, f[1]), "model %d: %s utilization %.17g != busy %.17g",
                              index, en, u, f[1]);
            } else if (x->kind == FAB_KIND_BUFFER || x->kind == FAB_KIND_CONVEYOR) {
                double mean = fab_results_value(r, rep, metric_req(g, index, r, en, "mean_level"));
                double max = fab_results_value(r, rep, metric_req(g, index, r, en, "max_level"));
                int ok = mean >= 0 && max >= 0 && mean <= max * (1 + 1e-12) && max <= x->cap;
                if (!ok)
                    fprintf(stderr, "%s", log);
                ck_assert_msg(ok, "model %d: %s rep %llu: mean_level %.17g max_level %.17g "
                              "capacity %g", index, en, (unsigned long long)rep, mean, max, x->cap);
            } else if (x->kind == FAB_KIND_SOURCE) {
                double mean = fab_results_value(r, rep, metric_req(g, index, r, en, "queue_mean"));
                double max = fab_results_value(r, rep, metric_req(g, index, r, en, "queue_max"));
                int ok = mean >= 0 && max >= 0 && mean <= max * (1 + 1e-12);
                if (!ok)
                    fprintf(stderr, "%s", log);
                ck_assert_msg(ok, "model %d: %s rep %llu: queue_mean %.17g queue_max %.17g", index,
                              en, (unsigned long long)rep, mean, max);
            }
        }
    }
}

START_TEST(test_random_model)
{
    const char *only = getenv("RM_MODEL");
    if (only && *only && atoi(only) != _i)
        return;
    int verbose = getenv("RM_VERBOSE") && *getenv("RM_VERBOSE") == '1';

    gen *g = calloc(1, sizeof *g);
    ck_assert_ptr_nonnull(g);
    g->rng = RM_SEED_BASE + (uint64_t)_i;
    double horizon = 0;
    build_model(g, _i, &horizon);
    const char *err = fab_model_error(g->m);
    if (err)
        fprintf(stderr, "%s", g->log ? g->log : "");
    ck_assert_msg(err == NULL, "model %d: builder error: %s", _i, err ? err : "");
    if (verbose)
        fprintf(stderr, "%s", g->log ? g->log : "");

    fab_results *heap = run_with(g, _i, FAB_EVSET_HEAP, 1, "heap, jobs 1");
    fab_results *cal = run_with(g, _i, FAB_EVSET_CALENDAR, 1, "calendar, jobs 1");
    fab_results *again = run_with(g, _i, FAB_EVSET_HEAP, 1, "heap, jobs 1, again");
    fab_results *jobs = run_with(g, _i, FAB_EVSET_DEFAULT, 3, "default, jobs 3");
    fab_results *cal1 = run_with(g, _i, FAB_EVSET_DEFAULT, 1, "default, jobs 1");

    assert_identical(g, _i, heap, cal, "heap vs calendar");
    assert_identical(g, _i, jobs, cal1, "jobs 3 vs jobs 1");
    assert_identical(g, _i, heap, again, "run twice");
    assert_invariants(g, _i, heap);

    /* 7: every buffer with one successor and no rule gets a rule that picks that successor:
     * the general routed path, without the kernel's shortcuts for lines, gives the same */
    for (int i = 0; i < g->nnodes; i++)
        if (g->node[i].kind == FAB_KIND_BUFFER && g->node[i].nsucc == 1)
            fab_route_rule(g->m, g->node[i].id, route_only, NULL);
    fab_results *general = run_with(g, _i, FAB_EVSET_DEFAULT, 1, "default, jobs 1, routed");
    assert_identical(g, _i, cal1, general, "shortcuts vs general path");

    if (verbose)
        fprintf(stderr, "model %d: %d elements, %llu events, %llu deadlocks, horizon %g, "
                        "unlimited %d assembly %d conveyor %d failure %d rule %d prob %d back %d\n",
                _i, fab_model_element_count(g->m), (unsigned long long)fab_results_events(heap),
                (unsigned long long)fab_results_deadlock_count(heap), horizon, g->nunlimited,
                g->nassembly, g->nconveyor, g->nfailure, g->nrule, g->nprob, g->nback);

    if (getenv("RM_DIGEST") && *getenv("RM_DIGEST") == '1')
        fprintf(stderr, "model %d digest %016llx\n", _i,
                (unsigned long long)results_digest(heap));

    fab_results_free(heap);
    fab_results_free(cal);
    fab_results_free(again);
    fab_results_free(jobs);
    fab_results_free(cal1);
    fab_results_free(general);
    fab_model_free(g->m);
    free(g->log);
    free(g);
}
END_TEST

static Suite *random_suite(void)
{
    Suite *s = suite_create("random_models");
    TCase *tc = tcase_create("random_models");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_random_model, 0, NMODELS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(random_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
