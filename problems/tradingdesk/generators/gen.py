#!/usr/bin/env python3
"""Test generator for tradingdesk. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write tradingdesk."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/desk.cpp"
MAXN = 10**5
MAXQ = 5 * 10**4
V = 10**6

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, a, events):
    n = len(a)
    assert 1 <= n <= MAXN and 1 <= len(events) <= MAXQ and all(-V <= x <= V for x in a)
    assert any(e[0] == 2 for e in events)
    for t, x, y in events:
        assert (t == 1 and 1 <= x <= n and -V <= y <= V) or (t == 2 and 1 <= x <= y <= n)
    (OUT / f"{name}.in").write_text(f"{n} {len(events)}\n" + " ".join(map(str, a)) + "\n"
                                    + "".join(f"{t} {x} {y}\n" for t, x, y in events))


def events(r, n, q, upd_p, lo=-V, hi=V, wide=False):
    out = []
    for _ in range(q):
        if r.random() < upd_p:
            out.append((1, r.randint(1, n), r.randint(lo, hi)))
        else:
            if wide:
                l, rr = r.randint(1, max(1, n // 20)), r.randint(n - n // 20, n)
            else:
                l, rr = sorted((r.randint(1, n), r.randint(1, n)))
            out.append((2, l, rr))
    return out


write("01-one-day", [-V], [(2, 1, 1), (1, 1, V), (2, 1, 1)])
r = random.Random(1402)
write("02-small-random", [r.randint(-5, 5) for _ in range(10)], events(r, 10, 40, 0.3, -5, 5))
r = random.Random(1403)
# All losses: the empty-run mistake prints 0.
write("03-all-negative", [-r.randint(1, V) for _ in range(1000)], events(r, 1000, 2000, 0.2, -V, -1))
N4 = 30000
write("04-all-positive", [V] * N4, [(2, 1, N4)] + [(1, i, V) for i in range(1, 1001)] + [(2, 1, N4), (2, N4, N4)])
r = random.Random(1405)
write("05-max-random-wide", [r.randint(-V, V) for _ in range(MAXN)], events(r, MAXN, MAXQ, 0.3, wide=True))
r = random.Random(1406)
write("06-mixed-signs", [r.randint(-V, V // 2) for _ in range(10000)], events(r, 10000, 10000, 0.5))
r = random.Random(1407)
write("07-queries-only", [r.randint(-1000, 1000) for _ in range(10000)], events(r, 10000, 10000, 0.0))
r = random.Random(1408)
write("08-updates-heavy", [0] * 10000, events(r, 10000, 10000, 0.9))
r = random.Random(1409)
write("09-point-queries", [r.randint(-V, V) for _ in range(5000)], [(2, i, i) for i in range(1, 5001)])
r = random.Random(1410)
# Big positive blocks separated by deep losses: the answer spans a block boundary or not.
a = []
for _ in range(200):
    a += [r.randint(1, 1000) for _ in range(50)] + [-r.randint(30000, 70000)]
write("10-blocks", a, events(r, len(a), 10000, 0.2, -70000, 1000))
r = random.Random(1411)
write("11-alternating", [V if i % 2 else -V + 1 for i in range(10000)], events(r, 10000, 10000, 0.1))
r = random.Random(1412)
write("12-negative-with-updates", [-V] * 10000, events(r, 10000, 10000, 0.5, -V, 10))
