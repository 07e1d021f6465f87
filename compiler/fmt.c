/*
 * fmt.c — canonical formatter (see fmt.h for the contract).
 *
 * Prints the AST in canonical layout, re-inserting comments by source position: comments
 * before a construct are printed on their own lines above it; a comment that started on the
 * line where the previous construct ended stays at the end of that line. Numbers keep their
 * written spelling. A body that was written on one line (no comments, at most 3 properties)
 * stays on one line.
 */
#include "fmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct fmt_state {
    char *buf;
    size_t len, cap;
    bool oom;
    const char *src;
    size_t srclen;
    const ptrvec *comments;
    int ci;           /* next comment to print */
    uint32_t last_end; /* source offset of the end of the last printed construct */
    int indent;
    bool at_line_start;
} fmt_state;

static void put(fmt_state *F, const char *s, size_t n)
{
    if (F->oom)
        return;
    if (F->len + n + 1 > F->cap) {
        size_t ncap = F->cap ? F->cap * 2 : 4096;
        while (ncap < F->len + n + 1)
            ncap *= 2;
        char *nb = realloc(F->buf, ncap);
        if (!nb) {
            F->oom = true;
            return;
        }
        F->buf = nb;
        F->cap = ncap;
    }
    memcpy(F->buf + F->len, s, n);
    F->len += n;
    F->buf[F->len] = 0;
    if (n)
        F->at_line_start = s[n - 1] == '\n';
}

static void puts_(fmt_state *F, const char *s)
{
    put(F, s, strlen(s));
}

static void printf_(fmt_state *F, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(fmt_state *F, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        put(F, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        F->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put(F, big, (size_t)n);
    free(big);
}

static void newline(fmt_state *F)
{
    /* drop trailing spaces */
    while (F->len && F->buf[F->len - 1] == ' ')
        F->len--;
    put(F, "\n", 1);
}

static void do_indent(fmt_state *F)
{
    for (int i = 0; i < F->indent; i++)
        put(F, "  ", 2);
}

static fab_loc comment_at(fmt_state *F, int i)
{
    return *(fab_loc *)F->comments->items[i];
}

static bool has_blank_line(fmt_state *F, uint32_t from, uint32_t to)
{
    int nl = 0;
    for (uint32_t i = from; i < to && i < F->srclen; i++) {
        char c = F->src[i];
        if (c == '\n') {
            if (++nl == 2)
                return true;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            nl = 0;
        }
    }
    return false;
}

static bool same_line(fmt_state *F, uint32_t a, uint32_t b)
{
    for (uint32_t i = a; i < b && i < F->srclen; i++)
        if (F->src[i] == '\n')
            return false;
    return true;
}

static void print_comment_text(fmt_state *F, fab_loc c)
{
    /* strip trailing spaces of a line comment */
    uint32_t e = c.end;
    while (e > c.start && (F->src[e - 1] == ' ' || F->src[e - 1] == '\t' || F->src[e - 1] == '\r'))
        e--;
    put(F, F->src + c.start, e - c.start);
}

/* Print the comments that start before `pos`. `blank_ok`: keep one blank line before them. */
static void flush_comments(fmt_state *F, uint32_t pos, bool blank_ok)
{
    while (F->ci < F->comments->n) {
        fab_loc c = comment_at(F, F->ci);
        if (c.start >= pos)
            break;
        if (F->last_end > 0 && same_line(F, F->last_end, c.start) && !F->at_line_start) {
            put(F, " ", 1);
            print_comment_text(F, c);
        } else {
            if (!F->at_line_start)
                newline(F);
            if (blank_ok && F->len > 0 && has_blank_line(F, F->last_end, c.start) &&
                !(F->len >= 2 && F->buf[F->len - 2] == '{'))
                newline(F);
            do_indent(F);
            print_comment_text(F, c);
            newline(F);
        }
        F->last_end = c.end;
        F->ci++;
    }
}

/* Start a construct at source offset pos on a new line. */
static void begin_line(fmt_state *F, uint32_t pos, bool first_in_block)
{
    flush_comments(F, pos, true);
    if (!F->at_line_start)
        newline(F);
    if (!first_in_block && F->len > 0 && has_blank_line(F, F->last_end, pos) && !(F->len >= 2 && F->buf[F->len - 2] == '\n'))
        newline(F);
    do_indent(F);
}

static void end_construct(fmt_state *F, uint32_t end)
{
    F->last_end = end;
}

/* The end of a braced block ending at `end`: the comments left inside it, then `}` on a line
 * of its own at the enclosing indentation. */
static void close_block(fmt_state *F, uint32_t end, bool blank_ok)
{
    flush_comments(F, end, blank_ok);
    F->indent--;
    if (!F->at_line_start)
        newline(F);
    do_indent(F);
    puts_(F, "}");
    end_construct(F, end);
}

/* ---- expressions ----------------------------------------------------------------------- */

static void expr(fmt_state *F, ast_node *n, int ctx_prec);
static bool comments_inside(fmt_state *F, fab_loc l);

/* A string as a literal that lexes back to the same bytes: the escapes for '"', '\\', newline,
 * tab and carriage return, \u00XX for the other control characters, every other byte (UTF-8
 * included) as it is. */
static void print_string(fmt_state *F, const char *s)
{
    put(F, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': puts_(F, "\\\""); break;
        case '\\': puts_(F, "\\\\"); break;
        case '\n': puts_(F, "\\n"); break;
        case '\t': puts_(F, "\\t"); break;
        case '\r': puts_(F, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7F)
                printf_(F, "\\u%04x", c);
            else
                put(F, s, 1);
        }
    }
    put(F, "\"", 1);
}

static int expr_prec(ast_node *n)
{
    switch (n->kind) {
    case AST_IF: return 0;
    case AST_BINARY: return ast_op_prec((ast_op)n->op);
    case AST_UNARY: return ast_op_prec((ast_op)n->op);
    default: return 10;
    }
}

static void args(fmt_state *F, ast_node *n, int from)
{
    for (int i = from; i < n->nkids; i++) {
        if (i > from)
            puts_(F, ", ");
        expr(F, n->kids[i], 0);
    }
}

static void expr(fmt_state *F, ast_node *n, int ctx_prec)
{
    int p = expr_prec(n);
    bool paren = p < ctx_prec;
    if (paren)
        puts_(F, "(");
    switch (n->kind) {
    case AST_NUM: puts_(F, n->str ? n->str : "0"); break;
    case AST_QTY: printf_(F, "%s %s", n->str ? n->str : "0", n->name ? n->name : "?"); break;
    case AST_PERCENT: printf_(F, "%s %%", n->str ? n->str : "0"); break;
    case AST_INF: puts_(F, "inf"); break;
    case AST_BOOL: puts_(F, n->op ? "true" : "false"); break;
    case AST_STR: print_string(F, n->str ? n->str : ""); break;
    case AST_IDENT: puts_(F, n->name); break;
    case AST_PARTREF: puts_(F, "part"); break;
    case AST_BINARY: {
        /* left-associative: the right operand needs parens at equal precedence; comparisons
         * do not associate at all */
        bool cmp = p == 4;
        expr(F, n->kids[0], cmp ? p + 1 : p);
        printf_(F, " %s ", ast_op_spelling((ast_op)n->op));
        expr(F, n->kids[1], p + 1);
        break;
    }
    case AST_UNARY:
        if (n->op == AST_OP_NOT) {
            puts_(F, "not ");
            expr(F, n->kids[0], p);
        } else {
            puts_(F, "-");
            /* a nested unary operator gets parentheses: -(-x) */
            expr(F, n->kids[0], n->kids[0]->kind == AST_UNARY ? 11 : p);
        }
        break;
    case AST_IF:
        puts_(F, "if ");
        expr(F, n->kids[0], 0);
        puts_(F, " then ");
        expr(F, n->kids[1], 0);
        puts_(F, " else ");
        expr(F, n->kids[2], 0);
        break;
    case AST_CALL:
        printf_(F, "%s(", n->name);
        args(F, n, 0);
        puts_(F, ")");
        break;
    case AST_NAMED:
        printf_(F, "%s: ", n->name);
        expr(F, n->kids[0], 0);
        break;
    case AST_MEMBER: {
        /* a numeric literal before '.' is written in parentheses: `1 .h` printed as `1.h`
         * would lex as a malformed number */
        ast_kind k = n->kids[0]->kind;
        bool literal = k == AST_NUM || k == AST_QTY || k == AST_PERCENT;
        expr(F, n->kids[0], literal ? 11 : 10);
        printf_(F, ".%s", n->name);
        break;
    }
    case AST_MAP:
        if (n->nkids == 0) {
            puts_(F, "{}");
            break;
        }
        if (comments_inside(F, n->loc)) {
            /* comments among the entries: one entry per line, each comment kept beside or
             * above the entry it was written at */
            puts_(F, "{");
            F->indent++;
            for (int i = 0; i < n->nkids; i++) {
                begin_line(F, n->kids[i]->loc.start, true);
                expr(F, n->kids[i]->kids[0], 0);
                puts_(F, ": ");
                expr(F, n->kids[i]->kids[1], 0);
                if (i + 1 < n->nkids)
                    puts_(F, ",");
                end_construct(F, n->kids[i]->loc.end);
            }
            close_block(F, n->loc.end, false);
            break;
        }
        puts_(F, "{ ");
        for (int i = 0; i < n->nkids; i++) {
            if (i)
                puts_(F, ", ");
            expr(F, n->kids[i]->kids[0], 0);
            puts_(F, ": ");
            expr(F, n->kids[i]->kids[1], 0);
        }
        puts_(F, " }");
        break;
    case AST_LIST:
        puts_(F, "[");
        args(F, n, 0);
        puts_(F, "]");
        break;
    case AST_BOUND:
        expr(F, n->kids[0], 10);
        printf_(F, " %s [", n->op == AST_BOUND_CLAMP ? "clamp" : "truncate");
        expr(F, n->kids[1], 0);
        puts_(F, ", ");
        expr(F, n->kids[2], 0);
        puts_(F, "]");
        break;
    case AST_ORDER_BY:
        puts_(F, "by ");
        /* an `if` keeps its parentheses, so that `ascending` does not read as the else
         * branch's: `by (if c then a else b) ascending` */
        expr(F, n->kids[0], 1);
        puts_(F, n->op == AST_ORDER_ASC ? " ascending" : " descending");
        break;
    default:
        puts_(F, "?");
        break;
    }
    if (paren)
        puts_(F, ")");
}

/* ---- declarations ---------------------------------------------------------------------- */

static void body(fmt_state *F, ast_node *n, int from);

static bool comments_inside(fmt_state *F, fab_loc l)
{
    for (int i = F->ci; i < F->comments->n; i++) {
        fab_loc c = comment_at(F, i);
        if (c.start >= l.end)
            return false;
        if (c.start >= l.start)
            return true;
    }
    return false;
}

static void body_item(fmt_state *F, ast_node *p)
{
    switch (p->kind) {
    case AST_PROP:
        printf_(F, "%s = ", p->name);
        expr(F, p->kids[0], 0);
        break;
    case AST_ATTR:
        printf_(F, "attr %s = ", p->name);
        expr(F, p->kids[0], 0);
        break;
    case AST_FAILURE:
        printf_(F, "failure %s", p->name);
        body(F, p, 0);
        break;
    case AST_ROUTE:
        puts_(F, "route");
        body(F, p, 0);
        break;
    case AST_ROUTE_PROB:
        printf_(F, "%s: ", p->kids[0]->name);
        expr(F, p->kids[1], 0);
        break;
    case AST_ROUTE_WHEN:
        puts_(F, "when ");
        expr(F, p->kids[0], 0);
        printf_(F, " -> %s", p->kids[1]->name);
        break;
    case AST_ROUTE_OTHERWISE:
        printf_(F, "otherwise -> %s", p->kids[0]->name);
        break;
    default:
        break;
    }
}

/* ` { ... }` for the children from..nkids of n (nothing when there are none). */
static void body(fmt_state *F, ast_node *n, int from)
{
    int count = n->nkids - from;
    bool one_line = count > 0 && count <= 3 && same_line(F, n->loc.start, n->loc.end) && !comments_inside(F, n->loc);
    for (int i = from; i < n->nkids && one_line; i++)
        if (n->kids[i]->kind == AST_FAILURE || n->kids[i]->kind == AST_ROUTE)
            one_line = false;
    if (one_line) {
        puts_(F, " { ");
        for (int i = from; i < n->nkids; i++) {
            if (i > from)
                puts_(F, "; ");
            body_item(F, n->kids[i]);
        }
        puts_(F, " }");
        end_construct(F, n->loc.end);
        return;
    }
    if (count == 0 && !comments_inside(F, n->loc)) {
        if (n->kind != AST_ELEMENT && n->kind != AST_PART)
            puts_(F, " {}");
        end_construct(F, n->loc.end);
        return;
    }
    puts_(F, " {");
    F->indent++;
    for (int i = from; i < n->nkids; i++) {
        ast_node *p = n->kids[i];
        begin_line(F, p->loc.start, i == from);
        body_item(F, p);
        end_construct(F, p->loc.end);
    }
    close_block(F, n->loc.end, true);
}

#define FMT_WIDTH 100

/* Column (bytes) of the end of the output. */
static size_t out_col(const fmt_state *F)
{
    size_t i = F->len;
    while (i > 0 && F->buf[i - 1] != '\n')
        i--;
    return F->len - i;
}

/* Render one list item (a template parameter or an argument) on its own. */
static char *render_item(fmt_state *F, ast_node *n, bool tparam, size_t *len)
{
    fmt_state T;
    memset(&T, 0, sizeof T);
    T.src = F->src;
    T.srclen = F->srclen;
    T.comments = F->comments;
    T.ci = F->comments->n; /* comments inside a list item are printed after it by F */
    if (tparam) {
        printf_(&T, "%s: %s", n->name, n->kids[0]->name);
        if (n->nkids > 1) {
            puts_(&T, " = ");
            expr(&T, n->kids[1], 0);
        }
    } else {
        expr(&T, n, 0);
    }
    if (T.oom) {
        free(T.buf);
        F->oom = true;
        return NULL;
    }
    *len = T.len;
    return T.buf;
}

/* `(a, b, c)`: items separated by ", ", wrapped under the first item when a line would
 * pass FMT_WIDTH columns. */
static void wrapped_list(fmt_state *F, ast_node *list, bool tparam)
{
    puts_(F, "(");
    size_t col0 = out_col(F);
    for (int i = 0; i < list->nkids; i++) {
        size_t len = 0;
        char *txt = render_item(F, list->kids[i], tparam, &len);
        if (!txt)
            return;
        if (i > 0) {
            if (out_col(F) + 2 + len + 1 > FMT_WIDTH) {
                puts_(F, ",\n");
                for (size_t k = 0; k < col0; k++)
                    put(F, " ", 1);
            } else {
                puts_(F, ", ");
            }
        }
        put(F, txt, len);
        free(txt);
    }
    puts_(F, ")");
}

static void item(fmt_state *F, ast_node *it)
{
    switch (it->kind) {
    case AST_IMPORT:
        puts_(F, "import ");
        print_string(F, it->str ? it->str : "");
        break;
    case AST_MODEL:
        puts_(F, "model ");
        print_string(F, it->str ? it->str : "");
        body(F, it, 0);
        break;
    case AST_PART:
        printf_(F, "part %s", it->name);
        body(F, it, 0);
        break;
    case AST_ELEMENT:
        printf_(F, "%s %s", fm_elem_kind_name((fm_elem_kind)it->op), it->name);
        body(F, it, 0);
        break;
    case AST_INSTANCE:
        printf_(F, "%s %s = %s", fm_elem_kind_name((fm_elem_kind)it->op), it->name, it->kids[0]->name);
        wrapped_list(F, it->kids[0], false);
        break;
    case AST_TEMPLATE: {
        printf_(F, "template %s", it->name);
        ast_node *ps = it->kids[0];
        wrapped_list(F, ps, true);
        printf_(F, " %s", fm_elem_kind_name((fm_elem_kind)it->op));
        ast_node *b = it->kids[1];
        b->loc.start = b->loc.start < ps->loc.end ? ps->loc.end : b->loc.start;
        b->loc.end = it->loc.end;
        body(F, b, 0);
        if (b->nkids == 0)
            puts_(F, " {}");
        break;
    }
    case AST_FN: {
        printf_(F, "fn %s(", it->name);
        ast_node *ps = it->kids[0];
        for (int i = 0; i < ps->nkids; i++)
            printf_(F, "%s%s", i ? ", " : "", ps->kids[i]->name);
        puts_(F, ") = ");
        expr(F, it->kids[1], 0);
        break;
    }
    case AST_FLOW:
        puts_(F, "flow ");
        if (comments_inside(F, it->loc)) {
            /* comments between the links: one `-> element` per line, comments kept beside */
            puts_(F, it->kids[0]->name);
            end_construct(F, it->kids[0]->loc.end);
            F->indent++;
            for (int i = 1; i < it->nkids; i++) {
                fab_loc gap = {it->loc.file, it->kids[i - 1]->loc.end, it->kids[i]->loc.start};
                if (same_line(F, gap.start, gap.end) && !comments_inside(F, gap)) {
                    printf_(F, " -> %s", it->kids[i]->name);
                    end_construct(F, it->kids[i]->loc.end);
                    continue;
                }
                begin_line(F, it->kids[i]->loc.start, true);
                printf_(F, "-> %s", it->kids[i]->name);
                end_construct(F, it->kids[i]->loc.end);
            }
            F->indent--;
            break;
        }
        for (int i = 0; i < it->nkids; i++)
            printf_(F, "%s%s", i ? " -> " : "", it->kids[i]->name);
        break;
    case AST_ROUTE:
        printf_(F, "route %s", it->name);
        body(F, it, 0);
        break;
    default:
        break;
    }
    end_construct(F, it->loc.end);
}

char *fmt_file(diag_ctx *dc, uint32_t file, ast_node *root, const ptrvec *comments, size_t *len)
{
    const diag_file *df = diag_get_file(dc, file);
    fmt_state F;
    memset(&F, 0, sizeof F);
    F.src = df ? df->text : "";
    F.srclen = df ? df->len : 0;
    F.comments = comments;
    F.at_line_start = true;
    for (int i = 0; i < root->nkids; i++) {
        ast_node *it = root->kids[i];
        begin_line(&F, it->loc.start, i == 0);
        item(&F, it);
    }
    flush_comments(&F, UINT32_MAX, true);
    if (!F.at_line_start)
        newline(&F);
    if (!F.buf && !F.oom) {
        F.buf = malloc(1);
        if (F.buf)
            F.buf[0] = 0;
    }
    if (F.oom) {
        free(F.buf);
        return NULL;
    }
    if (len)
        *len = F.len;
    return F.buf;
}
