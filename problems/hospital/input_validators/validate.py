#!/usr/bin/env python3
# Input validator for hospital: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
NAT = r"([1-9][0-9]*)"
if not re.fullmatch(NAT, lines[0]):
    fail("bad n")
n = int(lines[0])
if not 1 <= n <= 6 * 10**4 or len(lines) != n + 1:
    fail("bad n or line count")
if not re.fullmatch(f"{NAT}( {NAT})*", lines[1]):
    fail("bad population line")
p = list(map(int, lines[1].split()))
if len(p) != n or not all(1 <= x <= 10**4 for x in p):
    fail("bad populations")
parent = list(range(n + 1))
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
for ln in lines[2:]:
    if not re.fullmatch(f"{NAT} {NAT} {NAT}", ln):
        fail(f"bad road {ln!r}")
    u, v, w = map(int, ln.split())
    if not (1 <= u <= n and 1 <= v <= n and u != v and 1 <= w <= 10**4):
        fail(f"bad road {ln!r}")
    a, b = find(u), find(v)
    if a == b:
        fail("roads contain a cycle")
    parent[a] = b
sys.exit(42)
