# A wrong answer, then a crash: the interactor's rejection wins (WA, not RTE).
n = int(input())
print("!", n + 1, flush=True)
raise SystemExit(3)
