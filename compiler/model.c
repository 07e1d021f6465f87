/*
 * model.c — name tables and lookups of the checked model (see model.h).
 */
#include "model.h"

#include <string.h>

static const char *const elem_names[] = {
#define FM_ELEM_NAME(id, name) name,
    FM_ELEM_LIST(FM_ELEM_NAME)
#undef FM_ELEM_NAME
};
static const char *const state_names[] = {
#define FM_STATE_NAME(id, name) name,
    FM_STATE_LIST(FM_STATE_NAME)
#undef FM_STATE_NAME
};
static const char *const builtin_names[] = {
#define FM_BUILTIN_NAME(id, name, nargs) name,
    FM_BUILTIN_LIST(FM_BUILTIN_NAME)
#undef FM_BUILTIN_NAME
};
static const char *const expr_names[] = {
#define FM_EXPR_NAME(id) #id,
    FM_EXPR_LIST(FM_EXPR_NAME)
#undef FM_EXPR_NAME
};

const char *fm_elem_kind_name(fm_elem_kind k)
{
    return (unsigned)k < FM_ELEM__COUNT ? elem_names[k] : "?";
}

const char *fm_state_name(fm_state s)
{
    return (unsigned)s < FM_STATE__COUNT ? state_names[s] : "?";
}

const char *fm_builtin_name(fm_builtin b)
{
    return (unsigned)b < FM_BUILTIN__COUNT ? builtin_names[b] : "?";
}

const char *fm_expr_kind_name(fm_expr_kind k)
{
    return (unsigned)k < FM_EX__COUNT ? expr_names[k] : "?";
}

int fm_find_element(const fab_model *m, const char *name)
{
    for (int i = 0; i < m->nelements; i++)
        if (strcmp(m->elements[i].name, name) == 0)
            return i;
    return -1;
}

int fm_find_part(const fab_model *m, const char *name)
{
    for (int i = 0; i < m->nparts; i++)
        if (strcmp(m->parts[i].name, name) == 0)
            return i;
    return -1;
}
