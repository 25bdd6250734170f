#!/usr/bin/env python3
"""Test generator for hospital. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write hospital."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/hospital.cpp"
MAXN = 6 * 10**4
MAXP = 10**4
MAXW = 10**4

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, pops, edges, seed=None):
    n = len(pops)
    assert 1 <= n <= MAXN and len(edges) == n - 1
    assert all(1 <= x <= MAXP for x in pops) and all(1 <= w <= MAXW for _, _, w in edges)
    if seed is not None:  # random labels and edge order, so structure is not given away
        r = random.Random(seed)
        perm = list(range(1, n + 1))
        r.shuffle(perm)
        pops2 = [0] * n
        for i in range(n):
            pops2[perm[i] - 1] = pops[i]
        pops = pops2
        edges = [(perm[u - 1], perm[v - 1], w) if r.random() < 0.5 else (perm[v - 1], perm[u - 1], w) for u, v, w in edges]
        r.shuffle(edges)
    (OUT / f"{name}.in").write_text(f"{n}\n" + " ".join(map(str, pops)) + "\n" + "".join(f"{u} {v} {w}\n" for u, v, w in edges))


def random_tree(r, n, wmax=MAXW, span=None):
    return [(i, r.randint(max(1, i - span) if span else 1, i - 1), r.randint(1, wmax)) for i in range(2, n + 1)]


write("01-one-village", [MAXP], [])
write("02-two-villages-tie", [7, 7], [(1, 2, MAXW)])
r = random.Random(1503)
write("03-small-random", [r.randint(1, 10) for _ in range(9)], random_tree(r, 9, 10), 1503)
# A long path with maximal weights and populations: totals near 10^18.
write("04-max-path", [MAXP] * MAXN, [(i, i + 1, MAXW) for i in range(1, MAXN)], 1504)
r = random.Random(1505)
write("05-random", [r.randint(1, MAXP) for _ in range(10000)], random_tree(r, 10000), 1505)
r = random.Random(1506)
write("06-star", [r.randint(1, MAXP) for _ in range(10000)], [(1, v, r.randint(1, MAXW)) for v in range(2, 10001)], 1506)
r = random.Random(1507)
# Heavy population at one end of a long path: the centre is the wrong answer.
n = 10000
write("07-heavy-end", [MAXP] * 10 + [1] * (n - 10), [(i, i + 1, r.randint(1, MAXW)) for i in range(1, n)])
r = random.Random(1508)
write("08-deep-random", [r.randint(1, MAXP) for _ in range(10000)], random_tree(r, 10000, MAXW, 3), 1508)
r = random.Random(1509)
write("09-caterpillar", [r.randint(1, 100) for _ in range(10000)], [(i, i + 1, r.randint(1, MAXW)) for i in range(1, 5000)] + [(i - 4999, i, 1) for i in range(5001, 10001)], 1509)
write("10-all-equal-path", [1] * 1000, [(i, i + 1, 1) for i in range(1, 1000)])
r = random.Random(1511)
write("11-two-heavy-ends", [MAXP] + [1] * 9998 + [MAXP], [(i, i + 1, 1) for i in range(1, 10000)])
r = random.Random(1512)
write("12-binary-tree", [r.randint(1, MAXP) for _ in range(8191)], [(i, i // 2, r.randint(1, MAXW)) for i in range(2, 8192)], 1512)
