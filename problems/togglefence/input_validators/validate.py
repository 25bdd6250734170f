#!/usr/bin/env python3
# Input validator for togglefence: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"(0|[1-9][0-9]*)"
if not re.fullmatch(f"{INT} {INT}", lines[0]):
    fail("bad first line")
n, m = map(int, lines[0].split())
if not (1 <= n <= 10**6 and 1 <= m <= 10**5) or len(lines) != m + 1:
    fail("bad n, m or line count")
for ln in lines[1:]:
    if not re.fullmatch(f"{INT} {INT}", ln):
        fail(f"bad line {ln!r}")
    l, r = map(int, ln.split())
    if not 1 <= l <= r <= n:
        fail(f"bad segment {ln!r}")
sys.exit(42)
