#pragma once
const long long MAX_N = {{max_n}};
const long long MAX_ABS = 1000000000;
bool valid_n(long long n);
bool valid_value(long long x);
