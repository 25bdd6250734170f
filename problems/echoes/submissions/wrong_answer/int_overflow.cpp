// WRONG: k * (k + 1) / 2 is computed in 32-bit int and overflows for k > 65535.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    static char s[200005];
    scanf("%s", s);
    vector<array<int, 26>> pre(n + 1);
    pre[0].fill(0);
    for (int i = 0; i < n; i++) {
        pre[i + 1] = pre[i];
        pre[i + 1][s[i] - 'a']++;
    }
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        long long total = 0;
        for (int c = 0; c < 26; c++) {
            int k = pre[r][c] - pre[l - 1][c];
            total += k * (k + 1) / 2;
        }
        printf("%lld\n", total);
    }
}
