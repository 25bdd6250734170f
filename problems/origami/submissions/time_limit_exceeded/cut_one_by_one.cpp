// TOO SLOW: cuts the squares off one at a time; a 10^18 x 1 sheet needs 10^18 steps.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        unsigned long long a, b, k, cranes = 0;
        scanf("%llu %llu %llu", &a, &b, &k);
        while (a > 0 && b > 0 && min(a, b) >= k) {
            if (a >= b) a -= b; else b -= a;
            cranes++;
        }
        printf("%llu\n", cranes);
    }
}
