// Monotonic stack: when a lower house arrives, every taller house on the stack has found
// its right border; its left border is the house below it on the stack.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<long long> h(n + 1, 0);  // h[n] = 0 flushes the stack
    for (int i = 0; i < n; i++) scanf("%lld", &h[i]);
    vector<int> st;
    long long best = 0;
    for (int i = 0; i <= n; i++) {
        while (!st.empty() && h[st.back()] >= h[i]) {
            long long height = h[st.back()];
            st.pop_back();
            int left = st.empty() ? -1 : st.back();
            best = max(best, height * (i - left - 1));
        }
        st.push_back(i);
    }
    printf("%lld\n", best);
}
