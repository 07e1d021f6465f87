/*
 * units.c — parsing unit-bearing values for the simulator command line (fab/units.h).
 *
 * In: text like "40s", "2.5 min", "12", "inf", "96%". Out: the SI value, checked against a
 * dimension (exponents of time, length, mass, temperature, money from units.def; "%" is
 * dimensionless), and finite unless the text is "inf". The number is written as in .fab
 * files, after an optional sign: digits with single underscores between them, an optional
 * fraction and exponent (no hex, no ".5" or "5."). At most UNITS_TEXT_MAX characters of it
 * besides underscores: it is copied, without them, into a buffer for strtod. No heap memory,
 * no global state.
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

/* Longest text parsed, without surrounding white space and underscores. */
#define UNITS_TEXT_MAX 63

const char *fab_dim_name(fab_dim d)
{
    return (unsigned)d < FAB_DIM__COUNT ? units_dims[d].name : "?";
}

/* The name of the dimension with exponents e ("dimensionless number" for none). */
static const char *units_dim_of(const signed char e[5])
{
    for (int d = FAB_DIM_NONE; d < FAB_DIM_ANY; d++)
        if (!memcmp(units_dims[d].e, e, 5))
            return units_dims[d].name;
    return "quantity of another dimension";
}

int fab_units_parse(const char *text, fab_dim dim, double *out, char *err, size_t errsize)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    size_t len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if ((len == 3 && !strncmp(p, "inf", 3)) || (len == 8 && !strncmp(p, "infinity", 8))) {
        if (dim == FAB_DIM_COUNT || dim == FAB_DIM_ANY) {
            *out = INFINITY;
            return 0;
        }
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\"", fab_dim_name(dim),
                 units_dims[dim].example, text);
        return -1;
    }
    /* the number, as .fab files write it after an optional sign: digits with single
     * underscores between them, an optional fraction and exponent (its digits without
     * underscores; not hex, not ".5" or "5."), copied without underscores for strtod; a
     * longer number is an error, not cut short */
    char buf[UNITS_TEXT_MAX + 8];   /* the digits, a sign, '.', 'e', a sign and the NUL */
    size_t n = 0, pos = 0, ndig = 0;
    int ok = 1;
    if (pos < len && (p[pos] == '+' || p[pos] == '-'))
        buf[n++] = p[pos++];
    for (int part = 0; part < 3 && ok; part++) {    /* integer, fraction, exponent */
        if (part == 1) {
            if (pos >= len || p[pos] != '.')
                continue;
            buf[n++] = p[pos++];
        } else if (part == 2) {
            if (pos >= len || (p[pos] != 'e' && p[pos] != 'E'))
                break;
            buf[n++] = p[pos++];
            if (pos < len && (p[pos] == '+' || p[pos] == '-'))
                buf[n++] = p[pos++];
        }
        size_t start = pos;
        while (pos < len && (isdigit((unsigned char)p[pos])
                           || (p[pos] == '_' && part < 2 && pos > start && pos + 1 < len
                               && isdigit((unsigned char)p[pos + 1])))) {
            if (p[pos] != '_') {
                if (n >= UNITS_TEXT_MAX) {
                    snprintf(err, errsize, "expected a %s such as %s, got \"%.40s...\", longer "
                             "than %d characters", fab_dim_name(dim), units_dims[dim].example, p,
                             UNITS_TEXT_MAX);
                    return -1;
                }
                buf[n++] = p[pos];
                ndig++;
            }
            pos++;
        }
        ok = pos > start;     /* each part present needs digits */
    }
    if (!ok || ndig == 0) {
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\"", fab_dim_name(dim),
                 units_dims[dim].example, text);
        return -1;
    }
    buf[n] = 0;
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE || !isfinite(v)) {
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\", which is out of range",
                 fab_dim_name(dim), units_dims[dim].example, text);
        return -1;
    }
    const char *end = p + pos;
    while (end < p + len && isspace((unsigned char)*end))
        end++;
    size_t ul = (size_t)(p + len - end);
    /* a bare number (ul == 0) is in SI base units of the expected dimension */
    if (ul > 0) {
        signed char e[5] = {0, 0, 0, 0, 0};
        if (ul == 1 && end[0] == '%') {
            v /= 100.0;     /* dimensionless, as `96 %` in .fab files, and computed as there */
        } else {
            const units_def *u = NULL;
            for (size_t i = 0; i < sizeof units_table / sizeof units_table[0]; i++)
                if (strlen(units_table[i].spelling) == ul
                    && !strncmp(units_table[i].spelling, end, ul))
                    u = &units_table[i];
            if (!u) {
                snprintf(err, errsize, "unknown unit \"%.*s\" in \"%s\" (expected a %s such as %s)",
                         (int)ul, end, text, fab_dim_name(dim), units_dims[dim].example);
                return -1;
            }
            v = v * u->scale + u->offset;
            memcpy(e, u->e, 5);
        }
        if (dim != FAB_DIM_ANY && memcmp(e, units_dims[dim].e, 5)) {
            snprintf(err, errsize, "expected a %s such as %s, got \"%s\" (a %s)",
                     fab_dim_name(dim), units_dims[dim].example, text, units_dim_of(e));
            return -1;
        }
    }
    if (!isfinite(v)) {
        snprintf(err, errsize, "expected a %s such as %s, got \"%s\", which is out of range",
                 fab_dim_name(dim), units_dims[dim].example, text);
        return -1;
    }
    if (dim == FAB_DIM_COUNT && (v < 0 || v != floor(v))) {
        snprintf(err, errsize, "expected a count (a whole number >= 0 or inf), got \"%s\"", text);
        return -1;
    }
    *out = v;
    return 0;
}
