/*
 * cg_expr.c — compiles checked-model expressions into LLVM IR: `fn` definitions, route rules,
 * buffer order keys and attribute initialisers.
 *
 * In:  fm_expr trees (compiler/model.h), already type- and dimension-checked by sema.
 * Out: LLVM functions in the CgState's module with the callback signatures of fab/model.h:
 *        i32    route.<el>(ptr part, ptr view, ptr ctx)   successor index, -1 if no rule fits
 *        double key.<el>(ptr part, ptr view, ptr ctx)     buffer order key
 *        void   init.<type>(ptr part, ptr rng, ptr view, ptr ctx)  expression attributes
 *      and one function per user fn: <ret> fn.<name>(<params>..., ptr view, double now).
 * Order keys and `now`: libfabrt evaluates a buffer's key once, when the part enters. A key
 *      such as slack = part.created + part.due - now means "at dispatch time", and comparing
 *      keys taken at different entry times would order parts by their relative due dates
 *      instead. When a key is affine in `now` with a coefficient that does not depend on the
 *      part (now appears only as a summand, possibly scaled by a literal, also through fn
 *      calls), the order of the keys at any common instant is the order of the keys with
 *      now = 0, so the key is compiled with now = 0 and the buffer orders exactly as if every
 *      key were re-evaluated at dispatch. Other keys that read `now` (inside if, min, a
 *      comparison, ...) are evaluated at entry, as libfabrt documents.
 * Values: numbers are IEEE doubles in SI units with no fast-math flags (so every -O level gives
 *      the same bits); booleans i1; parts pointers; part types and states i32 indices.
 *      Part fields are read at the offsets of libfabrt's fab_part (cg_rtabi.h); attribute
 *      slot i is the model's attribute i (main registers them in that order).
 *      Simulation queries call fab_sim_now / fab_sim_level / fab_sim_state.
 * Memory: nothing beyond the module's LLVM values.
 * Not handled: recursion between user fns is compiled as written (sema rejects it).
 */
#include "cg_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_rtabi.h"

LLVMBasicBlockRef cg_block(CgState *cg, LLVMValueRef fn, const char *name)
{
    return LLVMAppendBasicBlockInContext(cg->ctx, fn, name);
}

LLVMTypeRef cg_type_of(CgState *cg, fm_type t)
{
    switch (t) {
    case FM_T_NUM: return cg->t_f64;
    case FM_T_BOOL: return cg->t_i1;
    case FM_T_PART: return cg->t_ptr;
    case FM_T_PARTTYPE:
    case FM_T_STATE: return cg->t_i32;
    }
    return cg->t_f64;
}

LLVMValueRef cg_call(CgState *cg, const char *name, LLVMTypeRef ret, LLVMValueRef *args,
                     unsigned n)
{
    LLVMTypeRef types[16];
    for (unsigned i = 0; i < n && i < 16; i++)
        types[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef ft = LLVMFunctionType(ret, types, n, 0);
    LLVMValueRef f = cg_declare(cg, name, ft);
    return LLVMBuildCall2(cg->b, ft, f, args, n, "");
}

static LLVMValueRef cg_f64(CgState *cg, double v)
{
    return LLVMConstReal(cg->t_f64, v);
}

static LLVMValueRef cg_i32(CgState *cg, long v)
{
    return LLVMConstInt(cg->t_i32, (unsigned long long)v, 1);
}

/* Address of a field at a byte offset from a part pointer. */
static LLVMValueRef cg_part_field(CgState *cg, LLVMValueRef part, size_t off)
{
    LLVMValueRef idx = LLVMConstInt(cg->t_i64, off, 0);
    return LLVMBuildGEP2(cg->b, cg->t_i8, part, &idx, 1, "fld");
}

static LLVMValueRef cg_to_f64(CgState *cg, LLVMValueRef v)
{
    LLVMTypeRef t = LLVMTypeOf(v);
    if (t == cg->t_f64)
        return v;
    if (t == cg->t_i1)
        return LLVMBuildUIToFP(cg->b, v, cg->t_f64, "");
    if (t == cg->t_i32)
        return LLVMBuildSIToFP(cg->b, v, cg->t_f64, "");
    return v;
}

/* An fcmp or icmp for a comparison node, by operand type. */
static LLVMValueRef cg_compare(CgState *cg, fm_expr_kind k, LLVMValueRef a, LLVMValueRef b)
{
    if (LLVMTypeOf(a) == cg->t_f64 || LLVMTypeOf(b) == cg->t_f64) {
        a = cg_to_f64(cg, a);
        b = cg_to_f64(cg, b);
        LLVMRealPredicate p = k == FM_EX_LT ? LLVMRealOLT : k == FM_EX_LE ? LLVMRealOLE
                            : k == FM_EX_GT ? LLVMRealOGT : k == FM_EX_GE ? LLVMRealOGE
                            : k == FM_EX_EQ ? LLVMRealOEQ : LLVMRealUNE;
        return LLVMBuildFCmp(cg->b, p, a, b, "");
    }
    LLVMIntPredicate p = k == FM_EX_LT ? LLVMIntSLT : k == FM_EX_LE ? LLVMIntSLE
                       : k == FM_EX_GT ? LLVMIntSGT : k == FM_EX_GE ? LLVMIntSGE
                       : k == FM_EX_EQ ? LLVMIntEQ : LLVMIntNE;
    if (LLVMTypeOf(a) != LLVMTypeOf(b)) {
        /* bool vs int: widen both to i32 */
        a = LLVMBuildZExtOrBitCast(cg->b, a, cg->t_i32, "");
        b = LLVMBuildZExtOrBitCast(cg->b, b, cg->t_i32, "");
    }
    return LLVMBuildICmp(cg->b, p, a, b, "");
}

/* A one-argument math function of double. exp and log go to libfabrt's fab_dist_math_exp/log,
 * which give the same bits on every machine (glibc's results depend on the CPU's FMA support)
 * and which LLVM does not constant-fold with the host's libm at higher -O levels. */
static LLVMValueRef cg_libm1(CgState *cg, const char *name, LLVMValueRef x)
{
    return cg_call(cg, name, cg->t_f64, &x, 1);
}

/* The index of the attribute named "due", or -1. */
static int cg_due_attr(const fab_model *m)
{
    for (int i = 0; i < m->nattrs; i++)
        if (strcmp(m->attrs[i].name, "due") == 0)
            return i;
    return -1;
}

LLVMValueRef cg_expr(CgState *cg, CgModelTab *tab, CgExprEnv *env, const fm_expr *e)
{
    LLVMValueRef a, b;
    switch (e->kind) {
    case FM_EX_NUM:
        return cg_f64(cg, e->num);
    case FM_EX_BOOL:
        return LLVMConstInt(cg->t_i1, e->num != 0.0, 0);
    case FM_EX_NEG:
        return LLVMBuildFNeg(cg->b, cg_expr_f64(cg, tab, env, e->args[0]), "neg");
    case FM_EX_NOT:
        return LLVMBuildNot(cg->b, cg_expr(cg, tab, env, e->args[0]), "not");
    case FM_EX_ADD:
    case FM_EX_SUB:
    case FM_EX_MUL:
    case FM_EX_DIV:
        a = cg_expr_f64(cg, tab, env, e->args[0]);
        b = cg_expr_f64(cg, tab, env, e->args[1]);
        switch (e->kind) {
        case FM_EX_ADD: return LLVMBuildFAdd(cg->b, a, b, "add");
        case FM_EX_SUB: return LLVMBuildFSub(cg->b, a, b, "sub");
        case FM_EX_MUL: return LLVMBuildFMul(cg->b, a, b, "mul");
        default: return LLVMBuildFDiv(cg->b, a, b, "div");
        }
    case FM_EX_LT: case FM_EX_LE: case FM_EX_GT: case FM_EX_GE: case FM_EX_EQ: case FM_EX_NE:
        a = cg_expr(cg, tab, env, e->args[0]);
        b = cg_expr(cg, tab, env, e->args[1]);
        return cg_compare(cg, e->kind, a, b);
    case FM_EX_AND:
    case FM_EX_OR: {
        /* short-circuit, so that `level(b) > 0 and f(part) < 3` never evaluates f needlessly */
        a = cg_expr(cg, tab, env, e->args[0]);
        LLVMBasicBlockRef from = LLVMGetInsertBlock(cg->b);
        LLVMBasicBlockRef rhs = cg_block(cg, env->fn, "rhs");
        LLVMBasicBlockRef join = cg_block(cg, env->fn, "join");
        if (e->kind == FM_EX_AND)
            LLVMBuildCondBr(cg->b, a, rhs, join);
        else
            LLVMBuildCondBr(cg->b, a, join, rhs);
        LLVMPositionBuilderAtEnd(cg->b, rhs);
        b = cg_expr(cg, tab, env, e->args[1]);
        LLVMBasicBlockRef rhs_end = LLVMGetInsertBlock(cg->b);
        LLVMBuildBr(cg->b, join);
        LLVMPositionBuilderAtEnd(cg->b, join);
        LLVMValueRef phi = LLVMBuildPhi(cg->b, cg->t_i1, "sc");
        LLVMValueRef vals[2] = {LLVMConstInt(cg->t_i1, e->kind == FM_EX_OR, 0), b};
        LLVMBasicBlockRef blocks[2] = {from, rhs_end};
        LLVMAddIncoming(phi, vals, blocks, 2);
        return phi;
    }
    case FM_EX_IF: {
        LLVMValueRef c = cg_expr(cg, tab, env, e->args[0]);
        LLVMBasicBlockRef bt = cg_block(cg, env->fn, "then");
        LLVMBasicBlockRef bf = cg_block(cg, env->fn, "else");
        LLVMBasicBlockRef join = cg_block(cg, env->fn, "endif");
        LLVMBuildCondBr(cg->b, c, bt, bf);
        LLVMTypeRef rt = cg_type_of(cg, e->type);
        LLVMPositionBuilderAtEnd(cg->b, bt);
        a = cg_expr(cg, tab, env, e->args[1]);
        if (rt == cg->t_f64)
            a = cg_to_f64(cg, a);
        LLVMBasicBlockRef bt_end = LLVMGetInsertBlock(cg->b);
        LLVMBuildBr(cg->b, join);
        LLVMPositionBuilderAtEnd(cg->b, bf);
        b = cg_expr(cg, tab, env, e->args[2]);
        if (rt == cg->t_f64)
            b = cg_to_f64(cg, b);
        LLVMBasicBlockRef bf_end = LLVMGetInsertBlock(cg->b);
        LLVMBuildBr(cg->b, join);
        LLVMPositionBuilderAtEnd(cg->b, join);
        LLVMValueRef phi = LLVMBuildPhi(cg->b, LLVMTypeOf(a), "if");
        LLVMValueRef vals[2] = {a, b};
        LLVMBasicBlockRef blocks[2] = {bt_end, bf_end};
        LLVMAddIncoming(phi, vals, blocks, 2);
        return phi;
    }
    case FM_EX_BUILTIN:
        switch ((fm_builtin)e->index) {
        case FM_BUILTIN_MIN:
        case FM_BUILTIN_MAX:
            a = cg_expr_f64(cg, tab, env, e->args[0]);
            b = cg_expr_f64(cg, tab, env, e->args[1]);
            /* min(a, b) = b < a ? b : a; max(a, b) = b > a ? b : a (a wins ties) */
            return LLVMBuildSelect(cg->b,
                LLVMBuildFCmp(cg->b, e->index == FM_BUILTIN_MIN ? LLVMRealOLT : LLVMRealOGT,
                              b, a, ""), b, a, e->index == FM_BUILTIN_MIN ? "min" : "max");
        case FM_BUILTIN_ABS:
            return cg_libm1(cg, "fabs", cg_expr_f64(cg, tab, env, e->args[0]));
        case FM_BUILTIN_EXP:
            return cg_libm1(cg, "fab_dist_math_exp", cg_expr_f64(cg, tab, env, e->args[0]));
        case FM_BUILTIN_LOG:
            return cg_libm1(cg, "fab_dist_math_log", cg_expr_f64(cg, tab, env, e->args[0]));
        case FM_BUILTIN_SQRT:
            return cg_libm1(cg, "sqrt", cg_expr_f64(cg, tab, env, e->args[0]));
        default:
            return cg_f64(cg, 0.0);
        }
    case FM_EX_CALL: {
        const fm_fn *fn = &tab->m->fns[e->index];
        int n = fn->nparams;
        LLVMValueRef *args = calloc((size_t)n + 2, sizeof *args);
        for (int i = 0; i < n; i++) {
            args[i] = cg_expr(cg, tab, env, e->args[i]);
            if (cg_type_of(cg, fn->param_types[i]) == cg->t_f64)
                args[i] = cg_to_f64(cg, args[i]);
        }
        args[n] = env->view;
        args[n + 1] = env->now ? env->now : cg_call(cg, "fab_sim_now", cg->t_f64, &env->view, 1);
        LLVMValueRef r = LLVMBuildCall2(cg->b, tab->fn_types[e->index], tab->fn_vals[e->index],
                                        args, (unsigned)n + 2, "");
        free(args);
        return r;
    }
    case FM_EX_PARAM: {
        if (!env->params)
            return cg_f64(cg, 0.0);
        /* a fn's parameters other than parts arrive as doubles (a condition as 0 or 1); a use
         * that sema typed as a condition gets it back as one */
        LLVMValueRef v = env->params[e->index];
        if (e->type == FM_T_BOOL && LLVMTypeOf(v) == cg->t_f64)
            return LLVMBuildFCmp(cg->b, LLVMRealUNE, v, cg_f64(cg, 0.0), "cond");
        return v;
    }
    case FM_EX_NOW:
        if (env->now)
            return env->now;
        return cg_call(cg, "fab_sim_now", cg->t_f64, &env->view, 1);
    case FM_EX_PART:
        return env->part;
    case FM_EX_PART_TYPE:
        a = cg_expr(cg, tab, env, e->args[0]);
        return LLVMBuildLoad2(cg->b, cg->t_i32, cg_part_field(cg, a, cg_rt_part_type_off),
                              "ptype");
    case FM_EX_PART_CREATED:
        a = cg_expr(cg, tab, env, e->args[0]);
        return LLVMBuildLoad2(cg->b, cg->t_f64, cg_part_field(cg, a, cg_rt_part_created_off),
                              "created");
    case FM_EX_PART_ATTR: {
        a = cg_expr(cg, tab, env, e->args[0]);
        LLVMValueRef v = LLVMBuildLoad2(cg->b, cg->t_f64,
                                        cg_part_field(cg, a, cg_rt_part_attr_off +
                                                             (size_t)e->index * sizeof(double)),
                                        "attr");
        if (e->index == cg_due_attr(tab->m)) {
            /* libfabrt gives parts of a type without a due date NaN in the due slot (no due
             * date: no tardiness); in expressions it reads as 0, as the checked model defines */
            LLVMValueRef isnan = LLVMBuildFCmp(cg->b, LLVMRealUNO, v, v, "nodue");
            v = LLVMBuildSelect(cg->b, isnan, LLVMConstReal(cg->t_f64, 0.0), v, "due");
        }
        return v;
    }
    case FM_EX_PARTTYPE_CONST:
    case FM_EX_STATE_CONST:
        return cg_i32(cg, e->index);
    case FM_EX_LEVEL: {
        LLVMValueRef args[2] = {env->view, cg_i32(cg, e->index)};
        return cg_call(cg, "fab_sim_level", cg->t_f64, args, 2);
    }
    case FM_EX_STATE: {
        LLVMValueRef args[2] = {env->view, cg_i32(cg, e->index)};
        return cg_call(cg, "fab_sim_state", cg->t_i32, args, 2);
    }
    default:
        break;
    }
    return cg_f64(cg, 0.0);
}

LLVMValueRef cg_expr_f64(CgState *cg, CgModelTab *tab, CgExprEnv *env, const fm_expr *e)
{
    return cg_to_f64(cg, cg_expr(cg, tab, env, e));
}

int cg_user_fns(CgState *cg, CgModelTab *tab)
{
    const fab_model *m = tab->m;
    tab->fn_vals = calloc((size_t)m->nfns + 1, sizeof *tab->fn_vals);
    tab->fn_types = calloc((size_t)m->nfns + 1, sizeof *tab->fn_types);
    if (!tab->fn_vals || !tab->fn_types)
        return cg_fail(cg, "out of memory");
    for (int i = 0; i < m->nfns; i++) {
        const fm_fn *fn = &m->fns[i];
        LLVMTypeRef *pt = calloc((size_t)fn->nparams + 2, sizeof *pt);
        for (int j = 0; j < fn->nparams; j++)
            pt[j] = cg_type_of(cg, fn->param_types[j]);
        pt[fn->nparams] = cg->t_ptr;     /* the simulation view */
        pt[fn->nparams + 1] = cg->t_f64; /* the value of `now` */
        tab->fn_types[i] = LLVMFunctionType(cg_type_of(cg, fn->body->type), pt,
                                            (unsigned)fn->nparams + 2, 0);
        free(pt);
        char name[256];
        snprintf(name, sizeof name, "fn.%s", fn->name);
        tab->fn_vals[i] = LLVMAddFunction(cg->mod, name, tab->fn_types[i]);
        LLVMSetLinkage(tab->fn_vals[i], LLVMInternalLinkage);
    }
    for (int i = 0; i < m->nfns; i++) {
        const fm_fn *fn = &m->fns[i];
        LLVMValueRef f = tab->fn_vals[i];
        LLVMValueRef *params = calloc((size_t)fn->nparams + 1, sizeof *params);
        for (int j = 0; j < fn->nparams; j++) {
            params[j] = LLVMGetParam(f, (unsigned)j);
            LLVMSetValueName2(params[j], fn->params[j], strlen(fn->params[j]));
        }
        CgExprEnv env = {.fn = f, .part = NULL, .view = LLVMGetParam(f, (unsigned)fn->nparams),
                         .params = params, .now = LLVMGetParam(f, (unsigned)fn->nparams + 1)};
        LLVMPositionBuilderAtEnd(cg->b, cg_block(cg, f, "entry"));
        LLVMValueRef v = cg_expr(cg, tab, &env, fn->body);
        LLVMBuildRet(cg->b, v);
        free(params);
    }
    return 0;
}

static LLVMValueRef cg_callback(CgState *cg, const char *prefix, const char *name,
                                LLVMTypeRef ret, int nparams)
{
    LLVMTypeRef pt[4] = {cg->t_ptr, cg->t_ptr, cg->t_ptr, cg->t_ptr};
    char fname[300];
    snprintf(fname, sizeof fname, "%s.%s", prefix, name);
    LLVMValueRef f = LLVMAddFunction(cg->mod, fname, LLVMFunctionType(ret, pt, (unsigned)nparams, 0));
    LLVMSetLinkage(f, LLVMInternalLinkage);
    LLVMPositionBuilderAtEnd(cg->b, cg_block(cg, f, "entry"));
    return f;
}

static int cg_succ_index(const fm_element *el, int target)
{
    for (int i = 0; i < el->nsucc; i++)
        if (el->succ[i] == target)
            return i;
    return -1;
}

LLVMValueRef cg_route_rule_fn(CgState *cg, CgModelTab *tab, const fm_element *el)
{
    LLVMValueRef f = cg_callback(cg, "route", el->name, cg->t_i32, 3);
    CgExprEnv env = {.fn = f, .part = LLVMGetParam(f, 0), .view = LLVMGetParam(f, 1)};
    for (int i = 0; i < el->route.nentries; i++) {
        const fm_route_rule *r = &el->route.rules[i];
        LLVMValueRef idx = cg_i32(cg, cg_succ_index(el, r->target));
        if (!r->cond) {
            LLVMBuildRet(cg->b, idx);
            return f;
        }
        LLVMValueRef c = cg_expr(cg, tab, &env, r->cond);
        LLVMBasicBlockRef yes = cg_block(cg, f, "take");
        LLVMBasicBlockRef no = cg_block(cg, f, "next");
        LLVMBuildCondBr(cg->b, c, yes, no);
        LLVMPositionBuilderAtEnd(cg->b, yes);
        LLVMBuildRet(cg->b, idx);
        LLVMPositionBuilderAtEnd(cg->b, no);
    }
    LLVMBuildRet(cg->b, cg_i32(cg, -1));
    return f;
}

/* How an expression depends on the simulation state: not at all, affinely on `now` with a
 * part-independent coefficient, or otherwise. level() and state() read the state of the
 * simulation when they are evaluated, so they (and anything computed from them) are
 * CG_NOW_OTHER: an order key that reads them is evaluated when a part leaves. */
enum { CG_NOW_NONE, CG_NOW_AFFINE, CG_NOW_OTHER };

/* The classes already worked out for a fn called with given argument classes: a call chain
 * in which each fn calls the next twice (fn f(x) = g(x) + g(x)) is then classified in linear
 * time, not exponential. An open-addressing table keyed by (fn, argument classes). */
typedef struct cg_now_memo_entry {
    int fn, n, result;
    unsigned char pc[64];
} cg_now_memo_entry;

typedef struct cg_now_memo {
    cg_now_memo_entry *slot;    /* fn < 0: empty */
    size_t cap, count;          /* cap a power of two (0: no table, nothing remembered) */
} cg_now_memo;

static size_t cg_now_memo_hash(int fn, int n, const int *pc)
{
    size_t h = (size_t)fn * 0x9E3779B97F4A7C15u;
    for (int i = 0; i < n; i++)
        h = (h ^ (size_t)pc[i]) * 0x100000001B3u;
    return h;
}

/* The entry for (fn, pc), or the empty slot where it goes; NULL without a table. */
static cg_now_memo_entry *cg_now_memo_find(cg_now_memo *mm, int fn, int n, const int *pc)
{
    if (!mm->cap)
        return NULL;
    for (size_t i = cg_now_memo_hash(fn, n, pc) & (mm->cap - 1);; i = (i + 1) & (mm->cap - 1)) {
        cg_now_memo_entry *en = &mm->slot[i];
        if (en->fn < 0)
            return en;
        if (en->fn == fn && en->n == n) {
            int k = 0;
            while (k < n && en->pc[k] == pc[k])
                k++;
            if (k == n)
                return en;
        }
    }
}

static void cg_now_memo_put(cg_now_memo *mm, int fn, int n, const int *pc, int result)
{
    if ((mm->count + 1) * 2 > mm->cap) {     /* grow (at most half full), or give up quietly */
        size_t cap = mm->cap ? mm->cap * 2 : 64;
        cg_now_memo_entry *slot = malloc(cap * sizeof *slot);
        if (!slot)
            return;
        for (size_t i = 0; i < cap; i++)
            slot[i].fn = -1;
        cg_now_memo old = *mm;
        *mm = (cg_now_memo){slot, cap, 0};
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].fn >= 0) {
                int opc[64];
                for (int k = 0; k < old.slot[i].n; k++)
                    opc[k] = old.slot[i].pc[k];
                cg_now_memo_put(mm, old.slot[i].fn, old.slot[i].n, opc, old.slot[i].result);
            }
        free(old.slot);
    }
    cg_now_memo_entry *en = cg_now_memo_find(mm, fn, n, pc);
    if (!en || en->fn >= 0)
        return;
    en->fn = fn;
    en->n = n;
    en->result = result;
    for (int k = 0; k < n; k++)
        en->pc[k] = (unsigned char)pc[k];
    mm->count++;
}

static int cg_now_class(const fab_model *m, const fm_expr *e, const int *param_class, int depth,
                        cg_now_memo *mm)
{
    if (depth > 64)
        return CG_NOW_OTHER;
    int c[3] = {CG_NOW_NONE, CG_NOW_NONE, CG_NOW_NONE};
    int worst = CG_NOW_NONE;
    if (e->kind != FM_EX_CALL)
        for (int i = 0; i < e->nargs && i < 3; i++) {
            c[i] = cg_now_class(m, e->args[i], param_class, depth + 1, mm);
            if (c[i] > worst)
                worst = c[i];
        }
    switch (e->kind) {
    case FM_EX_NOW:
        return CG_NOW_AFFINE;
    case FM_EX_LEVEL:
    case FM_EX_STATE:
        return CG_NOW_OTHER;
    case FM_EX_PARAM:
        return param_class ? param_class[e->index] : CG_NOW_NONE;
    case FM_EX_ADD:
    case FM_EX_SUB:
    case FM_EX_NEG:
        return worst;
    case FM_EX_MUL:
        if (worst == CG_NOW_NONE)
            return CG_NOW_NONE;
        if ((c[0] == CG_NOW_AFFINE && e->args[1]->kind == FM_EX_NUM) ||
            (c[1] == CG_NOW_AFFINE && e->args[0]->kind == FM_EX_NUM))
            return CG_NOW_AFFINE;
        return CG_NOW_OTHER;
    case FM_EX_DIV:
        if (worst == CG_NOW_NONE)
            return CG_NOW_NONE;
        if (c[0] == CG_NOW_AFFINE && e->args[1]->kind == FM_EX_NUM)
            return CG_NOW_AFFINE;
        return CG_NOW_OTHER;
    case FM_EX_CALL: {
        const fm_fn *fn = &m->fns[e->index];
        int pc[64];
        if (fn->nparams > 64)
            return CG_NOW_OTHER;
        for (int i = 0; i < fn->nparams; i++)
            pc[i] = cg_now_class(m, e->args[i], param_class, depth + 1, mm);
        cg_now_memo_entry *en = cg_now_memo_find(mm, e->index, fn->nparams, pc);
        if (en && en->fn >= 0)
            return en->result;
        int r = cg_now_class(m, fn->body, pc, depth + 1, mm);
        cg_now_memo_put(mm, e->index, fn->nparams, pc, r);
        return r;
    }
    default:
        return worst == CG_NOW_NONE ? CG_NOW_NONE : CG_NOW_OTHER;
    }
}

/* The class of a buffer's order key (a fresh table of fn classes per key). */
static int cg_order_key_class(const CgModelTab *tab, const fm_element *el)
{
    cg_now_memo mm = {NULL, 0, 0};
    int c = cg_now_class(tab->m, el->u.buffer.order_key, NULL, 0, &mm);
    free(mm.slot);
    return c;
}

int cg_order_key_is_dynamic(const CgModelTab *tab, const fm_element *el)
{
    return cg_order_key_class(tab, el) == CG_NOW_OTHER;
}

LLVMValueRef cg_order_key_fn(CgState *cg, CgModelTab *tab, const fm_element *el)
{
    LLVMValueRef f = cg_callback(cg, "key", el->name, cg->t_f64, 3);
    CgExprEnv env = {.fn = f, .part = LLVMGetParam(f, 0), .view = LLVMGetParam(f, 1)};
    if (cg_order_key_class(tab, el) != CG_NOW_OTHER)
        env.now = cg_f64(cg, 0.0);
    LLVMBuildRet(cg->b, cg_expr_f64(cg, tab, &env, el->u.buffer.order_key));
    return f;
}

LLVMValueRef cg_part_init_fn(CgState *cg, CgModelTab *tab, int part_type)
{
    const fm_part_type *pt = &tab->m->parts[part_type];
    int any = 0;
    for (int i = 0; i < tab->m->nattrs; i++)
        any |= pt->attrs[i].kind == FM_INIT_EXPR;
    if (!any)
        return NULL;
    LLVMValueRef f = cg_callback(cg, "init", pt->name, cg->t_void, 4);
    CgExprEnv env = {.fn = f, .part = LLVMGetParam(f, 0), .view = LLVMGetParam(f, 2)};
    /* in sema's order (each attribute after the ones it reads), else in index order */
    int n = pt->expr_order ? pt->nexpr_order : tab->m->nattrs;
    for (int k = 0; k < n; k++) {
        int i = pt->expr_order ? pt->expr_order[k] : k;
        if (pt->attrs[i].kind != FM_INIT_EXPR)
            continue;
        LLVMValueRef v = cg_expr_f64(cg, tab, &env, pt->attrs[i].expr);
        LLVMBuildStore(cg->b, v, cg_part_field(cg, env.part,
                                               cg_rt_part_attr_off + (size_t)i * sizeof(double)));
    }
    LLVMBuildRetVoid(cg->b);
    return f;
}
