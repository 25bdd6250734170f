//! Access tokens (JWT, HS256) and refresh tokens (opaque, stored as SHA-256).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Issuer claim written into, and required of, every access token.
pub const ISSUER: &str = "codearena";
/// Shortest secret accepted: HS256 keys shorter than the hash add no strength.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub name: String,
    /// Session (refresh-token family).
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")]
    TooShort,
    #[error("the JWT secret is not a usable HS256 key: {0}")]
    Unusable(#[from] jsonwebtoken::errors::Error),
}

/// Signs and checks access tokens with one shared secret.
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl AccessTokens {
    pub fn new(secret: &[u8], ttl_secs: i64) -> Result<Self, SecretError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort);
        }
        // Only HS256 is accepted: a token saying `alg: none` or any other algorithm fails.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl_secs,
        })
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(
        &self,
        user_id: Uuid,
        username: &str,
        session_id: Uuid,
        now: i64,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user_id,
            name: username.to_owned(),
            sid: session_id,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    /// The token's claims if its signature, algorithm, issuer and expiry check out.
    pub fn check(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A fresh refresh token: 32 random bytes, base64url. Only its hash is stored.
pub fn new_refresh_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = refresh_token_hash(&token);
    (token, hash)
}

pub fn refresh_token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new random secret for embedded mode, base64url of 48 bytes.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    #[test]
    fn issued_tokens_check_out() {
        let tokens = AccessTokens::new(SECRET, 3600).unwrap();
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let (token, _) = tokens.issue(user, "ada", session, now()).unwrap();
        let claims = tokens.check(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.sid, claims.name.as_str()),
            (user, session, "ada")
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(AccessTokens::new(b"short", 60).is_err());
    }

    #[test]
    fn expired_wrong_secret_tampered_and_unsigned_tokens_fail() {
        let tokens = AccessTokens::new(SECRET, 3600).unwrap();
        let other = AccessTokens::new(b"another-secret-another-secret-xx", 3600).unwrap();
        let id = Uuid::now_v7();
        let (expired, _) = tokens.issue(id, "ada", id, now() - 7200).unwrap();
        assert!(tokens.check(&expired).is_none());
        let (foreign, _) = other.issue(id, "ada", id, now()).unwrap();
        assert!(tokens.check(&foreign).is_none());

        let (good, _) = tokens.issue(id, "ada", id, now()).unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        let forged_claims = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"sub": id, "name": "admin", "sid": id, "iat": now(), "exp": now() + 60, "iss": ISSUER}).to_string(),
        );
        let tampered = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
        assert!(tokens.check(&tampered).is_none());
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            tokens
                .check(&format!("{none_header}.{forged_claims}."))
                .is_none()
        );
        assert!(tokens.check("not-a-token").is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, hb) = new_refresh_token();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(refresh_token_hash(&a), ha);
        assert_eq!(a.len(), 43);
    }
}
