#!/usr/bin/env python3
"""Test generator for genome. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write genome."""
import random
import string
import sys
from pathlib import Path

REFERENCE = "accepted/genome.cpp"
MAXN = 10**5

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, s, lo, hi):
    n = len(s)
    assert 1 <= n <= MAXN and 1 <= lo <= hi <= n and all(c in string.ascii_lowercase for c in s)
    (OUT / f"{name}.in").write_text(f"{n} {lo} {hi}\n{s}\n")


def rand_str(r, n, alphabet=string.ascii_lowercase):
    return "".join(r.choice(alphabet) for _ in range(n))


def fib_word(n):
    a, b = "a", "ab"
    while len(b) < n:
        a, b = b, b + a
    return b[:n]


write("01-one-letter", "z", 1, 1)
r = random.Random(1702)
write("02-small-random", rand_str(r, 12, "ab"), 2, 5)
# All fragments of a random string are distinct almost always: about 5 * 10^9 of them.
r = random.Random(1703)
write("03-max-random-all-lengths", rand_str(r, MAXN), 1, MAXN)
write("04-max-all-equal", "a" * MAXN, 1, MAXN)
r = random.Random(1705)
write("05-max-binary", rand_str(r, MAXN, "ab"), 1, MAXN)
write("06-max-fibonacci-word", fib_word(MAXN), 1, MAXN)
r = random.Random(1707)
write("07-narrow-window", rand_str(r, MAXN, "acgt"), 10, 20)
r = random.Random(1708)
write("08-long-lengths-only", rand_str(r, MAXN, "acgt"), MAXN - 1000, MAXN)
write("09-periodic", ("abcab" * (MAXN // 5 + 1))[:MAXN], 1, MAXN)
r = random.Random(1710)
write("10-single-length", rand_str(r, MAXN, "ab"), 17, 17)
r = random.Random(1711)
block = rand_str(r, 1000, "acgt")
write("11-repeated-block", (block * 100)[:MAXN], 500, 50000)
r = random.Random(1712)
write("12-small-alphabet-medium", rand_str(r, 5000, "ab"), 1, 5000)
