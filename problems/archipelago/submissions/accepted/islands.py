import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    par = list(range(n + 1))
    size = [1] * (n + 1)
    largest, groups = 1, n
    out = []
    for j in range(q):
        u, v = int(data[2 + 2 * j]), int(data[3 + 2 * j])
        while par[u] != u:
            par[u] = par[par[u]]
            u = par[u]
        while par[v] != v:
            par[v] = par[par[v]]
            v = par[v]
        if u != v:
            if size[u] < size[v]:
                u, v = v, u
            par[v] = u
            size[u] += size[v]
            if size[u] > largest:
                largest = size[u]
            groups -= 1
        out.append(f"{largest} {groups}")
    sys.stdout.write("\n".join(out) + "\n")


main()
