/*
 * fuzz_lex.c — libFuzzer target for the lexer: every input is lexed to the end.
 * Checks that lexing terminates, stays in bounds and that token spans are ordered.
 */
#include <stdlib.h>

#include "fuzz_common.h"
#include "parse.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_ctx dc;
    arena a;
    diag_init(&dc, fuzz_devnull());
    arena_init(&a);
    uint32_t id = diag_add_file(&dc, "fuzz.fab", (const char *)data, size);
    if (id) {
        lex_state L;
        lex_init(&L, &dc, &a, id);
        uint32_t prev_end = 0;
        for (size_t n = 0; n <= size + 1; n++) {
            fab_loc loc;
            ast_node *v;
            int t = lex_next(&L, &v, &loc);
            if (loc.start < prev_end || loc.end < loc.start || loc.end > size)
                abort();
            prev_end = loc.end;
            if (t == TOK_YYEOF)
                break;
            if (n == size + 1)
                abort(); /* more tokens than bytes: the lexer does not advance */
        }
    }
    arena_free(&a);
    diag_free(&dc);
    return 0;
}
