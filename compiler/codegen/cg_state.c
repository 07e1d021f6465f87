/*
 * cg_state.c — creation and disposal of CgState, and small helpers for constant data.
 *
 * In:  module name and optimisation level. Out: a ready CgState (see cg_state.h).
 * Memory: every LLVM handle is owned by the CgState and released in cg_state_dispose().
 * Not handled: more than one module per state, or any target other than the host's.
 */
#include "cg_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cg_fail(CgState *cg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cg->err, sizeof cg->err, fmt, ap);
    va_end(ap);
    /* keep the message on one line */
    for (char *p = cg->err; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return -1;
}

static const char *cg_generic_cpu(const char *triple)
{
    if (strncmp(triple, "x86_64", 6) == 0)
        return "x86-64";
    return "generic";
}

int cg_state_init(CgState *cg, const char *module_name, int opt_level)
{
    memset(cg, 0, sizeof *cg);
    cg->opt_level = opt_level;
    if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter())
        return cg_fail(cg, "internal error: LLVM has no native target for this host");

    cg->ctx = LLVMContextCreate();
    cg->mod = LLVMModuleCreateWithNameInContext(module_name, cg->ctx);
    cg->b = LLVMCreateBuilderInContext(cg->ctx);
    cg->triple = LLVMGetDefaultTargetTriple();

    LLVMTargetRef target = NULL;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(cg->triple, &target, &msg)) {
        cg_fail(cg, "internal error: no LLVM target for %s: %s", cg->triple, msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -1;
    }
    LLVMCodeGenOptLevel level = opt_level <= 0 ? LLVMCodeGenLevelNone
                              : opt_level == 1 ? LLVMCodeGenLevelLess
                              : opt_level == 2 ? LLVMCodeGenLevelDefault
                                               : LLVMCodeGenLevelAggressive;
    cg->tm = LLVMCreateTargetMachine(target, cg->triple, cg_generic_cpu(cg->triple), "", level,
                                     LLVMRelocPIC, LLVMCodeModelDefault);
    if (!cg->tm)
        return cg_fail(cg, "internal error: cannot create a target machine for %s", cg->triple);
    cg->td = LLVMCreateTargetDataLayout(cg->tm);
    LLVMSetTarget(cg->mod, cg->triple);
    char *layout = LLVMCopyStringRepOfTargetData(cg->td);
    LLVMSetDataLayout(cg->mod, layout);
    LLVMDisposeMessage(layout);

    cg->t_void = LLVMVoidTypeInContext(cg->ctx);
    cg->t_i1 = LLVMInt1TypeInContext(cg->ctx);
    cg->t_i8 = LLVMInt8TypeInContext(cg->ctx);
    cg->t_i32 = LLVMInt32TypeInContext(cg->ctx);
    cg->t_i64 = LLVMInt64TypeInContext(cg->ctx);
    cg->t_f64 = LLVMDoubleTypeInContext(cg->ctx);
    cg->t_ptr = LLVMPointerTypeInContext(cg->ctx, 0);
    cg->t_size = LLVMIntPtrTypeInContext(cg->ctx, cg->td);
    return 0;
}

void cg_state_dispose(CgState *cg)
{
    if (cg->b)
        LLVMDisposeBuilder(cg->b);
    if (cg->mod)
        LLVMDisposeModule(cg->mod);
    if (cg->td)
        LLVMDisposeTargetData(cg->td);
    if (cg->tm)
        LLVMDisposeTargetMachine(cg->tm);
    if (cg->ctx)
        LLVMContextDispose(cg->ctx);
    if (cg->triple)
        LLVMDisposeMessage(cg->triple);
    cg->b = NULL;
    cg->mod = NULL;
    cg->td = NULL;
    cg->tm = NULL;
    cg->ctx = NULL;
    cg->triple = NULL;
}

LLVMValueRef cg_declare(CgState *cg, const char *name, LLVMTypeRef fn_type)
{
    LLVMValueRef f = LLVMGetNamedFunction(cg->mod, name);
    if (!f)
        f = LLVMAddFunction(cg->mod, name, fn_type);
    return f;
}

LLVMValueRef cg_cstring(CgState *cg, const char *s)
{
    char name[32];
    snprintf(name, sizeof name, ".str.%u", cg->n_strings++);
    LLVMValueRef init = LLVMConstStringInContext(cg->ctx, s, (unsigned)strlen(s), 0);
    LLVMValueRef g = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

LLVMValueRef cg_const_f64_array(CgState *cg, const double *v, size_t n, const char *hint)
{
    if (n == 0)
        return LLVMConstPointerNull(cg->t_ptr);
    LLVMValueRef *elems = malloc(n * sizeof *elems);
    if (!elems)
        return NULL;
    for (size_t i = 0; i < n; i++)
        elems[i] = LLVMConstReal(cg->t_f64, v[i]);
    LLVMValueRef init = LLVMConstArray2(cg->t_f64, elems, n);
    free(elems);
    char name[96];
    snprintf(name, sizeof name, "tab.%s.%u", hint ? hint : "", cg->n_globals++);
    LLVMValueRef g = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    return g;
}
