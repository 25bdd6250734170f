from greeting import GREETING  # from include/python3/

n = int(input())
assert n <= {{max_n}}
print(GREETING, sum(map(int, input().split())))
