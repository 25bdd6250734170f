#!/usr/bin/env python3
"""Test generator for solarroof. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write solarroof."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/solar.cpp"
MAXN = 2 * 10**5
MAXH = 10**9

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, hs):
    assert 1 <= len(hs) <= MAXN and all(1 <= h <= MAXH for h in hs)
    (OUT / f"{name}.in").write_text(f"{len(hs)}\n" + " ".join(map(str, hs)) + "\n")


write("01-one-house", [1])
write("02-one-tall-house", [MAXH])
r = random.Random(1103)
write("03-small-random", [r.randint(1, 10) for _ in range(20)])
# All houses equal and tall: area 1.5 * 10^14.
write("04-all-equal-tall", [MAXH] * 150000)
write("05-increasing", list(range(1, 20001)))
write("06-decreasing", list(range(30000, 0, -1)))
r = random.Random(1107)
write("07-random-wide", [r.randint(1, MAXH) for _ in range(20000)])
r = random.Random(1108)
write("08-random-small-heights", [r.randint(1, 5) for _ in range(20000)])
# Valley: a wide low panel beats the tall thin peaks.
write("09-valley", [MAXH] * 10 + [3 * 10**4] * 19980 + [MAXH] * 10)
r = random.Random(1110)
write("10-pyramid", [min(i, 20000 - i) * 1000 + 1 for i in range(1, 20000)])
r = random.Random(1111)
write("11-alternating", [MAXH if i % 2 else 1 for i in range(20000)])
r = random.Random(1112)
write("12-sawtooth", [1 + (i % 1000) * 1000000 for i in range(20000)])
