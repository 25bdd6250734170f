import sys
from math import hypot


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    pts = sorted(set(zip(map(int, data[1 : 2 * n + 1 : 2]), map(int, data[2 : 2 * n + 2 : 2]))))
    if len(pts) == 1:
        print("%.6f" % 0.0)
        return

    def half(points):
        h = []
        for px, py in points:
            while len(h) >= 2:
                (ox, oy), (ax, ay) = h[-2], h[-1]
                if (ax - ox) * (py - oy) - (ay - oy) * (px - ox) > 0:
                    break
                h.pop()
            h.append((px, py))
        return h

    lower = half(pts)
    upper = half(reversed(pts))
    hull = lower[:-1] + upper  # closed: ends at the first point
    total = sum(hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(hull, hull[1:]))
    print("%.6f" % total)


main()
