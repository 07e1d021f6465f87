/*
 * fab/cli.h — the command line every generated simulator shares.
 *
 *   ./sim [--horizon 8h] [--warmup 1h] [--replications 30] [--seed 42] [--jobs N]
 *         [--set name=value ...] [--json FILE|-] [--replication-values] [--quiet] [--help]
 *
 * Option values take units ("8h", "8 h", "90min"; a bare number is seconds). `--opt=value`
 * and `--opt value` are both accepted; --quiet, --replication-values and --help take no value
 * (`--quiet=no` is an error). --seed takes 0 to 2^64 - 1. A bad option or value (also a
 * warmup not before the horizon) prints one line on stderr naming the option and what was
 * expected, and gives exit status 2.
 *
 * fab_main parses the arguments, applies --set to the model, runs the replications, writes the
 * summary table to stdout (unless --quiet or --json -) and the JSON if asked, frees the model
 * and returns the process exit status: 0 success, 1 run failure (model error, I/O error),
 * 2 usage error, 3 a replication deadlocked (results are still written). Every output is
 * flushed (a file closed) and checked: a failed write prints "error: writing <standard output
 * or the file>: <reason>" on stderr and gives status 1. It ignores SIGPIPE (a closed pipe is
 * such a write error) and never calls exit().
 */
#ifndef FAB_CLI_H
#define FAB_CLI_H

#include <stdio.h>
#include "fab/model.h"
#include "fab/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fab_cli {
    fab_run_opts run;
    const char *json_path;  /* NULL: no JSON; "-": stdout */
    int replication_values; /* --replication-values: per-replication values in the JSON */
    int quiet;
    int help;               /* --help was given: usage printed, nothing to run */
} fab_cli;

/* Parse argv (argv[0] is the program) and apply --set and --seed to m (--seed through
 * fab_model_seed, as fab_run_opts.seed cannot hold seeds from 2^63 on; cli->run.seed stays
 * -1). Returns 0, or 2 with a one-line message in err. Does not print. */
int fab_cli_parse(fab_cli *cli, fab_model *m, int argc, char **argv, char *err, size_t errsize);

void fab_cli_usage(FILE *out, const char *prog, const fab_model *m);

/* Parse, run, report; frees m; returns the exit status. */
int fab_main(fab_model *m, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
