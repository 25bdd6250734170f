#!/usr/bin/env python3
# Input validator for tradingdesk: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
NAT = r"([1-9][0-9]*)"
INT = r"(0|-?[1-9][0-9]*)"
if not re.fullmatch(f"{NAT} {NAT}", lines[0]):
    fail("bad first line")
n, q = map(int, lines[0].split())
if not (1 <= n <= 10**5 and 1 <= q <= 5 * 10**4) or len(lines) != q + 2:
    fail("bad n, q or line count")
if not re.fullmatch(f"{INT}( {INT})*", lines[1]):
    fail("bad ledger line")
a = list(map(int, lines[1].split()))
if len(a) != n or not all(-10**6 <= x <= 10**6 for x in a):
    fail("bad ledger")
queries = 0
for ln in lines[2:]:
    if re.fullmatch(f"1 {NAT} {INT}", ln):
        _, i, x = map(int, ln.split())
        if not (1 <= i <= n and -10**6 <= x <= 10**6):
            fail(f"bad update {ln!r}")
    elif re.fullmatch(f"2 {NAT} {NAT}", ln):
        _, l, r = map(int, ln.split())
        if not 1 <= l <= r <= n:
            fail(f"bad query {ln!r}")
        queries += 1
    else:
        fail(f"bad event {ln!r}")
if queries == 0:
    fail("no query")
sys.exit(42)
