#!/usr/bin/env python3
"""compare_outputs.py PROG_A PROG_B [NAME=VALUE ...]: run both programs, the second with the
given extra environment variables; exit 0 when their standard outputs are identical and
non-empty, else print the differing lines and exit 1 (tests random_opt_levels and
random_libm_dispatch)."""
import os
import subprocess
import sys


def main():
    prog_a, prog_b = sys.argv[1:3]
    env_b = dict(os.environ)
    for assignment in sys.argv[3:]:
        name, _, value = assignment.partition("=")
        env_b[name] = value
    out_a = subprocess.run([prog_a], check=True, capture_output=True, text=True).stdout
    out_b = subprocess.run([prog_b], check=True, capture_output=True, text=True,
                           env=env_b).stdout
    if not out_a.strip():
        print("no output from", prog_a)
        return 1
    if out_a != out_b:
        for a, b in zip(out_a.splitlines(), out_b.splitlines()):
            if a != b:
                print("differs:", a, "|", b)
        return 1
    print(out_a, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
