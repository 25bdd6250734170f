// Convert times to seconds, sort a copy, and count strictly faster runners with lower_bound.
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
    vector<int> sorted_t = t;
    sort(sorted_t.begin(), sorted_t.end());
    string out;
    for (int x : t) {
        out += to_string(lower_bound(sorted_t.begin(), sorted_t.end(), x) - sorted_t.begin() + 1);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
}
