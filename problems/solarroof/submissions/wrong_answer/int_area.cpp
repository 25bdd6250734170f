// WRONG: the area height * width is computed in 32-bit int and overflows.
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    scanf("%d", &n);
    vector<int> h(n + 1, 0);
    for (int i = 0; i < n; i++) scanf("%d", &h[i]);
    vector<int> st;
    long long best = 0;
    for (int i = 0; i <= n; i++) {
        while (!st.empty() && h[st.back()] >= h[i]) {
            int height = h[st.back()];
            st.pop_back();
            int left = st.empty() ? -1 : st.back();
            int area = height * (i - left - 1);
            best = max(best, (long long)area);
        }
        st.push_back(i);
    }
    printf("%lld\n", best);
}
