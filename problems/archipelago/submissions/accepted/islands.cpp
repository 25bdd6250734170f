// Disjoint set union with union by size and path halving; the largest size only grows.
#include <bits/stdc++.h>
using namespace std;
vector<int> par, sz;
int find(int x) {
    while (par[x] != x) { par[x] = par[par[x]]; x = par[x]; }
    return x;
}
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    par.resize(n + 1);
    sz.assign(n + 1, 1);
    iota(par.begin(), par.end(), 0);
    int largest = 1, groups = n;
    string out;
    while (q--) {
        int u, v;
        scanf("%d %d", &u, &v);
        u = find(u), v = find(v);
        if (u != v) {
            if (sz[u] < sz[v]) swap(u, v);
            par[v] = u;
            sz[u] += sz[v];
            largest = max(largest, sz[u]);
            groups--;
        }
        out += to_string(largest) + ' ' + to_string(groups) + '\n';
    }
    fputs(out.c_str(), stdout);
}
