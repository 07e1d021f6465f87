/*
 * arena.c — bump allocator and string interning (see arena.h for the contract).
 * Blocks are malloc'ed, chained and freed together by arena_free. Interning uses an
 * open-addressing table keyed by XXH3 hashes; the table itself is malloc'ed (it grows).
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct arena_block {
    arena_block *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64 * 1024)

void arena_init(arena *a)
{
    memset(a, 0, sizeof *a);
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a->itab);
    memset(a, 0, sizeof *a);
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK_MIN ? n : ARENA_BLOCK_MIN;
        b = malloc(sizeof *b + cap);
        if (!b) {
            a->oom = true;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        /* Keep a partly used head block in front when the new block is a large one-off. */
        if (a->head && n > ARENA_BLOCK_MIN) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_total += n;
    memset(p, 0, n);
    return p;
}

void *arena_array(arena *a, size_t n, size_t sz)
{
    if (sz && n > SIZE_MAX / sz) {
        a->oom = true;
        return NULL;
    }
    size_t total = n * sz;
    return arena_alloc(a, total ? total : 1);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static void intern_grow(arena *a)
{
    size_t ncap = a->icap ? a->icap * 2 : 1024;
    const char **nt = calloc(ncap, sizeof *nt);
    if (!nt) {
        a->oom = true;
        return;
    }
    for (size_t i = 0; i < a->icap; i++) {
        const char *s = a->itab[i];
        if (!s)
            continue;
        size_t h = (size_t)XXH3_64bits(s, strlen(s)) & (ncap - 1);
        while (nt[h])
            h = (h + 1) & (ncap - 1);
        nt[h] = s;
    }
    free(a->itab);
    a->itab = nt;
    a->icap = ncap;
}

const char *arena_intern(arena *a, const char *s, size_t n)
{
    if ((a->icount + 1) * 2 > a->icap) {
        intern_grow(a);
        if (!a->itab)
            return arena_strndup(a, s, n);
    }
    size_t mask = a->icap - 1;
    size_t h = (size_t)XXH3_64bits(s, n) & mask;
    while (a->itab[h]) {
        const char *t = a->itab[h];
        if (strncmp(t, s, n) == 0 && t[n] == 0)
            return t;
        h = (h + 1) & mask;
    }
    char *p = arena_strndup(a, s, n);
    if (!p)
        return "";
    a->itab[h] = p;
    a->icount++;
    return p;
}

void ptrvec_push(arena *a, ptrvec *v, void *p)
{
    if (v->n == v->cap) {
        int ncap = v->cap ? v->cap * 2 : 8;
        void **ni = arena_array(a, (size_t)ncap, sizeof *ni);
        if (!ni)
            return;
        if (v->n)
            memcpy(ni, v->items, (size_t)v->n * sizeof *ni);
        v->items = ni;
        v->cap = ncap;
    }
    v->items[v->n++] = p;
}
