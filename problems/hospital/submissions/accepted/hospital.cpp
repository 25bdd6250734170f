// Rerooting: compute the total travel for village 1 and subtree populations with one
// traversal; moving the hospital across an edge of length w from parent to child changes
// the total by w * (everyone outside the child's subtree - everyone inside it).
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int main() {
    int n;
    scanf("%d", &n);
    vector<ll> p(n + 1);
    ll total = 0;
    for (int i = 1; i <= n; i++) { scanf("%lld", &p[i]); total += p[i]; }
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int i = 0; i < n - 1; i++) {
        int u, v, w;
        scanf("%d %d %d", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    vector<int> order, par(n + 1, 0), pw(n + 1, 0);
    vector<ll> depth(n + 1, 0), sub(n + 1, 0), cost(n + 1, 0);
    order.reserve(n);
    order.push_back(1);
    par[1] = -1;
    for (size_t i = 0; i < order.size(); i++) {
        int u = order[i];
        for (auto [v, w] : adj[u])
            if (v != par[u]) { par[v] = u; pw[v] = w; depth[v] = depth[u] + w; order.push_back(v); }
    }
    for (int i = n - 1; i >= 0; i--) {
        int u = order[i];
        sub[u] += p[u];
        if (par[u] > 0) sub[par[u]] += sub[u];
        cost[1] += p[u] * depth[u];
    }
    for (int i = 1; i < n; i++) {
        int v = order[i];
        cost[v] = cost[par[v]] + (ll)pw[v] * (total - 2 * sub[v]);
    }
    int best = 1;
    for (int v = 2; v <= n; v++) if (cost[v] < cost[best]) best = v;
    printf("%d %lld\n", best, cost[best]);
}
