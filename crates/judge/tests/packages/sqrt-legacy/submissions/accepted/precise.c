#include <math.h>
#include <stdio.h>
int main(void) { long long n; scanf("%lld", &n); printf("%.9f\n", sqrt((double)n)); return 0; }
