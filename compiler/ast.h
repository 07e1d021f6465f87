/*
 * ast.h — the syntax tree built by the parser (grammar/parser.y) and read by sema and fmt.
 *
 * In:  constructor calls from grammar actions (one call per action) and from the lexer for
 *      leaves (numbers, quantities, identifiers, strings).
 * Out: a generic n-ary tree: every node has a kind, a location, optional leaf data (name,
 *      number, unit, string, operator) and an ordered list of children. The meaning of each
 *      child position per kind is documented in AST_KIND_LIST below.
 * Memory: all nodes live in the parser's arena; nothing is freed individually.
 * Not handled: meaning. The tree is exactly what was written; sema gives it meaning and
 * never changes its shape.
 */
#ifndef FAB_AST_H
#define FAB_AST_H

#include <stdbool.h>

#include "arena.h"
#include "loc.h"

/* Node kinds. Children (kids[i]) by kind:                                                */
#define AST_KIND_LIST(X)                                                                  \
    X(FILE)        /* kids: items                                                      */ \
    X(IMPORT)      /* str: the path                                                    */ \
    X(MODEL)       /* str: name; kids: body items                                      */ \
    X(PART)        /* name; kids: body items (PROP, ATTR)                              */ \
    X(ELEMENT)     /* op: element kind (fm_elem_kind); name; kids: body items          */ \
    X(INSTANCE)    /* op: element kind; name; kids[0]: CALL (template name, args)     */ \
    X(TEMPLATE)    /* op: element kind; name; kids[0]: PARAMS; kids[1]: ELEMENT body   */ \
    X(PARAMS)      /* kids: TPARAM                                                     */ \
    X(TPARAM)      /* name; kids[0]: type IDENT; kids[1]: default expr (optional)      */ \
    X(FN)          /* name; kids[0]: PARAMS of IDENT; kids[1]: body expr               */ \
    X(FLOW)        /* kids: IDENT, at least two                                        */ \
    X(ROUTE)       /* name (NULL inside a body); kids: ROUTE_PROB / WHEN / OTHERWISE   */ \
    X(ROUTE_PROB)  /* kids[0]: target IDENT; kids[1]: probability expr                 */ \
    X(ROUTE_WHEN)  /* kids[0]: condition; kids[1]: target IDENT                        */ \
    X(ROUTE_OTHERWISE) /* kids[0]: target IDENT                                        */ \
    X(PROP)        /* name; kids[0]: value                                             */ \
    X(ATTR)        /* name; kids[0]: value                                             */ \
    X(FAILURE)     /* name; kids: PROP                                                 */ \
    X(NUM)         /* num                                                              */ \
    X(QTY)         /* num, unit (units.h index), name: unit spelling                  */ \
    X(PERCENT)     /* num: the number as written (96 for `96 %`)                       */ \
    X(INF)         /* inf                                                              */ \
    X(BOOL)        /* num: 0 or 1                                                      */ \
    X(STR)         /* str                                                              */ \
    X(IDENT)       /* name                                                             */ \
    X(PARTREF)     /* the keyword `part` used as a value                               */ \
    X(BINARY)      /* op: AST_OP_*; kids[0], kids[1]                                   */ \
    X(UNARY)       /* op: AST_OP_NEG / AST_OP_NOT; kids[0]                             */ \
    X(IF)          /* kids: condition, then, else                                      */ \
    X(CALL)        /* name: callee; kids: args (expr or NAMED)                         */ \
    X(NAMED)       /* name; kids[0]: value (named argument `name: value`)              */ \
    X(MEMBER)      /* name: field; kids[0]: object                                     */ \
    X(MAP)         /* kids: MAP_ENTRY                                                  */ \
    X(MAP_ENTRY)   /* kids[0]: key, kids[1]: value                                     */ \
    X(LIST)        /* kids: exprs                                                      */ \
    X(BOUND)       /* op: AST_BOUND_CLAMP / TRUNCATE; kids: dist, lo, hi               */ \
    X(ORDER_BY)    /* op: AST_ORDER_ASC / DESC; kids[0]: key expr                      */ \
    X(ERROR)       /* placeholder after a syntax error                                 */

typedef enum ast_kind {
#define AST_KIND_ENUM(id) AST_##id,
    AST_KIND_LIST(AST_KIND_ENUM)
#undef AST_KIND_ENUM
    AST__COUNT
} ast_kind;

/* Operators of BINARY / UNARY, with their spelling and binding power for printing. */
#define AST_OP_LIST(X)                                                                    \
    X(OR, "or", 1) X(AND, "and", 2) X(NOT, "not", 3)                                       \
    X(EQ, "==", 4) X(NE, "!=", 4) X(LT, "<", 4) X(LE, "<=", 4) X(GT, ">", 4) X(GE, ">=", 4) \
    X(ADD, "+", 5) X(SUB, "-", 5) X(MUL, "*", 6) X(DIV, "/", 6) X(NEG, "-", 7)

typedef enum ast_op {
#define AST_OP_ENUM(id, s, p) AST_OP_##id,
    AST_OP_LIST(AST_OP_ENUM)
#undef AST_OP_ENUM
    AST_OP__COUNT
} ast_op;

enum { AST_BOUND_CLAMP, AST_BOUND_TRUNCATE };
enum { AST_ORDER_ASC, AST_ORDER_DESC };

typedef struct ast_node {
    ast_kind kind;
    int op;
    fab_loc loc;
    const char *name; /* interned */
    const char *str;
    double num;
    int unit;         /* QTY: index into the unit table, -1 when unknown */
    int depth;        /* height of the subtree (leaves are 0) */
    fab_loc nloc;     /* location of the declared name (declarations), else == loc */
    int nkids, capkids;
    struct ast_node **kids;
} ast_node;

const char *ast_kind_name(ast_kind k);
const char *ast_op_spelling(ast_op op);
int ast_op_prec(ast_op op);

ast_node *ast_new(arena *a, ast_kind kind, fab_loc loc);
/* Append child (NULL is ignored); returns parent. Extends the parent's location. */
ast_node *ast_add(arena *a, ast_node *parent, ast_node *child);
/* Constructors used by grammar actions. */
ast_node *ast_leaf_name(arena *a, ast_kind kind, fab_loc loc, const char *name);
ast_node *ast_named(arena *a, ast_kind kind, fab_loc loc, const char *name, ast_node *k0, ast_node *k1);
ast_node *ast_binary(arena *a, fab_loc loc, int op, ast_node *l, ast_node *r);
ast_node *ast_unary(arena *a, fab_loc loc, int op, ast_node *e);
ast_node *ast_node3(arena *a, ast_kind kind, fab_loc loc, int op, ast_node *k0, ast_node *k1, ast_node *k2);
/* A declaration: kind/op, the name taken from name_node (IDENT: name, STR: str and name),
 * children taken from body (which is reused when not NULL). */
ast_node *ast_decl(arena *a, ast_kind kind, fab_loc loc, int op, ast_node *name_node, ast_node *body);

/* Deeper subtrees are rejected by the parser wrapper (recursion bound for sema and fmt). */
#define AST_MAX_DEPTH 400

/* Set name/op on a node and extend its location to loc; returns n. */
ast_node *ast_head(ast_node *n, ast_kind kind, fab_loc loc, int op, const char *name);

#endif
