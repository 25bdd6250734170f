// checker input answer feedback_dir --greeting WORD < team_output
// Accepts "WORD SUM" (any whitespace), exits 42; otherwise writes why to
// judgemessage.txt and exits 43.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

static const long long MAX_N = {{max_n}};

static int reject(const std::string &dir, const std::string &why) {
    std::ofstream(dir + "judgemessage.txt") << why << "\n";
    return 43;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::string greeting, dir = argv[3];
    for (int i = 4; i + 1 < argc; i++)
        if (std::strcmp(argv[i], "--greeting") == 0) greeting = argv[i + 1];
    if (greeting.empty()) return 1;
    std::ifstream in(argv[1]), ans(argv[2]);
    long long n = 0;
    in >> n;
    if (n < 1 || n > MAX_N) return 1;
    std::string want_word, want_sum;
    ans >> want_word >> want_sum;
    std::string word, sum, extra;
    if (!(std::cin >> word)) return reject(dir, "no output");
    if (word != greeting) return reject(dir, "wrong greeting: " + word);
    if (!(std::cin >> sum)) return reject(dir, "no sum");
    if (sum != want_sum) return reject(dir, "wrong sum: " + sum);
    if (std::cin >> extra) return reject(dir, "trailing output");
    return 42;
}
