/*
 * fab/fab.h — the whole public API of libfabrt in one include: building a model (model.h),
 * running it and reading results (sim.h), the simulator command line (cli.h), and the random
 * streams, distributions, statistics and units it rests on.
 */
#ifndef FAB_FAB_H
#define FAB_FAB_H
#include "fab/rng.h"
#include "fab/dist.h"
#include "fab/stat.h"
#include "fab/units.h"
#include "fab/model.h"
#include "fab/sim.h"
#include "fab/cli.h"
#endif
