/*
 * fuzz_sema.c — libFuzzer target for the whole front end (lexer, parser, sema): imports are
 * treated as missing (no file system access), the stdlib is not consulted. When a model is
 * returned, it is dumped to /dev/null to walk every pointer of it.
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_ctx dc;
    arena a;
    diag_init(&dc, fuzz_devnull());
    arena_init(&a);
    sema_options opt = {.no_imports = true};
    fab_model *m = sema_check_source("fuzz.fab", (const char *)data, size, &opt, &dc, &a);
    if (m) {
        if (dc.errors)
            abort(); /* a model only without errors */
        sema_dump_model(m, fuzz_devnull());
        sema_dump_model_json(m, fuzz_devnull());
    }
    arena_free(&a);
    diag_free(&dc);
    return 0;
}
