// WRONG: finds the ordinary cheapest route and uses the voucher on its most expensive ride.
// A route that is more expensive overall may contain a single huge fare worth voiding.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int i = 0; i < m; i++) {
        int u, v, w;
        scanf("%d %d %d", &u, &v, &w);
        adj[u].push_back({v, w});
        adj[v].push_back({u, w});
    }
    vector<ll> dist(n + 1, LLONG_MAX);
    vector<int> parw(n + 1, 0), par(n + 1, 0);
    priority_queue<pair<ll, int>, vector<pair<ll, int>>, greater<>> pq;
    dist[1] = 0;
    pq.push({0, 1});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d != dist[u]) continue;
        for (auto [v, w] : adj[u])
            if (d + w < dist[v]) { dist[v] = d + w; par[v] = u; parw[v] = w; pq.push({d + w, v}); }
    }
    if (dist[n] == LLONG_MAX) { puts("-1"); return 0; }
    int mx = 0;
    for (int v = n; v != 1; v = par[v]) mx = max(mx, parw[v]);
    printf("%lld\n", dist[n] - mx);
}
