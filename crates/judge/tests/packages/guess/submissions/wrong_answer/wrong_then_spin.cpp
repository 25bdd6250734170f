// A wrong answer, then a busy loop: the interactor rejected first, so the
// verdict is WA, not the TLE the loop would earn on its own.
#include <iostream>
int main() {
    long long n;
    std::cin >> n;
    std::cout << "! " << n + 1 << std::endl;
    volatile unsigned long long x = 0;
    for (;;) x = x * 31 + n;
}
