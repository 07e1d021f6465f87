/*
 * fab/limits.h — limits of a model's whole-number settings that the runtime enforces, shared
 * with the compiler so that a model outside them is refused where it is written.
 */
#ifndef FAB_LIMITS_H
#define FAB_LIMITS_H

/* Elements of one model: at most FAB_MAX_ELEMENTS (the kernel's events carry an element's
 * index in 20 bits). */
#define FAB_MAX_ELEMENTS 0xFFFFFu
/* A station's (or assembly's) capacity: 1..FAB_MAX_SERVERS parallel servers. */
#define FAB_MAX_SERVERS 65535u
/* An assembly input's count: 1..FAB_MAX_BOM_COUNT parts of its type per kit. */
#define FAB_MAX_BOM_COUNT 65535u

/* Parts on a conveyor: floor(length / spacing + FAB_CONVEYOR_SLACK), at most
 * FAB_MAX_CONVEYOR_PARTS. The slack lets a length that is a multiple of the spacing in decimal
 * hold that multiple although the quotient of the doubles falls short (0.3 / 0.1 is
 * 2.9999999999999996): far above such rounding, far below a physical difference. */
#define FAB_CONVEYOR_SLACK 1e-9
#define FAB_MAX_CONVEYOR_PARTS 10000000u
/* Failure modes of one station or assembly: at most FAB_MAX_FAILURE_MODES. */
#define FAB_MAX_FAILURE_MODES 65535u
/* Replications of one run: 1..FAB_MAX_REPLICATIONS. */
#define FAB_MAX_REPLICATIONS 1000000000u

#endif
