import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    secs = []
    for tok in data[1 : n + 1]:
        h, m, s = tok.split(b":")
        secs.append(int(h) * 3600 + int(m) * 60 + int(s))
    # first index of each time in sorted order = number of strictly faster runners
    place = {}
    for i, x in enumerate(sorted(secs)):
        if x not in place:
            place[x] = i + 1
    sys.stdout.write("\n".join(str(place[x]) for x in secs) + "\n")


main()
