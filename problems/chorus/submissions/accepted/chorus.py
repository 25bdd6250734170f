import sys
from bisect import bisect_left


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    tail = []
    for h in map(int, data[1 : n + 1]):
        k = bisect_left(tail, h)
        if k == len(tail):
            tail.append(h)
        else:
            tail[k] = h
    print(len(tail))


main()
