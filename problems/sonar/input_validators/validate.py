"""Input validator of Sonar Sweep: one line `n x`, 1 <= x <= n <= 10^9."""
import re
import sys

data = sys.stdin.read()
m = re.fullmatch(r"([1-9][0-9]*) ([1-9][0-9]*)\n", data)
if not m:
    sys.exit(43)
n, x = int(m.group(1)), int(m.group(2))
sys.exit(42 if 1 <= x <= n <= 10**9 else 43)
