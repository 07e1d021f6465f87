#!/usr/bin/env python3
"""Write a .fab model of an N-station serial line to stdout (benchmark input).

Usage: gen_line.py [N] [--no-failures] [--horizon SECONDS]
The line of the runtime's C-API benchmark (bench/runtime/bench_line.c), with the same element
names, so both draw the same random numbers and execute the same events:
    saturated source raw -> s1 -> b1 -> s2 -> ... -> b(N-1) -> sN -> sink done
cycle exponential(mean 10 s), buffers of capacity 5, and per station (unless --no-failures) a
failure mode `jam`: time to failure exponential(mean 8 h) of operating time, repair
exponential(mean 10 min). One replication of an 8-hour shift, no warmup, seed 1 (the seed
bench_line passes to rt_sim_new).
"""
import sys


def main():
    argv = sys.argv[1:]
    horizon = "8 h"
    if "--horizon" in argv:
        k = argv.index("--horizon")
        horizon = "%s s" % argv[k + 1]
        del argv[k:k + 2]
    args = [a for a in argv if not a.startswith("--")]
    n = int(args[0]) if args else 1000
    failures = "--no-failures" not in argv
    out = []
    out.append("// Benchmark: a saturated %d-station serial line with finite buffers%s." %
               (n, " and failures" if failures else ""))
    out.append('model "serial line" {\n  horizon = %s\n  warmup = 0 h\n  replications = 1\n'
               '  seed = 1\n}\n' % horizon)
    out.append("part P\n")
    out.append("source raw {\n  part = P\n  supply = unlimited\n}\n")
    for i in range(1, n + 1):
        if i > 1:
            out.append("buffer b%d { capacity = 5 }" % (i - 1))
        st = "station s%d {\n  cycle = exponential(mean: 10 s)\n" % i
        if failures:
            st += ("  failure jam {\n    ttf = exponential(mean: 8 h)\n"
                   "    ttr = exponential(mean: 10 min)\n  }\n")
        out.append(st + "}")
    out.append("\nsink done\n")
    chain = ["raw"]
    for i in range(1, n + 1):
        if i > 1:
            chain.append("b%d" % (i - 1))
        chain.append("s%d" % i)
    chain.append("done")
    for k in range(0, len(chain) - 1, 10):
        out.append("flow " + " -> ".join(chain[k:k + 11]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
