// WRONG: upper_bound computes the longest NON-decreasing subsequence, so singers of
// equal height are counted as rising.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<int> tail;
    for (int i = 0; i < n; i++) {
        int h;
        scanf("%d", &h);
        auto it = upper_bound(tail.begin(), tail.end(), h);
        if (it == tail.end()) tail.push_back(h);
        else *it = h;
    }
    printf("%zu\n", tail.size());
}
