#!/usr/bin/env python3
"""Test generator for pollinator. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write pollinator."""
import math
import random
import sys
from pathlib import Path

REFERENCE = "accepted/drone.cpp"
MAXN = 16
MAXT = 10**6

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, t):
    n = len(t) - 1
    assert 1 <= n <= MAXN and all(len(row) == n + 1 for row in t)
    assert all((t[i][j] == 0) if i == j else (1 <= t[i][j] <= MAXT) for i in range(n + 1) for j in range(n + 1))
    (OUT / f"{name}.in").write_text(f"{n}\n" + "".join(" ".join(map(str, row)) + "\n" for row in t))


def random_matrix(r, n, lo=1, hi=MAXT):
    return [[0 if i == j else r.randint(lo, hi) for j in range(n + 1)] for i in range(n + 1)]


def euclidean(r, n, wind=0.0):
    pts = [(r.uniform(0, 1000), r.uniform(0, 1000)) for _ in range(n + 1)]
    t = []
    for i, (x1, y1) in enumerate(pts):
        row = []
        for j, (x2, y2) in enumerate(pts):
            if i == j:
                row.append(0)
                continue
            d = math.hypot(x2 - x1, y2 - y1)
            row.append(max(1, min(MAXT, round(d * 100 * (1 + wind * (x2 - x1) / (d + 1e-9))))))
        t.append(row)
    return t


r = random.Random(1601)
write("01-one-field-max", [[0, MAXT], [MAXT, 0]])
write("02-two-fields", [[0, 5, 1], [1, 0, 9], [7, 2, 0]])
r = random.Random(1603)
write("03-small-random", random_matrix(r, 5, 1, 20))
r = random.Random(1604)
write("04-random-8", random_matrix(r, 8))
r = random.Random(1605)
write("05-max-random", random_matrix(r, MAXN))
r = random.Random(1606)
write("06-max-all-max", [[0 if i == j else MAXT for j in range(MAXN + 1)] for i in range(MAXN + 1)])
r = random.Random(1607)
write("07-max-euclidean", euclidean(r, MAXN))
r = random.Random(1608)
write("08-max-windy", euclidean(r, MAXN, 0.5))
r = random.Random(1609)
write("09-max-small-times", random_matrix(r, MAXN, 1, 3))
# A trap for nearest-neighbour: the cheap first hop leads into expensive ones.
r = random.Random(1610)
t = random_matrix(r, 12, 1000, 2000)
t[0][1] = 1
for j in range(2, 13):
    t[1][j] = MAXT
write("10-greedy-trap", t)
r = random.Random(1611)
write("11-random-15", random_matrix(r, 15, 1, 1000))
r = random.Random(1612)
# One-way streets: cheap only in increasing order of the field numbers.
write("12-one-way-cycle", [[0 if i == j else (1 if j == (i + 1) % (MAXN + 1) else r.randint(500, MAXT)) for j in range(MAXN + 1)] for i in range(MAXN + 1)])
