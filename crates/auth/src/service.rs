//! The auth logic, free of HTTP: register, log in, refresh, log out, verify.

use std::net::IpAddr;
use std::sync::Arc;

use contracts::auth::Identity;
use platform::auth::{TokenVerifier, VerifyError};
use platform::config::{SettingError, require_positive};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{Email, Password, Username};
use crate::password::{HashError, PasswordHasher};
use crate::settings::AuthSettings;
use crate::store::{NewRefreshToken, NewUser, Rotation, StoreError, Taken, User, UserStore};
use crate::throttle::{Limit, LoginThrottle, ThrottleError};
use crate::tokens::{self, AccessTokens, SecretError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid fields")]
    Invalid(Vec<(&'static str, String)>),
    #[error("already taken")]
    Taken(Vec<Taken>),
    #[error("wrong login or password")]
    BadCredentials,
    #[error("too many failed logins; retry in {0} s")]
    Throttled(u64),
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    #[error("refresh token reused; session revoked")]
    RefreshTokenReused,
    #[error("unknown user")]
    UnknownUser,
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("hashing: {0}")]
    Hash(#[from] HashError),
    #[error(transparent)]
    Throttle(#[from] ThrottleError),
    #[error("signing: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("bcrypt cost must be 4..=31, got {0}")]
    Cost(u32),
    #[error("invalid configuration: {0}")]
    Settings(#[from] SettingError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// A session's tokens, as handed to the client.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: User,
}

pub struct AuthService {
    store: Arc<dyn UserStore>,
    throttle: Arc<dyn LoginThrottle>,
    hasher: PasswordHasher,
    tokens: AccessTokens,
    settings: AuthSettings,
}

impl AuthService {
    pub fn new(
        settings: AuthSettings,
        secret: &[u8],
        store: Arc<dyn UserStore>,
        throttle: Arc<dyn LoginThrottle>,
    ) -> Result<Self, SetupError> {
        if !(4..=31).contains(&settings.bcrypt_cost) {
            return Err(SetupError::Cost(settings.bcrypt_cost));
        }
        // Negative lifetimes count as 0.
        let ttl = |secs: i64| u64::try_from(secs).unwrap_or(0);
        require_positive(&[
            (
                "auth.access_token_ttl_secs",
                ttl(settings.access_token_ttl_secs),
            ),
            (
                "auth.refresh_token_ttl_secs",
                ttl(settings.refresh_token_ttl_secs),
            ),
            (
                "auth.login_failures_per_account",
                u64::from(settings.login_failures_per_account),
            ),
            (
                "auth.login_failures_per_address",
                u64::from(settings.login_failures_per_address),
            ),
            (
                "auth.registrations_per_address",
                u64::from(settings.registrations_per_address),
            ),
        ])?;
        let concurrency = match settings.hash_concurrency {
            0 => std::thread::available_parallelism()
                .map(|n| (n.get() / 2).max(1))
                .unwrap_or(1),
            n => n,
        };
        Ok(Self {
            hasher: PasswordHasher::new(settings.bcrypt_cost, concurrency)?,
            tokens: AccessTokens::new(secret, settings.access_token_ttl_secs)?,
            store,
            throttle,
            settings,
        })
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    #[tracing::instrument(skip_all, fields(client = %client))]
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Session, AuthError> {
        let mut invalid = Vec::new();
        let username = Username::parse(username)
            .map_err(|e| invalid.push(("username", e)))
            .ok();
        let email = Email::parse(email)
            .map_err(|e| invalid.push(("email", e)))
            .ok();
        let password = Password::parse(password)
            .map_err(|e| invalid.push(("password", e)))
            .ok();
        let (Some(username), Some(email), Some(password)) = (username, email, password) else {
            return Err(AuthError::Invalid(invalid));
        };
        // Each account costs a bcrypt hash: one address cannot make them without end.
        let limit = Limit {
            key: format!("register:{client}"),
            max_failures: self.settings.registrations_per_address,
        };
        if let Some(seconds) = self.throttle.attempt(&[limit]).await? {
            return Err(AuthError::Throttled(seconds));
        }
        let password_hash = self.hasher.hash(password.expose()).await?;
        let now = OffsetDateTime::now_utc();
        let user = self
            .store
            .create_user(&NewUser {
                id: Uuid::now_v7(),
                username: username.as_str().to_owned(),
                email: email.as_str().to_owned(),
                password_hash,
                created_at: now,
            })
            .await
            .map_err(|e| match e {
                StoreError::Taken(fields) => AuthError::Taken(fields),
                other => AuthError::Store(other),
            })?;
        tracing::info!(user_id = %user.id, "user registered");
        self.start_session(user, now).await
    }

    /// Checks a login (username or email) and password, counting failures per account and
    /// per client address. Unknown accounts and wrong passwords look the same from outside,
    /// in answer and in time.
    #[tracing::instrument(skip_all, fields(client = %client))]
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<Session, AuthError> {
        let login = login.trim();
        if login.is_empty() || login.len() > Email::MAX || password.chars().count() > Password::MAX
        {
            return Err(AuthError::BadCredentials);
        }
        let found = self.store.credentials_by_login(login).await?;
        // Count per account, not per spelling: name and email of one user share a counter.
        let account_key = match &found {
            Some(c) => format!("user:{}", c.user.id),
            None => format!("login:{}", login.to_ascii_lowercase()),
        };
        let limits = [
            Limit {
                key: account_key.clone(),
                max_failures: self.settings.login_failures_per_account,
            },
            Limit {
                key: format!("addr:{client}"),
                max_failures: self.settings.login_failures_per_address,
            },
        ];
        if let Some(seconds) = self.throttle.attempt(&limits).await? {
            return Err(AuthError::Throttled(seconds));
        }
        let hash = found.as_ref().map(|c| c.password_hash.as_str());
        if !self.hasher.verify(password, hash).await? {
            tracing::info!("login failed");
            return Err(AuthError::BadCredentials);
        }
        let Some(credentials) = found else {
            return Err(AuthError::BadCredentials);
        };
        // A good password resets the account's counter and takes this attempt back from
        // the address's.
        self.throttle.clear(&account_key).await?;
        self.throttle.forgive(&limits[1].key).await?;
        self.start_session(credentials.user, OffsetDateTime::now_utc())
            .await
    }

    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, AuthError> {
        if refresh_token.is_empty() || refresh_token.len() > 128 {
            return Err(AuthError::InvalidRefreshToken);
        }
        let presented = tokens::refresh_token_hash(refresh_token);
        let now = OffsetDateTime::now_utc();
        let (next_token, next_hash) = tokens::new_refresh_token();
        let next = NewRefreshToken {
            id: Uuid::now_v7(),
            family_id: Uuid::nil(),
            user_id: Uuid::nil(),
            token_hash: next_hash,
            created_at: now,
            expires_at: now + time::Duration::seconds(self.settings.refresh_token_ttl_secs),
        };
        match self.store.rotate_refresh_token(&presented, &next).await? {
            Rotation::Rotated { user, session_id } => {
                let (access_token, _) =
                    self.tokens
                        .issue(user.id, &user.username, session_id, now.unix_timestamp())?;
                Ok(Session {
                    access_token,
                    expires_in: self.tokens.ttl_secs(),
                    refresh_token: next_token,
                    user,
                })
            }
            Rotation::Reused { session_id } => {
                tracing::warn!(%session_id, "a rotated refresh token was presented again; session revoked");
                Err(AuthError::RefreshTokenReused)
            }
            Rotation::Invalid => Err(AuthError::InvalidRefreshToken),
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn logout(&self, session_id: Uuid) -> Result<(), AuthError> {
        self.store
            .revoke_session(session_id, OffsetDateTime::now_utc())
            .await?;
        Ok(())
    }

    pub async fn user(&self, id: Uuid) -> Result<User, AuthError> {
        self.store
            .user_by_id(id)
            .await?
            .ok_or(AuthError::UnknownUser)
    }

    async fn start_session(&self, user: User, now: OffsetDateTime) -> Result<Session, AuthError> {
        let session_id = Uuid::now_v7();
        let (refresh_token, token_hash) = tokens::new_refresh_token();
        self.store
            .insert_refresh_token(&NewRefreshToken {
                id: Uuid::now_v7(),
                family_id: session_id,
                user_id: user.id,
                token_hash,
                created_at: now,
                expires_at: now + time::Duration::seconds(self.settings.refresh_token_ttl_secs),
            })
            .await?;
        let (access_token, _) =
            self.tokens
                .issue(user.id, &user.username, session_id, now.unix_timestamp())?;
        Ok(Session {
            access_token,
            expires_in: self.tokens.ttl_secs(),
            refresh_token,
            user,
        })
    }
}

/// Verification in-process: signature, expiry and a live session.
#[async_trait::async_trait]
impl TokenVerifier for AuthService {
    async fn verify(&self, token: &str) -> Result<Identity, VerifyError> {
        let claims = self.tokens.check(token).ok_or(VerifyError::Invalid)?;
        let active = self
            .store
            .session_active(claims.sid)
            .await
            .map_err(|e| VerifyError::Unavailable(e.into()))?;
        if !active {
            return Err(VerifyError::Invalid);
        }
        Ok(Identity {
            user_id: claims.sub,
            username: claims.name,
            session_id: claims.sid,
            expires_at: claims.exp,
        })
    }
}
