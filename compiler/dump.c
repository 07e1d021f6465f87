/*
 * dump.c — `fabc check --dump`: the checked model as stable text or JSON.
 *
 * In:  a checked model. Out: text on a FILE. Values are SI numbers printed in the shortest
 * form that reads back to the same double, each quantity followed by its dimension.
 * Locations are not printed, so a model and its formatted version dump identically.
 * The text form is line-oriented: one header line per part type / element / fn, then
 * indented property lines in a fixed order. Memory: none kept.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema.h"
#include "units.h"

static const char *dist_name(fab_dist_kind k)
{
    static const char *const names[] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) name,
#include "fab/dist.def"
#undef FAB_DIST
    };
    return (unsigned)k < FAB_DIST__COUNT ? names[k] : "?";
}

static const char *num(double v, char *buf)
{
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    if (isnan(v))
        return "nan";
    snprintf(buf, 32, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, 32, "%.17g", v);
    return buf;
}

static const char *dimstr(fm_dim d, char *buf)
{
    return units_dim_str(d, buf, 48);
}

static void jstr(const char *s, FILE *o);

static void dump_expr(const fab_model *m, const fm_expr *e, FILE *o)
{
    char b[32];
    if (!e) {
        fputs("?", o);
        return;
    }
    switch (e->kind) {
    case FM_EX_NUM: fputs(num(e->num, b), o); return;
    case FM_EX_BOOL: fputs(e->num != 0 ? "true" : "false", o); return;
    case FM_EX_NOW: fputs("now", o); return;
    case FM_EX_PART: fputs("part", o); return;
    case FM_EX_PARAM: fprintf(o, "$%d", e->index); return;
    case FM_EX_PARTTYPE_CONST: fprintf(o, "parttype(%s)", m->parts[e->index].name); return;
    case FM_EX_STATE_CONST: fprintf(o, "state(%s)", fm_state_name((fm_state)e->index)); return;
    case FM_EX_LEVEL: fprintf(o, "level(%s)", m->elements[e->index].name); return;
    case FM_EX_STATE: fprintf(o, "state_of(%s)", m->elements[e->index].name); return;
    case FM_EX_PART_TYPE: dump_expr(m, e->args[0], o); fputs(".type", o); return;
    case FM_EX_PART_CREATED: dump_expr(m, e->args[0], o); fputs(".created", o); return;
    case FM_EX_PART_ATTR: dump_expr(m, e->args[0], o); fprintf(o, ".%s", m->attrs[e->index].name); return;
    case FM_EX_BUILTIN:
    case FM_EX_CALL:
        fputs(e->kind == FM_EX_BUILTIN ? fm_builtin_name((fm_builtin)e->index) : m->fns[e->index].name, o);
        fputc('(', o);
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                fputs(", ", o);
            dump_expr(m, e->args[i], o);
        }
        fputc(')', o);
        return;
    default: break;
    }
    static const char *const ops[FM_EX__COUNT] = {
        [FM_EX_NEG] = "-", [FM_EX_NOT] = "not", [FM_EX_ADD] = "+", [FM_EX_SUB] = "-", [FM_EX_MUL] = "*",
        [FM_EX_DIV] = "/", [FM_EX_LT] = "<", [FM_EX_LE] = "<=", [FM_EX_GT] = ">", [FM_EX_GE] = ">=",
        [FM_EX_EQ] = "==", [FM_EX_NE] = "!=", [FM_EX_AND] = "and", [FM_EX_OR] = "or", [FM_EX_IF] = "if",
    };
    fprintf(o, "(%s", ops[e->kind] ? ops[e->kind] : "?");
    for (int i = 0; i < e->nargs; i++) {
        fputc(' ', o);
        dump_expr(m, e->args[i], o);
    }
    fputc(')', o);
}

static void dump_dist(const fm_dist *d, FILE *o)
{
    char b[32], db[48];
    if (!d) {
        fputs("none\n", o);
        return;
    }
    const char *pn[FAB_DIST__COUNT][4] = {
#define FAB_DIST(id, name, n, p0, p1, p2, p3) {p0, p1, p2, p3},
#include "fab/dist.def"
#undef FAB_DIST
    };
    fprintf(o, "%s(", dist_name(d->kind));
    int first = 1;
    for (int i = 0; i < 4; i++)
        if (pn[d->kind][i][0]) {
            fprintf(o, "%s%s=%s", first ? "" : ", ", pn[d->kind][i], num(d->p[i], b));
            first = 0;
        }
    for (size_t i = 0; i < d->n; i++) {
        fprintf(o, "%s%s", first ? "" : ", ", num(d->values[i], b));
        if (d->probs)
            fprintf(o, ":%s", num(d->probs[i], b));
        first = 0;
    }
    fputc(')', o);
    if (d->bound != FAB_BOUND_NONE) {
        fprintf(o, " %s[%s, ", d->bound == FAB_BOUND_CLAMP ? "clamp" : "truncate", num(d->lo, b));
        fprintf(o, "%s]%s", num(d->hi, b), d->implicit_bound ? " implicit" : "");
    }
    fprintf(o, " %s stream=%s\n", dimstr(d->dim, db), d->stream);
}

static void dump_power(const double *p, FILE *o)
{
    char b[32];
    fputs("  power", o);
    for (int s = 0; s < FM_STATE__COUNT; s++)
        fprintf(o, " %s=%s", fm_state_name((fm_state)s), num(p[s], b));
    fputs(" W\n", o);
}

void sema_dump_model(const fab_model *m, FILE *o)
{
    char b[32], db[48];
    fputs("model ", o); /* quoted as JSON quotes it, which Fab's escapes read back */
    jstr(m->name, o);
    fputc('\n', o);
    fprintf(o, "  horizon %s s\n", num(m->horizon, b));
    fprintf(o, "  warmup %s s\n", num(m->warmup, b));
    fprintf(o, "  replications %ld\n", m->replications);
    fprintf(o, "  seed %llu\n", (unsigned long long)m->seed);
    for (int i = 0; i < m->nattrs; i++)
        fprintf(o, "attr %d %s %s\n", i, m->attrs[i].name, dimstr(m->attrs[i].dim, db));
    for (int i = 0; i < m->nparts; i++) {
        const fm_part_type *p = &m->parts[i];
        fprintf(o, "part %d %s\n  mass %s kg\n", i, p->name, num(p->mass, b));
        for (int a = 0; a < m->nattrs; a++) {
            const fm_attr_init *in = &p->attrs[a];
            if (in->kind == FM_INIT_NONE)
                continue;
            fprintf(o, "  attr %s ", m->attrs[a].name);
            if (in->kind == FM_INIT_CONST)
                fprintf(o, "const %s %s\n", num(in->value, b), dimstr(m->attrs[a].dim, db));
            else if (in->kind == FM_INIT_DIST)
                dump_dist(in->dist, o);
            else {
                fputs("expr ", o);
                dump_expr(m, in->expr, o);
                fputc('\n', o);
            }
        }
    }
    for (int i = 0; i < m->nfns; i++) {
        const fm_fn *f = &m->fns[i];
        fprintf(o, "fn %d %s(", i, f->name);
        for (int k = 0; k < f->nparams; k++)
            fprintf(o, "%s%s: %s", k ? ", " : "", f->params[k], f->param_types[k] == FM_T_PART ? "part" : "number");
        fputs(") = ", o);
        dump_expr(m, f->body, o);
        fputc('\n', o);
    }
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *e = &m->elements[i];
        fprintf(o, "element %d %s %s", i, fm_elem_kind_name(e->kind), e->name);
        if (e->template_name)
            fprintf(o, " template=%s", e->template_name);
        fputc('\n', o);
        switch (e->kind) {
        case FM_ELEM_SOURCE: {
            const fm_source *s = &e->u.source;
            fprintf(o, "  part %s\n", s->part_type >= 0 ? m->parts[s->part_type].name : "?");
            if (s->unlimited)
                fputs("  supply unlimited\n", o);
            else {
                fputs("  interarrival ", o);
                dump_dist(s->interarrival, o);
            }
            fprintf(o, "  batch %ld\n  limit %ld\n  on_block %s\n", s->batch, s->limit,
                    s->on_block == FM_ON_BLOCK_LOSE ? "lose" : "queue");
            break;
        }
        case FM_ELEM_STATION: {
            const fm_station *s = &e->u.station;
            if (s->cycle) {
                fputs("  cycle ", o);
                dump_dist(s->cycle, o);
            }
            for (int k = 0; k < s->ncycle_map; k++) {
                fprintf(o, "  cycle[%s] ", m->parts[s->cycle_map[k].part_type].name);
                dump_dist(s->cycle_map[k].dist, o);
            }
            fprintf(o, "  capacity %ld\n", s->capacity);
            if (s->setup) {
                fputs("  setup ", o);
                dump_dist(s->setup, o);
            }
            if (s->has_power)
                dump_power(s->power, o);
            for (int k = 0; k < s->nfailures; k++) {
                const fm_failure *f = &s->failures[k];
                static const char *const bases[] = {"operating", "calendar", "cycles"};
                fprintf(o, "  failure %s basis=%s\n    ttf ", f->name, bases[f->basis]);
                dump_dist(f->ttf, o);
                fputs("    ttr ", o);
                dump_dist(f->ttr, o);
            }
            break;
        }
        case FM_ELEM_BUFFER: {
            const fm_buffer *bu = &e->u.buffer;
            if (bu->infinite)
                fputs("  capacity inf\n", o);
            else
                fprintf(o, "  capacity %ld\n", bu->capacity);
            static const char *const ords[] = {"fifo", "lifo", "ascending", "descending"};
            fprintf(o, "  order %s", ords[bu->order]);
            if (bu->order_key) {
                fputc(' ', o);
                dump_expr(m, bu->order_key, o);
            }
            fputc('\n', o);
            break;
        }
        case FM_ELEM_CONVEYOR: {
            const fm_conveyor *c = &e->u.conveyor;
            fprintf(o, "  length %s m\n", num(c->length, b));
            fprintf(o, "  speed %s m/s\n", num(c->speed, b));
            fprintf(o, "  spacing %s m\n", num(c->spacing, b));
            fprintf(o, "  capacity %ld\n  accumulating %s\n", c->capacity, c->accumulating ? "true" : "false");
            break;
        }
        case FM_ELEM_ASSEMBLY: {
            const fm_assembly *a = &e->u.assembly;
            fputs("  inputs", o);
            for (int k = 0; k < a->ninputs; k++)
                fprintf(o, " %s=%ld", m->parts[a->inputs[k].part_type].name, a->inputs[k].count);
            fprintf(o, "\n  output %s\n  cycle ", m->parts[a->output].name);
            dump_dist(a->cycle, o);
            if (a->has_power)
                dump_power(a->power, o);
            break;
        }
        default:
            break;
        }
        if (e->nsucc) {
            fputs("  succ", o);
            for (int k = 0; k < e->nsucc; k++)
                fprintf(o, " %s", m->elements[e->succ[k]].name);
            fputc('\n', o);
        }
        if (e->npred) {
            fputs("  pred", o);
            for (int k = 0; k < e->npred; k++)
                fprintf(o, " %s", m->elements[e->pred[k]].name);
            fputc('\n', o);
        }
        if (e->route.kind == FM_ROUTE_PROB) {
            fprintf(o, "  route prob stream=%s\n", e->route.stream);
            for (int k = 0; k < e->route.nentries; k++)
                fprintf(o, "    %s %s\n", m->elements[e->route.probs[k].target].name, num(e->route.probs[k].prob, b));
        } else if (e->route.kind == FM_ROUTE_RULES) {
            fputs("  route rules\n", o);
            for (int k = 0; k < e->route.nentries; k++) {
                const fm_route_rule *r = &e->route.rules[k];
                if (r->cond) {
                    fputs("    when ", o);
                    dump_expr(m, r->cond, o);
                } else
                    fputs("    otherwise", o);
                fprintf(o, " -> %s\n", m->elements[r->target].name);
            }
        }
    }
    for (int i = 0; i < m->nedges; i++)
        fprintf(o, "edge %s -> %s\n", m->elements[m->edges[i].from].name, m->elements[m->edges[i].to].name);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void jstr(const char *s, FILE *o)
{
    fputc('"', o);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20)
            fprintf(o, "\\u%04x", c);
        else
            fputc(c, o);
    }
    fputc('"', o);
}

static const char *jnum(double v, char *buf)
{
    if (isinf(v))
        return v > 0 ? "\"inf\"" : "\"-inf\"";
    if (isnan(v))
        return "null";
    return num(v, buf);
}

static void jdist(const fm_dist *d, FILE *o)
{
    char b[32], db[48];
    if (!d) {
        fputs("null", o);
        return;
    }
    fputs("{\"kind\": ", o);
    jstr(dist_name(d->kind), o);
    fputs(", \"p\": [", o);
    for (int i = 0; i < 4; i++)
        fprintf(o, "%s%s", i ? ", " : "", jnum(d->p[i], b));
    fputs("]", o);
    if (d->n) {
        fputs(", \"values\": [", o);
        for (size_t i = 0; i < d->n; i++)
            fprintf(o, "%s%s", i ? ", " : "", jnum(d->values[i], b));
        fputs("]", o);
        if (d->probs) {
            fputs(", \"probs\": [", o);
            for (size_t i = 0; i < d->n; i++)
                fprintf(o, "%s%s", i ? ", " : "", jnum(d->probs[i], b));
            fputs("]", o);
        }
    }
    if (d->bound != FAB_BOUND_NONE) {
        fprintf(o, ", \"bound\": \"%s\", \"lo\": %s", d->bound == FAB_BOUND_CLAMP ? "clamp" : "truncate", jnum(d->lo, b));
        fprintf(o, ", \"hi\": %s", jnum(d->hi, b));
    }
    fputs(", \"dim\": ", o);
    jstr(dimstr(d->dim, db), o);
    fputs(", \"stream\": ", o);
    jstr(d->stream, o);
    fputs("}", o);
}

/* An expression as a JSON string holding the text dump's prefix form. */
static void jexpr(const fab_model *m, const fm_expr *e, FILE *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fputs("null", o);
        return;
    }
    dump_expr(m, e, mem);
    fclose(mem);
    jstr(buf, o);
    free(buf);
}

static void jpower(const double *p, FILE *o)
{
    char b[32];
    fputs("{", o);
    for (int s = 0; s < FM_STATE__COUNT; s++)
        fprintf(o, "%s\"%s\": %s", s ? ", " : "", fm_state_name((fm_state)s), jnum(p[s], b));
    fputs("}", o);
}

static void jnames(const fab_model *m, const int *idx, int n, FILE *o)
{
    fputs("[", o);
    for (int k = 0; k < n; k++) {
        fputs(k ? ", " : "", o);
        jstr(m->elements[idx[k]].name, o);
    }
    fputs("]", o);
}

void sema_dump_model_json(const fab_model *m, FILE *o)
{
    char b[32], db[48];
    fputs("{\"model\": ", o);
    jstr(m->name, o);
    fprintf(o, ", \"horizon_s\": %s", jnum(m->horizon, b));
    fprintf(o, ", \"warmup_s\": %s, \"replications\": %ld, \"seed\": %llu,\n \"attrs\": [", jnum(m->warmup, b),
            m->replications, (unsigned long long)m->seed);
    for (int i = 0; i < m->nattrs; i++) {
        fputs(i ? ", " : "", o);
        fputs("{\"name\": ", o);
        jstr(m->attrs[i].name, o);
        fputs(", \"dim\": ", o);
        jstr(dimstr(m->attrs[i].dim, db), o);
        fputs("}", o);
    }
    fputs("],\n \"parts\": [", o);
    for (int i = 0; i < m->nparts; i++) {
        const fm_part_type *p = &m->parts[i];
        fputs(i ? ",\n  " : "\n  ", o);
        fputs("{\"name\": ", o);
        jstr(p->name, o);
        fprintf(o, ", \"mass_kg\": %s, \"attrs\": {", jnum(p->mass, b));
        int first = 1;
        for (int a = 0; a < m->nattrs; a++) {
            const fm_attr_init *in = &p->attrs[a];
            if (in->kind == FM_INIT_NONE)
                continue;
            fputs(first ? "" : ", ", o);
            first = 0;
            jstr(m->attrs[a].name, o);
            fputs(": ", o);
            if (in->kind == FM_INIT_CONST)
                fprintf(o, "{\"const\": %s}", jnum(in->value, b));
            else if (in->kind == FM_INIT_DIST) {
                fputs("{\"dist\": ", o);
                jdist(in->dist, o);
                fputs("}", o);
            } else {
                fputs("{\"expr\": ", o);
                jexpr(m, in->expr, o);
                fputs("}", o);
            }
        }
        fputs("}}", o);
    }
    fputs("],\n \"fns\": [", o);
    for (int i = 0; i < m->nfns; i++) {
        const fm_fn *f = &m->fns[i];
        fputs(i ? ",\n  " : "\n  ", o);
        fputs("{\"name\": ", o);
        jstr(f->name, o);
        fputs(", \"params\": [", o);
        for (int k = 0; k < f->nparams; k++) {
            fputs(k ? ", " : "", o);
            jstr(f->params[k], o);
        }
        fputs("], \"body\": ", o);
        jexpr(m, f->body, o);
        fputs("}", o);
    }
    fputs("],\n \"elements\": [", o);
    for (int i = 0; i < m->nelements; i++) {
        const fm_element *e = &m->elements[i];
        fputs(i ? ",\n  " : "\n  ", o);
        fputs("{\"name\": ", o);
        jstr(e->name, o);
        fputs(", \"kind\": ", o);
        jstr(fm_elem_kind_name(e->kind), o);
        if (e->template_name) {
            fputs(", \"template\": ", o);
            jstr(e->template_name, o);
        }
        switch (e->kind) {
        case FM_ELEM_SOURCE: {
            const fm_source *s = &e->u.source;
            fputs(", \"part\": ", o);
            jstr(s->part_type >= 0 ? m->parts[s->part_type].name : "", o);
            fputs(", \"interarrival\": ", o);
            jdist(s->interarrival, o);
            fprintf(o, ", \"unlimited\": %s, \"batch\": %ld, \"limit\": %ld, \"on_block\": \"%s\"",
                    s->unlimited ? "true" : "false", s->batch, s->limit, s->on_block == FM_ON_BLOCK_LOSE ? "lose" : "queue");
            break;
        }
        case FM_ELEM_STATION: {
            const fm_station *s = &e->u.station;
            fputs(", \"cycle\": ", o);
            jdist(s->cycle, o);
            fputs(", \"cycle_by_part\": {", o);
            for (int k = 0; k < s->ncycle_map; k++) {
                fputs(k ? ", " : "", o);
                jstr(m->parts[s->cycle_map[k].part_type].name, o);
                fputs(": ", o);
                jdist(s->cycle_map[k].dist, o);
            }
            fprintf(o, "}, \"capacity\": %ld, \"setup\": ", s->capacity);
            jdist(s->setup, o);
            if (s->has_power) {
                fputs(", \"power_w\": ", o);
                jpower(s->power, o);
            }
            fputs(", \"failures\": [", o);
            for (int k = 0; k < s->nfailures; k++) {
                static const char *const bases[] = {"operating", "calendar", "cycles"};
                fputs(k ? ", " : "", o);
                fputs("{\"name\": ", o);
                jstr(s->failures[k].name, o);
                fprintf(o, ", \"basis\": \"%s\", \"ttf\": ", bases[s->failures[k].basis]);
                jdist(s->failures[k].ttf, o);
                fputs(", \"ttr\": ", o);
                jdist(s->failures[k].ttr, o);
                fputs("}", o);
            }
            fputs("]", o);
            break;
        }
        case FM_ELEM_BUFFER: {
            static const char *const ords[] = {"fifo", "lifo", "ascending", "descending"};
            if (e->u.buffer.infinite)
                fputs(", \"capacity\": \"inf\"", o);
            else
                fprintf(o, ", \"capacity\": %ld", e->u.buffer.capacity);
            fprintf(o, ", \"order\": \"%s\"", ords[e->u.buffer.order]);
            if (e->u.buffer.order_key) {
                fputs(", \"order_key\": ", o);
                jexpr(m, e->u.buffer.order_key, o);
            }
            break;
        }
        case FM_ELEM_CONVEYOR:
            fprintf(o, ", \"length_m\": %s", jnum(e->u.conveyor.length, b));
            fprintf(o, ", \"speed_m_s\": %s", jnum(e->u.conveyor.speed, b));
            fprintf(o, ", \"spacing_m\": %s, \"capacity\": %ld, \"accumulating\": %s", jnum(e->u.conveyor.spacing, b),
                    e->u.conveyor.capacity, e->u.conveyor.accumulating ? "true" : "false");
            break;
        case FM_ELEM_ASSEMBLY: {
            const fm_assembly *a = &e->u.assembly;
            fputs(", \"inputs\": {", o);
            for (int k = 0; k < a->ninputs; k++) {
                fputs(k ? ", " : "", o);
                jstr(m->parts[a->inputs[k].part_type].name, o);
                fprintf(o, ": %ld", a->inputs[k].count);
            }
            fputs("}, \"output\": ", o);
            jstr(m->parts[a->output].name, o);
            fputs(", \"cycle\": ", o);
            jdist(a->cycle, o);
            if (a->has_power) {
                fputs(", \"power_w\": ", o);
                jpower(a->power, o);
            }
            break;
        }
        default:
            break;
        }
        fputs(", \"succ\": ", o);
        jnames(m, e->succ, e->nsucc, o);
        fputs(", \"pred\": ", o);
        jnames(m, e->pred, e->npred, o);
        if (e->route.kind == FM_ROUTE_PROB) {
            fputs(", \"route\": {\"kind\": \"prob\", \"stream\": ", o);
            jstr(e->route.stream, o);
            fputs(", \"entries\": [", o);
            for (int k = 0; k < e->route.nentries; k++) {
                fputs(k ? ", " : "", o);
                fputs("{\"to\": ", o);
                jstr(m->elements[e->route.probs[k].target].name, o);
                fprintf(o, ", \"p\": %s}", jnum(e->route.probs[k].prob, b));
            }
            fputs("]}", o);
        } else if (e->route.kind == FM_ROUTE_RULES) {
            fputs(", \"route\": {\"kind\": \"rules\", \"entries\": [", o);
            for (int k = 0; k < e->route.nentries; k++) {
                fputs(k ? ", " : "", o);
                fputs("{\"when\": ", o);
                if (e->route.rules[k].cond)
                    jexpr(m, e->route.rules[k].cond, o);
                else
                    fputs("null", o);
                fputs(", \"to\": ", o);
                jstr(m->elements[e->route.rules[k].target].name, o);
                fputs("}", o);
            }
            fputs("]}", o);
        }
        fputs("}", o);
    }
    fputs("\n ]}\n", o);
}
