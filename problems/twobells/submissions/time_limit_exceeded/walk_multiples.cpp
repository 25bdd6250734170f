// TOO SLOW: walks over every multiple of a and of b, O(N/a + N/b) per question.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        unsigned long long n, a, b, cnt = 0;
        scanf("%llu %llu %llu", &n, &a, &b);
        for (unsigned long long x = a; x <= n; x += a) { if (x % b) cnt++; if (n - x < a) break; }
        for (unsigned long long x = b; x <= n; x += b) { if (x % a) cnt++; if (n - x < b) break; }
        printf("%llu\n", cnt);
    }
}
