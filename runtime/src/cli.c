/*
 * cli.c — the command line of every generated simulator (fab/cli.h).
 *
 * In: argv and the model. Out: fab_cli options (with --set applied to the model), or a
 * one-line error naming the option and what it expected (status 2). fab_main also runs the
 * model, prints the summary table and/or JSON and frees the model. Nothing here calls exit().
 */
#include "fab/cli.h"
#include "rt_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from lo to hi, written as numbers are on the command line (fab_units_parse:
 * "1_000", "1e3", an optional sign); inf is not one. */
static int cli_count(const char *opt, const char *v, int64_t lo, int64_t hi, int64_t *out,
                     char *err, size_t n)
{
    double x;
    char why[256];
    if (fab_units_parse(v, FAB_DIM_COUNT, &x, why, sizeof why) || !(x >= (double)lo)
        || !(x <= (double)hi)) {
        snprintf(err, n, "%s: expected a whole number from %lld to %lld, got \"%s\"", opt,
                 (long long)lo, (long long)hi, v);
        return 2;
    }
    *out = (int64_t)x;
    return 0;
}

/* A seed: a whole number from 0 to 2^64 - 1, digits with single underscores between them
 * after an optional '+' (exact: not through a double, which cannot hold every such seed). */
static int cli_seed(const char *v, uint64_t *out, char *err, size_t n)
{
    const char *p = v;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+')
        p++;
    uint64_t x = 0;
    int ok = isdigit((unsigned char)*p);
    for (; ok && *p && !isspace((unsigned char)*p); p++) {
        if (*p == '_' && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1]))
            continue;
        unsigned d = (unsigned)(*p - '0');
        if (!isdigit((unsigned char)*p) || x > (UINT64_MAX - d) / 10)
            ok = 0;
        else
            x = x * 10 + d;
    }
    while (ok && isspace((unsigned char)*p))
        p++;
    if (!ok || *p) {
        snprintf(err, n, "--seed: expected a whole number from 0 to %llu, got \"%s\"",
                 (unsigned long long)UINT64_MAX, v);
        return 2;
    }
    *out = x;
    return 0;
}

int fab_cli_parse(fab_cli *cli, fab_model *m, int argc, char **argv, char *err, size_t n)
{
    memset(cli, 0, sizeof *cli);
    cli->run = fab_run_opts_default();
    const char *horizon_text = NULL, *warmup_text = NULL;   /* as given, for messages */
    /* a model that is valid as built and invalid after --set was made so by --set: a usage
     * error (status 2); one invalid as built is a run failure that fab_run reports */
    char why[256];
    if (m->valid_as_built < 0)
        m->valid_as_built = rt_model_validate(m, why, sizeof why) == 0;
    int any_set = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char opt[64];
        const char *val = NULL;
        if (strncmp(a, "--", 2) && strcmp(a, "-h")) {
            snprintf(err, n, "unexpected argument \"%s\" (options start with --; see --help)", a);
            return 2;
        }
        const char *eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) < sizeof opt) {
            snprintf(opt, sizeof opt, "%.*s", (int)(eq - a), a);
            val = eq + 1;
        } else {
            snprintf(opt, sizeof opt, "%s", a);
        }
        int *flag = !strcmp(opt, "--help") || !strcmp(opt, "-h") ? &cli->help
                    : !strcmp(opt, "--quiet") ? &cli->quiet
                    : !strcmp(opt, "--replication-values") ? &cli->replication_values : NULL;
        if (flag) {
            if (val) {
                snprintf(err, n, "%s: does not take a value, got \"%s\"", opt, a);
                return 2;
            }
            *flag = 1;
            continue;
        }
        static const char *const with_value[] = {"--horizon", "--warmup", "--replications",
                                                 "--seed", "--jobs", "--set", "--json",
                                                 "--evset"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            if (!strcmp(opt, with_value[k]))
                known = 1;
        if (!known) {
            snprintf(err, n, "unknown option \"%s\" (see --help)", opt);
            return 2;
        }
        if (!val) {
            if (i + 1 >= argc) {
                snprintf(err, n, "%s: missing value", opt);
                return 2;
            }
            if (!strncmp(argv[i + 1], "--", 2)) {   /* "--json --quiet": not a file name */
                snprintf(err, n, "%s: missing value (the next argument, \"%s\", is an option)",
                         opt, argv[i + 1]);
                return 2;
            }
            val = argv[++i];
        }
        if (!strcmp(opt, "--horizon") || !strcmp(opt, "--warmup")) {
            double v;
            if (fab_units_parse(val, FAB_DIM_TIME, &v, why, sizeof why)) {
                snprintf(err, n, "%s: %s", opt, why);
                return 2;
            }
            if (opt[2] == 'h' ? !(v > 0) : !(v >= 0)) {
                snprintf(err, n, "%s: expected a %s time, got \"%s\"", opt,
                         opt[2] == 'h' ? "positive" : "non-negative", val);
                return 2;
            }
            if (opt[2] == 'h') {
                cli->run.horizon = v;
                horizon_text = val;
            } else {
                cli->run.warmup = v;
                warmup_text = val;
            }
        } else if (!strcmp(opt, "--replications")) {
            if (cli_count(opt, val, 1, FAB_MAX_REPLICATIONS, &cli->run.replications, err, n))
                return 2;
        } else if (!strcmp(opt, "--seed")) {
            uint64_t seed;
            if (cli_seed(val, &seed, err, n))
                return 2;
            fab_model_seed(m, seed);
        } else if (!strcmp(opt, "--jobs")) {
            int64_t j;
            if (cli_count(opt, val, 1, 1024, &j, err, n))
                return 2;
            cli->run.jobs = (int)j;
        } else if (!strcmp(opt, "--json")) {
            if (!*val) {
                snprintf(err, n, "--json: expected a file name or -");
                return 2;
            }
            cli->json_path = val;
        } else if (!strcmp(opt, "--evset")) {
            if (!strcmp(val, "heap"))
                cli->run.evset = FAB_EVSET_HEAP;
            else if (!strcmp(val, "calendar"))
                cli->run.evset = FAB_EVSET_CALENDAR;
            else {
                snprintf(err, n, "--evset: expected heap or calendar, got \"%s\"", val);
                return 2;
            }
        } else { /* --set */
            const char *e2 = strchr(val, '=');
            if (!e2 || e2 == val) {
                snprintf(err, n, "--set: expected name=value (e.g. b1.capacity=12), got \"%s\"", val);
                return 2;
            }
            char *name = rt_format("%.*s", (int)(e2 - val), val);
            if (!name) {
                snprintf(err, n, "--set: out of memory");
                return 2;
            }
            int bad = fab_model_set(m, name, e2 + 1, why, sizeof why);
            free(name);
            if (bad) {
                snprintf(err, n, "--set: %s", why);
                return 2;
            }
            any_set = 1;
        }
    }
    /* the warmup ends before the horizon, with the values the run will take (options, else
     * the model's, which --set may have changed): the option that made it not so is named */
    double horizon = isnan(cli->run.horizon) ? m->horizon : cli->run.horizon;
    double warmup = isnan(cli->run.warmup) ? m->warmup : cli->run.warmup;
    if (!(warmup < horizon)) {
        if (warmup_text)
            snprintf(err, n, "--warmup: expected a time shorter than the horizon (%g s), got "
                     "\"%s\"", horizon, warmup_text);
        else if (horizon_text)
            snprintf(err, n, "--horizon: expected a time longer than the warmup (%g s), got "
                     "\"%s\"", warmup, horizon_text);
        else
            snprintf(err, n, "--set: the warmup (%g s) must be shorter than the horizon (%g s)",
                     warmup, horizon);
        return 2;
    }
    if (any_set && m->valid_as_built && rt_model_validate(m, why, sizeof why)) {
        snprintf(err, n, "--set: %s", why);
        return 2;
    }
    if (cli->replication_values && !cli->json_path) {
        snprintf(err, n, "--replication-values: goes with --json FILE|- (the values are written "
                 "in the JSON)");
        return 2;
    }
    return 0;
}

void fab_cli_usage(FILE *out, const char *prog, const fab_model *m)
{
    fprintf(out,
            "usage: %s [--horizon 8h] [--warmup 1h] [--replications 30] [--seed 42] [--jobs N]\n"
            "          [--set name=value ...] [--json FILE|-] [--replication-values] [--quiet]\n"
            "          [--help]\n"
            "\n"
            "Simulates the model \"%s\" and prints a summary (KPIs with 95 %% confidence\n"
            "intervals over replications, state breakdown of every station).\n"
            "\n"
            "  --horizon T       simulated time per replication (default %g s)\n"
            "  --warmup T        statistics start after T (default %g s)\n"
            "  --replications N  independent replications (default %llu)\n"
            "  --seed N          random seed (default %llu)\n"
            "  --jobs N          worker processes; results do not depend on N\n"
            "  --set name=value  override a parameter, with units (e.g. --set press.cycle.mean=40s)\n"
            "  --json FILE|-     write the results as JSON (- for standard output)\n"
            "  --replication-values  with --json: every statistic also lists its value in\n"
            "                    each replication (\"values\": [...], in replication order)\n"
            "  --quiet           no summary table\n"
            "  --evset heap|calendar  pending-event set (for benchmarking)\n"
            "\n"
            "Exit status: 0 success, 1 run failure, 2 bad option, 3 a replication deadlocked.\n"
            "\nParameters for --set:\n",
            prog, m->name, m->horizon, m->warmup, (unsigned long long)m->replications,
            (unsigned long long)m->seed);
    for (int i = 0; i < m->nparam; i++)
        fprintf(out, "  %-40s %-20s = %g\n", m->param[i].name, fab_dim_name(m->param[i].dim),
                *m->param[i].slot);
}

/* Report that writing to `where` failed, with errno as the failed call left it (EIO if it
 * left none). Returns 1, the exit status. */
static int cli_write_failed(const char *prog, const char *where)
{
    fprintf(stderr, "%s: error: writing %s: %s\n", prog, where, strerror(errno ? errno : EIO));
    return 1;
}

int fab_main(fab_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "sim";
    /* a closed pipe is a write error reported like any other (status 1), not a silent death */
    signal(SIGPIPE, SIG_IGN);
    if (!m) {
        fprintf(stderr, "%s: error: out of memory building the model\n", prog);
        return 1;
    }
    fab_cli cli;
    char err[512];
    if (fab_cli_parse(&cli, m, argc, argv, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", prog, err);
        fab_model_free(m);
        return 2;
    }
    if (cli.help) {
        errno = 0;
        fab_cli_usage(stdout, prog, m);
        int status = fflush(stdout) || ferror(stdout) ? cli_write_failed(prog, "standard output")
                                                      : 0;
        fab_model_free(m);
        return status;
    }
    fab_results *r = fab_run(m, &cli.run, err, sizeof err);
    fab_model_free(m);
    if (!r) {
        fprintf(stderr, "%s: error: %s\n", prog, err);
        return 1;
    }
    /* A write error may only show when the buffer is flushed: every output is flushed (or
     * closed) and checked before the status is decided. */
    int status = 0;
    int json_stdout = cli.json_path && !strcmp(cli.json_path, "-");
    if (!cli.quiet && !json_stdout) {
        errno = 0;
        int bad = fab_results_write_table(r, stdout);
        if (fflush(stdout) || bad)
            status = cli_write_failed(prog, "standard output");
    }
    if (cli.json_path) {
        FILE *f = json_stdout ? stdout : fopen(cli.json_path, "w");
        if (!f) {
            fprintf(stderr, "%s: error: --json: cannot write %s: %s\n", prog, cli.json_path,
                    strerror(errno));
            status = 1;
        } else {
            errno = 0;
            int bad = fab_results_write_json_flags(r, f, cli.replication_values ? FAB_JSON_VALUES
                                                                                 : 0);
            if (json_stdout ? fflush(f) != 0 : fclose(f) != 0)
                bad = 1;
            if (bad)
                status = cli_write_failed(prog, json_stdout ? "standard output" : cli.json_path);
        }
    }
    for (uint64_t d = 0; d < fab_results_deadlock_count(r); d++) {
        uint64_t rep;
        double t;
        const char *els;
        fab_results_deadlock(r, d, &rep, &t, &els);
        fprintf(stderr, "%s: deadlock in replication %llu at t = %g s: %s\n", prog,
                (unsigned long long)rep, t, els);
        if (status == 0)
            status = 3;
    }
    fab_results_free(r);
    return status;
}
