#!/usr/bin/env python3
"""Generate the ziggurat tables of runtime/src/dist.c: standard normal and standard
exponential, 256 layers each.

For a decreasing density f on [0, inf) (f(x) = exp(-x^2/2) and exp(-x), unnormalised), the
layers have equal area v: x[1] = r, x[i+1] = f^-1(f(x[i]) + v / x[i]), x[256] = 0, and
x[0] = v / f(r) is the width of the base strip (rectangle plus tail). r is solved with 60-digit
arithmetic (mpmath) so that the recurrence ends exactly at 0; the tables are then rounded once
to the nearest double, so they do not depend on any C library.

Usage: python3 tests/random/gen_ziggurat.py > tables.txt   (then paste into dist.c)
"""
import mpmath as mp

mp.mp.dps = 60
LAYERS = 256

DENSITIES = {
    # name: (f, f^-1, tail integral from r, bracket for r)
    "zig": (lambda x: mp.exp(-x * x / 2), lambda y: mp.sqrt(-2 * mp.log(y)),
            lambda r: mp.sqrt(mp.pi / 2) * mp.erfc(r / mp.sqrt(2)), (3, 4)),
    "zig_exp": (lambda x: mp.exp(-x), lambda y: -mp.log(y),
                lambda r: mp.exp(-r), (6, 9)),
}


def layers(f, finv, tail, r):
    """x[0..LAYERS], or None when r is too small (the recurrence passes f = 1 early)."""
    v = r * f(r) + tail(r)
    xs, x = [v / f(r), r], r
    for _ in range(1, LAYERS - 1):
        y = f(x) + v / x
        if y >= 1:
            return None, v
        x = finv(y)
        xs.append(x)
    return xs, v


def solve(f, finv, tail, bracket):
    lo, hi = mp.mpf(bracket[0]), mp.mpf(bracket[1])
    for _ in range(200):
        mid = (lo + hi) / 2
        xs, v = layers(f, finv, tail, mid)
        if xs is None or f(xs[-1]) + v / xs[-1] > 1:
            lo = mid
        else:
            hi = mid
    r = (lo + hi) / 2
    xs, v = layers(f, finv, tail, r)
    return r, v, xs + [mp.mpf(0)]


def main():
    for name, (f, finv, tail, bracket) in DENSITIES.items():
        r, v, xs = solve(f, finv, tail, bracket)
        print("/* %s: r = %s, v = %s */" % (name, mp.nstr(r, 20), mp.nstr(v, 20)))
        for suffix, vals in (("x", xs), ("f", [f(x) for x in xs])):
            print("static const double dist_%s_%s[DIST_ZIG_LAYERS + 1] = {" % (name, suffix))
            hexes = [float(val).hex() + "," for val in vals]
            for i in range(0, len(hexes), 3):
                print("    " + " ".join(hexes[i:i + 3]))
            print("};")


if __name__ == "__main__":
    main()
