// TOO SLOW: after every bridge, recounts all provinces with a BFS: O(q * (n + q)).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    vector<vector<int>> adj(n + 1);
    vector<int> seen(n + 1), queue_(n + 1);
    for (int j = 1; j <= q; j++) {
        int u, v;
        scanf("%d %d", &u, &v);
        adj[u].push_back(v);
        adj[v].push_back(u);
        int largest = 0, groups = 0;
        for (int s = 1; s <= n; s++) {
            if (seen[s] == j) continue;
            groups++;
            int head = 0, tail = 0;
            queue_[tail++] = s;
            seen[s] = j;
            while (head < tail) {
                int x = queue_[head++];
                for (int y : adj[x]) if (seen[y] != j) { seen[y] = j; queue_[tail++] = y; }
            }
            largest = max(largest, tail);
        }
        printf("%d %d\n", largest, groups);
    }
}
