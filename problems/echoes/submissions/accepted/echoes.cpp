// A window with k copies of letter c contains k(k+1)/2 echoes starting and ending with c.
// Per-letter prefix counts give k in O(1); the sum over 26 letters needs 64 bits.
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
    string out;
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        long long total = 0;
        for (int c = 0; c < 26; c++) {
            long long k = pre[r][c] - pre[l - 1][c];
            total += k * (k + 1) / 2;
        }
        out += to_string(total);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
}
