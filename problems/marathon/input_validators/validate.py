#!/usr/bin/env python3
# Input validator for marathon: exits 42 if stdin is a valid input, 43 otherwise.
import re, sys

def fail(msg):
    print(msg); sys.exit(43)

data = sys.stdin.buffer.read().decode("ascii", "strict")
if not data.endswith("\n"):
    fail("missing final newline")
lines = data[:-1].split("\n")
if not re.fullmatch(r"[1-9][0-9]*", lines[0]):
    fail("bad n")
n = int(lines[0])
if not 1 <= n <= 10**5 or len(lines) != n + 1:
    fail("bad n or line count")
for ln in lines[1:]:
    if not re.fullmatch(r"(0|[1-9][0-9]?):[0-5][0-9]:[0-5][0-9]", ln):
        fail(f"bad time {ln!r}")
sys.exit(42)
