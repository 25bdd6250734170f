#!/usr/bin/env python3
# Input validator for echoes: exits 42 if stdin is a valid input, 43 otherwise.
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
n, q = map(int, lines[0].split())
if not (1 <= n <= 2 * 10**5 and 1 <= q <= 5 * 10**4) or len(lines) != q + 2:
    fail("bad n, q or line count")
if not re.fullmatch(f"[a-z]{{{n}}}", lines[1]):
    fail("bad string")
for ln in lines[2:]:
    if not re.fullmatch(f"{INT} {INT}", ln):
        fail(f"bad line {ln!r}")
    l, r = map(int, ln.split())
    if not 1 <= l <= r <= n:
        fail(f"bad window {ln!r}")
sys.exit(42)
