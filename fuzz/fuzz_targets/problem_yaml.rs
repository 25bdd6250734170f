//! problem.yaml, loaded as part of a package with test data (Problem::load).
//! The checks are `judge::fuzzing::problem_yaml` (its tests replay corpus/problem_yaml/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| judge::fuzzing::problem_yaml(data));
