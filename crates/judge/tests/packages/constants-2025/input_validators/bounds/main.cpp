// Two source files compiled together; exit 42 for a valid input.
#include <cstdio>
#include "bounds.h"

int main() {
    long long n;
    if (std::scanf("%lld", &n) != 1 || !valid_n(n)) return 43;
    for (long long i = 0; i < n; i++) {
        long long x;
        if (std::scanf("%lld", &x) != 1 || !valid_value(x)) return 43;
    }
    char c;
    if (std::scanf(" %c", &c) == 1) return 43;
    return 42;
}
