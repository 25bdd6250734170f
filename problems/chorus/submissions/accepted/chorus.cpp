// Patience sorting: tail[k] = smallest possible last height of a rising chorus of k+1.
// lower_bound keeps the increase strict.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<int> tail;
    for (int i = 0; i < n; i++) {
        int h;
        scanf("%d", &h);
        auto it = lower_bound(tail.begin(), tail.end(), h);
        if (it == tail.end()) tail.push_back(h);
        else *it = h;
    }
    printf("%zu\n", tail.size());
}
