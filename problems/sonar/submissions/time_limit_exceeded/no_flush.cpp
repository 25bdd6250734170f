// Never flushes: the interactor waits for a ping, the submission for an
// answer, until the time runs out.
#include <cstdio>

int main() {
    long long n;
    if (scanf("%lld", &n) != 1) return 0;
    printf("? %lld\n", (n + 1) / 2);
    char r[4];
    if (scanf("%3s", r) != 1) return 0;
    printf("! 1\n");
}
