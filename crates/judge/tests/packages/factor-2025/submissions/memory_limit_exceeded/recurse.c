#include <stdio.h>
/* Unbounded recursion: the stack may grow up to the memory limit, so the
   cgroup OOM killer ends it (MLE), not a stack overflow. */
int f(volatile int x) { volatile char pad[4096]; pad[0] = (char)x; return f(x + 1) + pad[0]; }
int main(void) { printf("%d\n", f(0)); return 0; }
