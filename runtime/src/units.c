/*
 * units.c — parsing unit-bearing values for the simulator command line (fab/units.h).
 *
 * In: text like "40s", "2.5 min", "12", "inf", "96%". Out: the SI value, checked against a
 * dimension (exponents of time, length, mass, temperature, money from units.def).
 * No heap memory, no global state.
 */
#include "fab/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct units_def {
    const char *spelling;
    double scale, offset;
    signed char e[5];
} units_def;

static const units_def units_table[] = {
#define FAB_UNIT(id, sp, scale, offset, s, m, kg, K, money) {sp, scale, offset, {s, m, kg, K, money}},
#include "fab/units.def"
#undef FAB_UNIT
};

typedef struct units_dim {
    const char *name, *example;
    signed char e[5];
} units_dim;

static const units_dim units_dims[FAB_DIM__COUNT] = {
    [FAB_DIM_NONE]                = {"dimensionless number", "0.5", {0, 0, 0, 0, 0}},
    [FAB_DIM_COUNT]               = {"count", "10", {0, 0, 0, 0, 0}},
    [FAB_DIM_TIME]                = {"time", "40 s", {1, 0, 0, 0, 0}},
    [FAB_DIM_LENGTH]              = {"length", "12 m", {0, 1, 0, 0, 0}},
    [FAB_DIM_SPEED]               = {"speed", "0.5 m/s", {-1, 1, 0, 0, 0}},
    [FAB_DIM_ACCEL]               = {"acceleration", "1 m/s^2", {-2, 1, 0, 0, 0}},
    [FAB_DIM_MASS]                = {"mass", "1.2 kg", {0, 0, 1, 0, 0}},
    [FAB_DIM_POWER]               = {"power", "15 kW", {-3, 2, 1, 0, 0}},
    [FAB_DIM_ENERGY]              = {"energy", "3 kWh", {-2, 2, 1, 0, 0}},
    [FAB_DIM_TEMPERATURE]         = {"temperature", "22 degC", {0, 0, 0, 1, 0}},
    [FAB_DIM_THERMAL_CAPACITY]    = {"thermal capacity", "50 kJ/K", {-2, 2, 1, -1, 0}},
    [FAB_DIM_THERMAL_RESISTANCE]  = {"thermal resistance", "0.02 K/W", {3, -2, -1, 1, 0}},
    [FAB_DIM_RATE]                = {"rate", "2 /h", {-1, 0, 0, 0, 0}},
    [FAB_DIM_MONEY]               = {"amount of money", "10 EUR", {0, 0, 0, 0, 1}},
    [FAB_DIM_ANY]                 = {"value", "12", {0, 0, 0, 0, 0}},
};

const char *fab_dim_name(fab_dim d)
{
    return (unsigned)d < FAB_DIM__COUNT ? units_dims[d].name : "?";
}

static const char *units_dim_of(const signed char e[5])
{
    for (int d = FAB_DIM_TIME; d < FAB_DIM_ANY; d++)
        if (!memcmp(units_dims[d].e, e, 5))
            return units_dims[d].name;
    return "quantity of another dimension";
}

int fab_units_parse(const char *text, fab_dim dim, double *out, char *err, size_t errsize)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!strcmp(p, "inf") || !strcmp(p, "infinity")) {
        if (dim == FAB_DIM_COUNT || dim == FAB_DIM_ANY) {
            *out = INFINITY;
            return 0;
        }
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\"", fab_dim_name(dim),
                 units_dims[dim].example, text);
        return -1;
    }
    char buf[64];
    size_t n = 0;
    for (const char *q = p; *q && n + 1 < sizeof buf; q++)
        if (*q != '_')
            buf[n++] = *q;
    buf[n] = 0;
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || errno == ERANGE || !isfinite(v)) {
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\"", fab_dim_name(dim),
                 units_dims[dim].example, text);
        return -1;
    }
    while (isspace((unsigned char)*end))
        end++;
    size_t ul = strlen(end);
    while (ul > 0 && isspace((unsigned char)end[ul - 1]))
        ul--;
    signed char e[5] = {0, 0, 0, 0, 0};
    if (ul == 0) {
        /* bare number: SI base units of the expected dimension */
    } else if (ul == 1 && end[0] == '%') {
        v *= 0.01;
    } else {
        const units_def *u = NULL;
        for (size_t i = 0; i < sizeof units_table / sizeof units_table[0]; i++)
            if (strlen(units_table[i].spelling) == ul && !strncmp(units_table[i].spelling, end, ul))
                u = &units_table[i];
        if (!u) {
            snprintf(err, errsize, "unknown unit \"%.*s\" in \"%s\" (expected a %s such as %s)",
                     (int)ul, end, text, fab_dim_name(dim), units_dims[dim].example);
            return -1;
        }
        v = v * u->scale + u->offset;
        memcpy(e, u->e, 5);
        if (dim != FAB_DIM_ANY && memcmp(e, units_dims[dim].e, 5)) {
            snprintf(err, errsize, "expected a %s such as %s, got \"%s\" (a %s)",
                     fab_dim_name(dim), units_dims[dim].example, text, units_dim_of(e));
            return -1;
        }
    }
    if (dim == FAB_DIM_COUNT && (v < 0 || v != floor(v))) {
        snprintf(err, errsize, "expected a count (a whole number >= 0 or inf), got \"%s\"", text);
        return -1;
    }
    *out = v;
    return 0;
}
