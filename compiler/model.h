/*
 * model.h — THE CHECKED MODEL: the front end's output and the back end's input.
 *
 * In:  produced by sema_check_file() / sema_check_source() (sema.h) from a .fab file after
 *      parsing, import merging, template instantiation, name resolution and every semantic
 *      check passed. A model is only ever returned when the file had zero errors.
 * Out: a plain C data structure, no LLVM types. Everything is resolved:
 *      - names are indices into the model's arrays (part types, elements, fns, attributes);
 *      - every numeric value is an SI double (seconds, metres, kilograms, kelvin, watts,
 *        joules, money) with its dimension vector (fm_dim);
 *      - templates are instantiated (an instance is an ordinary element), imports merged;
 *      - every random quantity (fm_dist) has a stable stream name: owner + "." + purpose,
 *        e.g. "press.cycle", "machine.cycle.Small", "press.failure.jam.ttf",
 *        "housings.interarrival", "Small.attr.due"; the runtime keys random streams by it.
 * Memory: every byte (including strings) lives in the arena passed to sema; the model is
 *      valid until that arena is freed (arena_free, at compiler exit). Nothing is freed
 *      individually; do not free pointers from this structure.
 * Stability: fields are only ever added, never renamed or removed.
 * Not handled here: later-language elements (maintenance, shifts, thermal, robots, ...).
 */
#ifndef FABC_MODEL_H
#define FABC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fab/dist.h" /* fab_dist_kind, fab_bound_mode (runtime header, no LLVM) */
#include "loc.h"

/* ---- dimensions ---------------------------------------------------------------------- */

/* Exponents of the SI base dimensions, in units.def order: time, length, mass, temperature,
 * money. All zero = dimensionless. */
enum { FM_DIM_S, FM_DIM_M, FM_DIM_KG, FM_DIM_K, FM_DIM_MONEY, FM_DIM__COUNT };
typedef struct fm_dim {
    int8_t e[FM_DIM__COUNT];
} fm_dim;

/* ---- expressions ----------------------------------------------------------------------- */

/* What an expression's value is. Numbers carry a dimension; the other types do not. */
typedef enum fm_type {
    FM_T_NUM,      /* double in SI units, dimension in fm_expr.dim */
    FM_T_BOOL,     /* comparisons, and/or/not, true/false */
    FM_T_PART,     /* the part being routed/ordered (only `part` or an fn's part parameter) */
    FM_T_PARTTYPE, /* a part-type index (part.type, or a part-type name used as a value) */
    FM_T_STATE,    /* a station state (state(x), or a state name idle/busy/...) */
} fm_type;

/* Station states, in report order. Index of fm_station.power[]. */
#define FM_STATE_LIST(X) X(IDLE, "idle") X(BUSY, "busy") X(BLOCKED, "blocked") \
    X(SETUP, "setup") X(DOWN, "down")
typedef enum fm_state {
#define FM_STATE_ENUM(id, name) FM_STATE_##id,
    FM_STATE_LIST(FM_STATE_ENUM)
#undef FM_STATE_ENUM
    FM_STATE__COUNT
} fm_state;

/* Built-in functions of expressions. */
#define FM_BUILTIN_LIST(X) X(MIN, "min", 2) X(MAX, "max", 2) X(ABS, "abs", 1) \
    X(EXP, "exp", 1) X(LOG, "log", 1) X(SQRT, "sqrt", 1)
typedef enum fm_builtin {
#define FM_BUILTIN_ENUM(id, name, nargs) FM_BUILTIN_##id,
    FM_BUILTIN_LIST(FM_BUILTIN_ENUM)
#undef FM_BUILTIN_ENUM
    FM_BUILTIN__COUNT
} fm_builtin;

/* Expression node kinds. Operands are in args[0..nargs). */
#define FM_EXPR_LIST(X)                                                                       \
    X(NUM)          /* constant: num (SI), dim */                                          \
    X(BOOL)         /* constant: num is 0 or 1 */                                          \
    X(NEG)          /* -args[0] */                                                         \
    X(NOT)          /* not args[0] */                                                      \
    X(ADD) X(SUB) X(MUL) X(DIV)                                                           \
    X(LT) X(LE) X(GT) X(GE) X(EQ) X(NE) /* comparisons; EQ/NE also on part types, states */ \
    X(AND) X(OR)                                                                           \
    X(IF)           /* if args[0] then args[1] else args[2] */                             \
    X(BUILTIN)      /* builtin `index` (fm_builtin) applied to args */                     \
    X(CALL)         /* user fn `index` (into fab_model.fns) applied to args */             \
    X(PARAM)        /* parameter `index` of the enclosing fn */                            \
    X(NOW)          /* current simulation time, s */                                      \
    X(PART)         /* the part being routed / ordered (value of type FM_T_PART) */       \
    X(PART_TYPE)    /* args[0].type: part-type index of the part args[0] */               \
    X(PART_CREATED) /* args[0].created: creation time, s */                               \
    X(PART_ATTR)    /* args[0].<attr>: attribute `index` (into fab_model.attrs) */         \
    X(PARTTYPE_CONST) /* a part-type name used as a value: index into fab_model.parts */  \
    X(STATE_CONST)  /* a state name used as a value: index is an fm_state */              \
    X(LEVEL)        /* level(element `index`): parts held now (buffer/conveyor/station) */ \
    X(STATE)        /* state(element `index`): fm_state of a station (server 0) */

typedef enum fm_expr_kind {
#define FM_EXPR_ENUM(id) FM_EX_##id,
    FM_EXPR_LIST(FM_EXPR_ENUM)
#undef FM_EXPR_ENUM
    FM_EX__COUNT
} fm_expr_kind;

typedef struct fm_expr {
    fm_expr_kind kind;
    fm_type type;
    fm_dim dim;   /* for FM_T_NUM */
    double num;   /* FM_EX_NUM, FM_EX_BOOL; FM_EX_PARTTYPE_CONST: 1 + the state of that name, or 0 */
    int index;    /* builtin / fn / param / attr / part type / state / element, by kind */
    int nargs;
    struct fm_expr **args;
    fab_loc loc;
} fm_expr;

/* ---- distributions --------------------------------------------------------------------- */

/* A random quantity. Also used for constants written as plain quantities (kind
 * FAB_DIST_CONSTANT, p[0] = the value) wherever a distribution is accepted. */
typedef struct fm_dist {
    fab_dist_kind kind;
    double p[4];          /* parameters in dist.def order, SI units */
    size_t n;             /* table length (discrete, empirical) */
    double *values;       /* table values, SI (discrete, empirical) */
    double *probs;        /* discrete: probabilities summing to 1; NULL for empirical */
    fab_bound_mode bound; /* clamp / truncate, or none */
    double lo, hi;        /* bounds in SI (may be +-INFINITY) */
    bool implicit_bound;  /* true when the compiler added truncate [0, inf] to a duration */
    fm_dim dim;           /* dimension of a drawn value */
    const char *owner;    /* element or part-type name, e.g. "press" */
    const char *purpose;  /* e.g. "cycle", "cycle.Housing", "failure.jam.ttf", "attr.due" */
    const char *stream;   /* owner + "." + purpose: the random stream key */
    fab_loc loc;
} fm_dist;

/* ---- part types and attributes --------------------------------------------------------- */

/* An attribute name used by at least one part type. Same name = same attribute and the same
 * dimension in every part type. */
typedef struct fm_attr {
    const char *name;
    fm_dim dim;
    fab_loc loc; /* first definition */
} fm_attr;

typedef enum fm_init_kind { FM_INIT_NONE, FM_INIT_CONST, FM_INIT_DIST, FM_INIT_EXPR } fm_init_kind;

/* How a part type initialises one attribute when a part is created. FM_INIT_NONE: the part
 * type does not define the attribute; reading it gives 0. FM_INIT_EXPR: evaluated at creation
 * (the part being created is FM_EX_PART; part.created is already set). */
typedef struct fm_attr_init {
    fm_init_kind kind;
    double value;  /* FM_INIT_CONST, SI */
    fm_dist *dist; /* FM_INIT_DIST */
    fm_expr *expr; /* FM_INIT_EXPR */
} fm_attr_init;

typedef struct fm_part_type {
    const char *name;
    double mass;         /* kg; 0 when not given */
    fm_attr_init *attrs; /* [fab_model.nattrs], indexed like fab_model.attrs */
    bool has_due;        /* defines the attribute "due" (sinks report tardiness) */
    int *expr_order;     /* the attributes of kind FM_INIT_EXPR in the order they are computed:
                          * each after the ones its expression reads (no cycles). NULL: index
                          * order (hand-built models without dependencies) */
    int nexpr_order;
    fab_loc loc;
} fm_part_type;

/* ---- elements -------------------------------------------------------------------------- */

#define FM_ELEM_LIST(X) X(SOURCE, "source") X(STATION, "station") X(BUFFER, "buffer") \
    X(CONVEYOR, "conveyor") X(ASSEMBLY, "assembly") X(SINK, "sink")
typedef enum fm_elem_kind {
#define FM_ELEM_ENUM(id, name) FM_ELEM_##id,
    FM_ELEM_LIST(FM_ELEM_ENUM)
#undef FM_ELEM_ENUM
    FM_ELEM__COUNT
} fm_elem_kind;

typedef enum fm_on_block { FM_ON_BLOCK_QUEUE, FM_ON_BLOCK_LOSE } fm_on_block;

typedef struct fm_source {
    int part_type;        /* index into fab_model.parts */
    bool unlimited;       /* supply = unlimited: saturated source, no interarrival */
    fm_dist *interarrival; /* NULL when unlimited */
    long batch;           /* parts per arrival, >= 1 (default 1) */
    long limit;           /* total arrivals; -1 = no limit (default) */
    fm_on_block on_block; /* default FM_ON_BLOCK_QUEUE */
} fm_source;

typedef enum fm_basis { FM_BASIS_OPERATING, FM_BASIS_CALENDAR, FM_BASIS_CYCLES } fm_basis;

typedef struct fm_failure {
    const char *name;
    fm_dist *ttf;   /* time to failure (FM_BASIS_CYCLES: a dimensionless cycle count) */
    fm_dist *ttr;   /* time to repair */
    fm_basis basis; /* default FM_BASIS_OPERATING */
    fab_loc loc;
} fm_failure;

/* One entry of a by-part-type map (cycle = { Housing: dist, ... }). */
typedef struct fm_cycle_entry {
    int part_type;
    fm_dist *dist;
} fm_cycle_entry;

typedef struct fm_station {
    fm_dist *cycle;           /* one distribution, or NULL when cycle_map is used */
    int ncycle_map;           /* > 0: cycle by part type */
    fm_cycle_entry *cycle_map;
    long capacity;            /* parallel servers, >= 1 (default 1) */
    fm_dist *setup;           /* spent when the part type changes; NULL = none */
    bool has_power;
    double power[FM_STATE__COUNT]; /* W per state; states not given are 0 */
    int nfailures;
    fm_failure *failures;
} fm_station;

typedef enum fm_order { FM_ORDER_FIFO, FM_ORDER_LIFO, FM_ORDER_ASCENDING, FM_ORDER_DESCENDING } fm_order;

typedef struct fm_buffer {
    bool infinite;       /* capacity = inf */
    long capacity;       /* when !infinite, >= 1 */
    fm_order order;      /* default FIFO */
    fm_expr *order_key;  /* FM_ORDER_ASCENDING / DESCENDING: key of the part (FM_EX_PART) */
} fm_buffer;

typedef struct fm_conveyor {
    double length;  /* m */
    double speed;   /* m/s */
    double spacing; /* m; 0 < spacing <= length */
    long capacity;  /* parts it holds, computed: floor(length / spacing), plus one when one more
                       spacing fits within a few ulps (0.3 m / 0.1 m holds 3); 1..10^7 */
    bool accumulating;
} fm_conveyor;

typedef struct fm_bom_entry {
    int part_type;
    long count;
} fm_bom_entry;

typedef struct fm_assembly {
    int ninputs;
    fm_bom_entry *inputs;
    int output;    /* part type */
    fm_dist *cycle;
    bool has_power;
    double power[FM_STATE__COUNT]; /* W per state */
} fm_assembly;

/* Routing of an element with successors. FM_ROUTE_NONE: first successor (in flow declaration
 * order) that can accept the part. */
typedef enum fm_route_kind { FM_ROUTE_NONE, FM_ROUTE_PROB, FM_ROUTE_RULES } fm_route_kind;

typedef struct fm_route_prob {
    int target;  /* element index, always one of the element's successors */
    double prob; /* 0..1; the entries sum to 1 */
} fm_route_prob;

typedef struct fm_route_rule {
    fm_expr *cond; /* FM_T_BOOL expression over the part; NULL for `otherwise` */
    int target;    /* element index, always one of the element's successors */
    fab_loc loc;
} fm_route_rule;

typedef struct fm_route {
    fm_route_kind kind;
    int nentries;            /* number of probs or rules */
    fm_route_prob *probs;    /* FM_ROUTE_PROB */
    fm_route_rule *rules;    /* FM_ROUTE_RULES, in source order; first true rule wins */
    const char *stream;      /* FM_ROUTE_PROB: random stream key "<element>.route" */
    fab_loc loc;
} fm_route;

typedef struct fm_element {
    fm_elem_kind kind;
    const char *name;
    int index;              /* position in fab_model.elements */
    const char *template_name; /* template it was instantiated from, or NULL */
    union {
        fm_source source;
        fm_station station;
        fm_buffer buffer;
        fm_conveyor conveyor;
        fm_assembly assembly;
    } u;                    /* by kind; sinks have no fields */
    int nsucc;              /* successors in flow declaration order */
    int *succ;
    int npred;              /* predecessors in flow declaration order */
    int *pred;
    fm_route route;
    fab_loc loc;
} fm_element;

/* One `a -> b` edge, in declaration order (flow chains are split into edges). */
typedef struct fm_edge {
    int from, to;
    fab_loc loc;
} fm_edge;

/* A user function. Parameters are untyped in the source; sema infers FM_T_PART for a
 * parameter used with `.field`, FM_T_NUM otherwise. Bodies refer to parameters by
 * FM_EX_PARAM. The result dimension depends on the arguments (checked at every call). */
typedef struct fm_fn {
    const char *name;
    int nparams;
    const char **params;
    fm_type *param_types;
    fm_expr *body;
    fab_loc loc;
    /* the kinds (fm_type) of the arguments and of the result at the first call typed, the
     * same at every call (codegen emits one function); NULL before that call */
    fm_type *call_types;
    fab_loc call_loc;
} fm_fn;

/* ---- the model ------------------------------------------------------------------------- */

/* A data file the check read (`empirical("file.csv")`): its path as opened and the XXH3-128
 * hash of the bytes read, so that `fabc run` rebuilds when the data change. */
typedef struct fm_data_file {
    const char *path;
    uint64_t hash_hi, hash_lo;
} fm_data_file;

typedef struct fab_model {
    const char *name;     /* model "Name"; the file's base name when absent */
    const char *path;     /* the main .fab file */
    double horizon;       /* s; default 8 h */
    double warmup;        /* s; default 0 */
    long replications;    /* default 1 */
    uint64_t seed;        /* default 1 */

    int nparts;
    fm_part_type *parts;
    int nattrs;
    fm_attr *attrs;
    int nelements;
    fm_element *elements;
    int nedges;
    fm_edge *edges;
    int nfns;
    fm_fn *fns;
    int ndata_files;      /* every data file read, in reading order (a file read twice twice) */
    fm_data_file *data_files;
} fab_model;

/* Names for printing (static strings). */
const char *fm_elem_kind_name(fm_elem_kind k);
const char *fm_state_name(fm_state s);
const char *fm_builtin_name(fm_builtin b);
const char *fm_expr_kind_name(fm_expr_kind k);

/* Index of an element / part type by name, or -1. Linear search; for tools and tests. */
int fm_find_element(const fab_model *m, const char *name);
int fm_find_part(const fab_model *m, const char *name);

#endif
