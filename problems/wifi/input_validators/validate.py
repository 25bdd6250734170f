#!/usr/bin/env python3
# Input validator for wifi: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"([1-9][0-9]*)"
if not re.fullmatch(f"{INT} {INT}", lines[0]):
    fail("bad first line")
n, m = map(int, lines[0].split())
if not (1 <= n <= 1000 and 1 <= m <= 1000) or len(lines) != n + 1:
    fail("bad n, m or line count")
for ln in lines[1:]:
    if not re.fullmatch(f"[#.R]{{{m}}}", ln):
        fail(f"bad row {ln[:50]!r}")
if not any("R" in ln for ln in lines[1:]):
    fail("no router")
sys.exit(42)
