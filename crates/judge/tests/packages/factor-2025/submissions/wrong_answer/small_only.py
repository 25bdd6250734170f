# Solves group 1 only: scores 30.
n = int(input())
for d in range(2, 1001):
    if n % d == 0 and d < n:
        print(d, n // d)
        break
else:
    print(1, n)
