#!/usr/bin/env python3
"""Test generator for togglefence. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write togglefence."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/fence.cpp"
MAXN = 10**6
MAXM = 10**5

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, n, segs):
    assert 1 <= n <= MAXN and 1 <= len(segs) <= MAXM
    assert all(1 <= l <= r <= n for l, r in segs)
    (OUT / f"{name}.in").write_text(f"{n} {len(segs)}\n" + "".join(f"{l} {r}\n" for l, r in segs))


def rand_seg(r, n, maxlen=None):
    if maxlen is None:
        a, b = r.randint(1, n), r.randint(1, n)
        return (min(a, b), max(a, b))
    l = r.randint(1, n)
    return (l, min(n, l + r.randint(0, maxlen - 1)))


write("01-single-plank", 1, [(1, 1)])
write("02-single-plank-even", 1, [(1, 1)] * 4)
r = random.Random(202)
write("03-small-random", 20, [rand_seg(r, 20) for _ in range(15)])
write("04-whole-fence-odd", MAXN, [(1, MAXN)] * 999)
write("05-whole-fence-even", MAXN, [(1, MAXN)] * 1000)
# Each segment's right end is flipped exactly once: off-by-one errors show up.
write("06-adjacent-singletons", 1000, [(i, i) for i in range(1, 1001, 2)])
write("07-touching-segments", MAXN, [(i * 10 + 1, i * 10 + 10) for i in range(0, MAXN // 10, 2)][:20000])
r = random.Random(208)
write("08-max-random-long", MAXN, [rand_seg(r, MAXN) for _ in range(20000)])
r = random.Random(209)
write("09-max-random-short", MAXN, [rand_seg(r, MAXN, 50) for _ in range(MAXM)])
# Nested segments around the middle: many long flips.
write("10-nested", MAXN, [(i + 1, MAXN - i) for i in range(30000)])
r = random.Random(211)
write("11-one-long-black-run", MAXN, [(2, MAXN - 1)] + [(x, x) for x in (r.randint(2, MAXN - 1) for _ in range(3))] * 2)
write("12-last-plank", MAXN, [(MAXN, MAXN), (1, MAXN - 1), (1, MAXN)])
r = random.Random(213)
write("13-max-random-mid", MAXN, [rand_seg(r, MAXN, 20000) for _ in range(20000)])
