/*
 * fab/units.h — dimensions and unit-bearing values on the simulator command line.
 *
 * In:  text such as "40s", "40 s", "2.5min", "12", "inf", and the dimension the value must have.
 * Out: the value in SI base units (units.def), or a one-line reason why the text is not a
 *      valid value of that dimension.
 * No heap memory. A bare number is taken as already in SI base units. Affine units (degC) are
 * accepted as absolute temperatures only. "%" is dimensionless (96 % = 96 / 100), as in .fab
 * files. "inf" is accepted for FAB_DIM_COUNT (unbounded capacities) and FAB_DIM_ANY only; any
 * other value must be finite in SI units ("1e308 h" is out of range). Text of more than 63
 * characters, not counting underscores and surrounding white space, is an error.
 */
#ifndef FAB_UNITS_H
#define FAB_UNITS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The dimension a parameter must have. COUNT: a non-negative integer or inf (capacities,
 * batch sizes, limits). NONE: a dimensionless real (probabilities, shapes). "%" is allowed for
 * these two and ANY only. ANY: any unit, converted to SI, or a bare number. */
typedef enum fab_dim {
    FAB_DIM_NONE,
    FAB_DIM_COUNT,
    FAB_DIM_TIME,
    FAB_DIM_LENGTH,
    FAB_DIM_SPEED,
    FAB_DIM_ACCEL,
    FAB_DIM_MASS,
    FAB_DIM_POWER,
    FAB_DIM_ENERGY,
    FAB_DIM_TEMPERATURE,
    FAB_DIM_THERMAL_CAPACITY,
    FAB_DIM_THERMAL_RESISTANCE,
    FAB_DIM_RATE,
    FAB_DIM_MONEY,
    FAB_DIM_ANY,
    FAB_DIM__COUNT
} fab_dim;

/* "time", "length", ... as used in error messages. */
const char *fab_dim_name(fab_dim d);

/* Parse text as a value of dimension dim. Returns 0 and stores the SI value in *out, or
 * returns -1 and writes a one-line reason (e.g. "expected a time such as 40 s, got 3 m")
 * into err. */
int fab_units_parse(const char *text, fab_dim dim, double *out, char *err, size_t errsize);

#ifdef __cplusplus
}
#endif
#endif
