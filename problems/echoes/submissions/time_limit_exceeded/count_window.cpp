// TOO SLOW: counts the letters of every window from scratch, O(n * q).
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    static char s[200005];
    scanf("%s", s);
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        long long cnt[26] = {0}, total = 0;
        for (int i = l - 1; i < r; i++) total += ++cnt[s[i] - 'a'];
        printf("%lld\n", total);
    }
}
