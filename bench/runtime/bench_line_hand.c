/*
 * bench_line_hand.c — benchmark (c): the serial line of bench_line written by hand in
 * minimal C, as the speed limit for the runtime. Same model (saturated source, N stations
 * with exponential(10 s) cycles, buffers of 5, blocking after service, operating-time
 * failures exponential(8 h) / exponential(10 min)), same random streams and samplers, a
 * plain binary heap of 24-byte events, fixed arrays, no statistics beyond the output count.
 *
 *   bench_line_hand [--stations N] [--horizon SECONDS]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fab/dist.h"
#include "fab/rng.h"

enum { IDLE, BUSY, BLOCKED, DOWN };
enum { EV_END, EV_FAIL, EV_REPAIR };
#define BUF_CAP 5

typedef struct ev { double t; uint64_t key; } ev;  /* key = seq << 24 | kind << 20 | station */

typedef struct st {
    int state, resume, has_part;
    uint32_t end_gen, fail_gen;
    double end_time, remaining, op_left, busy_start;
    fab_rng cyc, ttf, ttr;
} st;

static ev *heap;
static size_t hn;
static uint64_t seq;
static st *S;
static int *buf;
static int N;
static double now;
static uint64_t out, events;

static void push(double t, int kind, int i)
{
    ev e = {t, (seq++ << 24) | ((uint64_t)kind << 20) | (uint64_t)i};
    size_t k = hn++;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (heap[p].t < e.t || (heap[p].t == e.t && heap[p].key < e.key))
            break;
        heap[k] = heap[p];
        k = p;
    }
    heap[k] = e;
}

static ev pop(void)
{
    ev top = heap[0], last = heap[--hn];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= hn)
            break;
        if (c + 1 < hn && (heap[c + 1].t < heap[c].t ||
                           (heap[c + 1].t == heap[c].t && heap[c + 1].key < heap[c].key)))
            c++;
        if (last.t < heap[c].t || (last.t == heap[c].t && last.key < heap[c].key))
            break;
        heap[k] = heap[c];
        k = c;
    }
    heap[k] = last;
    return top;
}

static void begin_busy(int i, double d)
{
    st *s = &S[i];
    s->state = BUSY;
    s->busy_start = now;
    s->end_time = now + d;
    s->end_gen++;
    push(s->end_time, EV_END, i);
    if (s->op_left < d) {
        s->fail_gen++;
        push(now + s->op_left, EV_FAIL, i);
    }
}

static void stop_busy(int i)
{
    st *s = &S[i];
    s->op_left -= now - s->busy_start;
    s->fail_gen++;
}

static void unblock(int i);

/* station i takes a part if idle (from the source, or from buffer i-1) */
static void try_start(int i)
{
    st *s = &S[i];
    if (s->state != IDLE)
        return;
    if (i > 0) {
        if (buf[i - 1] == 0)
            return;
        buf[i - 1]--;
    }
    s->has_part = 1;
    begin_busy(i, fab_dist_exponential(&s->cyc, 10.0));
    if (i > 0)
        unblock(i - 1);
}

/* buffer i has room: station i, if blocked, puts its part in */
static void unblock(int i)
{
    st *s = &S[i];
    if (s->state != BLOCKED || buf[i] >= BUF_CAP)
        return;
    buf[i]++;
    s->state = IDLE;
    s->has_part = 0;
    try_start(i + 1);
    try_start(i);
}

static void finish(int i)
{
    st *s = &S[i];
    stop_busy(i);
    if (i == N - 1) {
        out++;
        s->state = IDLE;
        s->has_part = 0;
        try_start(i);
        return;
    }
    s->state = BLOCKED;
    unblock(i);
}

int main(int argc, char **argv)
{
    N = 1000;
    double horizon = 200000;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--stations") && v && (N = atoi(v)) > 0)
            continue;
        if (!strcmp(argv[i], "--horizon") && v && (horizon = atof(v)) > 0)
            continue;
        fprintf(stderr, "usage: bench_line_hand [--stations N>0] [--horizon SECONDS>0]\n");
        return strcmp(argv[i], "--help") ? 2 : 0;
    }
    heap = malloc(sizeof *heap * (size_t)(4 * N + 16));
    S = calloc((size_t)N, sizeof *S);
    buf = calloc((size_t)N, sizeof *buf);
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "s%d", i + 1);
        fab_rng_init(&S[i].cyc, 1, name, "cycle", 0);
        fab_rng_init(&S[i].ttf, 1, name, "failure.jam.ttf", 0);
        fab_rng_init(&S[i].ttr, 1, name, "failure.jam.ttr", 0);
        S[i].op_left = fab_dist_exponential(&S[i].ttf, 8 * 3600.0);
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (int i = 0; i < N; i++)
        try_start(i);
    while (hn > 0) {
        ev e = pop();
        if (e.t > horizon)
            break;
        now = e.t;
        events++;
        int i = (int)(e.key & 0xFFFFF), kind = (int)((e.key >> 20) & 0xF);
        st *s = &S[i];
        (void)kind;
        if (kind == EV_END) {
            if (s->state == BUSY && e.t == s->end_time)
                finish(i);
        } else if (kind == EV_FAIL) {
            if (s->state == BUSY && now - s->busy_start >= s->op_left - 1e-9 &&
                now < s->end_time) {
                stop_busy(i);
                s->remaining = s->end_time - now;
                s->end_gen++;
                s->end_time = -1;
                s->state = DOWN;
                push(now + fab_dist_exponential(&s->ttr, 600.0), EV_REPAIR, i);
            }
        } else {
            s->op_left = fab_dist_exponential(&s->ttf, 8 * 3600.0);
            begin_busy(i, s->remaining);
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
    printf("hand-written line: stations %d  horizon %.0f s  events %llu  wall %.3f s  cpu %.3f s  "
           "%.2f M events/s  parts out %llu\n", N, horizon, (unsigned long long)events, wall, cpu,
           events / cpu / 1e6, (unsigned long long)out);
    return 0;
}
