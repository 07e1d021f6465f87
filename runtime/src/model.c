/*
 * model.c — the model builder (fab/model.h): elements, part types, attributes, samplers,
 * flows, routing and named parameters.
 *
 * In: builder calls. Out: a fab_model that sim.c runs. The model owns every name, element and
 * sampler (each allocated separately, so that parameter slots into them stay valid) and frees
 * them in fab_model_free. Callback contexts and fab_dist tables are borrowed.
 * Misuse never aborts: the first error is kept (rt_model_fail) and reported when running.
 */
#include "rt_internal.h"
#include "dist_inline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *model_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

/* vprintf into a new malloc'ed string, or NULL when out of memory. */
static char *model_vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *d = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (d)
        vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *rt_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = model_vformat(fmt, ap);
    va_end(ap);
    return d;
}

/* Register *slot as the --set-able parameter named by fmt (any length); with alias, as
 * fab_model_param_alias does. */
static void model_param_fmt(fab_model *m, int alias, double *slot, fab_dim dim,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void model_param_fmt(fab_model *m, int alias, double *slot, fab_dim dim,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = model_vformat(fmt, ap);
    va_end(ap);
    if (!name) {
        rt_model_fail(m, "out of memory");
        return;
    }
    (alias ? fab_model_param_alias : fab_model_param)(m, name, slot, dim);
    free(name);
}

/* Grow *arr (element size sz) so that index n is valid. */
static int model_grow(void **arr, int *cap, int n, size_t sz)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 8;
    while (nc <= n)
        nc *= 2;
    void *na = realloc(*arr, (size_t)nc * sz);
    if (!na)
        return -1;
    *arr = na;
    *cap = nc;
    return 0;
}

/* ---- name indexes ---------------------------------------------------------------------- */

static uint64_t model_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static const char *model_elem_key(const fab_model *m, int i) { return m->elem[i]->name; }
static const char *model_param_key(const fab_model *m, int i) { return m->param[i].name; }

typedef const char *(*model_key_fn)(const fab_model *m, int i);

static int model_idx_find(const fab_model *m, const int *tab, size_t cap, model_key_fn key,
                          const char *name)
{
    if (!cap)
        return -1;
    for (size_t h = model_hash(name) & (cap - 1);; h = (h + 1) & (cap - 1)) {
        if (tab[h] < 0)
            return -1;
        if (!strcmp(key(m, tab[h]), name))
            return tab[h];
    }
}

/* Index entry i (0..count-1 are all present); grows to keep the load below one half. */
static int model_idx_add(fab_model *m, int **tab, size_t *cap, model_key_fn key, int i, int count)
{
    if ((size_t)count * 2 >= *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        while ((size_t)count * 2 >= nc)
            nc *= 2;
        int *nt = malloc(nc * sizeof *nt);
        if (!nt)
            return -1;
        for (size_t k = 0; k < nc; k++)
            nt[k] = -1;
        free(*tab);
        *tab = nt;
        *cap = nc;
        for (int j = 0; j < count; j++)
            if (j != i)
                model_idx_add(m, tab, cap, key, j, 0);
    }
    size_t h = model_hash(key(m, i)) & (*cap - 1);
    while ((*tab)[h] >= 0)
        h = (h + 1) & (*cap - 1);
    (*tab)[h] = i;
    return 0;
}

void rt_model_fail(fab_model *m, const char *fmt, ...)
{
    if (!m || m->error)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    m->error = model_strdup(buf);
}

/* ---- parts ------------------------------------------------------------------------------ */

double fab_part_attr(const fab_part *p, int slot) { return p->attr[slot]; }
int    fab_part_type(const fab_part *p) { return p->type; }
double fab_part_created(const fab_part *p) { return p->created; }
double fab_part_due(const fab_part *p) { return p->due; }

/* ---- samplers --------------------------------------------------------------------------- */

double fab_sample_exponential(fab_rng *rng, const fab_part *part, void *ctx)
{
    (void)part;
    return rt_dist_exponential(rng, *(const double *)ctx);
}

fab_sampler fab_sampler_of_fn(fab_sample_fn fn, void *ctx)
{
    fab_sampler s;
    memset(&s, 0, sizeof s);
    s.fn = fn;
    s.ctx = ctx;
    return s;
}

fab_sampler fab_sampler_of_dist(fab_dist d)
{
    fab_sampler s;
    memset(&s, 0, sizeof s);
    s.dist = d;
    return s;
}

fab_dist fab_dist_make(fab_dist_kind kind, double p0, double p1, double p2, double p3)
{
    fab_dist d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.p[0] = p0;
    d.p[1] = p1;
    d.p[2] = p2;
    d.p[3] = p3;
    d.bound = FAB_BOUND_NONE;
    return d;
}

fab_dist fab_dist_const(double v) { return fab_dist_make(FAB_DIST_CONSTANT, v, 0, 0, 0); }
fab_dist fab_dist_exp(double mean) { return fab_dist_make(FAB_DIST_EXPONENTIAL, mean, 0, 0, 0); }
fab_dist fab_dist_unif(double a, double b) { return fab_dist_make(FAB_DIST_UNIFORM, a, b, 0, 0); }
fab_sampler fab_sampler_const(double v) { return fab_sampler_of_dist(fab_dist_const(v)); }

static const char *const model_param_names[][4] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) {p0, p1, p2, p3},
#include "fab/dist.def"
#undef FAB_DIST
};
static const int model_param_count[] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) n,
#include "fab/dist.def"
#undef FAB_DIST
};

static int model_param_dimless(const char *pn)
{
    return !strcmp(pn, "shape") || !strcmp(pn, "k") || !strcmp(pn, "a") || !strcmp(pn, "b")
        || !strcmp(pn, "p");
}

/* A model-owned copy of s for element e and purpose; registers its parameters. */
static rt_sampler *model_sampler(fab_model *m, const rt_elem *e, const char *purpose,
                                 fab_sampler s, fab_dim dim, int is_duration)
{
    rt_sampler *rs = calloc(1, sizeof *rs);
    if (!rs || model_grow((void **)&m->samplers, &m->samplers_cap, m->nsamplers,
                          sizeof *m->samplers)) {
        free(rs);
        rt_model_fail(m, "out of memory");
        return NULL;
    }
    m->samplers[m->nsamplers++] = rs;
    rs->s = s;
    rs->purpose = model_strdup(purpose);
    rs->dim = dim;
    rs->is_duration = is_duration;
    if (!s.fn) {
        if ((unsigned)s.dist.kind >= FAB_DIST__COUNT) {
            rt_model_fail(m, "%s: %s: invalid distribution kind", e->name, purpose);
            return rs;
        }
        char err[200];
        int duration = is_duration && dim == FAB_DIM_TIME;
        if ((duration ? fab_dist_validate_duration : fab_dist_validate)(&s.dist, err, sizeof err)) {
            rt_model_fail(m, "%s: %s: %s", e->name, purpose, err);
            return rs;
        }
        int np = model_param_count[s.dist.kind];
        for (int i = 0; i < np && i < 4; i++) {
            const char *pn = model_param_names[s.dist.kind][i];
            fab_dim pd = model_param_dimless(pn) ? FAB_DIM_NONE : dim;
            model_param_fmt(m, 0, &rs->s.dist.p[i], pd, "%s.%s.%s", e->name, purpose, pn);
            if (!strcmp(pn, "v"))       /* a constant: also "<element>.<purpose>" */
                model_param_fmt(m, 1, &rs->s.dist.p[i], pd, "%s.%s", e->name, purpose);
        }
    }
    return rs;
}

/* ---- model ------------------------------------------------------------------------------ */

fab_model *fab_model_new(const char *name)
{
    fab_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->valid_as_built = -1;
    m->name = model_strdup(name);
    m->horizon = 8 * 3600.0;
    m->warmup = 0;
    m->replications = 10;
    m->seed = 42;
    m->due_slot = -1;
    fab_model_param(m, "horizon", &m->horizon, FAB_DIM_TIME);
    fab_model_param(m, "warmup", &m->warmup, FAB_DIM_TIME);
    return m;
}

void fab_model_free(fab_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nelem; i++) {
        rt_elem *e = m->elem[i];
        free(e->name);
        free(e->succ);
        free(e->prob);
        free(e->cycle_for);
        for (int k = 0; k < e->nfail; k++)
            free(e->fail[k].name);
        free(e->fail);
        free(e->bom_type);
        free(e->bom_count);
        free(e);
    }
    free(m->elem);
    for (int i = 0; i < m->nptype; i++) {
        free(m->ptype[i].name);
        free(m->ptype[i].attr);
    }
    free(m->ptype);
    for (int i = 0; i < m->nattr; i++)
        free(m->attr_name[i]);
    free(m->attr_name);
    for (int i = 0; i < m->nparam; i++)
        free(m->param[i].name);
    free(m->param);
    for (int i = 0; i < m->nsamplers; i++) {
        free(m->samplers[i]->purpose);
        free(m->samplers[i]);
    }
    free(m->samplers);
    free(m->elem_idx);
    free(m->param_idx);
    free(m->name);
    free(m->error);
    free(m);
}

const char *fab_model_name(const fab_model *m) { return m->name; }
const char *fab_model_error(const fab_model *m) { return m->error; }

void fab_model_horizon(fab_model *m, double s)
{
    if (!(s > 0) || !isfinite(s))
        rt_model_fail(m, "horizon must be a positive time");
    else
        m->horizon = s;
}

void fab_model_warmup(fab_model *m, double s)
{
    if (!(s >= 0) || !isfinite(s))
        rt_model_fail(m, "warmup must be a time >= 0");
    else
        m->warmup = s;
}

void fab_model_replications(fab_model *m, uint64_t n)
{
    if (n == 0)
        rt_model_fail(m, "replications must be at least 1");
    else
        m->replications = n;
}

void fab_model_seed(fab_model *m, uint64_t seed) { m->seed = seed; }

int fab_model_part_type(fab_model *m, const char *name)
{
    if (!name || !*name) {
        rt_model_fail(m, "a part type needs a name");
        return -1;
    }
    for (int i = 0; i < m->nptype; i++)
        if (!strcmp(m->ptype[i].name, name))
            return i;
    if (model_grow((void **)&m->ptype, &m->ptype_cap, m->nptype, sizeof *m->ptype)) {
        rt_model_fail(m, "out of memory");
        return -1;
    }
    rt_ptype *t = &m->ptype[m->nptype];
    memset(t, 0, sizeof *t);
    t->name = model_strdup(name);
    return m->nptype++;
}

const char *fab_model_part_type_name(const fab_model *m, int type)
{
    return (type >= 0 && type < m->nptype) ? m->ptype[type].name : NULL;
}

int fab_model_attr(fab_model *m, const char *name)
{
    if (!name || !*name) {
        rt_model_fail(m, "an attribute needs a name");
        return -1;
    }
    for (int i = 0; i < m->nattr; i++)
        if (!strcmp(m->attr_name[i], name))
            return i;
    if (model_grow((void **)&m->attr_name, &m->attr_cap, m->nattr, sizeof *m->attr_name)) {
        rt_model_fail(m, "out of memory");
        return -1;
    }
    m->attr_name[m->nattr] = model_strdup(name);
    if (!strcmp(name, "due"))
        m->due_slot = m->nattr;
    return m->nattr++;
}

void fab_model_part_attr(fab_model *m, int type, int slot, fab_sampler s)
{
    if (type < 0 || type >= m->nptype || slot < 0 || slot >= m->nattr) {
        rt_model_fail(m, "fab_model_part_attr: unknown part type %d or attribute slot %d", type, slot);
        return;
    }
    rt_ptype *t = &m->ptype[type];
    rt_attr_sampler *na = realloc(t->attr, (size_t)(t->nattr + 1) * sizeof *na);
    if (!na) {
        rt_model_fail(m, "out of memory");
        return;
    }
    t->attr = na;
    /* parameters of attribute distributions are named <PartType>.attr.<name>.<param> */
    rt_elem pseudo;
    memset(&pseudo, 0, sizeof pseudo);
    pseudo.name = t->name;
    char *purpose = rt_format("attr.%s", m->attr_name[slot]);
    if (!purpose) {
        rt_model_fail(m, "out of memory");
        return;
    }
    t->attr[t->nattr].slot = slot;
    t->attr[t->nattr].s = model_sampler(m, &pseudo, purpose, s, FAB_DIM_ANY, 0);
    t->nattr++;
    free(purpose);
}

void fab_model_part_init(fab_model *m, int type, fab_part_init_fn fn, void *ctx)
{
    if (type < 0 || type >= m->nptype) {
        rt_model_fail(m, "fab_model_part_init: unknown part type %d", type);
        return;
    }
    m->ptype[type].init = fn;
    m->ptype[type].init_ctx = ctx;
}

/* Register name for slot: a full name replaces any parameter of that name (the last one
 * registered wins), an alias only takes a free name. */
static void model_param_register(fab_model *m, const char *name, double *slot, fab_dim dim,
                                 int alias)
{
    if (!name || !*name) {
        rt_model_fail(m, "fab_model_param: a parameter needs a name");
        return;
    }
    if (!slot || (unsigned)dim >= FAB_DIM__COUNT) {
        rt_model_fail(m, "fab_model_param %s: no slot or bad dimension", name);
        return;
    }
    int found = model_idx_find(m, m->param_idx, m->param_idx_cap, model_param_key, name);
    if (found >= 0) {
        if (alias)
            return;
        m->param[found].slot = slot;
        m->param[found].dim = dim;
        return;
    }
    if (model_grow((void **)&m->param, &m->param_cap, m->nparam, sizeof *m->param)) {
        rt_model_fail(m, "out of memory");
        return;
    }
    m->param[m->nparam].name = model_strdup(name);
    m->param[m->nparam].slot = slot;
    m->param[m->nparam].dim = dim;
    m->nparam++;
    if (model_idx_add(m, &m->param_idx, &m->param_idx_cap, model_param_key, m->nparam - 1,
                      m->nparam))
        rt_model_fail(m, "out of memory");
}

void fab_model_param(fab_model *m, const char *name, double *slot, fab_dim dim)
{
    model_param_register(m, name, slot, dim, 0);
}

void fab_model_param_alias(fab_model *m, const char *name, double *slot, fab_dim dim)
{
    model_param_register(m, name, slot, dim, 1);
}

int fab_model_set(fab_model *m, const char *name, const char *value, char *err, size_t errsize)
{
    if (!name || !value) {
        snprintf(err, errsize, "no parameter name or value");
        return -1;
    }
    int i = model_idx_find(m, m->param_idx, m->param_idx_cap, model_param_key, name);
    if (i >= 0) {
        double v;
        char why[200];
        if (fab_units_parse(value, m->param[i].dim, &v, why, sizeof why)) {
            snprintf(err, errsize, "%s: %s", name, why);
            return -1;
        }
        *m->param[i].slot = v;
        return 0;
    }
    snprintf(err, errsize, "unknown parameter \"%s\" (see --help for the list)", name);
    return -1;
}

/* ---- elements --------------------------------------------------------------------------- */

const char *fab_kind_name(fab_kind k)
{
    static const char *const n[] = {"source", "station", "buffer", "conveyor", "assembly", "sink"};
    return (unsigned)k <= FAB_KIND_SINK ? n[k] : "?";
}

const char *fab_state_name(fab_state s)
{
    static const char *const n[] = {"idle", "busy", "blocked", "setup", "down"};
    return (unsigned)s < FAB_STATE__COUNT ? n[s] : "?";
}

int fab_model_element_count(const fab_model *m) { return m->nelem; }

int fab_model_element_find(const fab_model *m, const char *name)
{
    if (!name)
        return -1;
    return model_idx_find(m, m->elem_idx, m->elem_idx_cap, model_elem_key, name);
}

const char *fab_model_element_name(const fab_model *m, int e)
{
    return (e >= 0 && e < m->nelem) ? m->elem[e]->name : NULL;
}

fab_kind fab_model_element_kind(const fab_model *m, int e)
{
    return (e >= 0 && e < m->nelem) ? m->elem[e]->kind : FAB_KIND_SINK;
}

/* Register the element property *slot as the --set-able parameter "<element>.<what>". */
static void model_elem_param(fab_model *m, const rt_elem *e, const char *what, double *slot,
                             fab_dim dim)
{
    model_param_fmt(m, 0, slot, dim, "%s.%s", e->name, what);
}

/* A new element of the given kind with its defaults (id e->id), or NULL with the model's
 * error set. */
static rt_elem *model_elem_new(fab_model *m, const char *name, fab_kind kind)
{
    if (!name || !*name) {
        rt_model_fail(m, "an element needs a name");
        return NULL;
    }
    if (fab_model_element_find(m, name) >= 0) {
        rt_model_fail(m, "element \"%s\" is defined twice", name);
        return NULL;
    }
    if (model_grow((void **)&m->elem, &m->elem_cap, m->nelem, sizeof *m->elem)) {
        rt_model_fail(m, "out of memory");
        return NULL;
    }
    rt_elem *e = calloc(1, sizeof *e);
    if (!e) {
        rt_model_fail(m, "out of memory");
        return NULL;
    }
    e->name = model_strdup(name);
    e->kind = kind;
    e->id = m->nelem;
    e->part_type = -1;
    e->out_type = -1;
    e->batch = 1;
    e->limit = INFINITY;
    e->capacity = 1;
    m->elem[m->nelem] = e;
    m->nelem++;
    if (model_idx_add(m, &m->elem_idx, &m->elem_idx_cap, model_elem_key, m->nelem - 1, m->nelem))
        rt_model_fail(m, "out of memory");
    return e;
}

static rt_elem *model_get(fab_model *m, int id, fab_kind k1, fab_kind k2, const char *fn)
{
    if (id < 0 || id >= m->nelem) {
        rt_model_fail(m, "%s: no element with id %d", fn, id);
        return NULL;
    }
    rt_elem *e = m->elem[id];
    if (e->kind != k1 && e->kind != k2) {
        rt_model_fail(m, "%s: \"%s\" is a %s", fn, e->name, fab_kind_name(e->kind));
        return NULL;
    }
    return e;
}

int fab_source_new(fab_model *m, const char *name, int part_type)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_SOURCE);
    if (!e)
        return -1;
    if (part_type < 0 || part_type >= m->nptype)
        rt_model_fail(m, "source %s: unknown part type %d", name, part_type);
    e->part_type = part_type;
    model_elem_param(m, e, "batch", &e->batch, FAB_DIM_COUNT);
    model_elem_param(m, e, "limit", &e->limit, FAB_DIM_COUNT);
    return e->id;
}

void fab_source_interarrival(fab_model *m, int src, fab_sampler s)
{
    rt_elem *e = model_get(m, src, FAB_KIND_SOURCE, FAB_KIND_SOURCE, "fab_source_interarrival");
    if (e) {
        e->interarrival = model_sampler(m, e, "interarrival", s, FAB_DIM_TIME, 1);
        e->unlimited = 0;
    }
}

void fab_source_batch(fab_model *m, int src, uint64_t n)
{
    rt_elem *e = model_get(m, src, FAB_KIND_SOURCE, FAB_KIND_SOURCE, "fab_source_batch");
    if (e) {
        if (n == 0)
            rt_model_fail(m, "source %s: batch must be at least 1", e->name);
        e->batch = (double)n;
    }
}

void fab_source_limit(fab_model *m, int src, uint64_t parts)
{
    rt_elem *e = model_get(m, src, FAB_KIND_SOURCE, FAB_KIND_SOURCE, "fab_source_limit");
    if (e)
        e->limit = (double)parts;
}

void fab_source_unlimited(fab_model *m, int src)
{
    rt_elem *e = model_get(m, src, FAB_KIND_SOURCE, FAB_KIND_SOURCE, "fab_source_unlimited");
    if (e)
        e->unlimited = 1;
}

void fab_source_on_block(fab_model *m, int src, fab_on_block mode)
{
    rt_elem *e = model_get(m, src, FAB_KIND_SOURCE, FAB_KIND_SOURCE, "fab_source_on_block");
    if (e)
        e->on_block = mode;
}

static void model_power_params(fab_model *m, rt_elem *e)
{
    for (int s = 0; s < FAB_STATE__COUNT; s++) {
        model_param_fmt(m, 0, &e->power[s], FAB_DIM_POWER, "%s.power.%s", e->name,
                        fab_state_name((fab_state)s));
    }
}

int fab_station_new(fab_model *m, const char *name)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_STATION);
    if (!e)
        return -1;
    model_elem_param(m, e, "capacity", &e->capacity, FAB_DIM_COUNT);
    model_power_params(m, e);
    return e->id;
}

void fab_station_capacity(fab_model *m, int st, unsigned servers)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_STATION, "fab_station_capacity");
    if (!e)
        return;
    if (servers == 0)
        rt_model_fail(m, "station %s: capacity must be at least 1", e->name);
    e->capacity = servers;
}

void fab_station_cycle(fab_model *m, int st, fab_sampler s)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_ASSEMBLY, "fab_station_cycle");
    if (e)
        e->cycle = model_sampler(m, e, "cycle", s, FAB_DIM_TIME, 1);
}

void fab_station_cycle_for(fab_model *m, int st, int type, fab_sampler s)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_ASSEMBLY, "fab_station_cycle_for");
    if (!e)
        return;
    const char *tn = fab_model_part_type_name(m, type);
    if (!tn) {
        rt_model_fail(m, "station %s: unknown part type %d", e->name, type);
        return;
    }
    rt_cycle_for *nc = realloc(e->cycle_for, (size_t)(e->ncycle_for + 1) * sizeof *nc);
    if (!nc) {
        rt_model_fail(m, "out of memory");
        return;
    }
    e->cycle_for = nc;
    char *purpose = rt_format("cycle.%s", tn);
    if (!purpose) {
        rt_model_fail(m, "out of memory");
        return;
    }
    nc[e->ncycle_for].type = type;
    nc[e->ncycle_for].s = model_sampler(m, e, purpose, s, FAB_DIM_TIME, 1);
    e->ncycle_for++;
    free(purpose);
}

void fab_station_setup(fab_model *m, int st, fab_sampler s)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_ASSEMBLY, "fab_station_setup");
    if (e)
        e->setup = model_sampler(m, e, "setup", s, FAB_DIM_TIME, 1);
}

void fab_station_power(fab_model *m, int st, fab_state state, double watts)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_ASSEMBLY, "fab_station_power");
    if (!e)
        return;
    if ((unsigned)state >= FAB_STATE__COUNT || !(watts >= 0) || !isfinite(watts)) {
        rt_model_fail(m, "station %s: bad power state or value", e->name);
        return;
    }
    e->power[state] = watts;
}

int fab_station_failure(fab_model *m, int st, const char *mode, fab_sampler ttf,
                        fab_sampler ttr, fab_basis basis)
{
    rt_elem *e = model_get(m, st, FAB_KIND_STATION, FAB_KIND_ASSEMBLY, "fab_station_failure");
    if (!e)
        return -1;
    if ((unsigned)basis > FAB_BASIS_CYCLES) {
        rt_model_fail(m, "station %s: bad failure basis", e->name);
        return -1;
    }
    if (!mode || !*mode) {
        rt_model_fail(m, "station %s: a failure mode needs a name", e->name);
        return -1;
    }
    for (int k = 0; k < e->nfail; k++)
        if (!strcmp(e->fail[k].name, mode)) {
            rt_model_fail(m, "station %s: failure \"%s\" defined twice", e->name, mode);
            return -1;
        }
    if ((unsigned)e->nfail >= FAB_MAX_FAILURE_MODES) {
        rt_model_fail(m, "station %s: more than %u failure modes", e->name,
                      FAB_MAX_FAILURE_MODES);
        return -1;
    }
    rt_failure *nf = realloc(e->fail, (size_t)(e->nfail + 1) * sizeof *nf);
    char *p_ttf = rt_format("failure.%s.ttf", mode), *p_ttr = rt_format("failure.%s.ttr", mode);
    if (nf)
        e->fail = nf;
    if (!nf || !p_ttf || !p_ttr) {
        free(p_ttf);
        free(p_ttr);
        rt_model_fail(m, "out of memory");
        return -1;
    }
    rt_failure *f = &nf[e->nfail];
    f->name = model_strdup(mode);
    f->basis = basis;
    f->ttf = model_sampler(m, e, p_ttf, ttf, basis == FAB_BASIS_CYCLES ? FAB_DIM_NONE : FAB_DIM_TIME, 1);
    f->ttr = model_sampler(m, e, p_ttr, ttr, FAB_DIM_TIME, 1);
    free(p_ttf);
    free(p_ttr);
    return e->nfail++;
}

int fab_buffer_new(fab_model *m, const char *name, uint64_t capacity)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_BUFFER);
    if (!e)
        return -1;
    e->capacity = capacity == FAB_CAPACITY_INF ? INFINITY : (double)capacity;
    if (capacity == 0)
        rt_model_fail(m, "buffer %s: capacity must be at least 1", name);
    model_elem_param(m, e, "capacity", &e->capacity, FAB_DIM_COUNT);
    return e->id;
}

void fab_buffer_order(fab_model *m, int buf, fab_order order)
{
    rt_elem *e = model_get(m, buf, FAB_KIND_BUFFER, FAB_KIND_BUFFER, "fab_buffer_order");
    if (!e)
        return;
    if (order == FAB_ORDER_KEY && !e->key)
        rt_model_fail(m, "buffer %s: ordering by key needs fab_buffer_order_key", e->name);
    e->order = order;
}

/* Order buffer buf by key (evaluated at entry, or at every dispatch when dynamic). */
static void model_buffer_key(fab_model *m, int buf, fab_key_fn key, void *ctx, int descending,
                             int dynamic, const char *fn)
{
    rt_elem *e = model_get(m, buf, FAB_KIND_BUFFER, FAB_KIND_BUFFER, fn);
    if (!e)
        return;
    if (!key) {
        rt_model_fail(m, "buffer %s: no key function", e->name);
        return;
    }
    e->order = FAB_ORDER_KEY;
    e->key = key;
    e->key_ctx = ctx;
    e->descending = descending != 0;
    e->key_dynamic = dynamic;
}

void fab_buffer_order_key(fab_model *m, int buf, fab_key_fn key, void *ctx, int descending)
{
    model_buffer_key(m, buf, key, ctx, descending, 0, "fab_buffer_order_key");
}

void fab_buffer_order_key_dynamic(fab_model *m, int buf, fab_key_fn key, void *ctx,
                                  int descending)
{
    model_buffer_key(m, buf, key, ctx, descending, 1, "fab_buffer_order_key_dynamic");
}

int fab_conveyor_new(fab_model *m, const char *name, double length, double speed,
                     double spacing, int accumulating)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_CONVEYOR);
    if (!e)
        return -1;
    e->length = length;
    e->speed = speed;
    e->spacing = spacing;
    e->accumulating = accumulating != 0;
    model_elem_param(m, e, "length", &e->length, FAB_DIM_LENGTH);
    model_elem_param(m, e, "speed", &e->speed, FAB_DIM_SPEED);
    model_elem_param(m, e, "spacing", &e->spacing, FAB_DIM_LENGTH);
    return e->id;
}

int fab_assembly_new(fab_model *m, const char *name, int output_type)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_ASSEMBLY);
    if (!e)
        return -1;
    if (output_type < 0 || output_type >= m->nptype)
        rt_model_fail(m, "assembly %s: unknown output part type %d", name, output_type);
    e->out_type = output_type;
    model_power_params(m, e);
    return e->id;
}

void fab_assembly_input(fab_model *m, int a, int type, unsigned count)
{
    rt_elem *e = model_get(m, a, FAB_KIND_ASSEMBLY, FAB_KIND_ASSEMBLY, "fab_assembly_input");
    if (!e)
        return;
    if (type < 0 || type >= m->nptype) {
        rt_model_fail(m, "assembly %s: bad input part type %d", e->name, type);
        return;
    }
    if (count == 0 || count > FAB_MAX_BOM_COUNT) {
        rt_model_fail(m, "assembly %s: input count must be a whole number in 1..%u, got %u",
                      e->name, FAB_MAX_BOM_COUNT, count);
        return;
    }
    for (int k = 0; k < e->nbom; k++)
        if (e->bom_type[k] == type) {
            e->bom_count[k] = count;
            return;
        }
    int *nt = realloc(e->bom_type, (size_t)(e->nbom + 1) * sizeof *nt);
    if (nt)
        e->bom_type = nt;
    unsigned *nc = realloc(e->bom_count, (size_t)(e->nbom + 1) * sizeof *nc);
    if (nc)
        e->bom_count = nc;
    if (!nt || !nc) {
        rt_model_fail(m, "out of memory");
        return;
    }
    e->bom_type[e->nbom] = type;
    e->bom_count[e->nbom] = count;
    e->nbom++;
}

int fab_sink_new(fab_model *m, const char *name)
{
    rt_elem *e = model_elem_new(m, name, FAB_KIND_SINK);
    return e ? e->id : -1;
}

/* ---- flow ------------------------------------------------------------------------------- */

void fab_flow(fab_model *m, int from, int to)
{
    if (from < 0 || from >= m->nelem || to < 0 || to >= m->nelem) {
        rt_model_fail(m, "fab_flow: bad element id (%d -> %d)", from, to);
        return;
    }
    rt_elem *e = m->elem[from];
    if (e->kind == FAB_KIND_SINK) {
        rt_model_fail(m, "flow %s -> %s: a sink has no successors", e->name, m->elem[to]->name);
        return;
    }
    if (m->elem[to]->kind == FAB_KIND_SOURCE) {
        rt_model_fail(m, "flow %s -> %s: a source takes no parts", e->name, m->elem[to]->name);
        return;
    }
    for (int i = 0; i < e->nsucc; i++)
        if (e->succ[i] == to)
            return;
    if (model_grow((void **)&e->succ, &e->succ_cap, e->nsucc, sizeof *e->succ)) {
        rt_model_fail(m, "out of memory");
        return;
    }
    double *np = realloc(e->prob, (size_t)e->succ_cap * sizeof *np);
    if (!np) {
        rt_model_fail(m, "out of memory");
        return;
    }
    e->prob = np;
    e->succ[e->nsucc] = to;
    e->prob[e->nsucc] = 0;
    e->nsucc++;
}

void fab_route_prob(fab_model *m, int from, int to, double p)
{
    if (from < 0 || from >= m->nelem) {
        rt_model_fail(m, "fab_route_prob: bad element id %d", from);
        return;
    }
    rt_elem *e = m->elem[from];
    int k = -1;
    for (int i = 0; i < e->nsucc; i++)
        if (e->succ[i] == to)
            k = i;
    if (k < 0) {
        rt_model_fail(m, "route %s: %s is not a successor", e->name,
                      fab_model_element_name(m, to) ? fab_model_element_name(m, to) : "?");
        return;
    }
    if (!(p >= 0 && p <= 1)) {
        rt_model_fail(m, "route %s: probability %g is not in [0, 1]", e->name, p);
        return;
    }
    e->prob[k] = p;
    e->has_prob = 1;
}

void fab_route_rule(fab_model *m, int from, fab_route_fn fn, void *ctx)
{
    if (from < 0 || from >= m->nelem || !fn) {
        rt_model_fail(m, "fab_route_rule: bad element id %d or no rule", from);
        return;
    }
    m->elem[from]->rule = fn;
    m->elem[from]->rule_ctx = ctx;
}

/* ---- validation ------------------------------------------------------------------------- */

static int model_check_sampler(const rt_sampler *rs, const rt_elem *e, char *err, size_t n)
{
    if (rs && !rs->s.fn) {
        char why[200];
        int duration = rs->is_duration && rs->dim == FAB_DIM_TIME;
        if ((duration ? fab_dist_validate_duration : fab_dist_validate)(&rs->s.dist, why,
                                                                        sizeof why)) {
            snprintf(err, n, "%s.%s: %s", e->name, rs->purpose, why);
            return -1;
        }
    }
    return 0;
}

int rt_model_validate(const fab_model *m, char *err, size_t n)
{
    if (m->error) {
        snprintf(err, n, "%s", m->error);
        return -1;
    }
    if (!(m->horizon > 0) || !isfinite(m->horizon)) {
        snprintf(err, n, "horizon must be a positive time");
        return -1;
    }
    if (!(m->warmup >= 0) || !(m->warmup < m->horizon)) {
        snprintf(err, n, "warmup must be >= 0 and shorter than the horizon");
        return -1;
    }
    _Static_assert(FAB_MAX_ELEMENTS <= RT_EV_MAX_ELEM, "an element index fits an event's key");
    if (m->nelem > (int)FAB_MAX_ELEMENTS) {
        snprintf(err, n, "the model has %d elements; at most %u are supported", m->nelem,
                 FAB_MAX_ELEMENTS);
        return -1;
    }
    if (m->nelem == 0) {
        snprintf(err, n, "the model has no elements");
        return -1;
    }
    for (int i = 0; i < m->nptype; i++) {     /* part attributes, as --set may have left them */
        rt_elem pseudo = {.name = m->ptype[i].name};
        for (int k = 0; k < m->ptype[i].nattr; k++)
            if (model_check_sampler(m->ptype[i].attr[k].s, &pseudo, err, n))
                return -1;
    }
    for (int i = 0; i < m->nelem; i++) {
        const rt_elem *e = m->elem[i];
        if (e->kind != FAB_KIND_SINK && e->nsucc == 0) {
            snprintf(err, n, "%s %s has no successor (add a flow)", fab_kind_name(e->kind), e->name);
            return -1;
        }
        if (e->has_prob) {
            double sum = 0;
            for (int k = 0; k < e->nsucc; k++)
                sum += e->prob[k];
            if (fabs(sum - 1) > 1e-9) {
                snprintf(err, n, "route %s: probabilities sum to %.12g, not 1", e->name, sum);
                return -1;
            }
        }
        switch (e->kind) {
        case FAB_KIND_SOURCE:
            if (!e->interarrival && !e->unlimited) {
                snprintf(err, n, "source %s needs an interarrival or supply = unlimited", e->name);
                return -1;
            }
            if (!(e->batch >= 1) || !isfinite(e->batch)) {
                snprintf(err, n, "source %s: batch must be a whole number >= 1", e->name);
                return -1;
            }
            if (e->batch > (double)rt_instant_limit(m->nelem)) {   /* all memory at once */
                snprintf(err, n, "source %s: a batch of %.17g parts is more than one instant may "
                         "create (%llu)", e->name, e->batch,
                         (unsigned long long)rt_instant_limit(m->nelem));
                return -1;
            }
            if (model_check_sampler(e->interarrival, e, err, n))
                return -1;
            for (int k = 0; e->unlimited && k < e->nsucc; k++) {
                const rt_elem *d = m->elem[e->succ[k]];
                if (d->kind == FAB_KIND_BUFFER && isinf(d->capacity)) {
                    snprintf(err, n, "source %s has supply = unlimited but feeds the unbounded "
                             "buffer %s, which would fill without end", e->name, d->name);
                    return -1;
                }
            }
            break;
        case FAB_KIND_STATION:
        case FAB_KIND_ASSEMBLY:
            if (!e->cycle && e->ncycle_for == 0) {
                snprintf(err, n, "%s %s needs a cycle", fab_kind_name(e->kind), e->name);
                return -1;
            }
            if (!(e->capacity >= 1) || !isfinite(e->capacity) || e->capacity > FAB_MAX_SERVERS) {
                snprintf(err, n, "station %s: capacity must be a whole number in 1..%u", e->name,
                         FAB_MAX_SERVERS);
                return -1;
            }
            if (e->kind == FAB_KIND_ASSEMBLY && e->nbom == 0) {
                snprintf(err, n, "assembly %s has no inputs", e->name);
                return -1;
            }
            if (model_check_sampler(e->cycle, e, err, n) || model_check_sampler(e->setup, e, err, n))
                return -1;
            for (int k = 0; k < e->ncycle_for; k++)
                if (model_check_sampler(e->cycle_for[k].s, e, err, n))
                    return -1;
            for (int k = 0; k < e->nfail; k++)
                if (model_check_sampler(e->fail[k].ttf, e, err, n)
                    || model_check_sampler(e->fail[k].ttr, e, err, n))
                    return -1;
            for (int st = 0; st < FAB_STATE__COUNT; st++)     /* --set may have changed them */
                if (!(e->power[st] >= 0) || !isfinite(e->power[st])) {
                    snprintf(err, n, "%s %s: power when %s must be a finite power >= 0, not %g W",
                             fab_kind_name(e->kind), e->name, fab_state_name((fab_state)st),
                             e->power[st]);
                    return -1;
                }
            break;
        case FAB_KIND_BUFFER:
            if (!(e->capacity >= 1)) {
                snprintf(err, n, "buffer %s: capacity must be at least 1", e->name);
                return -1;
            }
            break;
        case FAB_KIND_CONVEYOR:
            if (!(e->length > 0) || !(e->speed > 0) || !(e->spacing > 0) || !isfinite(e->length)
                || !isfinite(e->speed) || !(e->spacing <= e->length)) {
                snprintf(err, n, "conveyor %s: length, speed and spacing must be positive, "
                         "spacing <= length", e->name);
                return -1;
            }
            if (!(e->length / e->spacing <= FAB_MAX_CONVEYOR_PARTS)) {
                double r = e->length / e->spacing;
                snprintf(err, n, r < 1e15 ? "conveyor %s would hold %.0f parts (length / spacing); "
                                            "at most %u are supported"
                                          : "conveyor %s would hold %.3g parts (length / spacing); "
                                            "at most %u are supported",
                         e->name, r, FAB_MAX_CONVEYOR_PARTS);
                return -1;
            }
            break;
        case FAB_KIND_SINK:
            break;
        }
    }
    return 0;
}
