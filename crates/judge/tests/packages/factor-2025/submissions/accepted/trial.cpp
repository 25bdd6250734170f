#include <cstdio>
int main() {
    long long n; scanf("%lld", &n);
    for (long long d = 2; d * d <= n; d++) if (n % d == 0) { printf("%lld %lld\n", n / d, d); return 0; }
    return 1;
}
