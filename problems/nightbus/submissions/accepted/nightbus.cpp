// Dijkstra on states (stop, voucher used?): a ride either costs w and keeps the state,
// or costs 0 and moves from "unused" to "used".
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
    const ll INF = LLONG_MAX;
    vector<ll> dist(2 * (n + 1), INF);
    priority_queue<pair<ll, int>, vector<pair<ll, int>>, greater<>> pq;
    dist[2 * 1] = 0;
    pq.push({0, 2 * 1});
    while (!pq.empty()) {
        auto [d, s] = pq.top();
        pq.pop();
        if (d != dist[s]) continue;
        int u = s / 2, used = s % 2;
        for (auto [v, w] : adj[u]) {
            if (d + w < dist[2 * v + used]) { dist[2 * v + used] = d + w; pq.push({d + w, 2 * v + used}); }
            if (!used && d < dist[2 * v + 1]) { dist[2 * v + 1] = d; pq.push({d, 2 * v + 1}); }
        }
    }
    ll best = min(dist[2 * n], dist[2 * n + 1]);
    printf("%lld\n", best == INF ? -1LL : best);
}
