#!/usr/bin/env python3
"""Benchmark of fabc and its generated simulators (never run as a timed test).

Usage: bench.py FABC [--stations N] [--repeat R] [--opt N] [--keep DIR]

1. Generates the N-station serial line of gen_line.py (default 1000 stations, failures on).
2. Times `fabc build` of it (R runs; the median and the minimum are reported).
3. Runs the simulator for its 8-hour shift, one replication (R runs), and reports the ratio of
   simulated to real time and the events per second, from the simulator's own JSON
   ("events", "wall_time_s") and from the process's wall time.
Prints a Markdown table for docs/performance.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(args):
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("%s failed (%d):\n%s" % (" ".join(args), p.returncode, p.stderr))
    return dt, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fabc")
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--no-failures", action="store_true")
    ap.add_argument("--keep")
    a = ap.parse_args()

    d = a.keep or tempfile.mkdtemp(prefix="fab-bench-")
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "line%d.fab" % a.stations)
    gen = [sys.executable, os.path.join(HERE, "gen_line.py"), str(a.stations)]
    if a.no_failures:
        gen.append("--no-failures")
    with open(model, "w") as f:
        f.write(subprocess.run(gen, check=True, capture_output=True, text=True).stdout)
    exe = os.path.join(d, "line%d" % a.stations)

    builds = [timed([a.fabc, "build", model, "-o", exe, "-O", str(a.opt)])[0]
              for _ in range(a.repeat)]
    runs = []
    for _ in range(a.repeat):
        dt, out = timed([exe, "--json", "-", "--quiet", "--replications", "1"])
        res = json.loads(out)
        runs.append((dt, res["events"], res.get("wall_time_s"), res["horizon_s"] - 0.0))
    wall = statistics.median(r[0] for r in runs)
    inner = [r[2] for r in runs if r[2]]
    sim_wall = statistics.median(inner) if inner else wall
    events = runs[0][1]
    horizon = runs[0][3]

    print("| measure | value |")
    print("|---|---|")
    print("| stations | %d (failures %s) |" % (a.stations, "off" if a.no_failures else "on"))
    print("| `fabc build -O%d`, median of %d | %.3f s (min %.3f s) |" %
          (a.opt, a.repeat, statistics.median(builds), min(builds)))
    print("| events in one 8 h replication | %d |" % events)
    print("| simulator process wall time, median | %.4f s |" % wall)
    print("| simulated time / real time (process) | %.0f x |" % (horizon / wall))
    print("| events per second (process) | %.3g |" % (events / wall))
    print("| events per second (replication loop, JSON wall_time_s) | %.3g |" % (events / sim_wall))
    if not a.keep:
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


if __name__ == "__main__":
    main()
