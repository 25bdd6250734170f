#!/usr/bin/env python3
"""Test generator for twobells. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write twobells."""
import random
import sys
from math import gcd
from pathlib import Path

REFERENCE = "accepted/bells.cpp"
MAXV = 10**18
MAXT = 3 * 10**4

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, queries):
    assert 1 <= len(queries) <= MAXT
    for q in queries:
        assert all(1 <= x <= MAXV for x in q), q
    (OUT / f"{name}.in").write_text(f"{len(queries)}\n" + "".join(f"{n} {a} {b}\n" for n, a, b in queries))


def loguniform(r, lo, hi):
    """Integers spread over all magnitudes between lo and hi."""
    e = r.uniform(0, len(str(hi)))
    return max(lo, min(hi, int(10 ** e)))


r = random.Random(401)
write("01-all-tiny", [(n, a, b) for n in range(1, 7) for a in range(1, 7) for b in range(1, 7)])
write("02-small-random", [(r.randint(1, 100), r.randint(1, 30), r.randint(1, 30)) for _ in range(1000)])

r = random.Random(402)
q = []
for _ in range(2000):
    a = loguniform(r, 1, MAXV)
    q.append((loguniform(r, 1, MAXV), a, a))
write("03-equal-towers", q)

r = random.Random(403)
q = []
for _ in range(2000):
    a = loguniform(r, 1, 10**9)
    b = a * r.randint(1, MAXV // a)
    q.append((loguniform(r, 1, MAXV), a, b) if r.random() < 0.5 else (loguniform(r, 1, MAXV), b, a))
write("04-one-divides-other", q)

# Large nearly-coprime periods: the lcm is far beyond 64 bits.
r = random.Random(404)
q = []
for _ in range(2000):
    a = r.randint(MAXV // 2, MAXV)
    b = r.randint(MAXV // 2, MAXV)
    q.append((MAXV, a, b))
q.append((MAXV, 999999999999999989, 999999999999999967))
write("05-huge-coprime", q)

# lcm close to N: just below, equal, just above.
r = random.Random(405)
q = []
while len(q) < 3000:
    g = loguniform(r, 1, 10**6)
    p = r.randint(1, 10**6)
    s = r.randint(1, 10**6)
    if gcd(p, s) != 1 or p * s * g > MAXV:
        continue
    lcm = p * s * g
    for n in (lcm - 1, lcm, lcm + 1, 2 * lcm - 1, 2 * lcm):
        if 1 <= n <= MAXV:
            q.append((n, p * g, s * g))
write("06-lcm-near-n", q[:5000])

write("07-n-is-one", [(1, a, b) for a in (1, 2, MAXV) for b in (1, 3, MAXV)])

r = random.Random(408)
write("08-loguniform", [(loguniform(r, 1, MAXV), loguniform(r, 1, MAXV), loguniform(r, 1, MAXV)) for _ in range(10000)])

r = random.Random(409)
write("09-small-periods", [(MAXV - r.randint(0, 10**6), r.randint(1, 10), r.randint(1, 10)) for _ in range(10000)])

r = random.Random(410)
write("10-max-uniform", [(r.randint(1, MAXV), r.randint(1, MAXV), r.randint(1, MAXV)) for _ in range(MAXT)])

r = random.Random(411)
write("11-powers-of-two", [(2 ** r.randint(0, 59), 2 ** r.randint(0, 59), 2 ** r.randint(0, 59)) for _ in range(5000)])

write("12-extremes", [(n, a, b) for n in (1, 2, MAXV - 1, MAXV) for a in (1, 2, MAXV - 1, MAXV) for b in (1, 2, MAXV - 1, MAXV)])

# Products of large primes sharing a factor: lcm just over or under 10^18.
r = random.Random(413)
q = []
primes = [999999937, 999999929, 999999893, 999999883, 999999797, 999999761, 999999751, 999999739]
for _ in range(4000):
    x, y, z = r.sample(primes, 3)
    q.append((MAXV - r.randint(0, 10**9), x * y, y * z))
write("13-shared-big-prime", q)
