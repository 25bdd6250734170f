//! The default output validator: flag words, judge answer, team output.
//! The checks are `judge::fuzzing::default_validator` (its tests replay corpus/default_validator/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| judge::fuzzing::default_validator(data));
