from adder import total
from greeting import GREETING

input()
print(GREETING, total(input().split()))
