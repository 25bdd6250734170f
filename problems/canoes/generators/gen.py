#!/usr/bin/env python3
"""Test generator for canoes. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write canoes."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/canoes.cpp"
MAXN = 2 * 10**5
MAXW = 10**6

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, cap, ws):
    assert 1 <= len(ws) <= MAXN and 1 <= cap <= MAXW and all(1 <= x <= cap for x in ws)
    (OUT / f"{name}.in").write_text(f"{len(ws)} {cap}\n" + " ".join(map(str, ws)) + "\n")


write("01-one-child", 1, [1])
write("02-two-fit-exactly", 10, [4, 6])
write("03-two-too-heavy", 10, [5, 6])
r = random.Random(504)
write("04-small-random", 20, [r.randint(1, 20) for _ in range(12)])
write("05-all-equal-half", MAXW, [MAXW // 2] * 49999)
write("06-all-equal-max", MAXW, [MAXW] * 1000)
# Neighbour pairing fails here: light children must go with heavy ones.
r = random.Random(507)
write("07-complementary", 1000, [x for k in range(1, 500) for x in (k, 1000 - k)])
r = random.Random(508)
write("08-max-random", MAXW, [r.randint(1, MAXW) for _ in range(MAXN)])
r = random.Random(509)
write("09-light", MAXW, [r.randint(1, MAXW // 3) for _ in range(50000)])
r = random.Random(510)
write("10-heavy", MAXW, [r.randint(MAXW // 2 + 1, MAXW) for _ in range(50000)])
r = random.Random(511)
write("11-bimodal", 100, [r.choice([r.randint(1, 30), r.randint(60, 100)]) for _ in range(50000)])
write("12-weight-one", 1, [1] * 5001)
r = random.Random(513)
write("13-near-threshold", 2 * 10**5, [r.choice([10**5 - 1, 10**5, 10**5 + 1]) for _ in range(60000)])
