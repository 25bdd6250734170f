// WRONG: builds the hospital at the centre of the tree (smallest distance to the farthest
// village), ignoring populations; then reports that village's total travel.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int n;
vector<vector<pair<int, int>>> adj;
vector<ll> dists(int s) {
    vector<ll> d(n + 1, -1);
    vector<int> st = {s};
    d[s] = 0;
    while (!st.empty()) {
        int u = st.back();
        st.pop_back();
        for (auto [v, w] : adj[u]) if (d[v] < 0) { d[v] = d[u] + w; st.push_back(v); }
    }
    return d;
}
int main() {
    scanf("%d", &n);
    vector<ll> p(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &p[i]);
    adj.resize(n + 1);
    for (int i = 0; i < n - 1; i++) {
        int u, v, w;
        scanf("%d %d %d", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    vector<ll> d1 = dists(1);
    int a = max_element(d1.begin() + 1, d1.end()) - d1.begin();
    vector<ll> da = dists(a);
    int b = max_element(da.begin() + 1, da.end()) - da.begin();
    vector<ll> db = dists(b);
    int best = 1;
    for (int v = 2; v <= n; v++) if (max(da[v], db[v]) < max(da[best], db[best])) best = v;
    vector<ll> d = dists(best);
    ll cost = 0;
    for (int i = 1; i <= n; i++) cost += p[i] * d[i];
    printf("%d %lld\n", best, cost);
}
