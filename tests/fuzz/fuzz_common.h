/*
 * fuzz_common.h — shared set-up of the libFuzzer targets: a diag context writing to
 * /dev/null and a fresh arena per input. Inputs may contain any bytes (NULs included).
 */
#ifndef FAB_FUZZ_COMMON_H
#define FAB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"

static FILE *fuzz_devnull(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    return f;
}

#endif
