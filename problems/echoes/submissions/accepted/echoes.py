import sys
from itertools import accumulate
from operator import add, mul, sub


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[1])
    s = data[2]
    ls = [int(x) - 1 for x in data[3::2]]
    rs = [int(x) for x in data[4::2]]
    # A window with k copies of a letter has k(k+1)/2 echoes of it; summed over the
    # letters that is (sum of k^2 + window length) / 2. Every loop below runs in C.
    squares = [0] * q
    for c in set(s):
        ones = s.translate(bytes(1 if b == c else 0 for b in range(256)))
        at = [0, *accumulate(ones)].__getitem__
        ks = list(map(sub, map(at, rs), map(at, ls)))
        squares = list(map(add, squares, map(mul, ks, ks)))
    lengths = map(sub, rs, ls)
    total = (x >> 1 for x in map(add, squares, lengths))
    sys.stdout.write("\n".join(map(str, total)) + "\n")


main()
