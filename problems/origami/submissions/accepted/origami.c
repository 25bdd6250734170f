#include <stdio.h>

int main(void) {
    int t;
    if (scanf("%d", &t) != 1) return 1;
    while (t--) {
        unsigned long long a, b, k, cranes = 0;
        if (scanf("%llu %llu %llu", &a, &b, &k) != 3) return 1;
        if (a < b) { unsigned long long x = a; a = b; b = x; }
        /* all squares of side b come off in one go */
        while (b > 0 && b >= k) {
            unsigned long long r = a % b;
            cranes += a / b;
            a = b;
            b = r;
        }
        printf("%llu\n", cranes);
    }
    return 0;
}
