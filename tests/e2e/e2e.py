#!/usr/bin/env python3
"""End-to-end tests of fabc and the simulators it generates.

Usage: e2e.py FABC EXAMPLES_DIR CHECK
Each CHECK builds one or more models with FABC into a fresh temporary directory, runs the
simulator with --json and checks the results against queueing theory, conservation laws or the
other run. Exit status 0 = pass, 1 = fail (with the reason on stderr), 77 = skipped.
The statistical checks use the example's fixed seed; tolerances are the ones the issue states
(2 % of the exact value for M/M/1), never widened to make a run pass.
"""
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FABC = None
EXAMPLES = None
TMP = None


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(args, env=None, expect=0, timeout=300):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(args, capture_output=True, text=True, env=e, timeout=timeout)
    if expect is not None and p.returncode != expect:
        raise Fail("%s exited with %d (expected %d)\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(args), p.returncode, expect, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def build(model, out_name=None, opt=None, extra=()):
    src = model if os.path.isabs(model) else os.path.join(EXAMPLES, model)
    exe = os.path.join(TMP, out_name or os.path.splitext(os.path.basename(src))[0])
    args = [FABC, "build", src, "-o", exe]
    if opt is not None:
        args += ["-O", str(opt)]
    args += list(extra)
    run(args)
    check(os.access(exe, os.X_OK), "fabc build did not produce an executable " + exe)
    return exe


def simulate(exe, *args):
    p = run([exe, "--json", "-", "--quiet"] + list(args))
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise Fail("simulator output is not JSON (%s):\n%s" % (e, p.stdout[:2000]))


def stat(obj, *path):
    """The mean of a statistic object at path, checking the statistic's keys."""
    for k in path:
        check(isinstance(obj, dict) and k in obj, "missing key %s" % "/".join(path))
        obj = obj[k]
    for k in ("mean", "sd", "ci95_lo", "ci95_hi", "n"):
        check(k in obj, "statistic %s lacks %r" % ("/".join(path), k))
    return obj["mean"]


def elements(res, kind):
    return {n: e for n, e in res["elements"].items() if e.get("kind") == kind}


def strip_wall(res):
    res = dict(res)
    res.pop("wall_time_s", None)
    return res


# ---------------------------------------------------------------------------------------------

def t_build_all():
    """Every example builds, runs briefly and writes the sketch's JSON keys; a simulator does not
    need libxxhash."""
    files = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".fab"))
    check(len(files) >= 8, "expected the 5 spec examples and 3 realistic ones, found %d" % len(files))
    for f in files:
        exe = build(f)
        res = simulate(exe, "--replications", "2", "--horizon", "4h", "--warmup", "30min")
        for k in ("model", "seed", "replications", "horizon_s", "warmup_s", "events", "elements"):
            check(k in res, "%s: JSON lacks %r" % (f, k))
        check(res["replications"] == 2, "%s: --replications 2 not applied" % f)
        check(res["horizon_s"] == 14400 and res["warmup_s"] == 1800,
              "%s: --horizon 4h/--warmup 30min give %r/%r" % (f, res["horizon_s"], res["warmup_s"]))
        check(res["events"] > 0, "%s: no events" % f)
        for name, e in res["elements"].items():
            kind = e.get("kind")
            if kind == "station":
                stat(e, "throughput_per_h")
                stat(e, "utilization")
                for s in ("idle", "busy", "blocked", "setup", "down"):
                    stat(e, "state_fraction", s)
            elif kind == "buffer":
                stat(e, "mean_level"); stat(e, "max_level"); stat(e, "mean_wait_s")
            elif kind == "sink":
                stat(e, "count"); stat(e, "throughput_per_h"); stat(e, "lead_time_s")
        sinks = elements(res, "sink")
        check(sinks, "%s: no sink in the results" % f)
        check(sum(stat(s, "count") for s in sinks.values()) > 0, "%s: no part reached a sink" % f)
    # a simulator needs only the C library at run time: no libxxhash (the runtime carries XXH3)
    readelf = shutil.which("readelf")
    if readelf:
        needed = run([readelf, "-d", exe]).stdout
        check("libxxhash" not in needed, "the simulator needs libxxhash:\n" + needed)


def t_mm1():
    """M/M/1 at rho = 0.8: L = rho/(1-rho) = 4, W = 1/(mu-lambda) = 240 s, within 2 %, and the
    exact W inside the simulated 95 % confidence interval (significance level 5 %).

    The seed is the example's (1), so the test is deterministic. At that run length (10
    replications of 1900 h) the CI half-width of W is about 1.7 % of W, so a correct simulator
    would miss the 2 % band at roughly 2.5 % of seeds (|z| > 2.25) and the CI at 5 %."""
    res = simulate(build("mm1.fab"))
    lam, mu = 1 / 60.0, 1 / 48.0
    W_exact = 1 / (mu - lam)
    L_exact = lam * W_exact
    W = stat(res["elements"]["done"], "lead_time_s")
    L = stat(res["elements"]["queue"], "mean_level") + stat(res["elements"]["server"], "utilization")
    print("W = %.3f s (exact %.3f), L = %.4f (exact %.4f)" % (W, W_exact, L, L_exact))
    check(abs(W - W_exact) <= 0.02 * W_exact, "W = %g is not within 2 %% of %g" % (W, W_exact))
    ci = res["elements"]["done"]["lead_time_s"]
    check(ci["ci95_lo"] <= W_exact <= ci["ci95_hi"],
          "exact W %g outside the 95 %% CI [%g, %g]" % (W_exact, ci["ci95_lo"], ci["ci95_hi"]))
    check(abs(L - L_exact) <= 0.02 * L_exact, "L = %g is not within 2 %% of %g" % (L, L_exact))
    rho = stat(res["elements"]["server"], "utilization")
    check(abs(rho - 0.8) <= 0.02 * 0.8, "utilization %g is not within 2 %% of 0.8" % rho)


def t_assembly():
    """State fractions sum to 1, energy is positive and equals the state-weighted power, and the
    time units of the report are consistent (seconds, parts per hour)."""
    res = simulate(build("assembly_line.fab"))
    check(res["horizon_s"] == 8 * 3600 and res["warmup_s"] == 3600, "horizon/warmup not in seconds")
    T = res["horizon_s"] - res["warmup_s"]
    power = {"press": {"idle": 2e3, "busy": 15e3, "blocked": 2e3, "down": 300.0, "setup": 0.0}}
    stations = elements(res, "station")
    check(set(stations) >= {"press", "inspect", "rework"}, "stations missing: %s" % sorted(stations))
    for name, st in stations.items():
        fr = {s: stat(st, "state_fraction", s) for s in ("idle", "busy", "blocked", "setup", "down")}
        total = sum(fr.values())
        check(abs(total - 1.0) <= 1e-9, "%s: state fractions sum to %.15g" % (name, total))
        check(all(0.0 <= v <= 1.0 for v in fr.values()), "%s: fraction out of [0,1]: %r" % (name, fr))
    press = stations["press"]
    check(stat(press, "state_fraction", "down") > 0, "press never failed")
    e = stat(press, "energy_kwh")
    check(e > 0, "press energy %g is not positive" % e)
    fr = {s: stat(press, "state_fraction", s) for s in power["press"]}
    expect = T * sum(fr[s] * power["press"][s] for s in fr) / 3.6e6
    print("press energy %.6f kWh, from state fractions %.6f kWh" % (e, expect))
    check(abs(e - expect) <= 1e-6 * expect, "press energy %g kWh, state fractions give %g kWh" % (e, expect))
    join = res["elements"]["join"]
    check(stat(join, "energy_kwh") > 0, "join energy is not positive")
    packed = res["elements"]["packed"]
    cnt, tph = stat(packed, "count"), stat(packed, "throughput_per_h")
    check(abs(tph - cnt / (T / 3600.0)) <= 1e-9 * max(1.0, tph),
          "sink throughput_per_h %g != count %g / %g h" % (tph, cnt, T / 3600.0))
    # the press cannot work faster than its clamped cycle allows: at most 3600/30 parts per hour
    check(0 < stat(press, "throughput_per_h") <= 120.0, "press throughput outside (0, 120]/h")


def t_rules():
    """Ordering the queue by slack gives lower mean tardiness than FIFO (same seed, the
    example's: 3). At that seed slack ordering gives 0 s and FIFO about 14 s of mean
    tardiness, so the comparison is far from the noise of the 10 replications."""
    src = open(os.path.join(EXAMPLES, "rules.fab")).read()
    check("order = by slack(part) ascending" in src, "rules.fab changed")
    fifo = os.path.join(TMP, "rules_fifo.fab")
    open(fifo, "w").write(src.replace("order = by slack(part) ascending", "order = fifo"))

    def tardiness(res):
        tot = n = 0.0
        for s in elements(res, "sink").values():
            c = stat(s, "count")
            tot += stat(s, "tardiness_s") * c
            n += c
        return tot / n

    slack = tardiness(simulate(build("rules.fab")))
    plain = tardiness(simulate(build(fifo, "rules_fifo")))
    print("mean tardiness: slack %.1f s, FIFO %.1f s" % (slack, plain))
    check(slack < plain, "slack ordering (%g s) is not better than FIFO (%g s)" % (slack, plain))


def t_dynamic_key():
    """A buffer key that uses `now` non-affinely (weighted age) is evaluated when parts leave.
    At load 0.9 (M/M/1, both classes), FIFO gives both classes the same mean lead time, about
    600 s; serving by largest weighted age with weight 10 for Rush parts gives them close to
    priority (about 140 s against 800 s by the non-preemptive priority formula). Evaluated on
    entry the key is 0 for every part, the queue is FIFO and the ratio is near 1."""
    res = simulate(build(os.path.join(HERE, "models", "dynamic_key.fab")))
    el = res["elements"]
    rush, routine = stat(el["rush_done"], "lead_time_s"), stat(el["routine_done"], "lead_time_s")
    print("mean lead time: rush %.1f s, routine %.1f s" % (rush, routine))
    check(stat(el["rush_done"], "count") > 1000, "too few rush parts")
    check(rush < 0.5 * routine, "rush parts (%g s) are not served before routine ones (%g s)"
          % (rush, routine))


def t_state_key():
    """Order keys that read level() and state() are evaluated when a part leaves the buffer.
    In models/state_key.fab each line's machine takes A (x = 1) first, then at 10 min a B
    (the gate is empty: key -x), then at 20 min an A (the gate holds a part and is busy: key
    x). Exactly two A and one B are done by the horizon in each line; keys computed on entry
    would give one A and two B."""
    res = simulate(build(os.path.join(HERE, "models", "state_key.fab")))
    el = res["elements"]
    for how in ("level", "state"):
        a, b = stat(el["a_by_" + how], "count"), stat(el["b_by_" + how], "count")
        print("by %s: %g A, %g B" % (how, a, b))
        check((a, b) == (2, 1), "key by %s: %g A and %g B done, expected 2 A and 1 B "
              "(the key was not evaluated when the part left)" % (how, a, b))


def t_state_names():
    """A state name that also names an element (`station idle`) or a part type (`part busy`)
    is the state beside a station state: in models/state_names.fab the router sends the 30
    parts made while the gate is busy to `max` and the 29 made once it is idle to `min`."""
    res = simulate(build(os.path.join(HERE, "models", "state_names.fab")))
    el = res["elements"]
    mx, mn, other = stat(el["max"], "count"), stat(el["min"], "count"), stat(el["other"], "count")
    print("max %g, min %g, other %g" % (mx, mn, other))
    check((mx, mn, other) == (30, 29, 0), "%g parts to max, %g to min, %g to other: expected 30, "
          "29, 0 (`busy` and `idle` were not read as states)" % (mx, mn, other))


def t_attr_order():
    """An attribute that reads attributes declared after it gets their values: in
    models/attr_order.fab every part has a = b + 1 h = 2 c + 1 h = 7 h and leaves to `seven`
    (10 parts in 10 min); read in declaration order, a would be 1 h."""
    res = simulate(build(os.path.join(HERE, "models", "attr_order.fab")))
    el = res["elements"]
    seven, other = stat(el["seven"], "count"), stat(el["other"], "count")
    print("a == 7 h: %g parts, otherwise: %g" % (seven, other))
    check(seven >= 9 and other == 0, "%g parts with a == 7 h and %g others: the attributes were "
          "not computed after the ones they read" % (seven, other))
    # a constant attribute is a --set parameter of its own dimension (a time here): 4 h makes
    # a = 9 h; a length is refused
    exe = build(os.path.join(HERE, "models", "attr_order.fab"))
    el = simulate(exe, "--set", "P.attr.c=4h")["elements"]
    check(stat(el["seven"], "count") == 0 and stat(el["other"], "count") >= 9,
          "--set P.attr.c=4h did not make a = 9 h")
    one_line_error(run([exe, "--set", "P.attr.c=4m"], expect=2), "P.attr.c")


def t_fold_math():
    """exp and log folded at compile time equal the simulator's: models/fold_math.fab sends
    every part to `same` (359 in 1 h)."""
    el = simulate(build(os.path.join(HERE, "models", "fold_math.fab")))["elements"]
    same, different = stat(el["same"], "count"), stat(el["different"], "count")
    check(different == 0 and same >= 350, "folded and computed exp/log differ: %g same, %g "
          "different" % (same, different))


def t_fn_fan():
    """An order key through a chain of 40 fns, each calling the next twice, compiles at once:
    classifying the key by its dependence on `now` visits each fn once per argument classes,
    not 2^40 times (it took 41 s at 30 fns, doubling with each)."""
    model = os.path.join(TMP, "fan.fab")
    lines = ['model "fan" { horizon = 1 h; replications = 1 }', "fn f0(x) = x"]
    lines += ["fn f%d(x) = f%d(x) + f%d(x)" % (i, i - 1, i - 1) for i in range(1, 40)]
    lines += ["part P", "source s { part = P; interarrival = exponential(mean: 1 min) }",
              "buffer b { order = by f39(now) ascending }", "station m { cycle = constant(30 s) }",
              "sink k", "flow s -> b -> m -> k"]
    open(model, "w").write("\n".join(lines) + "\n")
    exe = os.path.join(TMP, "fan")
    run([FABC, "build", model, "-o", exe], timeout=60)
    check(stat(simulate(exe)["elements"]["k"], "count") > 0, "the fan model finished nothing")


def t_library():
    """The stdlib template resolves: the three Cnc instances are stations that fail."""
    res = simulate(build("library.fab"))
    for name in ("turn", "mill", "grind"):
        st = res["elements"].get(name)
        check(st and st["kind"] == "station", "%s is not a station in the results" % name)
        check(stat(st, "state_fraction", "busy") > 0, "%s never busy" % name)
    check(stat(res["elements"]["finished"], "count") > 0, "nothing finished")


def t_same_seed():
    """The same seed gives identical JSON (apart from wall time), also across --jobs."""
    exe = build("assembly_line.fab")
    a = strip_wall(simulate(exe, "--replications", "4"))
    b = strip_wall(simulate(exe, "--replications", "4"))
    check(a == b, "two runs with the same seed differ")
    c = strip_wall(simulate(exe, "--replications", "4", "--jobs", "2"))
    check(a == c, "--jobs 2 differs from --jobs 1")
    d = strip_wall(simulate(exe, "--replications", "4", "--seed", "43"))
    check(a != d, "a different seed gives the same results")


def statistics(res):
    """Every statistic object of a result, with its path."""
    out = []

    def walk(obj, path):
        if isinstance(obj, dict) and "mean" in obj and "n" in obj:
            out.append(("/".join(path), obj))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, path + [k])
    walk(res["elements"], [])
    return out


def t_replication_values():
    """--replication-values lists each statistic's value in every replication: n counts the
    non-null ones, their mean is the summary's mean, and the values are the same for any
    --jobs; without the flag the JSON is the same apart from the lists."""
    exe = build("assembly_line.fab")
    reps = 5
    a = strip_wall(simulate(exe, "--replications", str(reps), "--replication-values"))
    b = strip_wall(simulate(exe, "--replications", str(reps), "--replication-values",
                            "--jobs", "3"))
    check(a == b, "--jobs 3 gives other per-replication values than --jobs 1")
    stats = statistics(a)
    check(len(stats) > 20, "expected the statistics of every element, got %d" % len(stats))
    for path, s in stats:
        vals = s.get("values")
        check(isinstance(vals, list) and len(vals) == reps,
              "%s: expected %d values, got %r" % (path, reps, vals))
        defined = [v for v in vals if v is not None]
        check(s["n"] == len(defined), "%s: n = %d but %d values" % (path, s["n"], len(defined)))
        if defined:
            mean = sum(defined) / len(defined)
            check(abs(mean - s["mean"]) <= 1e-12 * max(1.0, abs(mean)),
                  "%s: mean of the values %r is not the mean %r" % (path, mean, s["mean"]))
    plain = strip_wall(simulate(exe, "--replications", str(reps)))
    for (path, s), (_, t) in zip(stats, statistics(plain)):
        check("values" not in t, "%s: values without --replication-values" % path)
        check({k: v for k, v in s.items() if k != "values"} == t,
              "%s: the summary differs with --replication-values" % path)


def t_opt_levels():
    """-O0 and -O2 builds give bit-identical results (fn code, samplers, route rules)."""
    for model in ("rules.fab", "assembly_line.fab", "machining_cell.fab"):
        base = os.path.splitext(model)[0]
        r0 = strip_wall(simulate(build(model, base + "_O0", opt=0), "--replications", "3"))
        r2 = strip_wall(simulate(build(model, base + "_O2", opt=2), "--replications", "3"))
        check(r0 == r2, "%s: -O0 and -O2 results differ" % model)


def t_set():
    """--set reaches compiled sampler parameters and capacities, with units."""
    exe = build("mm1.fab")
    base = simulate(exe, "--replications", "2", "--horizon", "200h", "--warmup", "10h")
    fast = simulate(exe, "--replications", "2", "--horizon", "200h", "--warmup", "10h",
                    "--set", "server.cycle.mean=30s")
    u0 = stat(base["elements"]["server"], "utilization")
    u1 = stat(fast["elements"]["server"], "utilization")
    print("utilization %.4f, with server.cycle.mean=30s %.4f" % (u0, u1))
    check(abs(u1 - 0.5) < 0.03, "with a 30 s mean cycle utilization is %g, not about 0.5" % u1)
    slow = simulate(exe, "--replications", "2", "--horizon", "200h", "--warmup", "10h",
                    "--set", "arrivals.interarrival.mean=2min")
    u2 = stat(slow["elements"]["server"], "utilization")
    check(abs(u2 - 0.4) < 0.03, "with 2 min interarrivals utilization is %g, not about 0.4" % u2)
    exe = build("tandem.fab")
    a = simulate(exe, "--replications", "2", "--horizon", "50h", "--warmup", "5h")
    b = simulate(exe, "--replications", "2", "--horizon", "50h", "--warmup", "5h",
                 "--set", "b1.capacity=50", "--set", "b2.capacity=50")
    ta = stat(a["elements"]["done"], "throughput_per_h")
    tb = stat(b["elements"]["done"], "throughput_per_h")
    check(tb > ta, "larger buffers (%g/h) do not raise tandem throughput (%g/h)" % (tb, ta))


def one_line_error(p, word):
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    check(len(lines) == 1, "expected a one-line error, got:\n" + p.stderr)
    check(word in lines[0], "error %r does not name %r" % (lines[0], word))


def t_bad_sim_cli():
    """Bad simulator options: one line naming the option, exit status 2."""
    exe = build("mm1.fab")
    cases = [
        (["--horizon", "3m"], "--horizon"),          # a length, not a time
        (["--horizon"], "--horizon"),                # missing value
        (["--replications", "zero"], "--replications"),
        (["--frobnicate"], "--frobnicate"),
        (["--set", "server.cycle.mean=3m"], "server.cycle.mean"),
        (["--set", "nosuch.thing=3"], "nosuch.thing"),
        (["--set", "queue.capacity"], "queue.capacity"),
        (["--jobs", "-1"], "--jobs"),
        # unit-correct but outside the distribution's domain: checked after --set
        (["--set", "server.cycle.mean=-5s"], "server.cycle"),
        (["--set", "arrivals.interarrival.mean=0s"], "arrivals.interarrival"),
        (["--replication-values"], "--replication-values"),   # without --json
        # the warmup against the horizon, with the options' values or the model's
        (["--warmup", "10000h"], "--warmup"),
        (["--horizon", "8"], "--horizon"),
        (["--set", "warmup=100000h"], "warmup"),
        (["--replications", "inf"], "--replications"),
        (["--replications", "1.5"], "--replications"),
        (["--jobs", "2000"], "--jobs"),
        (["--seed", "18446744073709551616"], "--seed"),
        (["--seed", "1__0"], "--seed"),
        # an option where a value belongs, and values that make the model invalid
        (["--json", "--quiet"], "--json"),
        (["--set", "server.capacity=0"], "--set"),
        (["--set", "arrivals.batch=0"], "--set"),
        (["--set", "arrivals.batch=1e300"], "--set"),
    ]
    for args, word in cases:
        p = run([exe] + args, expect=2)
        one_line_error(p, word)
    # counts and seeds take numbers as .fab files write them
    quick = ["--horizon", "10h", "--warmup", "0", "--quiet", "--json", "-"]
    a = json.loads(run([exe] + quick + ["--replications", "1_0", "--seed", "+1_0"]).stdout)
    b = json.loads(run([exe] + quick + ["--replications", "1e1", "--seed", "10"]).stdout)
    check(a["replications"] == 10 and strip_wall(a) == strip_wall(b), "1_0 is not 10")
    # a closed pipe is a write error (status 1, a message), not a death by SIGPIPE
    p = subprocess.Popen([exe, "--horizon", "1h", "--warmup", "0", "--replications", "20000",
                          "--replication-values", "--json", "-"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    check(p.returncode == 1 and "error: writing standard output" in err,
          "closed pipe: status %d, stderr %r" % (p.returncode, err))
    # a duration that --set makes never positive is refused as the compiler refuses it; a
    # zero constant is a duration
    line = build("assembly_line.fab")
    for args, word in [(["--set", "inspect.cycle=-20s"], "a duration cannot be negative"),
                       (["--set", "press.cycle.mean=-5s"], "a duration needs a positive mean")]:
        p = run([line, "--replications", "1", "--quiet"] + args, expect=2)
        one_line_error(p, word)
        check(args[1].split("=")[0].rsplit(".mean", 1)[0] in p.stderr, "no stream: " + p.stderr)
    run([line, "--replications", "1", "--quiet", "--set", "inspect.cycle=0s"])


def t_bad_fabc_cli():
    """Bad fabc build/run command lines: one line naming the problem, exit status 2; a model
    with errors: diagnostics and exit status 1."""
    mm1 = os.path.join(EXAMPLES, "mm1.fab")
    # no command at all: the help, as a usage error, on standard error only
    p = run([FABC], expect=2)
    check(p.stdout == "" and p.stderr.startswith("usage: fabc COMMAND"),
          "bare fabc: stdout %r, stderr %r" % (p.stdout[:200], p.stderr[:200]))
    p = run([FABC, "--help"])
    check(p.stderr == "" and p.stdout.startswith("usage: fabc COMMAND"), "fabc --help: " + p.stderr)
    one_line_error(run([FABC, "build"], expect=2), "FILE")
    one_line_error(run([FABC, "build", mm1, "-O", "7"], expect=2), "-O")
    one_line_error(run([FABC, "build", mm1, "-o"], expect=2), "-o")
    one_line_error(run([FABC, "build", mm1, "--bogus"], expect=2), "--bogus")
    one_line_error(run([FABC, "run"], expect=2), "FILE")
    # flags that exclude each other: a usage error naming both, not the last one winning
    for flags in (["--dump", "--json"], ["--json", "--dump"]):
        p = run([FABC, "check"] + flags + [mm1], expect=2)
        one_line_error(p, "--dump")
        one_line_error(p, "--json")
        check(p.stdout == "", "check %s printed a dump: %r" % (" ".join(flags), p.stdout[:200]))
    one_line_error(run([FABC, "check", "--json", mm1, mm1], expect=2), "--json")
    ugly = os.path.join(TMP, "ugly.fab")
    open(ugly, "w").write('part   P\n')
    for flags in (["--check", "--stdout"], ["--stdout", "--check"]):
        p = run([FABC, "fmt"] + flags + [ugly], expect=2)
        one_line_error(p, "--check")
        one_line_error(p, "--stdout")
        check(p.stdout == "", "fmt %s printed: %r" % (" ".join(flags), p.stdout[:200]))
    run([FABC, "fmt", "--check", ugly], expect=1)
    bad = os.path.join(TMP, "bad.fab")
    open(bad, "w").write('model "x" { horizon = 3 m }\npart P\nsource s { part = P; '
                         'interarrival = exponential(mean: 1 min) }\nsink k\nflow s -> k\n')
    p = run([FABC, "build", bad, "-o", os.path.join(TMP, "bad")], expect=1)
    check("bad.fab:1:" in p.stderr and "error" in p.stderr, "no diagnostic for the bad model:\n" + p.stderr)
    check(not os.path.exists(os.path.join(TMP, "bad")), "an executable was written for a bad model")
    p = run([FABC, "build", os.path.join(TMP, "missing.fab")], expect=1)
    # a library (no model block, no elements) checks, but there is nothing to build
    lib = os.path.join(HERE, "..", "..", "stdlib", "machines.fab")
    run([FABC, "check", lib])
    p = run([FABC, "build", lib, "-o", os.path.join(TMP, "lib")], expect=1)
    check("the model has no elements, so there is nothing to simulate" in p.stderr,
          "building a library: " + p.stderr)
    check(not os.path.exists(os.path.join(TMP, "lib")), "an executable was written for a library")


def t_fifo_inputs():
    """A FIFO as the model, an import or an empirical() data file is refused without waiting
    for a writer."""
    d = os.path.join(TMP, "fifo")
    os.makedirs(d)
    os.mkfifo(os.path.join(d, "ff.fab"))
    os.mkfifo(os.path.join(d, "ff.csv"))
    for cmd in ("build", "check", "fmt"):
        p = run([FABC, cmd, os.path.join(d, "ff.fab")], expect=1, timeout=30)
        check("not a regular file" in p.stderr, "fabc %s of a FIFO: %s" % (cmd, p.stderr))
    model = os.path.join(d, "m.fab")
    open(model, "w").write(
        'model "f" { horizon = 3 h }\npart P\n'
        'source s { part = P; interarrival = empirical("ff.csv") }\nsink k\nflow s -> k\n')
    p = run([FABC, "build", model, "-o", os.path.join(d, "m")], expect=1, timeout=30)
    check("the data file" in p.stderr and "not a regular file" in p.stderr,
          "empirical() of a FIFO: " + p.stderr)
    open(model, "w").write('import "ff.fab"\nmodel "f" { horizon = 3 h }\npart P\n'
                           'source s { part = P; interarrival = exponential(mean: 1 min) }\n'
                           "sink k\nflow s -> k\n")
    p = run([FABC, "check", model], expect=1, timeout=30)
    check("not a regular file" in p.stderr, "an imported FIFO: " + p.stderr)



def t_fmt_in_place():
    """fabc fmt rewrites a symlink's target (the link stays), keeps the file's mode, uses a
    unique temporary (a file named FILE.fmt-tmp is not touched) and leaves a read-only file
    alone with an error."""
    d = os.path.join(TMP, "fmt")
    os.makedirs(d)
    ugly = 'model "f" {horizon=3 h}\npart P\nsource s{part=P;interarrival=exponential(mean:1 min)}\nsink k\nflow s->k\n'
    p = os.path.join(d, "m.fab")
    open(p, "w").write(ugly)
    pretty = run([FABC, "fmt", "--stdout", p]).stdout
    check(pretty != ugly, "the test model is already formatted")
    os.chmod(p, 0o640)
    open(p + ".fmt-tmp", "w").write("keep")
    run([FABC, "fmt", p])
    check(open(p).read() == pretty, "fmt did not format the file")
    check(os.stat(p).st_mode & 0o7777 == 0o640, "fmt changed the mode to %o" % os.stat(p).st_mode)
    check(open(p + ".fmt-tmp").read() == "keep", "fmt overwrote FILE.fmt-tmp")
    # a symlink: the target is formatted, the link stays a link
    t = os.path.join(d, "target.fab")
    open(t, "w").write(ugly)
    link = os.path.join(d, "link.fab")
    os.symlink("target.fab", link)
    run([FABC, "fmt", link])
    check(os.path.islink(link), "fmt replaced the symlink by a file")
    check(open(t).read() == pretty, "fmt did not format the symlink's target")
    # a read-only file is refused and left as it was
    ro = os.path.join(d, "ro.fab")
    open(ro, "w").write(ugly)
    os.chmod(ro, 0o444)
    r = run([FABC, "fmt", ro], expect=1)
    one_line_error(r, "not writable")
    check(open(ro).read() == ugly and os.stat(ro).st_mode & 0o7777 == 0o444,
          "fmt replaced a read-only file")
    check(sorted(os.listdir(d)) == ["link.fab", "m.fab", "m.fab.fmt-tmp", "ro.fab", "target.fab"],
          "fmt left files behind: %r" % sorted(os.listdir(d)))



def t_build_outputs():
    """fabc build never writes over the model or a file it imports (-o, --emit-llvm,
    --emit-llvm-unoptimized), refuses an -o that exists and is not a regular file, and links
    into a temporary renamed over -o: a failed relink keeps the previous simulator."""
    d = os.path.join(TMP, "outs")
    os.makedirs(d)
    open(os.path.join(d, "cell.fab"), "w").write(
        "template Cell(ct: time) station {\n  cycle = exponential(mean: ct)\n}\n")
    model = os.path.join(d, "line.fab")
    text = ('import "cell.fab"\nmodel "outs" { horizon = 10 h; replications = 1; seed = 5 }\n'
            "part P\nsource src { part = P; interarrival = exponential(mean: 2 min) }\n"
            "buffer q { capacity = inf }\nstation m = Cell(ct: 1 min)\nsink out\n"
            "flow src -> q -> m -> out\n")
    open(model, "w").write(text)
    cell_text = open(os.path.join(d, "cell.fab")).read()
    os.chmod(model, 0o444)
    for opt, path, what in (("-o", model, "the model's source file"),
                            ("-o", os.path.join(d, ".", "line.fab"), "the model's source file"),
                            ("-o", os.path.join(d, "cell.fab"), "a source file the model imports"),
                            ("--emit-llvm", model, "the model's source file"),
                            ("--emit-llvm-unoptimized", os.path.join(d, "cell.fab"),
                             "a source file the model imports")):
        args = [FABC, "build", model] + ([] if opt == "-o" else ["-o", os.path.join(d, "x")])
        p = run(args + [opt, path], expect=2)
        one_line_error(p, opt)
        check(what in p.stderr, "%s %s: %s" % (opt, path, p.stderr))
        check(open(model).read() == text and open(os.path.join(d, "cell.fab")).read() == cell_text,
              "%s %s changed a source file" % (opt, path))
    # outputs that exist and are not regular files are left alone
    os.symlink("/proc/self/fd/1", os.path.join(d, "lnk"))
    os.mkdir(os.path.join(d, "dir"))
    os.mkfifo(os.path.join(d, "fifo"))
    for name in ("lnk", "dir", "fifo"):
        p = run([FABC, "build", model, "-o", os.path.join(d, name)], expect=2, timeout=60)
        one_line_error(p, "-o")
        check("exists and is not a regular file" in p.stderr, "-o %s: %s" % (name, p.stderr))
    check(os.path.islink(os.path.join(d, "lnk")), "the symlink output was removed")
    # a failed relink keeps the previous simulator, and leaves no temporary behind
    exe = os.path.join(d, "sim")
    run([FABC, "build", model, "-o", exe])
    before = open(exe, "rb").read()
    # ld removes its output when a link fails: here after a missing symbol
    cc = os.environ.get("FAB_TEST_CC", "cc") + " -Wl,--require-defined=fab_no_such_symbol"
    p = run([FABC, "build", model, "-o", exe], env={"CC": cc}, expect=1)
    check(os.access(exe, os.X_OK) and open(exe, "rb").read() == before,
          "a failed link changed the previous simulator")
    left = [n for n in os.listdir(d) if n.startswith(".")]
    check(not left, "temporaries left behind: %r" % left)
    run([exe, "--quiet"])



def t_cc_words():
    """$CC is split into any number of words of any length; a blank $CC is the default cc."""
    cc = os.environ.get("FAB_TEST_CC", "cc")
    mm1 = os.path.join(EXAMPLES, "mm1.fab")
    exe = os.path.join(TMP, "mm1")
    # a linker map asked for after 40 words: written only if no word is dropped
    mapf = os.path.join(TMP, "many.map")
    run([FABC, "build", mm1, "-o", exe], env={"CC": cc + " -w" * 40 + " -Wl,-Map=" + mapf})
    check(os.path.exists(mapf), "the words of $CC after the 30th were dropped")
    # a $CC of 2000 characters is passed whole
    mapf = os.path.join(TMP, "long.map")
    run([FABC, "build", mm1, "-o", exe],
        env={"CC": cc + " -DLONG=" + "x" * 2000 + " -Wl,-Map=" + mapf})
    check(os.path.exists(mapf), "a long $CC was cut off")
    os.unlink(exe)
    run([FABC, "build", mm1, "-o", exe], env={"CC": "  \t "})
    check(os.access(exe, os.X_OK), "a blank $CC did not fall back to cc")



def term_while_linking(args, env, marker):
    """Run fabc with args, and once its (slow) linker has written marker, send SIGTERM to fabc
    and the linker, as a terminal's ^C would; check that fabc died of it."""
    p = subprocess.Popen([FABC] + args, env=env, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not os.path.exists(marker):
            check(p.poll() is None and time.time() < deadline, "fabc %s never started linking" % args[0])
            time.sleep(0.05)
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    check(p.returncode == -signal.SIGTERM,
          "fabc %s exited with %d, not by SIGTERM" % (args[0], p.returncode))
    os.unlink(marker)


def t_killed_build():
    """fabc build killed by SIGTERM while linking leaves neither its object file in $TMPDIR
    nor the link's temporary beside the output; fabc run leaves nothing in its cache."""
    tmpdir = os.path.join(TMP, "tmpdir")
    outdir = os.path.join(TMP, "out")
    os.makedirs(tmpdir)
    os.makedirs(outdir)
    slow_cc = os.path.join(TMP, "slow-cc")
    marker = os.path.join(TMP, "linking")
    open(slow_cc, "w").write("#!/bin/sh\n: > '%s'\nexec sleep 60\n" % marker)
    os.chmod(slow_cc, 0o755)
    e = dict(os.environ, TMPDIR=tmpdir, CC=slow_cc)
    mm1 = os.path.join(EXAMPLES, "mm1.fab")
    term_while_linking(["build", mm1, "-o", os.path.join(outdir, "mm1")], e, marker)
    check(os.listdir(tmpdir) == [], "left in $TMPDIR: %r" % os.listdir(tmpdir))
    check(os.listdir(outdir) == [], "left beside the output: %r" % os.listdir(outdir))
    # fabc run: nothing is left in the cache directory either
    cache = os.path.join(TMP, "killed-cache")
    term_while_linking(["run", mm1], dict(e, FAB_CACHE_DIR=cache), marker)
    check(os.listdir(tmpdir) == [], "fabc run left in $TMPDIR: %r" % os.listdir(tmpdir))
    check(os.listdir(cache) == [], "left in the cache: %r" % os.listdir(cache))


def t_emit_llvm():
    """--emit-llvm writes verified IR with the generated main and sampling functions."""
    ll = os.path.join(TMP, "mm1.ll")
    raw = os.path.join(TMP, "mm1.raw.ll")
    build("mm1.fab", extra=["--emit-llvm", ll, "--emit-llvm-unoptimized", raw])
    raw_text = open(raw).read()
    # mm1's two quantities are exponential without bounds: libfabrt's sampler serves both
    check("declare double @fab_sample_exponential(" in raw_text,
          "the exponential quantities do not use fab_sample_exponential")
    text = open(ll).read()
    check(re.search(r"define .*@main\(", text), "no main in the IR")
    check("fab_main" in text, "main does not hand over to fab_main")
    check("server.cycle" in text, "no stream name for server.cycle in the IR")


def t_cache():
    """fabc run reuses its cache, and rebuilds when an imported file changes."""
    d = os.path.join(TMP, "proj")
    os.makedirs(d)
    shutil.copy(os.path.join(EXAMPLES, "mm1.fab"), d)
    open(os.path.join(d, "cell.fab"), "w").write(
        "template Cell(ct: time) station {\n  cycle = exponential(mean: ct)\n}\n")
    model = os.path.join(d, "line.fab")
    open(model, "w").write(
        'import "cell.fab"\nmodel "cached" { horizon = 10 h; replications = 2; seed = 5 }\n'
        "part P\nsource src { part = P; interarrival = exponential(mean: 2 min) }\n"
        "buffer q { capacity = inf }\nstation m = Cell(ct: 1 min)\nsink out\n"
        "flow src -> q -> m -> out\n")
    env = {"FAB_CACHE_DIR": os.path.join(TMP, "cache")}
    args = [FABC, "run", "--verbose", model, "--", "--json", "-", "--quiet"]
    p1 = run(args, env=env)
    check("building" in p1.stderr, "first run did not build:\n" + p1.stderr)
    r1 = json.loads(p1.stdout)
    p2 = run(args, env=env)
    check("cached" in p2.stderr and "building" not in p2.stderr,
          "second run did not reuse the cache:\n" + p2.stderr)
    check(strip_wall(json.loads(p2.stdout)) == strip_wall(r1), "cached build gives other results")
    # the cached simulator names itself as `fabc build` would name it, not by its cache path
    p = run([FABC, "run", model, "--", "--bogus"], env=env, expect=2)
    one_line_error(p, "--bogus")
    check(p.stderr.startswith("line: error:"), "the simulator's name: " + p.stderr)
    open(os.path.join(d, "cell.fab"), "w").write(
        "template Cell(ct: time) station {\n  cycle = exponential(mean: ct)\n  capacity = 2\n}\n")
    p3 = run(args, env=env)
    check("building" in p3.stderr, "changing the import did not rebuild:\n" + p3.stderr)
    r3 = json.loads(p3.stdout)
    check(strip_wall(r3) != strip_wall(r1), "the rebuilt simulator gives the old results")
    p4 = run(args[:2] + ["-O", "0"] + args[2:], env=env)
    check("building" in p4.stderr, "another -O level did not rebuild:\n" + p4.stderr)
    # the simulator's own exit status comes through fabc run
    p5 = run([FABC, "run", model, "--", "--horizon", "xyz"], env=env, expect=2)
    one_line_error(p5, "--horizon")


EMP_MODEL = ('model "emp" { horizon = 10 h; seed = 5 }\npart P\n'
             'source src { part = P; interarrival = empirical("gaps.csv") }\n'
             'sink out\nflow src -> out\n')


def emp_project(name):
    """A model whose arrivals come from the data file gaps.csv (one gap of 60 s); returns
    the model's path and fabc run's arguments (verbose, JSON results)."""
    d = os.path.join(TMP, name)
    os.makedirs(d)
    open(os.path.join(d, "gaps.csv"), "w").write("60\n")
    model = os.path.join(d, "emp.fab")
    open(model, "w").write(EMP_MODEL)
    return model, [FABC, "run", "--verbose", model, "--", "--json", "-", "--quiet"]


def sink_count(p):
    return stat(json.loads(p.stdout)["elements"]["out"], "count")


def t_cache_data():
    """fabc run rebuilds when a data file of empirical() changes, and gives its results."""
    model, args = emp_project("data")
    env = {"FAB_CACHE_DIR": os.path.join(TMP, "cache")}
    p1 = run(args, env=env)
    check("building" in p1.stderr, "first run did not build:\n" + p1.stderr)
    check(sink_count(p1) == 600, "1 min gaps over 10 h give %r parts, not 600" % sink_count(p1))
    open(os.path.join(os.path.dirname(model), "gaps.csv"), "w").write("120\n")
    p2 = run(args, env=env)
    check("building" in p2.stderr, "changing the data file did not rebuild:\n" + p2.stderr)
    check(sink_count(p2) == 300, "2 min gaps over 10 h give %r parts, not 300" % sink_count(p2))
    p3 = run(args, env=env)
    check("cached" in p3.stderr, "an unchanged data file did not reuse the cache:\n" + p3.stderr)


def t_cache_damage():
    """A truncated, empty or directory cache entry is rebuilt, never run."""
    model, args = emp_project("damage")
    cache = os.path.join(TMP, "cache")
    env = {"FAB_CACHE_DIR": cache}
    p1 = run(args, env=env)
    m = re.search(r"building (\S+)", p1.stderr)
    check(m, "first run did not build:\n" + p1.stderr)
    entry = m.group(1)
    size = os.path.getsize(entry)
    for damage in ("truncated", "empty", "directory"):
        if damage == "truncated":
            os.truncate(entry, size // 2)
        elif damage == "empty":
            os.truncate(entry, 0)
        else:
            os.unlink(entry)
            os.mkdir(entry)
        p = run(args, env=env)
        check("building" in p.stderr, "a %s entry was not rebuilt:\n%s" % (damage, p.stderr))
        check(sink_count(p) == 600, "after rebuilding a %s entry: %r parts" % (damage, sink_count(p)))
        check(os.path.isfile(entry) and os.path.getsize(entry) == size,
              "the %s entry was not replaced" % damage)
        p = run(args, env=env)
        check("cached" in p.stderr, "the rebuilt %s entry is not reused:\n%s" % (damage, p.stderr))
    check(not [n for n in os.listdir(cache) if ".tmp." in n],
          "temporary files left in the cache: %r" % os.listdir(cache))


def t_cache_dir():
    """A cache directory that is a regular file is refused before compiling, with one line
    naming it, and the file is left as it was."""
    model, args = emp_project("dir")
    f = os.path.join(TMP, "not-a-dir")
    open(f, "w").write("user data\n")
    p = run(args, env={"FAB_CACHE_DIR": f}, expect=1)
    one_line_error(p, f)
    check("not a directory" in p.stderr and "building" not in p.stderr,
          "unclear error for a cache directory that is a file:\n" + p.stderr)
    check(open(f).read() == "user data\n", "the file named by FAB_CACHE_DIR was changed")


def t_cache_key():
    """The cache key covers $CC as given, the runtime library's path (not only its size
    and modification time) and the compiler's executable."""
    model, args = emp_project("key")
    env = {"FAB_CACHE_DIR": os.path.join(TMP, "cache")}
    cc = os.environ.get("FAB_TEST_CC", "cc")
    rtlib = os.environ["FAB_TEST_RTLIB"]
    base = dict(env, CC=cc, FAB_RUNTIME_LIB=rtlib)
    p = run(args, env=base)
    check("building" in p.stderr, "first run did not build:\n" + p.stderr)
    p = run(args, env=base)
    check("cached" in p.stderr, "second run did not reuse the cache:\n" + p.stderr)
    p = run(args, env=dict(base, CC=cc + " "))
    check("building" in p.stderr, "another $CC did not rebuild:\n" + p.stderr)
    # a copy with the same size and modification time, at another path
    other = os.path.join(TMP, "lib", "libfabrt.a")
    os.makedirs(os.path.dirname(other))
    shutil.copy2(rtlib, other)
    p = run(args, env=dict(base, FAB_RUNTIME_LIB=other))
    check("building" in p.stderr, "another runtime library path did not rebuild:\n" + p.stderr)
    check(sink_count(p) == 600, "wrong results with the copied runtime library")
    # the compiler's executable, found in PATH and through a symlink: a new modification
    # time (an upgrade) rebuilds
    bindir = os.path.join(TMP, "bin")
    os.makedirs(bindir)
    wrapper = os.path.join(bindir, "real-cc")
    open(wrapper, "w").write('#!/bin/sh\nexec %s "$@"\n' % cc)
    os.chmod(wrapper, 0o755)
    os.symlink("real-cc", os.path.join(bindir, "my-cc"))
    path_env = dict(base, CC="my-cc", PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    p = run(args, env=path_env)
    check("building" in p.stderr, "a new compiler did not rebuild:\n" + p.stderr)
    p = run(args, env=path_env)
    check("cached" in p.stderr, "the same compiler did not reuse the cache:\n" + p.stderr)
    st = os.stat(wrapper)
    os.utime(wrapper, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    p = run(args, env=path_env)
    check("building" in p.stderr, "an upgraded compiler did not rebuild:\n" + p.stderr)
    check(sink_count(p) == 600, "wrong results with the wrapped compiler")


def t_cache_concurrent():
    """Concurrent fabc run in separate PID namespaces (same PIDs) sharing an empty cache
    all succeed: temporary names are unique across namespaces."""
    model, args = emp_project("conc")
    if not shutil.which("unshare"):
        raise Skip("no unshare")
    pre = ["unshare", "-pf"] if os.geteuid() == 0 else ["unshare", "-pfr"]
    if subprocess.run(pre + ["true"], capture_output=True).returncode != 0:
        raise Skip("cannot create PID namespaces here")
    e = dict(os.environ)
    for round_ in range(3):
        e["FAB_CACHE_DIR"] = os.path.join(TMP, "cache%d" % round_)
        procs = [subprocess.Popen(pre + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=e) for _ in range(4)]
        for pr in procs:
            out, err = pr.communicate(timeout=300)
            check(pr.returncode == 0, "a concurrent run failed (%d):\n%s" % (pr.returncode, err))
            check(stat(json.loads(out)["elements"]["out"], "count") == 600,
                  "a concurrent run gave wrong results")


def t_features():
    """A model using every distribution kind, clamp/truncate, attribute initialisers, fns,
    route rules with level() and state(), keyed and LIFO buffers, batches, limits, cycle and
    calendar failures, power, an assembly and both conveyor kinds: -O0 and -O3 builds agree
    bit for bit, and the rules visibly act."""
    model = os.path.join(HERE, "models", "features.fab")
    r0 = simulate(build(model, "features_O0", opt=0))
    r3 = simulate(build(model, "features_O3", opt=3))
    check(strip_wall(r0) == strip_wall(r3), "-O0 and -O3 results differ")
    el = r0["elements"]
    T = r0["horizon_s"] - r0["warmup_s"]
    # the route rule sends a part to belt_a only while it holds fewer than 8 parts
    check(stat(el["belt_a"], "max_level") <= 8, "level(belt_a) < 8 not respected")
    check(stat(el["overflow"], "count") > 0 and stat(el["shipped"], "count") > 0,
          "parts did not take both routes")
    # kits have no due date: no tardiness at the sink that only receives kits
    shipped_tardy = el["shipped"].get("tardiness_s")
    check(shipped_tardy is None or shipped_tardy["n"] == 0 or shipped_tardy["mean"] is None,
          "parts without a due date report tardiness: %r" % (shipped_tardy,))
    check(el["overflow"].get("tardiness_s") is not None, "parts with a due date report no tardiness")
    prep = el["prep"]
    fr = {s: stat(prep, "state_fraction", s) for s in ("idle", "busy", "blocked", "setup", "down")}
    check(abs(sum(fr.values()) - 1) <= 1e-9, "prep state fractions sum to %r" % sum(fr.values()))
    check(fr["setup"] > 0 and fr["down"] > 0, "prep never set up or never failed: %r" % fr)
    power = {"idle": 1e3, "busy": 4e3, "blocked": 1e3, "setup": 2e3, "down": 100.0}
    # two servers, each drawing the state's power; fractions are per server on average
    expect = 2 * T * sum(fr[s] * power[s] for s in power) / 3.6e6
    e = stat(prep, "energy_kwh")
    check(abs(e - expect) <= 1e-6 * expect, "prep energy %g kWh, states give %g kWh" % (e, expect))
    check(stat(el["reds"], "created") <= 1000, "the reds' limit was exceeded")


def t_capi_equivalence():
    """The simulator generated from mm1.fab and the same model written by hand against the C
    API (mm1_capi.c, fab_dist samplers) give identical JSON, apart from wall time, also after
    --set of a compiled sampler parameter and of a runtime parameter."""
    capi = os.environ["FAB_TEST_MM1_CAPI"]
    gen = build("mm1.fab")
    for extra in ([], ["--set", "server.cycle.mean=50s", "--set", "queue.capacity=12"]):
        args = ["--replications", "3", "--horizon", "300h", "--warmup", "10h"] + extra
        a = strip_wall(simulate(gen, *args))
        b = strip_wall(simulate(capi, *args))
        check(a == b, "generated and C-API simulators differ with %r" % (args,))


def t_install_layout():
    """fabc finds libfabrt.a and stdlib/ relative to itself in an installed layout
    (<prefix>/bin/fabc, <prefix>/<libdir>/libfabrt.a, <prefix>/<datadir>/fab/stdlib)."""
    libdir = os.environ["FAB_TEST_LIBDIR"]
    datadir = os.environ["FAB_TEST_DATADIR"]
    prefix = os.path.join(TMP, "prefix")
    os.makedirs(os.path.join(prefix, "bin"))
    shutil.copy(FABC, os.path.join(prefix, "bin", "fabc"))
    os.makedirs(os.path.join(prefix, libdir))
    shutil.copy(os.environ["FAB_TEST_RTLIB"], os.path.join(prefix, libdir, "libfabrt.a"))
    std = os.path.join(prefix, datadir, "fab", "stdlib")
    shutil.copytree(os.environ["FAB_TEST_STDLIB"], std)
    # a template that exists only in the installed copy of the stdlib
    open(os.path.join(std, "installed_only.fab"), "w").write(
        "template Quick(ct: time) station {\n  cycle = exponential(mean: ct)\n}\n")
    model = os.path.join(TMP, "inst.fab")
    open(model, "w").write(
        'import "std/installed_only.fab"\nimport "std/machines.fab"\n'
        'model "installed" { horizon = 10 h; replications = 1; seed = 3 }\n'
        "part P\nsource src { part = P; interarrival = exponential(mean: 5 min) }\n"
        "buffer q { capacity = inf }\nstation m = Quick(ct: 2 min)\n"
        "station c = Cnc(cycle: normal(mean: 2 min, sd: 10 s))\nsink out\n"
        "flow src -> q -> m -> c -> out\n")
    # an installed fabc links with $CC or cc; a sanitizer build's archive needs its flags
    env = {"FAB_RUNTIME_LIB": "", "FAB_PATH": "", "CC": os.environ.get("FAB_TEST_CC", "cc")}
    exe = os.path.join(TMP, "inst")
    # every command finds the installed stdlib (check and fmt too, not only build and run)
    run([os.path.join(prefix, "bin", "fabc"), "check", model], env=env)
    run([os.path.join(prefix, "bin", "fabc"), "build", model, "-o", exe], env=env)
    res = simulate(exe)
    check(stat(res["elements"]["out"], "count") > 0, "the installed-layout build produced nothing")
    # without the runtime archive, the error names where it looked
    os.unlink(os.path.join(prefix, libdir, "libfabrt.a"))
    p = run([os.path.join(prefix, "bin", "fabc"), "build", model, "-o", exe + "2"], env=env, expect=1)
    check("libfabrt.a" in p.stderr, "missing libfabrt.a not reported:\n" + p.stderr)


CHECKS = {n[2:]: f for n, f in globals().items() if n.startswith("t_")}


def main():
    global FABC, EXAMPLES, TMP
    if len(sys.argv) != 4 or sys.argv[3] not in CHECKS:
        print("usage: e2e.py FABC EXAMPLES_DIR {%s}" % "|".join(sorted(CHECKS)), file=sys.stderr)
        return 2
    FABC, EXAMPLES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    TMP = tempfile.mkdtemp(prefix="fab-e2e-")
    try:
        CHECKS[sys.argv[3]]()
    except Fail as e:
        print("FAIL %s: %s" % (sys.argv[3], e), file=sys.stderr)
        return 1
    except Skip as e:
        print("SKIP %s: %s" % (sys.argv[3], e), file=sys.stderr)
        return 77
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("ok %s" % sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
