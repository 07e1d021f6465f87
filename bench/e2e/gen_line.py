#!/usr/bin/env python3
"""Write a .fab model of an N-station serial line to stdout (benchmark input).

Usage: gen_line.py [N] [--no-failures]
A saturated source feeds N stations in series, separated by buffers of capacity 5; every
station has an exponential cycle (mean 60 s) and, unless --no-failures, an operating-time
failure mode (exponential time to failure, mean 8 h; exponential repair, mean 10 min). The
model runs one 8-hour shift with no warmup, one replication, seed 1: the same line as the
runtime's C-API benchmark (bench/runtime), so events per second can be compared.
"""
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1000
    failures = "--no-failures" not in sys.argv
    out = []
    out.append("// Benchmark: a saturated %d-station serial line with finite buffers%s." %
               (n, " and failures" if failures else ""))
    out.append('model "Line %d" {\n  horizon = 8 h\n  warmup = 0 h\n  replications = 1\n  seed = 1\n}\n' % n)
    out.append("part Item\n")
    out.append("source feed {\n  part = Item\n  supply = unlimited\n}\n")
    for i in range(n):
        if i > 0:
            out.append("buffer b%d { capacity = 5 }" % i)
        st = "station s%d {\n  cycle = exponential(mean: 60 s)\n" % i
        if failures:
            st += ("  failure f {\n    ttf = exponential(mean: 8 h)\n"
                   "    ttr = exponential(mean: 10 min)\n  }\n")
        out.append(st + "}")
    out.append("\nsink out\n")
    chain = ["feed"]
    for i in range(n):
        if i > 0:
            chain.append("b%d" % i)
        chain.append("s%d" % i)
    chain.append("out")
    for k in range(0, len(chain) - 1, 10):
        out.append("flow " + " -> ".join(chain[k:k + 11]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
