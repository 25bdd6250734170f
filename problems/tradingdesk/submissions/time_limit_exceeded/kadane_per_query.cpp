// TOO SLOW: runs Kadane's algorithm over [l, r] for every brag: O(n) per query.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    vector<ll> a(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &a[i]);
    while (q--) {
        int type;
        ll x, y;
        scanf("%d %lld %lld", &type, &x, &y);
        if (type == 1) { a[x] = y; continue; }
        ll best = LLONG_MIN, cur = 0;
        for (ll i = x; i <= y; i++) {
            cur = max(cur + a[i], a[i]);
            best = max(best, cur);
        }
        printf("%lld\n", best);
    }
}
