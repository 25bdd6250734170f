// Segment tree; each node stores (sum, best prefix, best suffix, best run) of its range,
// all over non-empty runs. Merging two children is O(1).
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
struct Node { ll sum, pre, suf, best; };
Node leaf(ll x) { return {x, x, x, x}; }
Node merge(const Node &a, const Node &b) {
    return {a.sum + b.sum, max(a.pre, a.sum + b.pre), max(b.suf, b.sum + a.suf),
            max({a.best, b.best, a.suf + b.pre})};
}
int n;
vector<Node> t;
void build(int v, int l, int r, const vector<ll> &a) {
    if (l == r) { t[v] = leaf(a[l]); return; }
    int m = (l + r) / 2;
    build(2 * v, l, m, a);
    build(2 * v + 1, m + 1, r, a);
    t[v] = merge(t[2 * v], t[2 * v + 1]);
}
void update(int v, int l, int r, int i, ll x) {
    if (l == r) { t[v] = leaf(x); return; }
    int m = (l + r) / 2;
    if (i <= m) update(2 * v, l, m, i, x); else update(2 * v + 1, m + 1, r, i, x);
    t[v] = merge(t[2 * v], t[2 * v + 1]);
}
Node query(int v, int l, int r, int ql, int qr) {
    if (ql <= l && r <= qr) return t[v];
    int m = (l + r) / 2;
    if (qr <= m) return query(2 * v, l, m, ql, qr);
    if (ql > m) return query(2 * v + 1, m + 1, r, ql, qr);
    return merge(query(2 * v, l, m, ql, qr), query(2 * v + 1, m + 1, r, ql, qr));
}
int main() {
    int q;
    scanf("%d %d", &n, &q);
    vector<ll> a(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &a[i]);
    t.resize(4 * n);
    build(1, 1, n, a);
    string out;
    while (q--) {
        int type;
        ll x, y;
        scanf("%d %lld %lld", &type, &x, &y);
        if (type == 1) update(1, 1, n, (int)x, y);
        else out += to_string(query(1, 1, n, (int)x, (int)y).best) + '\n';
    }
    fputs(out.c_str(), stdout);
}
