/*
 * drv_cache.c — the `fabc run` build cache: where it lives, and the key of a build.
 *
 * In:  environment ($FAB_CACHE_DIR, $XDG_CACHE_HOME, $HOME) and the bytes that determine a
 *      build. Out: a directory path, and a 128-bit XXH3 key as 32 hex digits.
 * The key covers tagged, length-prefixed byte strings, so ("ab","c") and ("a","bc") differ.
 * Memory: drv_key owns an XXH3 state freed by drv_key_finish; drv_read_file's buffer is the
 *      caller's.
 * Entries: KEY (the simulator) and KEY.sum, a record of its size and XXH3-128 hash written
 *      after the simulator is complete and renamed into place last; an entry is used only when
 *      the two agree, so a truncated or replaced entry is rebuilt.
 * Not handled: cache eviction (entries are small; delete the directory to clear it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "drv_support.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
    /* mkdir's EEXIST also covers a regular file of that name */
    struct stat st;
    if (stat(buf, &st) != 0) {
        snprintf(err, errsz, "cannot use cache directory %s: %s", buf, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errsz, "cache directory %s is not a directory (set FAB_CACHE_DIR to a directory)",
                 buf);
        return -1;
    }
    if (access(buf, W_OK | X_OK) != 0) {
        snprintf(err, errsz, "cache directory %s is not writable: %s", buf, strerror(errno));
        return -1;
    }
    return 0;
}

/* Size and XXH3-128 hash (32 hex digits) of the open file fd, read from its start. */
static int drv_fd_hash(int fd, long long *size, char hex[33])
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return -1;
    XXH3_128bits_reset(st);
    char buf[65536];
    long long n = 0;
    ssize_t got;
    if (lseek(fd, 0, SEEK_SET) != 0)
        got = -1;
    else
        while ((got = read(fd, buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
            if (got > 0) {
                XXH3_128bits_update(st, buf, (size_t)got);
                n += got;
            }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    XXH3_freeState(st);
    if (got < 0)
        return -1;
    *size = n;
    snprintf(hex, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    return 0;
}

int drv_cache_entry_ok(const char *exe)
{
    char sum[PATH_MAX + 16];
    if ((size_t)snprintf(sum, sizeof sum, "%s.sum", exe) >= sizeof sum)
        return 0;
    size_t len;
    char *rec = drv_read_file(sum, &len);
    if (!rec)
        return 0;
    long long want_size;
    char want_hex[33];
    int fields = sscanf(rec, "fab-cache 1 size %lld xxh3-128 %32[0-9a-f]", &want_size, want_hex);
    free(rec);
    if (fields != 2 || strlen(want_hex) != 32)
        return 0;
    int fd = open(exe, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    long long size;
    char hex[33];
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == want_size &&
             drv_fd_hash(fd, &size, hex) == 0 && size == want_size && strcmp(hex, want_hex) == 0;
    close(fd);
    return ok && access(exe, X_OK) == 0;
}

int drv_cache_store(const char *tmp, const char *exe, char *err, size_t errsz)
{
    char sum[PATH_MAX + 16], sumtmp[PATH_MAX + 32];
    if ((size_t)snprintf(sum, sizeof sum, "%s.sum", exe) >= sizeof sum ||
        (size_t)snprintf(sumtmp, sizeof sumtmp, "%s.tmp.XXXXXX", sum) >= sizeof sumtmp) {
        snprintf(err, errsz, "cache entry path %s is too long", exe);
        return -1;
    }
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    long long size;
    char hex[33];
    if (fd < 0 || fsync(fd) != 0 || drv_fd_hash(fd, &size, hex) != 0) {
        snprintf(err, errsz, "cannot read back %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    /* mkstemp made tmp 0600; a linker that rewrites its output in place keeps that mode */
    mode_t mask = umask(0);
    umask(mask);
    if (chmod(tmp, 0777 & ~mask) != 0) {
        snprintf(err, errsz, "cannot make %s executable: %s", tmp, strerror(errno));
        return -1;
    }
    int sfd = mkstemp(sumtmp);
    if (sfd < 0) {
        snprintf(err, errsz, "cannot create %s: %s", sumtmp, strerror(errno));
        return -1;
    }
    if (fchmod(sfd, 0666 & ~mask) != 0) {
        snprintf(err, errsz, "cannot set the mode of %s: %s", sumtmp, strerror(errno));
        close(sfd);
        unlink(sumtmp);
        return -1;
    }
    char rec[128];
    int n = snprintf(rec, sizeof rec, "fab-cache 1\nsize %lld\nxxh3-128 %s\n", size, hex);
    if (write(sfd, rec, (size_t)n) != n || fsync(sfd) != 0) {
        snprintf(err, errsz, "cannot write %s: %s", sumtmp, strerror(errno ? errno : EIO));
        close(sfd);
        unlink(sumtmp);
        return -1;
    }
    close(sfd);
    /* an entry that is a directory cannot be renamed over; an empty one is removed */
    struct stat st;
    if (lstat(exe, &st) == 0 && S_ISDIR(st.st_mode))
        rmdir(exe);
    /* the simulator first, its record last: a record names only a complete simulator */
    if (rename(tmp, exe) != 0) {
        if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
            snprintf(err, errsz, "the cache entry %s is a directory: remove it", exe);
        else
            snprintf(err, errsz, "cannot move %s into the cache as %s: %s", tmp, exe,
                     strerror(errno));
        unlink(sumtmp);
        return -1;
    }
    if (rename(sumtmp, sum) != 0) {
        snprintf(err, errsz, "cannot move %s into the cache as %s: %s", sumtmp, sum,
                 strerror(errno));
        unlink(sumtmp);
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
