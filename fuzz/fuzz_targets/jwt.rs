//! Access tokens (JWT, HS256) as auth checks them (AccessTokens::check).
//! The checks are `auth::fuzzing::jwt` (its tests replay corpus/jwt/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| auth::fuzzing::jwt(data));
