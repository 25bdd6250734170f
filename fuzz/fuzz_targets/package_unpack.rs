//! Package archives (tar) as workers unpack them (judge::package::unpack).
//! The checks are `judge::fuzzing::package_unpack` (its tests replay corpus/package_unpack/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| judge::fuzzing::package_unpack(data));
