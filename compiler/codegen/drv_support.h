/*
 * drv_support.h — the parts of `fabc build` / `fabc run` that do not touch LLVM or the
 * front end: locating libfabrt, linking through the system C compiler, and the build cache.
 *
 * In:  paths and byte buffers. Out: 0 on success, -1 on failure with a one-line message in the
 *      caller's err buffer (the caller prints it as "fabc: error: ..."). No function exits.
 * Memory: callers own every buffer; nothing is allocated that outlives a call.
 * Not handled: Windows; linkers other than a cc-compatible driver.
 */
#ifndef FAB_DRV_SUPPORT_H
#define FAB_DRV_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Directory holding the running fabc executable (from /proc/self/exe). */
int drv_self_dir(char *buf, size_t n);

/* Path of libfabrt.a: $FAB_RUNTIME_LIB, else the build tree's archive when fabc runs from the
 * build tree, else <prefix>/<libdir>/libfabrt.a next to the installed <prefix>/<bindir>/fabc. */
int drv_runtime_lib(char *buf, size_t n, char *err, size_t errsz);

struct diag_ctx;

/* Refuses (-1, err: "OPTION: PATH ...") an output path of `fabc build` that names one of the
 * model's source files (dc's registered files: the same file, or the same path when the output
 * does not exist yet), and an -o output that exists and is not a regular file (lstat: a
 * symlink, a directory, a device or a FIFO). "-" for an IR option is standard output. */
int drv_check_outputs(const struct diag_ctx *dc, const char *out, const char *emit_llvm,
                      const char *emit_llvm_raw, char *err, size_t errsz);

/* cc OBJ RUNTIME_LIB -lm -o OUT, with $CC (split on spaces and tabs; unset, empty or
 * blank: cc) instead of cc if set. The executable is linked into a unique temporary in OUT's
 * directory and renamed over OUT on success; on failure OUT is untouched.
 * When RUNTIME_LIB is the build tree's archive, the default compiler is the one meson built
 * it with, plus the build's sanitizer flags (so a sanitizer build links its simulators).
 * The compiler's own messages go to stderr; a failure is reported in err. */
int drv_link(const char *obj, const char *out, const char *runtime_lib, char *err, size_t errsz);

/* The file the link's compiler command names (its first word, searched in PATH as
 * posix_spawnp does, symlinks resolved) into buf; -1 when it cannot be found. */
int drv_link_compiler(const char *runtime_lib, char *buf, size_t n);

/* Registers a temporary file to be removed if fabc is killed by SIGINT, SIGTERM or SIGHUP
 * (the handler is installed on the first call, except for signals that are ignored); returns
 * a slot for drv_tmp_unregister, or -1 when all slots are taken (the file is then not removed).
 * Unregister after removing or renaming the file. */
int drv_tmp_register(const char *path);
void drv_tmp_unregister(int slot);

/* Run argv[0] (searched in PATH) with argv and wait; returns its exit status, or -1 with err
 * set when it could not be started or died of a signal. */
int drv_spawn_wait(char *const argv[], char *err, size_t errsz);

/* Cache directory: $FAB_CACHE_DIR, else $XDG_CACHE_HOME/fab, else $HOME/.cache/fab; created
 * (with parents) when missing; an error unless it is a writable directory. */
int drv_cache_dir(char *buf, size_t n, char *err, size_t errsz);

/* Whether the cache entry exe is usable: a regular, executable file whose size and XXH3-128
 * hash are those its record exe.sum states. */
int drv_cache_entry_ok(const char *exe);

/* Makes the complete simulator tmp (in the cache directory) the entry exe: fsyncs it, writes
 * the record exe.sum under a unique temporary name and fsyncs it, renames tmp to exe, then the
 * record into place. The caller unlinks tmp on failure. */
int drv_cache_store(const char *tmp, const char *exe, char *err, size_t errsz);

/* mkdir -p */
int drv_mkdir_p(const char *path);

/* Read a whole file into a NUL-terminated heap buffer (caller frees); NULL on failure. */
char *drv_read_file(const char *path, size_t *len);

/* An incremental 128-bit XXH3 key over tagged byte strings. */
typedef struct drv_key drv_key;
drv_key *drv_key_new(void);
void drv_key_add(drv_key *k, const char *tag, const void *data, size_t len);
/* Writes 32 hex digits and a NUL into hex[33], and frees k. */
void drv_key_finish(drv_key *k, char hex[33]);

#endif
