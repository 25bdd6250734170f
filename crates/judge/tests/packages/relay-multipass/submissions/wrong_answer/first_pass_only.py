# Right on the first pass only: wrong from the second pass on.
p, a, b = map(int, input().split())
print(a + b if p == 1 else a)
