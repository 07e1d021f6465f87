#!/usr/bin/env python3
"""compare_outputs.py PROG_A PROG_B: run both programs; exit 0 when their standard outputs are
identical and non-empty, else print the differing lines and exit 1 (test random_opt_levels)."""
import subprocess
import sys


def main():
    outs = [subprocess.run([p], check=True, capture_output=True, text=True).stdout
            for p in sys.argv[1:3]]
    if not outs[0].strip():
        print("no output from", sys.argv[1])
        return 1
    if outs[0] != outs[1]:
        for a, b in zip(outs[0].splitlines(), outs[1].splitlines()):
            if a != b:
                print("differs:", a, "|", b)
        return 1
    print(outs[0], end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
