#!/usr/bin/env python3
"""Test generator for chorus. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write chorus."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/chorus.cpp"
MAXN = 2 * 10**5
MAXH = 10**9

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, hs):
    assert 1 <= len(hs) <= MAXN and all(1 <= h <= MAXH for h in hs)
    (OUT / f"{name}.in").write_text(f"{len(hs)}\n" + " ".join(map(str, hs)) + "\n")


write("01-one-singer", [MAXH])
write("02-two-equal", [5, 5])
r = random.Random(1003)
write("03-small-random", [r.randint(1, 10) for _ in range(15)])
write("04-max-increasing", list(range(1, MAXN + 1)))
write("05-decreasing", list(range(MAXH, MAXH - 20000, -1)))
write("06-all-equal", [777] * 20000)
r = random.Random(1007)
write("07-random-wide", [r.randint(1, MAXH) for _ in range(40000)])
r = random.Random(1008)
write("08-many-duplicates", [r.randint(1, 100) for _ in range(20000)])
# Non-decreasing staircase with long plateaus: strict vs non-strict differs a lot.
write("09-plateaus", [1 + i // 10 for i in range(20000)])
r = random.Random(1010)
write("10-noisy-increasing", [max(1, i * 5000 + r.randint(-20000, 20000)) for i in range(1, 20001)])
# Interleaved runs: 1,2,...,k repeated, best is k.
write("11-repeated-runs", [1 + (i % 1000) for i in range(20000)])
r = random.Random(1012)
write("12-zigzag", [(i if i % 2 else MAXH - i) for i in range(1, 20001)])
