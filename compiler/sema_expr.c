/*
 * sema_expr.c — expressions, constants and distributions of the semantic pass.
 *
 * In:  AST expressions with a scope (template bindings, fn parameters, `part`).
 * Out: fm_expr trees with names resolved (sx_expr), then typed with dimensions (sx_type);
 *      folded constants (sx_const, sx_quantity); checked fm_dist nodes in SI (sx_dist),
 *      including the negative-duration analysis and its warning.
 * Errors are reported through serr (sema_int.h) and make the functions return NULL/false.
 * Memory: results in the arena.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "hint.h"
#include "sema_int.h"

/* ---- distributions table ------------------------------------------------------------- */

typedef struct dist_info {
    const char *name;
    int nparams;
    const char *params[4];
} dist_info;

static const dist_info dist_table[] = {
#define FAB_DIST(id, nm, n, p0, p1, p2, p3) {nm, n, {p0, p1, p2, p3}},
#include "fab/dist.def"
#undef FAB_DIST
};
#define NDISTS ((int)(sizeof dist_table / sizeof dist_table[0]))

static int dist_lookup(const char *name)
{
    for (int i = 0; i < NDISTS; i++)
        if (strcmp(dist_table[i].name, name) == 0)
            return i;
    return -1;
}

/* Parameters that are pure numbers; all others carry the quantity's dimension. */
static bool param_dimensionless(const char *p)
{
    return strcmp(p, "shape") == 0 || strcmp(p, "k") == 0 || strcmp(p, "a") == 0 ||
           strcmp(p, "b") == 0 || strcmp(p, "p") == 0;
}

/* Parameters that are a spread (a difference of values, a scale), not a location. */
static bool param_spread(const char *p)
{
    return strcmp(p, "sd") == 0 || strcmp(p, "scale") == 0;
}

/* Distributions whose draws are counts or 0/1: dimensionless only. */
static bool dist_dimensionless(fab_dist_kind k)
{
    return k == FAB_DIST_POISSON || k == FAB_DIST_BERNOULLI;
}

bool sx_is_dist_call(ast_node *n)
{
    while (n && n->kind == AST_BOUND)
        n = n->kids[0];
    return n && n->kind == AST_CALL && dist_lookup(n->name) >= 0;
}

tval *sx_tval(sx_env *env, const char *name)
{
    if (!env)
        return NULL;
    for (int i = 0; i < env->ntv; i++)
        if (env->tvs[i].name == name)
            return &env->tvs[i];
    return NULL;
}

/* ---- building expressions --------------------------------------------------------------- */

static fm_expr *mk(sema *S, fm_expr_kind k, fab_loc loc, int nargs)
{
    fm_expr *e = arena_alloc(S->a, sizeof *e);
    if (!e)
        return NULL;
    e->kind = k;
    e->loc = loc;
    e->nargs = nargs;
    if (nargs)
        e->args = arena_array(S->a, (size_t)nargs, sizeof *e->args);
    return e;
}

static fm_expr *mk_num(sema *S, fab_loc loc, double v, fm_dim d)
{
    fm_expr *e = mk(S, FM_EX_NUM, loc, 0);
    if (e) {
        e->num = v;
        e->dim = d;
        e->type = FM_T_NUM;
    }
    return e;
}

static int builtin_lookup(const char *name, int *nargs)
{
    static const struct {
        const char *name;
        int nargs;
    } tab[] = {
#define FM_BUILTIN_T(id, nm, n) {nm, n},
        FM_BUILTIN_LIST(FM_BUILTIN_T)
#undef FM_BUILTIN_T
    };
    for (int i = 0; i < FM_BUILTIN__COUNT; i++)
        if (strcmp(tab[i].name, name) == 0) {
            *nargs = tab[i].nargs;
            return i;
        }
    return -1;
}

const char *sx_call_name_kind(const char *name)
{
    int nargs;
    if (builtin_lookup(name, &nargs) >= 0 || strcmp(name, "level") == 0 || strcmp(name, "state") == 0)
        return "a built-in function";
    if (dist_lookup(name) >= 0)
        return "a distribution";
    return NULL;
}

static int state_lookup(const char *name)
{
    for (int i = 0; i < FM_STATE__COUNT; i++)
        if (strcmp(fm_state_name((fm_state)i), name) == 0)
            return i;
    return -1;
}

static int fn_param(sx_env *env, const char *name)
{
    if (!env || !env->fn)
        return -1;
    for (int i = 0; i < env->fn->nparams; i++)
        if (env->fn->params[i] == name)
            return i;
    return -1;
}

static int attr_lookup(sema *S, const char *name)
{
    for (int i = 0; i < S->attrs.n; i++)
        if (((fm_attr *)S->attrs.items[i])->name == name)
            return i;
    return -1;
}

static fm_expr *from_tval(sema *S, tval *tv, fab_loc loc)
{
    switch (tv->kind) {
    case TV_NUM: {
        fm_expr *e = mk_num(S, loc, tv->num, tv->dim);
        if (e && tv->any_dim)
            e->index = 1;
        return e;
    }
    case TV_BOOL: {
        fm_expr *e = mk(S, FM_EX_BOOL, loc, 0);
        if (e) {
            e->num = tv->num;
            e->type = FM_T_BOOL;
        }
        return e;
    }
    case TV_PARTTYPE: {
        fm_expr *e = mk(S, FM_EX_PARTTYPE_CONST, loc, 0);
        if (e) {
            e->index = tv->part;
            e->type = FM_T_PARTTYPE;
        }
        return e;
    }
    case TV_DIST:
        serr(S, loc, "template parameter '%s' is a distribution; a constant is needed here", tv->name);
        return NULL;
    case TV_ELEMENT:
        serr(S, loc, "template parameter '%s' is an element, not a value", tv->name);
        return NULL;
    }
    return NULL;
}

/* An element named by an argument of level()/state(): a name, or a template parameter of
 * type element. Returns the element index or -1 (reported). */
static int element_arg(sema *S, sx_env *env, ast_node *arg, const char *fname)
{
    if (!arg || arg->kind != AST_IDENT) {
        serr(S, arg ? arg->loc : (fab_loc){0, 0, 0}, "%s() expects the name of an element", fname);
        return -1;
    }
    tval *tv = sx_tval(env, arg->name);
    if (tv && tv->kind == TV_ELEMENT)
        return tv->part;
    sym *s = sym_find(S, arg->name);
    if (s && s->kind != SYM_ELEMENT) {
        /* not reported again when a reported second declaration of the name was an element,
         * which the reference may mean */
        if (!(s->redeclared_kinds & (1u << SYM_ELEMENT)))
            serr(S, arg->loc, "'%s' is a %s, not an element: %s() takes an element", arg->name,
                 s->kind == SYM_PART ? "part type" : s->kind == SYM_FN ? "fn" : "template", fname);
        return -1;
    }
    if (!s) {
        const char *h = sym_suggest(S, arg->name, SYM_ELEMENT);
        if (h)
            serr(S, arg->loc, "unknown element '%s' in %s(); did you mean '%s'?", arg->name, fname, h);
        else
            serr(S, arg->loc, "unknown element '%s' in %s()", arg->name, fname);
        return -1;
    }
    return s->index;
}

/* The SI unit of a dimension as written in .fab files (`W` for a power), or NULL. */
static const char *si_unit(fm_dim d)
{
    for (int i = 0; i < units_count(); i++) {
        const units_unit *u = units_get(i);
        if (u->scale == 1.0 && u->offset == 0.0 && units_dim_eq(u->dim, d))
            return u->spelling;
    }
    return NULL;
}

/* A number literal whose value v the double cannot hold: too small, rounded to 0 or to a
 * subnormal (`1e-400`, `1e-310 ms`), or too large once converted (`1e307 MW`). v is in SI
 * units (in: the SI unit, "a fraction" for a percentage, NULL for a plain number). The lexer
 * reports literals too large by themselves. */
static bool literal_in_range(sema *S, ast_node *n, double v, const char *in)
{
    const char *t = n->str ? n->str : "";
    bool nonzero = false;
    for (const char *p = t; *p && *p != 'e' && *p != 'E'; p++)
        nonzero |= *p >= '1' && *p <= '9';
    if (isinf(v)) {
        if (!in)
            serr(S, n->loc, "number is too large (the largest is about 1.8e308)");
        else
            serr(S, n->loc, "%s is too large: %s%s it is beyond the largest number, about 1.8e308", src_text(S, n),
                 strcmp(in, "a fraction") == 0 ? "as " : "in ", in);
        return false;
    }
    if (nonzero && (fabs(n->num) < DBL_MIN || fabs(v) < DBL_MIN)) {
        if (fabs(n->num) < DBL_MIN || !in)
            serr(S, n->loc, "number is too small (the smallest is about 2.2e-308); write 0 for zero");
        else
            serr(S, n->loc, "%s is too small: %s%s it is below the smallest number, about 2.2e-308", src_text(S, n),
                 strcmp(in, "a fraction") == 0 ? "as " : "in ", in);
        return false;
    }
    return true;
}

/* The affine unit (degC) of an absolute temperature written as a literal, `22 degC` or
 * `-22 degC`, or NULL when n is not one. Such a literal is valid where an absolute value is
 * (a comparison, a location parameter, a bound), not as an operand of arithmetic or as a
 * spread, which are temperature differences (in K). */
static const units_unit *affine_literal(const ast_node *n)
{
    if (n && n->kind == AST_UNARY && n->op == AST_OP_NEG)
        n = n->kids[0];
    const units_unit *u = n && n->kind == AST_QTY ? units_get(n->unit) : NULL;
    return u && u->offset != 0.0 ? u : NULL;
}

/* The quantity literal q, negated when neg (`-22 degC`: the sign belongs to the number, so
 * that an affine unit's offset is added after it, as the simulator's --set reads it), in SI
 * units, at loc. */
static fm_expr *quantity_literal(sema *S, ast_node *q, bool neg, fab_loc loc)
{
    const units_unit *u = units_get(q->unit);
    if (!u)
        return NULL; /* reported by the lexer */
    double num = neg ? -q->num : q->num;
    double v = num * u->scale + u->offset;
    const char *si = si_unit(u->dim);
    if (!literal_in_range(S, q, u->offset != 0.0 ? q->num : v, si ? si : "SI units"))
        return NULL;
    return mk_num(S, loc, v, u->dim);
}

/* False (reported) when the operand n of the arithmetic operator op is an absolute
 * temperature in an affine unit. */
static bool affine_operand(sema *S, const ast_node *n, const char *op)
{
    const units_unit *u = affine_literal(n);
    if (!u)
        return true;
    serr(S, n->loc, "an absolute temperature in %s cannot be an operand of '%s'; write temperature differences in K",
         u->spelling, op);
    return false;
}

fm_expr *sx_expr(sema *S, sx_env *env, ast_node *n)
{
    if (!n)
        return NULL;
    switch (n->kind) {
    case AST_ERROR:
        return NULL; /* a syntax error, already reported */
    case AST_NUM:
        if (!literal_in_range(S, n, n->num, NULL))
            return NULL;
        return mk_num(S, n->loc, n->num, units_dim_none());
    case AST_QTY:
        return quantity_literal(S, n, false, n->loc);
    case AST_PERCENT:
        if (!literal_in_range(S, n, n->num / 100.0, "a fraction"))
            return NULL;
        return mk_num(S, n->loc, n->num / 100.0, units_dim_none());
    case AST_INF: {
        fm_expr *e = mk_num(S, n->loc, INFINITY, units_dim_none());
        if (e)
            e->index = 1; /* any dimension */
        return e;
    }
    case AST_BOOL: {
        fm_expr *e = mk(S, FM_EX_BOOL, n->loc, 0);
        if (e) {
            e->num = n->op;
            e->type = FM_T_BOOL;
        }
        return e;
    }
    case AST_STR:
        serr(S, n->loc, "a string cannot be used as a value here");
        return NULL;
    case AST_PARTREF: {
        int pi = fn_param(env, arena_intern(S->a, "part", 4));
        if (pi >= 0) {
            fm_expr *e = mk(S, FM_EX_PARAM, n->loc, 0);
            if (e)
                e->index = pi;
            return e;
        }
        if (!env || !env->part_ok) {
            serr(S, n->loc, "'part' is only available in route rules, buffer order keys and attribute definitions (pass it to a fn as an argument)");
            return NULL;
        }
        fm_expr *e = mk(S, FM_EX_PART, n->loc, 0);
        if (e)
            e->type = FM_T_PART;
        return e;
    }
    case AST_IDENT: {
        int pi = fn_param(env, n->name);
        if (pi >= 0) {
            fm_expr *e = mk(S, FM_EX_PARAM, n->loc, 0);
            if (e)
                e->index = pi;
            return e;
        }
        tval *tv = sx_tval(env, n->name);
        if (tv)
            return from_tval(S, tv, n->loc);
        if (strcmp(n->name, "now") == 0) {
            fm_expr *e = mk(S, FM_EX_NOW, n->loc, 0);
            if (e) {
                e->type = FM_T_NUM;
                e->dim = UNITS_TIME;
            }
            return e;
        }
        sym *s = sym_find(S, n->name);
        int st = state_lookup(n->name);
        if (s && s->kind == SYM_PART) {
            fm_expr *e = mk(S, FM_EX_PARTTYPE_CONST, n->loc, 0);
            if (e) {
                e->index = s->index;
                e->type = FM_T_PARTTYPE;
                e->num = st + 1; /* a part type named like a state: compared with a state, it is one */
            }
            return e;
        }
        /* an element is never a value: a name of an element and of a state is the state */
        if (st >= 0 && (!s || s->kind == SYM_ELEMENT)) {
            fm_expr *e = mk(S, FM_EX_STATE_CONST, n->loc, 0);
            if (e) {
                e->index = st;
                e->type = FM_T_STATE;
            }
            return e;
        }
        if (s && s->kind == SYM_ELEMENT) {
            /* unless a reported second declaration of the name was a part type, which the
             * reference may mean */
            if (!(s->redeclared_kinds & (1u << SYM_PART)))
                serr(S, n->loc, "element '%s' is not a value; use level(%s) or state(%s)", n->name, n->name, n->name);
            return NULL;
        }
        if (s) {
            serr(S, n->loc, "'%s' is a %s, not a value", n->name, s->kind == SYM_FN ? "fn" : "template");
            return NULL;
        }
        const char *h = sym_suggest(S, n->name, -1);
        if (env && env->fn && !h) {
            h = hint_nearest(n->name, env->fn->params, (size_t)env->fn->nparams);
        }
        if (!h) {
            /* `state(m) == idel` */
            const char *states[FM_STATE__COUNT];
            for (int i = 0; i < FM_STATE__COUNT; i++)
                states[i] = fm_state_name((fm_state)i);
            h = hint_nearest(n->name, states, FM_STATE__COUNT);
        }
        if (h)
            serr(S, n->loc, "unknown name '%s'; did you mean '%s'?", n->name, h);
        else
            serr(S, n->loc, "unknown name '%s'", n->name);
        return NULL;
    }
    case AST_BINARY: {
        static const fm_expr_kind map[AST_OP__COUNT] = {
            [AST_OP_OR] = FM_EX_OR, [AST_OP_AND] = FM_EX_AND, [AST_OP_EQ] = FM_EX_EQ,
            [AST_OP_NE] = FM_EX_NE, [AST_OP_LT] = FM_EX_LT, [AST_OP_LE] = FM_EX_LE,
            [AST_OP_GT] = FM_EX_GT, [AST_OP_GE] = FM_EX_GE, [AST_OP_ADD] = FM_EX_ADD,
            [AST_OP_SUB] = FM_EX_SUB, [AST_OP_MUL] = FM_EX_MUL, [AST_OP_DIV] = FM_EX_DIV,
        };
        if (n->op == AST_OP_ADD || n->op == AST_OP_SUB || n->op == AST_OP_MUL || n->op == AST_OP_DIV)
            for (int i = 0; i < 2; i++)
                if (!affine_operand(S, n->kids[i], ast_op_spelling((ast_op)n->op)))
                    return NULL;
        fm_expr *l = sx_expr(S, env, n->kids[0]);
        fm_expr *r = sx_expr(S, env, n->kids[1]);
        if (!l || !r)
            return NULL;
        fm_expr *e = mk(S, map[n->op], n->loc, 2);
        if (e) {
            e->args[0] = l;
            e->args[1] = r;
        }
        return e;
    }
    case AST_UNARY: {
        if (n->op == AST_OP_NEG && n->kids[0]->kind == AST_QTY && affine_literal(n))
            return quantity_literal(S, n->kids[0], true, n->loc);
        if (n->op == AST_OP_NEG && !affine_operand(S, n->kids[0], "-"))
            return NULL;
        fm_expr *x = sx_expr(S, env, n->kids[0]);
        if (!x)
            return NULL;
        fm_expr *e = mk(S, n->op == AST_OP_NOT ? FM_EX_NOT : FM_EX_NEG, n->loc, 1);
        if (e)
            e->args[0] = x;
        return e;
    }
    case AST_IF: {
        fm_expr *c = sx_expr(S, env, n->kids[0]);
        fm_expr *t = sx_expr(S, env, n->kids[1]);
        fm_expr *f = sx_expr(S, env, n->kids[2]);
        if (!c || !t || !f)
            return NULL;
        fm_expr *e = mk(S, FM_EX_IF, n->loc, 3);
        if (e) {
            e->args[0] = c;
            e->args[1] = t;
            e->args[2] = f;
        }
        return e;
    }
    case AST_MEMBER: {
        fm_expr *obj = sx_expr(S, env, n->kids[0]);
        if (!obj)
            return NULL;
        if (obj->kind == FM_EX_PARAM && env && env->fn)
            env->fn->param_types[obj->index] = FM_T_PART;
        else if (obj->kind != FM_EX_PART) {
            serr(S, n->kids[0]->loc, "only a part has fields ('.%s')", n->name);
            return NULL;
        }
        fm_expr *e;
        if (strcmp(n->name, "type") == 0) {
            e = mk(S, FM_EX_PART_TYPE, n->loc, 1);
        } else if (strcmp(n->name, "created") == 0) {
            e = mk(S, FM_EX_PART_CREATED, n->loc, 1);
        } else {
            int ai = attr_lookup(S, n->name);
            if (ai < 0) {
                const char *cands[64];
                size_t nc = 0;
                cands[nc++] = "type";
                cands[nc++] = "created";
                for (int i = 0; i < S->attrs.n && nc < 64; i++)
                    cands[nc++] = ((fm_attr *)S->attrs.items[i])->name;
                const char *h = hint_nearest(n->name, cands, nc);
                if (h)
                    serr(S, n->loc, "no part type has an attribute '%s'; did you mean '%s'?", n->name, h);
                else
                    serr(S, n->loc, "no part type has an attribute '%s' (parts have type, created and their `attr` attributes)", n->name);
                return NULL;
            }
            e = mk(S, FM_EX_PART_ATTR, n->loc, 1);
            if (e)
                e->index = ai;
        }
        if (e)
            e->args[0] = obj;
        return e;
    }
    case AST_CALL: {
        int nargs = 0;
        for (int i = 0; i < n->nkids; i++)
            if (n->kids[i]->kind == AST_NAMED) {
                sym *callee = sym_find(S, n->name);
                if (callee && callee->kind == SYM_TEMPLATE)
                    serr(S, n->loc, "'%s' is a template: it makes an element (`station x = %s(...)`) and cannot be used as a value",
                         n->name, n->name);
                else if (dist_lookup(n->name) >= 0)
                    serr(S, n->loc, "a distribution cannot appear inside an expression (only as a property, parameter or attribute value)");
                else
                    serr(S, n->kids[i]->loc, "%s() takes positional arguments", n->name);
                return NULL;
            }
        if (strcmp(n->name, "level") == 0 || strcmp(n->name, "state") == 0) {
            if (n->nkids != 1) {
                serr(S, n->loc, "%s() takes one element name", n->name);
                return NULL;
            }
            int ei = element_arg(S, env, n->kids[0], n->name);
            if (ei < 0)
                return NULL;
            if (n->name[0] == 's') {
                ast_node *decl = S->elem_decl[ei];
                if (decl->op != FM_ELEM_STATION && decl->op != FM_ELEM_ASSEMBLY) {
                    serr(S, n->kids[0]->loc, "state() needs a station or an assembly; %s is a %s", decl->name,
                         fm_elem_kind_name((fm_elem_kind)decl->op));
                    return NULL;
                }
            }
            fm_expr *e = mk(S, n->name[0] == 'l' ? FM_EX_LEVEL : FM_EX_STATE, n->loc, 0);
            if (e)
                e->index = ei;
            return e;
        }
        int bi = builtin_lookup(n->name, &nargs);
        sym *s = bi < 0 ? sym_find(S, n->name) : NULL;
        if (bi < 0 && (!s || s->kind != SYM_FN)) {
            if (dist_lookup(n->name) >= 0) {
                serr(S, n->loc, "a distribution cannot be used inside an expression; use it as a whole property value");
                return NULL;
            }
            const char *cands[FM_BUILTIN__COUNT + 3];
            for (int i = 0; i < FM_BUILTIN__COUNT; i++)
                cands[i] = fm_builtin_name((fm_builtin)i);
            cands[FM_BUILTIN__COUNT] = "level";
            cands[FM_BUILTIN__COUNT + 1] = "state";
            cands[FM_BUILTIN__COUNT + 2] = sym_suggest(S, n->name, SYM_FN);
            const char *h = hint_nearest(n->name, cands, FM_BUILTIN__COUNT + 3);
            if (h)
                serr(S, n->loc, "unknown function '%s'; did you mean '%s'?", n->name, h);
            else
                serr(S, n->loc, "unknown function '%s'", n->name);
            return NULL;
        }
        if (s)
            nargs = S->m->fns[s->index].nparams;
        if (n->nkids != nargs) {
            serr(S, n->loc, "%s() takes %d argument%s, not %d", n->name, nargs, nargs == 1 ? "" : "s", n->nkids);
            if (s)
                snote(S, s->decl->nloc, "%s is defined here", n->name);
            return NULL;
        }
        fm_expr *e = mk(S, bi >= 0 ? FM_EX_BUILTIN : FM_EX_CALL, n->loc, nargs);
        if (!e)
            return NULL;
        e->index = bi >= 0 ? bi : s->index;
        bool ok = true;
        for (int i = 0; i < nargs; i++) {
            e->args[i] = sx_expr(S, env, n->kids[i]);
            ok = ok && e->args[i];
        }
        return ok ? e : NULL;
    }
    case AST_MAP:
    case AST_LIST:
        serr(S, n->loc, "a %s cannot be used as a value here", n->kind == AST_MAP ? "map" : "list");
        return NULL;
    case AST_BOUND:
        serr(S, n->loc, "'%s' applies to a distribution, not to an expression", n->op == AST_BOUND_CLAMP ? "clamp" : "truncate");
        return NULL;
    case AST_ORDER_BY:
        serr(S, n->loc, "'by ... ascending/descending' is only valid for a buffer's order");
        return NULL;
    default:
        return NULL;
    }
}

/* ---- typing ------------------------------------------------------------------------------ */

const char *dim_name(fm_dim d, char *buf, size_t n)
{
    return units_dim_str(d, buf, n);
}

/* "a number", "a condition", ...: the kind of a value of type t. */
static const char *kind_word(fm_type t)
{
    switch (t) {
    case FM_T_NUM: return "a number";
    case FM_T_BOOL: return "a condition";
    case FM_T_PART: return "a part";
    case FM_T_PARTTYPE: return "a part type";
    case FM_T_STATE: return "a station state";
    }
    return "?";
}

static const char *type_word(fm_expr *e, char *buf, size_t n)
{
    if (e->type != FM_T_NUM)
        return kind_word(e->type);
    char d[48];
    const char *dn = dim_name(e->dim, d, sizeof d);
    snprintf(buf, n, "%s %s", units_article(dn), dn);
    return buf;
}

typedef struct tc_ctx {
    fm_type *ptypes;
    fm_dim *pdims;
    int depth;
    bool lenient; /* parameters have any dimension */
    int height;   /* out: how deep fn calls nest below this expression (0: no call) */
} tc_ctx;

/* fn calls nest at most this deep (recursion is rejected before typing; this bounds the C
 * stack of typing and folding) */
#define FN_MAX_DEPTH 64

/* A fn body typed successfully for one signature: the types and dimensions of its arguments,
 * the mode, and the attribute dimensions known then. A call with the same signature has the
 * same result without typing the body again (which, with fns calling fns twice, would cost
 * 2^n); a failed typing is not kept, so that every call reports its errors as before. */
typedef struct tc_memo {
    struct tc_memo *next;
    int nparams;
    fm_type *ptypes;
    fm_dim *pdims;
    bool lenient;
    unsigned attr_gen;
    int height; /* of the body's calls: valid for a call at depth d when d + height <= FN_MAX_DEPTH */
    fm_type type;
    fm_dim dim;
} tc_memo;

static tc_memo *tc_memo_find(sema *S, int fi, const tc_ctx *inner)
{
    if (!S->tc_memo)
        return NULL;
    for (tc_memo *t = S->tc_memo[fi]; t; t = t->next) {
        if (t->lenient != inner->lenient || t->attr_gen != S->attr_gen)
            continue;
        int i = 0;
        while (i < t->nparams && t->ptypes[i] == inner->ptypes[i] && units_dim_eq(t->pdims[i], inner->pdims[i]))
            i++;
        if (i == t->nparams)
            return t;
    }
    return NULL;
}

/* Keep a successful typing (inner's arrays become the memo's: they are not reused). */
static void tc_memo_add(sema *S, int fi, const tc_ctx *inner, const fm_expr *body)
{
    if (!S->tc_memo)
        S->tc_memo = arena_array(S->a, (size_t)S->m->nfns + 1, sizeof *S->tc_memo);
    tc_memo *t = S->tc_memo ? arena_alloc(S->a, sizeof *t) : NULL;
    if (!t)
        return;
    t->nparams = S->m->fns[fi].nparams;
    t->ptypes = inner->ptypes;
    t->pdims = inner->pdims;
    t->lenient = inner->lenient;
    t->attr_gen = S->attr_gen;
    t->height = inner->height;
    t->type = body->type;
    t->dim = body->dim;
    t->next = S->tc_memo[fi];
    S->tc_memo[fi] = t;
}

/* inf, and what keeps it infinite with no dimension of its own (`-inf`, `2 * inf`,
 * `inf / 2`): takes the dimension of its context. tc marks these with index 1 (on FM_EX_NUM,
 * sx_expr does). In lenient mode a parameter is such too (anyd). */
static bool any_dim(const fm_expr *e)
{
    return (e->kind == FM_EX_NUM || e->kind == FM_EX_NEG || e->kind == FM_EX_MUL || e->kind == FM_EX_DIV) &&
           e->index == 1;
}

/* An operand that leaves the any-dimension of the other one (`2` in `2 * inf`): a
 * dimensionless number, or one of any dimension itself. */
static bool keeps_any_dim(const fm_expr *e)
{
    return e->type == FM_T_NUM && (any_dim(e) || units_dim_is_none(e->dim));
}

static bool anyd(const tc_ctx *c, fm_expr *e)
{
    return any_dim(e) || (c->lenient && e->kind == FM_EX_PARAM);
}

static bool tc(sema *S, fm_expr *e, tc_ctx *c);

/* For a state name that also names an element (`station idle`), where a number was wanted:
 * " ('idle' names the state here; for the parts in the element write level(idle))", else "". */
static const char *state_named_element_hint(sema *S, const fm_expr *e)
{
    if (e->kind != FM_EX_STATE_CONST)
        return "";
    const char *name = fm_state_name((fm_state)e->index);
    sym *s = sym_find(S, arena_intern(S->a, name, strlen(name)));
    if (!s || s->kind != SYM_ELEMENT)
        return "";
    const char *h = arena_printf(S->a, " ('%s' names the state here; for the parts in the element write level(%s))", name, name);
    return h ? h : "";
}

static bool tc_num(sema *S, fm_expr *e, const char *what)
{
    if (e->type != FM_T_NUM) {
        char b[64];
        serr(S, e->loc, "%s needs a number; this is %s%s", what, type_word(e, b, sizeof b), state_named_element_hint(S, e));
        return false;
    }
    return true;
}

/* A fn is compiled once, so its arguments and result must be of one kind (number, condition,
 * part, part type, state) at all its calls: the first typed call sets them, the others must
 * agree (dimensions may differ). */
static bool fn_call_kinds_agree(sema *S, fm_expr *e, fm_fn *fn, const fm_type *ptypes)
{
    int n = fn->nparams;
    if (!fn->call_types) {
        fn->call_types = arena_array(S->a, (size_t)n + 1, sizeof *fn->call_types);
        if (!fn->call_types)
            return false;
        for (int i = 0; i < n; i++)
            fn->call_types[i] = ptypes[i];
        fn->call_types[n] = e->type;
        fn->call_loc = e->loc;
        return true;
    }
    for (int i = 0; i <= n; i++) {
        fm_type now = i < n ? ptypes[i] : e->type;
        if (now == fn->call_types[i])
            continue;
        if (i < n)
            serr(S, e->args[i]->loc, "argument %d of %s() is %s here but %s at another call: a fn's "
                 "arguments keep one kind at all its calls", i + 1, fn->name, kind_word(now),
                 kind_word(fn->call_types[i]));
        else
            serr(S, e->loc, "%s() gives %s here but %s at another call: a fn's result keeps one "
                 "kind at all its calls", fn->name, kind_word(now), kind_word(fn->call_types[i]));
        snote(S, fn->call_loc, "the other call of %s()", fn->name);
        return false;
    }
    return true;
}

static bool tc_call(sema *S, fm_expr *e, tc_ctx *c)
{
    fm_fn *fn = &S->m->fns[e->index];
    if (c->depth > FN_MAX_DEPTH) { /* recursion is rejected before typing; this bounds the C stack */
        serr(S, e->loc, "fn calls are nested more than %d deep at this call of %s", FN_MAX_DEPTH, fn->name);
        return false;
    }
    tc_ctx inner = {arena_array(S->a, (size_t)fn->nparams + 1, sizeof(fm_type)),
                    arena_array(S->a, (size_t)fn->nparams + 1, sizeof(fm_dim)), c->depth + 1, c->lenient, 0};
    if (!inner.ptypes || !inner.pdims || !fn->body)
        return false;
    for (int i = 0; i < fn->nparams; i++) {
        fm_expr *a = e->args[i];
        if (fn->param_types[i] == FM_T_PART && a->type != FM_T_PART) {
            char b[64];
            serr(S, a->loc, "argument %d of %s() must be a part (the fn reads its fields); this is %s",
                 i + 1, fn->name, type_word(a, b, sizeof b));
            return false;
        }
        inner.ptypes[i] = a->type;
        inner.pdims[i] = a->dim;
    }
    int before = S->dc->errors;
    if (S->fn_called)
        S->fn_called[e->index] = true;
    /* typed before with this signature, and its calls would not nest too deep from here */
    tc_memo *t = tc_memo_find(S, e->index, &inner);
    if (t && c->depth + t->height <= FN_MAX_DEPTH) {
        e->type = t->type;
        e->dim = t->dim;
        if (c->height < t->height + 1)
            c->height = t->height + 1;
        return c->lenient || fn_call_kinds_agree(S, e, fn, inner.ptypes);
    }
    bool ok = tc(S, fn->body, &inner);
    if (!ok && S->dc->errors > before)
        snote(S, e->loc, "in this call of %s()", fn->name);
    if (ok) {
        e->type = fn->body->type;
        e->dim = fn->body->dim;
        if (c->height < inner.height + 1)
            c->height = inner.height + 1;
        tc_memo_add(S, e->index, &inner, fn->body);
        if (!c->lenient)
            ok = fn_call_kinds_agree(S, e, fn, inner.ptypes);
    }
    return ok;
}
/* "a time (`part.due`)": the type word of an operand with its source text when short. */
static const char *operand_text(sema *S, fm_expr *x, char *buf, size_t n)
{
    const char *w = type_word(x, buf, n);
    const diag_file *f = diag_get_file(S->dc, x->loc.file);
    if (!f || x->loc.end > f->len || x->loc.end <= x->loc.start || x->loc.end - x->loc.start > 40)
        return w;
    for (uint32_t i = x->loc.start; i < x->loc.end; i++)
        if (f->text[i] == '\n')
            return w;
    return arena_printf(S->a, "%s (`%.*s`)", w, (int)(x->loc.end - x->loc.start), f->text + x->loc.start);
}

/* The `m`-for-minutes hint when a time meets a length written in metres. */
static const char *metre_minute_hint(sema *S, const fm_expr *l, const fm_expr *r)
{
    const fm_expr *len = NULL;
    if (units_dim_eq(l->dim, UNITS_TIME) && units_dim_eq(r->dim, UNITS_DIM(0, 1, 0, 0, 0)))
        len = r;
    else if (units_dim_eq(r->dim, UNITS_TIME) && units_dim_eq(l->dim, UNITS_DIM(0, 1, 0, 0, 0)))
        len = l;
    const diag_file *f = len ? diag_get_file(S->dc, len->loc.file) : NULL;
    if (!f || len->loc.end > f->len || len->loc.end - len->loc.start < 2)
        return "";
    const char *t = f->text + len->loc.end;
    if (t[-1] == 'm' && (t[-2] == ' ' || (t[-2] >= '0' && t[-2] <= '9')))
        return "; `m` is metres: write `min` for minutes";
    return "";
}

/* `state(a) == busy` with a part type `busy`: a part-type name that is also a state name
 * (FM_EX_PARTTYPE_CONST with num = the state + 1), compared with a station state, means the
 * state. Compared with a part type, it stays the part type. */
static void part_name_as_state(fm_expr *x, const fm_expr *other)
{
    if (x->kind != FM_EX_PARTTYPE_CONST || x->num < 1 || other->type != FM_T_STATE)
        return;
    x->kind = FM_EX_STATE_CONST;
    x->type = FM_T_STATE;
    x->index = (int)x->num - 1;
    x->num = 0;
}

static bool tc(sema *S, fm_expr *e, tc_ctx *c)
{
    char b1[64], b2[64];
    for (int i = 0; i < e->nargs; i++)
        if (e->kind != FM_EX_IF && !tc(S, e->args[i], c))
            return false;
    fm_expr *l = e->nargs > 0 ? e->args[0] : NULL;
    fm_expr *r = e->nargs > 1 ? e->args[1] : NULL;
    switch (e->kind) {
    case FM_EX_NUM:
        e->type = FM_T_NUM;
        return true;
    case FM_EX_BOOL:
        e->type = FM_T_BOOL;
        return true;
    case FM_EX_NEG:
        if (!tc_num(S, l, "'-'"))
            return false;
        e->type = FM_T_NUM;
        e->dim = l->dim;
        e->index = any_dim(l);
        return true;
    case FM_EX_NOT:
        if (l->type != FM_T_BOOL) {
            serr(S, l->loc, "'not' needs a condition; this is %s", type_word(l, b1, sizeof b1));
            return false;
        }
        e->type = FM_T_BOOL;
        return true;
    case FM_EX_ADD:
    case FM_EX_SUB:
        if (!tc_num(S, l, e->kind == FM_EX_ADD ? "'+'" : "'-'") || !tc_num(S, r, e->kind == FM_EX_ADD ? "'+'" : "'-'"))
            return false;
        if (!anyd(c, l) && !anyd(c, r) && !units_dim_eq(l->dim, r->dim)) {
            serr(S, e->loc, "cannot %s %s and %s%s", e->kind == FM_EX_ADD ? "add" : "subtract",
                 operand_text(S, l, b1, sizeof b1), operand_text(S, r, b2, sizeof b2), metre_minute_hint(S, l, r));
            return false;
        }
        e->type = FM_T_NUM;
        e->dim = anyd(c, l) ? r->dim : l->dim;
        return true;
    case FM_EX_MUL:
    case FM_EX_DIV:
        if (!tc_num(S, l, e->kind == FM_EX_MUL ? "'*'" : "'/'") || !tc_num(S, r, e->kind == FM_EX_MUL ? "'*'" : "'/'"))
            return false;
        e->type = FM_T_NUM;
        if (!(e->kind == FM_EX_MUL ? units_dim_mul(l->dim, r->dim, &e->dim) : units_dim_div(l->dim, r->dim, &e->dim))) {
            serr(S, e->loc, "dimension exponent out of range: the %s of %s %s %s has an exponent outside %d..%d",
                 e->kind == FM_EX_MUL ? "product" : "quotient", dim_name(l->dim, b1, sizeof b1),
                 e->kind == FM_EX_MUL ? "and" : "by", dim_name(r->dim, b2, sizeof b2), INT8_MIN, INT8_MAX);
            return false;
        }
        /* inf times or over a plain number is still infinite; inf / inf is not */
        e->index = e->kind == FM_EX_MUL ? (any_dim(l) || any_dim(r)) && keeps_any_dim(l) && keeps_any_dim(r)
                                        : any_dim(l) && !any_dim(r) && keeps_any_dim(r);
        return true;
    case FM_EX_LT:
    case FM_EX_LE:
    case FM_EX_GT:
    case FM_EX_GE:
    case FM_EX_EQ:
    case FM_EX_NE:
        if (e->kind == FM_EX_EQ || e->kind == FM_EX_NE) {
            part_name_as_state(l, r);
            part_name_as_state(r, l);
        }
        if ((e->kind == FM_EX_EQ || e->kind == FM_EX_NE) && l->type == r->type &&
            (l->type == FM_T_PARTTYPE || l->type == FM_T_STATE || l->type == FM_T_BOOL)) {
            e->type = FM_T_BOOL;
            return true;
        }
        if (l->type != FM_T_NUM || r->type != FM_T_NUM) {
            const char *h = state_named_element_hint(S, r->type == FM_T_NUM ? l : r);
            serr(S, e->loc, "cannot compare %s with %s%s", type_word(l, b1, sizeof b1), type_word(r, b2, sizeof b2), h);
            return false;
        }
        if (!anyd(c, l) && !anyd(c, r) && !units_dim_eq(l->dim, r->dim)) {
            serr(S, e->loc, "cannot compare %s with %s%s", operand_text(S, l, b1, sizeof b1), operand_text(S, r, b2, sizeof b2),
                 metre_minute_hint(S, l, r));
            return false;
        }
        e->type = FM_T_BOOL;
        return true;
    case FM_EX_AND:
    case FM_EX_OR:
        for (int i = 0; i < 2; i++)
            if (e->args[i]->type != FM_T_BOOL) {
                serr(S, e->args[i]->loc, "'%s' needs conditions; this is %s", e->kind == FM_EX_AND ? "and" : "or",
                     type_word(e->args[i], b1, sizeof b1));
                return false;
            }
        e->type = FM_T_BOOL;
        return true;
    case FM_EX_IF: {
        for (int i = 0; i < 3; i++)
            if (!tc(S, e->args[i], c))
                return false;
        if (e->args[0]->type != FM_T_BOOL) {
            serr(S, e->args[0]->loc, "'if' needs a condition; this is %s", type_word(e->args[0], b1, sizeof b1));
            return false;
        }
        fm_expr *t = e->args[1], *f = e->args[2];
        if (t->type != f->type || (t->type == FM_T_NUM && !anyd(c, t) && !anyd(c, f) && !units_dim_eq(t->dim, f->dim))) {
            serr(S, e->loc, "the branches of 'if' differ: 'then' gives %s, 'else' gives %s",
                 type_word(t, b1, sizeof b1), type_word(f, b2, sizeof b2));
            return false;
        }
        e->type = t->type;
        e->dim = anyd(c, t) ? f->dim : t->dim;
        return true;
    }
    case FM_EX_BUILTIN:
        for (int i = 0; i < e->nargs; i++)
            if (!tc_num(S, e->args[i], fm_builtin_name((fm_builtin)e->index)))
                return false;
        e->type = FM_T_NUM;
        switch ((fm_builtin)e->index) {
        case FM_BUILTIN_MIN:
        case FM_BUILTIN_MAX:
            if (!anyd(c, l) && !anyd(c, r) && !units_dim_eq(l->dim, r->dim)) {
                serr(S, e->loc, "%s() of %s and %s", fm_builtin_name((fm_builtin)e->index),
                     type_word(l, b1, sizeof b1), type_word(r, b2, sizeof b2));
                return false;
            }
            e->dim = anyd(c, l) ? r->dim : l->dim;
            return true;
        case FM_BUILTIN_ABS:
            e->dim = l->dim;
            return true;
        case FM_BUILTIN_EXP:
        case FM_BUILTIN_LOG:
            if (!units_dim_is_none(l->dim)) {
                serr(S, l->loc, "%s() needs a dimensionless number; this is %s", fm_builtin_name((fm_builtin)e->index),
                     type_word(l, b1, sizeof b1));
                return false;
            }
            e->dim = units_dim_none();
            return true;
        case FM_BUILTIN_SQRT:
            for (int i = 0; i < FM_DIM__COUNT; i++) {
                if (l->dim.e[i] % 2) {
                    serr(S, l->loc, "sqrt() of %s has no unit", type_word(l, b1, sizeof b1));
                    return false;
                }
                e->dim.e[i] = (int8_t)(l->dim.e[i] / 2);
            }
            return true;
        default:
            return false;
        }
    case FM_EX_CALL:
        return tc_call(S, e, c);
    case FM_EX_PARAM:
        if (!c->ptypes) {
            e->type = FM_T_NUM;
            return true;
        }
        e->type = c->ptypes[e->index];
        e->dim = c->pdims[e->index];
        return true;
    case FM_EX_NOW:
    case FM_EX_PART_CREATED:
        e->type = FM_T_NUM;
        e->dim = UNITS_TIME;
        return true;
    case FM_EX_PART:
        e->type = FM_T_PART;
        return true;
    case FM_EX_PART_TYPE:
        e->type = FM_T_PARTTYPE;
        return true;
    case FM_EX_PART_ATTR:
        e->type = FM_T_NUM;
        e->dim = ((fm_attr *)S->attrs.items[e->index])->dim;
        e->index = e->index; /* dimension as known so far (attributes are typed in order) */
        return true;
    case FM_EX_PARTTYPE_CONST:
        e->type = FM_T_PARTTYPE;
        return true;
    case FM_EX_STATE_CONST:
    case FM_EX_STATE:
        e->type = FM_T_STATE;
        return true;
    case FM_EX_LEVEL:
        e->type = FM_T_NUM;
        e->dim = units_dim_none();
        return true;
    default:
        return false;
    }
}

void sx_type_uncalled_fn(sema *S, int fi)
{
    fm_fn *fn = &S->m->fns[fi];
    if (!fn->body)
        return;
    tc_ctx c = {arena_array(S->a, (size_t)fn->nparams + 1, sizeof(fm_type)),
                arena_array(S->a, (size_t)fn->nparams + 1, sizeof(fm_dim)), 1, true, 0};
    if (!c.ptypes || !c.pdims)
        return;
    for (int i = 0; i < fn->nparams; i++)
        c.ptypes[i] = fn->param_types[i];
    bool quiet = S->quiet;
    S->quiet = true;
    tc(S, fn->body, &c);
    S->quiet = quiet;
}

bool sx_type(sema *S, fm_expr *e)
{
    tc_ctx c = {NULL, NULL, 0, false, 0};
    return e && tc(S, e, &c);
}

/* ---- constants --------------------------------------------------------------------------- */

/* The last call of a fn that folded to a constant: its arguments and value. A body that calls
 * a fn twice with the same arguments (`f0(x) + f0(x)`) folds it once. */
typedef struct fold_memo {
    bool valid;
    int nargs;
    double *args; /* nargs values, in the arena (a fn's calls all have its nparams) */
    double value;
} fold_memo;

static bool const_fold(sema *S, fm_expr *e, const double *params, int depth, double *out);

/* The fn call e folded (see const_fold), its arguments' values in vals (e->nargs of them). */
static bool fold_call(sema *S, fm_expr *e, const double *params, int depth, double *vals, double *out)
{
    size_t size = (size_t)e->nargs * sizeof *vals;
    for (int i = 0; i < e->nargs; i++)
        if (!const_fold(S, e->args[i], params, depth, &vals[i]))
            return false;
    if (!S->fold_memo)
        S->fold_memo = arena_array(S->a, (size_t)S->m->nfns + 1, sizeof *S->fold_memo);
    fold_memo *fm = S->fold_memo ? &S->fold_memo[e->index] : NULL;
    if (fm && fm->valid && fm->nargs == e->nargs && (size == 0 || memcmp(fm->args, vals, size) == 0)) {
        *out = fm->value;
        return true;
    }
    if (!const_fold(S, S->m->fns[e->index].body, vals, depth + 1, out))
        return false;
    if (fm && size && (!fm->args || fm->nargs != e->nargs)) {
        fm->valid = false;
        fm->args = arena_array(S->a, (size_t)e->nargs, sizeof *vals);
    }
    if (fm && (size == 0 || fm->args)) {
        fm->valid = true;
        fm->nargs = e->nargs;
        if (size)
            memcpy(fm->args, vals, size);
        fm->value = *out;
    }
    return true;
}

/* Constant folding. params: the values of the enclosing fn's parameters (NULL outside a
 * fn); depth bounds fn calls (a recursive fn, already reported, is not folded): typing lets
 * calls nest FN_MAX_DEPTH + 1 deep, whose bodies are folded at that depth, so the bound is
 * only a guard for the C stack; the steps of one constant are bounded by FOLD_MAX_STEPS
 * (S->fold_steps counts them). */
static bool const_fold(sema *S, fm_expr *e, const double *params, int depth, double *out)
{
    double a = 0, b = 0;
    if (!e || depth > FN_MAX_DEPTH + 1 || ++S->fold_steps > FOLD_MAX_STEPS)
        return false;
    if (e->nargs >= 1 && e->kind != FM_EX_IF && e->kind != FM_EX_CALL && !const_fold(S, e->args[0], params, depth, &a))
        return false;
    if (e->nargs >= 2 && e->kind != FM_EX_IF && e->kind != FM_EX_CALL && !const_fold(S, e->args[1], params, depth, &b))
        return false;
    switch (e->kind) {
    case FM_EX_PARAM:
        if (!params)
            return false;
        *out = params[e->index];
        return true;
    case FM_EX_CALL: {
        /* a fn of constants is a constant: `max: twice(2 s)` */
        if (e->index < 0 || e->index >= S->m->nfns || !S->m->fns[e->index].body)
            return false;
        double few[16];
        double *vals = e->nargs <= 16 ? few : malloc((size_t)e->nargs * sizeof *vals);
        if (!vals)
            return false;
        bool ok = fold_call(S, e, params, depth, vals, out);
        if (vals != few)
            free(vals);
        return ok;
    }
    case FM_EX_NUM:
    case FM_EX_BOOL: *out = e->num; return true;
    case FM_EX_NEG: *out = -a; return true;
    case FM_EX_NOT: *out = !a; return true;
    case FM_EX_ADD: *out = a + b; return true;
    case FM_EX_SUB: *out = a - b; return true;
    case FM_EX_MUL: *out = a * b; return true;
    case FM_EX_DIV: *out = a / b; return true;
    case FM_EX_LT: *out = a < b; return true;
    case FM_EX_LE: *out = a <= b; return true;
    case FM_EX_GT: *out = a > b; return true;
    case FM_EX_GE: *out = a >= b; return true;
    case FM_EX_EQ: *out = a == b; return true;
    case FM_EX_NE: *out = a != b; return true;
    case FM_EX_AND: *out = a && b; return true;
    case FM_EX_OR: *out = a || b; return true;
    case FM_EX_IF: {
        double cnd;
        if (!const_fold(S, e->args[0], params, depth, &cnd))
            return false;
        return const_fold(S, e->args[cnd != 0 ? 1 : 2], params, depth, out);
    }
    case FM_EX_BUILTIN:
        switch ((fm_builtin)e->index) {
        case FM_BUILTIN_MIN: *out = a < b ? a : b; return true;
        case FM_BUILTIN_MAX: *out = a > b ? a : b; return true;
        case FM_BUILTIN_ABS: *out = fabs(a); return true;
        /* the simulator's own exp and log (libfabrt), which give the same bits on every
         * machine and are what compiled expressions call: a folded value is the value a
         * run computes, whatever machine compiles the model */
        case FM_BUILTIN_EXP: *out = fab_dist_math_exp(a); return true;
        case FM_BUILTIN_LOG: *out = fab_dist_math_log(a); return true;
        case FM_BUILTIN_SQRT: *out = sqrt(a); return true;
        default: return false;
        }
    default:
        return false;
    }
}

bool sx_const(sema *S, fm_expr *e, double *out)
{
    S->fold_steps = 0;
    return const_fold(S, e, NULL, 0, out);
}

bool sx_fold_too_long(const sema *S)
{
    return S->fold_steps > FOLD_MAX_STEPS;
}

const char *src_text(sema *S, ast_node *n)
{
    const diag_file *f = diag_get_file(S->dc, n->loc.file);
    if (!f || n->loc.end > f->len || n->loc.end - n->loc.start > 48 || n->loc.end <= n->loc.start)
        return "this value";
    for (uint32_t i = n->loc.start; i < n->loc.end; i++)
        if (f->text[i] == '\n')
            return "this value";
    return arena_printf(S->a, "`%.*s`", (int)(n->loc.end - n->loc.start), f->text + n->loc.start);
}

/* A hint for the unit mix-ups engineers make (`3 m` for minutes, kWh for kW, a length for a
 * speed), as a suffix of the mismatch message; "" when none applies. */
static const char *dim_mixup_hint(const ast_node *n, const char *want, const char *got)
{
    const char *unit = n->kind == AST_QTY ? n->name : NULL;
    if (strcmp(want, "time") == 0 && strcmp(got, "length") == 0 && unit && strcmp(unit, "m") == 0)
        return " (`m` is metres: write `min` for minutes)";
    if (strcmp(want, "power") == 0 && strcmp(got, "energy") == 0)
        return " (power is in W, kW or MW; Wh and kWh measure energy)";
    if (strcmp(want, "energy") == 0 && strcmp(got, "power") == 0)
        return " (energy is in J, kJ, Wh or kWh; W and kW measure power)";
    if (strcmp(want, "speed") == 0 && strcmp(got, "length") == 0)
        return " (a speed is a length per time, e.g. `0.5 m/s` or `30 m/min`)";
    if (strcmp(want, "time") == 0 && strcmp(got, "rate") == 0)
        return " (a time between events is the inverse of a rate: `1 h`, not `1 /h`)";
    if (strcmp(want, "rate") == 0 && strcmp(got, "time") == 0)
        return " (a rate is written per time, e.g. `2 /h`)";
    return "";
}

static void dim_mismatch(sema *S, ast_node *n, const char *what, fm_dim want, fm_type got_type, fm_dim got)
{
    char b1[48], b2[48];
    const char *w = dim_name(want, b1, sizeof b1);
    if (got_type != FM_T_NUM) {
        fm_expr tmp = {.type = got_type};
        char b3[64];
        serr(S, n->loc, "%s expects %s %s; %s is %s", what, units_article(w), w, src_text(S, n), type_word(&tmp, b3, sizeof b3));
        return;
    }
    const char *g = dim_name(got, b2, sizeof b2);
    if (units_dim_is_none(want))
        serr(S, n->loc, "%s expects a plain number (no unit); %s is %s %s", what, src_text(S, n), units_article(g), g);
    else if (units_dim_is_none(got))
        serr(S, n->loc, "%s expects %s %s; %s has no unit", what, units_article(w), w, src_text(S, n));
    else
        serr(S, n->loc, "%s expects %s %s; %s is %s %s%s", what, units_article(w), w, src_text(S, n), units_article(g), g,
             dim_mixup_hint(n, w, g));
}

bool sx_quantity(sema *S, sx_env *env, ast_node *n, const fm_dim *want, const char *what, double *out, fm_dim *dim)
{
    if (n->kind == AST_ERROR)
        return false;
    if (n->kind == AST_IDENT) {
        tval *tv = sx_tval(env, n->name);
        if (tv && tv->kind == TV_DIST) {
            if (tv->dist->kind == FAB_DIST_CONSTANT) {
                *out = tv->dist->p[0];
                if (dim)
                    *dim = tv->dist->dim;
                return true;
            }
            serr(S, n->loc, "%s expects a constant; template parameter '%s' is a distribution", what, n->name);
            return false;
        }
    }
    if (sx_is_dist_call(n)) {
        serr(S, n->loc, "%s expects a constant, not a distribution", what);
        return false;
    }
    fm_expr *e = sx_expr(S, env, n);
    if (!e || !sx_type(S, e))
        return false;
    if (e->type != FM_T_NUM) {
        if (want)
            dim_mismatch(S, n, what, *want, e->type, e->dim);
        else
            serr(S, n->loc, "%s expects a number", what);
        return false;
    }
    if (want && !any_dim(e) && !units_dim_eq(*want, e->dim)) {
        dim_mismatch(S, n, what, *want, FM_T_NUM, e->dim);
        return false;
    }
    if (!sx_const(S, e, out)) {
        if (sx_fold_too_long(S))
            serr(S, n->loc, "%s takes too long to compute: its fn calls add up to more than %ld steps", what, FOLD_MAX_STEPS);
        else
            serr(S, n->loc, "%s must be a constant (it cannot depend on the simulation state)", what);
        return false;
    }
    if (isnan(*out)) {
        serr(S, n->loc, "%s is not a number (NaN)", what);
        return false;
    }
    if (dim)
        *dim = any_dim(e) && want ? *want : e->dim;
    return true;
}

/* ---- distributions ----------------------------------------------------------------------- */

static double norm_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* "2.3 %", or "0.42 %" below one percent. */
static void percent_text(double p, char *buf, size_t n)
{
    if (p * 100 >= 1)
        snprintf(buf, n, "%.1f %%", p * 100);
    else
        snprintf(buf, n, "%.2g %%", p * 100);
}

/* The regularised incomplete gamma functions, a > 0, x >= 0: P(a, x) (lower) when upper is
 * false, Q(a, x) = 1 - P(a, x) when true, each computed directly where it is small (the power
 * series of P below x = a + 1, the continued fraction of Q above, by Lentz's method). */
static double gamma_pq(double a, double x, bool upper)
{
    if (!(x > 0))
        return upper ? 1 : 0;
    if (isinf(x))
        return upper ? 0 : 1;
    double lg = a * log(x) - x - lgamma(a), r;
    if (x < a + 1) {
        double term = 1 / a, sum = term;
        for (int n = 1; n < 100000 && fabs(term) > 1e-17 * fabs(sum); n++) {
            term *= x / (a + n);
            sum += term;
        }
        r = fmin(1, sum * exp(lg));         /* P */
        return upper ? 1 - r : r;
    }
    double b = x + 1 - a, c = 1 / 1e-300, dd = 1 / b, h = dd;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        dd = an * dd + b;
        if (fabs(dd) < 1e-300)
            dd = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        dd = 1 / dd;
        double del = dd * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    r = fmin(1, exp(lg) * h);               /* Q */
    return upper ? r : 1 - r;
}

/* lognormal(mean p[0], sd p[1]) at x > 0: P(X > x) when above, else P(X <= x), from the
 * normal law of ln X (variance s2 = ln(1 + (sd/mean)^2), mean ln(mean) - s2 / 2). */
static double lognormal_prob(const double *p, double x, bool above)
{
    double cv = p[1] / p[0];    /* where cv^2 overflows, ln(1 + cv^2) is 2 ln cv (as libfabrt) */
    double s2 = cv < 0x1p500 ? log1p(cv * cv) : 2 * (log(p[1]) - log(p[0]));
    double mu = log(p[0]) - s2 / 2;
    if (!(s2 > 0))
        return (p[0] > x) == above ? 1.0 : 0.0;
    double z = (log(x) - mu) / sqrt(s2);
    return norm_cdf(above ? -z : z);
}

/* P(X > x) of a continuous distribution with an upper tail, computed directly (1 - P(X <= x)
 * would lose it to rounding), or -1 for the other kinds. */
static double prob_above(const fm_dist *d, double x)
{
    const double *p = d->p;
    switch (d->kind) {
    case FAB_DIST_EXPONENTIAL: return x > 0 ? exp(-x / p[0]) : 1.0;
    case FAB_DIST_WEIBULL: return x > 0 ? exp(-pow(x / p[1], p[0])) : 1.0;
    case FAB_DIST_GAMMA: return gamma_pq(p[0], x / p[1], true);
    case FAB_DIST_ERLANG: return gamma_pq(p[0], x * p[0] / p[1], true);
    case FAB_DIST_NORMAL: return p[1] > 0 ? norm_cdf((p[0] - x) / p[1]) : (p[0] > x ? 1.0 : 0.0);
    case FAB_DIST_LOGNORMAL:
        return x > 0 ? lognormal_prob(p, x, true) : 1.0;
    default:
        return -1;
    }
}

/* A law of a continuous kind that takes a single value, *v: normal and lognormal with sd 0
 * (or a spread lost to rounding), uniform and triangular with min = max; and constant. Their
 * probabilities are those of a point mass, where P(X < x) and P(X <= x) differ at v. */
static bool point_mass(const fm_dist *d, double *v)
{
    const double *p = d->p;
    double cv;
    switch (d->kind) {
    case FAB_DIST_CONSTANT: *v = p[0]; return true;
    case FAB_DIST_NORMAL: *v = p[0]; return !(p[1] > 0);
    case FAB_DIST_LOGNORMAL: *v = p[0]; cv = p[1] / p[0]; return !(cv * cv > 0);  /* as lognormal_prob */
    case FAB_DIST_UNIFORM: *v = p[0]; return p[0] == p[1];
    case FAB_DIST_TRIANGULAR: *v = p[0]; return p[0] == p[2];
    default: return false;
    }
}

bool sx_dist_always_zero(const fm_dist *d)
{
    double v;
    if (d->bound != FAB_BOUND_NONE && d->hi <= 0)
        return true;
    return point_mass(d, &v) && v <= 0;
}

/* P(X < x) for every distribution kind, without its bound (a point mass at x is not below x). */
static double prob_below(const fm_dist *d, double x)
{
    const double *p = d->p;
    double v;
    switch (d->kind) {
    case FAB_DIST_CONSTANT: return p[0] < x ? 1.0 : 0.0;
    case FAB_DIST_NORMAL: return p[1] > 0 ? norm_cdf((x - p[0]) / p[1]) : (p[0] < x ? 1.0 : 0.0);
    case FAB_DIST_UNIFORM:
        if (p[0] >= x) return 0;
        if (p[1] <= x) return 1;
        return (x - p[0]) / (p[1] - p[0]);
    case FAB_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        if (a >= x) return 0;
        if (b <= x) return 1;
        if (x <= c)
            return (x - a) * (x - a) / ((b - a) * (c - a));
        return 1 - (b - x) * (b - x) / ((b - a) * (b - c));
    }
    case FAB_DIST_PERT:
    case FAB_DIST_BETA: {
        double lo = d->kind == FAB_DIST_PERT ? p[0] : p[2], hi = d->kind == FAB_DIST_PERT ? p[2] : p[3];
        if (lo >= x) return 0;
        if (hi <= x) return 1;
        double al, be;
        if (d->kind == FAB_DIST_PERT) {
            al = 1 + 4 * (p[1] - lo) / (hi - lo);
            be = 1 + 4 * (hi - p[1]) / (hi - lo);
        } else {
            al = p[0];
            be = p[1];
        }
        /* integrate the beta density on [0, x0] by the midpoint rule */
        double x0 = (x - lo) / (hi - lo), acc = 0, tot = 0;
        int steps = 4000;
        for (int i = 0; i < steps; i++) {
            double u = (i + 0.5) / steps;
            double f = pow(u, al - 1) * pow(1 - u, be - 1);
            tot += f;
            if (u < x0)
                acc += f;
        }
        return tot > 0 ? acc / tot : 0;
    }
    case FAB_DIST_EXPONENTIAL: return x > 0 ? -expm1(-x / p[0]) : 0.0;
    case FAB_DIST_WEIBULL: return x > 0 ? -expm1(-pow(x / p[1], p[0])) : 0.0;
    case FAB_DIST_GAMMA: return gamma_pq(p[0], x / p[1], false);
    case FAB_DIST_ERLANG: return gamma_pq(p[0], x * p[0] / p[1], false);
    case FAB_DIST_LOGNORMAL:
        if (point_mass(d, &v))
            return v < x ? 1.0 : 0.0;
        return x > 0 ? lognormal_prob(p, x, false) : 0.0;
    case FAB_DIST_POISSON: return x > 0 ? gamma_pq(ceil(x), p[0], true) : 0.0;  /* P(N <= ceil(x) - 1) */
    case FAB_DIST_BERNOULLI: return x <= 0 ? 0.0 : x <= 1 ? 1 - p[0] : 1.0;
    case FAB_DIST_DISCRETE:
    case FAB_DIST_EMPIRICAL: {
        double s = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->values[i] < x)
                s += d->probs ? d->probs[i] : 1.0 / (double)d->n;
        return s;
    }
    case FAB_DIST__COUNT: break;    /* (every kind is above: -Wswitch tells of a new one) */
    }
    return 0;
}

/* P(X <= x) for every distribution kind, or -1 where it is not worked out (then no check).
 * Discrete kinds and point masses count the values <= x; continuous laws need no distinction. */
static double prob_at_most(const fm_dist *d, double x)
{
    const double *p = d->p;
    double v;
    if (point_mass(d, &v))
        return v <= x ? 1.0 : 0.0;
    switch (d->kind) {
    case FAB_DIST_CONSTANT: return p[0] <= x ? 1.0 : 0.0;
    case FAB_DIST_EXPONENTIAL: return x > 0 ? -expm1(-x / p[0]) : 0.0;
    case FAB_DIST_WEIBULL: return x > 0 ? -expm1(-pow(x / p[1], p[0])) : 0.0;
    case FAB_DIST_GAMMA: return gamma_pq(p[0], x / p[1], false);
    case FAB_DIST_ERLANG: return gamma_pq(p[0], x * p[0] / p[1], false);
    case FAB_DIST_LOGNORMAL:
        return x > 0 ? lognormal_prob(p, x, false) : 0.0;
    case FAB_DIST_POISSON: {
        if (x < 0)
            return 0;
        double k = floor(x);
        if (k > 1e7)
            return -1;
        return gamma_pq(k + 1, p[0], true);     /* P(N <= k) = Q(k + 1, mean) */
    }
    case FAB_DIST_BERNOULLI: return x < 0 ? 0 : x < 1 ? 1 - p[0] : 1;
    case FAB_DIST_DISCRETE:
    case FAB_DIST_EMPIRICAL: {
        double acc = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->values[i] <= x)
                acc += d->probs ? d->probs[i] : 1.0 / (double)d->n;
        return acc;
    }
    case FAB_DIST_NORMAL:
    case FAB_DIST_UNIFORM:
    case FAB_DIST_TRIANGULAR:
    case FAB_DIST_PERT:
    case FAB_DIST_BETA:
        return prob_below(d, x);    /* continuous: P(X < x) = P(X <= x) */
    default:
        return -1;
    }
}

/* P(lo <= X <= hi), or -1 where it is not worked out. */
static double prob_window(const fm_dist *d, double lo, double hi)
{
    double a, b, v;
    if (point_mass(d, &v))
        return lo <= v && v <= hi ? 1.0 : 0.0;
    if (d->kind == FAB_DIST_DISCRETE || d->kind == FAB_DIST_EMPIRICAL || d->kind == FAB_DIST_CONSTANT
        || d->kind == FAB_DIST_BERNOULLI || d->kind == FAB_DIST_POISSON) {
        /* P(X < lo): the values below lo, P(X <= the largest whole number below lo) for the
         * counting kinds, P(X <= x) just below lo for the others */
        double below = d->kind == FAB_DIST_POISSON || d->kind == FAB_DIST_BERNOULLI
                           ? ceil(lo) - 1 : nextafter(lo, -INFINITY);
        a = prob_at_most(d, below);
    } else {
        a = prob_at_most(d, lo);
        /* a window in the upper tail: from the tail probabilities, which keep its digits */
        double alo = prob_above(d, lo), ahi = prob_above(d, hi);
        if (a > 0.5 && alo >= 0 && ahi >= 0)
            return fmax(0, alo - ahi);
    }
    b = prob_at_most(d, hi);
    if (a < 0 || b < 0)
        return -1;
    return fmax(0, b - a);
}

/* An explicit truncate window the distribution seldom reaches: a value takes about
 * 1 / P(window) draws, and when FAB_TRUNCATE_MAX_TRIES of them miss, the bound is taken. An
 * error when that would make most values (99 % or more) the bound, a warning when the window
 * has a probability below 0.1 %. */
static void truncate_window(sema *S, const fm_dist *d, ast_node *n, const char *what)
{
    double pw = prob_window(d, d->lo, d->hi);
    if (pw < 0 || pw >= 1e-3)
        return;
    double at_bound = exp(FAB_TRUNCATE_MAX_TRIES * log1p(-pw));   /* all tries miss */
    const char *dn = dist_table[d->kind].name;
    char pct[32], bpct[32];
    percent_text(pw, pct, sizeof pct);
    percent_text(at_bound, bpct, sizeof bpct);
    if (at_bound >= 0.99)
        serr(S, n->loc, "%s: this %s distribution falls in the truncate window [%s, %s] with probability %s; after %d draws outside it, %s of the values would be the bound instead of draws",
             what, dn, src_text(S, n->kids[1]), src_text(S, n->kids[2]), pw > 0 ? pct : "0", FAB_TRUNCATE_MAX_TRIES, bpct);
    else
        swarn(S, n->loc, "%s: this %s distribution falls in the truncate window [%s, %s] with probability %s only; a value takes about %.3g draws, and %s of the values are the bound (after %d draws outside)",
              what, dn, src_text(S, n->kids[1]), src_text(S, n->kids[2]), pct, 1 / pw, bpct, FAB_TRUNCATE_MAX_TRIES);
}

/* P(X < x) of d drawn with its bound: a clamp moves the values outside [lo, hi] to its ends,
 * a truncate keeps those inside, in proportion. */
static double prob_below_bound(const fm_dist *d, double x)
{
    if (d->bound == FAB_BOUND_NONE)
        return prob_below(d, x);
    if (d->lo >= x)
        return 0;
    if (d->hi < x)
        return 1;
    if (d->bound == FAB_BOUND_CLAMP)
        return prob_below(d, x);
    double in = prob_window(d, d->lo, nextafter(x, -INFINITY)), all = prob_window(d, d->lo, d->hi);
    if (in < 0 || !(all > 0))  /* not worked out, or a window never reached (an error already) */
        return prob_below(d, x);
    return fmin(1, in / all);
}

/* The leading field of a data file's line: the characters of a number or a word. */
static bool data_field_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           c == '+' || c == '-';
}

/* A decimal number of a data file: [+-]digits[.[digits]][e[+-]digits] or [+-].digits[e...];
 * no hexadecimal, nan or inf. */
static bool is_decimal(const char *t, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (t[i] == '+' || t[i] == '-'))
        i++;
    for (; i < n && t[i] >= '0' && t[i] <= '9'; i++)
        digits++;
    if (i < n && t[i] == '.')
        for (i++; i < n && t[i] >= '0' && t[i] <= '9'; i++)
            digits++;
    if (!digits)
        return false;
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-'))
            i++;
        size_t ed = 0;
        for (; i < n && t[i] >= '0' && t[i] <= '9'; i++)
            ed++;
        if (!ed)
            return false;
    }
    return i == n;
}

/* Whether the mantissa of a decimal spelling has a nonzero digit (`0.0e5` has none). */
static bool has_nonzero_digit(const char *t, size_t n)
{
    for (size_t i = 0; i < n && t[i] != 'e' && t[i] != 'E'; i++)
        if (t[i] >= '1' && t[i] <= '9')
            return true;
    return false;
}

/* Appends path and the hash of the bytes read (the digest of hs) to the model's data files,
 * which `fabc run` adds to its cache key. False when out of memory (hs NULL included). */
static bool record_data_file(sema *S, const char *path, XXH3_state_t *hs)
{
    fab_model *m = S->m;
    if (!hs)
        return false;
    if (!m)
        return true;
    fm_data_file *nd = arena_array(S->a, (size_t)m->ndata_files + 1, sizeof *nd);
    if (!nd)
        return false;
    if (m->ndata_files)
        memcpy(nd, m->data_files, (size_t)m->ndata_files * sizeof *nd);
    XXH128_hash_t h = XXH3_128bits_digest(hs);
    nd[m->ndata_files] = (fm_data_file){.path = path, .hash_hi = h.high64, .hash_lo = h.low64};
    m->data_files = nd;
    m->ndata_files++;
    return true;
}

/* empirical("file.csv"): one number per line, the line's leading field (what follows it, such
 * as further columns, is ignored), SI units; lines of any length. A line without a leading
 * field, or whose field is a word (a header), is skipped; a field that looks like a number but
 * is not a finite decimal (nan, inf, 0x10, 1e999, 12abc) is an error naming its line. */
static bool data_file_values(sema *S, fm_dist *d, ast_node *arg)
{
    const diag_file *f = diag_get_file(S->dc, arg->loc.file);
    char *path;
    if (arg->str[0] == '/' || !f)
        path = arena_strdup(S->a, arg->str);
    else {
        const char *slash = strrchr(f->path, '/');
        path = slash ? arena_printf(S->a, "%.*s/%s", (int)(slash - f->path), f->path, arg->str)
                     : arena_strdup(S->a, arg->str);
    }
    errno = 0;
    FILE *fp = S->opt && S->opt->no_imports ? NULL : diag_open_regular(path);
    if (!fp) {
        /* a directory, a device or a pipe: nothing to read, or no end to reading */
        if (errno == EISDIR || errno == DIAG_ENOTREG)
            serr(S, arg->loc, "the data file '%s' is not a regular file", path);
        else
            serr(S, arg->loc, "cannot read the data file '%s'", path);
        return false;
    }
    size_t cap = 64;
    d->values = arena_array(S->a, cap, sizeof(double));
    XXH3_state_t *hs = XXH3_createState();
    if (hs)
        XXH3_128bits_reset(hs);
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    long lineno = 0;
    bool ok = true;
    while (ok && d->values && (len = getline(&line, &linecap, fp)) >= 0) {
        lineno++;
        if (hs)
            XXH3_128bits_update(hs, line, (size_t)len);
        size_t i = 0, n = (size_t)len;
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        size_t j = i;
        while (j < n && data_field_char(line[j]))
            j++;
        const char *t = line + i;
        size_t tn = j - i;
        if (tn == 0)
            continue; /* a blank line, or one without a leading field */
        const char *why = NULL;
        char saved = line[j];
        line[j] = 0; /* the field alone for strtod (getline leaves room for the 0 at line[n]) */
        char *end;
        double v = strtod(t, &end);
        if (is_decimal(t, tn)) {
            if (isinf(v))
                why = "is too large (the largest is about 1.8e308)";
            else if (has_nonzero_digit(t, tn) && fabs(v) < DBL_MIN)
                why = "is too small (the smallest is about 2.2e-308)";
        } else {
            /* a word is a header; a field starting like a number, or one strtod reads as a
             * number (nan, inf, -Infinity), is a number that is not a finite decimal */
            size_t k = t[0] == '+' || t[0] == '-';
            bool numeric = k < tn && ((t[k] >= '0' && t[k] <= '9') ||
                                      (t[k] == '.' && k + 1 < tn && t[k + 1] >= '0' && t[k + 1] <= '9'));
            line[j] = saved;
            if (!numeric && end != t + tn)
                continue;
            why = "is not a finite decimal number";
        }
        line[j] = saved;
        if (why) {
            serr(S, arg->loc, "the data file '%s', line %ld: `%.*s`%s %s", path, lineno, tn > 40 ? 40 : (int)tn, t,
                 tn > 40 ? "..." : "", why);
            ok = false;
            break;
        }
        if (d->n == cap) {
            double *nv = arena_array(S->a, cap * 2, sizeof(double));
            if (nv)
                memcpy(nv, d->values, cap * sizeof(double));
            d->values = nv;
            cap *= 2;
            if (!nv)
                break;
        }
        d->values[d->n++] = v;
    }
    if (ok && ferror(fp)) {
        serr(S, arg->loc, "cannot read the data file '%s'", path);
        ok = false;
    }
    free(line);
    fclose(fp);
    if (ok && !record_data_file(S, path, hs)) {
        serr(S, arg->loc, "out of memory reading the data file '%s'", path);
        ok = false;
    }
    XXH3_freeState(hs);
    if (!ok)
        return false;
    if (d->n == 0) {
        serr(S, arg->loc, "the data file '%s' holds no numbers", path);
        return false;
    }
    return true;
}

/* A value of an inline table (`empirical([10 s, inf])`) must be finite, as parameters must. */
static bool table_value_finite(sema *S, ast_node *n, double v, const char *what, const char *dist)
{
    if (isfinite(v))
        return true;
    serr(S, n->loc, "%s: the values of %s() must be finite; %s is not", what, dist, src_text(S, n));
    return false;
}

static bool dist_table_values(sema *S, sx_env *env, fm_dist *d, ast_node *arg, fm_dim *dim, bool *have_dim, const char *what)
{
    if (arg->kind == AST_STR)
        return data_file_values(S, d, arg);
    if (d->kind == FAB_DIST_EMPIRICAL) {
        if (arg->kind != AST_LIST) {
            serr(S, arg->loc, "empirical() takes a list of values [..] or a file name \"..\"");
            return false;
        }
        if (arg->nkids == 0) {
            serr(S, arg->loc, "empirical() needs at least one value");
            return false;
        }
        d->n = (size_t)arg->nkids;
        d->values = arena_array(S->a, d->n, sizeof(double));
        for (int i = 0; i < arg->nkids && d->values; i++) {
            fm_dim vd;
            if (!sx_quantity(S, env, arg->kids[i], *have_dim ? dim : NULL, what, &d->values[i], &vd) ||
                !table_value_finite(S, arg->kids[i], d->values[i], what, "empirical"))
                return false;
            if (!*have_dim) {
                *dim = vd;
                *have_dim = true;
            }
        }
        return true;
    }
    if (arg->kind != AST_MAP) {
        serr(S, arg->loc, "discrete() takes a map of values to probabilities: discrete({1: 50 %%, 2: 50 %%})");
        return false;
    }
    if (arg->nkids == 0) {
        serr(S, arg->loc, "discrete() needs at least one value");
        return false;
    }
    d->n = (size_t)arg->nkids;
    d->values = arena_array(S->a, d->n, sizeof(double));
    d->probs = arena_array(S->a, d->n, sizeof(double));
    double sum = 0;
    fm_dim none = units_dim_none();
    for (int i = 0; i < arg->nkids && d->values && d->probs; i++) {
        fm_dim vd;
        if (!sx_quantity(S, env, arg->kids[i]->kids[0], *have_dim ? dim : NULL, what, &d->values[i], &vd) ||
            !table_value_finite(S, arg->kids[i]->kids[0], d->values[i], what, "discrete"))
            return false;
        if (!*have_dim) {
            *dim = vd;
            *have_dim = true;
        }
        if (!sx_quantity(S, env, arg->kids[i]->kids[1], &none, "a probability", &d->probs[i], NULL))
            return false;
        if (d->probs[i] < 0 || d->probs[i] > 1) {
            serr(S, arg->kids[i]->kids[1]->loc, "a probability must be between 0 %% and 100 %%");
            return false;
        }
        sum += d->probs[i];
    }
    if (fabs(sum - 1.0) > 1e-9) { /* 10 digits show a sum that far from 100 % differs from it */
        serr(S, arg->loc, "the probabilities of discrete() sum to %.10g %%, not 100 %%", sum * 100);
        return false;
    }
    return true;
}

static bool check_params(sema *S, fm_dist *d, ast_node *call, ast_node *const *pnodes)
{
    const double *p = d->p;
    const dist_info *di = &dist_table[d->kind];
#define PLOC(i) (pnodes[i] ? pnodes[i]->loc : call->loc)
    switch (d->kind) {
    case FAB_DIST_UNIFORM:
        if (p[0] > p[1]) {
            serr(S, call->loc, "uniform: min (%s) is greater than max (%s)", src_text(S, pnodes[0]), src_text(S, pnodes[1]));
            return false;
        }
        break;
    case FAB_DIST_TRIANGULAR:
    case FAB_DIST_PERT:
        if (p[0] > p[2]) {
            serr(S, call->loc, "%s: min (%s) is greater than max (%s)", di->name, src_text(S, pnodes[0]), src_text(S, pnodes[2]));
            return false;
        }
        if (p[1] < p[0] || p[1] > p[2]) {
            serr(S, PLOC(1), "%s: mode (%s) must lie between min and max", di->name, src_text(S, pnodes[1]));
            return false;
        }
        if (d->kind == FAB_DIST_PERT && p[0] == p[2]) {
            serr(S, call->loc, "pert: min and max must differ");
            return false;
        }
        break;
    case FAB_DIST_EXPONENTIAL:
        if (!(p[0] > 0)) {
            serr(S, PLOC(0), "exponential: mean must be positive");
            return false;
        }
        break;
    case FAB_DIST_NORMAL:
    case FAB_DIST_LOGNORMAL:
        if (p[1] < 0) {
            serr(S, PLOC(1), "%s: sd must not be negative (sd = %s)", di->name, src_text(S, pnodes[1]));
            return false;
        }
        if (d->kind == FAB_DIST_LOGNORMAL && !(p[0] > 0)) {
            serr(S, PLOC(0), "lognormal: mean must be positive (it is the mean of the variable itself)");
            return false;
        }
        break;
    case FAB_DIST_GAMMA:
    case FAB_DIST_WEIBULL:
        for (int i = 0; i < 2; i++)
            if (!(p[i] > 0)) {
                serr(S, PLOC(i), "%s: %s must be positive", di->name, di->params[i]);
                return false;
            }
        break;
    case FAB_DIST_ERLANG:
        if (!(p[0] >= 1) || p[0] != floor(p[0]) || p[0] > 1e6) {
            serr(S, PLOC(0), "erlang: k must be a whole number in 1..1000000");
            return false;
        }
        if (!(p[1] > 0)) {
            serr(S, PLOC(1), "erlang: mean must be positive");
            return false;
        }
        break;
    case FAB_DIST_BETA:
        for (int i = 0; i < 2; i++)
            if (!(p[i] > 0)) {
                serr(S, PLOC(i), "beta: %s must be positive", di->params[i]);
                return false;
            }
        if (p[2] >= p[3]) {
            serr(S, call->loc, "beta: min (%s) must be less than max (%s)", src_text(S, pnodes[2]), src_text(S, pnodes[3]));
            return false;
        }
        break;
    case FAB_DIST_POISSON:
        if (p[0] < 0) {
            serr(S, PLOC(0), "poisson: mean must not be negative");
            return false;
        }
        if (p[0] > FAB_POISSON_MAX_MEAN) {
            serr(S, PLOC(0), "poisson: mean must be at most 1e12 (the simulator's sampler is exact up to there); %s is not",
                 src_text(S, pnodes[0]));
            return false;
        }
        break;
    case FAB_DIST_BERNOULLI:
        if (p[0] < 0 || p[0] > 1) {
            serr(S, PLOC(0), "bernoulli: p must be between 0 %% and 100 %%");
            return false;
        }
        break;
    default:
        break;
    }
    for (int i = 0; i < di->nparams; i++)
        if (isinf(p[i])) {
            serr(S, PLOC(i), "%s: %s must be finite", di->name, di->params[i]);
            return false;
        }
#undef PLOC
    return true;
}

/* The negative-duration analysis of a time distribution d written at call, with its bound
 * (pnodes: the nodes of its parameters, or NULL): an error when it is never positive (or a
 * normal one with a mean <= 0), else negative values are truncated at 0: an implicit
 * truncate [0, inf] without a bound, the lower end of an explicit bound raised to 0, and a
 * warning when that happens with a probability of 0.1 % or more. An explicit bound with
 * lo >= 0 needs nothing. */
static void negative_duration(sema *S, fm_dist *d, ast_node *call, ast_node *const *pnodes, const char *what)
{
    if (!units_dim_eq(d->dim, UNITS_TIME))
        return;
    if (d->bound != FAB_BOUND_NONE && d->lo >= 0)
        return;
    double pn = prob_below_bound(d, 0);
    if (pn <= 0)
        return;
    const dist_info *di = &dist_table[d->kind];
    /* (inside a truncate window, the law may be mostly positive whatever its mean) */
    if (d->kind == FAB_DIST_NORMAL && d->p[0] <= 0 && pnodes[0] && d->bound != FAB_BOUND_TRUNCATE) {
        /* at least half the draws negative: no truncation makes this a duration */
        serr(S, pnodes[0]->loc, "%s: a duration needs a positive mean, and %s is not (this normal distribution would be negative at least half the time)",
             what, src_text(S, pnodes[0]));
        return;
    }
    if (pn >= 1.0 - 1e-12) {
        if (d->bound != FAB_BOUND_NONE)
            serr(S, call->loc, "%s: %s is never positive, but a duration cannot be negative", what, src_text(S, call));
        else
            serr(S, call->loc, "%s: %s is never positive, but a duration cannot be negative", what, di->name);
        return;
    }
    if (d->bound == FAB_BOUND_NONE) {
        d->bound = FAB_BOUND_TRUNCATE;
        d->lo = 0;
        d->hi = INFINITY;
        d->implicit_bound = true;
    } else if (d->lo < 0) {
        d->lo = 0;  /* the bound stays the one written, from 0 */
    }
    if (pn < 1e-3)
        return;
    char pct[32];
    percent_text(pn, pct, sizeof pct);
    if (d->kind == FAB_DIST_NORMAL && d->p[0] > 0 && pnodes[0] && pnodes[1]) {
        swarn(S, call->loc,
              "%s: normal(mean: %.*s, sd: %.*s) is negative with probability %s; a duration is truncated at 0, which raises its mean; use lognormal(mean: %.*s, sd: %.*s), which has the same mean and sd and is never negative",
              what, (int)(pnodes[0]->loc.end - pnodes[0]->loc.start), diag_get_file(S->dc, pnodes[0]->loc.file)->text + pnodes[0]->loc.start,
              (int)(pnodes[1]->loc.end - pnodes[1]->loc.start), diag_get_file(S->dc, pnodes[1]->loc.file)->text + pnodes[1]->loc.start,
              pct,
              (int)(pnodes[0]->loc.end - pnodes[0]->loc.start), diag_get_file(S->dc, pnodes[0]->loc.file)->text + pnodes[0]->loc.start,
              (int)(pnodes[1]->loc.end - pnodes[1]->loc.start), diag_get_file(S->dc, pnodes[1]->loc.file)->text + pnodes[1]->loc.start);
    } else {
        swarn(S, call->loc,
              "%s: this %s distribution is negative with probability %s; a duration is truncated at 0, which changes the distribution; use a distribution with min >= 0 (or lognormal / gamma / weibull)",
              what, di->name, pct);
    }
}

bool sx_cycle_count(sema *S, const fm_dist *d, ast_node *n, const char *what)
{
    /* the simulator rounds a draw to the nearest whole number of cycles, and counts fewer
     * than 1 as 1: below 0.5 is the same as 1, like a negative duration is the same as 0 */
    if (d->bound != FAB_BOUND_NONE && d->lo >= 0.5)
        return true;
    double pb = prob_below_bound(d, 0.5);
    if (pb <= 0)
        return true;
    const char *dn = dist_table[d->kind].name;
    if (d->kind == FAB_DIST_CONSTANT) {
        serr(S, n->loc, "%s: %s rounds to no cycle, but a failure can come at the earliest after 1 cycle (write 1 for a failure after every cycle)",
             what, src_text(S, n));
        return false;
    }
    if (pb >= 1.0 - 1e-12) {
        serr(S, n->loc, "%s: %s is never 0.5 or more, so every draw rounds to no cycle, but a failure can come at the earliest after 1 cycle",
             what, dn);
        return false;
    }
    if (pb < 1e-3)
        return true;
    char pct[32];
    percent_text(pb, pct, sizeof pct);
    swarn(S, n->loc,
          "%s: this %s distribution is below 0.5 with probability %s; such draws round to no cycle and count as 1, which changes the distribution; use a distribution with min >= 1, or bound this one (`truncate [1, inf]`)",
          what, dn, pct);
    return true;
}

/* sx_dist without the negative-duration analysis (which needs the bound): the distribution
 * written at n, its bound included, with the nodes of a dist call's parameters in pnodes (4,
 * zeroed by the caller). *analysed is set when no analysis is due (a plain constant, checked
 * here, or a template parameter's distribution, analysed where it was bound). */
static fm_dist *dist_law(sema *S, sx_env *env, ast_node *n, const fm_dim *want, const char *what, const char *owner,
                         const char *purpose, ast_node **pnodes, bool *analysed)
{
    fm_dist *d = NULL;
    /* bounds around the distribution */
    if (n->kind == AST_BOUND) {
        d = dist_law(S, env, n->kids[0], want, what, owner, purpose, pnodes, analysed);
        if (!d)
            return NULL;
        if (d->bound != FAB_BOUND_NONE && !d->implicit_bound) {
            serr(S, n->loc, "%s: the distribution already has a bound", what);
            return NULL;
        }
        double lo, hi;
        if (!sx_quantity(S, env, n->kids[1], &d->dim, arena_printf(S->a, "the lower bound of %s", what), &lo, NULL) ||
            !sx_quantity(S, env, n->kids[2], &d->dim, arena_printf(S->a, "the upper bound of %s", what), &hi, NULL))
            return NULL;
        if (lo > hi) {
            serr(S, n->loc, "%s: the bounds [%s, %s] are reversed (lower > upper)", what, src_text(S, n->kids[1]), src_text(S, n->kids[2]));
            return NULL;
        }
        d->bound = n->op == AST_BOUND_CLAMP ? FAB_BOUND_CLAMP : FAB_BOUND_TRUNCATE;
        d->lo = lo;
        d->hi = hi;
        d->implicit_bound = false;
        d->loc = n->loc;
        if (d->bound == FAB_BOUND_TRUNCATE)
            truncate_window(S, d, n, what);
        *analysed = false; /* a bound with lo < 0 lets negative values through again */
        return d;
    }
    const char *stream_owner = owner ? owner : "";
    d = arena_alloc(S->a, sizeof *d);
    if (!d)
        return NULL;
    d->owner = stream_owner;
    d->purpose = purpose ? purpose : "";
    d->stream = arena_printf(S->a, "%s.%s", d->owner, d->purpose);
    d->loc = n->loc;
    /* a template parameter bound to a distribution */
    if (n->kind == AST_IDENT) {
        tval *tv = sx_tval(env, n->name);
        if (tv && tv->kind == TV_DIST) {
            *d = *tv->dist;
            *analysed = true;
            d->owner = stream_owner;
            d->purpose = purpose ? purpose : "";
            d->stream = arena_printf(S->a, "%s.%s", d->owner, d->purpose);
            if (want && !units_dim_eq(*want, d->dim)) {
                char b1[48], b2[48];
                const char *w = dim_name(*want, b1, sizeof b1), *g = dim_name(d->dim, b2, sizeof b2);
                serr(S, n->loc, "%s expects %s %s; template parameter '%s' is %s %s", what, units_article(w), w, n->name, units_article(g), g);
                return NULL;
            }
            return d;
        }
    }
    if (n->kind != AST_CALL || dist_lookup(n->name) < 0) {
        /* a call of a built-in or of a fn is an expression (a constant if its arguments are);
         * any other call is taken for a misspelt distribution */
        if (n->kind == AST_CALL && !sx_call_name_kind(n->name) && !sym_find(S, n->name)) {
            const char *cands[NDISTS];
            for (int i = 0; i < NDISTS; i++)
                cands[i] = dist_table[i].name;
            const char *h = hint_nearest(n->name, cands, NDISTS);
            if (h)
                serr(S, n->loc, "unknown distribution '%s'; did you mean '%s'?", n->name, h);
            else
                serr(S, n->loc, "unknown distribution '%s' (the distributions are listed in docs/language.md)", n->name);
            return NULL;
        }
        /* a plain constant: constant(v) */
        double v;
        fm_dim vd;
        if (!sx_quantity(S, env, n, want, what, &v, &vd))
            return NULL;
        d->kind = FAB_DIST_CONSTANT;
        d->p[0] = v;
        d->dim = vd;
        if (isinf(v)) { /* as constant(v) */
            serr(S, n->loc, "%s must be finite; %s is not", what, src_text(S, n));
            return NULL;
        }
        if (units_dim_eq(vd, UNITS_TIME) && v < 0) {
            serr(S, n->loc, "%s: a duration cannot be negative (%s)", what, src_text(S, n));
            return NULL;
        }
        *analysed = true;
        return d;
    }
    int k = dist_lookup(n->name);
    const dist_info *di = &dist_table[k];
    d->kind = (fab_dist_kind)k;
    fm_dim dim = want ? *want : units_dim_none();
    bool have_dim = want != NULL;
    if (dist_dimensionless(d->kind)) {
        fm_dim none = units_dim_none();
        if (want && !units_dim_eq(*want, none)) {
            char b1[48];
            const char *w = dim_name(*want, b1, sizeof b1);
            serr(S, n->loc, "%s expects %s %s; %s() draws dimensionless counts", what, units_article(w), w, di->name);
            return NULL;
        }
        dim = none;
        have_dim = true;
    }
    if (d->kind == FAB_DIST_DISCRETE || d->kind == FAB_DIST_EMPIRICAL) {
        if (n->nkids != 1 || n->kids[0]->kind == AST_NAMED) {
            serr(S, n->loc, "%s() takes one argument: %s", di->name,
                 d->kind == FAB_DIST_DISCRETE ? "a map {value: probability, ...}" : "a list [v1, v2, ...] or a file name");
            return NULL;
        }
        if (!dist_table_values(S, env, d, n->kids[0], &dim, &have_dim, what))
            return NULL;
        d->dim = dim;
        return d;
    }
    bool ok = true;
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == AST_ERROR)
            return NULL; /* a syntax error inside the call, already reported */
    /* positional only for constant(v) */
    for (int i = 0; i < n->nkids; i++) {
        ast_node *arg = n->kids[i];
        int slot = -1;
        if (arg->kind != AST_NAMED) {
            if (strcmp(di->params[0], "v") == 0 && i == 0)
                slot = 0;
            else {
                char names[64] = "";
                for (int j = 0; j < di->nparams; j++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s: ..", j ? ", " : "", di->params[j]);
                serr(S, arg->loc, "the parameters of %s are named: %s(%s)", di->name, di->name, names);
                ok = false;
                continue;
            }
        } else {
            for (int j = 0; j < di->nparams; j++)
                if (strcmp(di->params[j], arg->name) == 0)
                    slot = j;
            if (slot < 0) {
                const char *h = hint_nearest(arg->name, di->params, (size_t)di->nparams);
                char names[64] = "";
                for (int j = 0; j < di->nparams; j++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "", di->params[j]);
                if (h)
                    serr(S, arg->nloc, "%s has no parameter '%s'; did you mean '%s'?", di->name, arg->name, h);
                else
                    serr(S, arg->nloc, "%s has no parameter '%s' (its parameters are %s)", di->name, arg->name, names);
                ok = false;
                continue;
            }
        }
        if (pnodes[slot]) {
            serr(S, arg->loc, "%s: parameter '%s' is given twice", di->name, di->params[slot]);
            snote(S, pnodes[slot]->loc, "first given here");
            ok = false;
            continue;
        }
        pnodes[slot] = arg->kind == AST_NAMED ? arg->kids[0] : arg;
    }
    if (!ok)
        return NULL;
    for (int j = 0; j < di->nparams; j++)
        if (!pnodes[j]) {
            serr(S, n->loc, "%s is missing parameter '%s'", di->name, di->params[j]);
            ok = false;
        }
    if (!ok)
        return NULL;
    /* dimension: taken from want, else from the first dimension-carrying parameter */
    for (int j = 0; j < di->nparams; j++) {
        const char *pname = di->params[j];
        bool pure = param_dimensionless(pname) || dist_dimensionless(d->kind);
        fm_dim none = units_dim_none();
        fm_dim got;
        const char *pwhat = strcmp(pname, "v") == 0 ? what : arena_printf(S->a, "%s of %s", pname, what);
        if (pure) {
            if (!sx_quantity(S, env, pnodes[j], &none, pwhat, &d->p[j], NULL))
                ok = false;
            continue;
        }
        const units_unit *au = param_spread(pname) ? affine_literal(pnodes[j]) : NULL;
        if (au) {
            const ast_node *q = pnodes[j]->kind == AST_UNARY ? pnodes[j]->kids[0] : pnodes[j];
            double abs_t = (q == pnodes[j] ? q->num : -q->num) * au->scale + au->offset;
            serr(S, pnodes[j]->loc, "%s is a temperature difference: write it in K (%s is the absolute temperature %g K)",
                 pwhat, src_text(S, pnodes[j]), abs_t);
            ok = false;
            continue;
        }
        if (!sx_quantity(S, env, pnodes[j], have_dim ? &dim : NULL, pwhat, &d->p[j], &got)) {
            ok = false;
            continue;
        }
        if (!have_dim && !isinf(d->p[j])) { /* `-inf` has the dimension of the others (and is refused) */
            dim = got;
            have_dim = true;
        }
    }
    if (!ok)
        return NULL;
    d->dim = dim;
    if (!check_params(S, d, n, pnodes))
        return NULL;
    return d;
}

fm_dist *sx_dist(sema *S, sx_env *env, ast_node *n, const fm_dim *want, const char *what, const char *owner, const char *purpose)
{
    ast_node *pnodes[4] = {NULL, NULL, NULL, NULL};
    bool analysed = false;
    fm_dist *d = dist_law(S, env, n, want, what, owner, purpose, pnodes, &analysed);
    if (d && !analysed)
        negative_duration(S, d, n, pnodes, what);   /* once, with the bound known */
    return d;
}
