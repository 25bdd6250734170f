// TOO SLOW: one BFS per router, keeping the minimum: O(routers * n * m).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<string> g(n);
    static char buf[1005];
    for (auto &row : g) { scanf("%s", buf); row = buf; }
    const int INF = INT_MAX;
    vector<int> best(n * m, INF), dist(n * m), q(n * m);
    const int di[] = {1, -1, 0, 0}, dj[] = {0, 0, 1, -1};
    for (int s = 0; s < n * m; s++) {
        if (g[s / m][s % m] != 'R') continue;
        fill(dist.begin(), dist.end(), -1);
        int head = 0, tail = 0;
        dist[s] = 0;
        q[tail++] = s;
        while (head < tail) {
            int c = q[head++], i = c / m, j = c % m;
            best[c] = min(best[c], dist[c]);
            for (int d = 0; d < 4; d++) {
                int a = i + di[d], b = j + dj[d];
                if (a < 0 || a >= n || b < 0 || b >= m || g[a][b] == '#' || dist[a * m + b] >= 0) continue;
                dist[a * m + b] = dist[c] + 1;
                q[tail++] = a * m + b;
            }
        }
    }
    int worst = 0;
    long long dark = 0;
    for (int c = 0; c < n * m; c++) {
        if (g[c / m][c % m] == '#') continue;
        if (best[c] == INF) dark++;
        else worst = max(worst, best[c]);
    }
    printf("%d %lld\n", worst, dark);
}
