#!/usr/bin/env python3
"""Test generator for archipelago. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write archipelago."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/islands.cpp"
MAXN = 2 * 10**5
MAXQ = 10**5

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, n, bridges):
    assert 1 <= n <= MAXN and 1 <= len(bridges) <= MAXQ
    assert all(1 <= u <= n and 1 <= v <= n and u != v for u, v in bridges)
    (OUT / f"{name}.in").write_text(f"{n} {len(bridges)}\n" + "".join(f"{u} {v}\n" for u, v in bridges))


def rand_pairs(r, n, q):
    out = []
    while len(out) < q:
        u, v = r.randint(1, n), r.randint(1, n)
        if u != v:
            out.append((u, v))
    return out


write("01-two-islands", 2, [(1, 2)])
write("02-repeated-bridge", 2, [(1, 2), (2, 1), (1, 2)])
r = random.Random(1203)
write("03-small-random", 10, rand_pairs(r, 10, 15))
write("04-chain", 10000, [(i, i + 1) for i in range(1, 10000)])
write("05-star-with-repeats", 8000, [(1, v) for v in range(2, 8001)] + [(v, 1) for v in range(2, 1000)])
r = random.Random(1206)
write("06-max-random", MAXN, rand_pairs(r, MAXN, 50000))
r = random.Random(1207)
write("07-dense-few-islands", 100, rand_pairs(r, 100, 5000))
# Redundant bridges inside one province early on: double-counting shows up at once.
r = random.Random(1208)
write("08-cycles", 3000, [(i, i % 3000 + 1) for i in range(1, 3001)] * 3)
r = random.Random(1209)
write("09-pairs-then-merge", 10000, [(2 * i - 1, 2 * i) for i in range(1, 5001)] + [(2 * i, 2 * i + 1) for i in range(1, 5000)])
r = random.Random(1210)
write("10-many-provinces", MAXN, rand_pairs(r, MAXN, 1000))
r = random.Random(1211)
write("11-one-island-left", 10000, [(1, v) for v in range(3, 10001)])
write("12-single-island-pairs", 2, [(1, 2)] * 1000)
