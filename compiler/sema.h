/*
 * sema.h — the semantic pass and the whole front end in one call.
 *
 * In:  a .fab file (path or in-memory text), a diagnostics context, an arena, and the import
 *      search path (directories tried in order after the importing file's own directory;
 *      an import starting with "std/" is looked up in stdlib_dir).
 * Out: the checked model (model.h), or NULL when any error was reported (all errors of the
 *      file and its imports are reported in one run; warnings do not prevent a model).
 * Memory: AST and model live in the arena; files are registered in the diag context.
 * Not handled: incremental re-checking; the later-language elements of LANGUAGE.md.
 */
#ifndef FAB_SEMA_H
#define FAB_SEMA_H

#include "arena.h"
#include "diag.h"
#include "model.h"

typedef struct sema_options {
    const char *stdlib_dir;      /* "std/..." imports; NULL = none */
    const char *const *search;   /* extra import directories (-I, FAB_PATH), NULL-terminated */
    bool no_imports;             /* treat every import as missing (fuzzing) */
} sema_options;

/* Parse, check and build the model of the file at path. */
fab_model *sema_check_file(const char *path, const sema_options *opt, diag_ctx *dc, arena *a);
/* The same on text held in memory; `name` is used in diagnostics and for relative imports. */
fab_model *sema_check_source(const char *name, const char *text, size_t len,
                             const sema_options *opt, diag_ctx *dc, arena *a);

/* Print the checked model in the stable text form of `fabc check --dump` (see docs). */
void sema_dump_model(const fab_model *m, FILE *out);
/* The same as JSON. */
void sema_dump_model_json(const fab_model *m, FILE *out);

#endif
