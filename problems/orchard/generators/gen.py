#!/usr/bin/env python3
"""Test generator for orchard. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write orchard; they are compared with
float_tolerance 1e-6 (data/*/testdata.yaml)."""
import math
import random
import sys
from pathlib import Path

REFERENCE = "accepted/orchard.cpp"
MAXN = 10**5
C = 10**9

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, pts):
    assert 1 <= len(pts) <= MAXN and all(-C <= x <= C and -C <= y <= C for x, y in pts)
    (OUT / f"{name}.in").write_text(f"{len(pts)}\n" + "".join(f"{x} {y}\n" for x, y in pts))


write("01-single-tree", [(C, -C)])
write("02-two-trees-far", [(-C, -C), (C, C)])
write("03-same-point", [(7, 7)] * 100)
r = random.Random(1304)
write("04-small-random", [(r.randint(-10, 10), r.randint(-10, 10)) for _ in range(12)])
r = random.Random(1305)
write("05-collinear", [(t, 2 * t + 1) for t in (r.randint(-4 * 10**8, 4 * 10**8) for _ in range(10000))])
r = random.Random(1306)
write("06-max-n-medium-coordinates", [(r.randint(-10**6, 10**6), r.randint(-10**6, 10**6)) for _ in range(MAXN)])
r = random.Random(1313)
write("13-random-square", [(r.randint(-C, C), r.randint(-C, C)) for _ in range(10000)])
r = random.Random(1307)
# All points on a parabola: every point is a hull vertex.
xs = list(range(-30000, 30001))
r.shuffle(xs)
write("07-parabola", [(x, x * x) for x in xs])
r = random.Random(1308)
pts = []
for _ in range(10000):
    a = r.uniform(0, 2 * math.pi)
    pts.append((round(C * 0.999 * math.cos(a)), round(C * 0.999 * math.sin(a))))
write("08-circle", pts)
write("09-square-corners-and-edges", [(C, C), (-C, C), (C, -C), (-C, -C)] + [(C, y) for y in range(-1000, 1000)] + [(0, 0)])
r = random.Random(1310)
write("10-small-coordinates", [(r.randint(-3, 3), r.randint(-3, 3)) for _ in range(20000)])
r = random.Random(1311)
write("11-thin-triangle", [(-C, -C), (C, -C + 1), (C, -C)] + [(r.randint(-C, C), -C) for _ in range(1000)])
r = random.Random(1312)
write("12-two-clusters", [(r.randint(-C, -C + 10), r.randint(-10, 10)) for _ in range(5000)] + [(r.randint(C - 10, C), r.randint(-10, 10)) for _ in range(5000)])
