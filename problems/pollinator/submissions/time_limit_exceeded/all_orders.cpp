// TOO SLOW: tries all n! orders of the fields.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<vector<int>> t(n + 1, vector<int>(n + 1));
    for (auto &row : t) for (auto &x : row) scanf("%d", &x);
    vector<int> order(n);
    iota(order.begin(), order.end(), 1);
    long long best = LLONG_MAX;
    do {
        long long len = t[0][order[0]] + t[order[n - 1]][0];
        for (int i = 0; i + 1 < n; i++) len += t[order[i]][order[i + 1]];
        best = min(best, len);
    } while (next_permutation(order.begin(), order.end()));
    printf("%lld\n", best);
}
