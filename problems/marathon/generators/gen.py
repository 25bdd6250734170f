#!/usr/bin/env python3
"""Test generator for marathon. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write marathon."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/marathon.cpp"
MAXN = 10**5
MAXT = 100 * 3600 - 1

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def fmt(sec):
    return f"{sec // 3600}:{sec // 60 % 60:02d}:{sec % 60:02d}"


def write(name, times):
    assert 1 <= len(times) <= MAXN and all(0 <= t <= MAXT for t in times)
    (OUT / f"{name}.in").write_text(f"{len(times)}\n" + "".join(fmt(t) + "\n" for t in times))


write("01-one-runner", [7384])
write("02-extremes", [MAXT, 0, MAXT, 0, 3599, 3600, 59, 60])
r = random.Random(603)
write("03-small-ties", [r.randint(7000, 7010) for _ in range(30)])
r = random.Random(604)
write("04-max-random", [r.randint(2 * 3600, 7 * 3600) for _ in range(MAXN)])
write("05-all-equal", [3 * 3600 + 33 * 60 + 33] * 30000)
r = random.Random(606)
write("06-many-ties", [r.randint(3 * 3600, 3 * 3600 + 100) for _ in range(30000)])
write("07-increasing", list(range(1000, 1000 + 20000)))
write("08-decreasing", list(range(MAXT, MAXT - 20000, -1)))
r = random.Random(609)
write("09-full-range", [r.randint(0, MAXT) for _ in range(20000)])
r = random.Random(610)
write("10-pairs", [t for t in (r.randint(0, MAXT) for _ in range(10000)) for _ in range(2)])
r = random.Random(611)
write("11-tie-first", [100, 100] + [r.randint(101, 5000) for _ in range(998)])
write("12-two-groups", [5000] * 500 + [4000] * 500)
