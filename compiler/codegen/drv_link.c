/*
 * drv_link.c — find libfabrt and link a generated object into a simulator executable.
 *
 * In:  an object file path, an output path. Out: the executable, linked by the system C
 *      compiler ($CC or cc) with libfabrt.a, -lxxhash and -lm, so that the simulator needs only
 *      the C library, libm and libxxhash at run time.
 * Processes are started with posix_spawnp and waited for; never through a shell.
 * Not handled: $CC values with quoted arguments (it is split on spaces only).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "drv_support.h"

#include <errno.h>
#include <limits.h>
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

int drv_link(const char *obj, const char *out, const char *runtime_lib, char *err, size_t errsz)
{
    const char *cc = getenv("CC");
    const char *extra = "";
#ifdef FAB_BUILD_RUNTIME_LIB
    int build_tree = strcmp(runtime_lib, FAB_BUILD_RUNTIME_LIB) == 0;
    if (build_tree)
        extra = FAB_BUILD_LINK_ARGS;
    if ((!cc || !*cc) && build_tree)
        cc = FAB_BUILD_LINK_CC;
#endif
    if (!cc || !*cc)
        cc = "cc";
    char ccbuf[1024], extrabuf[512];
    snprintf(ccbuf, sizeof ccbuf, "%s", cc);
    snprintf(extrabuf, sizeof extrabuf, "%s", extra);

    char *argv[64];
    int argc = 0;
    for (char *tok = strtok(ccbuf, " \t"); tok && argc < 30; tok = strtok(NULL, " \t"))
        argv[argc++] = tok;
    if (argc == 0) {
        snprintf(err, errsz, "CC is empty");
        return -1;
    }
    for (char *tok = strtok(extrabuf, " \t"); tok && argc < 50; tok = strtok(NULL, " \t"))
        argv[argc++] = tok;
    argv[argc++] = (char *)obj;
    argv[argc++] = (char *)runtime_lib;
    argv[argc++] = "-lxxhash";
    argv[argc++] = "-lm";
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc] = NULL;

    char sub[512];
    int rc = drv_spawn_wait(argv, sub, sizeof sub);
    if (rc < 0) {
        snprintf(err, errsz, "linking %s failed: %s", out, sub);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errsz, "linking %s failed: %s exited with status %d", out, argv[0], rc);
        return -1;
    }
    return 0;
}
