/*
 * cg_internal.h — shared between the code generator's files (cg_model.c, cg_expr.c).
 *
 * In:  CgState (cg_state.h) and the checked model (compiler/model.h).
 * Out: helpers to call libfabrt functions and to compile expressions into LLVM IR.
 * Memory: LLVM values belong to the CgState's module; arrays hung off CgState are malloc'ed
 *      and freed by cg_model_free_tables.
 */
#ifndef FAB_CG_INTERNAL_H
#define FAB_CG_INTERNAL_H

#include "cg_state.h"
#include "model.h"

/* Per-model handles, kept with the other LLVM handles in CgState (cg->model_tab). */
typedef struct CgModelTab {
    const fab_model *m;
    LLVMValueRef *fn_vals;      /* compiled user fns, [m->nfns] */
    LLVMTypeRef *fn_types;
} CgModelTab;

/* Where an expression is being compiled: the part (FM_EX_PART), the simulation view, the
 * enclosing fn's parameters (NULL outside fns), and the value `now` stands for (NULL: call
 * fab_sim_now(view) where it is used). */
typedef struct CgExprEnv {
    LLVMValueRef fn;
    LLVMValueRef part;
    LLVMValueRef view;
    LLVMValueRef *params;
    LLVMValueRef now;
} CgExprEnv;

/* The LLVM type of a checked-model expression type. */
LLVMTypeRef cg_type_of(CgState *cg, fm_type t);

/* Call the external function `name` returning `ret` with args (types taken from the args). */
LLVMValueRef cg_call(CgState *cg, const char *name, LLVMTypeRef ret, LLVMValueRef *args,
                     unsigned n);

/* Declare every user fn (so calls can be compiled in any order), then compile their bodies. */
int cg_user_fns(CgState *cg, CgModelTab *tab);
/* Compile an expression in the current insertion block. */
LLVMValueRef cg_expr(CgState *cg, CgModelTab *tab, CgExprEnv *env, const fm_expr *e);
/* Compile as a double (booleans 0/1, part types and states as their index). */
LLVMValueRef cg_expr_f64(CgState *cg, CgModelTab *tab, CgExprEnv *env, const fm_expr *e);

/* Callbacks handed to libfabrt (signatures of fab/model.h). */
LLVMValueRef cg_route_rule_fn(CgState *cg, CgModelTab *tab, const fm_element *el);
LLVMValueRef cg_order_key_fn(CgState *cg, CgModelTab *tab, const fm_element *el);
/* The key uses `now` other than affinely with a part-independent coefficient, or reads
 * level() or state(): it must be evaluated when the part leaves
 * (fab_buffer_order_key_dynamic), not when it enters. */
int cg_order_key_is_dynamic(const CgModelTab *tab, const fm_element *el);
/* The part initialiser of a part type for its expression attributes, computed in the part
 * type's expr_order (index order when NULL); NULL when it has none. */
LLVMValueRef cg_part_init_fn(CgState *cg, CgModelTab *tab, int part_type);

/* Append a basic block to fn. */
LLVMBasicBlockRef cg_block(CgState *cg, LLVMValueRef fn, const char *name);

#endif
