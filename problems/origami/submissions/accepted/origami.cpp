// Euclid with quotients: a sheet a x b (a >= b) yields a / b squares of side b at once,
// leaving (a mod b) x b. Square sides only shrink, so stop once b < k.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        unsigned long long a, b, k, cranes = 0;
        scanf("%llu %llu %llu", &a, &b, &k);
        if (a < b) swap(a, b);
        while (b > 0 && b >= k) {
            cranes += a / b;
            unsigned long long r = a % b;
            a = b;
            b = r;
        }
        printf("%llu\n", cranes);
    }
}
