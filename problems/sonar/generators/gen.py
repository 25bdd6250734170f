#!/usr/bin/env python3
"""Test generator for sonar. Usage: gen.py [OUTDIR] (default ../data/secret).

Interactive: the input `n x` is read by the interactor only, and the answer
file is empty (the interactor decides). Deterministic: a fixed seed."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/sonar.cpp"
INTERACTIVE = True
MAXN = 10**9

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, n, x):
    assert 1 <= x <= n <= MAXN
    (OUT / f"{name}.in").write_text(f"{n} {x}\n")
    (OUT / f"{name}.ans").write_text("")


r = random.Random(20261213)
cases = [(1, 1), (2, 1), (2, 2), (MAXN, 1), (MAXN, MAXN), (MAXN, MAXN // 2),
         (MAXN, MAXN // 2 + 1), (2**29, 2**29 - 1), (1000, 999)]
while len(cases) < 14:
    n = r.randint(1, MAXN)
    cases.append((n, r.randint(1, n)))
for i, (n, x) in enumerate(cases, 1):
    write(f"{i:02d}", n, x)
