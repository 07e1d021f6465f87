/*
 * drv_link.c — find libfabrt and link a generated object into a simulator executable.
 *
 * In:  an object file path, an output path. Out: the executable, linked by the system C
 *      compiler ($CC or cc) with libfabrt.a and -lm, so that the simulator needs only the C
 *      library (libc and libm) at run time.
 * Processes are started with posix_spawnp and waited for; never through a shell.
 * The executable is linked into a unique temporary beside the output and renamed over it.
 * Also: the checks of `fabc build`'s output paths, and the removal of temporary files when
 * fabc is killed by a signal.
 * Not handled: $CC values with quoted arguments (it is split on spaces and tabs only).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "drv_support.h"

#include "diag.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int drv_self_dir(char *buf, size_t n)
{
    char path[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
    if (len <= 0)
        return -1;
    path[len] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(buf, n, "%s", path) >= n)
        return -1;
    return 0;
}

static int drv_is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int drv_same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (!realpath(a, ra) || !realpath(b, rb))
        return 0;
    return strcmp(ra, rb) == 0;
}

int drv_runtime_lib(char *buf, size_t n, char *err, size_t errsz)
{
    const char *env = getenv("FAB_RUNTIME_LIB");
    if (env && *env) {
        if (!drv_is_file(env)) {
            snprintf(err, errsz, "FAB_RUNTIME_LIB=%s: no such file", env);
            return -1;
        }
        snprintf(buf, n, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    if (drv_self_dir(self, sizeof self) != 0) {
        snprintf(err, errsz, "cannot find the fabc executable's directory to locate libfabrt");
        return -1;
    }
#ifdef FAB_BUILD_COMPILER_DIR
    if (drv_same_dir(self, FAB_BUILD_COMPILER_DIR) && drv_is_file(FAB_BUILD_RUNTIME_LIB)) {
        snprintf(buf, n, "%s", FAB_BUILD_RUNTIME_LIB);
        return 0;
    }
#endif
    /* installed: <prefix>/<bindir>/fabc and <prefix>/<libdir>/libfabrt.a; bindir and libdir
     * are relative to the prefix unless meson was given absolute ones. */
    char cand[PATH_MAX * 2];
    const char *libdir = FAB_INSTALL_LIBDIR;
    if (libdir[0] == '/') {
        snprintf(cand, sizeof cand, "%s/libfabrt.a", libdir);
    } else {
        int depth = 1;
        for (const char *p = FAB_INSTALL_BINDIR; *p; p++)
            if (*p == '/' && p[1] && p[1] != '/')
                depth++;
        size_t len = (size_t)snprintf(cand, sizeof cand, "%s", self);
        for (int i = 0; i < depth; i++)
            len += (size_t)snprintf(cand + len, sizeof cand - len, "/..");
        snprintf(cand + len, sizeof cand - len, "/%s/libfabrt.a", libdir);
    }
    if (drv_is_file(cand)) {
        char real[PATH_MAX];
        snprintf(buf, n, "%s", realpath(cand, real) ? real : cand);
        return 0;
    }
    snprintf(err, errsz, "cannot find libfabrt.a (looked in %s); set FAB_RUNTIME_LIB", cand);
    return -1;
}

int drv_spawn_wait(char *const argv[], char *err, size_t errsz)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        snprintf(err, errsz, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errsz, "waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    }
    if (WIFSIGNALED(status)) {
        snprintf(err, errsz, "%s was killed by signal %d", argv[0], WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

/* Temporary files removed when fabc is killed by SIGINT, SIGTERM or SIGHUP: a slot's path is
 * complete before its flag is set, and the handler only unlinks (async-signal-safe) and then
 * dies of the same signal with the default action. */
#define DRV_NTMP 4
static char drv_tmp_path[DRV_NTMP][PATH_MAX];
static volatile sig_atomic_t drv_tmp_used[DRV_NTMP];

static void drv_tmp_on_signal(int sig)
{
    for (int i = 0; i < DRV_NTMP; i++)
        if (drv_tmp_used[i])
            unlink(drv_tmp_path[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

int drv_tmp_register(const char *path)
{
    static int installed;
    if (!installed) {
        installed = 1;
        const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
            struct sigaction old, sa;
            /* a signal ignored by the parent (nohup) stays ignored */
            if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
                continue;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = drv_tmp_on_signal;
            sigemptyset(&sa.sa_mask);
            sigaction(sigs[i], &sa, NULL);
        }
    }
    for (int i = 0; i < DRV_NTMP; i++) {
        if (!drv_tmp_used[i] && strlen(path) < sizeof drv_tmp_path[i]) {
            memcpy(drv_tmp_path[i], path, strlen(path) + 1);
            drv_tmp_used[i] = 1;
            return i;
        }
    }
    return -1;
}

void drv_tmp_unregister(int slot)
{
    if (slot >= 0 && slot < DRV_NTMP)
        drv_tmp_used[slot] = 0;
}

/* One output path against the model's source files: "-" for the IR options is standard output. */
static int drv_check_output(const diag_ctx *dc, const char *opt, const char *path, int is_exe,
                            char *err, size_t errsz)
{
    if (!path || (!is_exe && strcmp(path, "-") == 0))
        return 0;
    struct stat ost;
    int exists = stat(path, &ost) == 0;
    for (size_t i = 0; i < dc->nfiles; i++) {
        struct stat sst;
        int same = exists ? stat(dc->files[i].path, &sst) == 0 && sst.st_dev == ost.st_dev &&
                                sst.st_ino == ost.st_ino
                          : strcmp(dc->files[i].path, path) == 0;
        if (same) {
            snprintf(err, errsz, i == 0 ? "%s: %s is the model's source file"
                                        : "%s: %s is a source file the model imports", opt, path);
            return -1;
        }
    }
    /* the link renames over out: a symlink, device, FIFO or directory there is refused */
    struct stat lst;
    if (is_exe && lstat(path, &lst) == 0 && !S_ISREG(lst.st_mode)) {
        snprintf(err, errsz, "%s: %s exists and is not a regular file", opt, path);
        return -1;
    }
    return 0;
}

int drv_check_outputs(const diag_ctx *dc, const char *out, const char *emit_llvm,
                      const char *emit_llvm_raw, char *err, size_t errsz)
{
    if (drv_check_output(dc, "-o", out, 1, err, errsz) != 0 ||
        drv_check_output(dc, "--emit-llvm", emit_llvm, 0, err, errsz) != 0 ||
        drv_check_output(dc, "--emit-llvm-unoptimized", emit_llvm_raw, 0, err, errsz) != 0)
        return -1;
    return 0;
}

/* The compiler command the link runs: $CC, or the default compiler when $CC is unset, empty
 * or only blanks (the one meson built the archive with, for the build tree's archive; else
 * cc); *extra: the build tree's extra link flags, or "". */
static const char *drv_link_cc(const char *runtime_lib, const char **extra)
{
    const char *cc = getenv("CC");
    int cc_blank = !cc || cc[strspn(cc, " \t")] == '\0';
    *extra = "";
#ifdef FAB_BUILD_RUNTIME_LIB
    int build_tree = strcmp(runtime_lib, FAB_BUILD_RUNTIME_LIB) == 0;
    if (build_tree)
        *extra = FAB_BUILD_LINK_ARGS;
    if (cc_blank && build_tree) {
        cc = FAB_BUILD_LINK_CC;
        cc_blank = cc[strspn(cc, " \t")] == '\0';
    }
#else
    (void)runtime_lib;
#endif
    return cc_blank ? "cc" : cc;
}

int drv_link_compiler(const char *runtime_lib, char *buf, size_t n)
{
    const char *extra;
    const char *cc = drv_link_cc(runtime_lib, &extra);
    cc += strspn(cc, " \t");
    size_t len = strcspn(cc, " \t");
    char name[PATH_MAX], cand[PATH_MAX], real[PATH_MAX];
    if (len == 0 || len >= sizeof name)
        return -1;
    memcpy(name, cc, len);
    name[len] = '\0';
    if (strchr(name, '/')) {
        if (!realpath(name, real))
            return -1;
    } else {
        /* the search posix_spawnp makes: $PATH, or the system's default path */
        const char *path = getenv("PATH");
        char defpath[256];
        if (!path) {
            size_t dn = confstr(_CS_PATH, defpath, sizeof defpath);
            path = dn > 0 && dn <= sizeof defpath ? defpath : "/bin:/usr/bin";
        }
        for (;;) {
            size_t dl = strcspn(path, ":");
            int w = dl == 0 ? snprintf(cand, sizeof cand, "%s", name)
                            : snprintf(cand, sizeof cand, "%.*s/%s", (int)dl, path, name);
            if (w > 0 && (size_t)w < sizeof cand && drv_is_file(cand) && access(cand, X_OK) == 0
                && realpath(cand, real))
                break;
            if (path[dl] == '\0')
                return -1;
            path += dl + 1;
        }
    }
    if ((size_t)snprintf(buf, n, "%s", real) >= n)
        return -1;
    return 0;
}

/* The linker's argument list: the compiler command (drv_link_cc) split on spaces and tabs, the
 * build tree's extra flags, then the inputs and -o out.
 * Returns a malloc'ed NULL-terminated vector whose strings live in *words (also malloc'ed),
 * or NULL when out of memory. */
static char **drv_link_argv(const char *obj, const char *out, const char *runtime_lib, char **words)
{
    const char *extra;
    const char *cc = drv_link_cc(runtime_lib, &extra);
    size_t cclen = strlen(cc), extralen = strlen(extra);
    char *buf = malloc(cclen + extralen + 2);
    if (!buf)
        return NULL;
    memcpy(buf, cc, cclen + 1);
    memcpy(buf + cclen + 1, extra, extralen + 1);
    /* at most one word per two characters, plus the six fixed arguments and the NULL */
    size_t cap = (cclen + extralen) / 2 + 2 + 7;
    char **argv = malloc(cap * sizeof *argv);
    if (!argv) {
        free(buf);
        return NULL;
    }
    size_t argc = 0;
    char *save;
    for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
        argv[argc++] = tok;
    for (char *tok = strtok_r(buf + cclen + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
        argv[argc++] = tok;
    argv[argc++] = (char *)obj;
    argv[argc++] = (char *)runtime_lib;
    argv[argc++] = "-lm";
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc] = NULL;
    *words = buf;
    return argv;
}

int drv_link(const char *obj, const char *out, const char *runtime_lib, char *err, size_t errsz)
{
    /* The linker writes a unique temporary in out's directory, renamed over out only when it
     * succeeded: a failed or interrupted link leaves the previous out as it was. */
    const char *slash = strrchr(out, '/');
    size_t dirlen = slash ? (size_t)(slash - out) + 1 : 0;
    char *tmp = malloc(dirlen + sizeof ".fabc-link-XXXXXX");
    if (!tmp) {
        snprintf(err, errsz, "linking %s failed: out of memory", out);
        return -1;
    }
    memcpy(tmp, out, dirlen);
    memcpy(tmp + dirlen, ".fabc-link-XXXXXX", sizeof ".fabc-link-XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create a temporary file in the directory of %s: %s", out,
                 strerror(errno));
        free(tmp);
        return -1;
    }
    close(fd);
    int slot = drv_tmp_register(tmp);
    char *words = NULL;
    char **argv = drv_link_argv(obj, tmp, runtime_lib, &words);
    int rc = -1;
    if (!argv) {
        snprintf(err, errsz, "linking %s failed: out of memory", out);
    } else {
        char sub[512];
        int st = drv_spawn_wait(argv, sub, sizeof sub);
        if (st < 0) {
            snprintf(err, errsz, "linking %s failed: %s", out, sub);
        } else if (st != 0) {
            snprintf(err, errsz, "linking %s failed: %s exited with status %d", out, argv[0], st);
        } else {
            /* the mode a linker gives a new executable (mkstemp's 0600 if it wrote in place) */
            mode_t mask = umask(0);
            umask(mask);
            if (chmod(tmp, 0777 & ~mask) != 0 || rename(tmp, out) != 0)
                snprintf(err, errsz, "cannot move the linked executable to %s: %s", out,
                         strerror(errno));
            else
                rc = 0;
        }
    }
    if (rc != 0)
        unlink(tmp);
    drv_tmp_unregister(slot);
    free(argv);
    free(words);
    free(tmp);
    return rc;
}
