/*
 * driver_build.c — `fabc build` and `fabc run`: command line, front end, code generation,
 * linking, and the build cache of `fabc run`.
 *
 * In:  argv of the command (see driver_build.h); environment: CC, FAB_CACHE_DIR /
 *      XDG_CACHE_HOME / HOME, FAB_PATH (extra import directories, ':'-separated),
 *      FAB_RUNTIME_LIB.
 * Out: an executable (build), or the simulator's run (run). Diagnostics go to stderr through
 *      the front end's printer; driver errors are "fabc: error: ..." lines.
 * Cache key (run): XXH3-128 over the fabc version, the optimisation level, the text of the
 *      model and of every file it imports (the files the front end registered), the contents
 *      of its data files (their hashes, from the check), $CC as given, the path of libfabrt.a,
 *      and the size and modification time of the fabc executable and of libfabrt.a (so a
 *      rebuilt compiler or runtime never reuses a stale simulator). Entries are linked under a
 *      unique temporary name in the cache directory and renamed into place with a record of
 *      their size and hash (drv_cache.c), so concurrent runs, also from other hosts or PID
 *      namespaces, never see half-written executables, and a damaged entry is rebuilt.
 * Memory: one arena and one diagnostics context per command, freed before returning.
 * Not handled: cache eviction; Windows.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "driver_build.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cg.h"
#include "diag.h"
#include "drv_support.h"
#include "sema.h"

#ifndef FAB_VERSION
#define FAB_VERSION "0"
#endif

typedef struct drv_opts {
    const char *cmd;       /* "build" or "run" */
    const char *file;
    const char *out;
    const char *emit_llvm;
    const char *emit_llvm_raw;
    int opt_level;
    int verbose;
    int print_times;
    const char *incs[32];
    int nincs;
    int sim_argc;          /* run: arguments after "--" */
    char **sim_argv;
} drv_opts;

static int drv_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "fabc %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

static void drv_print_help(const char *cmd)
{
    if (strcmp(cmd, "build") == 0)
        printf("usage: fabc build FILE [-o OUT] [-O0|-O1|-O2|-O3] [--emit-llvm FILE]\n"
               "                  [--emit-llvm-unoptimized FILE] [-I DIR] [--time]\n"
               "Compile a .fab model into a standalone simulator executable (default: -O2,\n"
               "output named after FILE without .fab). See docs/cli.md.\n");
    else
        printf("usage: fabc run [--verbose] [-O N] [-I DIR] FILE [-- SIMULATOR ARGS...]\n"
               "Build FILE into the cache (reused while the model, its imports, its data files\n"
               "and fabc are unchanged) and run it with the simulator arguments.\n"
               "See docs/cli.md.\n");
}

/* Parses argv; returns -1 to go on, or an exit status (0 for --help, 2 for an error). */
static int drv_parse(drv_opts *o, int argc, char **argv, int is_run)
{
    memset(o, 0, sizeof *o);
    o->cmd = is_run ? "run" : "build";
    o->opt_level = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_run && strcmp(a, "--") == 0) {
            o->sim_argc = argc - i - 1;
            o->sim_argv = argv + i + 1;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            drv_print_help(o->cmd);
            return 0;
        }
        if (strncmp(a, "-O", 2) == 0) {
            const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return drv_usage_error(o->cmd, "option %s expects a level 0, 1, 2 or 3", "-O");
            if (!(v[0] >= '0' && v[0] <= '3' && v[1] == '\0'))
                return drv_usage_error(o->cmd, "option -O expects a level 0, 1, 2 or 3, got '%s'", v);
            o->opt_level = v[0] - '0';
        } else if (strcmp(a, "-o") == 0 && !is_run) {
            if (i + 1 >= argc)
                return drv_usage_error(o->cmd, "option %s expects an output file name", "-o");
            o->out = argv[++i];
        } else if (strcmp(a, "--emit-llvm") == 0 && !is_run) {
            if (i + 1 >= argc)
                return drv_usage_error(o->cmd, "option %s expects a file name (or - for stdout)",
                                       "--emit-llvm");
            o->emit_llvm = argv[++i];
        } else if (strcmp(a, "--emit-llvm-unoptimized") == 0 && !is_run) {
            if (i + 1 >= argc)
                return drv_usage_error(o->cmd, "option %s expects a file name (or - for stdout)",
                                       "--emit-llvm-unoptimized");
            o->emit_llvm_raw = argv[++i];
        } else if (strncmp(a, "-I", 2) == 0) {
            const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return drv_usage_error(o->cmd, "option %s expects a directory", "-I");
            if (o->nincs >= 30)
                return drv_usage_error(o->cmd, "too many %s options (at most 30)", "-I");
            o->incs[o->nincs++] = v;
        } else if (strcmp(a, "--time") == 0) {
            o->print_times = 1;
        } else if (is_run && (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)) {
            o->verbose = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return drv_usage_error(o->cmd, "unknown option '%s' (see --help)", a);
        } else if (o->file) {
            return drv_usage_error(o->cmd, is_run
                                   ? "unexpected argument '%s': put simulator arguments after --"
                                   : "unexpected argument '%s': one FILE per build", a);
        } else {
            o->file = a;
        }
    }
    if (!o->file)
        return drv_usage_error(o->cmd, "missing FILE: the .fab model to %s", is_run ? "run" : "build");
    return -1;
}

void drv_stdlib_dir(char *buf, size_t n)
{
    char self[PATH_MAX];
    buf[0] = '\0';
    if (drv_self_dir(self, sizeof self) != 0) {
        snprintf(buf, n, "%s", FAB_STDLIB_DIR);
        return;
    }
    char build_dir[PATH_MAX], real_self[PATH_MAX];
    if (realpath(FAB_BUILD_COMPILER_DIR, build_dir) && realpath(self, real_self) &&
        strcmp(build_dir, real_self) == 0) {
        snprintf(buf, n, "%s", FAB_STDLIB_DIR);
        return;
    }
    const char *datadir = FAB_INSTALL_DATADIR;
    int w;
    if (datadir[0] == '/')
        w = snprintf(buf, n, "%s/fab/stdlib", datadir);
    else
        w = snprintf(buf, n, "%s/../%s/fab/stdlib", self, datadir);
    struct stat st;
    if (w < 0 || (size_t)w >= n || stat(buf, &st) != 0)
        snprintf(buf, n, "%s", FAB_STDLIB_DIR);
}

typedef struct drv_front {
    arena a;
    diag_ctx dc;
    fab_model *model;
    char stdlib[PATH_MAX];
    const char *search[64];
    char *fab_path;          /* strdup of $FAB_PATH, split in place */
} drv_front;

/* Runs the front end; returns 0, or 1 when the model has errors (already printed). */
static int drv_front_run(drv_front *f, const drv_opts *o)
{
    arena_init(&f->a);
    diag_init(&f->dc, stderr);
    f->dc.color = isatty(STDERR_FILENO);
    drv_stdlib_dir(f->stdlib, sizeof f->stdlib);
    int ns = 0;
    for (int i = 0; i < o->nincs; i++)
        f->search[ns++] = o->incs[i];
    const char *env = getenv("FAB_PATH");
    f->fab_path = env ? strdup(env) : NULL;
    for (char *p = f->fab_path ? strtok(f->fab_path, ":") : NULL; p && ns < 62; p = strtok(NULL, ":"))
        if (*p)
            f->search[ns++] = p;
    f->search[ns] = NULL;
    sema_options so = {.stdlib_dir = f->stdlib, .search = f->search, .no_imports = false};
    f->model = sema_check_file(o->file, &so, &f->dc, &f->a);
    if (!f->model) {
        if (f->dc.errors == 0)
            diag_error_noloc(&f->dc, "%s: cannot check the model", o->file);
        return 1;
    }
    if (f->model->nelements == 0) {
        /* a library file (a model block makes this a located error of the check itself) */
        diag_error_noloc(&f->dc, "%s: the model has no elements, so there is nothing to simulate (build the model that imports this file)",
                         o->file);
        return 1;
    }
    return 0;
}

static void drv_front_free(drv_front *f)
{
    diag_free(&f->dc);
    arena_free(&f->a);
    free(f->fab_path);
}

/* Compile the checked model and link it into out. Returns 0 or 1 (error printed). */
static int drv_compile_link(drv_front *f, const drv_opts *o, const char *out)
{
    char err[2048], rtlib[PATH_MAX];
    if (drv_runtime_lib(rtlib, sizeof rtlib, err, sizeof err) != 0) {
        diag_error_noloc(&f->dc, "%s", err);
        return 1;
    }
    const char *tmpdir = getenv("TMPDIR");
    char obj[PATH_MAX];
    snprintf(obj, sizeof obj, "%s/fabc-XXXXXX.o", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemps(obj, 2);
    if (fd < 0) {
        diag_error_noloc(&f->dc, "cannot create a temporary object file %s: %s", obj, strerror(errno));
        return 1;
    }
    close(fd);
    int slot = drv_tmp_register(obj);
    cg_options co = {.opt_level = o->opt_level, .object_path = obj, .emit_llvm = o->emit_llvm,
                     .emit_llvm_raw = o->emit_llvm_raw, .print_times = o->print_times};
    int rc = 0;
    struct timespec t0, t1;
    if (cg_compile_model(f->model, &co, err, sizeof err) != 0) {
        diag_error_noloc(&f->dc, "%s: %s", o->file, err);
        rc = 1;
    } else {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (drv_link(obj, out, rtlib, err, sizeof err) != 0) {
            diag_error_noloc(&f->dc, "%s", err);
            rc = 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (o->print_times)
            fprintf(stderr, "fabc: %-10s %8.3f s\n", "link",
                    (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    }
    unlink(obj);
    drv_tmp_unregister(slot);
    return rc;
}

/* The simulator's default name: the model file's name without its directory and without
 * ".fab" (else with ".out" added). */
static void drv_default_name(const char *file, char *buf, size_t n)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    snprintf(buf, n, "%s", base);
    size_t len = strlen(buf);
    if (len > 4 && strcmp(buf + len - 4, ".fab") == 0)
        buf[len - 4] = '\0';
    else
        snprintf(buf + len, n - len, ".out");
}

int drv_build(int argc, char **argv)
{
    drv_opts o;
    int rc = drv_parse(&o, argc, argv, 0);
    if (rc >= 0)
        return rc;
    char outbuf[PATH_MAX];
    if (!o.out) {
        drv_default_name(o.file, outbuf, sizeof outbuf);
        o.out = outbuf;
    }
    drv_front f;
    rc = drv_front_run(&f, &o);
    char err[PATH_MAX + 128];
    if (rc == 0 && drv_check_outputs(&f.dc, o.out, o.emit_llvm, o.emit_llvm_raw, err, sizeof err) != 0)
        rc = drv_usage_error(o.cmd, "%s", err);
    if (rc == 0)
        rc = drv_compile_link(&f, &o, o.out);
    drv_front_free(&f);
    return rc;
}

static void drv_key_add_stat(drv_key *k, const char *tag, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        long long v[3] = {(long long)st.st_size, (long long)st.st_mtim.tv_sec,
                          (long long)st.st_mtim.tv_nsec};
        drv_key_add(k, tag, v, sizeof v);
    } else {
        drv_key_add(k, tag, "", 0);
    }
}

int drv_run(int argc, char **argv)
{
    drv_opts o;
    int rc = drv_parse(&o, argc, argv, 1);
    if (rc >= 0)
        return rc;
    drv_front f;
    rc = drv_front_run(&f, &o);
    if (rc != 0) {
        drv_front_free(&f);
        return rc;
    }
    char err[1024], dir[PATH_MAX], rtlib[PATH_MAX], self[PATH_MAX], ccfile[PATH_MAX];
    if (drv_cache_dir(dir, sizeof dir, err, sizeof err) != 0 ||
        drv_runtime_lib(rtlib, sizeof rtlib, err, sizeof err) != 0) {
        diag_error_noloc(&f.dc, "%s", err);
        drv_front_free(&f);
        return 1;
    }
    drv_key *k = drv_key_new();
    if (!k) {
        diag_error_noloc(&f.dc, "out of memory");
        drv_front_free(&f);
        return 1;
    }
    drv_key_add(k, "version", FAB_VERSION, strlen(FAB_VERSION));
    drv_key_add(k, "opt", &o.opt_level, sizeof o.opt_level);
    for (size_t i = 0; i < f.dc.nfiles; i++)
        drv_key_add(k, "file", f.dc.files[i].text, f.dc.files[i].len);
    for (int i = 0; i < f.model->ndata_files; i++) {
        uint64_t h[2] = {f.model->data_files[i].hash_hi, f.model->data_files[i].hash_lo};
        drv_key_add(k, "data", h, sizeof h);
    }
    const char *cc = getenv("CC");
    if (cc)
        drv_key_add(k, "cc", cc, strlen(cc));
    else
        drv_key_add(k, "no-cc", "", 0);
    drv_key_add(k, "libfabrt-path", rtlib, strlen(rtlib));
    ssize_t self_len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_len > 0) {
        self[self_len] = '\0';
        drv_key_add_stat(k, "fabc", self);
    }
    drv_key_add_stat(k, "libfabrt", rtlib);
    /* the compiler that links: an upgrade changes its executable's size or time */
    if (drv_link_compiler(rtlib, ccfile, sizeof ccfile) == 0) {
        drv_key_add(k, "cc-file", ccfile, strlen(ccfile));
        drv_key_add_stat(k, "cc-stat", ccfile);
    } else {
        drv_key_add(k, "no-cc-file", "", 0);
    }
    char hex[33];
    drv_key_finish(k, hex);

    char exe[PATH_MAX + 64];
    snprintf(exe, sizeof exe, "%s/%s", dir, hex);
    if (drv_cache_entry_ok(exe)) {
        if (o.verbose)
            fprintf(stderr, "fabc: using cached build %s\n", exe);
    } else {
        if (o.verbose)
            fprintf(stderr, "fabc: building %s\n", exe);
        /* a name no other run uses, whatever its host or PID namespace */
        char tmp[PATH_MAX + 96];
        snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", exe);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            diag_error_noloc(&f.dc, "cannot create a temporary file in the cache directory %s: %s",
                             dir, strerror(errno));
            drv_front_free(&f);
            return 1;
        }
        close(fd);
        int slot = drv_tmp_register(tmp);
        rc = drv_compile_link(&f, &o, tmp);
        if (rc == 0 && drv_cache_store(tmp, exe, err, sizeof err) != 0) {
            diag_error_noloc(&f.dc, "%s", err);
            rc = 1;
        }
        if (rc != 0)
            unlink(tmp);
        drv_tmp_unregister(slot);
        if (rc != 0) {
            drv_front_free(&f);
            return rc;
        }
    }
    drv_front_free(&f);

    char **args = calloc((size_t)o.sim_argc + 2, sizeof *args);
    if (!args) {
        fprintf(stderr, "fabc: error: out of memory\n");
        return 1;
    }
    /* the simulator names itself (in its messages and --help) as `fabc build` would name it */
    char name[PATH_MAX];
    drv_default_name(o.file, name, sizeof name);
    args[0] = name;
    for (int i = 0; i < o.sim_argc; i++)
        args[i + 1] = o.sim_argv[i];
    fflush(stdout);
    fflush(stderr);
    execv(exe, args);
    fprintf(stderr, "fabc: error: cannot run %s: %s\n", exe, strerror(errno));
    free(args);
    return 1;
}
