/*
 * arena.h — bump allocation and interned strings for the compiler.
 *
 * In:  sizes and strings. Out: pointers valid until arena_free().
 * Memory: the arena owns every block; nothing is freed individually. The compiler creates
 * one arena per run and frees it at exit (the AST, the checked model and all interned names
 * live in it). Out of memory is reported by returning NULL from arena_alloc after setting
 * arena.oom (callers in the compiler treat it as fatal at the driver level; no exit() here).
 * Interned strings (xxHash-keyed table) can be compared by pointer.
 * Not handled: thread safety.
 */
#ifndef FAB_ARENA_H
#define FAB_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;
    size_t used_total;
    /* interning table */
    const char **itab;
    size_t icap, icount;
    bool oom;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Zeroed memory, 16-byte aligned. */
void *arena_alloc(arena *a, size_t n);
/* Array of n zeroed elements of size sz (overflow-checked). */
void *arena_array(arena *a, size_t n, size_t sz);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The unique copy of s[0..n): equal strings give equal pointers. */
const char *arena_intern(arena *a, const char *s, size_t n);

/* A growable array of pointers, storage in the arena (old storage is abandoned). */
typedef struct ptrvec {
    void **items;
    int n, cap;
} ptrvec;
void ptrvec_push(arena *a, ptrvec *v, void *p);

#endif
