#include "bounds.h"
bool valid_n(long long n) { return 1 <= n && n <= MAX_N; }
bool valid_value(long long x) { return -MAX_ABS <= x && x <= MAX_ABS; }
