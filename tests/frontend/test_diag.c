/*
 * test_diag.c — Check unit tests of the diagnostic printer (diag.h): the exact
 * `file:line:col: error: message` line, the source line, the caret/underline span, notes,
 * UTF-8 columns, the long-line window, error counting and the error limit.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static char *g_buf;
static size_t g_len;
static diag_ctx g_dc;

static uint32_t setup_text(const char *text)
{
    FILE *mem = open_memstream(&g_buf, &g_len);
    diag_init(&g_dc, mem);
    return diag_add_file(&g_dc, "m.fab", text, strlen(text));
}

static const char *output(void)
{
    fflush(g_dc.out);
    return g_buf;
}

static void done(void)
{
    fclose(g_dc.out);
    diag_free(&g_dc);
    free(g_buf);
    g_buf = NULL;
}

START_TEST(test_error_format)
{
    uint32_t f = setup_text("model \"m\" {}\nstation press { cycle = 3 m }\n");
    fab_loc loc = {f, 37, 40}; /* `3 m` */
    diag_error(&g_dc, loc, "cycle expects a time; `%s` is a length", "3 m");
    ck_assert_str_eq(output(), "m.fab:2:25: error: cycle expects a time; `3 m` is a length\n"
                               "  station press { cycle = 3 m }\n"
                               "                          ^~~\n");
    ck_assert_int_eq(g_dc.errors, 1);
    ck_assert_int_eq(g_dc.warnings, 0);
    done();
}
END_TEST

START_TEST(test_note_and_warning)
{
    uint32_t f = setup_text("a\nbb\n");
    diag_warning(&g_dc, (fab_loc){f, 2, 4}, "w");
    diag_note(&g_dc, (fab_loc){f, 0, 1}, "n");
    ck_assert_str_eq(output(), "m.fab:2:1: warning: w\n  bb\n  ^~\nm.fab:1:1: note: n\n  a\n  ^\n");
    ck_assert_int_eq(g_dc.warnings, 1);
    ck_assert_int_eq(g_dc.errors, 0);
    done();
}
END_TEST

START_TEST(test_utf8_columns)
{
    /* "ä" is two bytes but one column */
    uint32_t f = setup_text("// \xc3\xa4 x\n");
    unsigned line, col;
    diag_line_col(&g_dc, f, 6, &line, &col);
    ck_assert_uint_eq(line, 1);
    ck_assert_uint_eq(col, 6);
    diag_error(&g_dc, (fab_loc){f, 6, 7}, "e");
    ck_assert_str_eq(output(), "m.fab:1:6: error: e\n  // \xc3\xa4 x\n       ^\n");
    done();
}
END_TEST

START_TEST(test_span_stops_at_line_end)
{
    uint32_t f = setup_text("abc\ndef\n");
    diag_error(&g_dc, (fab_loc){f, 1, 6}, "e");
    ck_assert_str_eq(output(), "m.fab:1:2: error: e\n  abc\n   ^~\n");
    done();
}
END_TEST

START_TEST(test_long_line_window)
{
    char text[400];
    memset(text, 'x', 399);
    text[399] = 0;
    uint32_t f = setup_text(text);
    diag_error(&g_dc, (fab_loc){f, 300, 301}, "e");
    const char *out = output();
    ck_assert(strncmp(out, "m.fab:1:301: error: e\n  ...", 27) == 0);
    ck_assert(strlen(out) < 400); /* a window, not the whole line twice */
    done();
}
END_TEST

START_TEST(test_error_limit)
{
    uint32_t f = setup_text("a\n");
    g_dc.max_errors = 2;
    for (int i = 0; i < 5; i++)
        diag_error(&g_dc, (fab_loc){f, 0, 1}, "e%d", i);
    const char *out = output();
    ck_assert_ptr_nonnull(strstr(out, "e1"));
    ck_assert_ptr_null(strstr(out, "e2"));
    ck_assert_ptr_nonnull(strstr(out, "too many errors"));
    ck_assert_int_eq(g_dc.errors, 5);
    done();
}
END_TEST

START_TEST(test_no_location)
{
    setup_text("");
    diag_error_noloc(&g_dc, "cannot read '%s'", "x.fab");
    ck_assert_str_eq(output(), "fabc: error: cannot read 'x.fab'\n");
    done();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diag");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_error_format);
    tcase_add_test(tc, test_note_and_warning);
    tcase_add_test(tc, test_utf8_columns);
    tcase_add_test(tc, test_span_stops_at_line_end);
    tcase_add_test(tc, test_long_line_window);
    tcase_add_test(tc, test_error_limit);
    tcase_add_test(tc, test_no_location);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
