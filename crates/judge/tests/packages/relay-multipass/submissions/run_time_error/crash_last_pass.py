p, a, b = map(int, input().split())
if p == 3:
    raise RuntimeError("the last pass")
print(a + b)
