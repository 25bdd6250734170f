import math
print("%.2f" % math.sqrt(int(input())))
