// WRONG: treats "at least k" as "more than k", dropping squares of side exactly k.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        unsigned long long a, b, k, cranes = 0;
        scanf("%llu %llu %llu", &a, &b, &k);
        if (a < b) swap(a, b);
        while (b > k) {
            cranes += a / b;
            unsigned long long r = a % b;
            a = b;
            b = r;
        }
        printf("%llu\n", cranes);
    }
}
