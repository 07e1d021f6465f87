/*
 * diag.c — diagnostics printer (see diag.h for the contract and the output format).
 */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIAG_MAX_FILE ((size_t)256 << 20)

void diag_init(diag_ctx *ctx, FILE *out)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->out = out ? out : stderr;
    ctx->max_errors = 200;
}

void diag_free(diag_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nfiles; i++) {
        free(ctx->files[i].path);
        free(ctx->files[i].text);
        free(ctx->files[i].line_starts);
    }
    free(ctx->files);
    memset(ctx, 0, sizeof *ctx);
}

uint32_t diag_add_file(diag_ctx *ctx, const char *path, const char *text, size_t len)
{
    if (ctx->nfiles == ctx->cap) {
        size_t ncap = ctx->cap ? ctx->cap * 2 : 8;
        diag_file *nf = realloc(ctx->files, ncap * sizeof *nf);
        if (!nf)
            return 0;
        ctx->files = nf;
        ctx->cap = ncap;
    }
    diag_file *f = &ctx->files[ctx->nfiles];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->text = malloc(len + 1);
    if (!f->path || !f->text) {
        free(f->path);
        free(f->text);
        return 0;
    }
    if (len)
        memcpy(f->text, text, len);
    f->text[len] = 0;
    f->len = len;
    ctx->nfiles++;
    return (uint32_t)ctx->nfiles;
}

const char *diag_strerror(int err)
{
    return err == DIAG_ENOTREG ? "not a regular file" : strerror(err);
}

FILE *diag_open_regular(const char *path)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not wait; the file is refused below */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno
              : S_ISDIR(st.st_mode) ? EISDIR
              : !S_ISREG(st.st_mode) ? DIAG_ENOTREG : 0;
    FILE *fp = err ? NULL : fdopen(fd, "rb");
    if (!fp) {
        err = err ? err : errno;
        close(fd);
        errno = err;
    }
    return fp;
}

uint32_t diag_load_file(diag_ctx *ctx, const char *path)
{
    FILE *fp = diag_open_regular(path);
    if (!fp)
        return 0;
    int err;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    errno = 0;
    for (;;) {
        if (len > DIAG_MAX_FILE) { /* a file no model is */
            free(buf);
            fclose(fp);
            errno = EFBIG;
            return 0;
        }
        if (cap - len < 65536) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(fp);
                errno = ENOMEM;
                return 0;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    err = ferror(fp) ? (errno ? errno : EIO) : 0;
    fclose(fp);
    if (err) {
        free(buf);
        errno = err;
        return 0;
    }
    uint32_t id = diag_add_file(ctx, path, buf ? buf : "", len);
    free(buf);
    return id;
}

const diag_file *diag_get_file(const diag_ctx *ctx, uint32_t id)
{
    if (id == 0 || id > ctx->nfiles)
        return NULL;
    return &ctx->files[id - 1];
}

static void compute_lines(diag_file *f)
{
    if (f->line_starts)
        return;
    size_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            n++;
    f->line_starts = malloc(n * sizeof *f->line_starts);
    if (!f->line_starts)
        return;
    f->nlines = 0;
    f->line_starts[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->line_starts[f->nlines++] = i + 1;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Index of the line holding byte off. */
static size_t line_index(diag_file *f, size_t off)
{
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (f->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void diag_line_col(diag_ctx *ctx, uint32_t file, uint32_t off, unsigned *line, unsigned *col)
{
    *line = 0;
    *col = 0;
    if (file == 0 || file > ctx->nfiles)
        return;
    diag_file *f = &ctx->files[file - 1];
    compute_lines(f);
    if (!f->line_starts)
        return;
    if (off > f->len)
        off = (uint32_t)f->len;
    size_t li = line_index(f, off);
    *line = (unsigned)li + 1;
    *col = (unsigned)utf8_chars(f->text + f->line_starts[li], off - f->line_starts[li]) + 1;
}

void diag_vreport(diag_ctx *ctx, enum diag_level lvl, fab_loc loc, const char *fmt, va_list ap)
{
    static const char *names[] = {"error", "warning", "note"};
    static const char *colors[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
    if (lvl == DL_ERROR) {
        ctx->errors++;
        ctx->suppressed = ctx->max_errors && ctx->errors > ctx->max_errors;
        if (ctx->suppressed) {
            if (ctx->errors == ctx->max_errors + 1)
                fprintf(ctx->out, "fabc: too many errors, stopping output here\n");
            return;
        }
    } else if (lvl == DL_WARNING) {
        ctx->warnings++;
        ctx->suppressed = false;
    } else if (ctx->suppressed) {
        return;
    }
    FILE *o = ctx->out;
    diag_file *f = (loc.file && loc.file <= ctx->nfiles) ? &ctx->files[loc.file - 1] : NULL;
    if (f)
        compute_lines(f);
    if (!f || !f->line_starts) {
        fprintf(o, "%sfabc: %s%s: ", ctx->color ? "\033[1m" : "", ctx->color ? colors[lvl] : "", names[lvl]);
    } else {
        unsigned line, col;
        diag_line_col(ctx, loc.file, loc.start, &line, &col);
        fprintf(o, "%s%s:%u:%u: %s%s:%s ", ctx->color ? "\033[1m" : "", f->path, line, col,
                ctx->color ? colors[lvl] : "", names[lvl], ctx->color ? "\033[0m\033[1m" : "");
    }
    vfprintf(o, fmt, ap);
    fprintf(o, "%s\n", ctx->color ? "\033[0m" : "");
    if (!f || !f->line_starts)
        return;
    /* the source line, then a caret under the first character and tildes under the rest */
    size_t start = loc.start > f->len ? f->len : loc.start;
    size_t li = line_index(f, start);
    size_t ls = f->line_starts[li];
    size_t le = ls;
    while (le < f->len && f->text[le] != '\n')
        le++;
    if (le > ls && f->text[le - 1] == '\r' && start < le - 1)
        le--; /* CRLF line ending */
    size_t end = loc.end < start ? start : loc.end;
    if (end > le)
        end = le;
    if (end < start)
        end = start;
    /* long lines: show a window around the location */
    bool cut_left = false, cut_right = false;
    if (le - ls > 160) {
        size_t ws = start > ls + 60 ? start - 60 : ls;
        while (ws > ls && ((unsigned char)f->text[ws] & 0xC0) == 0x80)
            ws--;
        size_t we = ws + 150 < le ? ws + 150 : le;
        while (we < le && ((unsigned char)f->text[we] & 0xC0) == 0x80)
            we++;
        cut_left = ws > ls;
        cut_right = we < le;
        ls = ws;
        le = we;
        if (end > le)
            end = le;
        if (end < start)
            end = start;
    }
    fputs(cut_left ? "  ..." : "  ", o);
    if (cut_left)
        fputs("", o);
    for (size_t i = ls; i < le; i++) {
        unsigned char c = (unsigned char)f->text[i];
        fputc(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, o);
    }
    fputs(cut_right ? "...\n  " : "\n  ", o);
    if (cut_left)
        fputs("   ", o);
    size_t pre = utf8_chars(f->text + ls, start - ls);
    for (size_t i = 0; i < pre; i++)
        fputc(' ', o);
    size_t span = utf8_chars(f->text + start, end - start);
    if (ctx->color)
        fputs("\033[1;32m", o);
    fputc('^', o);
    for (size_t i = 1; i < span; i++)
        fputc('~', o);
    if (ctx->color)
        fputs("\033[0m", o);
    fputc('\n', o);
}

void diag_error(diag_ctx *ctx, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(ctx, DL_ERROR, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(diag_ctx *ctx, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(ctx, DL_WARNING, loc, fmt, ap);
    va_end(ap);
}

void diag_note(diag_ctx *ctx, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(ctx, DL_NOTE, loc, fmt, ap);
    va_end(ap);
}

void diag_error_noloc(diag_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fab_loc none = {0, 0, 0};
    diag_vreport(ctx, DL_ERROR, none, fmt, ap);
    va_end(ap);
}
