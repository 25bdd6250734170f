#include <cstdio>
#include <cstring>
#include <vector>
int main() {
    std::vector<char*> blocks;
    for (int i = 0; i < 1024; i++) {          // up to 1 GiB, 1 MiB at a time
        char* p = new char[1 << 20];
        memset(p, i, 1 << 20);                // touch it so it is really used
        blocks.push_back(p);
    }
    printf("%zu\n", blocks.size());
}
