/*
 * cg_state.h — the one place that holds LLVM handles for fabc.
 *
 * In:  a module name, an optimisation level 0..3.
 * Out: CgState, which owns the LLVM context, module, IR builder and target machine, plus
 *      cached types. cg_state_dispose() releases all of them; nothing LLVM-owned escapes the
 *      code generator (the AST and the checked model never see an LLVM type). The handles of
 *      one model's compile (functions, table rows) are values inside this module, listed in
 *      cg_model.c's generation context beside the CgState and dropped with it.
 * Errors: functions return 0 on success and -1 on failure, leaving a one-line message in
 *      cg->err, which the driver prints as a normal diagnostic. No function exits.
 * Not handled: cross compilation. The target is the host triple with the generic CPU
 *      ("x86-64" on x86-64, "generic" elsewhere) and no extra features, so that no FMA can be
 *      formed and -O0 and -O3 builds give bit-identical doubles.
 */
#ifndef FAB_CG_STATE_H
#define FAB_CG_STATE_H

#include <stddef.h>
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

typedef struct CgState {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTargetMachineRef tm;
    LLVMTargetDataRef td;
    char *triple;               /* LLVM-owned, disposed with LLVMDisposeMessage */
    int opt_level;              /* 0..3 */

    /* cached types */
    LLVMTypeRef t_void, t_i1, t_i8, t_i32, t_i64, t_f64, t_ptr, t_size;

    /* counters for unique private names */
    unsigned n_strings;
    unsigned n_globals;

    char err[1024];             /* last error, one line */
} CgState;

/* Create context, module, builder and target machine. Returns 0, or -1 with cg->err set
 * (the struct is then still safe to dispose). */
int cg_state_init(CgState *cg, const char *module_name, int opt_level);
void cg_state_dispose(CgState *cg);

/* Record an error message (printf-style) in cg->err; always returns -1. */
int cg_fail(CgState *cg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Declare (or find) an external function. */
LLVMValueRef cg_declare(CgState *cg, const char *name, LLVMTypeRef fn_type);

/* A private constant NUL-terminated string; returns a pointer to its first byte. */
LLVMValueRef cg_cstring(CgState *cg, const char *s);

/* A private constant array of doubles (n may be 0: returns a null pointer). */
LLVMValueRef cg_const_f64_array(CgState *cg, const double *v, size_t n, const char *hint);

/* Verify the module; a failure becomes cg->err ("internal error: invalid module: ..."). */
int cg_verify(CgState *cg);
/* Run the new pass manager pipeline default<O{opt_level}>. */
int cg_optimize(CgState *cg);
/* Write textual IR to path ("-" for stdout). */
int cg_write_ir(CgState *cg, const char *path);
/* Emit a host object file. */
int cg_emit_object(CgState *cg, const char *path);

#endif
