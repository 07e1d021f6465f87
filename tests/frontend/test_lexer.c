/*
 * test_lexer.c — Check unit tests of the lexer (grammar/lexer.re): token kinds, quantity and
 * percent rules, the keyword-after-number rule, compound units, and lexical errors.
 * Each test lexes a small string and compares the token stream with the expected one.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parser.h"
#include "units.h"

typedef struct lexed {
    int toks[64];
    ast_node *vals[64];
    int n;
    int errors;
} lexed;

static diag_ctx g_dc;
static arena g_arena;

static lexed lex_string(const char *text)
{
    lexed r;
    memset(&r, 0, sizeof r);
    diag_init(&g_dc, fopen("/dev/null", "w"));
    arena_init(&g_arena);
    uint32_t id = diag_add_file(&g_dc, "t.fab", text, strlen(text));
    lex_state L;
    lex_init(&L, &g_dc, &g_arena, id);
    for (;;) {
        fab_loc loc;
        ast_node *v;
        int t = lex_next(&L, &v, &loc);
        if (t == TOK_YYEOF || r.n == 64)
            break;
        r.vals[r.n] = v;
        r.toks[r.n++] = t;
    }
    r.errors = g_dc.errors;
    return r;
}

static void done(void)
{
    fclose(g_dc.out);
    diag_free(&g_dc);
    arena_free(&g_arena);
}

START_TEST(test_quantity_is_one_token)
{
    lexed r = lex_string("cycle = 45 s");
    ck_assert_int_eq(r.n, 3);
    ck_assert_int_eq(r.toks[0], TOK_IDENT);
    ck_assert_int_eq(r.toks[1], '=');
    ck_assert_int_eq(r.toks[2], TOK_QUANTITY);
    ck_assert_int_eq(r.vals[2]->kind, AST_QTY);
    ck_assert_double_eq(r.vals[2]->num, 45.0);
    ck_assert_str_eq(units_get(r.vals[2]->unit)->spelling, "s");
    done();
}
END_TEST

START_TEST(test_compound_units)
{
    static const char *const cases[] = {"0.5 m/s", "3 kW*h", "2 m/s^2", "2 /h", "15 kW", "22 degC"};
    static const char *const units[] = {"m/s", "kW*h", "m/s^2", "/h", "kW", "degC"};
    for (int i = 0; i < 6; i++) {
        lexed r = lex_string(cases[i]);
        ck_assert_int_eq(r.n, 1);
        ck_assert_int_eq(r.toks[0], TOK_QUANTITY);
        ck_assert_str_eq(units_get(r.vals[0]->unit)->spelling, units[i]);
        ck_assert_int_eq(r.errors, 0);
        done();
    }
}
END_TEST

START_TEST(test_division_of_quantities)
{
    /* `12 m / 0.5 m/s` is a quantity, a division, and a quantity */
    lexed r = lex_string("12 m / 0.5 m/s");
    ck_assert_int_eq(r.n, 3);
    ck_assert_int_eq(r.toks[0], TOK_QUANTITY);
    ck_assert_int_eq(r.toks[1], '/');
    ck_assert_int_eq(r.toks[2], TOK_QUANTITY);
    ck_assert_str_eq(units_get(r.vals[2]->unit)->spelling, "m/s");
    done();
}
END_TEST

START_TEST(test_keyword_after_number_is_not_a_unit)
{
    lexed r = lex_string("if x > 3 then 1 else 2");
    ck_assert_int_eq(r.n, 8);
    ck_assert_int_eq(r.toks[3], TOK_NUMBER);
    ck_assert_int_eq(r.toks[4], TOK_THEN);
    ck_assert_int_eq(r.toks[5], TOK_NUMBER);
    ck_assert_int_eq(r.toks[6], TOK_ELSE);
    ck_assert_int_eq(r.errors, 0);
    done();
}
END_TEST

START_TEST(test_unit_only_on_same_line)
{
    lexed r = lex_string("batch = 1\nlimit = 5");
    ck_assert_int_eq(r.n, 6);
    ck_assert_int_eq(r.toks[2], TOK_NUMBER);
    ck_assert_int_eq(r.toks[3], TOK_IDENT);
    done();
}
END_TEST

/* `2 /hr`: a rate unit misspelled is one quantity token and one error (not a division by a
 * name `hr`); `6 /n`, whose word is no unit's spelling, stays a division */
START_TEST(test_misspelled_rate_unit)
{
    static const char *const cases[] = {"2 /hr", "30 /hour", "4 /sec"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lexed r = lex_string(cases[i]);
        ck_assert_msg(r.n == 1 && r.toks[0] == TOK_QUANTITY, "'%s' gave %d tokens", cases[i], r.n);
        ck_assert_msg(r.errors == 1, "'%s' gave %d errors", cases[i], r.errors);
        done();
    }
    lexed r = lex_string("6 /n");
    ck_assert_int_eq(r.n, 3);
    ck_assert_int_eq(r.toks[0], TOK_NUMBER);
    ck_assert_int_eq(r.toks[1], '/');
    ck_assert_int_eq(r.toks[2], TOK_IDENT);
    ck_assert_int_eq(r.errors, 0);
    done();
}
END_TEST

START_TEST(test_percent_and_numbers)
{
    lexed r = lex_string("96 % 1_000 1e-3 0.5");
    ck_assert_int_eq(r.n, 4);
    ck_assert_int_eq(r.vals[0]->kind, AST_PERCENT);
    ck_assert_double_eq(r.vals[0]->num, 96.0);
    ck_assert_double_eq(r.vals[1]->num, 1000.0);
    ck_assert_double_eq_tol(r.vals[2]->num, 1e-3, 1e-18);
    ck_assert_double_eq(r.vals[3]->num, 0.5);
    done();
}
END_TEST

START_TEST(test_unknown_compound_falls_back_to_prefix)
{
    /* `2 s*x` is `2 s` times x */
    lexed r = lex_string("2 s*x");
    ck_assert_int_eq(r.n, 3);
    ck_assert_int_eq(r.toks[0], TOK_QUANTITY);
    ck_assert_int_eq(r.toks[1], '*');
    ck_assert_int_eq(r.toks[2], TOK_IDENT);
    ck_assert_int_eq(r.errors, 0);
    done();
}
END_TEST

START_TEST(test_lexical_errors)
{
    static const char *const bad[] = {
        "3 furlongs", "\"open string", "/* open comment", "x @ y", "1e999", "\"bad \\q escape\"",
    };
    for (int i = 0; i < 6; i++) {
        lexed r = lex_string(bad[i]);
        ck_assert_msg(r.errors == 1, "'%s' gave %d errors", bad[i], r.errors);
        done();
    }
}
END_TEST

/* The escapes are JSON's but \b and \f; \uXXXX is stored as UTF-8. */
START_TEST(test_string_escapes)
{
    lexed r = lex_string("\"a\\r\\/\\u0041\\u00e9\\u20AC\\n\\t\\\\\\\"\\u007f\"");
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(r.toks[0], TOK_STRING);
    ck_assert_int_eq(r.errors, 0);
    ck_assert_str_eq(r.vals[0]->str, "a\r/A\xc3\xa9\xe2\x82\xac\n\t\\\"\x7f");
    done();
    /* each a single error at the escape, the string still one token that ends at its quote */
    static const char *const bad[] = {"\"\\u12\" x", "\"\\u12g4\" x", "\"\\u0000\" x", "\"\\ud800\" x",
                                      "\"\\uDFFF\" x", "\"\\b\" x", "\"\\f\" x", "\"\\U00e9\" x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = lex_string(bad[i]);
        ck_assert_msg(r.errors == 1, "'%s' gave %d errors", bad[i], r.errors);
        ck_assert_msg(r.n == 2 && r.toks[0] == TOK_STRING && r.toks[1] == TOK_IDENT, "'%s' gave %d tokens", bad[i], r.n);
        done();
    }
}
END_TEST

START_TEST(test_nul_byte_is_error)
{
    diag_init(&g_dc, fopen("/dev/null", "w"));
    arena_init(&g_arena);
    uint32_t id = diag_add_file(&g_dc, "t.fab", "a\0b", 3);
    lex_state L;
    lex_init(&L, &g_dc, &g_arena, id);
    fab_loc loc;
    ast_node *v;
    ck_assert_int_eq(lex_next(&L, &v, &loc), TOK_IDENT);
    ck_assert_int_eq(lex_next(&L, &v, &loc), TOK_IDENT);
    ck_assert_int_eq(lex_next(&L, &v, &loc), TOK_YYEOF);
    ck_assert_int_eq(g_dc.errors, 1);
    done();
}
END_TEST

START_TEST(test_comments_recorded)
{
    diag_init(&g_dc, fopen("/dev/null", "w"));
    arena_init(&g_arena);
    const char *text = "// one\nx /* two */ y";
    uint32_t id = diag_add_file(&g_dc, "t.fab", text, strlen(text));
    lex_state L;
    lex_init(&L, &g_dc, &g_arena, id);
    fab_loc loc;
    ast_node *v;
    while (lex_next(&L, &v, &loc) != TOK_YYEOF)
        ;
    ck_assert_int_eq(L.comments.n, 2);
    ck_assert_uint_eq(((fab_loc *)L.comments.items[1])->start, 9);
    done();
}
END_TEST

START_TEST(test_locations)
{
    lexed r = lex_string("  station  press");
    ck_assert_int_eq(r.n, 2);
    ck_assert_uint_eq(r.vals[1]->loc.start, 11);
    ck_assert_uint_eq(r.vals[1]->loc.end, 16);
    done();
}
END_TEST

/* A malformed number is one NUMBER token (with its unit swallowed) whose value node is an
 * AST_ERROR, and exactly one error; well-formed neighbours are untouched. */
START_TEST(test_malformed_numbers)
{
    static const char *const bad[] = {"1__0 s", "1_", ".5", "1.", "1.e5 h", "1.2.3", "4e", "0x10", "7e+ min", "1e1_0 s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lexed r = lex_string(bad[i]);
        ck_assert_msg(r.n == 1 && r.toks[0] == TOK_NUMBER && r.vals[0] && r.vals[0]->kind == AST_ERROR,
                      "'%s' gave %d tokens", bad[i], r.n);
        ck_assert_msg(r.errors == 1, "'%s' gave %d errors", bad[i], r.errors);
        done();
    }
    static const char *const good[] = {"1_000", "0.5", "1e-3", "2.5E+3", "45s", "3EUR", "0 h", "10 %"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lexed r = lex_string(good[i]);
        ck_assert_msg(r.n == 1 && r.errors == 0 && r.vals[0]->kind != AST_ERROR, "'%s' was rejected", good[i]);
        done();
    }
}
END_TEST

/* An out-of-range number is an AST_ERROR leaf too, so that no property check repeats it. */
START_TEST(test_huge_number_is_error_leaf)
{
    lexed r = lex_string("1e999999 h");
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(r.errors, 1);
    ck_assert_int_eq(r.vals[0]->kind, AST_ERROR);
    done();
}
END_TEST

static Suite *lexer_suite(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_quantity_is_one_token);
    tcase_add_test(tc, test_compound_units);
    tcase_add_test(tc, test_division_of_quantities);
    tcase_add_test(tc, test_keyword_after_number_is_not_a_unit);
    tcase_add_test(tc, test_unit_only_on_same_line);
    tcase_add_test(tc, test_misspelled_rate_unit);
    tcase_add_test(tc, test_percent_and_numbers);
    tcase_add_test(tc, test_unknown_compound_falls_back_to_prefix);
    tcase_add_test(tc, test_lexical_errors);
    tcase_add_test(tc, test_string_escapes);
    tcase_add_test(tc, test_malformed_numbers);
    tcase_add_test(tc, test_huge_number_is_error_leaf);
    tcase_add_test(tc, test_nul_byte_is_error);
    tcase_add_test(tc, test_comments_recorded);
    tcase_add_test(tc, test_locations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lexer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
