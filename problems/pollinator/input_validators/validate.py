#!/usr/bin/env python3
# Input validator for pollinator: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"(0|[1-9][0-9]*)"
if not re.fullmatch(INT, lines[0]):
    fail("bad n")
n = int(lines[0])
if not 1 <= n <= 16 or len(lines) != n + 2:
    fail("bad n or line count")
for i, ln in enumerate(lines[1:]):
    if not re.fullmatch(f"{INT}( {INT})*", ln):
        fail(f"bad row {i}")
    row = list(map(int, ln.split()))
    if len(row) != n + 1:
        fail(f"row {i} has {len(row)} numbers")
    for j, t in enumerate(row):
        if (i == j and t != 0) or (i != j and not 1 <= t <= 10**6):
            fail(f"bad t[{i}][{j}] = {t}")
sys.exit(42)
