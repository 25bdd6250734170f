// WRONG: lets the signal move diagonally too (8 neighbours), squeezing between
// walls that only touch at a corner and shortening distances.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<string> g(n);
    static char buf[1005];
    for (auto &row : g) { scanf("%s", buf); row = buf; }
    vector<int> dist(n * m, -1), q;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            if (g[i][j] == 'R') { dist[i * m + j] = 0; q.push_back(i * m + j); }
    int worst = 0;
    for (size_t h = 0; h < q.size(); h++) {
        int c = q[h], i = c / m, j = c % m;
        worst = max(worst, dist[c]);
        for (int di = -1; di <= 1; di++)
            for (int dj = -1; dj <= 1; dj++) {
                int a = i + di, b = j + dj;
                if (a < 0 || a >= n || b < 0 || b >= m || g[a][b] == '#' || dist[a * m + b] >= 0) continue;
                dist[a * m + b] = dist[c] + 1;
                q.push_back(a * m + b);
            }
    }
    long long dark = 0;
    for (int i = 0; i < n * m; i++) if (g[i / m][i % m] != '#' && dist[i] < 0) dark++;
    printf("%d %lld\n", worst, dark);
}
