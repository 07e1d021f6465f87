/*
 * cg_emit.c — verify, optimise and write out the module held by a CgState.
 *
 * In:  a CgState whose module is complete.
 * Out: a verified module (cg_verify), optimised in place with the new pass manager
 *      (cg_optimize: "default<ON>"), written as textual IR (cg_write_ir) or as a host object
 *      file (cg_emit_object).
 * Memory: every message LLVM hands back is disposed here; errors are copied into cg->err.
 * Not handled: assembly output and bitcode; debug information.
 */
#include "cg_state.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>
#include <string.h>

int cg_verify(CgState *cg)
{
    char *msg = NULL;
    int bad = LLVMVerifyModule(cg->mod, LLVMReturnStatusAction, &msg);
    int rc = 0;
    if (bad)
        rc = cg_fail(cg, "internal error: the generated module is invalid: %s",
                     msg && *msg ? msg : "(no message)");
    LLVMDisposeMessage(msg);
    return rc;
}

int cg_optimize(CgState *cg)
{
    char pipeline[32];
    snprintf(pipeline, sizeof pipeline, "default<O%d>", cg->opt_level < 0 ? 0
             : cg->opt_level > 3 ? 3 : cg->opt_level);
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(cg->mod, pipeline, cg->tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        cg_fail(cg, "internal error: optimisation pipeline %s failed: %s", pipeline, msg);
        LLVMDisposeErrorMessage(msg);
        return -1;
    }
    return 0;
}

int cg_write_ir(CgState *cg, const char *path)
{
    if (strcmp(path, "-") == 0) {
        char *text = LLVMPrintModuleToString(cg->mod);
        fputs(text, stdout);
        LLVMDisposeMessage(text);
        return fflush(stdout) == 0 ? 0 : cg_fail(cg, "cannot write IR to standard output");
    }
    char *msg = NULL;
    if (LLVMPrintModuleToFile(cg->mod, path, &msg)) {
        cg_fail(cg, "cannot write IR to %s: %s", path, msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -1;
    }
    return 0;
}

int cg_emit_object(CgState *cg, const char *path)
{
    char *msg = NULL;
    /* LLVMTargetMachineEmitToFile takes a non-const file name */
    char name[4096];
    snprintf(name, sizeof name, "%s", path);
    if (LLVMTargetMachineEmitToFile(cg->tm, cg->mod, name, LLVMObjectFile, &msg)) {
        cg_fail(cg, "cannot write object file %s: %s", path, msg ? msg : "");
        LLVMDisposeMessage(msg);
        return -1;
    }
    return 0;
}
