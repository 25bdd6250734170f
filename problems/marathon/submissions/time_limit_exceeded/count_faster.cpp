// TOO SLOW: for every runner counts the strictly faster runners one by one, O(n^2).
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
    for (int i = 0; i < n; i++) {
        int place = 1;
        for (int j = 0; j < n; j++) place += t[j] < t[i];
        printf("%d\n", place);
    }
}
