/*
 * lexer.re — the .fab lexer (re2c). Generated into lexer.c at build time.
 *
 * In:  a file's text held in memory with a trailing NUL (diag_file.text).
 * Out: Bison tokens (parser.h) with locations; leaf AST nodes for identifiers, numbers,
 *      quantities, percentages and strings; comment spans for the formatter.
 * Errors (reported here, once each): NUL bytes inside the file, unexpected characters,
 *      unterminated strings and block comments, bad escapes, numbers out of range, malformed
 *      numbers (`1__0`, `.5`, `1.e5`, `4e`, `1e1_0`, `0x10`: one error naming the accepted spelling,
 *      the unit after them swallowed), unknown units (with the nearest known spelling or the
 *      unit a word like `sec` means). A number in error is returned as an AST_ERROR leaf so
 *      that sema does not complain about it again. A bad character is reported and skipped, so
 *      the parser sees the rest of the line as if it were absent (no cascade of errors).
 * Quantity rule: see parse.h. Memory: everything in the arena.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parser.h"
#include "units.h"

static const struct {
    const char *spelling;
    int token;
} keyword_table[] = {
#define FAB_KEYWORD(tok, sp) {sp, tok},
#include "keywords.def"
#undef FAB_KEYWORD
};
#define NKEYWORDS ((int)(sizeof keyword_table / sizeof keyword_table[0]))

int lex_keyword(const char *s, size_t n)
{
    for (int i = 0; i < NKEYWORDS; i++) {
        const char *k = keyword_table[i].spelling;
        if (k[0] == s[0] && strlen(k) == n && memcmp(k, s, n) == 0)
            return keyword_table[i].token;
    }
    return 0;
}

const char *lex_token_spelling(int tok)
{
    for (int i = 0; i < NKEYWORDS; i++)
        if (keyword_table[i].token == tok)
            return keyword_table[i].spelling;
    switch (tok) {
    case TOK_ARROW: return "->";
    case TOK_LE: return "<=";
    case TOK_GE: return ">=";
    case TOK_EQ: return "==";
    case TOK_NE: return "!=";
    default: return NULL;
    }
}

void lex_init(lex_state *L, diag_ctx *dc, arena *a, uint32_t file)
{
    memset(L, 0, sizeof *L);
    const diag_file *f = diag_get_file(dc, file);
    L->text = (const unsigned char *)(f ? f->text : "");
    L->end = L->text + (f ? f->len : 0);
    L->cur = L->text;
    L->file = file;
    L->dc = dc;
    L->a = a;
}

static fab_loc mkloc(lex_state *L, const unsigned char *s, const unsigned char *e)
{
    fab_loc l = {L->file, (uint32_t)(s - L->text), (uint32_t)(e - L->text)};
    return l;
}

/* Value of the number in s[0..n) (underscores removed); reports out-of-range numbers. */
static double lex_number(lex_state *L, const unsigned char *s, const unsigned char *e)
{
    size_t n = (size_t)(e - s);
    char small[64];
    char *buf = n < sizeof small ? small : arena_alloc(L->a, n + 1);
    if (!buf)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            buf[k++] = (char)s[i];
    buf[k] = 0;
    errno = 0;
    double v = strtod(buf, NULL);
    if (isinf(v) || (errno == ERANGE && fabs(v) > 1.0)) {
        diag_error(L->dc, mkloc(L, s, e), "number is too large (the largest is about 1.8e308)");
        L->errors++;
        v = 0;
    }
    return v;
}

/* A leaf node for the number s[0..numend) spanning s..e; an AST_ERROR node (already
 * reported) when the number is out of range, so that no check repeats the complaint. */
static ast_node *lex_number_node(lex_state *L, ast_kind kind, const unsigned char *s,
                                 const unsigned char *numend, const unsigned char *e)
{
    int before = L->errors;
    ast_node *n = ast_new(L->a, kind, mkloc(L, s, e));
    n->num = lex_number(L, s, numend);
    n->str = arena_strndup(L->a, (const char *)s, (size_t)(numend - s));
    if (L->errors != before)
        n->kind = AST_ERROR;
    return n;
}

/* A run of digits, '_', '.', 'e' and signs at s..e that is not a number: reports what is
 * wrong with it (with the accepted spelling) and returns an AST_ERROR leaf. */
static ast_node *lex_bad_number(lex_state *L, const unsigned char *s, const unsigned char *e)
{
    const unsigned char *p;
    int dots = 0;
    const char *why = NULL;
    char fixed[48], msg[112];
    for (p = s; p < e; p++)
        dots += *p == '.';
    if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        why = "hexadecimal numbers are not supported; write the value in decimal";
    for (p = s; !why && p < e; p++) {
        int prev_digit = p > s && p[-1] >= '0' && p[-1] <= '9';
        int next_digit = p + 1 < e && p[1] >= '0' && p[1] <= '9';
        if (*p == '_' && !(prev_digit && next_digit))
            why = "an underscore goes between two digits (write 1_000 or 1000)";
    }
    if (!why && dots > 1)
        why = "a number has at most one decimal point";
    for (p = s; !why && p < e; p++) {
        if (*p == '.' && p == s)
            why = "a decimal point needs digits on both sides (write 0.5, not .5)";
        else if (*p == '.' && !(p + 1 < e && p[1] >= '0' && p[1] <= '9'))
            why = "a decimal point needs digits on both sides (write 1.0 or 1)";
        if (*p == 'e' || *p == 'E') {
            /* `1e1_0`: the exponent has digits, but underscores only go in the mantissa */
            const unsigned char *q = p + 1 + (p + 1 < e && (p[1] == '+' || p[1] == '-'));
            bool digits = false, underscores = false;
            for (; q < e; q++) {
                digits |= *q >= '0' && *q <= '9';
                underscores |= *q == '_';
            }
            if (digits && underscores && e - s < 48) {
                size_t k = 0;
                for (q = s; q < e; q++)
                    if (q < p || *q != '_')
                        fixed[k++] = (char)*q;
                fixed[k] = 0;
                snprintf(msg, sizeof msg, "underscores are not allowed in an exponent (write %s)", fixed);
                why = msg;
            } else if (digits && underscores) {
                why = "underscores are not allowed in an exponent";
            } else {
                why = "an exponent needs digits after 'e' (write 1e-3)";
            }
        }
    }
    if (!why)
        why = "write digits with an optional fraction and exponent, e.g. 2.5e-3";
    diag_error(L->dc, mkloc(L, s, e), "malformed number '%.*s': %s", (int)(e - s), (const char *)s, why);
    L->errors++;
    ast_node *n = ast_new(L->a, AST_ERROR, mkloc(L, s, e));
    n->str = arena_strndup(L->a, (const char *)s, (size_t)(e - s));
    return n;
}

/* After a malformed number at e: the end of a known unit (or '%') that follows it on the
 * same line, else e. Swallowing the unit keeps one error for `1__0 h`. */
static const unsigned char *lex_skip_unit(lex_state *L, const unsigned char *e)
{
    const unsigned char *p = e;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '%')
        return p + 1;
    const unsigned char *w = p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
           *p == '_' || *p == '/' || *p == '*' || *p == '^')
        p++;
    if (p > w && units_lookup((const char *)w, (size_t)(p - w)) >= 0)
        return p;
    (void)L;
    return e;
}

/* A number followed by a unit word. Returns the token kind; may move L->cur back. */
static int lex_quantity(lex_state *L, const unsigned char *s, const unsigned char *numend,
                        const unsigned char *us, const unsigned char *ue, ast_node **val)
{
    /* first segment of the word: a keyword there means the number stands alone */
    const unsigned char *seg = us + (*us == '/');
    const unsigned char *p = seg;
    while (p < ue && *p != '*' && *p != '/' && *p != '^')
        p++;
    if (*us != '/' && lex_keyword((const char *)seg, (size_t)(p - seg))) {
        L->cur = numend;
        *val = lex_number_node(L, AST_NUM, s, numend, numend);
        return TOK_NUMBER;
    }
    /* longest known prefix of the word, cut at * / ^ boundaries */
    const unsigned char *cut = ue;
    int unit = -1;
    for (;;) {
        unit = units_lookup((const char *)us, (size_t)(cut - us));
        if (unit >= 0)
            break;
        const unsigned char *q = cut;
        while (q > us + 1 && *(q - 1) != '*' && *(q - 1) != '/' && *(q - 1) != '^')
            q--;
        if (q <= us + 1)
            break;
        cut = q - 1;
    }
    /* `capacity = 2 order = fifo`: a property after a number, not a unit (the parser reports
     * the missing separator, as after any other value) */
    if (unit < 0 && *us != '/') {
        const unsigned char *after = ue;
        while (*after == ' ' || *after == '\t')
            after++;
        if (*after == '=' && after[1] != '=') {
            L->cur = numend;
            *val = lex_number_node(L, AST_NUM, s, numend, numend);
            return TOK_NUMBER;
        }
    }
    /* `2 /hr`: a rate unit misspelled (the word after '/' is a spelling of a time unit with a
     * rate unit: s min h d) */
    const char *rate_hint = NULL;
    if (unit < 0 && *us == '/') {
        const char *w = arena_strndup(L->a, (const char *)us + 1, (size_t)(ue - us - 1));
        const char *h = w && !strpbrk(w, "*/^") ? units_suggest(w) : NULL;
        char per[16];
        if (h && strlen(h) < sizeof per - 1) {
            snprintf(per, sizeof per, "/%s", h);
            if (units_lookup(per, strlen(per)) >= 0)
                rate_hint = arena_strdup(L->a, per);
        }
    }
    if (unit < 0 && *us == '/' && !rate_hint) {
        /* `6 /b`: a division, not a rate unit */
        L->cur = numend;
        *val = lex_number_node(L, AST_NUM, s, numend, numend);
        return TOK_NUMBER;
    }
    if (unit >= 0)
        L->cur = cut;
    else
        cut = ue;
    *val = lex_number_node(L, AST_QTY, s, numend, cut);
    (*val)->unit = unit;
    (*val)->name = arena_intern(L->a, (const char *)us, (size_t)(cut - us));
    if (unit < 0) {
        const char *hint = rate_hint ? rate_hint : units_suggest((*val)->name);
        if (hint)
            diag_error(L->dc, mkloc(L, us, cut), "unknown unit '%s'; did you mean '%s'?", (*val)->name, hint);
        else
            diag_error(L->dc, mkloc(L, us, cut), "unknown unit '%s'", (*val)->name);
        L->errors++;
    }
    return TOK_QUANTITY;
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The escape \uXXXX at p (p[0] is the backslash): its UTF-8 bytes into out, their count
 * returned, *len set to the bytes of source it spans. A missing hex digit, \u0000 (a NUL
 * byte) and a UTF-16 surrogate (D800-DFFF, half of a pair, not a character) are one error
 * at the escape; out then holds '?'. */
static int lex_unicode_escape(lex_state *L, const unsigned char *p, char out[4], int *len)
{
    unsigned cp = 0;
    int k = 0;
    for (; k < 4; k++) {
        int d = hex_digit(p[2 + k]);
        if (d < 0)
            break;
        cp = cp * 16 + (unsigned)d;
    }
    *len = 2 + k;
    const char *why = NULL;
    if (k < 4)
        why = "\\u takes exactly 4 hexadecimal digits (\\u00e9, not \\ue9)";
    else if (cp == 0)
        why = "\\u0000 is not allowed in a string (a string cannot hold a NUL byte)";
    else if (cp >= 0xD800 && cp <= 0xDFFF)
        why = "a UTF-16 surrogate (\\uD800 to \\uDFFF) is not a character; write the character itself (strings are UTF-8)";
    if (why) {
        diag_error(L->dc, mkloc(L, p, p + *len), "%s", why);
        L->errors++;
        out[0] = '?';
        return 1;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* A string literal after the opening quote at s. The escapes are JSON's but \b and \f:
 * \n \t \r \\ \" \/ and \uXXXX (stored as UTF-8). */
static int lex_string(lex_state *L, const unsigned char *s, ast_node **val)
{
    const unsigned char *p = s + 1;
    size_t cap = 16, n = 0;
    char *buf = arena_alloc(L->a, cap);
    for (;;) {
        unsigned char c = *p;
        if (c == '"') {
            p++;
            break;
        }
        if (c == '\n' || (c == 0 && p >= L->end)) {
            diag_error(L->dc, mkloc(L, s, p), "unterminated string (a string ends on the line it starts)");
            L->errors++;
            break;
        }
        if (c == 0) {
            diag_error(L->dc, mkloc(L, p, p + 1), "NUL byte inside a string");
            L->errors++;
            p++;
            continue;
        }
        char out[4];
        int nout = 1;
        if (c == '\\') {
            unsigned char e = p[1];
            int len = 2;
            switch (e) {
            case 'n': out[0] = '\n'; break;
            case 't': out[0] = '\t'; break;
            case 'r': out[0] = '\r'; break;
            case '\\': out[0] = '\\'; break;
            case '"': out[0] = '"'; break;
            case '/': out[0] = '/'; break;
            case 'u': nout = lex_unicode_escape(L, p, out, &len); break;
            default:
                diag_error(L->dc, mkloc(L, p, p + (e && e != '\n' ? 2 : 1)),
                           "unknown escape in string (use \\n, \\t, \\r, \\\\, \\\", \\/ or \\uXXXX)");
                L->errors++;
                out[0] = '?';
                if (e == 0 || e == '\n') {
                    p++;
                    continue;
                }
            }
            p += len;
        } else {
            out[0] = (char)c;
            p++;
        }
        while (buf && n + (size_t)nout >= cap) {
            char *nb = arena_alloc(L->a, cap * 2);
            if (nb)
                memcpy(nb, buf, n);
            buf = nb;
            cap *= 2;
        }
        if (buf) {
            memcpy(buf + n, out, (size_t)nout);
            n += (size_t)nout;
        }
    }
    L->cur = p;
    *val = ast_new(L->a, AST_STR, mkloc(L, s, p));
    if (buf)
        buf[n] = 0;
    (*val)->str = buf ? buf : "";
    return TOK_STRING;
}

int lex_next(lex_state *L, ast_node **val, fab_loc *loc)
{
    *val = NULL;
    for (;;) {
        const unsigned char *s = L->cur;
        const unsigned char *cur = s, *mar = s;
        const unsigned char *t1 = NULL, *t2 = NULL;
        int tok;
        (void)mar;
        /*!stags:re2c format = 'const unsigned char *@@ = NULL;\n'; */
        /*!re2c
          re2c:define:YYCTYPE = "unsigned char";
          re2c:define:YYCURSOR = cur;
          re2c:define:YYMARKER = mar;
          re2c:yyfill:enable = 0;
          re2c:tags = 1;

          digits = [0-9]+ ("_" [0-9]+)*;
          number = digits ("." digits)? ([eE] [+-]? [0-9]+)?;
          badnumber = [0-9] [0-9_]* ("." [0-9_]*)* ([eE] [+-]? [0-9_]*)?;
          word   = [A-Za-z_][A-Za-z0-9_]*;
          uword  = "/"? [A-Za-z] [A-Za-z0-9_]* ([*/] word)* ("^" "-"? [0-9]+)?;
          hs     = [ \t]*;

          "\x00" {
              if (s >= L->end) {
                  L->cur = s;
                  *loc = mkloc(L, s, s);
                  L->last = *loc;
                  return TOK_YYEOF;
              }
              diag_error(L->dc, mkloc(L, s, s + 1), "NUL byte in the file");
              L->errors++;
              L->cur = cur;
              continue;
          }
          [ \t\r\n\f\v]+ { L->cur = cur; continue; }
          "//" [^\n\x00]* {
              fab_loc *c = arena_alloc(L->a, sizeof *c);
              if (c) { *c = mkloc(L, s, cur); ptrvec_push(L->a, &L->comments, c); }
              L->cur = cur;
              continue;
          }
          "/*" {
              const unsigned char *p = cur;
              while (p < L->end && !(p[0] == '*' && p[1] == '/'))
                  p++;
              if (p >= L->end) {
                  diag_error(L->dc, mkloc(L, s, s + 2), "unterminated comment (missing '*/')");
                  L->errors++;
                  L->cur = L->end;
                  continue;
              }
              p += 2;
              fab_loc *c = arena_alloc(L->a, sizeof *c);
              if (c) { *c = mkloc(L, s, p); ptrvec_push(L->a, &L->comments, c); }
              L->cur = p;
              continue;
          }
          number @t1 hs "%" {
              L->cur = cur;
              *val = lex_number_node(L, AST_PERCENT, s, t1, cur);
              tok = TOK_QUANTITY;
              goto done;
          }
          number {
              L->cur = cur;
              *val = lex_number_node(L, AST_NUM, s, cur, cur);
              tok = TOK_NUMBER;
              goto done;
          }
          badnumber | "0" [xX] [0-9A-Za-z_]* | "." [0-9]+ {
              L->cur = cur;
              *val = lex_bad_number(L, s, cur);
              L->cur = lex_skip_unit(L, cur);
              tok = TOK_NUMBER;
              goto done;
          }
          /* rule order matters for equal-length matches: number, then badnumber, then quantity */
          number @t1 hs @t2 uword {
              L->cur = cur;
              tok = lex_quantity(L, s, t1, t2, cur, val);
              goto done;
          }
          word {
              L->cur = cur;
              tok = lex_keyword((const char *)s, (size_t)(cur - s));
              if (!tok) {
                  tok = TOK_IDENT;
                  *val = ast_leaf_name(L->a, AST_IDENT, mkloc(L, s, cur),
                                       arena_intern(L->a, (const char *)s, (size_t)(cur - s)));
              }
              goto done;
          }
          ["] { tok = lex_string(L, s, val); goto done; }
          "->" { L->cur = cur; tok = TOK_ARROW; goto done; }
          "<=" { L->cur = cur; tok = TOK_LE; goto done; }
          ">=" { L->cur = cur; tok = TOK_GE; goto done; }
          "==" { L->cur = cur; tok = TOK_EQ; goto done; }
          "!=" { L->cur = cur; tok = TOK_NE; goto done; }
          [{}()[\],:;=.<>+\-*/] { L->cur = cur; tok = *s; goto done; }
          [\x80-\xff]+ {
              L->cur = cur;
              diag_error(L->dc, mkloc(L, s, cur), "unexpected non-ASCII characters (names are ASCII)");
              L->errors++;
              continue;
          }
          [^] {
              L->cur = cur;
              if (*s >= 0x20 && *s < 0x7f)
                  diag_error(L->dc, mkloc(L, s, cur), "unexpected character '%c'", *s);
              else
                  diag_error(L->dc, mkloc(L, s, cur), "unexpected byte 0x%02x", *s);
              L->errors++;
              continue;
          }
        */
    done:
        *loc = mkloc(L, s, L->cur);
        L->last = *loc;
        return tok;
    }
}
