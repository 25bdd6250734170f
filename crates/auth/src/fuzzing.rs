//! What the `jwt` fuzz target (`fuzz/fuzz_targets/jwt.rs`) checks, here so that the
//! ordinary tests replay its committed corpus (`fuzz/corpus/jwt/`) through the same code.
//! Compiled for tests and with the `fuzzing` feature.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};

use crate::tokens::{AccessTokens, ISSUER};

/// The secret the corpus's tokens are signed with (only ever used here).
pub const SECRET: &[u8] = b"codearena-fuzzing-secret-0123456";

/// The first byte picks what the rest is. Even: a token as a client sends it. Odd: a
/// header and a payload (JSON, split at the first newline; no newline: the payload under
/// the standard header) that are signed with [`SECRET`] here, so that the claims checks
/// behind the signature are reached too.
///
/// Whatever the token, [`AccessTokens::check`] must not panic, and when it accepts one:
/// the header says HS256, the issuer is ours, it has not expired, and the signature is
/// the one HS256 computes for the rest, spelled exactly that way (no second spelling of
/// a valid token).
pub fn jwt(data: &[u8]) {
    let tokens = AccessTokens::new(SECRET, 3600).expect("a 32-byte secret");
    let key = EncodingKey::from_secret(SECRET).expect("an HS256 key");
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let (header, payload) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (&br#"{"typ":"JWT","alg":"HS256"}"#[..], rest),
        };
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256)
            .expect("HMAC signing");
        format!("{message}.{signature}")
    };
    let Some(claims) = tokens.check(&token) else {
        return;
    };
    let header = jsonwebtoken::decode_header(&token).expect("an accepted token has a header");
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(claims.iss, ISSUER);
    let now = jsonwebtoken::get_current_timestamp() as i64;
    assert!(claims.exp >= now - 5, "expired at {}", claims.exp);
    let (message, signature) = token
        .rsplit_once('.')
        .expect("an accepted token has a signature");
    let expected = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256)
        .expect("HMAC signing");
    assert_eq!(
        signature, expected,
        "a second spelling of a valid signature"
    );
}

#[cfg(test)]
mod tests {
    /// The committed fuzz corpus, replayed on every `cargo test` (no libFuzzer needed).
    #[test]
    fn fuzz_corpus_jwt() {
        testkit::fuzz::replay_corpus("jwt", super::jwt);
    }

    /// The corpus's `issued-*` seeds are tokens exactly as `AccessTokens::issue` writes
    /// them (so the fuzzer starts from accepted tokens).
    #[test]
    fn fuzz_corpus_issued_tokens_are_the_ones_issue_makes() {
        let dir = testkit::fuzz::corpus_dir("jwt");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("the jwt corpus") {
            let path = entry.expect("a corpus entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if !name.starts_with("issued-") {
                continue;
            }
            let data = std::fs::read(&path).expect("reading a corpus file");
            let token = std::str::from_utf8(&data[1..]).expect("a token is text");
            let tokens = super::AccessTokens::new(super::SECRET, 3600).expect("a secret");
            let claims = tokens.check(token).expect("an issued seed checks out");
            let tokens =
                super::AccessTokens::new(super::SECRET, claims.exp - claims.iat).expect("a secret");
            let (again, _) = tokens
                .issue(claims.sub, &claims.name, claims.sid, claims.iat)
                .expect("issuing");
            assert_eq!(again, token, "{name}");
            seen += 1;
        }
        assert!(seen > 0);
    }
}
