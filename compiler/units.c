/*
 * units.c — unit table from units.def and dimension algebra (see units.h).
 */
#include "units.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hint.h"

static const units_unit unit_table[] = {
#define FAB_UNIT(id, sp, scale, offset, s, m, kg, k, money) {sp, scale, offset, {{s, m, kg, k, money}}},
#include "fab/units.def"
#undef FAB_UNIT
};

#define NUNITS ((int)(sizeof unit_table / sizeof unit_table[0]))

int units_count(void)
{
    return NUNITS;
}

const units_unit *units_get(int i)
{
    return (i >= 0 && i < NUNITS) ? &unit_table[i] : NULL;
}

int units_lookup(const char *s, size_t n)
{
    for (int i = 0; i < NUNITS; i++) {
        const char *sp = unit_table[i].spelling;
        if (strlen(sp) == n && memcmp(sp, s, n) == 0)
            return i;
    }
    return -1;
}

/* Spellings engineers write that are not units of the table, with the unit they mean. */
static const struct {
    const char *written, *meant;
} unit_aliases[] = {
    {"sec", "s"}, {"secs", "s"}, {"second", "s"}, {"seconds", "s"},
    {"mins", "min"}, {"minute", "min"}, {"minutes", "min"},
    {"hr", "h"}, {"hrs", "h"}, {"hour", "h"}, {"hours", "h"},
    {"day", "d"}, {"days", "d"}, {"msec", "ms"},
    {"meter", "m"}, {"meters", "m"}, {"metre", "m"}, {"metres", "m"},
    {"mps", "m/s"}, {"kph", "km/h"}, {"kmh", "km/h"},
    {"kilo", "kg"}, {"kilos", "kg"}, {"kgs", "kg"}, {"ton", "t"}, {"tons", "t"}, {"tonne", "t"},
    {"watt", "W"}, {"watts", "W"}, {"C", "degC"}, {"celsius", "degC"}, {"EURO", "EUR"},
    {"euro", "EUR"}, {"euros", "EUR"},
};

const char *units_suggest(const char *s)
{
    for (size_t i = 0; i < sizeof unit_aliases / sizeof unit_aliases[0]; i++)
        if (strcmp(s, unit_aliases[i].written) == 0)
            return unit_aliases[i].meant;
    /* the same letters in another case: `kwh`, `KW`, `MIN` */
    for (int i = 0; i < NUNITS; i++)
        if (strcasecmp(s, unit_table[i].spelling) == 0)
            return unit_table[i].spelling;
    const char *cands[NUNITS];
    for (int i = 0; i < NUNITS; i++)
        cands[i] = unit_table[i].spelling;
    return hint_nearest(s, cands, NUNITS);
}

fm_dim units_dim_none(void)
{
    fm_dim d;
    memset(&d, 0, sizeof d);
    return d;
}

/* a's exponents plus sign times b's into *out, unless one leaves the int8_t range */
static bool dim_combine(fm_dim a, fm_dim b, int sign, fm_dim *out)
{
    for (int i = 0; i < FM_DIM__COUNT; i++) {
        int x = a.e[i] + sign * b.e[i];
        if (x < INT8_MIN || x > INT8_MAX)
            return false;
        a.e[i] = (int8_t)x;
    }
    *out = a;
    return true;
}

bool units_dim_mul(fm_dim a, fm_dim b, fm_dim *out)
{
    return dim_combine(a, b, 1, out);
}

bool units_dim_div(fm_dim a, fm_dim b, fm_dim *out)
{
    return dim_combine(a, b, -1, out);
}

bool units_dim_eq(fm_dim a, fm_dim b)
{
    return memcmp(a.e, b.e, sizeof a.e) == 0;
}

bool units_dim_is_none(fm_dim a)
{
    return units_dim_eq(a, units_dim_none());
}

static const struct {
    const char *name;
    fm_dim dim;
} named_dims[] = {
    {"dimensionless", UNITS_DIM(0, 0, 0, 0, 0)},
    {"time", UNITS_DIM(1, 0, 0, 0, 0)},
    {"length", UNITS_DIM(0, 1, 0, 0, 0)},
    {"speed", UNITS_DIM(-1, 1, 0, 0, 0)},
    {"acceleration", UNITS_DIM(-2, 1, 0, 0, 0)},
    {"mass", UNITS_DIM(0, 0, 1, 0, 0)},
    {"power", UNITS_DIM(-3, 2, 1, 0, 0)},
    {"energy", UNITS_DIM(-2, 2, 1, 0, 0)},
    {"temperature", UNITS_DIM(0, 0, 0, 1, 0)},
    {"thermal capacity", UNITS_DIM(-2, 2, 1, -1, 0)},
    {"thermal resistance", UNITS_DIM(3, -2, -1, 1, 0)},
    {"rate", UNITS_DIM(-1, 0, 0, 0, 0)},
    {"money", UNITS_DIM(0, 0, 0, 0, 1)},
};
#define NNAMED ((int)(sizeof named_dims / sizeof named_dims[0]))

/* Type names accepted for template parameters; "number" is the dimensionless one. */
static const char *const dim_type_names[] = {
    "number", "time", "length", "speed", "acceleration", "mass", "power", "energy",
    "temperature", "thermal_capacity", "thermal_resistance", "rate", "money", NULL,
};

const char *const *units_dim_names(void)
{
    return dim_type_names;
}

bool units_dim_by_name(const char *name, fm_dim *out)
{
    if (strcmp(name, "number") == 0) {
        *out = units_dim_none();
        return true;
    }
    for (int i = 1; i < NNAMED; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", named_dims[i].name);
        for (char *p = buf; *p; p++)
            if (*p == ' ')
                *p = '_';
        if (strcmp(buf, name) == 0) {
            *out = named_dims[i].dim;
            return true;
        }
    }
    return false;
}

const char *units_dim_str(fm_dim d, char *buf, size_t n)
{
    for (int i = 0; i < NNAMED; i++)
        if (units_dim_eq(d, named_dims[i].dim)) {
            snprintf(buf, n, "%s", named_dims[i].name);
            return buf;
        }
    static const char *const base[FM_DIM__COUNT] = {"s", "m", "kg", "K", "EUR"};
    /* numerator first (m, kg, K, EUR, s order of the table), then the denominator */
    size_t len = 0;
    buf[0] = 0;
    int pos = 0;
    for (int i = 0; i < FM_DIM__COUNT; i++)
        if (d.e[i] > 0) {
            len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", pos++ ? "*" : "", base[i]);
            if (d.e[i] > 1 && len < n)
                len += (size_t)snprintf(buf + len, n - len, "^%d", d.e[i]);
        }
    if (pos == 0 && len < n)
        len += (size_t)snprintf(buf + len, n - len, "1");
    for (int i = 0; i < FM_DIM__COUNT; i++)
        if (d.e[i] < 0 && len < n) {
            len += (size_t)snprintf(buf + len, n - len, "/%s", base[i]);
            if (d.e[i] < -1 && len < n)
                len += (size_t)snprintf(buf + len, n - len, "^%d", -d.e[i]);
        }
    return buf;
}

const char *units_article(const char *word)
{
    return strchr("aeiouAEIOU", word[0]) && word[0] ? "an" : "a";
}
