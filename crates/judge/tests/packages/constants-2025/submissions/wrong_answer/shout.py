input()
print("{{greeting.upper}}", sum(map(int, input().split())))
