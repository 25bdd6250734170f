// Output validator: accepts any pair a, b > 1 with a * b = n.
// Called as: validator input answer feedback_dir < team_output
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

static void verdict(const std::string& feedback, int code, const std::string& msg) {
    std::ofstream(feedback + "/judgemessage.txt") << msg << "\n";
    std::exit(code);
}

int main(int argc, char** argv) {
    if (argc < 4) return 1;
    std::ifstream in(argv[1]);
    long long n;
    in >> n;
    long long a, b;
    if (!(std::cin >> a >> b)) verdict(argv[3], 43, "expected two integers");
    std::string extra;
    if (std::cin >> extra) verdict(argv[3], 43, "trailing output");
    if (a <= 1 || b <= 1) verdict(argv[3], 43, "factors must be greater than 1");
    if ((__int128)a * b != n) verdict(argv[3], 43, "product is not n");
    verdict(argv[3], 42, "ok");
}
