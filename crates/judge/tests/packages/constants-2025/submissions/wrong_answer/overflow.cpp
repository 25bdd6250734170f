#include <cstdio>
#include "greeting.h"

// 32-bit sum: right on small inputs, wrong on big ones.
int main() {
    int n, s = 0, x;
    if (std::scanf("%d", &n) != 1) return 1;
    while (n-- > 0 && std::scanf("%d", &x) == 1) s = (int)((unsigned)s + (unsigned)x);
    std::printf("%s %d\n", GREETING, s);
}
