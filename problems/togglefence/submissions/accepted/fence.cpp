// Difference array: mark +1 at l and -1 at r+1; the prefix sum is the number of flips.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<int> d(n + 2, 0);
    for (int i = 0; i < m; i++) {
        int l, r;
        scanf("%d %d", &l, &r);
        d[l]++;
        d[r + 1]--;
    }
    long long black = 0;
    int cur = 0, run = 0, best = 0;
    for (int i = 1; i <= n; i++) {
        cur += d[i];
        if (cur & 1) { black++; run++; best = max(best, run); }
        else run = 0;
    }
    printf("%lld %d\n", black, best);
}
