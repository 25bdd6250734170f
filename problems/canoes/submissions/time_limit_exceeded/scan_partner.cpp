// TOO SLOW: for each heaviest child, scans all others for the heaviest free partner that fits.
// Correct, but O(n^2).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    long long W;
    scanf("%d %lld", &n, &W);
    vector<long long> w(n);
    for (auto &x : w) scanf("%lld", &x);
    sort(w.begin(), w.end());
    vector<char> used(n, 0);
    int canoes = 0;
    for (int j = n - 1; j >= 0; j--) {
        if (used[j]) continue;
        used[j] = 1;
        int best = -1;
        for (int k = 0; k < j; k++)
            if (!used[k] && w[k] + w[j] <= W) best = k;
        if (best >= 0) used[best] = 1;
        canoes++;
    }
    printf("%d\n", canoes);
}
