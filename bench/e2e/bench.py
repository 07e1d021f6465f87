#!/usr/bin/env python3
"""Benchmark of fabc and its generated simulators (never run as a timed test).

Usage: bench.py FABC [--stations N] [--repeat R] [--opt N] [--c-bench PATH] [--horizon S]

1. Generates the N-station serial line of gen_line.py (default 1000 stations), the same line
   as the runtime's C-API benchmark bench/runtime/bench_line.c.
2. Times `fabc build` of it (R runs; median and minimum of the wall time).
3. Runs the simulator for its 8-hour shift (R runs) and reports the ratio of simulated to real
   time (whole process, wall clock) and the events per second.
4. With --c-bench PATH (build/bench/runtime/bench_line): runs the C-API benchmark and the
   generated simulator alternately on the same line for --horizon seconds (default 200000),
   checks that both execute the same number of events, and compares events per second by
   CPU time of the whole process and by each program's own timer.
5. With --c-bench and --callgrind: counts the instructions both execute inside the runtime's
   replication loop (rt_sim_run, valgrind --tool=callgrind --toggle-collect) over one 8-hour
   shift: a measure of the work per event that does not depend on the machine's load.
Prints Markdown tables for docs/performance.md.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(args):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        sys.exit("%s failed (%d):\n%s" % (" ".join(args), p.returncode, p.stderr))
    return wall, cpu, p.stdout


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fabc")
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--no-failures", action="store_true")
    ap.add_argument("--c-bench")
    ap.add_argument("--horizon", type=float, default=200000.0)
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="fab-bench-") as d:
        model = os.path.join(d, "line%d.fab" % a.stations)
        gen = [sys.executable, os.path.join(HERE, "gen_line.py"), str(a.stations)]
        if a.no_failures:
            gen.append("--no-failures")
        with open(model, "w") as f:
            f.write(subprocess.run(gen, check=True, capture_output=True, text=True).stdout)
        exe = os.path.join(d, "line%d" % a.stations)

        builds = [run([a.fabc, "build", model, "-o", exe, "-O", str(a.opt)]) for _ in range(a.repeat)]
        shift = []
        for _ in range(a.repeat):
            wall, cpu, out = run([exe, "--json", "-", "--quiet"])
            res = json.loads(out)
            shift.append((wall, cpu, res["events"], res["horizon_s"]))
        wall = med(s[0] for s in shift)
        cpu = med(s[1] for s in shift)
        events, horizon = shift[0][2], shift[0][3]

        print("| measure (%d stations, failures %s) | value |" %
              (a.stations, "off" if a.no_failures else "on"))
        print("|---|---|")
        print("| `fabc build -O%d`, wall, median of %d (min) | %.3f s (%.3f s) |" %
              (a.opt, a.repeat, med(b[0] for b in builds), min(b[0] for b in builds)))
        print("| `fabc build -O%d`, CPU, median | %.3f s |" % (a.opt, med(b[1] for b in builds)))
        print("| events in one 8 h replication | %d |" % events)
        print("| simulator process for 8 h, wall, median (CPU) | %.3f s (%.3f s) |" % (wall, cpu))
        print("| simulated time / real time, whole process, wall | %.0f x |" % (horizon / wall))
        print("| events per second, whole process, CPU | %.3g |" % (events / cpu))

        if a.c_bench:
            rows = []
            for _ in range(a.repeat):
                w1, c1, out = run([a.c_bench, "--stations", str(a.stations),
                                   "--horizon", "%.17g" % a.horizon])
                m = re.search(r"events (\d+)\s+wall ([0-9.]+) s", out)
                if not m:
                    sys.exit("unexpected bench_line output: " + out)
                ev_c, inner_c = int(m.group(1)), float(m.group(2))
                w2, c2, out = run([exe, "--json", "-", "--quiet", "--horizon", "%.17g" % a.horizon])
                res = json.loads(out)
                rows.append((ev_c, c1, inner_c, res["events"], c2, res["wall_time_s"]))
            ev_c, ev_g = rows[0][0], rows[0][3]
            print()
            print("| %d stations, horizon %.0f s, median of %d | C API (bench_line) | generated simulator |"
                  % (a.stations, a.horizon, a.repeat))
            print("|---|---|---|")
            print("| events | %d | %d |" % (ev_c, ev_g))
            print("| events/s by process CPU time | %.3g | %.3g |" %
                  (ev_c / med(r[1] for r in rows), ev_g / med(r[4] for r in rows)))
            print("| events/s by the program's own timer | %.3g (run loop) | %.3g (replication incl. set-up) |" %
                  (ev_c / med(r[2] for r in rows), ev_g / med(r[5] for r in rows)))
            if ev_c != ev_g:
                print("\nWARNING: the two programs executed different numbers of events")
            if a.callgrind:
                counts = []
                for prog in ([a.c_bench, "--stations", str(a.stations), "--horizon", "28800"],
                             [exe, "--quiet", "--horizon", "28800"]):
                    out = os.path.join(d, "callgrind.out")
                    p = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=rt_sim_run",
                                        "--callgrind-out-file=" + out] + prog,
                                       capture_output=True, text=True)
                    m = re.search(r"Collected : (\d+)", p.stderr)
                    if p.returncode != 0 or not m:
                        sys.exit("callgrind failed:\n" + p.stderr[-2000:])
                    counts.append(int(m.group(1)))
                print()
                print("| instructions in rt_sim_run, one 8 h shift (%d events) | C API | generated |" % events)
                print("|---|---|---|")
                print("| total | %d | %d |" % tuple(counts))
                print("| per event | %.1f | %.1f |" % (counts[0] / events, counts[1] / events))


if __name__ == "__main__":
    main()
