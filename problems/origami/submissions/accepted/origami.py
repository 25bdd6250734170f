import sys


def main():
    data = sys.stdin.buffer.read().split()
    t = int(data[0])
    out = []
    for i in range(t):
        a, b, k = int(data[1 + 3 * i]), int(data[2 + 3 * i]), int(data[3 + 3 * i])
        if a < b:
            a, b = b, a
        cranes = 0
        while b and b >= k:
            q, r = divmod(a, b)
            cranes += q
            a, b = b, r
        out.append(cranes)
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
