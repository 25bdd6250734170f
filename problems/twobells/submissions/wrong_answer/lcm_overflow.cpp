// WRONG: a / g * b overflows 64 bits when a and b are large and nearly coprime,
// so the wrapped "lcm" is small and chords are counted that never happen.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        unsigned long long n, a, b;
        scanf("%llu %llu %llu", &n, &a, &b);
        unsigned long long l = a / std::gcd(a, b) * b;
        printf("%llu\n", n / a + n / b - 2 * (n / l));
    }
}
