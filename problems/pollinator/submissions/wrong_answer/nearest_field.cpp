// WRONG: greedy nearest-neighbour route: always fly to the closest unvisited field.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<vector<int>> t(n + 1, vector<int>(n + 1));
    for (auto &row : t) for (auto &x : row) scanf("%d", &x);
    vector<bool> seen(n + 1, false);
    int cur = 0;
    long long total = 0;
    for (int step = 0; step < n; step++) {
        int nx = -1;
        for (int j = 1; j <= n; j++)
            if (!seen[j] && (nx < 0 || t[cur][j] < t[cur][nx])) nx = j;
        seen[nx] = true;
        total += t[cur][nx];
        cur = nx;
    }
    printf("%lld\n", total + t[cur][0]);
}
