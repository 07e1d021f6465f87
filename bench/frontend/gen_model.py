#!/usr/bin/env python3
"""Generate a large .fab model for the front-end benchmark (never run as a test).

usage: gen_model.py [ELEMENTS] > big.fab

The model has ELEMENTS elements (default 10000) in parallel lines of 10: a source, four
buffer/station pairs (every second station a Cnc instance from the stdlib, with failures and
power), and a sink. It uses parts with attributes, a fn, buffer order keys and routes, so that
every phase of `fabc check` has work to do.
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
lines = n // 10
out = [
    'import "std/machines.fab"',
    'model "Front-end benchmark" {',
    '  horizon = 8 h',
    '  warmup = 1 h',
    '  replications = 10',
    '  seed = 42',
    '}',
    'part Blank { mass = 1.2 kg; attr due = uniform(min: 1 h, max: 4 h) }',
    'fn slack(p) = p.created + p.due - now',
]
for i in range(lines):
    out.append(f'source src{i} {{ part = Blank; interarrival = exponential(mean: {50 + i % 7} s) }}')
    prev = f'src{i}'
    chain = [prev]
    for k in range(4):
        b, s = f'b{i}_{k}', f'st{i}_{k}'
        if k == 0:
            out.append(f'buffer {b} {{\n  capacity = {5 + k}\n  order = by slack(part) ascending\n}}')
        else:
            out.append(f'buffer {b} {{ capacity = {5 + k} }}')
        if k % 2:
            out.append(f'station {s} = Cnc(cycle: normal(mean: {30 + k} s, sd: 3 s), mtbf: {20 + i % 5} h)')
        else:
            out.append(f'station {s} {{\n  cycle = gamma(shape: 9, scale: {3 + k} s)\n'
                       f'  power = {{ idle: 1 kW, busy: 5 kW }}\n}}')
        chain += [b, s]
    out.append(f'sink done{i}')
    chain.append(f'done{i}')
    out.append('flow ' + ' -> '.join(chain))
print('\n'.join(out))
