// Bisects, but answers one too far right when the last ping said '>'.
#include <iostream>
#include <string>

int main() {
    long long n;
    std::cin >> n;
    long long lo = 1, hi = n;
    while (lo < hi) {
        long long mid = lo + (hi - lo) / 2;
        std::cout << "? " << mid << std::endl;
        std::string r;
        std::cin >> r;
        if (r == "=") {
            lo = hi = mid;
        } else if (r == "<") {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    std::cout << "! " << (lo < n ? lo + 1 : lo) << std::endl;
}
