// TOO SLOW: puts a rolling hash of every fragment with length in [L, R] into a hash set,
// O(n * (R - L + 1)) fragments.
#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long u64;
int main() {
    int n, L, R;
    static char s[100005];
    scanf("%d %d %d %s", &n, &L, &R, s);
    unordered_set<u64> seen;
    const u64 B1 = 131, B2 = 1000003;
    for (int i = 0; i < n; i++) {
        u64 h1 = 0, h2 = 0;
        for (int j = i; j < n && j - i + 1 <= R; j++) {
            h1 = h1 * B1 + s[j];
            h2 = h2 * B2 + s[j];
            if (j - i + 1 >= L) seen.insert(h1 ^ (h2 * 0x9E3779B97F4A7C15ULL) ^ ((u64)(j - i + 1) << 48));
        }
    }
    printf("%zu\n", seen.size());
}
