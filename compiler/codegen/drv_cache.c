/*
 * drv_cache.c — the `fabc run` build cache: where it lives, and the key of a build.
 *
 * In:  environment ($FAB_CACHE_DIR, $XDG_CACHE_HOME, $HOME) and the bytes that determine a
 *      build. Out: a directory path, and a 128-bit XXH3 key as 32 hex digits.
 * The key covers tagged, length-prefixed byte strings, so ("ab","c") and ("a","bc") differ.
 * Memory: drv_key owns an XXH3 state freed by drv_key_finish; drv_read_file's buffer is the
 *      caller's.
 * Not handled: cache eviction (entries are small; delete the directory to clear it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "drv_support.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

struct drv_key {
    XXH3_state_t *st;
};

drv_key *drv_key_new(void)
{
    drv_key *k = malloc(sizeof *k);
    if (!k)
        return NULL;
    k->st = XXH3_createState();
    if (!k->st) {
        free(k);
        return NULL;
    }
    XXH3_128bits_reset(k->st);
    return k;
}

void drv_key_add(drv_key *k, const char *tag, const void *data, size_t len)
{
    uint64_t tl = strlen(tag), dl = len;
    XXH3_128bits_update(k->st, &tl, sizeof tl);
    XXH3_128bits_update(k->st, tag, tl);
    XXH3_128bits_update(k->st, &dl, sizeof dl);
    if (len)
        XXH3_128bits_update(k->st, data, len);
}

void drv_key_finish(drv_key *k, char hex[33])
{
    XXH128_hash_t h = XXH3_128bits_digest(k->st);
    snprintf(hex, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    XXH3_freeState(k->st);
    free(k);
}

int drv_mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s", path) >= sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int drv_cache_dir(char *buf, size_t n, char *err, size_t errsz)
{
    const char *dir = getenv("FAB_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int w;
    if (dir && *dir)
        w = snprintf(buf, n, "%s", dir);
    else if (xdg && *xdg)
        w = snprintf(buf, n, "%s/fab", xdg);
    else if (home && *home)
        w = snprintf(buf, n, "%s/.cache/fab", home);
    else {
        snprintf(err, errsz, "no cache directory: set FAB_CACHE_DIR, XDG_CACHE_HOME or HOME");
        return -1;
    }
    if (w < 0 || (size_t)w >= n) {
        snprintf(err, errsz, "cache directory path is too long");
        return -1;
    }
    if (drv_mkdir_p(buf) != 0) {
        snprintf(err, errsz, "cannot create cache directory %s: %s", buf, strerror(errno));
        return -1;
    }
    return 0;
}

char *drv_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
