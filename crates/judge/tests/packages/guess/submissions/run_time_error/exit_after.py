# Plays correctly, then exits with an error: accepted by the interactor, but a
# run-time error.
import sys
n = int(input())
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
sys.stdout.close()
sys.exit(4)
