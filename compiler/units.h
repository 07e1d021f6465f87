/*
 * units.h — the unit table (generated from runtime/include/fab/units.def) and the dimension
 * algebra of the front end.
 *
 * In:  unit spellings as written in .fab files; dimension vectors (model.h fm_dim).
 * Out: unit descriptors (scale/offset to SI), dimension arithmetic, and readable names of
 *      dimensions ("time", "length", "m^2/s" for unnamed ones).
 * Memory: static tables; units_dim_str writes into a caller buffer.
 * Not handled: unit conversion for output (reports are the runtime's business).
 */
#ifndef FAB_UNITS_H
#define FAB_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

typedef struct units_unit {
    const char *spelling;
    double scale, offset;
    fm_dim dim;
} units_unit;

int units_count(void);
const units_unit *units_get(int i);
/* Index of the unit spelled s[0..n), or -1. */
int units_lookup(const char *s, size_t n);
/* The unit s probably means: a common word for it (`sec`, `hrs`, `minutes`), the same letters
 * in another case (`kw`), else the nearest known spelling (edit distance); NULL if none. */
const char *units_suggest(const char *s);

fm_dim units_dim_none(void);
/* The product a * b (quotient a / b) of two dimensions into *out; false, with *out unchanged,
 * when an exponent would leave the range of fm_dim (INT8_MIN..INT8_MAX). */
bool units_dim_mul(fm_dim a, fm_dim b, fm_dim *out);
bool units_dim_div(fm_dim a, fm_dim b, fm_dim *out);
bool units_dim_eq(fm_dim a, fm_dim b);
bool units_dim_is_none(fm_dim a);
/* Named dimensions: "time", "length", ... "dimensionless"; others as a formula. */
const char *units_dim_str(fm_dim d, char *buf, size_t n);
/* Dimension by name ("time", "rate", "number", ...); false when unknown. */
bool units_dim_by_name(const char *name, fm_dim *out);
/* The names accepted by units_dim_by_name, NULL-terminated. */
const char *const *units_dim_names(void);
/* Indefinite article for a dimension name: "a time", "an energy". */
const char *units_article(const char *word);

#define UNITS_DIM(s, m, kg, k, money) ((fm_dim){{(s), (m), (kg), (k), (money)}})
#define UNITS_TIME UNITS_DIM(1, 0, 0, 0, 0)
#define UNITS_LENGTH UNITS_DIM(0, 1, 0, 0, 0)
#define UNITS_SPEED UNITS_DIM(-1, 1, 0, 0, 0)
#define UNITS_MASS UNITS_DIM(0, 0, 1, 0, 0)
#define UNITS_POWER UNITS_DIM(-3, 2, 1, 0, 0)
#define UNITS_NONE UNITS_DIM(0, 0, 0, 0, 0)

#endif
