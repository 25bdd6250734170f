// Greedy: the heaviest child goes with the lightest one if they fit, otherwise alone.
// If the lightest cannot join the heaviest, nobody can, so that canoe is forced.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long W;
    scanf("%d %lld", &n, &W);
    vector<long long> w(n);
    for (auto &x : w) scanf("%lld", &x);
    sort(w.begin(), w.end());
    int i = 0, j = n - 1, canoes = 0;
    while (i <= j) {
        if (i < j && w[i] + w[j] <= W) i++;
        j--;
        canoes++;
    }
    printf("%d\n", canoes);
}
