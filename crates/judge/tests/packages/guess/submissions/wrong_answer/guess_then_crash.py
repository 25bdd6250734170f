# A wrong answer, then a crash once the interactor has gone: the interactor
# rejected first, so its verdict stands (WA, not RTE).
import sys

n = int(input())
print("!", n + 1, flush=True)
sys.stdin.read()  # end of file: the interactor has judged and exited
raise SystemExit(3)
