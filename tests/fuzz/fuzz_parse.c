/*
 * fuzz_parse.c — libFuzzer target for the parser (with the lexer): parse any input, then
 * format it when it parsed without errors and check that formatting is idempotent.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "fuzz_common.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_ctx dc;
    arena a;
    diag_init(&dc, fuzz_devnull());
    arena_init(&a);
    uint32_t id = diag_add_file(&dc, "fuzz.fab", (const char *)data, size);
    if (id) {
        ptrvec comments = {0};
        ast_node *root = parse_file(&dc, &a, id, &comments);
        if (dc.errors == 0) {
            size_t len1 = 0, len2 = 0;
            char *once = fmt_file(&dc, id, root, &comments, &len1);
            if (once) {
                uint32_t id2 = diag_add_file(&dc, "fmt.fab", once, len1);
                ptrvec c2 = {0};
                ast_node *r2 = parse_file(&dc, &a, id2, &c2);
                if (dc.errors != 0)
                    abort(); /* formatted output must parse */
                char *twice = fmt_file(&dc, id2, r2, &c2, &len2);
                if (twice && (len1 != len2 || memcmp(once, twice, len1) != 0))
                    abort(); /* fmt must be idempotent */
                free(twice);
                free(once);
            }
        }
    }
    arena_free(&a);
    diag_free(&dc);
    return 0;
}
