/*
 * test_sema.c — Check unit tests of the semantic pass on small strings: SI values and
 * dimensions in the checked model, stream names, template instantiation, routes, the
 * negative-duration truncation, and that each error class is reported (error count).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema.h"
#include "units.h"

static diag_ctx g_dc;
static arena g_arena;

#define HEAD "model \"t\" { horizon = 2 h; warmup = 10 min; replications = 3; seed = 9 }\n" \
             "part P { mass = 1.5 kg }\n" \
             "source src { part = P; interarrival = exponential(mean: 1 min) }\n"

static fab_model *check_str(const char *text)
{
    diag_init(&g_dc, fopen("/dev/null", "w"));
    arena_init(&g_arena);
    sema_options opt = {.stdlib_dir = FAB_STDLIB_DIR};
    return sema_check_source("t.fab", text, strlen(text), &opt, &g_dc, &g_arena);
}

static void done(void)
{
    fclose(g_dc.out);
    diag_free(&g_dc);
    arena_free(&g_arena);
}

START_TEST(test_settings_in_si)
{
    fab_model *m = check_str(HEAD "sink done\nflow src -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(m->horizon, 7200.0);
    ck_assert_double_eq(m->warmup, 600.0);
    ck_assert_int_eq(m->replications, 3);
    ck_assert_uint_eq(m->seed, 9);
    ck_assert_double_eq(m->parts[0].mass, 1.5);
    const fm_element *src = &m->elements[fm_find_element(m, "src")];
    ck_assert_int_eq(src->u.source.interarrival->kind, FAB_DIST_EXPONENTIAL);
    ck_assert_double_eq(src->u.source.interarrival->p[0], 60.0);
    ck_assert(units_dim_eq(src->u.source.interarrival->dim, UNITS_TIME));
    ck_assert_str_eq(src->u.source.interarrival->stream, "src.interarrival");
    done();
}
END_TEST

START_TEST(test_station_and_streams)
{
    fab_model *m = check_str(HEAD "station press {\n cycle = normal(mean: 42 s, sd: 3 s) clamp [30 s, 1 min]\n"
                                  " power = { idle: 2 kW, busy: 15 kW }\n"
                                  " failure jam { ttf = weibull(shape: 1.4, scale: 3 h); ttr = constant(12 min) }\n}\n"
                                  "sink done\nflow src -> press -> done\n");
    ck_assert_ptr_nonnull(m);
    const fm_station *st = &m->elements[fm_find_element(m, "press")].u.station;
    ck_assert_int_eq(st->cycle->bound, FAB_BOUND_CLAMP);
    ck_assert_double_eq(st->cycle->hi, 60.0);
    ck_assert_double_eq(st->power[FM_STATE_BUSY], 15000.0);
    ck_assert_double_eq(st->power[FM_STATE_DOWN], 0.0);
    ck_assert_int_eq(st->nfailures, 1);
    ck_assert_double_eq(st->failures[0].ttf->p[0], 1.4);
    ck_assert_double_eq(st->failures[0].ttf->p[1], 3 * 3600.0);
    ck_assert_str_eq(st->failures[0].ttf->stream, "press.failure.jam.ttf");
    ck_assert_int_eq(st->failures[0].basis, FM_BASIS_OPERATING);
    done();
}
END_TEST

START_TEST(test_quantity_arithmetic)
{
    /* 12 m / 0.5 m/s = 24 s, usable as a time */
    fab_model *m = check_str(HEAD "station m { cycle = constant(12 m / 0.5 m/s) }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(m->elements[fm_find_element(m, "m")].u.station.cycle->p[0], 24.0);
    done();
}
END_TEST

START_TEST(test_template_instantiation)
{
    fab_model *m = check_str("import \"std/machines.fab\"\n" HEAD
                             "station turn = Cnc(cycle: normal(mean: 3 min, sd: 15 s), mtbf: 30 h)\n"
                             "sink done\nflow src -> turn -> done\n");
    ck_assert_ptr_nonnull(m);
    const fm_element *e = &m->elements[fm_find_element(m, "turn")];
    ck_assert_str_eq(e->template_name, "Cnc");
    ck_assert_double_eq(e->u.station.cycle->p[0], 180.0);
    ck_assert_str_eq(e->u.station.cycle->stream, "turn.cycle");
    ck_assert_int_eq(e->u.station.nfailures, 1);
    ck_assert_double_eq(e->u.station.failures[0].ttf->p[0], 30 * 3600.0);
    done();
}
END_TEST

START_TEST(test_stdlib_templates)
{
    fab_model *m = check_str("import \"std/machines.fab\"\n" HEAD
                             "station insp = Inspection(cycle: 20 s, pass_rate: 90 %, pass: ok, fail: bad)\n"
                             "station hand = ManualStation(standard: 2 min, workers: 2)\n"
                             "station cell = RobotCell(cycle: 30 s)\n"
                             "sink ok\nsink bad\nflow src -> hand -> cell -> insp -> ok\nflow insp -> bad\n");
    ck_assert_ptr_nonnull(m);
    const fm_element *insp = &m->elements[fm_find_element(m, "insp")];
    ck_assert_int_eq(insp->route.kind, FM_ROUTE_PROB);
    ck_assert_int_eq(insp->route.probs[0].target, fm_find_element(m, "ok"));
    ck_assert_double_eq_tol(insp->route.probs[0].prob, 0.9, 1e-15);
    ck_assert_double_eq_tol(insp->route.probs[1].prob, 0.1, 1e-15);
    const fm_station *hand = &m->elements[fm_find_element(m, "hand")].u.station;
    ck_assert_int_eq(hand->capacity, 2);
    ck_assert_int_eq(hand->cycle->kind, FAB_DIST_TRIANGULAR);
    ck_assert_double_eq_tol(hand->cycle->p[0], 96.0, 1e-12);
    const fm_station *cell = &m->elements[fm_find_element(m, "cell")].u.station;
    ck_assert_int_eq(cell->cycle->bound, FAB_BOUND_TRUNCATE);
    ck_assert_double_eq(cell->cycle->lo, 27.0);
    ck_assert(!cell->cycle->implicit_bound);
    done();
}
END_TEST

START_TEST(test_routes)
{
    fab_model *m = check_str(HEAD "station q { cycle = constant(5 s) }\nroute q { a: 96 %; b: 4 % }\n"
                                  "sink a\nsink b\nflow src -> q -> a\nflow q -> b\n");
    ck_assert_ptr_nonnull(m);
    const fm_element *q = &m->elements[fm_find_element(m, "q")];
    ck_assert_int_eq(q->route.kind, FM_ROUTE_PROB);
    ck_assert_int_eq(q->route.nentries, 2);
    ck_assert_double_eq_tol(q->route.probs[0].prob, 0.96, 1e-15);
    ck_assert_int_eq(q->nsucc, 2);
    ck_assert_int_eq(q->succ[0], fm_find_element(m, "a"));
    done();
}
END_TEST

START_TEST(test_rules_and_fn)
{
    fab_model *m = check_str("model \"t\" { horizon = 1 h }\npart A { attr due = 2 h }\npart B\n"
                             "fn late(p) = p.created + p.due - now\n"
                             "source sa { part = A; interarrival = exponential(mean: 1 min) }\n"
                             "source sb { part = B; interarrival = exponential(mean: 1 min) }\n"
                             "buffer q { order = by late(part) ascending }\n"
                             "station s { cycle = constant(5 s) }\n"
                             "route s { when part.type == B -> b\n otherwise -> a }\n"
                             "sink a\nsink b\nflow sa -> q -> s -> a\nflow sb -> q\nflow s -> b\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->nfns, 1);
    ck_assert_int_eq(m->fns[0].param_types[0], FM_T_PART);
    ck_assert(units_dim_eq(m->fns[0].body->dim, UNITS_TIME));
    const fm_element *q = &m->elements[fm_find_element(m, "q")];
    ck_assert_int_eq(q->u.buffer.order, FM_ORDER_ASCENDING);
    ck_assert_int_eq(q->u.buffer.order_key->kind, FM_EX_CALL);
    const fm_element *s = &m->elements[fm_find_element(m, "s")];
    ck_assert_int_eq(s->route.kind, FM_ROUTE_RULES);
    ck_assert_int_eq(s->route.rules[0].cond->kind, FM_EX_EQ);
    ck_assert_ptr_null(s->route.rules[1].cond);
    ck_assert(m->parts[0].has_due);
    ck_assert_int_eq(m->parts[0].attrs[0].kind, FM_INIT_CONST);
    ck_assert_double_eq(m->parts[0].attrs[0].value, 7200.0);
    ck_assert_int_eq(m->parts[1].attrs[0].kind, FM_INIT_NONE);
    done();
}
END_TEST

/* A state name that also names an element is the state (an element is never a value); one
 * that also names a part type is the state beside a station state and the part type beside a
 * part type, on either side of == and !=, in a fn body too. */
START_TEST(test_state_names_shared_with_elements_and_parts)
{
    fab_model *m = check_str("model \"t\" { horizon = 1 h }\npart P\npart busy\n"
                             "fn is_busy(s) = s == busy\n"
                             "source src { part = P; interarrival = exponential(mean: 1 min) }\n"
                             "station idle { cycle = 5 s }\nstation normal { cycle = 3 s }\n"
                             "route idle { when state(normal) == idle -> max\n when busy != state(normal) -> max\n"
                             " when part.type == busy -> min\n when is_busy(state(normal)) -> min\n otherwise -> min }\n"
                             "station max { cycle = 1 s }\nstation min { cycle = 1 s }\nsink done\n"
                             "flow src -> idle -> max -> done\nflow idle -> min -> done\nflow src -> normal -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.errors, 0);
    const fm_route *r = &m->elements[fm_find_element(m, "idle")].route;
    ck_assert_int_eq(r->kind, FM_ROUTE_RULES);
    const fm_expr *c0 = r->rules[0].cond, *c1 = r->rules[1].cond, *c2 = r->rules[2].cond;
    ck_assert_int_eq(c0->args[1]->kind, FM_EX_STATE_CONST);
    ck_assert_int_eq(c0->args[1]->index, FM_STATE_IDLE);
    ck_assert_int_eq(c1->kind, FM_EX_NE);
    ck_assert_int_eq(c1->args[0]->kind, FM_EX_STATE_CONST);
    ck_assert_int_eq(c1->args[0]->index, FM_STATE_BUSY);
    ck_assert_int_eq(c2->args[1]->kind, FM_EX_PARTTYPE_CONST);
    ck_assert_int_eq(c2->args[1]->index, 1);
    ck_assert_int_eq(m->fns[0].body->args[1]->kind, FM_EX_STATE_CONST);
    ck_assert_int_eq(m->fns[0].body->args[1]->index, FM_STATE_BUSY);
    done();
    /* still not a number: one error, which names level() for the element */
    m = check_str("model \"t\" { horizon = 1 h }\npart P\n"
                  "source src { part = P; interarrival = exponential(mean: 1 min) }\n"
                  "station idle { cycle = 5 s; route { when idle > 2 -> a; otherwise -> b } }\n"
                  "sink a\nsink b\nflow src -> idle -> a\nflow idle -> b\n");
    ck_assert_int_eq(g_dc.errors, 1);
    done();
}
END_TEST

/* An attribute may read attributes declared after it: they are typed and computed first. */
START_TEST(test_attributes_read_later_ones)
{
    fab_model *m = check_str("model \"t\" { horizon = 1 h }\n"
                             "part P { attr a = part.b + 1 h; attr b = part.c * 2; attr c = 3 h; attr d = part.a + part.b }\n"
                             "source src { part = P; interarrival = constant(1 min) }\nsink done\nflow src -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.errors, 0);
    const char *names[] = {"a", "b", "c", "d"};
    int at[4];
    for (int k = 0; k < 4; k++) {
        at[k] = -1;
        for (int i = 0; i < m->nattrs; i++)
            if (strcmp(m->attrs[i].name, names[k]) == 0)
                at[k] = i;
        ck_assert_int_ge(at[k], 0);
        ck_assert_msg(units_dim_eq(m->attrs[at[k]].dim, UNITS_TIME), "attribute %s is not a time", names[k]);
    }
    const fm_part_type *p = &m->parts[0];
    ck_assert_int_eq(p->attrs[at[2]].kind, FM_INIT_CONST);
    /* a, b and d are computed, each after the ones it reads: b, a, d */
    ck_assert_int_eq(p->nexpr_order, 3);
    ck_assert_int_eq(p->expr_order[0], at[1]);
    ck_assert_int_eq(p->expr_order[1], at[0]);
    ck_assert_int_eq(p->expr_order[2], at[3]);
    done();
}
END_TEST

/* Attributes computed from themselves, directly, through each other or through a fn, and one
 * whose dimension depends on itself across part types, are errors (one per cycle). */
START_TEST(test_attribute_cycles_are_errors)
{
    static const char *const cycles[] = {
        "part P { attr a = part.a + 1 }\n",
        "part P { attr a = part.b + 1; attr b = part.a * 2 }\n",
        "fn f(p) = p.b * 2\npart P { attr a = f(part) + 1; attr b = part.c + part.a; attr c = 3; attr d = part.a + 1 h }\n",
        "part P { attr a = part.a + 1 }\npart Q { attr a = 4 }\n",
        "part P { attr a = part.b + 1 }\npart Q { attr b = part.a + 1 }\n",
    };
    for (size_t i = 0; i < sizeof cycles / sizeof cycles[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "model \"t\" { horizon = 1 h }\n%s"
                                    "source src { part = P; interarrival = constant(1 min) }\nsink done\nflow src -> done\n",
                 cycles[i]);
        fab_model *m = check_str(text);
        ck_assert_msg(m == NULL && g_dc.errors == 1, "case %zu: %d errors, expected 1", i, g_dc.errors);
        done();
    }
}
END_TEST

START_TEST(test_negative_duration_truncated)
{
    fab_model *m = check_str(HEAD "station m { cycle = normal(mean: 10 s, sd: 5 s) }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.warnings, 1);
    const fm_dist *d = m->elements[fm_find_element(m, "m")].u.station.cycle;
    ck_assert_int_eq(d->bound, FAB_BOUND_TRUNCATE);
    ck_assert(d->implicit_bound);
    ck_assert_double_eq(d->lo, 0.0);
    done();
    /* 1e-5 probability: truncated silently */
    m = check_str(HEAD "station m { cycle = normal(mean: 40 s, sd: 9 s) }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.warnings, 0);
    done();
    /* an explicit bound with lo >= 0: no warning, the bound as written */
    m = check_str(HEAD "station m { cycle = normal(mean: 10 s, sd: 5 s) clamp [0 s, 20 s] }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.warnings, 0);
    d = m->elements[fm_find_element(m, "m")].u.station.cycle;
    ck_assert_int_eq(d->bound, FAB_BOUND_CLAMP);
    ck_assert(!d->implicit_bound);
    done();
    /* lo < 0: one warning, and the explicit bound stays explicit, from 0 */
    m = check_str(HEAD "station m { cycle = normal(mean: 10 s, sd: 5 s) clamp [-1 s, 20 s] }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.warnings, 1);
    d = m->elements[fm_find_element(m, "m")].u.station.cycle;
    ck_assert_int_eq(d->bound, FAB_BOUND_CLAMP);
    ck_assert(!d->implicit_bound);
    ck_assert_double_eq(d->lo, 0.0);
    ck_assert_double_eq(d->hi, 20.0);
    done();
}
END_TEST

/* A built-in call of constants as a whole distribution-valued property is constant(...),
 * like any constant expression (not an unknown distribution). */
START_TEST(test_builtin_call_as_constant_distribution)
{
    fab_model *m = check_str("part P\n"
                             "source src { part = P; interarrival = min(1 min, 2 min) }\n"
                             "station a { cycle = max(1 s, 2 s); setup = abs(-3 s)\n"
                             " failure f { ttf = sqrt(100 h * 1 h); ttr = (min(1 min, 2 min)) } }\n"
                             "station b { cycle = { P: max(4 s, 5 s) clamp [0 s, 4.5 s] } }\n"
                             "sink done\nflow src -> a -> b -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(g_dc.warnings, 0);
    const fm_dist *ia = m->elements[fm_find_element(m, "src")].u.source.interarrival;
    ck_assert_int_eq(ia->kind, FAB_DIST_CONSTANT);
    ck_assert_double_eq(ia->p[0], 60.0);
    const fm_station *a = &m->elements[fm_find_element(m, "a")].u.station;
    ck_assert_int_eq(a->cycle->kind, FAB_DIST_CONSTANT);
    ck_assert_double_eq(a->cycle->p[0], 2.0);
    ck_assert(units_dim_eq(a->cycle->dim, UNITS_TIME));
    ck_assert_double_eq(a->setup->p[0], 3.0);
    ck_assert_double_eq_tol(a->failures[0].ttf->p[0], 36000.0, 1e-9);
    ck_assert_double_eq(a->failures[0].ttr->p[0], 60.0);
    const fm_station *b = &m->elements[fm_find_element(m, "b")].u.station;
    ck_assert_int_eq(b->ncycle_map, 1);
    ck_assert_int_eq(b->cycle_map[0].dist->kind, FAB_DIST_CONSTANT);
    ck_assert_double_eq(b->cycle_map[0].dist->p[0], 5.0);
    ck_assert_int_eq(b->cycle_map[0].dist->bound, FAB_BOUND_CLAMP);
    ck_assert_double_eq(b->cycle_map[0].dist->hi, 4.5);
    done();
    /* a fn whose name is near a distribution's is a fn, not a misspelt distribution */
    m = check_str(HEAD "fn normel(x) = 2 * x\nstation m { cycle = normel(2 s) }\nsink done\nflow src -> m -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq(m->elements[fm_find_element(m, "m")].u.station.cycle->p[0], 4.0);
    done();
    /* a misspelt distribution is still one, and so is an unknown call */
    m = check_str(HEAD "station m { cycle = normol(mean: 3 s, sd: 1 s) }\nstation n { cycle = maxx(1 s, 2 s) }\n"
                       "sink done\nflow src -> m -> n -> done\n");
    ck_assert_ptr_null(m);
    ck_assert_int_eq(g_dc.errors, 2);
    done();
}
END_TEST

/* fn f_i(x) = f_{i-1}(x) + f_{i-1}(x) for i < n, then tail: a text of n fns whose full
 * expansion has 2^n calls (malloc'd). */
static char *doubling_fns(int n, const char *tail)
{
    size_t cap = (size_t)n * 48 + strlen(tail) + 256;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    size_t len = (size_t)snprintf(t, cap, "%sfn f0(x) = x * 2\n", HEAD);
    for (int i = 1; i < n; i++)
        len += (size_t)snprintf(t + len, cap - len, "fn f%d(x) = f%d(x) + f%d(x)\n", i, i - 1, i - 1);
    snprintf(t + len, cap - len, "%s", tail);
    return t;
}

/* Typing a fn body once per argument signature keeps 60 doubling fns linear: typed call by
 * call, they would take 2^60 steps (the suite's timeout is the check). */
START_TEST(test_doubling_fns_check_in_linear_time)
{
    char *t = doubling_fns(60, "sink done\nflow src -> done\n");
    fab_model *m = check_str(t);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->nfns, 60);
    ck_assert_int_eq(m->fns[59].body->type, FM_T_NUM);
    done();
    free(t);
    /* called and folded to a constant: the same argument is folded once */
    t = doubling_fns(60, "station s { cycle = constant(f59(1 s) * 1e-18) }\nsink done\nflow src -> s -> done\n");
    m = check_str(t);
    ck_assert_ptr_nonnull(m);
    ck_assert_double_eq_tol(m->elements[fm_find_element(m, "s")].u.station.cycle->p[0], 0x1p60 * 1e-18, 1e-3);
    done();
    free(t);
}
END_TEST

/* A station holds at most FAB_MAX_FAILURE_MODES (65535) failure modes: one more is one error
 * (at the first block beyond the limit). */
START_TEST(test_failure_modes_above_limit)
{
    for (int extra = 0; extra <= 1; extra++) {
        int n = 65535 + extra;
        size_t cap = (size_t)n * 48 + 1024;
        char *t = malloc(cap);
        ck_assert_ptr_nonnull(t);
        size_t len = (size_t)snprintf(t, cap, "%sstation s {\n cycle = 30 s\n", HEAD);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(t + len, cap - len, " failure f%d { ttf = 1000 h; ttr = 1 min }\n", i);
        snprintf(t + len, cap - len, "}\nsink done\nflow src -> s -> done\n");
        fab_model *m = check_str(t);
        ck_assert_int_eq(g_dc.errors, extra);
        if (!extra)
            ck_assert_int_eq(m->elements[fm_find_element(m, "s")].u.station.nfailures, 65535);
        done();
        free(t);
    }
}
END_TEST

/* A data file's lines are read whole: a value after 300 characters of other columns is not a
 * second value, and a 400-digit number is one value. */
START_TEST(test_empirical_file_long_lines)
{
    char path[] = "/tmp/fab-test-empirical-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "seconds,comment\n10,");
    for (int i = 0; i < 300; i++)
        fputc('x', fp);
    fprintf(fp, " 99\n2");
    for (int i = 0; i < 399; i++)
        fputc('0', fp);
    fprintf(fp, "e-398\n");
    fclose(fp);
    char text[512];
    snprintf(text, sizeof text, "%sstation s { cycle = empirical(\"%s\") }\nsink done\nflow src -> s -> done\n", HEAD, path);
    fab_model *m = check_str(text);
    remove(path);
    ck_assert_ptr_nonnull(m);
    const fm_dist *d = m->elements[fm_find_element(m, "s")].u.station.cycle;
    ck_assert_uint_eq(d->n, 2);
    ck_assert_double_eq(d->values[0], 10.0);
    ck_assert_double_eq_tol(d->values[1], 20.0, 1e-12);
    done();
}
END_TEST

/* The capacity of a conveyor counts a part that fits to within rounding (0.3 m / 0.1 m is
 * 2.9999999999999996), as the simulator does; 10^7 parts are the most. */
START_TEST(test_conveyor_capacity_rule)
{
    static const struct {
        const char *length, *spacing;
        long capacity;
    } cases[] = {{"0.3 m", "0.1 m", 3}, {"0.7 m", "0.1 m", 7}, {"12 m", "0.6 m", 20}, {"1 m", "0.3 m", 3},
                 {"1.9999999 m", "1 m", 1}, {"5 m", "5 m", 1}, {"10_000 km", "1 m", 10000000}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%sconveyor c { length = %s; speed = 1 m/s; spacing = %s }\nsink done\nflow src -> c -> done\n",
                 HEAD, cases[i].length, cases[i].spacing);
        fab_model *m = check_str(text);
        ck_assert_msg(m != NULL, "%s / %s", cases[i].length, cases[i].spacing);
        ck_assert_int_eq(m->elements[fm_find_element(m, "c")].u.conveyor.capacity, cases[i].capacity);
        done();
    }
}
END_TEST

/* A bool template parameter sets a conveyor's accumulating, explicitly or by its default. */
START_TEST(test_template_bool_sets_accumulating)
{
    fab_model *m = check_str(HEAD "template Belt(len: length, acc: bool = true) conveyor {\n"
                                  " length = len; speed = 0.5 m/s; spacing = len / 10; accumulating = acc }\n"
                                  "conveyor flat = Belt(6 m, acc: false)\nconveyor kept = Belt(6 m)\n"
                                  "conveyor set = Belt(4 m, acc: true)\nsink done\nflow src -> flat -> kept -> set -> done\n");
    ck_assert_ptr_nonnull(m);
    ck_assert(!m->elements[fm_find_element(m, "flat")].u.conveyor.accumulating);
    ck_assert(m->elements[fm_find_element(m, "kept")].u.conveyor.accumulating);
    ck_assert(m->elements[fm_find_element(m, "set")].u.conveyor.accumulating);
    ck_assert_int_eq(m->elements[fm_find_element(m, "set")].u.conveyor.capacity, 10);
    done();
    /* a parameter of another kind is still not a bool */
    m = check_str(HEAD "template Belt(len: length) conveyor {\n"
                       " length = len; speed = 0.5 m/s; spacing = len / 10; accumulating = len }\n"
                       "conveyor c = Belt(6 m)\nsink done\nflow src -> c -> done\n");
    ck_assert_ptr_null(m);
    ck_assert_int_eq(g_dc.errors, 1);
    done();
}
END_TEST

/* Each snippet must give exactly the given number of errors. */
static const struct {
    const char *text;
    int errors;
} bad_cases[] = {
    {HEAD "station m { cycle = 3 m }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = normal(mean: 3 s) }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = normal(mean: 3 s, sd: -1 s) }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = uniform(min: 3 s, max: 1 s) }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = constant(3 s) }\nroute m { a: 50 %; b: 40 % }\nsink a\nsink b\nflow src -> m -> a\nflow m -> b\n", 1},
    {HEAD "station m { cycle = constant(3 s) }\nstation m { cycle = constant(3 s) }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = constant(3 s) }\nsink done\nflow src -> mm -> done\n", 1},
    {HEAD "station m { cycle = constant(3 s) }\nsink done\nflow src -> done\n", 2}, /* no way in, no way out */
    {HEAD "station m { cycle = exponential(mean: 3 s + 2 m) }\nsink done\nflow src -> m -> done\n", 1},
    {HEAD "station m { cycle = constant(3 s) }\nsink done\nflow src -> m -> done\nstation z { cycle = 1 kg; capacity = 0 }\nflow m -> z -> done\n", 2},
    {"import \"std/none.fab\"\n" HEAD "sink done\nflow src -> done\n", 1},
};

START_TEST(test_error_classes)
{
    fab_model *m = check_str(bad_cases[_i].text);
    ck_assert_ptr_null(m);
    ck_assert_msg(g_dc.errors == bad_cases[_i].errors, "case %d: %d errors, expected %d", _i, g_dc.errors,
                  bad_cases[_i].errors);
    done();
}
END_TEST

START_TEST(test_garbage_does_not_crash)
{
    static const char *const garbage[] = {"", "}}}}", "station", "model \"", "flow a -> -> b", "((((((", "\xff\xfe\x00\x01",
                                          "part P { attr x = x }", "fn f(a) = f(a)\nmodel \"m\" { horizon = 1 h }\npart P { attr y = f(1) }"};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        diag_init(&g_dc, fopen("/dev/null", "w"));
        arena_init(&g_arena);
        sema_options opt = {0};
        fab_model *m = sema_check_source("g.fab", garbage[i], i == 6 ? 4 : strlen(garbage[i]), &opt, &g_dc, &g_arena);
        if (i == 0)
            ck_assert_ptr_nonnull(m); /* an empty file is a valid, empty library */
        done();
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sema");
    TCase *tc = tcase_create("core");
    /* a guard against hangs, not a speed check: the 65535-failure-mode models take about 3 s
     * under AddressSanitizer, near Check's default of 4 s on a loaded machine */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_settings_in_si);
    tcase_add_test(tc, test_station_and_streams);
    tcase_add_test(tc, test_quantity_arithmetic);
    tcase_add_test(tc, test_template_instantiation);
    tcase_add_test(tc, test_routes);
    tcase_add_test(tc, test_stdlib_templates);
    tcase_add_test(tc, test_rules_and_fn);
    tcase_add_test(tc, test_state_names_shared_with_elements_and_parts);
    tcase_add_test(tc, test_attributes_read_later_ones);
    tcase_add_test(tc, test_attribute_cycles_are_errors);
    tcase_add_test(tc, test_negative_duration_truncated);
    tcase_add_test(tc, test_builtin_call_as_constant_distribution);
    tcase_add_loop_test(tc, test_error_classes, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_garbage_does_not_crash);
    tcase_add_test(tc, test_doubling_fns_check_in_linear_time);
    tcase_add_test(tc, test_failure_modes_above_limit);
    tcase_add_test(tc, test_empirical_file_long_lines);
    tcase_add_test(tc, test_conveyor_capacity_rule);
    tcase_add_test(tc, test_template_bool_sets_accumulating);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
