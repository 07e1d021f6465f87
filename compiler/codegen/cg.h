/*
 * cg.h — code generation entry point: checked model in, object file (and optionally IR) out.
 *
 * In:  a checked model (compiler/model.h) that passed sema with zero errors, and options.
 * Out: one LLVM module holding the model's tables as constant data, one specialised sampling
 *      function per random quantity (SI constants folded in, clamp/truncate inlined, every
 *      parameter in a slot registered with fab_model_param so `--set` reaches it), the
 *      compiled `fn` definitions, route rules, buffer order keys and attribute initialisers,
 *      and a `main` that builds the model through libfabrt's C API and calls fab_main.
 *      The module is verified, optimised with default<ON>, and written as a host object.
 * Errors: 0 on success, -1 with a one-line message in err (printed by the driver).
 * Memory: all LLVM state lives in one CgState created and disposed inside cg_compile_model.
 * Not handled: later-language elements (maintenance, shifts, robots, thermal).
 */
#ifndef FAB_CG_H
#define FAB_CG_H

#include <stddef.h>

struct fab_model;

typedef struct cg_options {
    int opt_level;              /* 0..3 */
    const char *object_path;    /* object file to write; NULL = none */
    const char *emit_llvm;      /* textual IR after optimisation ("-" = stdout); NULL = none */
    const char *emit_llvm_raw;  /* textual IR as generated, before optimisation; NULL = none */
    int print_times;            /* print the duration of each phase on stderr */
} cg_options;

int cg_compile_model(const struct fab_model *m, const cg_options *o, char *err, size_t errsize);

#endif
