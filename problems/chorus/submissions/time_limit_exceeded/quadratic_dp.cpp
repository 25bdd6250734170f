// TOO SLOW: classic O(n^2) DP, best[i] = 1 + max best[j] over j < i with h[j] < h[i].
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<int> h(n), best(n);
    for (auto &x : h) scanf("%d", &x);
    int ans = 0;
    for (int i = 0; i < n; i++) {
        best[i] = 1;
        for (int j = 0; j < i; j++)
            if (h[j] < h[i] && best[j] + 1 > best[i]) best[i] = best[j] + 1;
        ans = max(ans, best[i]);
    }
    printf("%d\n", ans);
}
