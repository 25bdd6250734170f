// TOO SLOW: Jarvis march (gift wrapping), O(n * h). Fine for few hull points,
// but all points can be on the hull.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
typedef pair<ll, ll> P;
ll cross(const P &o, const P &a, const P &b) {
    return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
}
ll dist2(const P &a, const P &b) {
    ll dx = a.first - b.first, dy = a.second - b.second;
    return dx * dx + dy * dy;
}
int main() {
    int n;
    scanf("%d", &n);
    vector<P> p(n);
    for (auto &q : p) scanf("%lld %lld", &q.first, &q.second);
    sort(p.begin(), p.end());
    p.erase(unique(p.begin(), p.end()), p.end());
    n = p.size();
    double len = 0;
    int cur = 0;
    do {
        int nxt = (cur + 1) % n;
        for (int i = 0; i < n; i++) {
            ll c = cross(p[cur], p[nxt], p[i]);
            if (c < 0 || (c == 0 && dist2(p[cur], p[i]) > dist2(p[cur], p[nxt]))) nxt = i;
        }
        len += sqrt((double)dist2(p[cur], p[nxt]));
        cur = nxt;
    } while (cur != 0 && n > 1);
    printf("%.6f\n", len);
}
