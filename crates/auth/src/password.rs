//! bcrypt hashing off the async runtime, with bounded concurrency.
//!
//! bcrypt at cost 12 takes a few hundred milliseconds of CPU. Each hash runs on the
//! blocking pool, and a semaphore caps how many run at once so that a burst of logins
//! cannot take every core from the runtime threads serving other requests.
//!
//! bcrypt reads only the first 72 bytes of its input, while passwords may be 128
//! characters (up to 512 bytes). The password is therefore first reduced with SHA-256 and
//! base64 (44 bytes, no NUL), so every character counts.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("bcrypt failed: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    #[error("the hashing task did not finish: {0}")]
    Task(String),
}

pub struct PasswordHasher {
    cost: u32,
    permits: Arc<Semaphore>,
    /// A hash of nothing anyone knows, checked when the account does not exist, so that an
    /// unknown login takes as long as a wrong password.
    decoy: String,
}

impl PasswordHasher {
    pub fn new(cost: u32, concurrency: usize) -> Result<Self, HashError> {
        let decoy = bcrypt::hash(prehash(&uuid::Uuid::new_v4().to_string()), cost)?;
        Ok(Self {
            cost,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy,
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let input = prehash(password);
        let cost = self.cost;
        self.run(move || bcrypt::hash(input, cost).map_err(HashError::from))
            .await
    }

    /// Checks `password` against `hash`; `None` checks against the decoy and fails.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let input = prehash(password);
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.decoy).to_owned();
        let matches = self
            .run(move || bcrypt::verify(input, &hash).map_err(HashError::from))
            .await?;
        Ok(matches && known)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HashError::Task(e.to_string()))?
    }
}

fn prehash(password: &str) -> String {
    STANDARD.encode(Sha256::digest(password.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_every_character_counts() {
        let hasher = PasswordHasher::new(4, 2).unwrap();
        let long = "x".repeat(100);
        let hash = hasher.hash(&long).await.unwrap();
        assert!(hash.starts_with("$2b$04$"));
        assert!(hasher.verify(&long, Some(&hash)).await.unwrap());
        // Differs only after byte 72, where plain bcrypt would stop reading.
        let other = format!("{}y", "x".repeat(99));
        assert!(!hasher.verify(&other, Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn the_decoy_never_matches() {
        let hasher = PasswordHasher::new(4, 1).unwrap();
        assert!(!hasher.verify("anything", None).await.unwrap());
    }
}
