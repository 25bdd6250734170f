// TOO SLOW: flips every plank of every segment, O(n * m) in the worst case.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<char> c(n + 1, 0);
    for (int i = 0; i < m; i++) {
        int l, r;
        scanf("%d %d", &l, &r);
        for (int j = l; j <= r; j++) c[j] ^= 1;
    }
    long long black = 0;
    int run = 0, best = 0;
    for (int i = 1; i <= n; i++) {
        if (c[i]) { black++; run++; best = max(best, run); }
        else run = 0;
    }
    printf("%lld %d\n", black, best);
}
