/*
 * sema.c — the semantic pass: imports, declarations, templates, elements, flows, routes and
 * graph checks; builds the checked model (model.h). Expressions and distributions are in
 * sema_expr.c.
 *
 * In:  a file path or text; options (stdlib dir, search path).
 * Out: a fab_model, or NULL when any error was reported. Every error of every phase that can
 *      run is reported in one run: parsing recovers, and each declaration is checked on its
 *      own; the graph checks run only when the declarations had no errors.
 * Order of the model's arrays: declaration order, an imported file's declarations placed at
 *      its (first) import.
 * Memory: everything in the arena (the symbol table too).
 * Not handled: recursion between fns is reported, not supported.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fab/limits.h"
#include "hint.h"
#include "parse.h"
#include "sema_int.h"

/* ---- diagnostics with the instantiation note ---------------------------------------------- */

static void inst_note(sema *S)
{
    if (S->inst_loc.file)
        diag_note(S->dc, S->inst_loc, "in the instantiation of template %s here", S->inst_name);
}

/* Report through the one diagnostic printer; errors and warnings inside a template body also
 * name the instantiation they came from. */
static void sreport(sema *S, enum diag_level lvl, fab_loc loc, const char *fmt, va_list ap)
{
    if (S->quiet)
        return;
    diag_vreport(S->dc, lvl, loc, fmt, ap);
    if (lvl != DL_NOTE)
        inst_note(S);
}

void serr(sema *S, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sreport(S, DL_ERROR, loc, fmt, ap);
    va_end(ap);
}

void swarn(sema *S, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sreport(S, DL_WARNING, loc, fmt, ap);
    va_end(ap);
}

void snote(sema *S, fab_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sreport(S, DL_NOTE, loc, fmt, ap);
    va_end(ap);
}

/* ---- symbols ----------------------------------------------------------------------------- */

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x ^ (x >> 29));
}

sym *sym_find(sema *S, const char *name)
{
    symtab *t = &S->syms;
    if (!t->cap)
        return NULL;
    size_t h = ptr_hash(name) & (t->cap - 1);
    while (t->slots[h]) {
        if (t->slots[h]->name == name)
            return t->slots[h];
        h = (h + 1) & (t->cap - 1);
    }
    return NULL;
}

static void sym_insert(sema *S, sym *s)
{
    symtab *t = &S->syms;
    if ((t->count + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        sym **ns = arena_array(S->a, ncap, sizeof *ns);
        if (!ns)
            return;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i]) {
                size_t h = ptr_hash(t->slots[i]->name) & (ncap - 1);
                while (ns[h])
                    h = (h + 1) & (ncap - 1);
                ns[h] = t->slots[i];
            }
        t->slots = ns;
        t->cap = ncap;
    }
    size_t h = ptr_hash(s->name) & (t->cap - 1);
    while (t->slots[h])
        h = (h + 1) & (t->cap - 1);
    t->slots[h] = s;
    t->count++;
}

const char *sym_suggest(sema *S, const char *name, int kind)
{
    symtab *t = &S->syms;
    size_t len = strlen(name);
    int limit = (int)(len / 3) < 1 ? 1 : (int)(len / 3);
    const char *best = NULL;
    int bestd = limit + 1;
    if (len >= 64)
        return NULL;
    /* past the error limit the message is not printed: no need for the (linear) search,
     * which would make a file with thousands of unknown names quadratic */
    if (S->dc->max_errors && S->dc->errors >= S->dc->max_errors)
        return NULL;
    for (size_t i = 0; i < t->cap; i++) {
        sym *s = t->slots[i];
        if (!s || (kind >= 0 && (int)s->kind != kind))
            continue;
        size_t sl = strlen(s->name);
        if (sl + (size_t)limit < len || len + (size_t)limit < sl)
            continue;
        int d = hint_distance(name, s->name);
        if (d < bestd || (d == bestd && best && strcmp(s->name, best) < 0)) {
            bestd = d;
            best = s->name;
        }
    }
    return best;
}

static const char *sym_kind_word(sym_kind k)
{
    switch (k) {
    case SYM_PART: return "part type";
    case SYM_ELEMENT: return "element";
    case SYM_TEMPLATE: return "template";
    case SYM_FN: return "fn";
    }
    return "name";
}

/* Report a reference to name that is not a declared `what` (sym_kind kind): a name of another
 * kind, or an unknown name with a hint. Nothing when a second declaration of the name, already
 * reported, was of the wanted kind (the reference may mean that one). */
static void report_unknown(sema *S, fab_loc loc, const char *what, const char *name, int kind)
{
    sym *s = sym_find(S, name);
    if (s && kind >= 0 && (s->redeclared_kinds & (1u << kind)))
        return;
    if (s) {
        serr(S, loc, "'%s' is %s %s, not %s %s", name, units_article(sym_kind_word(s->kind)), sym_kind_word(s->kind),
             units_article(what), what);
        snote(S, s->decl->nloc, "'%s' is declared here", name);
        return;
    }
    const char *h = sym_suggest(S, name, kind);
    if (h) {
        serr(S, loc, "unknown %s '%s'; did you mean '%s'?", what, name, h);
        snote(S, sym_find(S, h)->decl->nloc, "'%s' is declared here", h);
    } else {
        serr(S, loc, "unknown %s '%s'", what, name);
    }
}

/* ---- files and imports ------------------------------------------------------------------- */

typedef struct sfile {
    char *real;       /* canonical path */
    uint32_t id;
    ast_node *root;
    bool loading;     /* on the import stack */
    fab_loc import_loc; /* the import that loaded it */
} sfile;

static sfile *find_loaded(sema *S, const char *real)
{
    for (int i = 0; i < S->files.n; i++) {
        sfile *f = S->files.items[i];
        if (strcmp(f->real, real) == 0)
            return f;
    }
    return NULL;
}

static void load_items(sema *S, sfile *f);

/* The directory of path with a trailing '/', or "" for the current directory. */
static char *dir_of(sema *S, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strdup(S->a, "");
    return arena_strndup(S->a, path, (size_t)(slash - path) + 1);
}

static void do_import(sema *S, sfile *from, ast_node *imp)
{
    const char *p = imp->str ? imp->str : "";
    const diag_file *df = diag_get_file(S->dc, from->id);
    ptrvec tried = {0};
    char *found = NULL;
    if (p[0] == 0) {
        serr(S, imp->loc, "empty import path");
        return;
    }
    if (!S->opt->no_imports) {
        if (strncmp(p, "std/", 4) == 0) {
            if (S->opt->stdlib_dir)
                ptrvec_push(S->a, &tried, arena_printf(S->a, "%s/%s", S->opt->stdlib_dir, p + 4));
        } else if (p[0] == '/') {
            ptrvec_push(S->a, &tried, arena_strdup(S->a, p));
        } else {
            ptrvec_push(S->a, &tried, arena_printf(S->a, "%s%s", dir_of(S, df->path), p));
            for (const char *const *d = S->opt->search; d && *d; d++)
                ptrvec_push(S->a, &tried, arena_printf(S->a, "%s/%s", *d, p));
            if (S->opt->stdlib_dir)
                ptrvec_push(S->a, &tried, arena_printf(S->a, "%s/%s", S->opt->stdlib_dir, p));
        }
        for (int i = 0; i < tried.n && !found; i++)
            if (access(tried.items[i], R_OK) == 0)
                found = tried.items[i];
    }
    if (!found) {
        serr(S, imp->loc, "cannot find the imported file \"%s\"", p);
        for (int i = 0; i < tried.n; i++)
            snote(S, imp->loc, "looked for %s", (const char *)tried.items[i]);
        if (strncmp(p, "std/", 4) == 0 && !S->opt->stdlib_dir)
            snote(S, imp->loc, "no standard library directory is configured");
        return;
    }
    char *real = realpath(found, NULL);
    char *canon = arena_strdup(S->a, real ? real : found);
    free(real);
    sfile *f = find_loaded(S, canon);
    if (f) {
        if (f->loading) {
            /* the files still loading, from f on, are the chain of imports back to f */
            char *chain = arena_strdup(S->a, diag_get_file(S->dc, f->id)->path);
            int at = -1;
            for (int i = 0; i < S->files.n; i++)
                if (S->files.items[i] == f)
                    at = i;
            for (int i = at + 1; i >= 1 && i < S->files.n; i++) {
                sfile *g = S->files.items[i];
                if (g->loading)
                    chain = arena_printf(S->a, "%s -> %s", chain, diag_get_file(S->dc, g->id)->path);
            }
            chain = arena_printf(S->a, "%s -> %s", chain, diag_get_file(S->dc, f->id)->path);
            serr(S, imp->loc, "import cycle: %s (a file cannot import itself, directly or through other files)", chain);
            for (int i = at + 1; i >= 1 && i < S->files.n; i++) {
                sfile *g = S->files.items[i];
                if (g->loading && g->import_loc.file)
                    snote(S, g->import_loc, "'%s' is imported here", diag_get_file(S->dc, g->id)->path);
            }
        }
        return; /* already merged */
    }
    uint32_t id = diag_load_file(S->dc, found);
    if (!id) {
        serr(S, imp->loc, "cannot read the imported file \"%s\": %s", found, diag_strerror(errno));
        return;
    }
    f = arena_alloc(S->a, sizeof *f);
    f->real = canon;
    f->id = id;
    f->import_loc = imp->loc;
    ptrvec_push(S->a, &S->files, f);
    load_items(S, f);
}

static void load_items(sema *S, sfile *f)
{
    f->loading = true;
    f->root = parse_file(S->dc, S->a, f->id, NULL);
    for (int i = 0; i < f->root->nkids; i++) {
        ast_node *it = f->root->kids[i];
        if (it->kind == AST_IMPORT)
            do_import(S, f, it);
        else if (it->kind != AST_ERROR)
            ptrvec_push(S->a, &S->items, it);
    }
    f->loading = false;
}

/* ---- declarations ------------------------------------------------------------------------ */

static void declare(sema *S, ast_node *d, sym_kind kind, int index)
{
    sym *old = sym_find(S, d->name);
    if (old) {
        serr(S, d->nloc, "'%s' is already declared (as %s %s)", d->name, units_article(sym_kind_word(old->kind)), sym_kind_word(old->kind));
        old->redeclared = true;
        old->redeclared_kinds |= 1u << kind;
        snote(S, old->decl->nloc, "the first declaration of '%s' is here", d->name);
        return;
    }
    sym *s = arena_alloc(S->a, sizeof *s);
    s->name = d->name;
    s->kind = kind;
    s->decl = d;
    s->index = index;
    sym_insert(S, s);
}

/* ---- properties -------------------------------------------------------------------------- */

typedef struct prop_seen {
    const char *names[32];
    ast_node *nodes[32];
    int n;
    bool had_unknown; /* an unknown property was reported: do not also report missing ones */
} prop_seen;

static const char *prop_other_owner(sema *S, const char *name);

/* Look a property up in an allowed list; report unknown and duplicate ones. */
static bool prop_ok(sema *S, prop_seen *seen, ast_node *p, const char *owner_kind, const char *const *allowed)
{
    int n = 0;
    bool known = false;
    for (; allowed[n]; n++)
        if (strcmp(allowed[n], p->name) == 0)
            known = true;
    if (!known) {
        const char *h = hint_nearest(p->name, allowed, (size_t)n);
        const char *other = prop_other_owner(S, p->name);
        if (!h && other)
            serr(S, p->nloc, "%s has no property '%s' (%s is a property of %s)", owner_kind, p->name, p->name, other);
        else if (h)
            serr(S, p->nloc, "%s has no property '%s'; did you mean '%s'?", owner_kind, p->name, h);
        else if (n == 0)
            serr(S, p->nloc, "%s has no properties ('%s')", owner_kind, p->name);
        else {
            char list[256] = "";
            for (int i = 0; i < n; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
            serr(S, p->nloc, "%s has no property '%s' (its properties are %s)", owner_kind, p->name, list);
        }
        seen->had_unknown = true;
        return false;
    }
    for (int i = 0; i < seen->n; i++)
        if (strcmp(seen->names[i], p->name) == 0) {
            serr(S, p->nloc, "property '%s' is set twice", p->name);
            snote(S, seen->nodes[i]->nloc, "first set here");
            return false;
        }
    if (seen->n < 32) {
        seen->names[seen->n] = p->name;
        seen->nodes[seen->n++] = p;
    }
    return true;
}

static ast_node *seen_get(prop_seen *seen, const char *name)
{
    for (int i = 0; i < seen->n; i++)
        if (strcmp(seen->names[i], name) == 0)
            return seen->nodes[i];
    return NULL;
}

/* An identifier value among choices (fifo/lifo, operating/calendar/cycles, ...). */
static int ident_choice(sema *S, ast_node *v, const char *what, const char *const *choices)
{
    if (v->kind == AST_ERROR)
        return -1;
    int n = 0;
    while (choices[n])
        n++;
    if (v->kind == AST_IDENT) {
        for (int i = 0; i < n; i++)
            if (strcmp(choices[i], v->name) == 0)
                return i;
    }
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? (i == n - 1 ? " or " : ", ") : "", choices[i]);
    const char *h = v->kind == AST_IDENT ? hint_nearest(v->name, choices, (size_t)n) : NULL;
    /* the station states under the names people call them */
    static const struct { const char *said, *state; } state_words[] = {
        {"running", "busy"}, {"working", "busy"}, {"processing", "busy"}, {"active", "busy"},
        {"waiting", "idle"}, {"starved", "idle"}, {"failed", "down"}, {"broken", "down"},
        {"repair", "down"}, {"failure", "down"}, {"off", "down"}, {"changeover", "setup"},
    };
    bool states = false;
    for (int i = 0; i < n; i++)
        states |= strcmp(choices[i], "busy") == 0;
    for (size_t i = 0; states && !h && v->kind == AST_IDENT && i < sizeof state_words / sizeof state_words[0]; i++)
        if (strcmp(v->name, state_words[i].said) == 0)
            h = state_words[i].state;
    if (h)
        serr(S, v->loc, "%s must be %s; did you mean '%s'?", what, list, h);
    else
        serr(S, v->loc, "%s must be %s", what, list);
    return -1;
}

/* Counts without a limit of their own are bounded by COUNT_MAX, below 2^53 (exact in the double
 * they are computed in) and 2^63. */
#define COUNT_MAX 1000000000000000L

/* A whole number in [lo, hi]; inf accepted when inf_ok (returns true with *is_inf). */
static bool count_value(sema *S, sx_env *env, ast_node *v, const char *what, long lo, long hi, bool inf_ok, long *out, bool *is_inf)
{
    if (is_inf)
        *is_inf = false;
    if (v->kind == AST_INF) {
        if (inf_ok) {
            *is_inf = true;
            return true;
        }
        serr(S, v->loc, "%s must be a whole number, not inf", what);
        return false;
    }
    fm_dim none = units_dim_none();
    double x;
    if (!sx_quantity(S, env, v, &none, what, &x, NULL))
        return false;
    if (isinf(x) && inf_ok && x > 0) {
        *is_inf = true;
        return true;
    }
    if (x != floor(x) || x < (double)lo || x > (double)hi) {
        /* a value computed or passed in (`capacity = workers`): show what it came to, with
         * the digits that make it not whole (`3 * 0.1 * 10` is 3.0000000000000004) */
        const char *shown = src_text(S, v);
        if (v->kind != AST_NUM && !(v->kind == AST_UNARY && v->kids[0]->kind == AST_NUM)) {
            char b[32];
            snprintf(b, sizeof b, "%.15g", x);
            if (strtod(b, NULL) != x)
                snprintf(b, sizeof b, "%.17g", x);
            shown = arena_printf(S->a, "%s (= %s)", shown, b);
        }
        /* the upper limit is named when it is a real one, or when the value broke it */
        if (hi < COUNT_MAX || x > (double)hi)
            serr(S, v->loc, "%s must be a whole number in %ld..%ld%s; %s is not", what, lo, hi, inf_ok ? " (or inf)" : "", shown);
        else
            serr(S, v->loc, "%s must be a whole number >= %ld%s; %s is not", what, lo, inf_ok ? " (or inf)" : "", shown);
        return false;
    }
    *out = (long)x;
    return true;
}

/* A `true` / `false` literal, or the name of a bool template parameter bound in env. */
static bool bool_value(sema *S, sx_env *env, ast_node *v, const char *what, bool *out)
{
    if (v->kind == AST_ERROR)
        return false;
    if (v->kind == AST_BOOL) {
        *out = v->op != 0;
        return true;
    }
    if (v->kind == AST_IDENT) {
        tval *tv = sx_tval(env, v->name);
        if (tv && tv->kind == TV_BOOL) {
            *out = tv->num != 0;
            return true;
        }
    }
    serr(S, v->loc, "%s must be true or false", what);
    return false;
}

static int part_value(sema *S, sx_env *env, ast_node *v, const char *what)
{
    if (v->kind == AST_ERROR)
        return -1;
    if (v->kind == AST_IDENT) {
        tval *tv = sx_tval(env, v->name);
        if (tv && tv->kind == TV_PARTTYPE)
            return tv->part;
        sym *s = sym_find(S, v->name);
        if (s && s->kind == SYM_PART)
            return s->index;
        report_unknown(S, v->loc, "part type", v->name, SYM_PART);
        return -1;
    }
    serr(S, v->loc, "%s expects the name of a part type", what);
    return -1;
}

static bool power_map(sema *S, sx_env *env, ast_node *v, double *power, const char *owner)
{
    if (v->kind != AST_MAP) {
        serr(S, v->loc, "power expects a map of station states to powers: { idle: 2 kW, busy: 15 kW }");
        return false;
    }
    const char *states[FM_STATE__COUNT + 1];
    for (int i = 0; i < FM_STATE__COUNT; i++)
        states[i] = fm_state_name((fm_state)i);
    states[FM_STATE__COUNT] = NULL;
    bool seen[FM_STATE__COUNT] = {false};
    bool ok = true;
    fm_dim pw = UNITS_POWER;
    for (int i = 0; i < v->nkids; i++) {
        ast_node *key = v->kids[i]->kids[0];
        int st = ident_choice(S, key, "a key of power", states);
        if (st < 0) {
            ok = false;
            continue;
        }
        if (seen[st]) {
            serr(S, key->loc, "power: state '%s' is given twice", states[st]);
            ok = false;
            continue;
        }
        seen[st] = true;
        const char *what = arena_printf(S->a, "power of %s when %s", owner, states[st]);
        if (!sx_quantity(S, env, v->kids[i]->kids[1], &pw, what, &power[st], NULL))
            ok = false;
        else if (power[st] < 0) {
            serr(S, v->kids[i]->kids[1]->loc, "%s cannot be negative", what);
            ok = false;
        } else if (!isfinite(power[st])) {
            serr(S, v->kids[i]->kids[1]->loc, "%s must be finite; %s is not", what, src_text(S, v->kids[i]->kids[1]));
            ok = false;
        }
    }
    return ok;
}

/* ---- elements ---------------------------------------------------------------------------- */

static const char *const source_props[] = {"part", "interarrival", "supply", "batch", "limit", "on_block", NULL};
static const char *const station_props[] = {"cycle", "capacity", "setup", "power", NULL};
static const char *const buffer_props[] = {"capacity", "order", NULL};
static const char *const conveyor_props[] = {"length", "speed", "spacing", "accumulating", NULL};
static const char *const assembly_props[] = {"inputs", "output", "cycle", "power", NULL};
static const char *const sink_props[] = {NULL};
static const char *const failure_props[] = {"ttf", "ttr", "basis", NULL};
static const char *const model_props[] = {"horizon", "warmup", "replications", "seed", NULL};
static const char *const part_props[] = {"mass", NULL};

static const char *const *elem_props[FM_ELEM__COUNT] = {
    source_props, station_props, buffer_props, conveyor_props, assembly_props, sink_props,
};

/* "a source" when name is a property of exactly the kinds listed (for "interarrival on a
 * sink": the property went into the wrong declaration); NULL when no kind has it. */
static const char *prop_other_owner(sema *S, const char *name)
{
    const char *owners = NULL;
    for (int k = 0; k < FM_ELEM__COUNT; k++)
        for (int i = 0; elem_props[k][i]; i++)
            if (strcmp(elem_props[k][i], name) == 0) {
                const char *kn = fm_elem_kind_name((fm_elem_kind)k);
                owners = owners ? arena_printf(S->a, "%s or %s %s", owners, units_article(kn), kn)
                                : arena_printf(S->a, "%s %s", units_article(kn), kn);
            }
    static const struct { const char *const *props; const char *what; } others[] = {
        {failure_props, "a failure block"}, {model_props, "the model block"}, {part_props, "a part"},
    };
    for (size_t j = 0; j < sizeof others / sizeof others[0]; j++)
        for (int i = 0; others[j].props[i]; i++)
            if (strcmp(others[j].props[i], name) == 0)
                owners = owners ? arena_printf(S->a, "%s or %s", owners, others[j].what) : others[j].what;
    return owners;
}

static void station_cycle(sema *S, sx_env *env, fm_element *e, ast_node *v, fm_station *st)
{
    fm_dim t = UNITS_TIME;
    if (v->kind != AST_MAP) {
        st->cycle = sx_dist(S, env, v, &t, "cycle", e->name, "cycle");
        return;
    }
    if (v->nkids == 0) {
        serr(S, v->loc, "cycle: the map by part type is empty");
        return;
    }
    st->ncycle_map = v->nkids;
    st->cycle_map = arena_array(S->a, (size_t)v->nkids, sizeof *st->cycle_map);
    for (int i = 0; i < v->nkids; i++) {
        ast_node *key = v->kids[i]->kids[0];
        int pt = part_value(S, env, key, "a key of cycle");
        st->cycle_map[i].part_type = pt;
        for (int j = 0; j < i && pt >= 0; j++)
            if (st->cycle_map[j].part_type == pt) {
                serr(S, key->loc, "cycle: part type '%s' is given twice", S->m->parts[pt].name);
                pt = -1;
            }
        if (pt < 0)
            continue;
        const char *pname = S->m->parts[pt].name;
        st->cycle_map[i].dist = sx_dist(S, env, v->kids[i]->kids[1], &t, arena_printf(S->a, "cycle of %s", pname),
                                        e->name, arena_printf(S->a, "cycle.%s", pname));
    }
}

static void check_failure(sema *S, sx_env *env, fm_element *e, ast_node *fb, fm_failure *f)
{
    prop_seen seen = {.n = 0};
    f->name = fb->name;
    f->loc = fb->nloc;
    for (int i = 0; i < fb->nkids; i++) {
        ast_node *p = fb->kids[i];
        if (p->kind != AST_PROP) {
            if (p->kind != AST_ERROR)
                serr(S, p->loc, "a failure block holds only ttf, ttr and basis");
            else
                seen.had_unknown = true;
            continue;
        }
        prop_ok(S, &seen, p, "failure", failure_props);
    }
    static const char *const bases[] = {"operating", "calendar", "cycles", NULL};
    ast_node *b = seen_get(&seen, "basis");
    f->basis = FM_BASIS_OPERATING;
    if (b) {
        int k = ident_choice(S, b->kids[0], "basis", bases);
        if (k >= 0)
            f->basis = (fm_basis)k;
    }
    fm_dim t = UNITS_TIME, none = units_dim_none();
    ast_node *ttf = seen_get(&seen, "ttf"), *ttr = seen_get(&seen, "ttr");
    const char *pre = arena_printf(S->a, "failure.%s", f->name);
    if (ttf) {
        f->ttf = sx_dist(S, env, ttf->kids[0], f->basis == FM_BASIS_CYCLES ? &none : &t,
                         f->basis == FM_BASIS_CYCLES ? "ttf (in cycles)" : "ttf", e->name, arena_printf(S->a, "%s.ttf", pre));
        if (f->ttf && f->basis == FM_BASIS_CYCLES && !sx_cycle_count(S, f->ttf, ttf->kids[0], "ttf (in cycles)"))
            f->ttf = NULL;
        else if (f->ttf && f->basis != FM_BASIS_CYCLES && sx_dist_always_zero(f->ttf))
            swarn(S, ttf->kids[0]->loc, "failure %s: its ttf can only be 0 s, so the station %s", f->name,
                  f->basis == FM_BASIS_CALENDAR ? "fails again as soon as it is repaired and never works"
                                                : "fails as soon as it starts a cycle and never finishes one");
    } else
        if (!seen.had_unknown)
            serr(S, fb->nloc, "failure %s has no ttf (time to failure)", f->name);
    if (ttr)
        f->ttr = sx_dist(S, env, ttr->kids[0], &t, "ttr", e->name, arena_printf(S->a, "%s.ttr", pre));
    else
        if (!seen.had_unknown)
            serr(S, fb->nloc, "failure %s has no ttr (time to repair)", f->name);
}

/* The parts a conveyor of length l and spacing s (positive, finite, s <= l) holds, by the
 * simulator's rule (fab/limits.h): floor(l / s + FAB_CONVEYOR_SLACK). Above
 * FAB_MAX_CONVEYOR_PARTS the result is only known to be above it (l / s may be inf). */
static double conveyor_capacity(double l, double s)
{
    double r = l / s;
    if (!(r <= FAB_MAX_CONVEYOR_PARTS))
        return r;
    return floor(r + FAB_CONVEYOR_SLACK);
}

/* Fill an element from a body (ELEMENT node) in a scope (template bindings). */
static void check_element_body(sema *S, sx_env *env, fm_element *e, ast_node *body)
{
    prop_seen seen = {.n = 0};
    const char *kname = fm_elem_kind_name(e->kind);
    ptrvec failures = {0};
    /* failure blocks by name (interned), for the duplicate check: index + 1, 0 = empty */
    size_t fcap = 16, nblocks = 0;
    for (int i = 0; i < body->nkids; i++)
        nblocks += body->kids[i]->kind == AST_FAILURE;
    while (fcap < 2 * nblocks)
        fcap *= 2;
    int *fset = NULL;
    bool too_many = false;
    for (int i = 0; i < body->nkids; i++) {
        ast_node *p = body->kids[i];
        if (p->kind == AST_FAILURE) {
            if (e->kind != FM_ELEM_STATION) {
                serr(S, p->loc, "only a station can have failure blocks (%s is a %s)", e->name, kname);
                continue;
            }
            if (failures.n == (int)FAB_MAX_FAILURE_MODES) {
                if (!too_many)
                    serr(S, p->nloc, "station %s has more than %u failure modes", e->name, FAB_MAX_FAILURE_MODES);
                too_many = true;
                continue;
            }
            if (!fset && !(fset = arena_array(S->a, fcap, sizeof(int))))
                continue;
            size_t h = ptr_hash(p->name) & (fcap - 1);
            while (fset[h] && ((ast_node *)failures.items[fset[h] - 1])->name != p->name)
                h = (h + 1) & (fcap - 1);
            if (fset[h]) {
                serr(S, p->nloc, "failure '%s' is declared twice in %s", p->name, e->name);
                snote(S, ((ast_node *)failures.items[fset[h] - 1])->nloc, "the first one is here");
                continue;
            }
            ptrvec_push(S->a, &failures, p);
            fset[h] = failures.n;
            continue;
        }
        if (p->kind == AST_ATTR) {
            serr(S, p->loc, "only a part type can have attributes");
            continue;
        }
        if (p->kind == AST_ROUTE) {
            body_route *br = arena_alloc(S->a, sizeof *br);
            br->element = e->index;
            br->route = p;
            br->env = *env;
            ptrvec_push(S->a, &S->body_routes, br);
            continue;
        }
        if (p->kind == AST_ERROR)
            seen.had_unknown = true; /* a syntax error may have eaten a required property */
        if (p->kind != AST_PROP)
            continue;
        prop_ok(S, &seen, p, kname, elem_props[e->kind]);
    }
    ast_node *v;
#define PROP(name) ((v = seen_get(&seen, name)) ? v->kids[0] : NULL)
    fm_dim t = UNITS_TIME, len = UNITS_LENGTH, spd = UNITS_SPEED;
    switch (e->kind) {
    case FM_ELEM_SOURCE: {
        fm_source *s = &e->u.source;
        s->part_type = -1;
        s->batch = 1;
        s->limit = -1;
        ast_node *x;
        if ((x = PROP("part")))
            s->part_type = part_value(S, env, x, "part");
        else
            if (!seen.had_unknown)
            serr(S, e->loc, "source %s has no 'part' (the part type it creates)", e->name);
        ast_node *ia = PROP("interarrival"), *sup = PROP("supply");
        if (ia && sup) {
            serr(S, sup->loc, "source %s has both interarrival and supply; use one", e->name);
            snote(S, ia->loc, "interarrival is here");
        } else if (sup) {
            static const char *const sups[] = {"unlimited", NULL};
            if (ident_choice(S, sup, "supply", sups) == 0)
                s->unlimited = true;
        } else if (ia) {
            s->interarrival = sx_dist(S, env, ia, &t, "interarrival", e->name, "interarrival");
        } else {
            if (!seen.had_unknown)
            serr(S, e->loc, "source %s has neither interarrival nor supply = unlimited", e->name);
        }
        if ((x = PROP("batch")))
            count_value(S, env, x, "batch", 1, COUNT_MAX, false, &s->batch, NULL);
        if ((x = PROP("limit"))) {
            bool inf;
            if (count_value(S, env, x, "limit", 1, COUNT_MAX, true, &s->limit, &inf) && inf)
                s->limit = -1;
        }
        const fm_dist *iad = s->interarrival;   /* always 0 s: no time would ever pass */
        if (iad && s->limit < 0 && sx_dist_always_zero(iad))
            serr(S, ia->loc, "source %s creates parts 0 s apart without a limit, so time could never pass; give a positive "
                 "interarrival, or a limit (`limit = n` creates n parts at once)", e->name);
        if ((x = PROP("on_block"))) {
            static const char *const obs[] = {"queue", "lose", NULL};
            int k = ident_choice(S, x, "on_block", obs);
            s->on_block = k == 1 ? FM_ON_BLOCK_LOSE : FM_ON_BLOCK_QUEUE;
        }
        break;
    }
    case FM_ELEM_STATION: {
        fm_station *st = &e->u.station;
        st->capacity = 1;
        ast_node *x;
        if ((x = PROP("cycle")))
            station_cycle(S, env, e, x, st);
        else
            if (!seen.had_unknown)
            serr(S, e->loc, "station %s has no cycle", e->name);
        if ((x = PROP("capacity")))
            count_value(S, env, x, "capacity", 1, FAB_MAX_SERVERS, false, &st->capacity, NULL);
        if ((x = PROP("setup")))
            st->setup = sx_dist(S, env, x, &t, "setup", e->name, "setup");
        if ((x = PROP("power")))
            st->has_power = power_map(S, env, x, st->power, e->name);
        st->nfailures = failures.n;
        st->failures = arena_array(S->a, (size_t)failures.n + 1, sizeof *st->failures);
        for (int i = 0; i < failures.n && st->failures; i++)
            check_failure(S, env, e, failures.items[i], &st->failures[i]);
        break;
    }
    case FM_ELEM_BUFFER: {
        fm_buffer *b = &e->u.buffer;
        b->infinite = true;
        ast_node *x;
        if ((x = PROP("capacity"))) {
            bool inf = false;
            if (count_value(S, env, x, "capacity", 1, COUNT_MAX, true, &b->capacity, &inf))
                b->infinite = inf;
        }
        if ((x = PROP("order"))) {
            if (x->kind == AST_ORDER_BY) {
                sx_env oenv = *env;
                oenv.part_ok = true;
                fm_expr *k = sx_expr(S, &oenv, x->kids[0]);
                if (k && sx_type(S, k)) {
                    if (k->type != FM_T_NUM)
                        serr(S, x->kids[0]->loc, "the order key must be a number (it sorts the parts)");
                    b->order_key = k;
                    b->order = x->op == AST_ORDER_ASC ? FM_ORDER_ASCENDING : FM_ORDER_DESCENDING;
                }
            } else {
                static const char *const ords[] = {"fifo", "lifo", "by <expr> ascending", "by <expr> descending", NULL};
                int k = ident_choice(S, x, "order", ords);
                b->order = k == 1 ? FM_ORDER_LIFO : FM_ORDER_FIFO;
            }
        }
        break;
    }
    case FM_ELEM_CONVEYOR: {
        fm_conveyor *c = &e->u.conveyor;
        ast_node *x;
        bool ok = true;
        if ((x = PROP("length")))
            ok &= sx_quantity(S, env, x, &len, "length", &c->length, NULL);
        else {
            if (!seen.had_unknown)
                serr(S, e->loc, "conveyor %s has no length", e->name);
            ok = false;
        }
        if ((x = PROP("speed")))
            ok &= sx_quantity(S, env, x, &spd, "speed", &c->speed, NULL);
        else {
            if (!seen.had_unknown)
                serr(S, e->loc, "conveyor %s has no speed", e->name);
            ok = false;
        }
        if ((x = PROP("spacing")))
            ok &= sx_quantity(S, env, x, &len, "spacing", &c->spacing, NULL);
        else {
            if (!seen.had_unknown)
                serr(S, e->loc, "conveyor %s has no spacing (the minimum distance between parts)", e->name);
            ok = false;
        }
        if ((x = PROP("accumulating")))
            bool_value(S, env, x, "accumulating", &c->accumulating);
        if (ok) {
            if (!(c->length > 0) || isinf(c->length))
                serr(S, PROP("length")->loc, "length must be positive and finite");
            else if (!(c->speed > 0) || isinf(c->speed))
                serr(S, PROP("speed")->loc, "speed must be positive and finite");
            else if (!(c->spacing > 0) || c->spacing > c->length) {
                ast_node *sp = PROP("spacing");
                ast_node *ln = PROP("length");
                serr(S, sp->loc, "spacing must be positive and at most the length; %s is not (length %s)",
                     src_text(S, sp), ln ? src_text(S, ln) : "?");
            } else {
                double n = conveyor_capacity(c->length, c->spacing);
                if (n > FAB_MAX_CONVEYOR_PARTS) {
                    ast_node *sp = PROP("spacing");
                    char b[32];
                    if (isinf(n))
                        snprintf(b, sizeof b, "more than 1e308");
                    else
                        snprintf(b, sizeof b, n < 1e15 ? "%.0f" : "%.3g", n);
                    serr(S, sp->loc, "conveyor %s would hold %s parts (length / spacing); at most %ld are supported: make the spacing longer",
                         e->name, b, (long)FAB_MAX_CONVEYOR_PARTS);
                } else
                    c->capacity = (long)n;
            }
        }
        break;
    }
    case FM_ELEM_ASSEMBLY: {
        fm_assembly *as = &e->u.assembly;
        as->output = -1;
        ast_node *x;
        if ((x = PROP("inputs"))) {
            if (x->kind != AST_MAP || x->nkids == 0) {
                serr(S, x->loc, "inputs expects a bill of materials: { Housing: 1, Cover: 2 }");
            } else {
                as->ninputs = x->nkids;
                as->inputs = arena_array(S->a, (size_t)x->nkids, sizeof *as->inputs);
                for (int i = 0; i < x->nkids; i++) {
                    ast_node *key = x->kids[i]->kids[0];
                    int pt = part_value(S, env, key, "a key of inputs");
                    for (int j = 0; j < i && pt >= 0; j++)
                        if (as->inputs[j].part_type == pt) {
                            serr(S, key->loc, "inputs: part type '%s' is given twice", key->name);
                            pt = -1;
                        }
                    as->inputs[i].part_type = pt;
                    count_value(S, env, x->kids[i]->kids[1], "an input count", 1, FAB_MAX_BOM_COUNT, false, &as->inputs[i].count, NULL);
                }
            }
        } else
            if (!seen.had_unknown)
            serr(S, e->loc, "assembly %s has no inputs (its bill of materials)", e->name);
        if ((x = PROP("output")))
            as->output = part_value(S, env, x, "output");
        else
            if (!seen.had_unknown)
            serr(S, e->loc, "assembly %s has no output part type", e->name);
        if ((x = PROP("cycle")))
            as->cycle = sx_dist(S, env, x, &t, "cycle", e->name, "cycle");
        else
            if (!seen.had_unknown)
            serr(S, e->loc, "assembly %s has no cycle", e->name);
        if ((x = PROP("power")))
            as->has_power = power_map(S, env, x, as->power, e->name);
        break;
    }
    case FM_ELEM_SINK:
    case FM_ELEM__COUNT:
        break;
    }
#undef PROP
}

/* Template parameter type: a dimension name, or part_type / bool. An unknown one is reported
 * when report is set (at the declaration; not again at each instance). */
static bool tparam_type(sema *S, ast_node *tp, fm_dim *dim, tval_kind *kind, bool report)
{
    ast_node *ty = tp->kids[0];
    if (strcmp(ty->name, "part_type") == 0) {
        *kind = TV_PARTTYPE;
        return true;
    }
    if (strcmp(ty->name, "bool") == 0) {
        *kind = TV_BOOL;
        return true;
    }
    if (strcmp(ty->name, "element") == 0) {
        *kind = TV_ELEMENT;
        return true;
    }
    *kind = TV_NUM;
    if (units_dim_by_name(ty->name, dim))
        return true;
    if (!report)
        return false;
    const char *const *names = units_dim_names();
    size_t n = 0;
    while (names[n])
        n++;
    const char *h = hint_nearest(ty->name, names, n);
    if (h)
        serr(S, ty->loc, "unknown parameter type '%s'; did you mean '%s'?", ty->name, h);
    else
        serr(S, ty->loc, "unknown parameter type '%s' (use a dimension such as time, length, rate, number, or part_type, bool)", ty->name);
    return false;
}

/* Evaluate one template argument for parameter tp. */
static bool template_arg(sema *S, sx_env *caller, ast_node *tp, ast_node *val, tval *out, const char *tname)
{
    fm_dim dim = units_dim_none();
    tval_kind kind;
    if (!tparam_type(S, tp, &dim, &kind, false))
        return false; /* reported at the template's declaration */
    out->name = tp->name;
    out->loc = val->loc;
    out->kind = kind;
    const char *what = arena_printf(S->a, "parameter '%s' of %s", tp->name, tname);
    switch (kind) {
    case TV_PARTTYPE:
        out->part = part_value(S, caller, val, what);
        return out->part >= 0;
    case TV_BOOL: {
        bool b;
        if (!bool_value(S, caller, val, what, &b))
            return false;
        out->num = b;
        return true;
    }
    case TV_ELEMENT: {
        if (val->kind != AST_IDENT) {
            serr(S, val->loc, "%s expects the name of an element", what);
            return false;
        }
        tval *tv = sx_tval(caller, val->name);
        if (tv && tv->kind == TV_ELEMENT) {
            out->part = tv->part;
            return true;
        }
        sym *s = sym_find(S, val->name);
        if (!s || s->kind != SYM_ELEMENT) {
            report_unknown(S, val->loc, "element", val->name, SYM_ELEMENT);
            return false;
        }
        out->part = s->index;
        return true;
    }
    default:
        break;
    }
    if (sx_is_dist_call(val) || (val->kind == AST_IDENT && sx_tval(caller, val->name) &&
                                 sx_tval(caller, val->name)->kind == TV_DIST)) {
        out->kind = TV_DIST;
        out->dist = sx_dist(S, caller, val, &dim, what, "", "");
        out->dim = dim;
        return out->dist != NULL;
    }
    if (val->kind == AST_INF) {
        out->num = INFINITY;
        out->any_dim = true;
        out->dim = dim;
        return true;
    }
    out->kind = TV_NUM;
    out->dim = dim;
    return sx_quantity(S, caller, val, &dim, what, &out->num, NULL);
}

static void instantiate(sema *S, fm_element *e, ast_node *inst)
{
    ast_node *call = inst->kids[0];
    sym *ts = sym_find(S, call->name);
    if (!ts || ts->kind != SYM_TEMPLATE) {
        report_unknown(S, call->nloc.file ? call->loc : inst->loc, "template", call->name, SYM_TEMPLATE);
        return;
    }
    ast_node *tmpl = ts->decl;
    e->template_name = tmpl->name;
    if (tmpl->op != (int)e->kind) {
        serr(S, call->loc, "%s is a %s template, but %s is declared as a %s", tmpl->name,
             fm_elem_kind_name((fm_elem_kind)tmpl->op), e->name, fm_elem_kind_name(e->kind));
        snote(S, tmpl->nloc, "template %s is declared here", tmpl->name);
        return;
    }
    ast_node *params = tmpl->kids[0];
    int np = params->nkids;
    for (int j = 0; j < np; j++)
        if (params->kids[j]->kind != AST_TPARAM)
            return; /* a syntax error in the parameters, already reported */
    ast_node **given = arena_array(S->a, (size_t)np + 1, sizeof *given);
    bool ok = true;
    int positional = 0;
    for (int i = 0; i < call->nkids; i++)
        if (call->kids[i]->kind == AST_ERROR)
            return; /* a syntax error in the arguments, already reported */
    for (int i = 0; i < call->nkids; i++) {
        ast_node *arg = call->kids[i];
        int slot = -1;
        if (arg->kind == AST_NAMED) {
            for (int j = 0; j < np; j++)
                if (params->kids[j]->name == arg->name)
                    slot = j;
            if (slot < 0) {
                const char *cands[64];
                size_t nc = 0;
                for (int j = 0; j < np && nc < 64; j++)
                    cands[nc++] = params->kids[j]->name;
                const char *h = hint_nearest(arg->name, cands, nc);
                if (h)
                    serr(S, arg->nloc, "template %s has no parameter '%s'; did you mean '%s'?", tmpl->name, arg->name, h);
                else
                    serr(S, arg->nloc, "template %s has no parameter '%s'", tmpl->name, arg->name);
                snote(S, tmpl->nloc, "template %s is declared here", tmpl->name);
                ok = false;
                continue;
            }
        } else {
            slot = positional++;
            if (slot >= np) {
                serr(S, arg->loc, "too many arguments: template %s has %d parameter%s", tmpl->name, np, np == 1 ? "" : "s");
                ok = false;
                continue;
            }
        }
        if (given[slot]) {
            serr(S, arg->loc, "parameter '%s' of %s is given twice", params->kids[slot]->name, tmpl->name);
            ok = false;
            continue;
        }
        given[slot] = arg->kind == AST_NAMED ? arg->kids[0] : arg;
    }
    sx_env caller = {0};
    tval *tvs = arena_array(S->a, (size_t)np + 1, sizeof *tvs);
    for (int j = 0; j < np && tvs; j++) {
        ast_node *tp = params->kids[j];
        if (given[j]) {
            ok &= template_arg(S, &caller, tp, given[j], &tvs[j], tmpl->name);
        } else if (tp->nkids > 1) {
            if (tp->op)
                ok = false; /* a bad default: reported at the declaration */
            else
                ok &= template_arg(S, &caller, tp, tp->kids[1], &tvs[j], tmpl->name);
        } else {
            serr(S, call->loc, "%s needs parameter '%s' (%s)", tmpl->name, tp->name, tp->kids[0]->name);
            snote(S, tp->loc, "parameter '%s' has no default", tp->name);
            ok = false;
        }
    }
    if (!ok || !tvs)
        return;
    sx_env env = {.ntv = np, .tvs = tvs};
    fab_loc saved = S->inst_loc;
    const char *saved_name = S->inst_name;
    if (!S->inst_loc.file) {
        S->inst_loc = inst->nloc;
        S->inst_name = tmpl->name;
    }
    check_element_body(S, &env, e, tmpl->kids[1]);
    S->inst_loc = saved;
    S->inst_name = saved_name;
}

static void check_template_decl(sema *S, ast_node *t)
{
    ast_node *params = t->kids[0];
    for (int i = 0; i < params->nkids; i++) {
        ast_node *tp = params->kids[i];
        fm_dim d;
        tval_kind k;
        if (tp->kind != AST_TPARAM)
            continue; /* a syntax error, already reported */
        tparam_type(S, tp, &d, &k, true);
        for (int j = 0; j < i; j++)
            if (params->kids[j]->name == tp->name) {
                serr(S, tp->loc, "template %s has two parameters named '%s'", t->name, tp->name);
                snote(S, params->kids[j]->loc, "the first one is here");
            }
    }
}

/* The defaults of template t's parameters, once (after the fns are checked, which a default
 * may call): a default is a constant, not a distribution. A rejected default (or one of a
 * parameter whose type is unknown) is marked (op = 1) and not evaluated again at each instance
 * that relies on it, so it is one error however many instances use it (none included). */
static void check_template_defaults(sema *S, ast_node *t)
{
    ast_node *params = t->kids[0];
    for (int i = 0; i < params->nkids; i++) {
        ast_node *tp = params->kids[i];
        if (tp->kind != AST_TPARAM || tp->nkids < 2)
            continue;
        if (sx_is_dist_call(tp->kids[1])) {
            serr(S, tp->kids[1]->loc, "the default of parameter '%s' is a distribution; defaults are constants (give the distribution as an argument where %s is used)",
                 tp->name, t->name);
            tp->op = 1;
            continue;
        }
        sx_env none = {0};
        tval tv = {0};
        if (!template_arg(S, &none, tp, tp->kids[1], &tv, t->name))
            tp->op = 1;
    }
}

/* ---- model settings, parts, fns ---------------------------------------------------------- */

static void check_model_block(sema *S, ast_node *mb)
{
    fab_model *m = S->m;
    m->name = mb->str ? mb->str : "";
    prop_seen seen = {.n = 0};
    for (int i = 0; i < mb->nkids; i++) {
        ast_node *p = mb->kids[i];
        if (p->kind == AST_PROP)
            prop_ok(S, &seen, p, "model", model_props);
        else if (p->kind != AST_ERROR)
            serr(S, p->loc, "a model block holds only horizon, warmup, replications and seed");
    }
    sx_env env = {0};
    fm_dim t = UNITS_TIME;
    ast_node *v;
    if ((v = seen_get(&seen, "horizon")) && sx_quantity(S, &env, v->kids[0], &t, "horizon", &m->horizon, NULL) &&
        !(m->horizon > 0 && isfinite(m->horizon)))
        serr(S, v->kids[0]->loc, "horizon must be positive and finite");
    if ((v = seen_get(&seen, "warmup")) && sx_quantity(S, &env, v->kids[0], &t, "warmup", &m->warmup, NULL) &&
        (m->warmup < 0 || m->warmup >= m->horizon))
        serr(S, v->kids[0]->loc, "warmup must be at least 0 and shorter than the horizon; %s is not (horizon %g h)",
             src_text(S, v->kids[0]), m->horizon / 3600.0);
    if ((v = seen_get(&seen, "replications")))
        count_value(S, &env, v->kids[0], "replications", 1, FAB_MAX_REPLICATIONS, false, &m->replications, NULL);
    if ((v = seen_get(&seen, "seed"))) {
        long seed;
        if (count_value(S, &env, v->kids[0], "seed", 0, COUNT_MAX, false, &seed, NULL))
            m->seed = (uint64_t)seed;
    }
}

/* An attribute while collecting: its dimension becomes known from its first initialiser. */
typedef struct sattr {
    fm_attr a; /* first member: S->attrs holds sattr * as fm_attr * */
    bool known;
} sattr;

/* Register an attribute name (dimension not known yet); returns its index. */
static int attr_declare(sema *S, ast_node *a)
{
    for (int i = 0; i < S->attrs.n; i++)
        if (((fm_attr *)S->attrs.items[i])->name == a->name)
            return i;
    sattr *at = arena_alloc(S->a, sizeof *at);
    at->a.name = a->name;
    at->a.loc = a->nloc;
    ptrvec_push(S->a, &S->attrs, at);
    return S->attrs.n - 1;
}

/* Give attribute of node a the dimension dim (first one wins; others must agree). */
static int attr_index(sema *S, ast_node *a, fm_dim dim)
{
    int i = attr_declare(S, a);
    sattr *at = S->attrs.items[i];
    if (!at->known) {
        at->known = true;
        at->a.dim = dim;
        S->attr_gen++; /* fn bodies reading it may type differently from now on */
        at->a.loc = a->nloc;
        return i;
    }
    if (!units_dim_eq(at->a.dim, dim)) {
        char b1[48], b2[48];
        serr(S, a->kids[0]->loc, "attribute '%s' is %s here but %s elsewhere; an attribute has one dimension in every part type",
             a->name, dim_name(dim, b1, sizeof b1), dim_name(at->a.dim, b2, sizeof b2));
        snote(S, at->a.loc, "'%s' is first defined here", a->name);
        return -1;
    }
    return i;
}

/* First pass over attributes: register names with the dimension of their initialiser
 * (dists and constants; expressions are typed in the second pass). */
typedef struct pending_attr {
    int part, attr;
    ast_node *node;
    fm_attr_init init;
    /* second pass, expressions only: */
    int ai;          /* the attribute's index (attr stays -1 when its dimension disagrees) */
    fm_expr *e;      /* the initialiser before typing */
    int *reads;      /* attributes it reads (part.<attr>, also in the fns it calls), unique */
    int nreads;
    int need;        /* reads whose dimension is not settled yet */
    bool done;       /* typed, or given up */
} pending_attr;

static void check_part(sema *S, int pi, ast_node *pd, ptrvec *pending)
{
    fm_part_type *pt = &S->m->parts[pi];
    pt->name = pd->name;
    pt->loc = pd->nloc;
    prop_seen seen = {.n = 0};
    sx_env env = {0};
    for (int i = 0; i < pd->nkids; i++) {
        ast_node *p = pd->kids[i];
        if (p->kind == AST_PROP) {
            if (prop_ok(S, &seen, p, "part", part_props)) {
                fm_dim mass = UNITS_MASS;
                if (sx_quantity(S, &env, p->kids[0], &mass, "mass", &pt->mass, NULL) && pt->mass < 0)
                    serr(S, p->kids[0]->loc, "mass cannot be negative");
            }
        } else if (p->kind == AST_ATTR) {
            for (int j = 0; j < i; j++)
                if (pd->kids[j]->kind == AST_ATTR && pd->kids[j]->name == p->name) {
                    serr(S, p->nloc, "attribute '%s' is defined twice in %s", p->name, pd->name);
                    snote(S, pd->kids[j]->nloc, "first defined here");
                    p = NULL;
                    break;
                }
            if (!p)
                continue;
            if (strcmp(p->name, "type") == 0 || strcmp(p->name, "created") == 0) {
                serr(S, p->nloc, "'%s' is a built-in field of every part; choose another attribute name", p->name);
                continue;
            }
            attr_declare(S, p);
            pending_attr *pa = arena_alloc(S->a, sizeof *pa);
            pa->part = pi;
            pa->node = p;
            pa->attr = -1;
            ast_node *v = p->kids[0];
            if (sx_is_dist_call(v)) {
                pa->init.kind = FM_INIT_DIST;
                pa->init.dist = sx_dist(S, &env, v, NULL, arena_printf(S->a, "attribute %s", p->name), pd->name,
                                        arena_printf(S->a, "attr.%s", p->name));
                if (pa->init.dist)
                    pa->attr = attr_index(S, p, pa->init.dist->dim);
            } else {
                pa->init.kind = FM_INIT_EXPR; /* decided in the second pass */
            }
            ptrvec_push(S->a, pending, pa);
        } else if (p->kind == AST_FAILURE) {
            serr(S, p->loc, "a part type cannot have failure blocks");
        }
    }
}

/* Scratch for attr_reads: stamps mark the attributes and fns already seen for one initialiser. */
typedef struct reads_ctx {
    sema *S;
    int stamp;
    int *attr_stamp, *fn_stamp; /* [nattrs], [nfns] */
    int *out, n;                /* [nattrs] */
} reads_ctx;

/* Collect the attributes that e reads: part.<attr>, also inside the bodies of the fns it calls
 * (the only part an initialiser sees is the part being created, so every part.<attr> of a
 * called fn reads that part). Each attribute and fn is visited once per stamp. */
static void attr_reads(reads_ctx *c, const fm_expr *e)
{
    if (!e)
        return;
    if (e->kind == FM_EX_PART_ATTR && e->index >= 0 && e->index < c->S->attrs.n &&
        c->attr_stamp[e->index] != c->stamp) {
        c->attr_stamp[e->index] = c->stamp;
        c->out[c->n++] = e->index;
    }
    if (e->kind == FM_EX_CALL && e->index >= 0 && e->index < c->S->m->nfns &&
        c->fn_stamp[e->index] != c->stamp) {
        c->fn_stamp[e->index] = c->stamp;
        attr_reads(c, c->S->m->fns[e->index].body);
    }
    for (int i = 0; i < e->nargs; i++)
        attr_reads(c, e->args[i]);
}

/* "a reads b, b reads a" for a cycle of pending attributes (each reads the next); with
 * part names ("P.a reads b, Q.b reads a") when the cycle spans part types. */
static const char *cycle_text(sema *S, pending_attr **cyc, int n, bool parts)
{
    const char *t = "";
    for (int i = 0; i < n; i++) {
        if (i == 8 && n > 9) {
            t = arena_printf(S->a, "%s, ... (%d more)", t, n - i);
            break;
        }
        t = arena_printf(S->a, "%s%s%s%s%s reads %s", t, i ? ", " : "",
                         parts ? S->m->parts[cyc[i]->part].name : "", parts ? "." : "",
                         cyc[i]->node->name, cyc[(i + 1) % n]->node->name);
    }
    return t;
}

/* Type one expression attribute whose reads have settled dimensions (or report it).
 * unknown_read: per attribute, whether its dimension stayed unknown (NULL: none did). */
static void type_expr_attr(sema *S, pending_attr *pa, const bool *unknown_read)
{
    ast_node *v = pa->node->kids[0];
    fm_expr *e = pa->e;
    for (int k = 0; k < pa->nreads && unknown_read; k++)
        if (unknown_read[pa->reads[k]]) {
            /* it reads an attribute whose every initialiser failed: already reported */
            pa->init.kind = FM_INIT_NONE;
            return;
        }
    if (!sx_type(S, e)) {
        pa->init.kind = FM_INIT_NONE;
        return;
    }
    if (e->type != FM_T_NUM) {
        serr(S, v->loc, "attribute '%s' must be a number, a quantity, a distribution or a numeric expression", pa->node->name);
        pa->init.kind = FM_INIT_NONE;
        return;
    }
    double c;
    if (sx_const(S, e, &c)) {
        pa->init.kind = FM_INIT_CONST;
        pa->init.value = c;
    } else if (sx_fold_too_long(S)) {
        serr(S, v->loc, "attribute '%s' takes too long to compute: its fn calls add up to more than %ld steps",
             pa->node->name, FOLD_MAX_STEPS);
        pa->init.kind = FM_INIT_NONE;
        return;
    } else {
        pa->init.expr = e;
    }
    pa->attr = attr_index(S, pa->node, e->dim);
}

/* The order in which part type P computes its expression attributes (ents: P's pending
 * attributes, contiguous in the pending list) into P's expr_order: Kahn's order over "reads",
 * where only P's own expression attributes count (the others are set before any expression
 * is computed). A cycle is reported at one of its attributes and dropped (left unset). */
static void order_part_exprs(sema *S, pending_attr **ents, int n, pending_attr ***readers, const int *nreaders)
{
    fab_model *m = S->m;
    if (n == 0 || !m->parts[ents[0]->part].attrs)
        return;
    fm_part_type *pt = &m->parts[ents[0]->part];
    pending_attr **def = arena_array(S->a, (size_t)S->attrs.n + 1, sizeof *def);
    pending_attr **queue = arena_array(S->a, (size_t)n + 1, sizeof *queue);
    pt->expr_order = arena_array(S->a, (size_t)n + 1, sizeof(int));
    if (!def || !queue || !pt->expr_order)
        return;
    int left = 0, qn = 0, qh = 0;
    for (int i = 0; i < n; i++) {
        ents[i]->done = !(ents[i]->attr >= 0 && ents[i]->init.kind == FM_INIT_EXPR);
        if (!ents[i]->done) {
            def[ents[i]->attr] = ents[i];
            left++;
        }
    }
    for (int i = 0; i < n; i++) {
        pending_attr *pa = ents[i];
        if (pa->done)
            continue;
        pa->need = 0;
        for (int k = 0; k < pa->nreads; k++)
            pa->need += def[pa->reads[k]] != NULL;
        if (pa->need == 0)
            queue[qn++] = pa;
    }
    while (left > 0) {
        while (qh < qn) {
            pending_attr *pa = queue[qh++];
            if (pa->done)
                continue;
            pa->done = true;
            left--;
            if (pa->init.kind == FM_INIT_EXPR)
                pt->expr_order[pt->nexpr_order++] = pa->attr;
            for (int k = 0; k < nreaders[pa->attr]; k++) {
                pending_attr *q = readers[pa->attr][k];
                if (q->part == pa->part && !q->done && --q->need == 0)
                    queue[qn++] = q;
            }
        }
        if (left == 0)
            break;
        /* a cycle: from the first waiting attribute, follow reads of waiting ones until one repeats */
        pending_attr **path = arena_array(S->a, (size_t)n + 1, sizeof *path);
        int *onpath = arena_array(S->a, (size_t)S->attrs.n + 1, sizeof(int));
        if (!path || !onpath)
            return;
        pending_attr *cur = NULL;
        for (int i = 0; i < n && !cur; i++)
            if (!ents[i]->done)
                cur = ents[i];
        int plen = 0;
        while (cur && !onpath[cur->attr]) {
            onpath[cur->attr] = plen + 1;
            path[plen++] = cur;
            pending_attr *next = NULL;
            for (int k = 0; k < cur->nreads && !next; k++)
                if (def[cur->reads[k]] && !def[cur->reads[k]]->done)
                    next = def[cur->reads[k]];
            cur = next;
        }
        if (!cur) /* cannot happen: a waiting attribute reads a waiting one */
            return;
        pending_attr **cyc = path + onpath[cur->attr] - 1;
        int len = plen - (onpath[cur->attr] - 1);
        if (len == 1)
            serr(S, cyc[0]->node->nloc, "attribute '%s' of %s is computed from itself", cyc[0]->node->name, pt->name);
        else
            serr(S, cyc[0]->node->nloc, "attribute '%s' of %s is computed from itself: %s", cyc[0]->node->name,
                 pt->name, cycle_text(S, cyc, len, false));
        for (int i = 0; i < len; i++) {
            cyc[i]->init.kind = FM_INIT_NONE;
            pt->attrs[cyc[i]->attr].kind = FM_INIT_NONE;
            cyc[i]->need = -1; /* never queued again */
            queue[qn++] = cyc[i];
        }
    }
}

/* Second pass over attributes. Constants are registered first; then each expression is typed
 * once the dimensions of the attributes it reads are known (declaration order does not
 * matter), and each part type gets the order in which its expression attributes are computed
 * (fm_part_type.expr_order). Attributes whose dimensions or values depend on themselves are
 * reported, once per cycle, at an attribute of the cycle. */
static void finish_attrs(sema *S, ptrvec *pending)
{
    int na = S->attrs.n, np = pending->n;
    /* constants first, so that expressions can read any attribute */
    for (int i = 0; i < np; i++) {
        pending_attr *pa = pending->items[i];
        pa->done = true;
        if (pa->init.kind != FM_INIT_EXPR)
            continue;
        ast_node *v = pa->node->kids[0];
        bool is_const = v->kind == AST_NUM || v->kind == AST_QTY || v->kind == AST_PERCENT ||
                        (v->kind == AST_UNARY && v->op == AST_OP_NEG && v->kids[0]->kind != AST_UNARY &&
                         (v->kids[0]->kind == AST_NUM || v->kids[0]->kind == AST_QTY));
        pa->ai = attr_declare(S, pa->node);
        if (!is_const) {
            pa->done = false;
            continue;
        }
        sx_env env = {.part_ok = true};
        pa->e = sx_expr(S, &env, v);
        if (!pa->e)
            pa->init.kind = FM_INIT_NONE;
        else
            type_expr_attr(S, pa, NULL);
        pa->done = true;
    }
    /* the other expressions: build them and collect what they read */
    int *defs_left = arena_array(S->a, (size_t)na + 1, sizeof(int));   /* untyped initialisers */
    int *nreaders = arena_array(S->a, (size_t)na + 1, sizeof(int));
    bool *settled = arena_array(S->a, (size_t)na + 1, sizeof(bool));  /* dimension final */
    bool *unknown = arena_array(S->a, (size_t)na + 1, sizeof(bool));   /* settled without one */
    pending_attr **queue = arena_array(S->a, (size_t)np + 1, sizeof *queue);
    reads_ctx rc = {.S = S,
                    .attr_stamp = arena_array(S->a, (size_t)na + 1, sizeof(int)),
                    .fn_stamp = arena_array(S->a, (size_t)S->m->nfns + 1, sizeof(int)),
                    .out = arena_array(S->a, (size_t)na + 1, sizeof(int))};
    if (!defs_left || !nreaders || !settled || !unknown || !queue || !rc.attr_stamp || !rc.fn_stamp || !rc.out)
        return;
    for (int i = 0; i < np; i++) {
        pending_attr *pa = pending->items[i];
        if (pa->done)
            continue;
        sx_env env = {.part_ok = true};
        pa->e = sx_expr(S, &env, pa->node->kids[0]);
        if (!pa->e) {
            pa->init.kind = FM_INIT_NONE;
            pa->done = true;
            continue;
        }
        rc.stamp = i + 1;
        rc.n = 0;
        attr_reads(&rc, pa->e);
        pa->nreads = rc.n;
        pa->reads = arena_array(S->a, (size_t)rc.n + 1, sizeof(int));
        if (!pa->reads)
            return;
        memcpy(pa->reads, rc.out, (size_t)rc.n * sizeof(int));
        defs_left[pa->ai]++;
        for (int k = 0; k < rc.n; k++)
            nreaders[pa->reads[k]]++;
    }
    /* readers of each attribute, for releasing them when its dimension settles */
    pending_attr ***readers = arena_array(S->a, (size_t)na + 1, sizeof *readers);
    if (!readers)
        return;
    for (int r = 0; r < na; r++) {
        readers[r] = arena_array(S->a, (size_t)nreaders[r] + 1, sizeof **readers);
        if (!readers[r])
            return;
        nreaders[r] = 0;
    }
    int qn = 0, qh = 0;
    for (int i = 0; i < np; i++) {
        pending_attr *pa = pending->items[i];
        if (pa->done)
            continue;
        for (int k = 0; k < pa->nreads; k++)
            readers[pa->reads[k]][nreaders[pa->reads[k]]++] = pa;
    }
    for (int r = 0; r < na; r++) {
        sattr *at = S->attrs.items[r];
        settled[r] = at->known || defs_left[r] == 0;
        unknown[r] = !at->known && defs_left[r] == 0;
    }
    for (int i = 0; i < np; i++) {
        pending_attr *pa = pending->items[i];
        if (pa->done)
            continue;
        pa->need = 0;
        for (int k = 0; k < pa->nreads; k++)
            pa->need += !settled[pa->reads[k]];
        if (pa->need == 0)
            queue[qn++] = pa;
    }
    /* Kahn's order over the attributes' dimensions; a cycle left over is reported and dropped */
    int left = 0;
    for (int i = 0; i < np; i++)
        left += !((pending_attr *)pending->items[i])->done;
    while (left > 0) {
        while (qh < qn) {
            pending_attr *pa = queue[qh++];
            if (pa->done)
                continue;
            if (pa->init.kind == FM_INIT_EXPR && pa->e)
                type_expr_attr(S, pa, unknown);
            pa->done = true;
            left--;
            int r = pa->ai;
            defs_left[r]--;
            bool now_known = ((sattr *)S->attrs.items[r])->known;
            if (settled[r] || (!now_known && defs_left[r] > 0))
                continue;
            settled[r] = true;
            unknown[r] = !now_known;
            for (int k = 0; k < nreaders[r]; k++)
                if (!readers[r][k]->done && --readers[r][k]->need == 0)
                    queue[qn++] = readers[r][k];
        }
        if (left == 0)
            break;
        /* a cycle: walk from the first waiting attribute along unsettled reads (preferring an
         * initialiser of the same part type) until one repeats */
        pending_attr *start = NULL;
        for (int i = 0; i < np && !start; i++)
            if (!((pending_attr *)pending->items[i])->done)
                start = pending->items[i];
        pending_attr **path = arena_array(S->a, (size_t)np + 1, sizeof *path);
        int *onpath = arena_array(S->a, (size_t)np + 1, sizeof(int));
        if (!path || !onpath || !start)
            return;
        int plen = 0;
        pending_attr *cur = start;
        int first = -1;
        for (;;) {
            int idx = -1;
            for (int i = 0; i < np; i++)
                if (pending->items[i] == cur)
                    idx = i;
            if (onpath[idx]) {
                first = onpath[idx] - 1;
                break;
            }
            onpath[idx] = plen + 1;
            path[plen++] = cur;
            pending_attr *next = NULL;
            for (int k = 0; k < cur->nreads && !next; k++) {
                int r = cur->reads[k];
                if (settled[r])
                    continue;
                for (int i = 0; i < np; i++) {
                    pending_attr *q = pending->items[i];
                    if (!q->done && q->ai == r && (!next || (q->part == cur->part && next->part != cur->part)))
                        next = q;
                }
            }
            if (!next) /* cannot happen: an entry waits only on unsettled reads */
                return;
            cur = next;
        }
        pending_attr **cyc = path + first;
        int n = plen - first;
        bool one_part = true;
        for (int i = 1; i < n; i++)
            one_part &= cyc[i]->part == cyc[0]->part;
        const char *pname = S->m->parts[cyc[0]->part].name;
        if (n == 1)
            serr(S, cyc[0]->node->nloc, "attribute '%s' of %s is computed from itself", cyc[0]->node->name, pname);
        else if (one_part)
            serr(S, cyc[0]->node->nloc, "attribute '%s' of %s is computed from itself: %s", cyc[0]->node->name,
                 pname, cycle_text(S, cyc, n, false));
        else
            serr(S, cyc[0]->node->nloc, "the dimension of attribute '%s' depends on itself: %s", cyc[0]->node->name,
                 cycle_text(S, cyc, n, true));
        for (int i = 0; i < n; i++) {
            cyc[i]->init.kind = FM_INIT_NONE; /* given up: released through the queue */
            cyc[i]->need = -1;                /* never queued again */
            queue[qn++] = cyc[i];
        }
    }
    fab_model *m = S->m;
    m->nattrs = S->attrs.n;
    m->attrs = arena_array(S->a, (size_t)m->nattrs + 1, sizeof *m->attrs);
    for (int i = 0; i < m->nattrs && m->attrs; i++)
        m->attrs[i] = *(fm_attr *)S->attrs.items[i];
    for (int p = 0; p < m->nparts; p++)
        m->parts[p].attrs = arena_array(S->a, (size_t)m->nattrs + 1, sizeof(fm_attr_init));
    for (int i = 0; i < pending->n; i++) {
        pending_attr *pa = pending->items[i];
        if (pa->attr < 0 || !m->parts[pa->part].attrs)
            continue;
        m->parts[pa->part].attrs[pa->attr] = pa->init;
        if (strcmp(pa->node->name, "due") == 0) {
            m->parts[pa->part].has_due = true;
            if (!units_dim_eq(m->attrs[pa->attr].dim, UNITS_TIME)) {
                char b[48];
                serr(S, pa->node->kids[0]->loc, "attribute 'due' is a due date and must be a time; this is %s %s",
                     units_article(dim_name(m->attrs[pa->attr].dim, b, sizeof b)), b);
            }
        }
    }
    for (int i = 0, j; i < np; i = j) {
        for (j = i; j < np && ((pending_attr *)pending->items[j])->part == ((pending_attr *)pending->items[i])->part; j++)
            ;
        order_part_exprs(S, (pending_attr **)pending->items + i, j - i, readers, nreaders);
    }
}

static void check_fn(sema *S, int fi, ast_node *fd)
{
    fm_fn *fn = &S->m->fns[fi];
    ast_node *params = fd->kids[0];
    fn->name = fd->name;
    fn->loc = fd->nloc;
    const char *taken = sx_call_name_kind(fd->name);
    if (taken) /* a call by the name would never reach the fn */
        serr(S, fd->nloc, "'%s' is %s; a fn cannot take its name", fd->name, taken);
    fn->nparams = params->nkids;
    fn->params = arena_array(S->a, (size_t)fn->nparams + 1, sizeof *fn->params);
    fn->param_types = arena_array(S->a, (size_t)fn->nparams + 1, sizeof *fn->param_types);
    for (int i = 0; i < fn->nparams; i++) {
        fn->params[i] = params->kids[i]->name;
        fn->param_types[i] = FM_T_NUM;
        for (int j = 0; j < i; j++)
            if (fn->params[j] == fn->params[i])
                serr(S, params->kids[i]->loc, "fn %s has two parameters named '%s'", fn->name, fn->params[i]);
    }
}

static void check_fn_body(sema *S, int fi, ast_node *fd)
{
    fm_fn *fn = &S->m->fns[fi];
    sx_env env = {.fn = fn};
    fn->body = sx_expr(S, &env, fd->kids[1]);
}

/* fn recursion: depth-first search of the call graph (0 new, 1 on the stack, 2 done). */
static bool fn_calls_visit(sema *S, int fi, char *color);

static bool expr_calls_visit(sema *S, fm_expr *e, int from, char *color)
{
    if (!e)
        return true;
    if (e->kind == FM_EX_CALL) {
        if (color[e->index] == 1) {
            serr(S, e->loc, "fn %s calls %s, which leads back to %s: fns cannot be recursive",
                 S->m->fns[from].name, S->m->fns[e->index].name, S->m->fns[from].name);
            return false;
        }
        if (color[e->index] == 0 && !fn_calls_visit(S, e->index, color))
            return false;
    }
    for (int i = 0; i < e->nargs; i++)
        if (!expr_calls_visit(S, e->args[i], from, color))
            return false;
    return true;
}

static bool fn_calls_visit(sema *S, int fi, char *color)
{
    color[fi] = 1;
    bool ok = expr_calls_visit(S, S->m->fns[fi].body, fi, color);
    color[fi] = 2;
    return ok;
}

static void check_fn_recursion(sema *S)
{
    char *color = arena_array(S->a, (size_t)S->m->nfns + 1, 1);
    for (int i = 0; i < S->m->nfns && color; i++)
        if (color[i] == 0)
            fn_calls_visit(S, i, color);
}

/* ---- flows, routes, graph checks --------------------------------------------------------- */

static bool name_redeclared(sema *S, const char *name)
{
    sym *s = sym_find(S, name);
    return s && s->redeclared;
}

static int element_ref(sema *S, ast_node *id)
{
    sym *s = sym_find(S, id->name);
    if (s && s->kind == SYM_ELEMENT)
        return s->index;
    report_unknown(S, id->loc, "element", id->name, SYM_ELEMENT);
    return -1;
}

static bool is_succ(const fm_element *e, int t)
{
    for (int i = 0; i < e->nsucc; i++)
        if (e->succ[i] == t)
            return true;
    return false;
}

static void check_flows(sema *S)
{
    fab_model *m = S->m;
    ptrvec edges = {0};
    /* hash set of (from, to) for the duplicate check: edge index + 1, 0 = empty */
    size_t hcap = 16, total = 0;
    for (int i = 0; i < S->items.n; i++)
        if (((ast_node *)S->items.items[i])->kind == AST_FLOW)
            total += (size_t)((ast_node *)S->items.items[i])->nkids;
    while (hcap < 2 * total + 16)
        hcap *= 2;
    int *hset = arena_array(S->a, hcap, sizeof(int));
    if (!hset)
        return;
    for (int i = 0; i < S->items.n; i++) {
        ast_node *f = S->items.items[i];
        if (f->kind != AST_FLOW)
            continue;
        int prev = element_ref(S, f->kids[0]);
        for (int k = 1; k < f->nkids; k++) {
            int cur = element_ref(S, f->kids[k]);
            if (prev >= 0 && cur >= 0) {
                fm_element *a = &m->elements[prev], *b = &m->elements[cur];
                fab_loc loc = fab_loc_span(f->kids[k - 1]->loc, f->kids[k]->loc);
                bool bad = false;
                if (prev == cur) {
                    serr(S, loc, "flow from %s to itself (to send parts round again, loop through another element, e.g. a buffer)", a->name);
                    bad = true;
                } else if (name_redeclared(S, a->name) || name_redeclared(S, b->name)) {
                    bad = true; /* the duplicate declaration is the mistake, already reported */
                } else if (a->kind == FM_ELEM_SINK) {
                    serr(S, f->kids[k - 1]->loc, "sink %s cannot have successors (parts leave the model there)", a->name);
                    bad = true;
                } else if (b->kind == FM_ELEM_SOURCE) {
                    serr(S, f->kids[k]->loc, "source %s cannot receive parts (it only creates them)", b->name);
                    bad = true;
                }
                size_t h = ((size_t)prev * 0x9E3779B97F4A7C15ull ^ (size_t)cur * 0xC2B2AE3D27D4EB4Full) & (hcap - 1);
                while (!bad && hset[h]) {
                    fm_edge *old = edges.items[hset[h] - 1];
                    if (old->from == prev && old->to == cur) {
                        serr(S, loc, "duplicate flow %s -> %s", a->name, b->name);
                        snote(S, old->loc, "the same flow is declared here");
                        bad = true;
                    }
                    h = (h + 1) & (hcap - 1);
                }
                if (!bad) {
                    fm_edge *ed = arena_alloc(S->a, sizeof *ed);
                    ed->from = prev;
                    ed->to = cur;
                    ed->loc = loc;
                    ptrvec_push(S->a, &edges, ed);
                    hset[h] = edges.n;
                }
            }
            prev = cur;
        }
    }
    m->nedges = edges.n;
    m->edges = arena_array(S->a, (size_t)edges.n + 1, sizeof *m->edges);
    int *nsucc = arena_array(S->a, (size_t)m->nelements + 1, sizeof(int));
    int *npred = arena_array(S->a, (size_t)m->nelements + 1, sizeof(int));
    if (!m->edges || !nsucc || !npred)
        return;
    for (int i = 0; i < edges.n; i++) {
        m->edges[i] = *(fm_edge *)edges.items[i];
        nsucc[m->edges[i].from]++;
        npred[m->edges[i].to]++;
    }
    for (int i = 0; i < m->nelements; i++) {
        m->elements[i].succ = arena_array(S->a, (size_t)nsucc[i] + 1, sizeof(int));
        m->elements[i].pred = arena_array(S->a, (size_t)npred[i] + 1, sizeof(int));
    }
    for (int i = 0; i < edges.n; i++) {
        fm_element *a = &m->elements[m->edges[i].from], *b = &m->elements[m->edges[i].to];
        a->succ[a->nsucc++] = m->edges[i].to;
        b->pred[b->npred++] = m->edges[i].from;
    }
}

/* The element a route target names: a template parameter of type element, or a name. */
static int route_target(sema *S, sx_env *env, ast_node *tid)
{
    tval *tv = sx_tval(env, tid->name);
    if (tv && tv->kind == TV_ELEMENT)
        return tv->part;
    return element_ref(S, tid);
}

static void check_route(sema *S, fm_element *e, ast_node *r, sx_env *env)
{
    fm_route *rt = &e->route;
    fab_loc rloc = r->name ? r->nloc : r->loc;
    rt->loc = rloc;
    if (e->kind == FM_ELEM_SINK) {
        serr(S, rloc, "sink %s has a route, but a sink has no successors (parts leave the model there); remove the route", e->name);
        return;
    }
    int nprob = 0, nrule = 0;
    for (int k = 0; k < r->nkids; k++) {
        if (r->kids[k]->kind == AST_ROUTE_PROB)
            nprob++;
        else if (r->kids[k]->kind == AST_ROUTE_WHEN || r->kids[k]->kind == AST_ROUTE_OTHERWISE)
            nrule++;
    }
    if (nprob && nrule) {
        serr(S, rloc, "route %s mixes probabilities and when/otherwise rules; use one kind", e->name);
        return;
    }
    if (!nprob && !nrule) {
        serr(S, rloc, "route %s is empty", e->name);
        return;
    }
    rt->kind = nprob ? FM_ROUTE_PROB : FM_ROUTE_RULES;
    if (nprob) {
        rt->probs = arena_array(S->a, (size_t)nprob, sizeof *rt->probs);
        rt->stream = arena_printf(S->a, "%s.route", e->name);
    } else
        rt->rules = arena_array(S->a, (size_t)nrule, sizeof *rt->rules);
    if (!rt->probs && !rt->rules)
        return;
    double sum = 0;
    bool ok = true, other = false;
    int n = 0;
    for (int k = 0; k < r->nkids; k++) {
        ast_node *it = r->kids[k];
        if (it->kind == AST_ERROR)
            continue;
        ast_node *tid = it->kind == AST_ROUTE_WHEN ? it->kids[1] : it->kids[0];
        int t = route_target(S, env, tid);
        if (t >= 0 && !is_succ(e, t) && (name_redeclared(S, e->name) || name_redeclared(S, S->m->elements[t].name))) {
            t = -1; /* flows naming a declared-twice name are dropped; already reported */
        } else if (t >= 0 && !is_succ(e, t)) {
            const char *tn = S->m->elements[t].name;
            serr(S, tid->loc, "route %s names %s, which is not a successor of %s", e->name, tn, e->name);
            /* the fix, unless that flow would be an error itself */
            if (t == e->index)
                snote(S, e->loc, "an element cannot be its own successor");
            else if (S->m->elements[t].kind == FM_ELEM_SOURCE)
                snote(S, S->m->elements[t].loc, "%s is a source: no flow leads into it", tn);
            else
                snote(S, e->loc, "add `flow %s -> %s` to connect them", e->name, tn);
            t = -1;
        }
        if (t < 0)
            ok = false;
        if (it->kind == AST_ROUTE_PROB) {
            fm_dim none = units_dim_none();
            double p = 0;
            for (int j = 0; j < n && t >= 0; j++)
                if (rt->probs[j].target == t) {
                    serr(S, tid->loc, "route %s lists %s twice", e->name, tid->name);
                    ok = false;
                }
            if (!sx_quantity(S, env, it->kids[1], &none, "a route probability", &p, NULL))
                ok = false;
            else if (p < 0 || p > 1) {
                if (it->kids[1]->kind == AST_NUM && p > 1 && p <= 100)
                    serr(S, it->kids[1]->loc, "a route probability must be between 0 %% and 100 %%; `%s` without %% is %g %% (write `%s %%`)",
                         it->kids[1]->str, p * 100, it->kids[1]->str);
                else
                    serr(S, it->kids[1]->loc, "a route probability must be between 0 %% and 100 %%");
                ok = false;
            }
            sum += p;
            rt->probs[n].target = t;
            rt->probs[n].prob = p;
        } else {
            if (other) {
                serr(S, it->loc, "a rule after `otherwise` can never apply");
                ok = false;
            }
            rt->rules[n].target = t;
            rt->rules[n].loc = it->loc;
            if (it->kind == AST_ROUTE_WHEN) {
                sx_env renv = *env;
                renv.part_ok = true;
                fm_expr *c = sx_expr(S, &renv, it->kids[0]);
                if (c && sx_type(S, c)) {
                    if (c->type != FM_T_BOOL) {
                        serr(S, it->kids[0]->loc, "a `when` rule needs a condition (a comparison); this is not one");
                        ok = false;
                    }
                    rt->rules[n].cond = c;
                } else
                    ok = false;
            } else
                other = true;
        }
        n++;
    }
    rt->nentries = n;
    for (int k = 0; k < r->nkids; k++)
        if (r->kids[k]->kind == AST_ERROR)
            ok = false; /* an entry lost to a syntax error: the sum would be wrong */
    if (nprob && ok && fabs(sum - 1.0) > 1e-9) {
        serr(S, rloc, "the probabilities of route %s sum to %.10g %%, not 100 %%", e->name, sum * 100);
        ok = false;
    }
    /* only when the entries are right: a target that is not a successor explains it already */
    if (ok && e->nsucc < 2)
        swarn(S, rloc, "route %s: %s has %s successor, so the route decides nothing", e->name, e->name,
              e->nsucc == 0 ? "no" : "only one");
    if (nrule && ok && !other)
        swarn(S, rloc, "route %s has no `otherwise` rule: a part that matches no rule goes to the first successor that can accept it", e->name);
    if (!ok)
        rt->kind = FM_ROUTE_NONE;
}

static void check_routes(sema *S)
{
    fab_model *m = S->m;
    ast_node **seen = arena_array(S->a, (size_t)m->nelements + 1, sizeof *seen);
    if (!seen)
        return;
    sx_env none = {0};
    for (int i = 0; i < S->items.n + S->body_routes.n; i++) {
        ast_node *r;
        int ei;
        sx_env *env = &none;
        if (i < S->items.n) {
            r = S->items.items[i];
            if (r->kind != AST_ROUTE)
                continue;
            sym *s = sym_find(S, r->name);
            if (!s || s->kind != SYM_ELEMENT) {
                report_unknown(S, r->nloc, "element", r->name, SYM_ELEMENT);
                continue;
            }
            ei = s->index;
        } else {
            body_route *br = S->body_routes.items[i - S->items.n];
            r = br->route;
            ei = br->element;
            env = &br->env;
        }
        fm_element *e = &m->elements[ei];
        if (seen[ei]) {
            serr(S, r->name ? r->nloc : r->loc, "%s has two route blocks", e->name);
            snote(S, seen[ei]->name ? seen[ei]->nloc : seen[ei]->loc, "the first route of %s is here", e->name);
            continue;
        }
        seen[ei] = r;
        fab_loc saved = S->inst_loc;
        if (env != &none && e->template_name) {
            S->inst_loc = e->loc;
            S->inst_name = e->template_name;
        }
        check_route(S, e, r, env);
        S->inst_loc = saved;
    }
}

/* Part types that can reach each element (bitsets), for the BOM and cycle-map checks. */
static void check_part_flow(sema *S)
{
    fab_model *m = S->m;
    size_t words = ((size_t)m->nparts + 63) / 64;
    if (!words || !m->nelements)
        return;
    uint64_t *arrive = arena_array(S->a, (size_t)m->nelements * words, sizeof(uint64_t));
    int *queue = arena_array(S->a, (size_t)m->nelements * 2 + 1, sizeof(int));
    bool *inq = arena_array(S->a, (size_t)m->nelements, sizeof(bool));
    uint64_t *leave = arena_array(S->a, words, sizeof(uint64_t));
    if (!arrive || !queue || !inq || !leave)
        return;
    /* worklist: an element whose arrivals changed */
    size_t qh = 0, qt = 0, qcap = (size_t)m->nelements * 2 + 1;
    for (int i = 0; i < m->nelements; i++)
        if (m->elements[i].kind == FM_ELEM_SOURCE || m->elements[i].kind == FM_ELEM_ASSEMBLY) {
            queue[qt++ % qcap] = i;
            inq[i] = true;
        }
    while (qh != qt) {
        int i = queue[qh++ % qcap];
        inq[i] = false;
        fm_element *e = &m->elements[i];
        memset(leave, 0, words * sizeof *leave);
        if (e->kind == FM_ELEM_SOURCE) {
            if (e->u.source.part_type >= 0)
                leave[e->u.source.part_type / 64] |= 1ull << (e->u.source.part_type % 64);
        } else if (e->kind == FM_ELEM_ASSEMBLY) {
            if (e->u.assembly.output >= 0)
                leave[e->u.assembly.output / 64] |= 1ull << (e->u.assembly.output % 64);
        } else {
            memcpy(leave, arrive + (size_t)i * words, words * sizeof *leave);
        }
        for (int k = 0; k < e->nsucc; k++) {
            int t = e->succ[k];
            uint64_t *dst = arrive + (size_t)t * words;
            bool changed = false;
            for (size_t w = 0; w < words; w++)
                if ((dst[w] | leave[w]) != dst[w]) {
                    dst[w] |= leave[w];
                    changed = true;
                }
            if (changed && !inq[t]) {
                inq[t] = true;
                queue[qt++ % qcap] = t;
            }
        }
    }
    for (int i = 0; i < m->nelements; i++) {
        fm_element *e = &m->elements[i];
        uint64_t *arr = arrive + (size_t)i * words;
#define HAS(p) ((arr[(p) / 64] >> ((p) % 64)) & 1u)
        if (e->kind == FM_ELEM_ASSEMBLY) {
            for (int k = 0; k < e->u.assembly.ninputs; k++) {
                int p = e->u.assembly.inputs[k].part_type;
                if (p >= 0 && !HAS(p)) {
                    serr(S, e->loc, "assembly %s needs %s, but no flow delivers %s to it", e->name, m->parts[p].name, m->parts[p].name);
                    snote(S, m->parts[p].loc, "part type %s is declared here", m->parts[p].name);
                }
            }
            for (int p = 0; p < m->nparts; p++) {
                bool in_bom = false;
                for (int k = 0; k < e->u.assembly.ninputs; k++)
                    in_bom |= e->u.assembly.inputs[k].part_type == p;
                if (HAS(p) && !in_bom)
                    swarn(S, e->loc, "assembly %s can receive part type %s, which is not in its inputs; such a part can never be consumed",
                          e->name, m->parts[p].name);
            }
        } else if (e->kind == FM_ELEM_STATION && e->u.station.ncycle_map > 0) {
            for (int p = 0; p < m->nparts; p++) {
                if (!HAS(p))
                    continue;
                bool found = false;
                for (int k = 0; k < e->u.station.ncycle_map; k++)
                    if (e->u.station.cycle_map[k].part_type == p)
                        found = true;
                if (!found)
                    serr(S, e->loc, "station %s: part type %s can arrive here, but cycle has no entry for it", e->name, m->parts[p].name);
            }
        }
#undef HAS
    }
}

/* A source with supply = unlimited creates a part whenever its successor takes one: into a
 * buffer without a capacity it would create parts without end (the simulator refuses it). */
static void check_unlimited_feeds(sema *S)
{
    fab_model *m = S->m;
    for (int i = 0; i < m->nedges; i++) {
        const fm_element *a = &m->elements[m->edges[i].from], *b = &m->elements[m->edges[i].to];
        if (a->kind == FM_ELEM_SOURCE && a->u.source.unlimited && b->kind == FM_ELEM_BUFFER && b->u.buffer.infinite)
            serr(S, m->edges[i].loc,
                 "source %s has supply = unlimited and feeds buffer %s, whose capacity is inf: %s would fill without end (give %s a capacity, or %s an interarrival)",
                 a->name, b->name, b->name, b->name, a->name);
    }
}

static void check_connectivity(sema *S)
{
    fab_model *m = S->m;
    for (int i = 0; i < m->nelements; i++) {
        fm_element *e = &m->elements[i];
        if (e->kind != FM_ELEM_SOURCE && e->npred == 0)
            serr(S, e->loc, "%s %s has no way in: no flow leads to it (add `flow <element> -> %s`, or remove it)",
                 fm_elem_kind_name(e->kind), e->name, e->name);
        if (e->kind != FM_ELEM_SINK && e->nsucc == 0)
            serr(S, e->loc, "%s %s has no way out: no flow leaves it (add `flow %s -> <element>`; parts leave the model at a sink)",
                 fm_elem_kind_name(e->kind), e->name, e->name);
    }
}

/* Elements no source reaches, and elements from which no sink can be reached (worklists). */
static void check_reachability(sema *S)
{
    fab_model *m = S->m;
    int n = m->nelements;
    char *from_src = arena_array(S->a, (size_t)n + 1, 1);
    char *to_sink = arena_array(S->a, (size_t)n + 1, 1);
    int *stack = arena_array(S->a, (size_t)n + 1, sizeof(int));
    if (!from_src || !to_sink || !stack)
        return;
    int sp = 0;
    for (int i = 0; i < n; i++)
        if (m->elements[i].kind == FM_ELEM_SOURCE) {
            from_src[i] = 1;
            stack[sp++] = i;
        }
    while (sp > 0) {
        fm_element *e = &m->elements[stack[--sp]];
        for (int k = 0; k < e->nsucc; k++)
            if (!from_src[e->succ[k]]) {
                from_src[e->succ[k]] = 1;
                stack[sp++] = e->succ[k];
            }
    }
    for (int i = 0; i < n; i++)
        if (m->elements[i].kind == FM_ELEM_SINK) {
            to_sink[i] = 1;
            stack[sp++] = i;
        }
    while (sp > 0) {
        fm_element *e = &m->elements[stack[--sp]];
        for (int k = 0; k < e->npred; k++)
            if (!to_sink[e->pred[k]]) {
                to_sink[e->pred[k]] = 1;
                stack[sp++] = e->pred[k];
            }
    }
    for (int i = 0; i < n; i++) {
        fm_element *e = &m->elements[i];
        if (!from_src[i])
            swarn(S, e->loc, "%s %s never receives a part: no flow path leads to it from a source",
                  fm_elem_kind_name(e->kind), e->name);
        else if (!to_sink[i])
            swarn(S, e->loc, "parts that reach %s %s can never leave the model: no flow path leads from it to a sink",
                  fm_elem_kind_name(e->kind), e->name);
    }
}

/* Flow cycles made only of finite buffers, conveyors (always finite) and stations (Tarjan,
 * iterative). */
static void check_deadlock_cycles(sema *S)
{
    fab_model *m = S->m;
    int n = m->nelements;
    int *index = arena_array(S->a, (size_t)n + 1, sizeof(int));
    int *low = arena_array(S->a, (size_t)n + 1, sizeof(int));
    int *stack = arena_array(S->a, (size_t)n + 1, sizeof(int));
    bool *on = arena_array(S->a, (size_t)n + 1, sizeof(bool));
    int *cs_node = arena_array(S->a, (size_t)n + 1, sizeof(int));
    int *cs_edge = arena_array(S->a, (size_t)n + 1, sizeof(int));
    if (!index || !low || !stack || !on || !cs_node || !cs_edge)
        return;
#define ELIGIBLE(i) (m->elements[i].kind == FM_ELEM_STATION || m->elements[i].kind == FM_ELEM_ASSEMBLY || \
                     m->elements[i].kind == FM_ELEM_CONVEYOR || \
                     (m->elements[i].kind == FM_ELEM_BUFFER && !m->elements[i].u.buffer.infinite))
    for (int i = 0; i < n; i++)
        index[i] = -1;
    int next = 0, sp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0 || !ELIGIBLE(root))
            continue;
        int csp = 0;
        cs_node[csp] = root;
        cs_edge[csp++] = 0;
        index[root] = low[root] = next++;
        stack[sp++] = root;
        on[root] = true;
        while (csp > 0) {
            int v = cs_node[csp - 1];
            fm_element *e = &m->elements[v];
            if (cs_edge[csp - 1] < e->nsucc) {
                int w = e->succ[cs_edge[csp - 1]++];
                if (!ELIGIBLE(w))
                    continue;
                if (index[w] < 0) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = true;
                    cs_node[csp] = w;
                    cs_edge[csp++] = 0;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                int start = sp;
                do
                    start--;
                while (stack[start] != v);
                int size = sp - start;
                if (size > 1) {
                    /* report in declaration order */
                    int first = stack[start];
                    for (int k = start; k < sp; k++)
                        if (stack[k] < first)
                            first = stack[k];
                    char list[512] = "";
                    int shown = 0;
                    for (int k = 0; k < n && shown < 8; k++)
                        for (int j = start; j < sp; j++)
                            if (stack[j] == k) {
                                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", shown ? ", " : "", m->elements[k].name);
                                shown++;
                            }
                    swarn(S, m->elements[first].loc,
                          "the flow cycle through %s%s holds only finite buffers, conveyors, stations and assemblies and can deadlock when it fills up; give a buffer in it capacity = inf, or route parts out of the cycle",
                          list, size > 8 ? ", ..." : "");
                }
                for (int k = start; k < sp; k++)
                    on[stack[k]] = false;
                sp = start;
            }
            csp--;
            if (csp > 0) {
                int u = cs_node[csp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
#undef ELIGIBLE
}

/* ---- the pass ---------------------------------------------------------------------------- */

static fab_model *run(sema *S, uint32_t main_id, const char *path)
{
    fab_model *m = arena_alloc(S->a, sizeof *m);
    if (!m)
        return NULL;
    S->m = m;
    m->path = arena_strdup(S->a, path);
    m->horizon = 8 * 3600.0;
    m->warmup = 0;
    m->replications = 1;
    m->seed = 1;
    const char *base = strrchr(path, '/');
    m->name = arena_strdup(S->a, base ? base + 1 : path);

    sfile *mf = arena_alloc(S->a, sizeof *mf);
    char *real = realpath(path, NULL);
    mf->real = arena_strdup(S->a, real ? real : path);
    free(real);
    mf->id = main_id;
    ptrvec_push(S->a, &S->files, mf);
    load_items(S, mf);

    /* declarations: count, then declare */
    int nparts = 0, nelems = 0, nfns = 0, ntmpl = 0;
    ast_node *model_block = NULL;
    for (int i = 0; i < S->items.n; i++) {
        ast_node *it = S->items.items[i];
        switch (it->kind) {
        case AST_PART: declare(S, it, SYM_PART, nparts++); break;
        case AST_ELEMENT:
        case AST_INSTANCE: declare(S, it, SYM_ELEMENT, nelems++); break;
        case AST_FN: declare(S, it, SYM_FN, nfns++); break;
        case AST_TEMPLATE: declare(S, it, SYM_TEMPLATE, ntmpl++); break;
        case AST_MODEL:
            if (it->loc.file != main_id) {
                serr(S, it->loc, "a model block belongs in the main file, not in an imported one");
            } else if (model_block) {
                serr(S, it->loc, "there is already a model block");
                snote(S, model_block->loc, "the first model block is here");
            } else
                model_block = it;
            break;
        default:
            break;
        }
    }
    m->nparts = nparts;
    m->parts = arena_array(S->a, (size_t)nparts + 1, sizeof *m->parts);
    m->nelements = nelems;
    m->elements = arena_array(S->a, (size_t)nelems + 1, sizeof *m->elements);
    m->nfns = nfns;
    m->fns = arena_array(S->a, (size_t)nfns + 1, sizeof *m->fns);
    S->fn_called = arena_array(S->a, (size_t)nfns + 1, sizeof(bool));
    S->elem_decl = arena_array(S->a, (size_t)nelems + 1, sizeof(ast_node *));
    if (S->elem_decl)
        for (int i = 0, k = 0; i < S->items.n; i++) {
            ast_node *it = S->items.items[i];
            if (it->kind == AST_ELEMENT || it->kind == AST_INSTANCE)
                S->elem_decl[k++] = it;
        }
    if (!m->parts || !m->elements || !m->fns || !S->fn_called || !S->elem_decl)
        return NULL;
    /* FAB_MAX_ELEMENTS: not covered by a golden test, which would take a million declarations */
    if (nelems > (int)FAB_MAX_ELEMENTS)
        serr(S, S->elem_decl[FAB_MAX_ELEMENTS]->nloc, "the model has %d elements; at most %u are supported", nelems, FAB_MAX_ELEMENTS);
    if (model_block)
        check_model_block(S, model_block);

    /* index positions (a duplicate keeps the first one's index; its own slot stays unused) */
    int pi = 0, ei = 0, fi = 0;
    ptrvec pending = {0};
    for (int i = 0; i < S->items.n; i++) {
        ast_node *it = S->items.items[i];
        if (it->kind == AST_PART)
            check_part(S, pi++, it, &pending);
        else if (it->kind == AST_FN)
            check_fn(S, fi++, it);
        else if (it->kind == AST_TEMPLATE)
            check_template_decl(S, it);
    }
    fi = 0;
    for (int i = 0; i < S->items.n; i++) {
        ast_node *it = S->items.items[i];
        if (it->kind == AST_FN)
            check_fn_body(S, fi++, it);
    }
    check_fn_recursion(S);
    finish_attrs(S, &pending);
    for (int i = 0; i < S->items.n; i++) {
        ast_node *it = S->items.items[i];
        if (it->kind == AST_TEMPLATE)
            check_template_defaults(S, it);
    }
    for (int i = 0; i < S->items.n; i++) {
        ast_node *it = S->items.items[i];
        if (it->kind != AST_ELEMENT && it->kind != AST_INSTANCE)
            continue;
        fm_element *e = &m->elements[ei];
        e->kind = (fm_elem_kind)it->op;
        e->name = it->name;
        e->index = ei;
        e->loc = it->nloc;
        ei++;
        sx_env env = {0};
        if (it->kind == AST_ELEMENT)
            check_element_body(S, &env, e, it);
        else
            instantiate(S, e, it);
    }
    check_flows(S);
    check_routes(S);
    if (S->dc->errors == S->errors_at_start) {
        /* without a model block, a file of declarations to import (a library) */
        if (model_block && m->nelements == 0)
            serr(S, model_block->loc, "the model has no elements: declare at least a source and a sink, and a flow between them");
        check_unlimited_feeds(S);
        check_connectivity(S);
        if (S->dc->errors == S->errors_at_start)
            check_reachability(S);
        check_part_flow(S);
        check_deadlock_cycles(S);
    }
    if (S->dc->errors != S->errors_at_start)
        return NULL;
    for (int i = 0; i < m->nfns; i++)
        if (!S->fn_called[i])
            sx_type_uncalled_fn(S, i);
    return m;
}

static fab_model *check_registered(uint32_t id, const char *path, const sema_options *opt, diag_ctx *dc, arena *a)
{
    sema S;
    memset(&S, 0, sizeof S);
    static const sema_options none = {0};
    S.dc = dc;
    S.a = a;
    S.opt = opt ? opt : &none;
    S.errors_at_start = dc->errors;
    fab_model *m = run(&S, id, path);
    if (a->oom) {
        diag_error_noloc(dc, "out of memory");
        return NULL;
    }
    return m;
}

fab_model *sema_check_file(const char *path, const sema_options *opt, diag_ctx *dc, arena *a)
{
    uint32_t id = diag_load_file(dc, path);
    if (!id) {
        diag_error_noloc(dc, "cannot read '%s': %s", path, diag_strerror(errno));
        return NULL;
    }
    return check_registered(id, path, opt, dc, a);
}

fab_model *sema_check_source(const char *name, const char *text, size_t len, const sema_options *opt, diag_ctx *dc, arena *a)
{
    uint32_t id = diag_add_file(dc, name, text, len);
    if (!id) {
        diag_error_noloc(dc, "out of memory");
        return NULL;
    }
    return check_registered(id, name, opt, dc, a);
}
