//! What the auth service tells other services about a bearer token.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The identity behind a valid access token: the body of `GET /api/auth/verify`.
///
/// Other services receive it from the verify endpoint (cluster mode) or straight from the
/// auth library (embedded mode); either way it has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Identity {
    pub user_id: Uuid,
    pub username: String,
    /// The login session (refresh-token family) the token belongs to; logging out ends it.
    pub session_id: Uuid,
    /// When the access token stops being valid, in Unix seconds; caches must not outlive it.
    pub expires_at: i64,
}

/// Response headers set by the verify endpoint, for nginx `auth_request` to forward.
pub const HEADER_USER_ID: &str = "x-user-id";
pub const HEADER_USERNAME: &str = "x-username";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_round_trips_through_json_with_stable_field_names() {
        let identity = Identity {
            user_id: Uuid::nil(),
            username: "ada".into(),
            session_id: Uuid::max(),
            expires_at: 1_700_000_000,
        };
        let json = serde_json::to_value(&identity).unwrap();
        assert_eq!(json["username"], "ada");
        assert_eq!(json["user_id"], "00000000-0000-0000-0000-000000000000");
        assert_eq!(json["session_id"], "ffffffff-ffff-ffff-ffff-ffffffffffff");
        assert_eq!(json["expires_at"], 1_700_000_000);
        let back: Identity = serde_json::from_value(json).unwrap();
        assert_eq!(back, identity);
    }
}
