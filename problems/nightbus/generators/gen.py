#!/usr/bin/env python3
"""Test generator for nightbus. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write nightbus."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/nightbus.cpp"
MAXN = 5 * 10**4
MAXM = 10**5
MAXW = 10**6

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, n, edges, shuffle_seed=None):
    assert 2 <= n <= MAXN and 0 <= len(edges) <= MAXM
    assert all(1 <= u <= n and 1 <= v <= n and u != v and 1 <= w <= MAXW for u, v, w in edges)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(edges)
    (OUT / f"{name}.in").write_text(f"{n} {len(edges)}\n" + "".join(f"{u} {v} {w}\n" for u, v, w in edges))


def relabel(r, n, edges):
    """Random stop numbers, keeping 1 and n in place."""
    mid = list(range(2, n))
    r.shuffle(mid)
    perm = [0, 1] + mid + [n]
    return [(perm[u], perm[v], w) for u, v, w in edges]


def random_graph(r, n, m, wmax=MAXW):
    edges = [(i, r.randint(1, i - 1), r.randint(1, wmax)) for i in range(2, n + 1)]  # a random tree
    while len(edges) < m:
        u, v = r.randint(1, n), r.randint(1, n)
        if u != v:
            edges.append((u, v, r.randint(1, wmax)))
    return edges


write("01-two-stops", 2, [(1, 2, 7)])
write("02-no-lines", 2, [])
write("03-disconnected", 6, [(1, 2, 1), (2, 3, 1), (4, 5, 1), (5, 6, 1)])
r = random.Random(904)
write("04-small-random", 8, random_graph(r, 8, 14, 20), 904)
# Cheap long path vs. a path with one huge fare: the voucher should go to the huge fare.
n = 1000
edges = [(i, i + 1, 1000) for i in range(1, n)] + [(1, 500, 10), (500, n, MAXW)]
write("05-trap-for-greedy", n, edges, 905)
# Long chain: distances exceed 32 bits.
edges = [(i, i + 1, MAXW) for i in range(1, 10000)]
write("06-long-chain", 10000, edges, 906)
r = random.Random(907)
write("07-max-random", MAXN, relabel(r, MAXN, random_graph(r, MAXN, MAXM)), 907)
r = random.Random(908)
write("08-random-small-weights", 10000, relabel(r, 10000, random_graph(r, 10000, 25000, 3)), 908)
r = random.Random(909)
# Layered graph: many equally good routes, heavy bridges between layers.
L, W = 100, 100
edges = []
node = lambda layer, k: 1 + layer * W + k
for layer in range(L - 1):
    for k in range(W):
        edges.append((node(layer, k), node(layer + 1, r.randrange(W)), r.randint(1, 1000)))
        edges.append((node(layer, k), node(layer, (k + 1) % W), r.randint(1, 1000)))
edges.append((node(L - 1, 0), L * W + 1, 1))
for k in range(1, W):
    edges.append((node(L - 1, k), node(L - 1, k - 1), r.randint(1, 1000)))
edges.append((1, L * W + 1, MAXW))
write("09-layers", L * W + 1, edges, 909)
r = random.Random(910)
write("10-parallel-lines", 2, [(1, 2, r.randint(1, MAXW)) for _ in range(1000)] + [(2, 1, 1)])
r = random.Random(911)
n = 8000
edges = random_graph(r, n, 12000)
edges = [(u, v, w) for u, v, w in edges if n not in (u, v)] + [(n - 1, n, MAXW)]
write("11-single-bridge-home", n, edges, 911)
r = random.Random(912)
# A star: everything goes through stop 2.
n = 15000
write("12-star", n, [(2, v, r.randint(1, MAXW)) for v in range(1, n + 1) if v != 2], 912)
r = random.Random(913)
write("13-dense-small", 300, random_graph(r, 300, 20000), 913)
