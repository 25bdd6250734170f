// TOO SLOW: tries the voucher on every bus line in turn and runs Dijkstra each time,
// O(m * m log n).
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int n, m;
vector<array<int, 3>> edges;
vector<vector<pair<int, int>>> adj;  // (neighbour, edge index)
ll dijkstra(int freeEdge) {
    vector<ll> dist(n + 1, LLONG_MAX);
    priority_queue<pair<ll, int>, vector<pair<ll, int>>, greater<>> pq;
    dist[1] = 0;
    pq.push({0, 1});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d != dist[u]) continue;
        for (auto [v, e] : adj[u]) {
            ll nd = d + (e == freeEdge ? 0 : edges[e][2]);
            if (nd < dist[v]) { dist[v] = nd; pq.push({nd, v}); }
        }
    }
    return dist[n];
}
int main() {
    scanf("%d %d", &n, &m);
    adj.resize(n + 1);
    edges.resize(m);
    for (int i = 0; i < m; i++) {
        scanf("%d %d %d", &edges[i][0], &edges[i][1], &edges[i][2]);
        adj[edges[i][0]].push_back({edges[i][1], i});
        adj[edges[i][1]].push_back({edges[i][0], i});
    }
    ll best = dijkstra(-1);
    for (int e = 0; e < m; e++) best = min(best, dijkstra(e));
    printf("%lld\n", best == LLONG_MAX ? -1LL : best);
}
