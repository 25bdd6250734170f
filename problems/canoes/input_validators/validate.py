#!/usr/bin/env python3
# Input validator for canoes: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"(0|[1-9][0-9]*)"
if len(lines) != 2 or not re.fullmatch(f"{INT} {INT}", lines[0]):
    fail("bad line structure")
n, w = map(int, lines[0].split())
if not (1 <= n <= 2 * 10**5 and 1 <= w <= 10**6):
    fail("bad n or W")
if not re.fullmatch(f"{INT}( {INT})*", lines[1]):
    fail("bad weights line")
ws = list(map(int, lines[1].split()))
if len(ws) != n or not all(1 <= x <= w for x in ws):
    fail("bad weights")
sys.exit(42)
