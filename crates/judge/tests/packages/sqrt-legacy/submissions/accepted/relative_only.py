# Prints 7 significant digits: fine for big n only thanks to the relative tolerance.
import math
n = int(input())
print("%.7g" % math.sqrt(n) if n > 10**6 else "%.9f" % math.sqrt(n))
