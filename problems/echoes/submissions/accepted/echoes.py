import sys
from itertools import accumulate


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    s = data[2]
    ls = [int(x) - 1 for x in data[3::2]]
    rs = [int(x) for x in data[4::2]]
    total = [0] * q
    for c in set(s):
        pre = [0] + list(accumulate(1 if ch == c else 0 for ch in s))
        ks = [pre[r] - pre[l] for l, r in zip(ls, rs)]
        total = [t + k * (k + 1) // 2 for t, k in zip(total, ks)]
    sys.stdout.write("\n".join(map(str, total)) + "\n")


main()
