// Suffix automaton: each state v stands for the distinct substrings with lengths
// (len(link(v)), len(v)]; count how many of those lengths fall into [L, R].
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, L, R;
    static char s[100005];
    scanf("%d %d %d %s", &n, &L, &R, s);
    int cap = 2 * n + 2;
    vector<array<int, 26>> nxt(cap);
    vector<int> len(cap, 0), link(cap, -1);
    nxt[0].fill(-1);
    int sz = 1, last = 0;
    for (int i = 0; i < n; i++) {
        int c = s[i] - 'a', cur = sz++;
        len[cur] = len[last] + 1;
        nxt[cur].fill(-1);
        int p = last;
        while (p != -1 && nxt[p][c] == -1) { nxt[p][c] = cur; p = link[p]; }
        if (p == -1) link[cur] = 0;
        else {
            int q = nxt[p][c];
            if (len[p] + 1 == len[q]) link[cur] = q;
            else {
                int cl = sz++;
                len[cl] = len[p] + 1;
                nxt[cl] = nxt[q];
                link[cl] = link[q];
                while (p != -1 && nxt[p][c] == q) { nxt[p][c] = cl; p = link[p]; }
                link[q] = link[cur] = cl;
            }
        }
        last = cur;
    }
    long long total = 0;
    for (int v = 1; v < sz; v++) {
        int lo = max(len[link[v]] + 1, L), hi = min(len[v], R);
        if (hi >= lo) total += hi - lo + 1;
    }
    printf("%lld\n", total);
}
