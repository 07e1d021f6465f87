/*
 * ast.c — syntax tree constructors and name tables (see ast.h).
 */
#include "ast.h"

#include <string.h>

static const char *const kind_names[] = {
#define AST_KIND_NAME(id) #id,
    AST_KIND_LIST(AST_KIND_NAME)
#undef AST_KIND_NAME
};

static const char *const op_spellings[] = {
#define AST_OP_S(id, s, p) s,
    AST_OP_LIST(AST_OP_S)
#undef AST_OP_S
};

static const int op_precs[] = {
#define AST_OP_P(id, s, p) p,
    AST_OP_LIST(AST_OP_P)
#undef AST_OP_P
};

const char *ast_kind_name(ast_kind k)
{
    return (unsigned)k < AST__COUNT ? kind_names[k] : "?";
}

const char *ast_op_spelling(ast_op op)
{
    return (unsigned)op < AST_OP__COUNT ? op_spellings[op] : "?";
}

int ast_op_prec(ast_op op)
{
    return (unsigned)op < AST_OP__COUNT ? op_precs[op] : 0;
}

ast_node *ast_new(arena *a, ast_kind kind, fab_loc loc)
{
    ast_node *n = arena_alloc(a, sizeof *n);
    if (!n) {
        static ast_node oom_node;
        oom_node.kind = AST_ERROR;
        return &oom_node;
    }
    n->kind = kind;
    n->loc = loc;
    n->unit = -1;
    n->nloc = loc;
    return n;
}

ast_node *ast_add(arena *a, ast_node *parent, ast_node *child)
{
    if (!parent || !child || a->oom)
        return parent;
    if (parent->nkids == parent->capkids) {
        int ncap = parent->capkids ? parent->capkids * 2 : 4;
        ast_node **nk = arena_array(a, (size_t)ncap, sizeof *nk);
        if (!nk)
            return parent;
        if (parent->nkids)
            memcpy(nk, parent->kids, (size_t)parent->nkids * sizeof *nk);
        parent->kids = nk;
        parent->capkids = ncap;
    }
    parent->kids[parent->nkids++] = child;
    if (child->depth + 1 > parent->depth)
        parent->depth = child->depth + 1;
    if (child->loc.file == parent->loc.file) {
        if (parent->loc.file == 0 || child->loc.end > parent->loc.end)
            parent->loc.end = child->loc.end;
    }
    return parent;
}

ast_node *ast_leaf_name(arena *a, ast_kind kind, fab_loc loc, const char *name)
{
    ast_node *n = ast_new(a, kind, loc);
    n->name = name;
    return n;
}

ast_node *ast_named(arena *a, ast_kind kind, fab_loc loc, const char *name, ast_node *k0, ast_node *k1)
{
    ast_node *n = ast_new(a, kind, loc);
    n->name = name;
    ast_add(a, n, k0);
    ast_add(a, n, k1);
    n->loc = loc;
    return n;
}

ast_node *ast_binary(arena *a, fab_loc loc, int op, ast_node *l, ast_node *r)
{
    ast_node *n = ast_new(a, AST_BINARY, loc);
    n->op = op;
    ast_add(a, n, l);
    ast_add(a, n, r);
    n->loc = loc;
    return n;
}

ast_node *ast_unary(arena *a, fab_loc loc, int op, ast_node *e)
{
    ast_node *n = ast_new(a, AST_UNARY, loc);
    n->op = op;
    ast_add(a, n, e);
    n->loc = loc;
    return n;
}

ast_node *ast_node3(arena *a, ast_kind kind, fab_loc loc, int op, ast_node *k0, ast_node *k1, ast_node *k2)
{
    ast_node *n = ast_new(a, kind, loc);
    n->op = op;
    ast_add(a, n, k0);
    ast_add(a, n, k1);
    ast_add(a, n, k2);
    n->loc = loc;
    return n;
}

ast_node *ast_head(ast_node *n, ast_kind kind, fab_loc loc, int op, const char *name)
{
    n->kind = kind;
    n->op = op;
    if (name)
        n->name = name;
    if (loc.start < n->loc.start || n->loc.file == 0)
        n->loc.start = loc.start;
    if (loc.end > n->loc.end)
        n->loc.end = loc.end;
    n->loc.file = loc.file;
    return n;
}

ast_node *ast_decl(arena *a, ast_kind kind, fab_loc loc, int op, ast_node *name_node, ast_node *body)
{
    ast_node *n = body ? body : ast_new(a, kind, loc);
    n->kind = kind;
    n->op = op;
    n->loc = loc;
    if (name_node) {
        n->name = name_node->name;
        n->str = name_node->str;
        n->nloc = name_node->loc;
    } else {
        n->nloc = loc;
    }
    return n;
}
