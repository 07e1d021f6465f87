/*
 * parse.h — lexer (grammar/lexer.re) and parser (grammar/parser.y) entry points.
 *
 * In:  a file registered in the diag context (its text has a trailing NUL).
 * Out: the AST of the file (always a FILE node, possibly with ERROR parts when the file had
 *      syntax errors; every error is reported through the diag context), and the list of
 *      comments (byte spans) for the formatter.
 * Lexing rules (documented in docs/language.md):
 *   - a number followed, on the same line, by a unit word is one quantity token: `45 s`,
 *     `0.5 m/s`, `2 /h`, `3 kW*h`, `96 %`; a compound unit is written without spaces;
 *   - a word followed by '=' after a number is not a unit but the next property (`capacity = 2
 *     order = fifo`: the parser reports the missing ';');
 *   - block items (properties, attributes, failure modes, routes, route entries) are separated
 *     by a newline or ';': two on one line without one are one error at the second;
 *   - a keyword after a number is not a unit (`if x > 3 then`); an unknown compound unit falls
 *     back to its longest known prefix (`2 s*x` is `2 s` `*` `x`); otherwise an unknown unit is
 *     an error with the nearest known spelling; `/word` that is no unit is a division (`6 /n`)
 *     unless the word spells a time unit with a rate unit (`2 /hr`: an unknown unit, '/h');
 *   - NUL bytes inside the file are errors; end of input is the NUL after the last byte;
 *   - a declaration keyword (source station buffer conveyor assembly sink flow model template
 *     fn import) while brackets are open is a missing '}' (or ')' / ']'): reported once, and
 *     the parser is handed the missing closers first, so the declaration is parsed whole.
 *   - an identifier at the top level where a declaration must start, close to a declaration
 *     keyword (`staton`, `rout`, `modle`), is reported once and read as that keyword.
 * Memory: tokens and nodes in the arena.
 */
#ifndef FAB_PARSE_H
#define FAB_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct lex_state {
    const unsigned char *text; /* start of the file text */
    const unsigned char *cur;  /* next byte to scan */
    const unsigned char *end;  /* the trailing NUL (text + len) */
    uint32_t file;
    diag_ctx *dc;
    arena *a;
    ptrvec comments;           /* fab_loc * of every comment, in order */
    fab_loc last;              /* location of the last token returned */
    int errors;
} lex_state;

/* Open brackets tracked by yylex, to close a body that a declaration keyword interrupts. */
#define PARSE_MAX_OPEN 64

typedef struct parse_ctx {
    lex_state lex;
    arena *a;
    diag_ctx *dc;
    ast_node *root;
    int discarded; /* semantic values discarded during error recovery (%destructor) */
    char open[PARSE_MAX_OPEN];        /* the open brackets, innermost last: '{' '(' '[' */
    fab_loc open_loc[PARSE_MAX_OPEN];
    bool open_route[PARSE_MAX_OPEN];  /* the '{' of a route body (entries use ':') */
    int last_tok[2];                  /* the two tokens before the current one */
    int nopen, open_overflow;         /* open_overflow: brackets past PARSE_MAX_OPEN */
    int closers;                      /* closing tokens still to hand out before `held` */
    int held_tok;                     /* a declaration keyword held back, or 0 */
    fab_loc held_loc;
    fab_loc tok_loc[2];               /* spans of the last two tokens handed to the parser,
                                         newest first */
    ast_node *item_word;              /* the identifier that began the latest top-level item
                                         read as `word name` / `word a -> b` (a misspelled
                                         keyword or a stray word), or NULL */
} parse_ctx;

void lex_init(lex_state *L, diag_ctx *dc, arena *a, uint32_t file);
/* Next token: a Bison token kind (0 at end of input); *val receives a leaf node for
 * identifiers, numbers, quantities and strings (else NULL); *loc the token's span. */
int lex_next(lex_state *L, ast_node **val, fab_loc *loc);
/* Spelling of a keyword or punctuation token, for the formatter and messages. */
const char *lex_token_spelling(int tok);
/* True when s[0..n) is a keyword of the language. */
int lex_keyword(const char *s, size_t n);

/* Parse a registered file. Never NULL (an empty FILE node at worst). comments may be NULL. */
ast_node *parse_file(diag_ctx *dc, arena *a, uint32_t file, ptrvec *comments);

#endif
