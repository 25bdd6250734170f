#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 1;
    /* parity difference array: flipping [l, r] toggles the parity at l and r + 1 */
    unsigned char *d = calloc(n + 2, 1);
    for (int i = 0; i < m; i++) {
        int l, r;
        if (scanf("%d %d", &l, &r) != 2) return 1;
        d[l] ^= 1;
        d[r + 1] ^= 1;
    }
    long long black = 0;
    int cur = 0, run = 0, best = 0;
    for (int i = 1; i <= n; i++) {
        cur ^= d[i];
        if (cur) {
            black++;
            if (++run > best) best = run;
        } else {
            run = 0;
        }
    }
    printf("%lld %d\n", black, best);
    free(d);
    return 0;
}
