/*
 * kernel.c — the event kernel as one translation unit: the event loop, parts, wake-ups,
 * sources, buffers and sinks (sim.c), stations and assemblies (station.c) and conveyors
 * (conveyor.c). Each file keeps its own contract and is read on its own; compiling them
 * together lets the functions that every event runs across files (RT_KERNEL_INLINE in
 * rt_internal.h: the station handlers, the refusal of an offer) inline into the event loop
 * and the offers, which saves their call frames (docs/performance.md). The three files are
 * not compiled on their own.
 */
/* clang warns when these inline definitions call static functions, a rule (C11 6.7.4p3) for
 * inline definitions only: with the declarations of rt_internal.h, which lack `inline`, they
 * are external definitions (6.7.4p7), to which it does not apply. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wstatic-in-inline"
#endif

#include "sim.c"
#include "station.c"
#include "conveyor.c"
