// TOO SLOW: computes the total travel of every village with its own traversal, O(n^2).
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int main() {
    int n;
    scanf("%d", &n);
    vector<ll> p(n + 1);
    for (int i = 1; i <= n; i++) scanf("%lld", &p[i]);
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int i = 0; i < n - 1; i++) {
        int u, v, w;
        scanf("%d %d %d", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    vector<ll> d(n + 1);
    vector<int> st, seen(n + 1, 0);
    int best = 0;
    ll bestCost = LLONG_MAX;
    for (int h = 1; h <= n; h++) {
        ll cost = 0;
        st.assign(1, h);
        d[h] = 0;
        seen[h] = h;
        while (!st.empty()) {
            int u = st.back();
            st.pop_back();
            cost += p[u] * d[u];
            for (auto [v, w] : adj[u]) if (seen[v] != h) { seen[v] = h; d[v] = d[u] + w; st.push_back(v); }
        }
        if (cost < bestCost) { bestCost = cost; best = h; }
    }
    printf("%d %lld\n", best, bestCost);
}
