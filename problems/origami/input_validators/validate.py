#!/usr/bin/env python3
# Input validator for origami: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
INT = r"(0|[1-9][0-9]*)"
if not re.fullmatch(INT, lines[0]):
    fail("bad T line")
t = int(lines[0])
if not 1 <= t <= 10**4 or len(lines) != t + 1:
    fail("bad T or line count")
for ln in lines[1:]:
    if not re.fullmatch(f"{INT} {INT} {INT}", ln):
        fail(f"bad line {ln!r}")
    if not all(1 <= int(x) <= 10**18 for x in ln.split()):
        fail(f"value out of range in {ln!r}")
sys.exit(42)
