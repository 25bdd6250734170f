#!/usr/bin/env python3
"""Test generator for echoes. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write echoes."""
import random
import string
import sys
from pathlib import Path

REFERENCE = "accepted/echoes.cpp"
MAXN = 2 * 10**5
MAXQ = 5 * 10**4

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, s, qs):
    n = len(s)
    assert 1 <= n <= MAXN and 1 <= len(qs) <= MAXQ
    assert all(1 <= l <= r <= n for l, r in qs)
    (OUT / f"{name}.in").write_text(f"{n} {len(qs)}\n{s}\n" + "".join(f"{l} {r}\n" for l, r in qs))


def rand_windows(r, n, q, minlen=1):
    out = []
    for _ in range(q):
        ln = r.randint(minlen, n)
        l = r.randint(1, n - ln + 1)
        out.append((l, l + ln - 1))
    return out


def rand_str(r, n, alphabet=string.ascii_lowercase):
    return "".join(r.choice(alphabet) for _ in range(n))


write("01-one-letter", "q", [(1, 1)])
r = random.Random(302)
s = rand_str(r, 8, "ab")
write("02-all-windows-small", s, [(l, rr) for l in range(1, 9) for rr in range(l, 9)])
r = random.Random(303)
s = rand_str(r, 300)
write("03-small-random", s, rand_windows(r, 300, 500))
# All equal letters: the whole window is ~2 * 10^10 echoes, beyond 32 bits.
write("04-all-equal-max", "a" * MAXN, [(1, MAXN)] * 10 + [(2, MAXN), (1, MAXN - 1), (MAXN, MAXN), (1, 65536), (1, 65535)])
r = random.Random(305)
write("05-all-equal-random-windows", "z" * MAXN, rand_windows(r, MAXN, 5000))
r = random.Random(306)
s = rand_str(r, MAXN)
write("06-max-random-26", s, rand_windows(r, MAXN, MAXQ, MAXN // 2))
r = random.Random(307)
s = rand_str(r, MAXN, "xy")
write("07-two-letters-long-windows", s, rand_windows(r, MAXN, 10000, MAXN - 1000))
r = random.Random(308)
s = (string.ascii_lowercase * 2000)[:50000]
write("08-alphabet-cycle", s, rand_windows(r, 50000, 5000))
r = random.Random(309)
s = "".join(r.choice("ab") if r.random() < 0.9 else r.choice(string.ascii_lowercase) for _ in range(MAXN))
write("09-skewed-letters", s, rand_windows(r, MAXN, 5000, MAXN // 3))
r = random.Random(310)
s = "m" * 49999 + "n"
write("10-point-windows", s, [(i, i) for i in range(1, 50001, 10)])
r = random.Random(311)
blocks = "".join(c * 5000 for c in string.ascii_lowercase) * 2
write("11-letter-blocks", blocks[:MAXN], rand_windows(r, MAXN, 5000))
write("12-prefixes", "abc" * 66666 + "ab", [(1, k) for k in range(40, MAXN + 1, 40)])
