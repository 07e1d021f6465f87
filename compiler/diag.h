/*
 * diag.h — the one diagnostic printer of the front end.
 *
 * In:  source files registered with diag_add_file (the text is kept, NUL-terminated),
 *      diagnostics with a fab_loc and a printf-style message.
 * Out: on ctx->out (stderr by default):
 *          file:line:col: error: message
 *            <source line>
 *            ^~~~~~
 *      and `note:` lines for related locations (diag_note after an error or warning).
 *      Columns count UTF-8 characters, starting at 1; tabs count as one column.
 *      Colour (ANSI) only when ctx->color is set (the driver sets it when out is a terminal).
 * Counts errors and warnings so that phases can be gated on zero errors.
 * Memory: file paths and texts are malloc'ed and owned by the context (diag_free).
 * Not handled: localisation, machine-readable output.
 */
#ifndef FAB_DIAG_H
#define FAB_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

#include "loc.h"

typedef struct diag_file {
    char *path;        /* as given (printed in diagnostics) */
    char *text;        /* contents with a trailing NUL (text[len] == 0) */
    size_t len;
    size_t *line_starts; /* byte offset of each line, computed on first use */
    size_t nlines;
} diag_file;

typedef struct diag_ctx {
    diag_file *files; /* index = file id - 1 */
    size_t nfiles, cap;
    FILE *out;
    bool color;
    int errors;
    int warnings;
    int max_errors;    /* stop printing after this many errors (0 = no limit) */
    bool suppressed;   /* the last error was not printed: suppress its notes too */
} diag_ctx;

void diag_init(diag_ctx *ctx, FILE *out);
void diag_free(diag_ctx *ctx);
/* Register a copy of text[0..len); returns the file id (>= 1). */
uint32_t diag_add_file(diag_ctx *ctx, const char *path, const char *text, size_t len);
/* Read a file into the context; returns the file id, or 0 when it cannot be read (errno;
 * EFBIG for inputs over 256 MiB, DIAG_ENOTREG for a FIFO, device or socket, which is
 * refused without waiting for a writer). */
uint32_t diag_load_file(diag_ctx *ctx, const char *path);
/* path opened for reading if it is a regular file (a FIFO is not waited for), else NULL with
 * errno (EISDIR, DIAG_ENOTREG, or open's). */
FILE *diag_open_regular(const char *path);
/* errno values of diag_load_file beyond the system's, and their text (else strerror's). */
#define DIAG_ENOTREG 10000
const char *diag_strerror(int err);
const diag_file *diag_get_file(const diag_ctx *ctx, uint32_t id);
/* 1-based line and column (UTF-8 characters) of a byte offset. */
void diag_line_col(diag_ctx *ctx, uint32_t file, uint32_t off, unsigned *line, unsigned *col);

enum diag_level { DL_ERROR, DL_WARNING, DL_NOTE };

/* The one printer behind diag_error, diag_warning and diag_note. */
void diag_vreport(diag_ctx *ctx, enum diag_level lvl, fab_loc loc, const char *fmt, va_list ap);
void diag_error(diag_ctx *ctx, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(diag_ctx *ctx, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(diag_ctx *ctx, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error without a source location: "fabc: error: message". */
void diag_error_noloc(diag_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
