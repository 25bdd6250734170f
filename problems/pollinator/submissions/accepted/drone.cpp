// Held-Karp: best[mask][last] = shortest route from the dock visiting exactly the fields
// in mask and ending at field last. O(2^n * n^2).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<vector<int>> t(n + 1, vector<int>(n + 1));
    for (auto &row : t) for (auto &x : row) scanf("%d", &x);
    const int INF = INT_MAX / 2;
    vector<vector<int>> best(1 << n, vector<int>(n, INF));
    for (int j = 0; j < n; j++) best[1 << j][j] = t[0][j + 1];
    for (int mask = 1; mask < (1 << n); mask++)
        for (int last = 0; last < n; last++) {
            int cur = best[mask][last];
            if (cur >= INF || !(mask >> last & 1)) continue;
            for (int nx = 0; nx < n; nx++) {
                if (mask >> nx & 1) continue;
                int &slot = best[mask | 1 << nx][nx];
                slot = min(slot, cur + t[last + 1][nx + 1]);
            }
        }
    int ans = INF;
    for (int last = 0; last < n; last++) ans = min(ans, best[(1 << n) - 1][last] + t[last + 1][0]);
    printf("%d\n", ans);
}
