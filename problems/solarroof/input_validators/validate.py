#!/usr/bin/env python3
# Input validator for solarroof: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"(0|[1-9][0-9]*)"
if len(lines) != 2 or not re.fullmatch(INT, lines[0]):
    fail("bad line structure")
n = int(lines[0])
if not 1 <= n <= 2 * 10**5:
    fail("bad n")
if not re.fullmatch(f"{INT}( {INT})*", lines[1]):
    fail("bad heights line")
hs = list(map(int, lines[1].split()))
if len(hs) != n or not all(1 <= x <= 10**9 for x in hs):
    fail("bad heights")
sys.exit(42)
