// WRONG: dense ranking. After a tie for first the next runner gets place 2, not 3.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<int> t(n);
    for (auto &x : t) {
        int h, m, s;
        scanf("%d:%d:%d", &h, &m, &s);
        x = h * 3600 + m * 60 + s;
    }
    vector<int> d = t;
    sort(d.begin(), d.end());
    d.erase(unique(d.begin(), d.end()), d.end());
    for (int x : t) printf("%d\n", (int)(lower_bound(d.begin(), d.end(), x) - d.begin()) + 1);
}
