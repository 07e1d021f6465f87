/*
 * cg_model.c — generates the module of a checked model: samplers, callbacks and `main`.
 *
 * In:  a checked model (compiler/model.h), options (cg.h).
 * Out: an object file (and optional IR) holding
 *      - the model as constant data: a table of build operations ("model.ops", one row of
 *        64-bit words per libfabrt builder call, in the checked model's order so that
 *        runtime ids equal model indices), a string pool, the sampler records, a small table
 *        of function pointers, and discrete/empirical tables. Rows hold offsets and indices,
 *        not pointers, so the data are plain byte arrays: no relocations and no per-row LLVM
 *        constants, whatever the model's size;
 *      - for every random quantity a specialised sampler: a function for its distribution kind
 *        with its clamp or truncate bounds folded in as constants (truncate: resample up to
 *        FAB_TRUNCATE_MAX_TRIES draws, then clamp, as libfabrt does), reading the quantity's
 *        own parameter block (SI values, in "pool.params") through the sampler's ctx.
 *        Quantities whose code would be identical share the function;
 *      - every parameter registered with fab_model_param as "<stream>.<param>" (for example
 *        "press.cycle.mean"; a constant also as "<stream>", an alias that another parameter's
 *        full name overrides) with its dimension, so the simulator's --set reaches it, and
 *        checked with fab_dist_validate after --set;
 *      - `main`, a loop over the op table (a switch on the operation) followed by
 *        `return fab_main(model, argc, argv)`. Its size does not grow with the model.
 *      The byte order of the tables is the host's: fabc compiles for its own host.
 * Memory: one CgState for the whole call, disposed before returning; the collected rows,
 *      pools and lists are malloc'ed here and freed before returning.
 * Not handled: later-language elements; cross compilation.
 */
#include "cg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_internal.h"
#include "cg_rtabi.h"

/* ---- small helpers ------------------------------------------------------------------- */

static LLVMValueRef i32c(CgState *cg, long long v)
{
    return LLVMConstInt(cg->t_i32, (unsigned long long)v, 1);
}
static LLVMValueRef i64c(CgState *cg, unsigned long long v)
{
    return LLVMConstInt(cg->t_i64, v, 0);
}
static LLVMValueRef f64c(CgState *cg, double v)
{
    return LLVMConstReal(cg->t_f64, v);
}

static void call_void(CgState *cg, const char *name, LLVMValueRef *args, unsigned n)
{
    cg_call(cg, name, cg->t_void, args, n);
}

/* The fab_dim of a checked-model dimension vector. */
static int cg_fab_dim(fm_dim d)
{
    static const struct {
        int8_t e[FM_DIM__COUNT];
        const int *dim;
    } table[] = {
        {{0, 0, 0, 0, 0}, &cg_rt_dim_none},
        {{1, 0, 0, 0, 0}, &cg_rt_dim_time},
        {{0, 1, 0, 0, 0}, &cg_rt_dim_length},
        {{-1, 1, 0, 0, 0}, &cg_rt_dim_speed},
        {{-2, 1, 0, 0, 0}, &cg_rt_dim_accel},
        {{0, 0, 1, 0, 0}, &cg_rt_dim_mass},
        {{-3, 2, 1, 0, 0}, &cg_rt_dim_power},
        {{-2, 2, 1, 0, 0}, &cg_rt_dim_energy},
        {{0, 0, 0, 1, 0}, &cg_rt_dim_temperature},
        {{-2, 2, 1, -1, 0}, &cg_rt_dim_thermal_capacity},
        {{3, -2, -1, 1, 0}, &cg_rt_dim_thermal_resistance},
        {{-1, 0, 0, 0, 0}, &cg_rt_dim_rate},
        {{0, 0, 0, 0, 1}, &cg_rt_dim_money},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (memcmp(table[i].e, d.e, sizeof d.e) == 0)
            return *table[i].dim;
    return cg_rt_dim_any;
}

/* Parameter names of each distribution kind, from the shared X-macro table. */
static const char *const cg_dist_params[][4] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) {p0, p1, p2, p3},
#include "fab/dist.def"
#undef FAB_DIST
};
static const int cg_dist_nparams[] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) n,
#include "fab/dist.def"
#undef FAB_DIST
};
static const char *const cg_dist_name[] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) name,
#include "fab/dist.def"
#undef FAB_DIST
};
static const char *const cg_dist_fn[] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) "fab_dist_" name,
#include "fab/dist.def"
#undef FAB_DIST
};

/* Dimensionless shape-like parameters; every other parameter has the drawn value's dimension. */
static int cg_param_dimensionless(const char *p)
{
    return strcmp(p, "shape") == 0 || strcmp(p, "k") == 0 || strcmp(p, "a") == 0 ||
           strcmp(p, "b") == 0 || strcmp(p, "p") == 0;
}

/* ---- the generation context ------------------------------------------------------------ */

/* Constant data is gathered here during generation and written at the end as a few byte
 * arrays (gen_pools): a string pool, the parameter pool (and its pristine copy), the sampler
 * records, the op table and the check table, plus one table of function pointers. Rows
 * refer to pool items symbolically (CgRef) until then. With one global, or one LLVM
 * constant, per item, a 10,000-station line took 7.6 s to compile (LLVM's global passes and
 * relocations scale with their number); as byte arrays it takes about 1 s. */
enum { REF_NULL, REF_VAL, REF_STR, REF_REC, REF_SLOT };
typedef struct CgRef {
    int kind;
    size_t i;          /* STR: byte offset; REC: record index; SLOT: block index */
    int k;             /* SLOT: parameter index in the block */
    LLVMValueRef v;    /* VAL: a function or other constant */
} CgRef;

static CgRef ref_val(LLVMValueRef v)
{
    return (CgRef){.kind = v ? REF_VAL : REF_NULL, .v = v};
}

/* A --set parameter to register in main: name, slot, dimension. */
typedef struct CgParam {
    int alias;                  /* registered with fab_model_param_alias */
    CgRef name;
    CgRef slot;
    int dim;
} CgParam;

/* A fab_sampler record: the sampling function and its parameter block (-1: none). */
typedef struct CgRec {
    LLVMValueRef fn;
    long block;
} CgRec;

/* A row of the --set check table: parameter block, distribution kind, whether the quantity
 * is a duration, stream name. */
typedef struct CgCheck {
    size_t block;
    fab_dist_kind kind;
    int duration;
    CgRef stream;
} CgCheck;

/* A shared sampling function and the code it stands for. */
typedef struct CgShared {
    fab_dist_kind kind;
    fab_bound_mode bound;
    double lo, hi;
    LLVMValueRef fn;
} CgShared;

typedef struct CgOpRow CgOpRow;

typedef struct CgGen {
    CgState *cg;
    CgModelTab tab;
    CgParam *params;
    size_t nparams, capparams;
    CgOpRow *ops;               /* rows of the model's op table (see gen_ops) */
    size_t nops, capops;
    CgCheck *checks;            /* rows of the --set check table */
    size_t nchecks, capchecks;
    LLVMValueRef check_fn;      /* i32 check.params(ptr prog), or NULL without rows */
    CgShared *shared;           /* sampling functions shared between quantities */
    size_t nshared, capshared;
    char *str;                  /* string pool: NUL-terminated strings back to back */
    size_t nstr, capstr;
    double (*blocks)[4];        /* parameter blocks, SI values */
    size_t nblocks, capblocks;
    CgRec *recs;                /* fab_sampler records */
    size_t nrecs, caprecs;
    LLVMValueRef *fns;          /* the function-pointer table */
    size_t nfns, capfns;
    /* the materialised data (gen_pools) */
    LLVMValueRef g_str, g_blocks, g_pristine, g_recs, g_ops, g_checks, g_fns;
    int failed;
} CgGen;

/* Grow an array to hold one more element; returns 0, or -1 (and marks the failure). */
static int gen_grow(CgGen *g, void **items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? 2 * *cap : 64;
    void *ni = realloc(*items, nc * size);
    if (!ni) {
        g->failed = 1;
        return -1;
    }
    *items = ni;
    *cap = nc;
    return 0;
}

static CgRef pool_str(CgGen *g, const char *s)
{
    size_t len = strlen(s) + 1;
    while (g->nstr + len > g->capstr) {
        size_t nc = g->capstr ? 2 * g->capstr : 4096;
        char *ns = realloc(g->str, nc);
        if (!ns) {
            g->failed = 1;
            return (CgRef){.kind = REF_NULL};
        }
        g->str = ns;
        g->capstr = nc;
    }
    memcpy(g->str + g->nstr, s, len);
    CgRef r = {.kind = REF_STR, .i = g->nstr};
    g->nstr += len;
    return r;
}

static void gen_param(CgGen *g, const char *name, CgRef slot, int dim, int alias)
{
    if (gen_grow(g, (void **)&g->params, g->nparams, &g->capparams, sizeof *g->params))
        return;
    g->params[g->nparams++] = (CgParam){.alias = alias, .name = pool_str(g, name), .slot = slot,
                                        .dim = dim};
}

static void gen_check(CgGen *g, size_t block, fab_dist_kind kind, int duration, const char *stream)
{
    if (gen_grow(g, (void **)&g->checks, g->nchecks, &g->capchecks, sizeof *g->checks))
        return;
    g->checks[g->nchecks++] = (CgCheck){.block = block, .kind = kind, .duration = duration,
                                        .stream = pool_str(g, stream)};
}

/* x < lo ? lo : x > hi ? hi : x — fab_dist_clamp, inline. */
static LLVMValueRef gen_clamp(CgState *cg, LLVMValueRef x, double lo, double hi)
{
    LLVMValueRef v = x;
    if (!isinf(hi) || hi < 0)
        v = LLVMBuildSelect(cg->b, LLVMBuildFCmp(cg->b, LLVMRealOGT, v, f64c(cg, hi), ""),
                            f64c(cg, hi), v, "hi");
    if (!isinf(lo) || lo > 0)
        v = LLVMBuildSelect(cg->b, LLVMBuildFCmp(cg->b, LLVMRealOLT, x, f64c(cg, lo), ""),
                            f64c(cg, lo), v, "lo");
    return v;
}

/* One unbounded draw of d with parameters loaded from slots. */
static LLVMValueRef gen_draw(CgGen *g, const fm_dist *d, LLVMValueRef rng, LLVMValueRef *slots,
                             LLVMValueRef values, LLVMValueRef cum)
{
    CgState *cg = g->cg;
    int np = cg_dist_nparams[d->kind];
    LLVMValueRef args[6];
    unsigned n = 0;
    switch (d->kind) {
    case FAB_DIST_CONSTANT:
        return LLVMBuildLoad2(cg->b, cg->t_f64, slots[0], "v");
    case FAB_DIST_DISCRETE:
        args[n++] = rng;
        args[n++] = LLVMConstInt(cg->t_size, d->n, 0);
        args[n++] = values;
        args[n++] = cum;
        return cg_call(cg, "fab_dist_discrete", cg->t_f64, args, n);
    case FAB_DIST_EMPIRICAL:
        args[n++] = rng;
        args[n++] = LLVMConstInt(cg->t_size, d->n, 0);
        args[n++] = values;
        return cg_call(cg, "fab_dist_empirical", cg->t_f64, args, n);
    default:
        args[n++] = rng;
        for (int i = 0; i < np; i++)
            args[n++] = LLVMBuildLoad2(cg->b, cg->t_f64, slots[i], cg_dist_params[d->kind][i]);
        return cg_call(cg, cg_dist_fn[d->kind], cg->t_f64, args, n);
    }
}

static LLVMTypeRef gen_sampler_type(CgState *cg);

/* The code of a sampling function: draw (with clamp or truncate) from parameters loaded
 * through `params` (a pointer to the quantity's parameter block) or from baked tables. */
static LLVMValueRef gen_sampler_fn(CgGen *g, const fm_dist *d, const char *name,
                                   LLVMValueRef values, LLVMValueRef cum)
{
    CgState *cg = g->cg;
    LLVMTypeRef pt[3] = {cg->t_ptr, cg->t_ptr, cg->t_ptr};
    LLVMValueRef f = LLVMAddFunction(cg->mod, name, LLVMFunctionType(cg->t_f64, pt, 3, 0));
    LLVMSetLinkage(f, LLVMInternalLinkage);
    LLVMValueRef rng = LLVMGetParam(f, 0);
    LLVMValueRef params = LLVMGetParam(f, 2);
    LLVMPositionBuilderAtEnd(cg->b, cg_block(cg, f, "entry"));
    LLVMValueRef slots[4] = {0};
    for (int i = 0; i < cg_dist_nparams[d->kind]; i++) {
        LLVMValueRef idx = i64c(cg, (unsigned long long)i);
        slots[i] = LLVMBuildGEP2(cg->b, cg->t_f64, params, &idx, 1, cg_dist_params[d->kind][i]);
    }
    if (d->bound == FAB_BOUND_TRUNCATE && d->kind != FAB_DIST_CONSTANT) {
        LLVMBasicBlockRef entry = LLVMGetInsertBlock(cg->b);
        LLVMBasicBlockRef loop = cg_block(cg, f, "draw");
        LLVMBasicBlockRef retry = cg_block(cg, f, "retry");
        LLVMBasicBlockRef give_up = cg_block(cg, f, "giveup");
        LLVMBasicBlockRef done = cg_block(cg, f, "done");
        LLVMBuildBr(cg->b, loop);
        LLVMPositionBuilderAtEnd(cg->b, loop);
        LLVMValueRef tries = LLVMBuildPhi(cg->b, cg->t_i32, "tries");
        LLVMValueRef x = gen_draw(g, d, rng, slots, values, cum);
        LLVMValueRef ok = LLVMBuildAnd(cg->b,
            LLVMBuildFCmp(cg->b, LLVMRealOGE, x, f64c(cg, d->lo), ""),
            LLVMBuildFCmp(cg->b, LLVMRealOLE, x, f64c(cg, d->hi), ""), "inside");
        LLVMBuildCondBr(cg->b, ok, done, retry);
        LLVMPositionBuilderAtEnd(cg->b, retry);
        LLVMValueRef next = LLVMBuildAdd(cg->b, tries, i32c(cg, 1), "next");
        LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntSLT, next,
                                             i32c(cg, cg_rt_truncate_max_tries), ""),
                        loop, give_up);
        LLVMValueRef inc_v[2] = {i32c(cg, 0), next};
        LLVMBasicBlockRef inc_b[2] = {entry, retry};
        LLVMAddIncoming(tries, inc_v, inc_b, 2);
        LLVMPositionBuilderAtEnd(cg->b, give_up);
        LLVMValueRef y = gen_clamp(cg, x, d->lo, d->hi);
        LLVMBuildBr(cg->b, done);
        LLVMPositionBuilderAtEnd(cg->b, done);
        LLVMValueRef r = LLVMBuildPhi(cg->b, cg->t_f64, "x");
        LLVMValueRef rv[2] = {x, y};
        LLVMBasicBlockRef rb[2] = {loop, give_up};
        LLVMAddIncoming(r, rv, rb, 2);
        LLVMBuildRet(cg->b, r);
    } else {
        LLVMValueRef x = gen_draw(g, d, rng, slots, values, cum);
        if (d->bound != FAB_BOUND_NONE)
            x = gen_clamp(cg, x, d->lo, d->hi);
        LLVMBuildRet(cg->b, x);
    }
    return f;
}

/* The sampler of one random quantity: registers its parameters for --set and returns the
 * fab_sampler record {fn, ctx = the quantity's parameter block} to pass by value (a
 * reference into the record pool).
 * Sampling functions with the same code — same kind, same bound and bound values — are
 * emitted once and shared; each quantity keeps its own parameter block (its SI values, which
 * --set overwrites). Discrete and empirical quantities get a function of their own with
 * their tables baked in. Sharing keeps the module small: a 1000-station line has three
 * sampling functions instead of 3000, which is what makes it compile in well under 2 s.
 * An exponential without bounds uses libfabrt's fab_sample_exponential instead of a
 * function of its own. duration: the quantity is a duration (its --set check refuses a law
 * that is never positive); ttf_cycles: a time to failure counted in cycles (dimensionless). */
static CgRef gen_sampler(CgGen *g, const fm_dist *d, const char *stream, int ttf_cycles,
                         int duration)
{
    CgState *cg = g->cg;
    int np = cg_dist_nparams[d->kind];
    int vdim = ttf_cycles ? cg_rt_dim_none : cg_fab_dim(d->dim);

    /* the parameter block, registered for --set: always four doubles (unused ones 0), the
     * layout of fab_dist.p, so the --set check can copy a block into a fab_dist whole */
    long block = -1;
    if (np > 0 && !gen_grow(g, (void **)&g->blocks, g->nblocks, &g->capblocks, sizeof *g->blocks)) {
        block = (long)g->nblocks++;
        for (int i = 0; i < 4; i++)
            g->blocks[block][i] = i < np ? d->p[i] : 0.0;
        gen_check(g, (size_t)block, d->kind, duration, stream);
        for (int i = 0; i < np; i++) {
            const char *pn = cg_dist_params[d->kind][i];
            char pname[600];
            snprintf(pname, sizeof pname, "%s.%s", stream, pn);
            CgRef slot = {.kind = REF_SLOT, .i = (size_t)block, .k = i};
            int dim = cg_param_dimensionless(pn) ? cg_rt_dim_none : vdim;
            if (d->kind == FAB_DIST_POISSON)
                dim = cg_rt_dim_none;
            gen_param(g, pname, slot, dim, 0);
            if (d->kind == FAB_DIST_CONSTANT)   /* a full name of another parameter wins */
                gen_param(g, stream, slot, dim, 1);
        }
    }

    LLVMValueRef fn = NULL;
    fm_dist trimmed;
    if (d->kind == FAB_DIST_DISCRETE) {
        /* entries of probability 0 at the end are left out: a table whose probabilities sum
         * to 1 only up to rounding could otherwise draw the last of them (as libfabrt's
         * descriptor sampler, which leaves them out too) */
        trimmed = *d;
        while (trimmed.n > 1 && !(trimmed.probs[trimmed.n - 1] > 0))
            trimmed.n--;
        d = &trimmed;
    }
    if (d->kind == FAB_DIST_DISCRETE || d->kind == FAB_DIST_EMPIRICAL) {
        LLVMValueRef values = cg_const_f64_array(cg, d->values, d->n, stream);
        LLVMValueRef cum = NULL;
        if (d->kind == FAB_DIST_DISCRETE) {
            double *c = malloc((d->n ? d->n : 1) * sizeof *c);
            if (!c) {
                g->failed = 1;
                return (CgRef){.kind = REF_NULL};
            }
            double acc = 0;
            for (size_t i = 0; i < d->n; i++) {
                acc += d->probs[i];
                c[i] = acc;
            }
            if (d->n)
                c[d->n - 1] = 1.0;
            cum = cg_const_f64_array(cg, c, d->n, stream);
            free(c);
        }
        char name[600];
        snprintf(name, sizeof name, "smp.%s", stream);
        fn = gen_sampler_fn(g, d, name, values, cum);
    } else if (d->kind == FAB_DIST_EXPONENTIAL && d->bound == FAB_BOUND_NONE) {
        /* libfabrt's own sampler of this block layout: the same draw, and one the kernel
         * recognises as a station's cycle and draws inline */
        LLVMTypeRef pt[3] = {cg->t_ptr, cg->t_ptr, cg->t_ptr};
        fn = cg_declare(cg, "fab_sample_exponential", LLVMFunctionType(cg->t_f64, pt, 3, 0));
    } else {
        for (size_t i = 0; i < g->nshared; i++) {
            const CgShared *sh = &g->shared[i];
            if (sh->kind == d->kind && sh->bound == d->bound &&
                (d->bound == FAB_BOUND_NONE ||
                 (memcmp(&sh->lo, &d->lo, sizeof d->lo) == 0 &&
                  memcmp(&sh->hi, &d->hi, sizeof d->hi) == 0))) {
                fn = sh->fn;
                break;
            }
        }
        if (!fn) {
            char name[128];
            snprintf(name, sizeof name, "smp.%s.%s.%zu", cg_dist_name[d->kind],
                     d->bound == FAB_BOUND_CLAMP ? "clamp"
                     : d->bound == FAB_BOUND_TRUNCATE ? "truncate" : "plain", g->nshared);
            fn = gen_sampler_fn(g, d, name, NULL, NULL);
            if (g->nshared == g->capshared) {
                size_t cap = g->capshared ? 2 * g->capshared : 16;
                CgShared *ns = realloc(g->shared, cap * sizeof *ns);
                if (!ns) {
                    g->failed = 1;
                    return (CgRef){.kind = REF_NULL};
                }
                g->shared = ns;
                g->capshared = cap;
            }
            g->shared[g->nshared++] = (CgShared){.kind = d->kind, .bound = d->bound,
                                                 .lo = d->lo, .hi = d->hi, .fn = fn};
        }
    }
    if (gen_grow(g, (void **)&g->recs, g->nrecs, &g->caprecs, sizeof *g->recs))
        return (CgRef){.kind = REF_NULL};
    g->recs[g->nrecs] = (CgRec){.fn = fn, .block = block};
    return (CgRef){.kind = REF_REC, .i = g->nrecs++};
}

/* A sampler returning a constant of dimension dim (attribute constants): --set checks its
 * value against that dimension. */
static CgRef gen_const_sampler(CgGen *g, double v, fm_dim dim, const char *stream)
{
    fm_dist d;
    memset(&d, 0, sizeof d);
    d.kind = FAB_DIST_CONSTANT;
    d.p[0] = v;
    d.dim = dim;
    d.bound = FAB_BOUND_NONE;
    return gen_sampler(g, &d, stream, 0, 0);
}

/* ---- main: building the model through the C API ---------------------------------------- */

/* The model is a constant table of build operations, one per libfabrt builder call, and main
 * is a loop that performs them in order (a switch on the operation). So the code of main has
 * a fixed size whatever the model's size: a 1000-station line is a table of ~6000 rows, not
 * 6000 calls to compile. The rows are in the checked model's order — part types, attribute
 * slots, elements, their properties, flows, routes, --set parameters — so runtime ids equal
 * the checked model's indices. */
#define CG_OP_LIST(X)                                                                          \
    X(PART_TYPE,      "fab_model_part_type")      /* (m, p name) -> i32 */                    \
    X(ATTR,           "fab_model_attr")           /* (m, p name) -> i32 */                    \
    X(PART_ATTR,      "fab_model_part_attr")      /* (m, a type, b slot, *q sampler) */       \
    X(PART_INIT,      "fab_model_part_init")      /* (m, a type, p fn, NULL) */               \
    X(SOURCE_NEW,     "fab_source_new")           /* (m, p name, a type) -> i32 */            \
    X(STATION_NEW,    "fab_station_new")          /* (m, p name) -> i32 */                    \
    X(BUFFER_NEW,     "fab_buffer_new")           /* (m, p name, n capacity) -> i32 */        \
    X(CONVEYOR_NEW,   "fab_conveyor_new")         /* (m, p, x len, y speed, z spacing, a) */  \
    X(ASSEMBLY_NEW,   "fab_assembly_new")         /* (m, p name, a output) -> i32 */          \
    X(SINK_NEW,       "fab_sink_new")             /* (m, p name) -> i32 */                    \
    X(SOURCE_UNLIMITED, "fab_source_unlimited")   /* (m, a) */                                \
    X(SOURCE_INTERARRIVAL, "fab_source_interarrival") /* (m, a, *q) */                        \
    X(SOURCE_BATCH,   "fab_source_batch")         /* (m, a, n) */                             \
    X(SOURCE_LIMIT,   "fab_source_limit")         /* (m, a, n) */                             \
    X(SOURCE_ON_BLOCK, "fab_source_on_block")     /* (m, a, b) */                             \
    X(STATION_CAPACITY, "fab_station_capacity")   /* (m, a, b) */                             \
    X(ASSEMBLY_INPUT, "fab_assembly_input")       /* (m, a, b type, c count) */               \
    X(STATION_CYCLE,  "fab_station_cycle")        /* (m, a, *q) */                            \
    X(STATION_CYCLE_FOR, "fab_station_cycle_for") /* (m, a, b type, *q) */                    \
    X(STATION_SETUP,  "fab_station_setup")        /* (m, a, *q) */                            \
    X(STATION_POWER,  "fab_station_power")        /* (m, a, b state, x watts) */              \
    X(STATION_FAILURE, "fab_station_failure")     /* (m, a, p mode, *q ttf, *r ttr, b) -> i32 */ \
    X(BUFFER_ORDER,   "fab_buffer_order")         /* (m, a, b) */                             \
    X(BUFFER_ORDER_KEY, "fab_buffer_order_key")   /* (m, a, p fn, NULL, b descending) */      \
    X(BUFFER_ORDER_KEY_DYNAMIC, "fab_buffer_order_key_dynamic") /* as BUFFER_ORDER_KEY */     \
    X(FLOW,           "fab_flow")                 /* (m, a, b) */                             \
    X(ROUTE_PROB,     "fab_route_prob")           /* (m, a, b, x) */                          \
    X(ROUTE_RULE,     "fab_route_rule")           /* (m, a, p fn, NULL) */                    \
    X(PARAM,          "fab_model_param")          /* (m, p name, q slot, a dim) */            \
    X(PARAM_ALIAS,    "fab_model_param_alias")    /* (m, p name, q slot, a dim) */

typedef enum cg_op {
#define CG_OP_ENUM(id, fn) CG_OP_##id,
    CG_OP_LIST(CG_OP_ENUM)
#undef CG_OP_ENUM
    CG_OP__COUNT
} cg_op;

static const char *const cg_op_fn[] = {
#define CG_OP_FN(id, fn) fn,
    CG_OP_LIST(CG_OP_FN)
#undef CG_OP_FN
};

/* Row fields, each a 64-bit word: op, a, b, c, n (integers), x, y, z (doubles), p, q, r
 * (references, see gen_ref_word). */
enum { F_OP, F_A, F_B, F_C, F_N, F_X, F_Y, F_Z, F_P, F_Q, F_R, F__COUNT };

typedef struct CgOpArgs {
    long long a, b, c;
    unsigned long long n;
    double x, y, z;
    CgRef p, q, r;
} CgOpArgs;

struct CgOpRow {
    cg_op code;
    CgOpArgs v;
};

static void op(CgGen *g, cg_op code, CgOpArgs v)
{
    if (gen_grow(g, (void **)&g->ops, g->nops, &g->capops, sizeof *g->ops))
        return;
    g->ops[g->nops++] = (CgOpRow){.code = code, .v = v};
}

/* The byval fab_sampler argument {fn, ctx, dist = 0}: a stack slot of main, zeroed once,
 * whose fn and ctx are stored before each call (the callee receives a copy). The LLVM type
 * is {ptr, ptr, [size - 16 x i8]}, which cg_rtabi.c checks against fab_sampler. */
static LLVMTypeRef gen_sampler_type(CgState *cg)
{
    LLVMTypeRef f[3] = {cg->t_ptr, cg->t_ptr,
                        LLVMArrayType2(cg->t_i8, cg_rt_sampler_size - 2 * sizeof(void *))};
    return LLVMStructTypeInContext(cg->ctx, f, 3, 0);
}

static LLVMValueRef gen_array_global(CgState *cg, LLVMValueRef init, const char *name,
                                     int constant, unsigned align)
{
    LLVMValueRef gv = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, constant);
    LLVMSetLinkage(gv, constant ? LLVMPrivateLinkage : LLVMInternalLinkage);
    LLVMSetAlignment(gv, align);
    return gv;
}

/* The index of a function in the function-pointer table. */
static long gen_fn_index(CgGen *g, LLVMValueRef fn)
{
    for (size_t i = 0; i < g->nfns; i++)
        if (g->fns[i] == fn)
            return (long)i;
    if (gen_grow(g, (void **)&g->fns, g->nfns, &g->capfns, sizeof *g->fns))
        return 0;
    g->fns[g->nfns] = fn;
    return (long)g->nfns++;
}

/* The 64-bit word a row field holds for a reference: a byte offset into the string pool, an
 * index into the function table, a sampler-record index, or a double index into the
 * parameter pool. Which one is fixed by the operation (see gen_main). */
static int64_t gen_ref_word(CgGen *g, CgRef r)
{
    switch (r.kind) {
    case REF_STR: return (int64_t)r.i;
    case REF_VAL: return gen_fn_index(g, r.v);
    case REF_REC: return (int64_t)r.i;
    case REF_SLOT: return (int64_t)(r.i * 4 + (size_t)r.k);
    default: return 0;
    }
}

/* A byte blob as a global ([n x i8]); the data is written in the host's byte order, which
 * is the target's (fabc compiles for its own host). */
static LLVMValueRef gen_blob(CgGen *g, const void *data, size_t n, const char *name, int constant)
{
    CgState *cg = g->cg;
    static const char empty[8];
    if (n == 0) {
        data = empty;
        n = sizeof empty;
    }
    LLVMValueRef init = LLVMConstStringInContext2(cg->ctx, data, n, 1);
    LLVMValueRef gv = gen_array_global(cg, init, name, constant, 16);
    if (constant)
        LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

/* Materialise the constant data: string pool, parameter pool (mutable, and a pristine copy
 * to tell what --set changed), sampler records {fn index, block or -1}, the op table
 * (F__COUNT words per row) and the function-pointer table. */
static int gen_pools(CgGen *g)
{
    CgState *cg = g->cg;
    if (g->failed)
        return cg_fail(cg, "out of memory");
    g->g_str = gen_blob(g, g->str, g->nstr, "pool.strings", 1);
    g->g_blocks = gen_blob(g, g->blocks, g->nblocks * sizeof *g->blocks, "pool.params", 0);
    g->g_pristine = gen_blob(g, g->blocks, g->nblocks * sizeof *g->blocks, "pool.params0", 1);

    int64_t *w = malloc((g->nrecs * 2 + 1) * sizeof *w);
    if (!w)
        return cg_fail(cg, "out of memory");
    for (size_t i = 0; i < g->nrecs; i++) {
        w[2 * i] = gen_fn_index(g, g->recs[i].fn);
        w[2 * i + 1] = g->recs[i].block;
    }
    g->g_recs = gen_blob(g, w, g->nrecs * 2 * sizeof *w, "model.samplers", 1);
    free(w);

    w = malloc((g->nops * F__COUNT + 1) * sizeof *w);
    if (!w)
        return cg_fail(cg, "out of memory");
    for (size_t i = 0; i < g->nops; i++) {
        const CgOpArgs *v = &g->ops[i].v;
        int64_t *row = w + i * F__COUNT;
        row[F_OP] = g->ops[i].code;
        row[F_A] = v->a;
        row[F_B] = v->b;
        row[F_C] = v->c;
        row[F_N] = (int64_t)v->n;
        memcpy(&row[F_X], &v->x, sizeof v->x);
        memcpy(&row[F_Y], &v->y, sizeof v->y);
        memcpy(&row[F_Z], &v->z, sizeof v->z);
        row[F_P] = gen_ref_word(g, v->p);
        row[F_Q] = gen_ref_word(g, v->q);
        row[F_R] = gen_ref_word(g, v->r);
    }
    g->g_ops = gen_blob(g, w, g->nops * F__COUNT * sizeof *w, "model.ops", 1);
    free(w);

    w = malloc((g->nchecks * 3 + 1) * sizeof *w);
    if (!w)
        return cg_fail(cg, "out of memory");
    for (size_t i = 0; i < g->nchecks; i++) {
        w[3 * i] = (int64_t)g->checks[i].block;
        w[3 * i + 1] = g->checks[i].kind | (int64_t)g->checks[i].duration << 32;
        w[3 * i + 2] = gen_ref_word(g, g->checks[i].stream);
    }
    g->g_checks = gen_blob(g, w, g->nchecks * 3 * sizeof *w, "model.checks", 1);
    free(w);

    /* the function table last: gen_ref_word may still have added functions above */
    size_t nf = g->nfns ? g->nfns : 1;
    LLVMValueRef *fv = malloc(nf * sizeof *fv);
    if (!fv)
        return cg_fail(cg, "out of memory");
    for (size_t i = 0; i < nf; i++)
        fv[i] = i < g->nfns ? g->fns[i] : LLVMConstPointerNull(cg->t_ptr);
    g->g_fns = gen_array_global(cg, LLVMConstArray2(cg->t_ptr, fv, nf), "model.functions", 1, 8);
    free(fv);
    return g->failed ? cg_fail(cg, "out of memory") : 0;
}

/* Loads from a row of 64-bit words at `row`. */
static LLVMValueRef ld_word(CgState *cg, LLVMValueRef row, int field)
{
    LLVMValueRef off = i64c(cg, (unsigned long long)field * 8);
    return LLVMBuildLoad2(cg->b, cg->t_i64, LLVMBuildGEP2(cg->b, cg->t_i8, row, &off, 1, ""), "");
}

static LLVMValueRef ld_f64(CgState *cg, LLVMValueRef row, int field)
{
    LLVMValueRef off = i64c(cg, (unsigned long long)field * 8);
    return LLVMBuildLoad2(cg->b, cg->t_f64, LLVMBuildGEP2(cg->b, cg->t_i8, row, &off, 1, ""), "");
}

static LLVMValueRef ld_i32(CgState *cg, LLVMValueRef row, int field)
{
    return LLVMBuildTrunc(cg->b, ld_word(cg, row, field), cg->t_i32, "");
}

/* base + word * scale, as a pointer */
static LLVMValueRef at(CgState *cg, LLVMValueRef base, LLVMValueRef word, unsigned scale)
{
    LLVMValueRef off = LLVMBuildMul(cg->b, word, i64c(cg, scale), "");
    return LLVMBuildGEP2(cg->b, cg->t_i8, base, &off, 1, "");
}

static LLVMValueRef ld_str(CgGen *g, LLVMValueRef row, int field)
{
    return at(g->cg, g->g_str, ld_word(g->cg, row, field), 1);
}

static LLVMValueRef ld_fn(CgGen *g, LLVMValueRef row, int field)
{
    CgState *cg = g->cg;
    LLVMValueRef p = at(cg, g->g_fns, ld_word(cg, row, field), sizeof(void *));
    return LLVMBuildLoad2(cg->b, cg->t_ptr, p, "fn");
}

static LLVMValueRef ld_slot(CgGen *g, LLVMValueRef row, int field)
{
    return at(g->cg, g->g_blocks, ld_word(g->cg, row, field), sizeof(double));
}

/* Fill the stack fab_sampler `tmp` from the sampler record named by the row field. */
static LLVMValueRef ld_sampler(CgGen *g, LLVMValueRef row, int field, LLVMValueRef tmp)
{
    CgState *cg = g->cg;
    LLVMValueRef rec = at(cg, g->g_recs, ld_word(cg, row, field), 16);
    LLVMValueRef fi = ld_word(cg, rec, 0);
    LLVMValueRef bi = ld_word(cg, rec, 1);
    LLVMValueRef fn = LLVMBuildLoad2(cg->b, cg->t_ptr, at(cg, g->g_fns, fi, sizeof(void *)), "");
    LLVMValueRef ctx = LLVMBuildSelect(cg->b, LLVMBuildICmp(cg->b, LLVMIntSLT, bi, i64c(cg, 0), ""),
                                       LLVMConstPointerNull(cg->t_ptr),
                                       at(cg, g->g_blocks, bi, 4 * sizeof(double)), "ctx");
    LLVMBuildStore(cg->b, fn, tmp);
    LLVMValueRef off = i64c(cg, sizeof(void *));
    LLVMBuildStore(cg->b, ctx, LLVMBuildGEP2(cg->b, cg->t_i8, tmp, &off, 1, ""));
    return tmp;
}

static char *stream_name(const char *owner, const char *purpose, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", owner, purpose);
    return buf;
}

/* The rows of the model, in order. */
static int gen_ops(CgGen *g)
{
    CgState *cg = g->cg;
    const fab_model *m = g->tab.m;
    char sbuf[600], purpose[300];

    for (int i = 0; i < m->nparts; i++)
        op(g, CG_OP_PART_TYPE, (CgOpArgs){.p = pool_str(g, m->parts[i].name)});
    for (int i = 0; i < m->nattrs; i++)
        op(g, CG_OP_ATTR, (CgOpArgs){.p = pool_str(g, m->attrs[i].name)});
    for (int t = 0; t < m->nparts; t++) {
        const fm_part_type *pt = &m->parts[t];
        for (int i = 0; i < m->nattrs; i++) {
            const fm_attr_init *ai = &pt->attrs[i];
            if (ai->kind != FM_INIT_CONST && ai->kind != FM_INIT_DIST)
                continue;
            snprintf(purpose, sizeof purpose, "attr.%s", m->attrs[i].name);
            stream_name(pt->name, purpose, sbuf, sizeof sbuf);
            CgRef s = ai->kind == FM_INIT_CONST ? gen_const_sampler(g, ai->value, m->attrs[i].dim, sbuf)
                                                       : gen_sampler(g, ai->dist, sbuf, 0, 0);
            op(g, CG_OP_PART_ATTR, (CgOpArgs){.a = t, .b = i, .q = s});
        }
        LLVMValueRef init = cg_part_init_fn(cg, &g->tab, t);
        if (init)
            op(g, CG_OP_PART_INIT, (CgOpArgs){.a = t, .p = ref_val(init)});
    }

    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        CgRef nm = pool_str(g, el->name);
        switch (el->kind) {
        case FM_ELEM_SOURCE:
            op(g, CG_OP_SOURCE_NEW, (CgOpArgs){.p = nm, .a = el->u.source.part_type});
            break;
        case FM_ELEM_STATION:
            op(g, CG_OP_STATION_NEW, (CgOpArgs){.p = nm});
            break;
        case FM_ELEM_BUFFER:
            op(g, CG_OP_BUFFER_NEW, (CgOpArgs){.p = nm, .n = el->u.buffer.infinite ? UINT64_MAX
                                               : (unsigned long long)el->u.buffer.capacity});
            break;
        case FM_ELEM_CONVEYOR: {
            const fm_conveyor *c = &el->u.conveyor;
            op(g, CG_OP_CONVEYOR_NEW, (CgOpArgs){.p = nm, .x = c->length, .y = c->speed,
                                                 .z = c->spacing, .a = c->accumulating});
            break;
        }
        case FM_ELEM_ASSEMBLY:
            op(g, CG_OP_ASSEMBLY_NEW, (CgOpArgs){.p = nm, .a = el->u.assembly.output});
            break;
        case FM_ELEM_SINK:
            op(g, CG_OP_SINK_NEW, (CgOpArgs){.p = nm});
            break;
        default:
            return cg_fail(cg, "internal error: element %s has an unknown kind", el->name);
        }
    }

    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        switch (el->kind) {
        case FM_ELEM_SOURCE: {
            const fm_source *s = &el->u.source;
            if (s->unlimited)
                op(g, CG_OP_SOURCE_UNLIMITED, (CgOpArgs){.a = i});
            else if (s->interarrival)
                op(g, CG_OP_SOURCE_INTERARRIVAL, (CgOpArgs){.a = i, .q = gen_sampler(g,
                    s->interarrival, stream_name(el->name, "interarrival", sbuf, sizeof sbuf), 0, 1)});
            if (s->batch > 1)
                op(g, CG_OP_SOURCE_BATCH, (CgOpArgs){.a = i, .n = (unsigned long long)s->batch});
            if (s->limit >= 0)
                op(g, CG_OP_SOURCE_LIMIT, (CgOpArgs){.a = i, .n = (unsigned long long)s->limit});
            if (s->on_block == FM_ON_BLOCK_LOSE)
                op(g, CG_OP_SOURCE_ON_BLOCK, (CgOpArgs){.a = i, .b = cg_rt_on_block_lose});
            break;
        }
        case FM_ELEM_STATION:
        case FM_ELEM_ASSEMBLY: {
            const fm_station *st = el->kind == FM_ELEM_STATION ? &el->u.station : NULL;
            const fm_assembly *as = el->kind == FM_ELEM_ASSEMBLY ? &el->u.assembly : NULL;
            if (st && st->capacity > 1)
                op(g, CG_OP_STATION_CAPACITY, (CgOpArgs){.a = i, .b = st->capacity});
            for (int k = 0; as && k < as->ninputs; k++)
                op(g, CG_OP_ASSEMBLY_INPUT, (CgOpArgs){.a = i, .b = as->inputs[k].part_type,
                                                       .c = as->inputs[k].count});
            const fm_dist *cycle = st ? st->cycle : as->cycle;
            if (cycle)
                op(g, CG_OP_STATION_CYCLE, (CgOpArgs){.a = i, .q = gen_sampler(g, cycle,
                    stream_name(el->name, "cycle", sbuf, sizeof sbuf), 0, 1)});
            for (int k = 0; st && k < st->ncycle_map; k++) {
                const fm_cycle_entry *ce = &st->cycle_map[k];
                snprintf(purpose, sizeof purpose, "cycle.%s", m->parts[ce->part_type].name);
                op(g, CG_OP_STATION_CYCLE_FOR, (CgOpArgs){.a = i, .b = ce->part_type,
                    .q = gen_sampler(g, ce->dist, stream_name(el->name, purpose, sbuf, sizeof sbuf), 0, 1)});
            }
            if (st && st->setup)
                op(g, CG_OP_STATION_SETUP, (CgOpArgs){.a = i, .q = gen_sampler(g, st->setup,
                    stream_name(el->name, "setup", sbuf, sizeof sbuf), 0, 1)});
            int has_power = st ? st->has_power : as->has_power;
            const double *power = st ? st->power : as->power;
            for (int s = 0; has_power && s < FM_STATE__COUNT && s < cg_rt_state_count; s++)
                if (power[s] != 0.0)
                    op(g, CG_OP_STATION_POWER, (CgOpArgs){.a = i, .b = s, .x = power[s]});
            for (int k = 0; st && k < st->nfailures; k++) {
                const fm_failure *fl = &st->failures[k];
                snprintf(purpose, sizeof purpose, "failure.%s.ttf", fl->name);
                CgRef ttf = gen_sampler(g, fl->ttf, stream_name(el->name, purpose, sbuf, sizeof sbuf),
                                               fl->basis == FM_BASIS_CYCLES,
                                               fl->basis != FM_BASIS_CYCLES);
                snprintf(purpose, sizeof purpose, "failure.%s.ttr", fl->name);
                CgRef ttr = gen_sampler(g, fl->ttr, stream_name(el->name, purpose, sbuf, sizeof sbuf), 0, 1);
                int basis = fl->basis == FM_BASIS_CALENDAR ? cg_rt_basis_calendar
                          : fl->basis == FM_BASIS_CYCLES ? cg_rt_basis_cycles
                                                         : cg_rt_basis_operating;
                op(g, CG_OP_STATION_FAILURE, (CgOpArgs){.a = i, .p = pool_str(g, fl->name),
                                                        .q = ttf, .r = ttr, .b = basis});
            }
            break;
        }
        case FM_ELEM_BUFFER: {
            const fm_buffer *b = &el->u.buffer;
            if (b->order == FM_ORDER_LIFO)
                op(g, CG_OP_BUFFER_ORDER, (CgOpArgs){.a = i, .b = cg_rt_order_lifo});
            else if ((b->order == FM_ORDER_ASCENDING || b->order == FM_ORDER_DESCENDING) &&
                     b->order_key)
                op(g, cg_order_key_is_dynamic(&g->tab, el) ? CG_OP_BUFFER_ORDER_KEY_DYNAMIC
                                                           : CG_OP_BUFFER_ORDER_KEY,
                   (CgOpArgs){.a = i, .p = ref_val(cg_order_key_fn(cg, &g->tab, el)),
                              .b = b->order == FM_ORDER_DESCENDING});
            break;
        }
        default:
            break;
        }
    }

    /* flows in declaration order: successor indices follow it */
    for (int i = 0; i < m->nedges; i++)
        op(g, CG_OP_FLOW, (CgOpArgs){.a = m->edges[i].from, .b = m->edges[i].to});
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        if (el->route.kind == FM_ROUTE_PROB) {
            for (int k = 0; k < el->route.nentries; k++)
                op(g, CG_OP_ROUTE_PROB, (CgOpArgs){.a = i, .b = el->route.probs[k].target,
                                                   .x = el->route.probs[k].prob});
        } else if (el->route.kind == FM_ROUTE_RULES) {
            op(g, CG_OP_ROUTE_RULE, (CgOpArgs){.a = i, .p = ref_val(cg_route_rule_fn(cg, &g->tab, el))});
        }
    }
    for (size_t i = 0; i < g->nparams; i++)
        op(g, g->params[i].alias ? CG_OP_PARAM_ALIAS : CG_OP_PARAM, (CgOpArgs){.p = g->params[i].name,
                                      .q = g->params[i].slot, .a = g->params[i].dim});
    return g->failed ? cg_fail(cg, "out of memory") : 0;
}

/* Calls `name` with args; arguments flagged in is_sampler are passed as byval fab_sampler. */
static LLVMValueRef call_api(CgState *cg, const char *name, LLVMTypeRef ret, LLVMValueRef *args,
                             unsigned n, const int *is_sampler)
{
    LLVMTypeRef sampler_t = gen_sampler_type(cg);
    LLVMTypeRef types[8];
    for (unsigned i = 0; i < n; i++)
        types[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef ft = LLVMFunctionType(ret, types, n, 0);
    LLVMValueRef f = LLVMGetNamedFunction(cg->mod, name);
    unsigned byval = LLVMGetEnumAttributeKindForName("byval", 5);
    unsigned align = LLVMGetEnumAttributeKindForName("align", 5);
    if (!f) {
        f = LLVMAddFunction(cg->mod, name, ft);
        for (unsigned i = 0; is_sampler && i < n; i++)
            if (is_sampler[i]) {
                LLVMAddAttributeAtIndex(f, i + 1, LLVMCreateTypeAttribute(cg->ctx, byval, sampler_t));
                LLVMAddAttributeAtIndex(f, i + 1, LLVMCreateEnumAttribute(cg->ctx, align,
                                                                          cg_rt_sampler_align));
            }
    }
    LLVMValueRef call = LLVMBuildCall2(cg->b, ft, f, args, n, "");
    for (unsigned i = 0; is_sampler && i < n; i++)
        if (is_sampler[i]) {
            LLVMAddCallSiteAttribute(call, i + 1, LLVMCreateTypeAttribute(cg->ctx, byval, sampler_t));
            LLVMAddCallSiteAttribute(call, i + 1, LLVMCreateEnumAttribute(cg->ctx, align,
                                                                          cg_rt_sampler_align));
        }
    return call;
}

static void gen_check_fn(CgGen *g);

/* main(argc, argv): create the model, perform the rows of the op table, run fab_main. */
static int gen_main(CgGen *g)
{
    CgState *cg = g->cg;
    const fab_model *m = g->tab.m;
    if (gen_ops(g) != 0 || gen_pools(g) != 0)
        return -1;
    gen_check_fn(g);

    LLVMTypeRef main_pt[2] = {cg->t_i32, cg->t_ptr};
    LLVMValueRef mainf = LLVMAddFunction(cg->mod, "main", LLVMFunctionType(cg->t_i32, main_pt, 2, 0));
    LLVMBasicBlockRef entry = cg_block(cg, mainf, "entry");
    LLVMBasicBlockRef loop = cg_block(cg, mainf, "op");
    LLVMBasicBlockRef latch = cg_block(cg, mainf, "next");
    LLVMBasicBlockRef done = cg_block(cg, mainf, "run");

    LLVMPositionBuilderAtEnd(cg->b, entry);
    /* two fab_sampler argument slots, zeroed once (dist stays zero; fn and ctx are stored
     * before each use) */
    LLVMTypeRef sampler_t = gen_sampler_type(cg);
    LLVMValueRef tmp[2];
    for (int k = 0; k < 2; k++) {
        tmp[k] = LLVMBuildAlloca(cg->b, sampler_t, k ? "sampler2" : "sampler1");
        LLVMSetAlignment(tmp[k], (unsigned)cg_rt_sampler_align);
        LLVMBuildStore(cg->b, LLVMConstNull(sampler_t), tmp[k]);
    }
    LLVMValueRef name = cg_cstring(cg, m->name ? m->name : "model");
    LLVMValueRef mdl = cg_call(cg, "fab_model_new", cg->t_ptr, &name, 1);
    {
        LLVMValueRef a[2] = {mdl, f64c(cg, m->horizon)};
        call_void(cg, "fab_model_horizon", a, 2);
        a[1] = f64c(cg, m->warmup);
        call_void(cg, "fab_model_warmup", a, 2);
        a[1] = i64c(cg, (unsigned long long)(m->replications > 0 ? m->replications : 1));
        call_void(cg, "fab_model_replications", a, 2);
        a[1] = i64c(cg, m->seed);
        call_void(cg, "fab_model_seed", a, 2);
    }
    LLVMBuildBr(cg->b, g->nops ? loop : done);

    LLVMPositionBuilderAtEnd(cg->b, loop);
    LLVMValueRef i = LLVMBuildPhi(cg->b, cg->t_i64, "i");
    LLVMValueRef row = at(cg, g->g_ops, i, F__COUNT * 8);
    LLVMValueRef code = ld_i32(cg, row, F_OP);
    LLVMValueRef sw = LLVMBuildSwitch(cg->b, code, latch, CG_OP__COUNT);

    for (int c = 0; c < CG_OP__COUNT; c++) {
        LLVMBasicBlockRef bb = cg_block(cg, mainf, cg_op_fn[c]);
        LLVMAddCase(sw, i32c(cg, c), bb);
        LLVMPositionBuilderAtEnd(cg->b, bb);
        LLVMValueRef null = LLVMConstPointerNull(cg->t_ptr);
        LLVMValueRef a[6];
        int sm[6] = {0, 0, 0, 0, 0, 0};
        unsigned n = 0;
        LLVMTypeRef ret = cg->t_void;
#define A_() ld_i32(cg, row, F_A)
#define B_() ld_i32(cg, row, F_B)
        a[n++] = mdl;
        switch ((cg_op)c) {
        case CG_OP_PART_TYPE: case CG_OP_ATTR: case CG_OP_STATION_NEW: case CG_OP_SINK_NEW:
            a[n++] = ld_str(g, row, F_P); ret = cg->t_i32; break;
        case CG_OP_PART_ATTR:
            a[n++] = A_(); a[n++] = B_(); sm[n] = 1; a[n++] = ld_sampler(g, row, F_Q, tmp[0]); break;
        case CG_OP_PART_INIT: case CG_OP_ROUTE_RULE:
            a[n++] = A_(); a[n++] = ld_fn(g, row, F_P); a[n++] = null; break;
        case CG_OP_SOURCE_NEW: case CG_OP_ASSEMBLY_NEW:
            a[n++] = ld_str(g, row, F_P); a[n++] = A_(); ret = cg->t_i32; break;
        case CG_OP_BUFFER_NEW:
            a[n++] = ld_str(g, row, F_P); a[n++] = ld_word(cg, row, F_N); ret = cg->t_i32; break;
        case CG_OP_CONVEYOR_NEW:
            a[n++] = ld_str(g, row, F_P); a[n++] = ld_f64(cg, row, F_X);
            a[n++] = ld_f64(cg, row, F_Y); a[n++] = ld_f64(cg, row, F_Z);
            a[n++] = A_(); ret = cg->t_i32; break;
        case CG_OP_SOURCE_UNLIMITED:
            a[n++] = A_(); break;
        case CG_OP_SOURCE_INTERARRIVAL: case CG_OP_STATION_CYCLE: case CG_OP_STATION_SETUP:
            a[n++] = A_(); sm[n] = 1; a[n++] = ld_sampler(g, row, F_Q, tmp[0]); break;
        case CG_OP_SOURCE_BATCH: case CG_OP_SOURCE_LIMIT:
            a[n++] = A_(); a[n++] = ld_word(cg, row, F_N); break;
        case CG_OP_SOURCE_ON_BLOCK: case CG_OP_STATION_CAPACITY: case CG_OP_BUFFER_ORDER:
        case CG_OP_FLOW:
            a[n++] = A_(); a[n++] = B_(); break;
        case CG_OP_ASSEMBLY_INPUT:
            a[n++] = A_(); a[n++] = B_(); a[n++] = ld_i32(cg, row, F_C); break;
        case CG_OP_STATION_CYCLE_FOR:
            a[n++] = A_(); a[n++] = B_(); sm[n] = 1; a[n++] = ld_sampler(g, row, F_Q, tmp[0]); break;
        case CG_OP_STATION_POWER: case CG_OP_ROUTE_PROB:
            a[n++] = A_(); a[n++] = B_(); a[n++] = ld_f64(cg, row, F_X); break;
        case CG_OP_STATION_FAILURE:
            a[n++] = A_(); a[n++] = ld_str(g, row, F_P);
            sm[n] = 1; a[n++] = ld_sampler(g, row, F_Q, tmp[0]);
            sm[n] = 1; a[n++] = ld_sampler(g, row, F_R, tmp[1]);
            a[n++] = B_(); ret = cg->t_i32; break;
        case CG_OP_BUFFER_ORDER_KEY:
        case CG_OP_BUFFER_ORDER_KEY_DYNAMIC:
            a[n++] = A_(); a[n++] = ld_fn(g, row, F_P); a[n++] = null; a[n++] = B_(); break;
        case CG_OP_PARAM:
        case CG_OP_PARAM_ALIAS:
            a[n++] = ld_str(g, row, F_P); a[n++] = ld_slot(g, row, F_Q); a[n++] = A_(); break;
        default:
            break;
        }
#undef A_
#undef B_
        call_api(cg, cg_op_fn[c], ret, a, n, sm);
        LLVMBuildBr(cg->b, latch);
    }

    LLVMPositionBuilderAtEnd(cg->b, latch);
    LLVMValueRef next = LLVMBuildAdd(cg->b, i, i64c(cg, 1), "i.next");
    LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntULT, next, i64c(cg, g->nops), ""),
                    loop, done);
    LLVMValueRef iv[2] = {next, i64c(cg, 0)};
    LLVMBasicBlockRef ib[2] = {latch, entry};
    LLVMAddIncoming(i, iv, ib, g->nops ? 2 : 1); /* no rows: the loop is unreachable */

    /* run: parse the command line once to apply --set, check the compiled samplers'
     * parameters, then hand over to fab_main (which parses again, identically) */
    LLVMPositionBuilderAtEnd(cg->b, done);
    LLVMValueRef argc = LLVMGetParam(mainf, 0), argv = LLVMGetParam(mainf, 1);
    LLVMBasicBlockRef check_bb = cg_block(cg, mainf, "check");
    LLVMBasicBlockRef bad_bb = cg_block(cg, mainf, "bad_set");
    LLVMBasicBlockRef run_bb = cg_block(cg, mainf, "fab_main");
    if (g->nchecks > 0) {
        LLVMValueRef cli = LLVMBuildArrayAlloca(cg->b, cg->t_i8, i64c(cg, cg_rt_cli_size), "cli");
        LLVMSetAlignment(cli, 16);
        LLVMValueRef err = LLVMBuildArrayAlloca(cg->b, cg->t_i8, i64c(cg, 256), "err");
        LLVMValueRef pa[6] = {cli, mdl, argc, argv, err, LLVMConstInt(cg->t_size, 256, 0)};
        LLVMValueRef prc = cg_call(cg, "fab_cli_parse", cg->t_i32, pa, 6);
        LLVMValueRef hoff = i64c(cg, cg_rt_cli_help_off);
        LLVMValueRef help = LLVMBuildLoad2(cg->b, cg->t_i32,
                                           LLVMBuildGEP2(cg->b, cg->t_i8, cli, &hoff, 1, ""), "help");
        LLVMValueRef go = LLVMBuildAnd(cg->b,
            LLVMBuildICmp(cg->b, LLVMIntEQ, prc, i32c(cg, 0), ""),
            LLVMBuildICmp(cg->b, LLVMIntEQ, help, i32c(cg, 0), ""), "go");
        LLVMBuildCondBr(cg->b, go, check_bb, run_bb);

        LLVMPositionBuilderAtEnd(cg->b, check_bb);
        LLVMValueRef prog = LLVMBuildLoad2(cg->b, cg->t_ptr, argv, "prog");
        LLVMValueRef crc = LLVMBuildCall2(cg->b, LLVMGlobalGetValueType(g->check_fn), g->check_fn,
                                          &prog, 1, "");
        LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntEQ, crc, i32c(cg, 0), ""), run_bb, bad_bb);

        LLVMPositionBuilderAtEnd(cg->b, bad_bb);
        call_void(cg, "fab_model_free", &mdl, 1);
        LLVMBuildRet(cg->b, crc);
    } else {
        LLVMBuildBr(cg->b, run_bb);
        LLVMDeleteBasicBlock(check_bb);
        LLVMDeleteBasicBlock(bad_bb);
    }
    LLVMPositionBuilderAtEnd(cg->b, run_bb);
    LLVMValueRef a[3] = {mdl, argc, argv};
    LLVMBuildRet(cg->b, cg_call(cg, "fab_main", cg->t_i32, a, 3));
    return 0;
}

/* i32 check.params(ptr prog): for every parameter block that --set changed, validate the
 * distribution with fab_dist_validate (fab_dist_validate_duration for a duration); on the
 * first failure print
 * "<prog>: error: --set: <stream>: <reason>" and return 2 (a bad option value), else 0. */
static void gen_check_fn(CgGen *g)
{
    CgState *cg = g->cg;
    if (g->nchecks == 0)
        return;
    LLVMTypeRef pt = cg->t_ptr;
    LLVMValueRef f = LLVMAddFunction(cg->mod, "check.params", LLVMFunctionType(cg->t_i32, &pt, 1, 0));
    LLVMSetLinkage(f, LLVMInternalLinkage);
    g->check_fn = f;
    LLVMBasicBlockRef entry = cg_block(cg, f, "entry");
    LLVMBasicBlockRef loop = cg_block(cg, f, "row");
    LLVMBasicBlockRef validate = cg_block(cg, f, "validate");
    LLVMBasicBlockRef bad = cg_block(cg, f, "bad");
    LLVMBasicBlockRef next_bb = cg_block(cg, f, "next");
    LLVMBasicBlockRef ok = cg_block(cg, f, "ok");

    LLVMPositionBuilderAtEnd(cg->b, entry);
    LLVMValueRef dist = LLVMBuildArrayAlloca(cg->b, cg->t_i8, i64c(cg, cg_rt_dist_size), "dist");
    LLVMSetAlignment(dist, 16);
    LLVMValueRef err = LLVMBuildArrayAlloca(cg->b, cg->t_i8, i64c(cg, 256), "err");
    LLVMBuildBr(cg->b, loop);

    LLVMPositionBuilderAtEnd(cg->b, loop);
    LLVMValueRef i = LLVMBuildPhi(cg->b, cg->t_i64, "i");
    LLVMValueRef row = at(cg, g->g_checks, i, 3 * 8);
    LLVMValueRef bi = ld_word(cg, row, 0);
    LLVMValueRef block = at(cg, g->g_blocks, bi, 4 * sizeof(double));
    LLVMValueRef pristine = at(cg, g->g_pristine, bi, 4 * sizeof(double));
    LLVMValueRef changed = LLVMConstInt(cg->t_i1, 0, 0);
    LLVMValueRef pv[4];
    for (int k = 0; k < 4; k++) {
        LLVMValueRef ki = i64c(cg, (unsigned long long)k);
        pv[k] = LLVMBuildLoad2(cg->b, cg->t_f64, LLVMBuildGEP2(cg->b, cg->t_f64, block, &ki, 1, ""), "p");
        LLVMValueRef p0 = LLVMBuildLoad2(cg->b, cg->t_f64, LLVMBuildGEP2(cg->b, cg->t_f64, pristine, &ki, 1, ""), "p0");
        /* bit comparison of the doubles: a NaN set by --set counts as a change */
        LLVMValueRef bits = LLVMBuildBitCast(cg->b, pv[k], cg->t_i64, "");
        LLVMValueRef bits0 = LLVMBuildBitCast(cg->b, p0, cg->t_i64, "");
        changed = LLVMBuildOr(cg->b, changed, LLVMBuildICmp(cg->b, LLVMIntNE, bits, bits0, ""),
                              "changed");
    }
    LLVMBuildCondBr(cg->b, changed, validate, next_bb);

    LLVMPositionBuilderAtEnd(cg->b, validate);
    LLVMBuildMemSet(cg->b, dist, LLVMConstInt(cg->t_i8, 0, 0), i64c(cg, cg_rt_dist_size), 16);
    LLVMValueRef kind = ld_i32(cg, row, 1);
    LLVMValueRef koff = i64c(cg, cg_rt_dist_kind_off);
    LLVMBuildStore(cg->b, kind, LLVMBuildGEP2(cg->b, cg->t_i8, dist, &koff, 1, ""));
    for (int k = 0; k < 4; k++) {
        LLVMValueRef off = i64c(cg, cg_rt_dist_p_off + (size_t)k * sizeof(double));
        LLVMBuildStore(cg->b, pv[k], LLVMBuildGEP2(cg->b, cg->t_i8, dist, &off, 1, ""));
    }
    LLVMValueRef va[3] = {dist, err, LLVMConstInt(cg->t_size, 256, 0)};
    /* a duration's check also refuses a law that is never positive */
    LLVMTypeRef vt_args[3] = {cg->t_ptr, cg->t_ptr, cg->t_size};
    LLVMTypeRef vt = LLVMFunctionType(cg->t_i32, vt_args, 3, 0);
    LLVMValueRef is_duration = LLVMBuildICmp(cg->b, LLVMIntNE,
        LLVMBuildLShr(cg->b, ld_word(cg, row, 1), i64c(cg, 32), ""), i64c(cg, 0), "duration");
    LLVMValueRef validator = LLVMBuildSelect(cg->b, is_duration,
                                             cg_declare(cg, "fab_dist_validate_duration", vt),
                                             cg_declare(cg, "fab_dist_validate", vt), "validator");
    LLVMValueRef vrc = LLVMBuildCall2(cg->b, vt, validator, va, 3, "");
    LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntEQ, vrc, i32c(cg, 0), ""), next_bb, bad);

    LLVMPositionBuilderAtEnd(cg->b, bad);
    LLVMValueRef stream = at(cg, g->g_str, ld_word(cg, row, 2), 1);
    LLVMTypeRef dp_t[2] = {cg->t_i32, cg->t_ptr};
    LLVMTypeRef dprintf_t = LLVMFunctionType(cg->t_i32, dp_t, 2, 1);
    LLVMValueRef dprintf_f = cg_declare(cg, "dprintf", dprintf_t);
    LLVMValueRef da[5] = {i32c(cg, 2), cg_cstring(cg, "%s: error: --set: %s: %s\n"),
                          LLVMGetParam(f, 0), stream, err};
    LLVMBuildCall2(cg->b, dprintf_t, dprintf_f, da, 5, "");
    LLVMBuildRet(cg->b, i32c(cg, 2));

    LLVMPositionBuilderAtEnd(cg->b, next_bb);
    LLVMValueRef next = LLVMBuildAdd(cg->b, i, i64c(cg, 1), "i.next");
    LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntULT, next, i64c(cg, g->nchecks), ""), loop, ok);
    LLVMValueRef iv[2] = {i64c(cg, 0), next};
    LLVMBasicBlockRef ib[2] = {entry, next_bb};
    LLVMAddIncoming(i, iv, ib, 2);

    LLVMPositionBuilderAtEnd(cg->b, ok);
    LLVMBuildRet(cg->b, i32c(cg, 0));
}

static double cg_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void cg_phase(const cg_options *o, const char *phase, double *t)
{
    double now = cg_now_s();
    if (o->print_times)
        fprintf(stderr, "fabc: %-10s %8.3f s\n", phase, now - *t);
    *t = now;
}

int cg_compile_model(const struct fab_model *m, const cg_options *o, char *err, size_t errsize)
{
    CgState cg;
    CgGen g;
    memset(&g, 0, sizeof g);
    g.cg = &cg;
    g.tab.m = m;
    double t = cg_now_s();
    int rc = cg_state_init(&cg, m->path ? m->path : "model", o->opt_level);
    if (rc == 0)
        rc = cg_user_fns(&cg, &g.tab);
    if (rc == 0)
        rc = gen_main(&g);
    cg_phase(o, "generate", &t);
    if (rc == 0)
        rc = cg_verify(&cg);
    cg_phase(o, "verify", &t);
    if (rc == 0 && o->emit_llvm_raw)
        rc = cg_write_ir(&cg, o->emit_llvm_raw);
    if (rc == 0)
        rc = cg_optimize(&cg);
    cg_phase(o, "optimise", &t);
    if (rc == 0)
        rc = cg_verify(&cg);
    if (rc == 0 && o->emit_llvm)
        rc = cg_write_ir(&cg, o->emit_llvm);
    if (rc == 0 && o->object_path)
        rc = cg_emit_object(&cg, o->object_path);
    cg_phase(o, "object", &t);
    if (rc != 0)
        snprintf(err, errsize, "%s", cg.err);
    free(g.params);
    free(g.ops);
    free(g.str);
    free(g.blocks);
    free(g.recs);
    free(g.fns);
    free(g.shared);
    free(g.checks);
    free(g.tab.fn_vals);
    free(g.tab.fn_types);
    cg_state_dispose(&cg);
    return rc;
}
