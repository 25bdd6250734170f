#!/usr/bin/env python3
"""Test generator for wifi. Usage: gen.py [OUTDIR] (default ../data/secret).

Deterministic: every test uses its own fixed seed. Answers (.ans) are produced by
REFERENCE via scripts/check-problems --write wifi."""
import random
import sys
from pathlib import Path

REFERENCE = "accepted/wifi.cpp"
MAX = 1000

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "secret"
OUT.mkdir(parents=True, exist_ok=True)


def write(name, grid):
    n, m = len(grid), len(grid[0])
    assert 1 <= n <= MAX and 1 <= m <= MAX and all(len(row) == m for row in grid)
    assert any("R" in "".join(row) for row in grid)
    (OUT / f"{name}.in").write_text(f"{n} {m}\n" + "".join("".join(row) + "\n" for row in grid))


def random_grid(r, n, m, wall_p, routers):
    g = [["#" if r.random() < wall_p else "." for _ in range(m)] for _ in range(n)]
    for _ in range(routers):
        g[r.randrange(n)][r.randrange(m)] = "R"
    return g


def serpentine(n, m):
    """Walls leaving a single snake-like corridor: very long distances."""
    g = [["." for _ in range(m)] for _ in range(n)]
    for i in range(1, n, 2):
        for j in range(m):
            g[i][j] = "#"
        g[i][m - 1 if (i // 2) % 2 == 0 else 0] = "."
    g[0][0] = "R"
    return g


# The 1 x 1 grid is sample 02; the smallest other grid, router below a free cell.
write("01-two-cells", [["."], ["R"]])
write("02-row", [list("R....#...R..")])
write("03-column", [[c] for c in ".R..#..."])
r = random.Random(804)
write("04-small-random", random_grid(r, 8, 9, 0.3, 2))
# Walls touching only at corners: diagonal moves would leak through.
g = [["." for _ in range(50)] for _ in range(50)]
for k in range(50):
    g[k][49 - k] = "#"
g[0][0] = "R"
write("05-diagonal-wall", g)
write("06-max-serpentine", serpentine(MAX, MAX))
r = random.Random(807)
write("07-max-many-routers", random_grid(r, MAX, MAX, 0.25, 3000))
r = random.Random(808)
write("08-open-corner-router", [["R" if (i, j) == (499, 499) else "." for j in range(500)] for i in range(500)])
r = random.Random(809)
write("09-random-dense-walls", random_grid(r, 300, 300, 0.45, 40))
# Rooms closed by walls: many cells without signal.
g = [["." for _ in range(200)] for _ in range(200)]
for i in range(0, 200, 20):
    for j in range(200):
        g[i][j] = "#"
        g[j][i] = "#"
g[5][5] = "R"
write("10-closed-rooms", g)
g = [["R" for _ in range(300)] for _ in range(300)]
write("11-all-routers", g)
r = random.Random(812)
write("12-one-wide", [list("R" + "." * 998 + "#")] + [["#"] * 1000])
r = random.Random(813)
g = serpentine(300, 300)
for _ in range(200):
    g[r.randrange(300)][r.randrange(300)] = "R"
write("13-serpentine-many-routers", g)
