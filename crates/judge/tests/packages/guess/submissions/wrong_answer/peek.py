# Hostile: looks for the interactor's input and answer files and tries every
# descriptor beyond stdio. It gets nothing, so it can only guess (WA); had it
# found anything it would play properly and be accepted.
import os

found = False
for path in ["/box/testcase.in", "/box/testcase.ans", "testcase.in", "/tmp/testcase.in",
             "/proc/1/root/box/testcase.in", "../testcase.in"]:
    try:
        with open(path) as f:
            f.read()
            found = True
    except OSError:
        pass
for d in ["/box", "/tmp", "/"]:
    try:
        if any(e.startswith("testcase") for e in os.listdir(d)):
            found = True
    except OSError:
        pass
for fd in range(3, 64):
    try:
        os.write(fd, b"! 1\n")
        found = True
    except OSError:
        pass
n = int(input())
if found:
    lo, hi = 1, n
    while lo < hi:
        mid = (lo + hi) // 2
        print("?", mid, flush=True)
        r = input().strip()
        if r == "=":
            lo = hi = mid
        elif r == "<":
            hi = mid - 1
        else:
            lo = mid + 1
    print("!", lo, flush=True)
else:
    print("!", 0, flush=True)
