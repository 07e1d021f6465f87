/*
 * results.c — running replications (in this process or in forked workers), merging them in
 * replication order, summaries over replications, the JSON document and the summary table.
 *
 * In:  a fab_model and fab_run_opts. Out: a fab_results owned by the caller; it copies every
 *      name it needs, so the model may be freed first.
 * Workers: with jobs > 1 the parent maps one shared anonymous matrix (one row per
 * replication) followed by one res_slot per worker, forks `jobs` children that each run
 * replications w, w + jobs, ... and write their rows, then waits for all. Rows are indexed by
 * replication, so the merge order never depends on which worker finished first. A worker
 * counts as successful only if it set its slot's done flag after its last row (an exit
 * status alone does not show that the rows were written, and waitpid may not report one).
 * A failed run reports the failure of the lowest replication, as one process running them in
 * order does, whatever the number of workers. A child ends with _exit (never returns into the
 * caller's code). Row layout: the metrics (rt_layout order), then events, deadlock time
 * (NAN if none), then one 0/1 flag per element of the deadlock.
 */
#include "rt_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fab_results {
    char *model;
    uint64_t reps, seed;
    double horizon, warmup, wall;
    uint64_t events;
    int nelem;
    char **elem_name;
    fab_kind *elem_kind;
    rt_layout L;
    int rowlen;
    double *rows;
    fab_stat_summary *sum;
    uint64_t ndead;
    uint64_t *dead_rep;
    double *dead_time;
    char **dead_elems;
};

static char *res_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

fab_run_opts fab_run_opts_default(void)
{
    fab_run_opts o;
    o.horizon = NAN;
    o.warmup = NAN;
    o.replications = 0;
    o.seed = -1;
    o.jobs = 1;
    o.evset = FAB_EVSET_DEFAULT;
    return o;
}

static double res_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What a worker process leaves in the shared map besides its rows. */
typedef struct res_slot {
    uint64_t rep;           /* the replication it runs (the first of its share before any),
                             * at the end the one that failed */
    int done;               /* set, with release order, after its last row */
    char err[256];          /* why it failed, if it could tell */
} res_slot;

/* Run replications first, first + step, ... < reps into rows, storing in *at the replication
 * being run. 0, or -1 with err. */
static int res_worker(const fab_model *m, const fab_run_opts *o, double horizon, double warmup,
                      uint64_t seed, uint64_t reps, uint64_t first, uint64_t step, double *rows,
                      int rowlen, int nmetric, uint64_t *at, char *err, size_t errsize)
{
    fab_sim *s = rt_sim_new(m, o->evset, horizon, warmup, seed, err, errsize);
    if (!s)
        return -1;
    for (uint64_t r = first; r < reps; r += step) {
        *at = r;
        double *row = rows + r * (uint64_t)rowlen;
        if (rt_sim_run(s, r, row)) {
            snprintf(err, errsize, "replication %llu: %s", (unsigned long long)r, s->err);
            rt_sim_free(s);
            return -1;
        }
        row[nmetric] = (double)s->events;
        row[nmetric + 1] = s->deadlock ? s->deadlock_time : NAN;
        for (int i = 0; i < s->nelem; i++)
            row[nmetric + 2 + i] = s->deadlock ? (double)s->dl_set[i] : 0;
    }
    rt_sim_free(s);
    return 0;
}

fab_results *fab_run(fab_model *m, const fab_run_opts *o, char *err, size_t errsize)
{
    fab_run_opts def = fab_run_opts_default();
    if (!o)
        o = &def;
    if (!m) {
        snprintf(err, errsize, "no model");
        return NULL;
    }
    double horizon = isnan(o->horizon) ? m->horizon : o->horizon;
    double warmup = isnan(o->warmup) ? m->warmup : o->warmup;
    uint64_t reps = o->replications > 0 ? (uint64_t)o->replications : m->replications;
    uint64_t seed = o->seed >= 0 ? (uint64_t)o->seed : m->seed;
    double saved_h = m->horizon, saved_w = m->warmup;
    m->horizon = horizon;
    m->warmup = warmup;
    int bad = rt_model_validate(m, err, errsize);
    m->horizon = saved_h;
    m->warmup = saved_w;
    if (bad)
        return NULL;
    fab_results *r = calloc(1, sizeof *r);
    if (!r || rt_layout_build(m, &r->L)) {
        free(r);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    r->model = res_strdup(m->name);
    r->reps = reps;
    r->seed = seed;
    r->horizon = horizon;
    r->warmup = warmup;
    r->nelem = m->nelem;
    r->elem_name = calloc((size_t)m->nelem, sizeof *r->elem_name);
    r->elem_kind = calloc((size_t)m->nelem, sizeof *r->elem_kind);
    if (!r->model || !r->elem_name || !r->elem_kind) {
        fab_results_free(r);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    for (int i = 0; i < m->nelem; i++) {
        r->elem_name[i] = res_strdup(m->elem[i]->name);
        r->elem_kind[i] = m->elem[i]->kind;
    }
    int nmetric = r->L.nmetric;
    r->rowlen = nmetric + 2 + m->nelem;
    size_t rowbytes = (size_t)r->rowlen * sizeof(double);
    if (reps > SIZE_MAX / rowbytes) {
        snprintf(err, errsize, "out of memory: too many replications (%llu) to hold %d values "
                 "each", (unsigned long long)reps, r->rowlen);
        fab_results_free(r);
        return NULL;
    }
    size_t bytes = (size_t)reps * rowbytes;
    int jobs = o->jobs > 1 ? o->jobs : 1;
    if ((uint64_t)jobs > reps)
        jobs = (int)reps;
    double t0 = res_now();
    int rc = 0;
    if (jobs <= 1) {
        r->rows = malloc(bytes);
        if (!r->rows) {
            snprintf(err, errsize, "out of memory");
            rc = -1;
        } else {
            uint64_t at;
            rc = res_worker(m, o, horizon, warmup, seed, reps, 0, 1, r->rows, r->rowlen,
                            nmetric, &at, err, errsize);
        }
    } else {
        if ((size_t)jobs > (SIZE_MAX - bytes) / sizeof(res_slot)) {
            snprintf(err, errsize, "out of memory: too many replications (%llu) to hold %d "
                     "values each", (unsigned long long)reps, r->rowlen);
            fab_results_free(r);
            return NULL;
        }
        size_t shared_bytes = bytes + (size_t)jobs * sizeof(res_slot);
        void *sh = mmap(NULL, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                        -1, 0);
        if (sh == MAP_FAILED) {
            snprintf(err, errsize, "cannot map shared memory for %d workers: %s", jobs,
                     strerror(errno));
            fab_results_free(r);
            return NULL;
        }
        res_slot *slot = (res_slot *)((char *)sh + bytes);
        for (int w = 0; w < jobs; w++) {
            slot[w].rep = (uint64_t)w;
            slot[w].done = 0;
            slot[w].err[0] = 0;
        }
        pid_t *pids = calloc((size_t)jobs, sizeof *pids);
        fflush(NULL);
        int started = 0;
        for (int w = 0; w < jobs && pids; w++) {
            pid_t pid = fork();
            if (pid < 0) {
                snprintf(err, errsize, "cannot start worker %d: %s", w, strerror(errno));
                rc = -1;
                break;
            }
            if (pid == 0) {
                res_slot *me = &slot[w];
                int bad_w = res_worker(m, o, horizon, warmup, seed, reps, (uint64_t)w,
                                       (uint64_t)jobs, (double *)sh, r->rowlen, nmetric,
                                       &me->rep, me->err, sizeof me->err);
                if (!bad_w)
                    __atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
                _exit(bad_w ? 1 : 0);
            }
            pids[started++] = pid;
        }
        if (!pids) {
            snprintf(err, errsize, "out of memory");
            rc = -1;
        }
        /* Wait for every worker; unless a worker could not be started, report the failed
         * worker with the lowest replication. waitpid failing (other than by EINTR: ECHILD
         * when SIGCHLD is ignored or another part of the program reaped the child) leaves
         * the worker's end to its done flag. */
        int worker_rc = 0;
        uint64_t fail_rep = UINT64_MAX;
        for (int w = 0; w < started; w++) {
            int st = 0;
            pid_t got;
            while ((got = waitpid(pids[w], &st, 0)) < 0 && errno == EINTR)
                ;
            int wait_errno = got < 0 ? errno : 0;
            int done = __atomic_load_n(&slot[w].done, __ATOMIC_ACQUIRE);
            if (done && (got < 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 0)))
                continue;
            uint64_t at = slot[w].rep;
            if (worker_rc && at >= fail_rep)
                continue;
            worker_rc = -1;
            fail_rep = at;
            if (rc)
                continue;
            if (slot[w].err[0])
                snprintf(err, errsize, "%.*s", (int)sizeof slot[w].err - 1, slot[w].err);
            else if (got < 0)
                snprintf(err, errsize, "replication %llu: worker %d did not finish (cannot "
                         "wait for it: %s)", (unsigned long long)at, w, strerror(wait_errno));
            else if (WIFSIGNALED(st))
                snprintf(err, errsize, "replication %llu: worker %d killed by signal %d (%s)",
                         (unsigned long long)at, w, WTERMSIG(st), strsignal(WTERMSIG(st)));
            else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
                snprintf(err, errsize, "replication %llu: worker %d exited with status %d",
                         (unsigned long long)at, w, WEXITSTATUS(st));
            else
                snprintf(err, errsize, "replication %llu: worker %d exited before finishing its "
                         "replications", (unsigned long long)at, w);
        }
        if (rc == 0)
            rc = worker_rc;
        free(pids);
        if (rc == 0) {
            r->rows = malloc(bytes);
            if (r->rows)
                memcpy(r->rows, sh, bytes);
            else {
                snprintf(err, errsize, "out of memory");
                rc = -1;
            }
        }
        munmap(sh, shared_bytes);
    }
    r->wall = res_now() - t0;
    if (rc) {
        fab_results_free(r);
        return NULL;
    }
    /* merge in replication order */
    r->sum = calloc((size_t)(nmetric ? nmetric : 1), sizeof *r->sum);
    double *col = malloc((size_t)reps * sizeof *col);
    if (!r->sum || !col) {
        free(col);
        fab_results_free(r);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    for (int k = 0; k < nmetric; k++) {
        for (uint64_t i = 0; i < reps; i++)
            col[i] = r->rows[i * (uint64_t)r->rowlen + (uint64_t)k];
        r->sum[k] = fab_stat_summarize(col, reps);
    }
    free(col);
    for (uint64_t i = 0; i < reps; i++) {
        const double *row = r->rows + i * (uint64_t)r->rowlen;
        r->events += (uint64_t)row[nmetric];
        if (!isnan(row[nmetric + 1]))
            r->ndead++;
    }
    if (r->ndead) {
        r->dead_rep = calloc(r->ndead, sizeof *r->dead_rep);
        r->dead_time = calloc(r->ndead, sizeof *r->dead_time);
        r->dead_elems = calloc(r->ndead, sizeof *r->dead_elems);
        if (!r->dead_rep || !r->dead_time || !r->dead_elems) {
            fab_results_free(r);
            snprintf(err, errsize, "out of memory");
            return NULL;
        }
        uint64_t d = 0;
        for (uint64_t i = 0; i < reps; i++) {
            const double *row = r->rows + i * (uint64_t)r->rowlen;
            if (isnan(row[nmetric + 1]))
                continue;
            r->dead_rep[d] = i;
            r->dead_time[d] = row[nmetric + 1];
            size_t len = 1;
            for (int e = 0; e < r->nelem; e++)
                if (row[nmetric + 2 + e] != 0)
                    len += strlen(r->elem_name[e]) + 2;
            char *s = malloc(len);
            if (s) {
                s[0] = 0;
                for (int e = 0; e < r->nelem; e++)
                    if (row[nmetric + 2 + e] != 0) {
                        if (s[0])
                            strcat(s, ", ");
                        strcat(s, r->elem_name[e]);
                    }
            }
            r->dead_elems[d++] = s;
        }
    }
    return r;
}

void fab_results_free(fab_results *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nelem && r->elem_name; i++)
        free(r->elem_name[i]);
    free(r->elem_name);
    free(r->elem_kind);
    rt_layout_free(&r->L);
    free(r->rows);
    free(r->sum);
    for (uint64_t d = 0; d < r->ndead && r->dead_elems; d++)
        free(r->dead_elems[d]);
    free(r->dead_elems);
    free(r->dead_rep);
    free(r->dead_time);
    free(r->model);
    free(r);
}

uint64_t fab_results_replications(const fab_results *r) { return r->reps; }
uint64_t fab_results_seed(const fab_results *r) { return r->seed; }
double   fab_results_horizon(const fab_results *r) { return r->horizon; }
double   fab_results_warmup(const fab_results *r) { return r->warmup; }
uint64_t fab_results_events(const fab_results *r) { return r->events; }
double   fab_results_wall_time(const fab_results *r) { return r->wall; }
int      fab_results_metric_count(const fab_results *r) { return r->L.nmetric; }

int fab_results_metric_find(const fab_results *r, const char *elem, const char *metric)
{
    for (int k = 0; k < r->L.nmetric; k++)
        if (!strcmp(r->L.name[k], metric) && !strcmp(r->elem_name[r->L.elem[k]], elem))
            return k;
    return -1;
}

const char *fab_results_metric_element(const fab_results *r, int k)
{
    return (k >= 0 && k < r->L.nmetric) ? r->elem_name[r->L.elem[k]] : NULL;
}

const char *fab_results_metric_name(const fab_results *r, int k)
{
    return (k >= 0 && k < r->L.nmetric) ? r->L.name[k] : NULL;
}

double fab_results_value(const fab_results *r, uint64_t rep, int k)
{
    if (rep >= r->reps || k < 0 || k >= r->L.nmetric)
        return NAN;
    return r->rows[rep * (uint64_t)r->rowlen + (uint64_t)k];
}

fab_stat_summary fab_results_summary(const fab_results *r, int k)
{
    if (k < 0 || k >= r->L.nmetric) {
        fab_stat_summary none = {NAN, NAN, NAN, NAN, 0};
        return none;
    }
    return r->sum[k];
}

fab_stat_summary fab_results_get(const fab_results *r, const char *elem, const char *metric)
{
    return fab_results_summary(r, fab_results_metric_find(r, elem, metric));
}

uint64_t fab_results_deadlock_count(const fab_results *r) { return r->ndead; }

int fab_results_deadlock(const fab_results *r, uint64_t i, uint64_t *rep, double *time,
                         const char **elements)
{
    if (i >= r->ndead)
        return -1;
    if (rep)
        *rep = r->dead_rep[i];
    if (time)
        *time = r->dead_time[i];
    if (elements)
        *elements = r->dead_elems[i] ? r->dead_elems[i] : "";
    return 0;
}

/* The per-element flags of deadlock i (1: the element is in the deadlock), i < r->ndead. */
static const double *dead_flags(const fab_results *r, uint64_t i)
{
    return r->rows + r->dead_rep[i] * (uint64_t)r->rowlen + r->L.nmetric + 2;
}

int fab_results_deadlock_elements(const fab_results *r, uint64_t i)
{
    if (i >= r->ndead)
        return 0;
    const double *flag = dead_flags(r, i);
    int n = 0;
    for (int e = 0; e < r->nelem; e++)
        n += flag[e] != 0;
    return n;
}

const char *fab_results_deadlock_element(const fab_results *r, uint64_t i, int k)
{
    if (i >= r->ndead || k < 0)
        return NULL;
    const double *flag = dead_flags(r, i);
    for (int e = 0; e < r->nelem; e++)
        if (flag[e] != 0 && k-- == 0)
            return r->elem_name[e];
    return NULL;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

/* The length of the well-formed UTF-8 sequence at p (1 to 4 bytes: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when p does not start one. */
static int utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || p[0] > 0xF4)
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F)     /* overlong, surrogate */
        || (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))  /* overlong, > U+10FFFF */
        return 0;
    return n;
}

/* A JSON string: quotes, backslashes and control characters escaped; bytes that are not
 * well-formed UTF-8 (a name from a Latin-1 file, say) become U+FFFD, so the document is always
 * valid JSON. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        }
    }
    fputc('"', f);
}

static void json_summary(FILE *f, const fab_stat_summary *s, const fab_results *r, int k,
                         unsigned flags)
{
    fputs("{\"mean\": ", f);
    json_num(f, s->mean);
    fputs(", \"sd\": ", f);
    json_num(f, s->sd);
    /* one value gives no interval (fab_stat_summarize's zero width is a convention) */
    fputs(", \"ci95_lo\": ", f);
    json_num(f, s->n >= 2 ? s->ci95_lo : NAN);
    fputs(", \"ci95_hi\": ", f);
    json_num(f, s->n >= 2 ? s->ci95_hi : NAN);
    fprintf(f, ", \"n\": %llu", (unsigned long long)s->n);
    if (flags & FAB_JSON_VALUES) {
        fputs(", \"values\": [", f);
        for (uint64_t rep = 0; rep < r->reps; rep++) {
            if (rep)
                fputs(", ", f);
            json_num(f, fab_results_value(r, rep, k));
        }
        fputc(']', f);
    }
    fputc('}', f);
}

int fab_results_write_json(const fab_results *r, FILE *f)
{
    return fab_results_write_json_flags(r, f, 0);
}

int fab_results_write_json_flags(const fab_results *r, FILE *f, unsigned flags)
{
    fputs("{\n  \"model\": ", f);
    json_str(f, r->model);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replications\": %llu,\n  \"horizon_s\": ",
            (unsigned long long)r->seed, (unsigned long long)r->reps);
    json_num(f, r->horizon);
    fputs(",\n  \"warmup_s\": ", f);
    json_num(f, r->warmup);
    fprintf(f, ",\n  \"events\": %llu,\n  \"wall_time_s\": ", (unsigned long long)r->events);
    json_num(f, r->wall);
    fputs(",\n  \"elements\": {", f);
    int k = 0;
    for (int e = 0; e < r->nelem; e++) {
        fputs(e ? ",\n    " : "\n    ", f);
        json_str(f, r->elem_name[e]);
        fputs(": {\"kind\": ", f);
        json_str(f, fab_kind_name(r->elem_kind[e]));
        const char *group = NULL;
        size_t glen = 0;
        for (; k < r->L.nmetric && r->L.elem[k] == e; k++) {
            const char *name = r->L.name[k];
            const char *dot = strchr(name, '.');
            if (group && (!dot || (size_t)(dot - name) != glen || strncmp(name, group, glen))) {
                fputc('}', f);
                group = NULL;
            }
            if (dot && !group) {
                group = name;
                glen = (size_t)(dot - name);
                fprintf(f, ", \"%.*s\": {", (int)glen, name);
                fprintf(f, "\"%s\": ", dot + 1);
            } else if (dot) {
                fprintf(f, ", \"%s\": ", dot + 1);
            } else {
                fprintf(f, ", \"%s\": ", name);
            }
            json_summary(f, &r->sum[k], r, k, flags);
        }
        if (group)
            fputc('}', f);
        fputc('}', f);
    }
    fputs("\n  },\n  \"deadlocks\": [", f);
    for (uint64_t d = 0; d < r->ndead; d++) {
        fprintf(f, "%s{\"replication\": %llu, \"time_s\": ", d ? ", " : "",
                (unsigned long long)r->dead_rep[d]);
        json_num(f, r->dead_time[d]);
        fputs(", \"elements\": [", f);
        const double *flag = dead_flags(r, d);
        int first = 1;
        for (int e = 0; e < r->nelem; e++) {
            if (flag[e] == 0)
                continue;
            if (!first)
                fputs(", ", f);
            json_str(f, r->elem_name[e]);
            first = 0;
        }
        fputs("]}", f);
    }
    fputs("]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- table ------------------------------------------------------------------------------ */

/* A KPI in seconds (its name ends in "_s", or has "_s." before a percentile) is shown in the
 * unit an engineer reads it in: h from 2 h, min from 2 min, else s. The KPI's name loses the
 * "_s" (lead_time_s -> lead_time) and the unit follows the value; JSON keeps seconds. */
static const char *table_time_unit(const char *name, double mean, double *scale, char *shown,
                                   size_t n)
{
    const char *tail = strstr(name, "_s.");
    size_t len = strlen(name);
    int is_time = tail || (len > 2 && !strcmp(name + len - 2, "_s"));
    if (!is_time) {
        snprintf(shown, n, "%s", name);
        *scale = 1;
        return "";
    }
    if (tail)
        snprintf(shown, n, "%.*s%s", (int)(tail - name), name, tail + 2);
    else
        snprintf(shown, n, "%.*s", (int)(len - 2), name);
    double a = fabs(mean);
    *scale = a >= 7200 ? 3600 : a >= 120 ? 60 : 1;
    return a >= 7200 ? "h" : a >= 120 ? "min" : "s";
}

/* The mean and 95 % CI half-width of s, divided by scale, with the unit after the mean. */
static void table_value(FILE *f, const fab_stat_summary *s, double scale, const char *unit)
{
    if (s->n == 0 || !isfinite(s->mean)) {
        fprintf(f, "%14s", "-");
        return;
    }
    fprintf(f, "%14.6g %-3s", s->mean / scale, unit);
    if (s->n < 2) {         /* one value: no interval */
        fputs("  n/a", f);
        return;
    }
    double hw = (s->ci95_hi - s->ci95_lo) / 2;
    fprintf(f, "  +/- %.3g", (isfinite(hw) ? hw : 0.0) / scale);   /* the last column */
}

/* The columns a name takes on a terminal: its UTF-8 characters (bytes that do not continue a
 * sequence). */
static size_t table_cols(const char *name)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* name, padded with spaces to w columns (never cut: the column is as wide as its longest). */
static void table_name(FILE *f, const char *name, size_t w)
{
    fputs(name, f);
    for (size_t c = table_cols(name); c < w; c++)
        fputc(' ', f);
}

int fab_results_write_table(const fab_results *r, FILE *f)
{
    fprintf(f, "%s — seed %llu, %llu replication%s, horizon %g h, warmup %g h, %llu events, "
            "%.3g s\n\n", r->model, (unsigned long long)r->seed, (unsigned long long)r->reps,
            r->reps == 1 ? "" : "s", r->horizon / 3600, r->warmup / 3600,
            (unsigned long long)r->events, r->wall);
    /* the element column: at least 20 wide, and as wide as the longest name */
    size_t w = 20;
    for (int e = 0; e < r->nelem; e++)
        if (table_cols(r->elem_name[e]) > w)
            w = table_cols(r->elem_name[e]);
    table_name(f, "element", w);
    fprintf(f, " %-9s %-28s %14s      %s\n", "kind", "KPI", "mean", "95% CI");
    for (int k = 0; k < r->L.nmetric; k++) {
        const char *name = r->L.name[k];
        int e = r->L.elem[k];
        if (!strncmp(name, "state_fraction.", 15))
            continue;
        if (r->sum[k].n == 0)
            continue;
        char shown[64];
        double scale;
        const char *unit = table_time_unit(name, r->sum[k].mean, &scale, shown, sizeof shown);
        table_name(f, r->elem_name[e], w);
        fprintf(f, " %-9s %-28s ", fab_kind_name(r->elem_kind[e]), shown);
        table_value(f, &r->sum[k], scale, unit);
        fputc('\n', f);
    }
    int any = 0;
    for (int e = 0; e < r->nelem; e++)
        if (r->elem_kind[e] == FAB_KIND_STATION || r->elem_kind[e] == FAB_KIND_ASSEMBLY)
            any = 1;
    if (any) {
        fprintf(f, "\nState breakdown (%% of time, mean over replications)\n");
        table_name(f, "station", w);
        for (int s = 0; s < FAB_STATE__COUNT; s++)
            fprintf(f, " %9s", fab_state_name((fab_state)s));
        fputc('\n', f);
        for (int e = 0; e < r->nelem; e++) {
            if (r->elem_kind[e] != FAB_KIND_STATION && r->elem_kind[e] != FAB_KIND_ASSEMBLY)
                continue;
            table_name(f, r->elem_name[e], w);
            for (int s = 0; s < FAB_STATE__COUNT; s++) {
                char mname[64];
                snprintf(mname, sizeof mname, "state_fraction.%s", fab_state_name((fab_state)s));
                fab_stat_summary sm = fab_results_get(r, r->elem_name[e], mname);
                if (isfinite(sm.mean))
                    fprintf(f, " %9.2f", 100 * sm.mean);
                else    /* no window (a deadlock during the warmup) */
                    fprintf(f, " %9s", "-");
            }
            fputc('\n', f);
        }
    }
    for (uint64_t d = 0; d < r->ndead; d++)
        fprintf(f, "\nDEADLOCK in replication %llu at t = %.17g s: %s\n",
                (unsigned long long)r->dead_rep[d], r->dead_time[d],
                r->dead_elems[d] ? r->dead_elems[d] : "");
    return ferror(f) ? -1 : 0;
}
