// WRONG: adds the sizes even when both islands are already in the same province,
// so a redundant bridge doubles the province's recorded size.
#include <bits/stdc++.h>
using namespace std;
vector<int> par, sz;
int find(int x) { return par[x] == x ? x : par[x] = find(par[x]); }
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    par.resize(n + 1);
    sz.assign(n + 1, 1);
    iota(par.begin(), par.end(), 0);
    int largest = 1, groups = n;
    while (q--) {
        int u, v;
        scanf("%d %d", &u, &v);
        u = find(u), v = find(v);
        if (sz[u] < sz[v]) swap(u, v);
        par[v] = u;       // a no-op when u == v
        sz[u] += sz[v];   // but this is not
        largest = max(largest, sz[u]);
        if (u != v) groups--;
        printf("%d %d\n", largest, groups);
    }
}
