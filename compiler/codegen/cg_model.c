/*
 * cg_model.c — generates the module of a checked model: samplers, callbacks and `main`.
 *
 * In:  a checked model (compiler/model.h), options (cg.h).
 * Out: an object file (and optional IR) whose `main` builds the model through libfabrt's C API
 *      (fab/model.h) in the model's own order — part types, attributes, elements, flows,
 *      routes — so that runtime ids equal the checked model's indices, then returns
 *      fab_main(model, argc, argv).
 *      Every random quantity gets its own function
 *          double smp.<stream>(ptr rng, ptr part, ptr ctx)
 *      that loads its parameters from private globals (initialised to the SI values), calls
 *      the runtime's sampling function for its kind, and applies clamp or truncate inline with
 *      the runtime's semantics (truncate: resample up to FAB_TRUNCATE_MAX_TRIES draws, then
 *      clamp). Each parameter global is registered with fab_model_param as
 *      "<stream>.<param>" (e.g. "press.cycle.mean"; a constant also as "<stream>") with its
 *      dimension, so the simulator's `--set` reaches it.
 *      Discrete and empirical tables are constant arrays; discrete probabilities are stored
 *      cumulated, with the last entry exactly 1.
 * Memory: one CgState for the whole call, disposed before returning.
 * Not handled: later-language elements.
 */
#include "cg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A --set parameter to register in main: name, slot, dimension. */
typedef struct CgParam {
    char *name;
    LLVMValueRef slot;
    int dim;
} CgParam;

typedef struct CgGen {
    CgState *cg;
    CgModelTab tab;
    CgParam *params;
    size_t nparams, capparams;
    int failed;
} CgGen;

static void gen_param(CgGen *g, const char *name, LLVMValueRef slot, int dim)
{
    if (g->nparams == g->capparams) {
        g->capparams = g->capparams ? 2 * g->capparams : 64;
        CgParam *np = realloc(g->params, g->capparams * sizeof *np);
        if (!np) {
            g->failed = 1;
            return;
        }
        g->params = np;
    }
    g->params[g->nparams].name = strdup(name);
    g->params[g->nparams].slot = slot;
    g->params[g->nparams].dim = dim;
    g->nparams++;
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

/* The sampling function of one random quantity; registers its parameters. */
static LLVMValueRef gen_sampler(CgGen *g, const fm_dist *d, const char *stream, int ttf_cycles)
{
    CgState *cg = g->cg;
    char name[512];
    snprintf(name, sizeof name, "smp.%s", stream);
    LLVMTypeRef pt[3] = {cg->t_ptr, cg->t_ptr, cg->t_ptr};
    LLVMValueRef f = LLVMAddFunction(cg->mod, name, LLVMFunctionType(cg->t_f64, pt, 3, 0));
    LLVMSetLinkage(f, LLVMInternalLinkage);

    /* parameter slots, registered for --set */
    LLVMValueRef slots[4] = {0};
    int np = cg_dist_nparams[d->kind];
    int vdim = ttf_cycles ? cg_rt_dim_none : cg_fab_dim(d->dim);
    for (int i = 0; i < np; i++) {
        const char *pn = cg_dist_params[d->kind][i];
        char pname[600];
        snprintf(pname, sizeof pname, "%s.%s", stream, pn);
        slots[i] = cg_f64_slot(cg, d->p[i], pname);
        int dim = cg_param_dimensionless(pn) ? cg_rt_dim_none : vdim;
        if (d->kind == FAB_DIST_POISSON)
            dim = cg_rt_dim_none;
        gen_param(g, pname, slots[i], dim);
        if (d->kind == FAB_DIST_CONSTANT)
            gen_param(g, stream, slots[i], dim);
    }
    LLVMValueRef values = NULL, cum = NULL;
    if (d->kind == FAB_DIST_DISCRETE || d->kind == FAB_DIST_EMPIRICAL) {
        values = cg_const_f64_array(cg, d->values, d->n, stream);
        if (d->kind == FAB_DIST_DISCRETE) {
            double *c = malloc((d->n ? d->n : 1) * sizeof *c);
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
    }

    LLVMValueRef rng = LLVMGetParam(f, 0);
    LLVMPositionBuilderAtEnd(cg->b, cg_block(cg, f, "entry"));
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

/* A sampler returning a constant (attribute constants). */
static LLVMValueRef gen_const_sampler(CgGen *g, double v, const char *stream)
{
    fm_dist d;
    memset(&d, 0, sizeof d);
    d.kind = FAB_DIST_CONSTANT;
    d.p[0] = v;
    d.bound = FAB_BOUND_NONE;
    return gen_sampler(g, &d, stream, 0);
}

/* ---- main: building the model through the C API ---------------------------------------- */

/* The byval fab_sampler argument {fn, ctx, dist = 0} in a stack slot of main. */
static LLVMValueRef gen_sampler_arg(CgState *cg, LLVMTypeRef sampler_t, LLVMValueRef fn)
{
    LLVMValueRef tmp = LLVMBuildAlloca(cg->b, sampler_t, "sampler");
    LLVMSetAlignment(tmp, (unsigned)cg_rt_sampler_align);
    LLVMBuildStore(cg->b, LLVMConstNull(sampler_t), tmp);
    LLVMValueRef off = i64c(cg, cg_rt_sampler_fn_off);
    LLVMBuildStore(cg->b, fn, LLVMBuildGEP2(cg->b, cg->t_i8, tmp, &off, 1, ""));
    return tmp;
}

/* call void @name(args..., ptr byval(sampler_t) %s ...) for the sampler arguments listed. */
static void call_with_samplers(CgState *cg, LLVMTypeRef sampler_t, const char *name,
                               LLVMValueRef *args, unsigned n, const int *is_sampler,
                               LLVMTypeRef ret)
{
    LLVMTypeRef types[8];
    for (unsigned i = 0; i < n; i++)
        types[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef ft = LLVMFunctionType(ret, types, n, 0);
    LLVMValueRef f = LLVMGetNamedFunction(cg->mod, name);
    unsigned byval = LLVMGetEnumAttributeKindForName("byval", 5);
    unsigned align = LLVMGetEnumAttributeKindForName("align", 5);
    if (!f) {
        f = LLVMAddFunction(cg->mod, name, ft);
        for (unsigned i = 0; i < n; i++)
            if (is_sampler[i]) {
                LLVMAddAttributeAtIndex(f, i + 1, LLVMCreateTypeAttribute(cg->ctx, byval, sampler_t));
                LLVMAddAttributeAtIndex(f, i + 1, LLVMCreateEnumAttribute(cg->ctx, align,
                                                                          cg_rt_sampler_align));
            }
    }
    LLVMValueRef call = LLVMBuildCall2(cg->b, ft, f, args, n, "");
    for (unsigned i = 0; i < n; i++)
        if (is_sampler[i]) {
            LLVMAddCallSiteAttribute(call, i + 1, LLVMCreateTypeAttribute(cg->ctx, byval, sampler_t));
            LLVMAddCallSiteAttribute(call, i + 1, LLVMCreateEnumAttribute(cg->ctx, align,
                                                                          cg_rt_sampler_align));
        }
}

static void gen_set_sampler(CgGen *g, LLVMTypeRef sampler_t, const char *api, LLVMValueRef m,
                            LLVMValueRef id, LLVMValueRef extra, const fm_dist *d,
                            const char *stream)
{
    CgState *cg = g->cg;
    LLVMValueRef fn = gen_sampler(g, d, stream, 0);
    LLVMPositionBuilderAtEnd(cg->b, LLVMGetLastBasicBlock(LLVMGetNamedFunction(cg->mod, "main")));
    LLVMValueRef s = gen_sampler_arg(cg, sampler_t, fn);
    LLVMValueRef args[4] = {m, id, extra, s};
    int sm[4] = {0, 0, 0, 0};
    unsigned n;
    if (extra) {
        sm[3] = 1;
        n = 4;
    } else {
        args[2] = s;
        sm[2] = 1;
        n = 3;
    }
    call_with_samplers(cg, sampler_t, api, args, n, sm, cg->t_void);
}

static char *stream_name(const char *owner, const char *purpose, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", owner, purpose);
    return buf;
}

static int gen_main(CgGen *g)
{
    CgState *cg = g->cg;
    const fab_model *m = g->tab.m;
    LLVMTypeRef sampler_t = LLVMArrayType2(cg->t_i8, cg_rt_sampler_size);

    LLVMTypeRef main_pt[2] = {cg->t_i32, cg->t_ptr};
    LLVMValueRef mainf = LLVMAddFunction(cg->mod, "main", LLVMFunctionType(cg->t_i32, main_pt, 2, 0));
    LLVMPositionBuilderAtEnd(cg->b, cg_block(cg, mainf, "entry"));
#define MAIN_HERE() LLVMPositionBuilderAtEnd(cg->b, LLVMGetLastBasicBlock(mainf))

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

    /* part types and attribute slots, in model order: runtime ids equal model indices */
    for (int i = 0; i < m->nparts; i++) {
        LLVMValueRef a[2] = {mdl, cg_cstring(cg, m->parts[i].name)};
        cg_call(cg, "fab_model_part_type", cg->t_i32, a, 2);
    }
    for (int i = 0; i < m->nattrs; i++) {
        LLVMValueRef a[2] = {mdl, cg_cstring(cg, m->attrs[i].name)};
        cg_call(cg, "fab_model_attr", cg->t_i32, a, 2);
    }
    char sbuf[600];
    for (int t = 0; t < m->nparts; t++) {
        const fm_part_type *pt = &m->parts[t];
        for (int i = 0; i < m->nattrs; i++) {
            const fm_attr_init *ai = &pt->attrs[i];
            if (ai->kind != FM_INIT_CONST && ai->kind != FM_INIT_DIST)
                continue;
            char purpose[300];
            snprintf(purpose, sizeof purpose, "attr.%s", m->attrs[i].name);
            stream_name(pt->name, purpose, sbuf, sizeof sbuf);
            LLVMValueRef fn = ai->kind == FM_INIT_CONST ? gen_const_sampler(g, ai->value, sbuf)
                                                        : gen_sampler(g, ai->dist, sbuf, 0);
            MAIN_HERE();
            LLVMValueRef s = gen_sampler_arg(cg, sampler_t, fn);
            LLVMValueRef a[4] = {mdl, i32c(cg, t), i32c(cg, i), s};
            int sm[4] = {0, 0, 0, 1};
            call_with_samplers(cg, sampler_t, "fab_model_part_attr", a, 4, sm, cg->t_void);
        }
        LLVMValueRef init = cg_part_init_fn(cg, &g->tab, t);
        MAIN_HERE();
        if (init) {
            LLVMValueRef a[4] = {mdl, i32c(cg, t), init, LLVMConstPointerNull(cg->t_ptr)};
            call_void(cg, "fab_model_part_init", a, 4);
        }
    }

    /* elements, created in model order */
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        LLVMValueRef nm = cg_cstring(cg, el->name);
        switch (el->kind) {
        case FM_ELEM_SOURCE: {
            LLVMValueRef a[3] = {mdl, nm, i32c(cg, el->u.source.part_type)};
            cg_call(cg, "fab_source_new", cg->t_i32, a, 3);
            break;
        }
        case FM_ELEM_STATION: {
            LLVMValueRef a[2] = {mdl, nm};
            cg_call(cg, "fab_station_new", cg->t_i32, a, 2);
            break;
        }
        case FM_ELEM_BUFFER: {
            LLVMValueRef a[3] = {mdl, nm, i64c(cg, el->u.buffer.infinite ? UINT64_MAX
                                                  : (unsigned long long)el->u.buffer.capacity)};
            cg_call(cg, "fab_buffer_new", cg->t_i32, a, 3);
            break;
        }
        case FM_ELEM_CONVEYOR: {
            const fm_conveyor *c = &el->u.conveyor;
            LLVMValueRef a[6] = {mdl, nm, f64c(cg, c->length), f64c(cg, c->speed),
                                 f64c(cg, c->spacing), i32c(cg, c->accumulating)};
            cg_call(cg, "fab_conveyor_new", cg->t_i32, a, 6);
            break;
        }
        case FM_ELEM_ASSEMBLY: {
            LLVMValueRef a[3] = {mdl, nm, i32c(cg, el->u.assembly.output)};
            cg_call(cg, "fab_assembly_new", cg->t_i32, a, 3);
            break;
        }
        case FM_ELEM_SINK: {
            LLVMValueRef a[2] = {mdl, nm};
            cg_call(cg, "fab_sink_new", cg->t_i32, a, 2);
            break;
        }
        default:
            return cg_fail(cg, "internal error: element %s has an unknown kind", el->name);
        }
    }

    /* element properties */
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        LLVMValueRef id = i32c(cg, i);
        MAIN_HERE();
        switch (el->kind) {
        case FM_ELEM_SOURCE: {
            const fm_source *s = &el->u.source;
            if (s->unlimited) {
                LLVMValueRef a[2] = {mdl, id};
                call_void(cg, "fab_source_unlimited", a, 2);
            } else if (s->interarrival) {
                gen_set_sampler(g, sampler_t, "fab_source_interarrival", mdl, id, NULL,
                                s->interarrival, stream_name(el->name, "interarrival", sbuf, sizeof sbuf));
            }
            MAIN_HERE();
            if (s->batch > 1) {
                LLVMValueRef a[3] = {mdl, id, i64c(cg, (unsigned long long)s->batch)};
                call_void(cg, "fab_source_batch", a, 3);
            }
            if (s->limit >= 0) {
                LLVMValueRef a[3] = {mdl, id, i64c(cg, (unsigned long long)s->limit)};
                call_void(cg, "fab_source_limit", a, 3);
            }
            if (s->on_block == FM_ON_BLOCK_LOSE) {
                LLVMValueRef a[3] = {mdl, id, i32c(cg, cg_rt_on_block_lose)};
                call_void(cg, "fab_source_on_block", a, 3);
            }
            break;
        }
        case FM_ELEM_STATION:
        case FM_ELEM_ASSEMBLY: {
            const fm_station *st = el->kind == FM_ELEM_STATION ? &el->u.station : NULL;
            const fm_assembly *as = el->kind == FM_ELEM_ASSEMBLY ? &el->u.assembly : NULL;
            if (st && st->capacity > 1) {
                LLVMValueRef a[3] = {mdl, id, i32c(cg, st->capacity)};
                call_void(cg, "fab_station_capacity", a, 3);
            }
            if (as) {
                for (int k = 0; k < as->ninputs; k++) {
                    LLVMValueRef a[4] = {mdl, id, i32c(cg, as->inputs[k].part_type),
                                         i32c(cg, as->inputs[k].count)};
                    call_void(cg, "fab_assembly_input", a, 4);
                }
            }
            const fm_dist *cycle = st ? st->cycle : as->cycle;
            if (cycle)
                gen_set_sampler(g, sampler_t, "fab_station_cycle", mdl, id, NULL, cycle,
                                stream_name(el->name, "cycle", sbuf, sizeof sbuf));
            if (st) {
                for (int k = 0; k < st->ncycle_map; k++) {
                    const fm_cycle_entry *ce = &st->cycle_map[k];
                    char purpose[300];
                    snprintf(purpose, sizeof purpose, "cycle.%s", m->parts[ce->part_type].name);
                    gen_set_sampler(g, sampler_t, "fab_station_cycle_for", mdl, id,
                                    i32c(cg, ce->part_type), ce->dist,
                                    stream_name(el->name, purpose, sbuf, sizeof sbuf));
                }
                if (st->setup)
                    gen_set_sampler(g, sampler_t, "fab_station_setup", mdl, id, NULL, st->setup,
                                    stream_name(el->name, "setup", sbuf, sizeof sbuf));
            }
            MAIN_HERE();
            int has_power = st ? st->has_power : as->has_power;
            const double *power = st ? st->power : as->power;
            if (has_power) {
                for (int s = 0; s < FM_STATE__COUNT && s < cg_rt_state_count; s++) {
                    if (power[s] == 0.0)
                        continue;
                    LLVMValueRef a[4] = {mdl, id, i32c(cg, s), f64c(cg, power[s])};
                    call_void(cg, "fab_station_power", a, 4);
                }
            }
            for (int k = 0; st && k < st->nfailures; k++) {
                const fm_failure *fl = &st->failures[k];
                char purpose[300];
                snprintf(purpose, sizeof purpose, "failure.%s.ttf", fl->name);
                LLVMValueRef ttf = gen_sampler(g, fl->ttf, stream_name(el->name, purpose, sbuf, sizeof sbuf),
                                               fl->basis == FM_BASIS_CYCLES);
                snprintf(purpose, sizeof purpose, "failure.%s.ttr", fl->name);
                LLVMValueRef ttr = gen_sampler(g, fl->ttr, stream_name(el->name, purpose, sbuf, sizeof sbuf), 0);
                MAIN_HERE();
                int basis = fl->basis == FM_BASIS_CALENDAR ? cg_rt_basis_calendar
                          : fl->basis == FM_BASIS_CYCLES ? cg_rt_basis_cycles
                                                         : cg_rt_basis_operating;
                LLVMValueRef a[6] = {mdl, id, cg_cstring(cg, fl->name),
                                     gen_sampler_arg(cg, sampler_t, ttf),
                                     gen_sampler_arg(cg, sampler_t, ttr), i32c(cg, basis)};
                int sm[6] = {0, 0, 0, 1, 1, 0};
                call_with_samplers(cg, sampler_t, "fab_station_failure", a, 6, sm, cg->t_i32);
            }
            break;
        }
        case FM_ELEM_BUFFER: {
            const fm_buffer *b = &el->u.buffer;
            if (b->order == FM_ORDER_LIFO) {
                LLVMValueRef a[3] = {mdl, id, i32c(cg, cg_rt_order_lifo)};
                call_void(cg, "fab_buffer_order", a, 3);
            } else if ((b->order == FM_ORDER_ASCENDING || b->order == FM_ORDER_DESCENDING) &&
                       b->order_key) {
                LLVMValueRef key = cg_order_key_fn(cg, &g->tab, el);
                MAIN_HERE();
                LLVMValueRef a[5] = {mdl, id, key, LLVMConstPointerNull(cg->t_ptr),
                                     i32c(cg, b->order == FM_ORDER_DESCENDING)};
                call_void(cg, "fab_buffer_order_key", a, 5);
            }
            break;
        }
        default:
            break;
        }
    }

    /* flows, in declaration order: successor indices follow it */
    MAIN_HERE();
    for (int i = 0; i < m->nedges; i++) {
        LLVMValueRef a[3] = {mdl, i32c(cg, m->edges[i].from), i32c(cg, m->edges[i].to)};
        call_void(cg, "fab_flow", a, 3);
    }
    /* routes */
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *el = &m->elements[i];
        if (el->route.kind == FM_ROUTE_PROB) {
            for (int k = 0; k < el->route.nentries; k++) {
                LLVMValueRef a[4] = {mdl, i32c(cg, i), i32c(cg, el->route.probs[k].target),
                                     f64c(cg, el->route.probs[k].prob)};
                call_void(cg, "fab_route_prob", a, 4);
            }
        } else if (el->route.kind == FM_ROUTE_RULES) {
            LLVMValueRef fn = cg_route_rule_fn(cg, &g->tab, el);
            MAIN_HERE();
            LLVMValueRef a[4] = {mdl, i32c(cg, i), fn, LLVMConstPointerNull(cg->t_ptr)};
            call_void(cg, "fab_route_rule", a, 4);
        }
    }

    /* --set parameters of the compiled samplers */
    MAIN_HERE();
    for (size_t i = 0; i < g->nparams; i++) {
        LLVMValueRef a[4] = {mdl, cg_cstring(cg, g->params[i].name), g->params[i].slot,
                             i32c(cg, g->params[i].dim)};
        call_void(cg, "fab_model_param", a, 4);
    }

    LLVMValueRef a[3] = {mdl, LLVMGetParam(mainf, 0), LLVMGetParam(mainf, 1)};
    LLVMValueRef rc = cg_call(cg, "fab_main", cg->t_i32, a, 3);
    LLVMBuildRet(cg->b, rc);
#undef MAIN_HERE
    return g->failed ? cg_fail(cg, "out of memory") : 0;
}

int cg_compile_model(const struct fab_model *m, const cg_options *o, char *err, size_t errsize)
{
    CgState cg;
    CgGen g;
    memset(&g, 0, sizeof g);
    g.cg = &cg;
    g.tab.m = m;
    int rc = cg_state_init(&cg, m->path ? m->path : "model", o->opt_level);
    if (rc == 0)
        rc = cg_user_fns(&cg, &g.tab);
    if (rc == 0)
        rc = gen_main(&g);
    if (rc == 0)
        rc = cg_verify(&cg);
    if (rc == 0)
        rc = cg_optimize(&cg);
    if (rc == 0)
        rc = cg_verify(&cg);
    if (rc == 0 && o->emit_llvm)
        rc = cg_write_ir(&cg, o->emit_llvm);
    if (rc == 0 && o->object_path)
        rc = cg_emit_object(&cg, o->object_path);
    if (rc != 0)
        snprintf(err, errsize, "%s", cg.err);
    for (size_t i = 0; i < g.nparams; i++)
        free(g.params[i].name);
    free(g.params);
    free(g.tab.fn_vals);
    free(g.tab.fn_types);
    cg_state_dispose(&cg);
    return rc;
}
