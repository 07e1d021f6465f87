/*
 * test_header.c — the public API compiles as strict C99 (-std=c99 -pedantic -Werror): a
 * generated simulator or a user's C program may be built with stricter settings than the
 * runtime itself. Checks a few layout facts that generated code relies on.
 */
#include <stddef.h>
#include <stdio.h>

#include "fab/fab.h"

int main(void)
{
    int ok = offsetof(fab_part, attr) % sizeof(double) == 0
          && sizeof(fab_sampler) >= sizeof(fab_dist)
          && FAB_STATE__COUNT == 5;
    if (!ok)
        fprintf(stderr, "unexpected layout of the public types\n");
    return ok ? 0 : 1;
}
