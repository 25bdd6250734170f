//! testdata.yaml / test_group.yaml at three levels of a package's data/ (Problem::load).
//! The checks are `judge::fuzzing::testdata_yaml` (its tests replay corpus/testdata_yaml/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| judge::fuzzing::testdata_yaml(data));
