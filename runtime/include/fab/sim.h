/*
 * fab/sim.h — running replications of a model and reading the results.
 *
 * In:  a built fab_model (fab/model.h) and run options.
 * Out: a fab_results object, owned by the caller (fab_results_free), holding one vector of
 *      per-replication values per metric, summaries over replications (fab/stat.h), the JSON
 *      document and the readable summary table.
 *
 * Semantics (docs in LANGUAGE.md): statistics are collected over [warmup, horizon]; every
 * accumulator is reset when warmup ends. Same-time events run in the order they were
 * scheduled (FIFO on a global sequence number), so a replication is a pure function of
 * (model, parameters, seed, replication index). With jobs > 1, replications run in forked
 * worker processes and are merged in replication order: results are bit-identical for any
 * number of jobs.
 *
 * Deadlock: when every element of a set closed under "waits for" is blocked, the replication
 * stops; its statistics cover [warmup, deadlock time] and the results report the time and the
 * elements involved. A deadlock before the warmup ends leaves that window empty: the
 * replication's counts are 0, its means, rates, maxima and fractions NaN.
 *
 * The view functions (fab_sim_now, fab_sim_level, fab_sim_state) are what compiled `fn`
 * code calls from route rules, buffer keys and part initialisers.
 */
#ifndef FAB_SIM_H
#define FAB_SIM_H

#include <stdio.h>
#include <stdint.h>
#include "fab/model.h"
#include "fab/stat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- View queries for callbacks -------------------------------------------------------- */

double    fab_sim_now(const fab_sim *s);
/* Parts held: buffer contents, parts on a conveyor, parts in a station (in service or blocked),
 * queued parts of a source; 0 for a sink. */
double    fab_sim_level(const fab_sim *s, int elem);
/* State of a station or assembly: that of its server for capacity 1, else the first of busy,
 * setup, blocked, down, idle held by any server. FAB_STATE_IDLE for other kinds. */
fab_state fab_sim_state(const fab_sim *s, int elem);

/* ---- Running --------------------------------------------------------------------------- */

typedef enum fab_evset_kind {
    FAB_EVSET_DEFAULT,      /* the measured best: the calendar queue (docs/performance.md) */
    FAB_EVSET_HEAP,         /* binary heap */
    FAB_EVSET_CALENDAR      /* calendar queue (Brown 1988) with resizing */
} fab_evset_kind;

typedef struct fab_run_opts {
    double horizon;         /* s; NAN: the model's */
    double warmup;          /* s; NAN: the model's */
    int64_t replications;   /* <= 0: the model's */
    int64_t seed;           /* < 0: the model's (seeds from 2^63 on: fab_model_seed) */
    int jobs;               /* worker processes; <= 1 runs in this process */
    fab_evset_kind evset;
} fab_run_opts;

/* Options that take everything from the model, one job. */
fab_run_opts fab_run_opts_default(void);

typedef struct fab_results fab_results;

/* Run the replications. Returns NULL with a one-line reason in err on failure (model error,
 * invalid parameters, more replications than memory holds, a failed replication, a worker
 * that died). Of several failed replications the lowest is reported, for any number of jobs. */
fab_results *fab_run(fab_model *m, const fab_run_opts *o, char *err, size_t errsize);
void fab_results_free(fab_results *r);

uint64_t fab_results_replications(const fab_results *r);
uint64_t fab_results_seed(const fab_results *r);
double   fab_results_horizon(const fab_results *r);
double   fab_results_warmup(const fab_results *r);
/* Events executed, summed over replications. */
uint64_t fab_results_events(const fab_results *r);
double   fab_results_wall_time(const fab_results *r);

/* Metrics are addressed by element name and metric name as in the JSON ("utilization",
 * "state_fraction.busy", "lead_time_s", "lead_time_p90_s", ...), or by index. */
int          fab_results_metric_count(const fab_results *r);
int          fab_results_metric_find(const fab_results *r, const char *elem, const char *metric);
const char  *fab_results_metric_element(const fab_results *r, int metric);
const char  *fab_results_metric_name(const fab_results *r, int metric);
/* Value of a metric in replication rep (NAN where undefined, e.g. no observation). */
double       fab_results_value(const fab_results *r, uint64_t rep, int metric);
/* Mean, sd, Student-t 95 % CI over replications (NAN values skipped). */
fab_stat_summary fab_results_summary(const fab_results *r, int metric);
/* Convenience: the summary by names; n == 0 and NANs if the metric does not exist. */
fab_stat_summary fab_results_get(const fab_results *r, const char *elem, const char *metric);

/* Deadlocks: number of replications that deadlocked; for each, the replication, time and the
 * blocked elements as a list of names separated by ", " (for display: a name may itself
 * contain ", "; fab_results_deadlock_element and the JSON give the names one by one). */
uint64_t    fab_results_deadlock_count(const fab_results *r);
int         fab_results_deadlock(const fab_results *r, uint64_t i, uint64_t *rep, double *time,
                                 const char **elements);
/* The elements of deadlock i one by one, in the model's element order: how many there are (0
 * when i is out of range), and the name of the k-th (NULL when i or k is out of range). */
int         fab_results_deadlock_elements(const fab_results *r, uint64_t i);
const char *fab_results_deadlock_element(const fab_results *r, uint64_t i, int k);

/* The JSON document (keys as in LANGUAGE.md plus extras); doubles as %.17g, NAN/inf as null.
 * A statistic of fewer than two values (n < 2) has no interval: ci95_lo and ci95_hi are null.
 * Returns 0, or -1 on a write error. */
int fab_results_write_json(const fab_results *r, FILE *out);
/* The same; with FAB_JSON_VALUES every statistic also lists its per-replication values
 * ("values": [...], in replication order, null where undefined). */
#define FAB_JSON_VALUES 1u
int fab_results_write_json_flags(const fab_results *r, FILE *out, unsigned flags);
/* The readable summary: KPIs with 95 % CI ("n/a" for fewer than two values), state
 * breakdown of every station. Returns 0, or -1 on a write error. */
int fab_results_write_table(const fab_results *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
