import sys
from itertools import accumulate


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    d = [0] * (n + 2)
    for i in range(m):
        l = int(data[2 + 2 * i])
        r = int(data[3 + 2 * i])
        d[l] ^= 1
        d[r + 1] ^= 1
    # prefix xor gives each plank's colour (1 = black)
    colour = list(accumulate(d[1 : n + 1], lambda a, b: a ^ b))
    black = sum(colour)
    s = "".join("1" if c else "0" for c in colour)
    best = max((len(x) for x in s.split("0")), default=0)
    print(black, best)


main()
