/*
 * fab/model.h — building a factory model through the C API.
 *
 * Who uses it: hand-written C models, the tests, and the `main` that fabc generates for every
 * .fab model:
 *
 *     int main(int argc, char **argv) {
 *         fab_model *m = fab_model_new("M/M/1");
 *         int job = fab_model_part_type(m, "Job");
 *         int src = fab_source_new(m, "arrivals", job);
 *         fab_source_interarrival(m, src, fab_sampler_of_dist(fab_dist_exp(60.0)));
 *         ...
 *         fab_flow(m, src, queue);
 *         return fab_main(m, argc, argv);          // fab/cli.h; frees m
 *     }
 *
 * Conventions
 *   - All values are SI doubles (seconds, metres, m/s, watts). Element ids are small ints
 *     returned by the *_new calls, in creation order; part type ids likewise.
 *   - Builder calls never abort and never exit: a misuse (unknown id, bad value, duplicate
 *     name) records the first error in the model; fab_model_error() returns it and running a
 *     model with an error fails with that message.
 *   - The model owns copies of everything passed by value (names, fab_dist descriptors, which
 *     makes their parameters overridable with --set). Pointers given as callback contexts and
 *     fab_dist tables (values/probs) are NOT copied: they must outlive the model.
 *   - Random streams: every random quantity has its own stream, keyed by
 *     fab_rng_key(seed, element name, purpose) and positioned per replication. Purposes:
 *     "interarrival", "cycle", "cycle.<PartType>", "setup", "failure.<mode>.ttf",
 *     "failure.<mode>.ttr", "route", "attr.<name>" (on the element that creates the part),
 *     "attr" (the part initialiser callback, same element).
 *
 * Not handled here (see fab/sim.h): running, results. Deliberately absent in v0: maintenance,
 * shifts, crews, robots, thermal models.
 */
#ifndef FAB_MODEL_H
#define FAB_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "fab/limits.h"
#include "fab/dist.h"
#include "fab/rng.h"
#include "fab/units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fab_model fab_model;
typedef struct fab_sim fab_sim;     /* one running replication; read-only "view" in callbacks */

/* A part moving through the model. Generated code reads the public fields directly (the
 * layout is stable) or through the accessors below. attr[] holds nattr doubles, one slot per
 * attribute registered with fab_model_attr(), the same slots for every part type. A slot that
 * the part's type does not initialise holds 0, except the "due" slot, which holds NAN (no due
 * date: the part counts neither as late nor as on time). */
typedef struct fab_part {
    struct fab_part *next;  /* runtime link: do not touch */
    double created;         /* creation time (s) */
    double due;             /* due date relative to creation (s), NAN if none */
    double entered;         /* time it entered its current element (s) */
    double key;             /* order key in a keyed buffer */
    uint64_t seq;           /* runtime insertion counter: do not touch */
    uint64_t id;            /* creation number within the replication, from 0 */
    int32_t type;           /* part type id */
    int32_t route;          /* runtime: chosen successor index, -1 none */
    double attr[];          /* attribute slots */
} fab_part;

double fab_part_attr(const fab_part *p, int slot);
int    fab_part_type(const fab_part *p);
double fab_part_created(const fab_part *p);
double fab_part_due(const fab_part *p);

/* ---- Samplers -------------------------------------------------------------------------- */

/* A random (or computed) quantity: fn(rng, part, ctx). rng is the quantity's own stream;
 * part is the part concerned (NULL for interarrival times, time-to-failure and repairs). */
typedef double (*fab_sample_fn)(fab_rng *rng, const fab_part *part, void *ctx);

typedef struct fab_sampler {
    fab_sample_fn fn;   /* if NULL, the descriptor `dist` is sampled */
    void *ctx;
    fab_dist dist;
} fab_sampler;

fab_sampler fab_sampler_of_fn(fab_sample_fn fn, void *ctx);

/* A sampling function for fab_sampler_of_fn: exponential with the mean *(double *)ctx (the
 * first of the distribution's parameters, in fab_dist.p order), exactly
 * fab_dist_exponential(rng, mean). Compiled models use it for every exponential quantity
 * without bounds; the kernel recognises it as a station's cycle and draws inline. */
double fab_sample_exponential(fab_rng *rng, const fab_part *part, void *ctx);
fab_sampler fab_sampler_of_dist(fab_dist d);
fab_sampler fab_sampler_const(double v);

/* Convenience descriptors for hand-written models (no bounds). */
fab_dist fab_dist_const(double v);
fab_dist fab_dist_exp(double mean);
fab_dist fab_dist_unif(double min, double max);
fab_dist fab_dist_make(fab_dist_kind kind, double p0, double p1, double p2, double p3);

/* Durations (cycle, setup, interarrival, ttf, ttr) below 0 are taken as 0. */

/* ---- Model ----------------------------------------------------------------------------- */

fab_model  *fab_model_new(const char *name);
void        fab_model_free(fab_model *m);
const char *fab_model_name(const fab_model *m);
/* First recorded builder error, or NULL. */
const char *fab_model_error(const fab_model *m);

/* Experiment defaults (the command line overrides them). Defaults: horizon 8 h, warmup 0,
 * 10 replications, seed 42. */
void fab_model_horizon(fab_model *m, double seconds);
void fab_model_warmup(fab_model *m, double seconds);
void fab_model_replications(fab_model *m, uint64_t n);
void fab_model_seed(fab_model *m, uint64_t seed);

/* Part types: the id of `name`, created on first use. */
int fab_model_part_type(fab_model *m, const char *name);
const char *fab_model_part_type_name(const fab_model *m, int type);
/* Attribute slots, shared by all part types: the slot of `name`, created on first use. An
 * attribute named "due" also sets fab_part.due after the part is initialised. */
int fab_model_attr(fab_model *m, const char *name);
/* An attribute of parts of `type`, sampled when such a part is created (stream
 * "attr.<name>" of the creating element). Applied in registration order. */
void fab_model_part_attr(fab_model *m, int type, int slot, fab_sampler s);
/* A general initialiser, run after the attribute samplers (stream "attr"). */
typedef void (*fab_part_init_fn)(fab_part *p, fab_rng *rng, const fab_sim *view, void *ctx);
void fab_model_part_init(fab_model *m, int type, fab_part_init_fn fn, void *ctx);

/* A named double parameter that `--set name=value` can override, with its dimension. `slot`
 * must outlive the model; its value is read when a run starts. Built-in names exist already:
 * horizon, warmup, <source>.batch, <source>.limit, <station>.capacity, <buffer>.capacity,
 * <conveyor>.length/.speed/.spacing, <station>.power.<state>, and for every sampler given as a
 * fab_dist: <element>.<purpose>.<param> (e.g. press.cycle.mean, press.failure.jam.ttf.scale;
 * a constant's v also as <element>.<purpose>, an alias as below, as in compiled models). A name
 * registered again is replaced: the last registration wins. */
void fab_model_param(fab_model *m, const char *name, double *slot, fab_dim dim);
/* A second, shorter name for a parameter (a constant's v as <element>.<purpose>): it only takes
 * a name no parameter has, and a parameter registered later under that name replaces it. So a
 * full name always wins, whatever the order: with a part type named v, press.cycle.v is the
 * default constant cycle's value, and the type's constant cycle is press.cycle.v.v. */
void fab_model_param_alias(fab_model *m, const char *name, double *slot, fab_dim dim);
/* Set a parameter from text with units ("40s", "2.5 min", "inf"). Returns 0, or -1 with a
 * one-line reason in err (unknown name, wrong dimension, malformed value). */
int fab_model_set(fab_model *m, const char *name, const char *value, char *err, size_t errsize);

/* ---- Elements -------------------------------------------------------------------------- */

typedef enum fab_kind {
    FAB_KIND_SOURCE, FAB_KIND_STATION, FAB_KIND_BUFFER, FAB_KIND_CONVEYOR,
    FAB_KIND_ASSEMBLY, FAB_KIND_SINK
} fab_kind;

typedef enum fab_state {
    FAB_STATE_IDLE, FAB_STATE_BUSY, FAB_STATE_BLOCKED, FAB_STATE_SETUP, FAB_STATE_DOWN,
    FAB_STATE__COUNT
} fab_state;

const char *fab_kind_name(fab_kind k);      /* "station" */
const char *fab_state_name(fab_state s);    /* "idle" */

int         fab_model_element_count(const fab_model *m);
int         fab_model_element_find(const fab_model *m, const char *name);   /* -1 if none */
const char *fab_model_element_name(const fab_model *m, int elem);
fab_kind    fab_model_element_kind(const fab_model *m, int elem);

/* source: creates parts of part_type. Default: no interarrival (must be given, or supply
 * unlimited), batch 1, no limit, queue blocked parts. */
typedef enum fab_on_block { FAB_ON_BLOCK_QUEUE, FAB_ON_BLOCK_LOSE } fab_on_block;
int  fab_source_new(fab_model *m, const char *name, int part_type);
void fab_source_interarrival(fab_model *m, int src, fab_sampler s);
void fab_source_batch(fab_model *m, int src, uint64_t n);
void fab_source_limit(fab_model *m, int src, uint64_t parts);    /* total parts created */
void fab_source_unlimited(fab_model *m, int src);                /* supply = unlimited */
void fab_source_on_block(fab_model *m, int src, fab_on_block mode);

/* station: `capacity` identical servers (1..FAB_MAX_SERVERS), blocking after service. */
int  fab_station_new(fab_model *m, const char *name);
void fab_station_capacity(fab_model *m, int st, unsigned servers);
void fab_station_cycle(fab_model *m, int st, fab_sampler s);             /* any part type */
void fab_station_cycle_for(fab_model *m, int st, int part_type, fab_sampler s);
void fab_station_setup(fab_model *m, int st, fab_sampler s);   /* on a part-type change */
void fab_station_power(fab_model *m, int st, fab_state state, double watts);

/* failure modes of a station or assembly (per server). OPERATING basis: ttf counts busy time;
 * a failure within a cycle interrupts it (the cycle resumes after the repair), one due exactly
 * at a cycle's end comes at that instant once the part has left or blocked. CALENDAR: ttf
 * counts time from the last repair, in any state. COUNT (cycles) basis: ttf samples a number of
 * completed cycles (rounded, at least 1); the failure comes once the last part has left. */
typedef enum fab_basis { FAB_BASIS_OPERATING, FAB_BASIS_CALENDAR, FAB_BASIS_CYCLES } fab_basis;
int  fab_station_failure(fab_model *m, int st, const char *mode, fab_sampler ttf,
                         fab_sampler ttr, fab_basis basis);

/* buffer: capacity in parts (FAB_CAPACITY_INF for unbounded). */
#define FAB_CAPACITY_INF UINT64_MAX
typedef enum fab_order { FAB_ORDER_FIFO, FAB_ORDER_LIFO, FAB_ORDER_KEY } fab_order;
typedef double (*fab_key_fn)(const fab_part *p, const fab_sim *view, void *ctx);
int  fab_buffer_new(fab_model *m, const char *name, uint64_t capacity);
void fab_buffer_order(fab_model *m, int buf, fab_order order);
/* Ordered by key, evaluated once when the part enters; ties in entry order. */
void fab_buffer_order_key(fab_model *m, int buf, fab_key_fn key, void *ctx, int descending);
/* Ordered by key evaluated at dispatch: whenever the buffer offers a part, the key of every
 * part held is evaluated at that moment (fab_sim_now) and the smallest (largest when
 * descending) is offered; ties in entry order. For keys that change with time other than by
 * the same amount for every part. Costs one key evaluation per held part per offer. */
void fab_buffer_order_key_dynamic(fab_model *m, int buf, fab_key_fn key, void *ctx,
                                  int descending);

/* conveyor: transit length/speed, at most floor(length/spacing) parts. */
int  fab_conveyor_new(fab_model *m, const char *name, double length, double speed,
                      double spacing, int accumulating);

/* assembly: waits for its bill of materials, consumes it, emits one part of output_type.
 * The output's creation time is the earliest creation time of its components. An input's
 * count is 1..FAB_MAX_BOM_COUNT parts of its type; giving a part type again replaces its
 * count. */
int  fab_assembly_new(fab_model *m, const char *name, int output_type);
void fab_assembly_input(fab_model *m, int asm_, int part_type, unsigned count);
/* cycle, setup, power and failures: use the fab_station_* calls on the assembly's id. */

int  fab_sink_new(fab_model *m, const char *name);

/* ---- Flow and routing ------------------------------------------------------------------ */

/* from -> to. Successors are indexed in the order of the fab_flow calls, from 0. */
void fab_flow(fab_model *m, int from, int to);
/* Route by probability: the successor `to` gets probability p (the p of an element must sum
 * to 1). Without probabilities or a rule, a part goes to the first successor that accepts it. */
void fab_route_prob(fab_model *m, int from, int to, double p);
/* Route by rule: returns the successor index (order of fab_flow) for the part, or -1 when no
 * rule fits: the part then goes to the first successor that accepts it, as without a route,
 * and the rule is asked again at the part's next offer (while it waits). An index chosen is
 * kept until the part leaves; any other value fails the replication. */
typedef int (*fab_route_fn)(const fab_part *p, const fab_sim *view, void *ctx);
void fab_route_rule(fab_model *m, int from, fab_route_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
