#!/usr/bin/env python3
"""Generate the ziggurat tables of runtime/src/dist.c (standard normal, 256 layers).

Layers have equal area v under f(x) = exp(-x^2/2). x[1] = r, x[i+1] = f^-1(f(x[i]) + v / x[i]),
x[256] = 0, and x[0] = v / f(r) is the width of the base strip (rectangle plus tail). r is
solved with 60-digit arithmetic (mpmath) so that the recurrence ends exactly at 0; the tables
are then rounded once to the nearest double, so they do not depend on any C library.

Usage: python3 tests/random/gen_ziggurat.py > tables.txt   (then paste into dist.c)
"""
import mpmath as mp

mp.mp.dps = 60
LAYERS = 256


def f(x):
    return mp.exp(-x * x / 2)


def area(r):
    return r * f(r) + mp.sqrt(mp.pi / 2) * mp.erfc(r / mp.sqrt(2))


def overshoot(r):
    """f(x[LAYERS-1]) + v / x[LAYERS-1] - 1; positive (or None) when r is too small."""
    v, x = area(r), r
    for _ in range(1, LAYERS - 1):
        y = f(x) + v / x
        if y >= 1:
            return None
        x = mp.sqrt(-2 * mp.log(y))
    return f(x) + v / x - 1


def main():
    lo, hi = mp.mpf(3), mp.mpf(4)
    for _ in range(200):
        mid = (lo + hi) / 2
        e = overshoot(mid)
        if e is None or e > 0:
            lo = mid
        else:
            hi = mid
    r = (lo + hi) / 2
    v = area(r)
    xs, x = [v / f(r), r], r
    for _ in range(1, LAYERS - 1):
        x = mp.sqrt(-2 * mp.log(f(x) + v / x))
        xs.append(x)
    xs.append(mp.mpf(0))
    print("/* r = %s, v = %s */" % (mp.nstr(r, 20), mp.nstr(v, 20)))
    for name, vals in (("dist_zig_x", xs), ("dist_zig_f", [f(x) for x in xs])):
        print("static const double %s[DIST_ZIG_LAYERS + 1] = {" % name)
        hexes = [float(val).hex() + "," for val in vals]
        for i in range(0, len(hexes), 3):
            print("    " + " ".join(hexes[i:i + 3]))
        print("};")


if __name__ == "__main__":
    main()
