/*
 * loc.h — the one source-location type of the front end.
 *
 * A location is a byte span [start, end) inside a file registered with the diagnostics
 * context (diag.h). Line and column are computed only when a diagnostic is printed. Tokens,
 * AST nodes and checked-model nodes all carry one. Plain value type, nothing owned.
 */
#ifndef FAB_LOC_H
#define FAB_LOC_H

#include <stdint.h>

typedef struct fab_loc {
    uint32_t file;  /* file id from diag_add_file(); 0 = no location */
    uint32_t start; /* byte offset of the first byte */
    uint32_t end;   /* byte offset one past the last byte (end >= start) */
} fab_loc;

static inline fab_loc fab_loc_span(fab_loc a, fab_loc b)
{
    fab_loc r = a;
    if (b.file == a.file && b.end > r.end)
        r.end = b.end;
    return r;
}

#endif
