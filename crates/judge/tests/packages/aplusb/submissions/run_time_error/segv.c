#include <stdio.h>
#include <stdint.h>
int main(void) {
    /* An address far from anything mapped. */
    volatile int *p = (volatile int *)(uintptr_t)0x7ffffff0000ULL;
    *p = 1;
    return 0;
}
