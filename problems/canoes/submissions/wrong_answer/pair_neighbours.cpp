// WRONG: after sorting, pairs each child with the next-heavier one when they fit.
// Pairing neighbours wastes light children: {1, 2, 3, 4} with W = 5 gives 3, not 2.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long W;
    scanf("%d %lld", &n, &W);
    vector<long long> w(n);
    for (auto &x : w) scanf("%lld", &x);
    sort(w.begin(), w.end());
    int canoes = 0;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n && w[i] + w[i + 1] <= W) i++;
        canoes++;
    }
    printf("%d\n", canoes);
}
