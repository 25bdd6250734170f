#!/usr/bin/env python3
"""Test generator for origami. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write origami."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/origami.cpp"
MAXV = 10**18
MAXT = 10**4

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, qs):
    assert 1 <= len(qs) <= MAXT and all(1 <= x <= MAXV for q in qs for x in q)
    (OUT / f"{name}.in").write_text(f"{len(qs)}\n" + "".join(f"{a} {b} {k}\n" for a, b, k in qs))


def loguniform(r, lo, hi):
    return max(lo, min(hi, int(10 ** r.uniform(0, 18))))


def squares(a, b):
    """Side lengths of the squares, for choosing k exactly at a side."""
    out = []
    a, b = max(a, b), min(a, b)
    while b:
        out.append(b)
        a, b = b, a % b
    return out


write("01-unit", [(1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 1), (2, 1, 2)])
write("02-all-small", [(a, b, k) for a in range(1, 11) for b in range(1, 11) for k in range(1, 12)])
r = random.Random(703)
write("03-small-random", [(r.randint(1, 1000), r.randint(1, 1000), r.randint(1, 50)) for _ in range(2000)])
# k equal to one of the square sides: "at least" vs "more than".
r = random.Random(704)
qs = []
for _ in range(MAXT):
    a, b = loguniform(r, 1, MAXV), loguniform(r, 1, MAXV)
    qs.append((a, b, r.choice(squares(a, b))))
write("04-k-equals-side", qs)
write("05-long-strips", [(MAXV - i, 1 + i % 3, 1) for i in range(MAXT)])
# Consecutive Fibonacci numbers: the most Euclid steps.
fib = [1, 1]
while fib[-1] + fib[-2] <= MAXV:
    fib.append(fib[-1] + fib[-2])
write("06-fibonacci", [(fib[i + 1], fib[i], 1) for i in range(len(fib) - 1)] * 100)
r = random.Random(707)
write("07-max-random", [(r.randint(1, MAXV), r.randint(1, MAXV), loguniform(r, 1, MAXV)) for _ in range(MAXT)])
r = random.Random(708)
write("08-k-one", [(loguniform(r, 1, MAXV), loguniform(r, 1, MAXV), 1) for _ in range(MAXT)])
r = random.Random(709)
write("09-squares", [(x, x, k) for x, k in ((loguniform(r, 1, MAXV), loguniform(r, 1, MAXV)) for _ in range(2000))])
write("10-huge-k", [(MAXV, MAXV - 1, MAXV), (MAXV, MAXV, MAXV), (1, MAXV, MAXV), (MAXV, 1, 2)])
r = random.Random(711)
write("11-multiples", [(b * r.randint(1, MAXV // b), b, r.randint(1, b)) for b in (loguniform(r, 1, 10**9) for _ in range(5000))])
r = random.Random(712)
write("12-big-quotients", [(MAXV - r.randint(0, 10**6), r.randint(1, 1000), r.randint(1, 3)) for _ in range(MAXT)])
