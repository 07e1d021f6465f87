#!/usr/bin/env python3
"""Generate the Student-t table of runtime/src/stat.c: t(0.975, df) for df = 1..200, and the
coefficients of the Cornish-Fisher expansion used above 200, with 40-digit arithmetic
(mpmath), each rounded once to the nearest double.

Usage: python3 tests/random/gen_t_table.py > table.txt   (then paste into stat.c)
"""
import mpmath as mp

mp.mp.dps = 40
P = mp.mpf("0.975")
DF_MAX = 200


def t_quantile(df):
    def upper_minus_target(t):
        x = df / (df + t * t)
        return mp.betainc(mp.mpf(df) / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2 - (1 - P)
    return mp.findroot(upper_minus_target, mp.mpf(2) if df > 2 else mp.mpf(5))


def main():
    z = mp.sqrt(2) * mp.erfinv(2 * P - 1)
    g = [
        z,
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
        (27 * z**11 + 339 * z**9 + 930 * z**7 - 1782 * z**5 - 765 * z**3 + 17955 * z) / 368640,
    ]
    print("static const double stat_t975_series[6] = {")
    print("    " + ", ".join(float(c).hex() for c in g[:3]) + ",")
    print("    " + ", ".join(float(c).hex() for c in g[3:]) + ",")
    print("};")
    print("static const double stat_t975_table[STAT_T975_DF_MAX + 1] = {")
    vals = ["NAN,"] + [float(t_quantile(df)).hex() + "," for df in range(1, DF_MAX + 1)]
    for i in range(0, len(vals), 4):
        print("    " + " ".join(vals[i:i + 4]))
    print("};")


if __name__ == "__main__":
    main()
