#include <stdio.h>
int main(void) {
    long long p, a, b;
    if (scanf("%lld %lld %lld", &p, &a, &b) != 3) return 1;
    printf("%lld\n", a + b);
    return 0;
}
