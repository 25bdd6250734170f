// Inclusion-exclusion: |A| + |B| - 2|A and B|, where A and B ring together every lcm(a, b) minutes.
// lcm may exceed 64 bits, so compare a/g against N/b before multiplying.
#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long u64;
int main() {
    int t;
    if (scanf("%d", &t) != 1) return 1;
    while (t--) {
        u64 n, a, b;
        scanf("%llu %llu %llu", &n, &a, &b);
        u64 g = std::gcd(a, b);
        u64 both = 0;
        if (a / g <= n / b) both = n / (a / g * b);
        printf("%llu\n", n / a + n / b - 2 * both);
    }
}
