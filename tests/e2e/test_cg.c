/*
 * test_cg.c — Check unit tests of the code generator and the driver's helpers, without the
 * front end: checked models are built by hand.
 *
 * Covers: a model compiles and verifies at every -O level and its IR holds the generated
 * main, samplers and --set registrations; a route rule and an order key compile from
 * expression trees; an invalid module is reported as an error (not a crash); the cache key
 * separates its inputs; the cache directory honours FAB_CACHE_DIR; a link failure is a
 * message. Files are written under a mkdtemp directory that is removed afterwards.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "cg_state.h"
#include "drv_support.h"
#include "model.h"

static char g_tmp[256];

static void setup_tmp(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/fab-cgtest-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_tmp));
}

static void teardown_tmp(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    ck_assert_int_eq(system(cmd), 0);
}

static fm_dist mkdist(fab_dist_kind k, double p0, double p1)
{
    fm_dist d;
    memset(&d, 0, sizeof d);
    d.kind = k;
    d.p[0] = p0;
    d.p[1] = p1;
    d.dim.e[FM_DIM_S] = 1;
    return d;
}

/* arrivals -> queue -> server -> {big, small}, a route rule on part.type and an order key */
typedef struct hand_model {
    fab_model m;
    fm_part_type parts[2];
    fm_attr attrs[1];
    fm_attr_init inits[2][1];
    fm_element el[5];
    fm_edge edges[4];
    int succ0[1], succ1[1], succ2[2];
    fm_dist ia, cycle, due;
    fm_route_rule rules[2];
    fm_expr e_part, e_type, e_large, e_eq, e_created, e_attr, e_add, e_now, e_sub;
    fm_expr *a_type[1], *a_eq[2], *a_created[1], *a_attr[1], *a_add[2], *a_sub[2];
} hand_model;

static void hand_build(hand_model *h)
{
    memset(h, 0, sizeof *h);
    h->ia = mkdist(FAB_DIST_EXPONENTIAL, 60, 0);
    h->cycle = mkdist(FAB_DIST_NORMAL, 48, 5);
    h->cycle.bound = FAB_BOUND_TRUNCATE;
    h->cycle.lo = 0;
    h->cycle.hi = INFINITY;
    h->due = mkdist(FAB_DIST_UNIFORM, 600, 3600);
    h->parts[0].name = "Small";
    h->parts[1].name = "Large";
    h->attrs[0].name = "due";
    h->inits[0][0].kind = FM_INIT_DIST;
    h->inits[0][0].dist = &h->due;
    h->inits[1][0].kind = FM_INIT_CONST;
    h->inits[1][0].value = 7200;
    h->parts[0].attrs = h->inits[0];
    h->parts[1].attrs = h->inits[1];

    /* part.type == Large */
    h->e_part = (fm_expr){.kind = FM_EX_PART, .type = FM_T_PART};
    h->a_type[0] = &h->e_part;
    h->e_type = (fm_expr){.kind = FM_EX_PART_TYPE, .type = FM_T_PARTTYPE, .nargs = 1, .args = h->a_type};
    h->e_large = (fm_expr){.kind = FM_EX_PARTTYPE_CONST, .type = FM_T_PARTTYPE, .index = 1};
    h->a_eq[0] = &h->e_type;
    h->a_eq[1] = &h->e_large;
    h->e_eq = (fm_expr){.kind = FM_EX_EQ, .type = FM_T_BOOL, .nargs = 2, .args = h->a_eq};
    /* part.created + part.due - now */
    h->a_created[0] = &h->e_part;
    h->e_created = (fm_expr){.kind = FM_EX_PART_CREATED, .type = FM_T_NUM, .nargs = 1, .args = h->a_created};
    h->a_attr[0] = &h->e_part;
    h->e_attr = (fm_expr){.kind = FM_EX_PART_ATTR, .type = FM_T_NUM, .index = 0, .nargs = 1, .args = h->a_attr};
    h->a_add[0] = &h->e_created;
    h->a_add[1] = &h->e_attr;
    h->e_add = (fm_expr){.kind = FM_EX_ADD, .type = FM_T_NUM, .nargs = 2, .args = h->a_add};
    h->e_now = (fm_expr){.kind = FM_EX_NOW, .type = FM_T_NUM};
    h->a_sub[0] = &h->e_add;
    h->a_sub[1] = &h->e_now;
    h->e_sub = (fm_expr){.kind = FM_EX_SUB, .type = FM_T_NUM, .nargs = 2, .args = h->a_sub};

    fm_element *el = h->el;
    el[0] = (fm_element){.kind = FM_ELEM_SOURCE, .name = "arrivals", .index = 0};
    el[0].u.source = (fm_source){.part_type = 0, .interarrival = &h->ia, .batch = 1, .limit = -1};
    el[1] = (fm_element){.kind = FM_ELEM_BUFFER, .name = "queue", .index = 1};
    el[1].u.buffer = (fm_buffer){.infinite = true, .order = FM_ORDER_ASCENDING, .order_key = &h->e_sub};
    el[2] = (fm_element){.kind = FM_ELEM_STATION, .name = "server", .index = 2};
    el[2].u.station = (fm_station){.cycle = &h->cycle, .capacity = 1};
    el[3] = (fm_element){.kind = FM_ELEM_SINK, .name = "small", .index = 3};
    el[4] = (fm_element){.kind = FM_ELEM_SINK, .name = "big", .index = 4};
    h->succ0[0] = 1;
    h->succ1[0] = 2;
    h->succ2[0] = 3;
    h->succ2[1] = 4;
    el[0].nsucc = 1;
    el[0].succ = h->succ0;
    el[1].nsucc = 1;
    el[1].succ = h->succ1;
    el[2].nsucc = 2;
    el[2].succ = h->succ2;
    h->rules[0] = (fm_route_rule){.cond = &h->e_eq, .target = 4};
    h->rules[1] = (fm_route_rule){.cond = NULL, .target = 3};
    el[2].route = (fm_route){.kind = FM_ROUTE_RULES, .nentries = 2, .rules = h->rules};
    h->edges[0] = (fm_edge){.from = 0, .to = 1};
    h->edges[1] = (fm_edge){.from = 1, .to = 2};
    h->edges[2] = (fm_edge){.from = 2, .to = 3};
    h->edges[3] = (fm_edge){.from = 2, .to = 4};

    fab_model *m = &h->m;
    m->name = "hand";
    m->path = "hand.fab";
    m->horizon = 3600;
    m->replications = 1;
    m->seed = 1;
    m->nparts = 2;
    m->parts = h->parts;
    m->nattrs = 1;
    m->attrs = h->attrs;
    m->nelements = 5;
    m->elements = h->el;
    m->nedges = 4;
    m->edges = h->edges;
}

static char *slurp(const char *path)
{
    char *t = drv_read_file(path, NULL);
    ck_assert_ptr_nonnull(t);
    return t;
}

START_TEST(test_compile_every_level)
{
    static hand_model h;
    hand_build(&h);
    int level = _i;
    char ll[300], obj[300], err[1024] = "";
    snprintf(ll, sizeof ll, "%s/m%d.ll", g_tmp, level);
    snprintf(obj, sizeof obj, "%s/m%d.o", g_tmp, level);
    cg_options o = {.opt_level = level, .object_path = obj, .emit_llvm = ll};
    ck_assert_msg(cg_compile_model(&h.m, &o, err, sizeof err) == 0, "compile failed: %s", err);
    ck_assert_int_eq(access(obj, R_OK), 0);
    char *ir = slurp(ll);
    ck_assert_ptr_nonnull(strstr(ir, "define i32 @main("));
    ck_assert_ptr_nonnull(strstr(ir, "@fab_main("));
    ck_assert_ptr_nonnull(strstr(ir, "server.cycle.mean"));
    ck_assert_ptr_nonnull(strstr(ir, "arrivals.interarrival.mean"));
    ck_assert_ptr_nonnull(strstr(ir, "Small.attr.due.min"));
    ck_assert_ptr_nonnull(strstr(ir, "@fab_route_rule("));
    ck_assert_ptr_nonnull(strstr(ir, "@fab_buffer_order_key("));
    /* the key created + due - now is affine in now: compiled with now = 0, no query */
    ck_assert_ptr_null(strstr(ir, "@fab_sim_now("));
    ck_assert_ptr_nonnull(strstr(ir, "byval("));
    /* the model is a constant op table; --set values are checked before fab_main */
    ck_assert_ptr_nonnull(strstr(ir, "@model.ops"));
    ck_assert_ptr_nonnull(strstr(ir, "@fab_cli_parse("));
    ck_assert_ptr_nonnull(strstr(ir, "@fab_dist_validate("));
    /* no fast-math flags and no fused multiply-add anywhere */
    ck_assert_ptr_null(strstr(ir, " fast "));
    ck_assert_ptr_null(strstr(ir, " contract "));
    ck_assert_ptr_null(strstr(ir, "fmuladd"));
    free(ir);
}
END_TEST

/* A key that is not affine in now (max(now, part.created)) reads the clock at entry. */
START_TEST(test_nonaffine_key_reads_now)
{
    static hand_model h;
    hand_build(&h);
    fm_expr *args[2] = {&h.e_now, &h.e_created};
    fm_expr emax = {.kind = FM_EX_BUILTIN, .type = FM_T_NUM, .index = FM_BUILTIN_MAX,
                    .nargs = 2, .args = args};
    h.el[1].u.buffer.order_key = &emax;
    char ll[300], err[1024] = "";
    snprintf(ll, sizeof ll, "%s/max.ll", g_tmp);
    cg_options o = {.opt_level = 2, .object_path = NULL, .emit_llvm = ll};
    ck_assert_msg(cg_compile_model(&h.m, &o, err, sizeof err) == 0, "compile failed: %s", err);
    char *ir = slurp(ll);
    ck_assert_ptr_nonnull(strstr(ir, "@fab_sim_now("));
    free(ir);
}
END_TEST

START_TEST(test_invalid_module_is_an_error)
{
    CgState cg;
    ck_assert_int_eq(cg_state_init(&cg, "broken", 2), 0);
    LLVMTypeRef ft = LLVMFunctionType(cg.t_f64, NULL, 0, 0);
    LLVMValueRef f = LLVMAddFunction(cg.mod, "f", ft);
    LLVMPositionBuilderAtEnd(cg.b, LLVMAppendBasicBlockInContext(cg.ctx, f, "entry"));
    LLVMBuildRet(cg.b, LLVMConstInt(cg.t_i32, 1, 0)); /* wrong return type */
    ck_assert_int_eq(cg_verify(&cg), -1);
    ck_assert_ptr_nonnull(strstr(cg.err, "invalid"));
    ck_assert_ptr_null(strchr(cg.err, '\n'));
    cg_state_dispose(&cg);
}
END_TEST

START_TEST(test_cache_key)
{
    char a[33], b[33], c[33], d[33];
    drv_key *k = drv_key_new();
    drv_key_add(k, "file", "ab", 2);
    drv_key_add(k, "file", "c", 1);
    drv_key_finish(k, a);
    k = drv_key_new();
    drv_key_add(k, "file", "a", 1);
    drv_key_add(k, "file", "bc", 2);
    drv_key_finish(k, b);
    k = drv_key_new();
    drv_key_add(k, "file", "ab", 2);
    drv_key_add(k, "file", "c", 1);
    drv_key_finish(k, c);
    k = drv_key_new();
    drv_key_add(k, "opt", "ab", 2);
    drv_key_add(k, "file", "c", 1);
    drv_key_finish(k, d);
    ck_assert_int_eq((int)strlen(a), 32);
    ck_assert_str_ne(a, b);
    ck_assert_str_eq(a, c);
    ck_assert_str_ne(a, d);
}
END_TEST

START_TEST(test_cache_dir)
{
    char want[300], got[400], err[256];
    snprintf(want, sizeof want, "%s/deep/er/cache", g_tmp);
    setenv("FAB_CACHE_DIR", want, 1);
    ck_assert_int_eq(drv_cache_dir(got, sizeof got, err, sizeof err), 0);
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(access(want, W_OK), 0);
    unsetenv("FAB_CACHE_DIR");
}
END_TEST

START_TEST(test_link_failure_is_reported)
{
    char obj[300], out[300], err[512] = "";
    snprintf(obj, sizeof obj, "%s/missing.o", g_tmp);
    snprintf(out, sizeof out, "%s/never", g_tmp);
    setenv("CC", "cc", 1);
    ck_assert_int_eq(drv_link(obj, out, "/nonexistent/libfabrt.a", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "linking"));
    ck_assert_int_ne(access(out, F_OK), 0);
    setenv("CC", "/nonexistent/cc", 1);
    ck_assert_int_eq(drv_link(obj, out, "/nonexistent/libfabrt.a", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot run"));
    unsetenv("CC");
}
END_TEST

static Suite *cg_suite(void)
{
    Suite *s = suite_create("codegen");
    TCase *tc = tcase_create("codegen");
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_compile_every_level, 0, 4);
    tcase_add_test(tc, test_nonaffine_key_reads_now);
    tcase_add_test(tc, test_invalid_module_is_an_error);
    tcase_add_test(tc, test_cache_key);
    tcase_add_test(tc, test_cache_dir);
    tcase_add_test(tc, test_link_failure_is_reported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
