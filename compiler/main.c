/*
 * main.c — the fabc driver: a table of commands.
 *
 *   fabc check [--dump | --json] [-I DIR]... [--color=auto|always|never] FILE...
 *   fabc fmt [--check | --stdout] [--color=auto|always|never] FILE...
 * (the flags in [a | b] exclude each other: both given is a usage error)
 *   fabc --version | --help
 *
 * Exit status: 0 success (warnings allowed), 1 errors in a model (or fmt --check found an
 * unformatted file), 2 a bad command line (one line naming the option and what was expected).
 * Adding a command is one line in `commands` below. The stdlib directory is the one every
 * command shares (drv_stdlib_dir: <prefix>/<datadir>/fab/stdlib when installed, else the
 * source tree's stdlib/); FAB_PATH (colon-separated) and -I add import directories.
 * Memory: one arena and one diag context per run, freed before returning.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "fmt.h"
#include "parse.h"
#include "sema.h"

#if __has_include("codegen/driver_build.h")
#include "codegen/driver_build.h"
#define FAB_HAVE_BUILD 1
#endif

#ifndef FAB_STDLIB_DIR
#define FAB_STDLIB_DIR "stdlib"
#endif
#ifndef FAB_VERSION
#define FAB_VERSION "0.0.0"
#endif

static int cmd_check(int argc, char **argv);
static int cmd_fmt(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"check", cmd_check, "check models and report every error (--dump prints the checked model)"},
    {"fmt", cmd_fmt, "format models canonically (--check: only report unformatted files)"},
#ifdef FAB_HAVE_BUILD
    {"build", drv_build, "compile a model into a standalone simulator"},
    {"run", drv_run, "build a model and run the simulator"},
#endif
    {"--version", cmd_version, "print the version"},
    {"--help", cmd_help, "print this help"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int usage_error(const char *fmt, const char *arg)
{
    fputs("fabc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("fabc %s\n", FAB_VERSION);
    return 0;
}

static void print_help(FILE *f)
{
    fprintf(f, "usage: fabc COMMAND [OPTIONS] FILE...\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nenvironment: FAB_PATH (colon-separated import directories)\n");
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    print_help(stdout);
    return 0;
}

/* The stdlib directory (see the header comment); the result is static storage. */
static const char *stdlib_dir(void)
{
#ifdef FAB_HAVE_BUILD
    static char buf[PATH_MAX];
    drv_stdlib_dir(buf, sizeof buf);
    return buf;
#else
    return FAB_STDLIB_DIR;
#endif
}

typedef struct front_opts {
    const char *search[64];
    int nsearch;
    char *fab_path_copy;
    int color; /* -1 auto, 0 never, 1 always */
} front_opts;

static void add_fab_path(front_opts *o)
{
    const char *env = getenv("FAB_PATH");
    if (!env || !*env)
        return;
    o->fab_path_copy = strdup(env);
    if (!o->fab_path_copy)
        return;
    for (char *tok = strtok(o->fab_path_copy, ":"); tok && o->nsearch < 63; tok = strtok(NULL, ":"))
        o->search[o->nsearch++] = tok;
}

/* Common options; returns 1 when argv[*i] was consumed, 0 when not an option of ours,
 * -1 on a usage error (already reported). */
static int common_option(front_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "-I") == 0) {
        if (*i + 1 >= argc) {
            usage_error("option -I expects a directory", NULL);
            return -1;
        }
        if (o->nsearch < 63)
            o->search[o->nsearch++] = argv[++*i];
        return 1;
    }
    if (strncmp(a, "-I", 2) == 0) {
        if (o->nsearch < 63)
            o->search[o->nsearch++] = a + 2;
        return 1;
    }
    if (strncmp(a, "--color=", 8) == 0) {
        const char *v = a + 8;
        if (strcmp(v, "auto") == 0)
            o->color = -1;
        else if (strcmp(v, "always") == 0)
            o->color = 1;
        else if (strcmp(v, "never") == 0)
            o->color = 0;
        else {
            usage_error("option --color expects auto, always or never, not '%s'", v);
            return -1;
        }
        return 1;
    }
    return 0;
}

static void setup_diag(diag_ctx *dc, const front_opts *o)
{
    diag_init(dc, stderr);
    dc->color = o->color == 1 || (o->color == -1 && isatty(fileno(stderr)) && !getenv("NO_COLOR"));
}

/* A flag of one command: seeing `name` stores `value` into *target. */
typedef struct cmd_flag {
    const char *name;
    int *target;
    int value;
} cmd_flag;

/* Parse a command's arguments: the common options, the command's own flags (a table ended by
 * a NULL name) and file operands. The operands are compacted into argv itself (file k is
 * stored at argv[k] only after argv[k + 1] has been read, so no argument is overwritten before
 * it is parsed). Returns the number of files (at least one), or -1 after a usage error. */
static int parse_command(front_opts *o, int argc, char **argv, const cmd_flag *flags,
                         const char *expected)
{
    const char *cmd = argv[0]; /* argv[0] is overwritten by the first operand */
    char msg[512];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        int r = common_option(o, argc, argv, &i);
        if (r < 0)
            return -1;
        if (r)
            continue;
        const cmd_flag *f = flags;
        while (f->name && strcmp(argv[i], f->name) != 0)
            f++;
        if (f->name) {
            *f->target = f->value;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            snprintf(msg, sizeof msg, "%s: unknown option '%s' (expected %s)", cmd, argv[i], expected);
            usage_error("%s", msg);
            return -1;
        } else {
            argv[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        snprintf(msg, sizeof msg, "%s expects at least one .fab file", cmd);
        usage_error("%s", msg);
        return -1;
    }
    return nfiles;
}

static int cmd_check(int argc, char **argv)
{
    front_opts o = {.color = -1};
    int text = 0, json = 0;
    const cmd_flag flags[] = {{"--dump", &text, 1}, {"--json", &json, 1}, {NULL, NULL, 0}};
    int nfiles = parse_command(&o, argc, argv, flags, "--dump, --json, -I DIR or --color=WHEN");
    if (nfiles < 0)
        return 2;
    char **files = argv;
    if (text && json)
        return usage_error("check: --dump and --json cannot be combined (--dump prints the model as text, --json as JSON)%s", "");
    int dump = json ? 2 : text; /* 1 text, 2 json */
    if (dump && nfiles != 1)
        return usage_error("check %s expects exactly one file", json ? "--json" : "--dump");
    add_fab_path(&o);
    o.search[o.nsearch] = NULL;
    sema_options so = {.stdlib_dir = stdlib_dir(), .search = o.search};
    int status = 0;
    for (int f = 0; f < nfiles; f++) {
        diag_ctx dc;
        arena a;
        setup_diag(&dc, &o);
        arena_init(&a);
        fab_model *m = sema_check_file(files[f], &so, &dc, &a);
        if (dc.errors) {
            status = 1;
            fprintf(stderr, "%s: %d error%s", files[f], dc.errors, dc.errors == 1 ? "" : "s");
            if (dc.warnings)
                fprintf(stderr, ", %d warning%s", dc.warnings, dc.warnings == 1 ? "" : "s");
            fputc('\n', stderr);
        } else if (m && dump == 1) {
            sema_dump_model(m, stdout);
        } else if (m && dump == 2) {
            sema_dump_model_json(m, stdout);
        }
        arena_free(&a);
        diag_free(&dc);
    }
    free(o.fab_path_copy);
    return status;
}

/* Replaces the file path names (a symlink's target, so the link stays a link) with text: a
 * unique temporary in the target's directory, given the file's mode, renamed over it. Returns
 * 0; 1 when the file is read-only or not writable by the user (left as it is); -1 with errno
 * otherwise. */
static int write_file(const char *path, const char *text, size_t len)
{
    char target[PATH_MAX];
    struct stat st;
    if (!realpath(path, target) || stat(target, &st) != 0)
        return -1;
    /* a read-only file (no write bit: root could write it, but the user made it read-only)
     * is left alone, as one the user has no permission to write */
    if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        return 1;
    if (access(target, W_OK) != 0)
        return errno == EACCES || errno == EROFS || errno == EPERM ? 1 : -1;
    char tmp[PATH_MAX + 32];
    const char *slash = strrchr(target, '/'); /* realpath's result is absolute */
    snprintf(tmp, sizeof tmp, "%.*s/.fabc-fmt-XXXXXX", (int)(slash - target), target);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    FILE *fp = fchmod(fd, st.st_mode & 07777) == 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        int err = errno;
        close(fd);
        remove(tmp);
        errno = err;
        return -1;
    }
    size_t w = fwrite(text, 1, len, fp);
    if (fclose(fp) != 0 || w != len || rename(tmp, target) != 0) {
        int err = w != len && errno == 0 ? EIO : errno;
        remove(tmp);
        errno = err;
        return -1;
    }
    return 0;
}

static int cmd_fmt(int argc, char **argv)
{
    front_opts o = {.color = -1};
    int check = 0, to_stdout = 0;
    const cmd_flag flags[] = {{"--check", &check, 1}, {"--stdout", &to_stdout, 1}, {NULL, NULL, 0}};
    int nfiles = parse_command(&o, argc, argv, flags, "--check, --stdout, -I DIR or --color=WHEN");
    if (nfiles < 0)
        return 2;
    if (check && to_stdout)
        return usage_error("fmt: --check and --stdout cannot be combined (--check only reports unformatted files, --stdout prints the formatted text)%s", "");
    char **files = argv;
    int status = 0;
    for (int f = 0; f < nfiles; f++) {
        diag_ctx dc;
        arena a;
        setup_diag(&dc, &o);
        arena_init(&a);
        uint32_t id = diag_load_file(&dc, files[f]);
        if (!id) {
            fprintf(stderr, "fabc: error: cannot read '%s': %s\n", files[f], diag_strerror(errno));
            status = 1;
        } else {
            ptrvec comments = {0};
            ast_node *root = parse_file(&dc, &a, id, &comments);
            if (dc.errors) {
                fprintf(stderr, "%s: not formatted: fix the syntax errors first\n", files[f]);
                status = 1;
            } else {
                size_t len = 0;
                char *out = fmt_file(&dc, id, root, &comments, &len);
                const diag_file *df = diag_get_file(&dc, id);
                if (!out) {
                    fprintf(stderr, "fabc: error: out of memory\n");
                    status = 1;
                } else if (to_stdout) {
                    fwrite(out, 1, len, stdout);
                } else if (len != df->len || memcmp(out, df->text, len) != 0) {
                    if (check) {
                        printf("%s: not formatted\n", files[f]);
                        status = 1;
                    } else {
                        int w = write_file(files[f], out, len);
                        if (w == 1)
                            fprintf(stderr, "fabc: error: fmt: %s is not writable\n", files[f]);
                        else if (w != 0)
                            fprintf(stderr, "fabc: error: cannot write '%s': %s\n", files[f], strerror(errno));
                        if (w != 0)
                            status = 1;
                    }
                }
                free(out);
            }
        }
        arena_free(&a);
        diag_free(&dc);
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {             /* a usage error: the help goes to standard error */
        print_help(stderr);
        return 2;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "-h") == 0)
        return cmd_help(argc, argv);
    if (strcmp(argv[1], "-V") == 0)
        return cmd_version(argc, argv);
    return usage_error("unknown command '%s' (expected check, fmt, build, run, --version or --help)", argv[1]);
}
