#!/usr/bin/env python3
# Input validator for genome: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
NAT = r"([1-9][0-9]*)"
if len(lines) != 2 or not re.fullmatch(f"{NAT} {NAT} {NAT}", lines[0]):
    fail("bad line structure")
n, lo, hi = map(int, lines[0].split())
if not (1 <= n <= 10**5 and 1 <= lo <= hi <= n):
    fail("bad n, L or R")
if not re.fullmatch(f"[a-z]{{{n}}}", lines[1]):
    fail("bad string")
sys.exit(42)
