#include <iostream>
int main() {
    long long n;
    std::cin >> n;
    volatile unsigned long long x = 0;
    for (;;) x = x * 31 + n;
}
