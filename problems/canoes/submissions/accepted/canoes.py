import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, cap = int(data[0]), int(data[1])
    w = sorted(map(int, data[2 : 2 + n]))
    i, j, canoes = 0, n - 1, 0
    while i <= j:
        if i < j and w[i] + w[j] <= cap:
            i += 1
        j -= 1
        canoes += 1
    print(canoes)


main()
