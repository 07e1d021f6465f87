/*
 * sema_int.h — internal state of the semantic pass, shared by sema.c (declarations,
 * elements, graph checks) and sema_expr.c (expressions, distributions, constants).
 * Not a public interface: only sema*.c include it.
 */
#ifndef FAB_SEMA_INT_H
#define FAB_SEMA_INT_H

#include "ast.h"
#include "sema.h"
#include "units.h"

/* A symbol of the single top-level namespace (parts, elements, templates, fns). */
typedef enum sym_kind { SYM_PART, SYM_ELEMENT, SYM_TEMPLATE, SYM_FN } sym_kind;

typedef struct sym {
    const char *name; /* interned */
    sym_kind kind;
    ast_node *decl;
    int index;        /* into the model's parts / elements / fns, or template number */
    bool redeclared;  /* a second declaration of the name was reported: flows naming it may
                         mean the other one, so their kind errors are not reported */
    unsigned redeclared_kinds; /* bit 1 << kind for each reported second declaration: a
                                  reference wanting such a kind may mean it, and is not
                                  reported again */
} sym;

typedef struct symtab {
    sym **slots;
    size_t cap, count;
} symtab;

/* A template argument after evaluation. */
typedef enum tval_kind { TV_NUM, TV_DIST, TV_PARTTYPE, TV_BOOL, TV_ELEMENT } tval_kind;
typedef struct tval {
    const char *name;
    tval_kind kind;
    double num;
    fm_dim dim;
    bool any_dim; /* inf */
    fm_dist *dist;
    int part;    /* TV_PARTTYPE: part type; TV_ELEMENT: element index */
    fab_loc loc;
    const char *text; /* source text of the argument, for messages */
} tval;

/* Scope of an expression. */
typedef struct sx_env {
    int ntv;
    tval *tvs;        /* template bindings */
    fm_fn *fn;        /* enclosing fn (parameters), or NULL */
    bool part_ok;     /* `part` refers to the part being routed / ordered / created */
} sx_env;

typedef struct sema {
    diag_ctx *dc;
    arena *a;
    const sema_options *opt;
    fab_model *m;
    symtab syms;
    ptrvec items;      /* top-level items of all files, in merge order */
    ptrvec files;      /* sfile * */
    ptrvec attrs;      /* fm_attr * while collecting */
    ptrvec body_routes; /* body_route *: route blocks inside element bodies / templates */
    fab_loc inst_loc;  /* non-zero while instantiating a template: noted after each error */
    const char *inst_name;
    int errors_at_start;
    bool quiet;        /* serr/swarn/snote print nothing (typing uncalled fns) */
    bool *fn_called;   /* per fn: typed at some call site */
    ast_node **elem_decl; /* per element index: its declaration */
    unsigned attr_gen; /* counts attributes whose dimension became known (typing reads them) */
    struct tc_memo **tc_memo;     /* per fn: the signatures its body was typed with (sema_expr.c) */
    struct fold_memo *fold_memo;  /* per fn: its last folded call (sema_expr.c) */
    long fold_steps;   /* nodes folded for the current constant, against a limit */
} sema;

/* A `route { ... }` inside an element body, with the scope it was written in. */
typedef struct body_route {
    int element;
    ast_node *route;
    sx_env env;
} body_route;

/* errors and warnings that add the instantiation note when inside a template */
void serr(sema *S, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void swarn(sema *S, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void snote(sema *S, fab_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

sym *sym_find(sema *S, const char *name);
/* Source text of a node (short ones only, else "this expression"), in the arena. */
const char *src_text(sema *S, ast_node *n);
const char *dim_name(fm_dim d, char *buf, size_t n);
/* "did you mean" over the symbols of a kind (-1 = any kind) */
const char *sym_suggest(sema *S, const char *name, int kind);

/* sema_expr.c */
fm_expr *sx_expr(sema *S, sx_env *env, ast_node *n);          /* build (names resolved) */
bool sx_type(sema *S, fm_expr *e);                              /* type check, sets dims */
/* Type the body of a fn that no call site typed: numeric parameters of any dimension,
 * no diagnostics (so that every node of every fn body has its type for codegen). */
void sx_type_uncalled_fn(sema *S, int fn);
bool sx_const(sema *S, fm_expr *e, double *out);                /* fold a constant */
/* Folding one constant visits at most this many nodes: fns calling fns with different
 * arguments can make a short text stand for an astronomically long computation. */
#define FOLD_MAX_STEPS 10000000L
/* The last sx_const gave up because folding took more than FOLD_MAX_STEPS steps. */
bool sx_fold_too_long(const sema *S);
/* A constant quantity of dimension want (NULL: any, returned in *dim). false on error. */
bool sx_quantity(sema *S, sx_env *env, ast_node *n, const fm_dim *want, const char *what,
                 double *out, fm_dim *dim);
/* A distribution (or constant) of dimension want (NULL: inferred). */
fm_dist *sx_dist(sema *S, sx_env *env, ast_node *n, const fm_dim *want, const char *what,
                 const char *owner, const char *purpose);
bool sx_is_dist_call(ast_node *n);
/* What a call by this name means whatever is declared ("a built-in function", "a
 * distribution"), or NULL for a name free for a fn. */
const char *sx_call_name_kind(const char *name);
/* Whether every draw of d, a duration after sema's checks, is 0: a single value of 0 (constant,
 * uniform, triangular or normal collapsed onto it), or a bound whose upper end is 0 or less. */
bool sx_dist_always_zero(const fm_dist *d);
/* Check a count of cycles (the ttf of a cycles-basis failure) drawn from d, written at n:
 * an error when it always rounds below 1 cycle, a warning when it often does. */
bool sx_cycle_count(sema *S, const fm_dist *d, ast_node *n, const char *what);
/* A template binding by name, or NULL */
tval *sx_tval(sx_env *env, const char *name);

#endif
