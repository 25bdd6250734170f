// Andrew's monotone chain convex hull with exact 64-bit cross products, then the perimeter.
// Collinear points are dropped (cross <= 0), so a line of trees gives a 2-point hull
// and the perimeter counts the segment twice.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
typedef pair<ll, ll> P;
ll cross(const P &o, const P &a, const P &b) {
    return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
}
int main() {
    int n;
    scanf("%d", &n);
    vector<P> p(n);
    for (auto &q : p) scanf("%lld %lld", &q.first, &q.second);
    sort(p.begin(), p.end());
    p.erase(unique(p.begin(), p.end()), p.end());
    n = p.size();
    if (n == 1) { printf("%.6f\n", 0.0); return 0; }
    vector<P> h(2 * n);
    int k = 0;
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
        h[k++] = p[i];
    }
    for (int i = n - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
        h[k++] = p[i];
    }
    // h[0..k-1] is closed: h[k-1] == h[0]
    double len = 0;
    for (int i = 0; i + 1 < k; i++)
        len += hypot((double)(h[i + 1].first - h[i].first), (double)(h[i + 1].second - h[i].second));
    printf("%.6f\n", len);
}
