//! The OpenAPI 3.1 description of this service, served at `GET /api/auth/openapi.json`.
//!
//! Derived, not written: the operations come from the handlers' `#[utoipa::path]`, which
//! [`super::routes`] registers together with the routes, and the schemas from the body types
//! (`ToSchema`); [`platform::openapi::with_document`] adds what every service shares and
//! serves it. Here is only what the document says about the service as a whole.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "CodeArena auth service",
    description = "Accounts, sessions and access tokens. Errors are RFC 9457 problem documents with a stable `code`."
))]
pub struct Info;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Value, json};

    use crate::domain::{Email, Password, Username};
    use crate::{AuthService, AuthSettings, MemoryThrottle, SqliteUserStore};

    /// Every operation of the service. Adding or removing a route means changing this list.
    const OPERATIONS: [(&str, &str); 7] = [
        ("GET", "/api/auth/me"),
        ("GET", "/api/auth/openapi.json"),
        ("GET", "/api/auth/verify"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/logout"),
        ("POST", "/api/auth/refresh"),
        ("POST", "/api/auth/register"),
    ];

    fn document() -> Value {
        serde_json::to_value(super::super::openapi()).unwrap()
    }

    #[test]
    fn the_document_lists_exactly_the_operations_of_the_service() {
        testkit::openapi::assert_operations(&document(), &OPERATIONS);
    }

    #[tokio::test]
    async fn the_router_serves_exactly_the_documented_operations() {
        let db = testkit::TestDatabase::sqlite();
        let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
        let store = SqliteUserStore::new(pool).await.unwrap();
        let settings = AuthSettings {
            bcrypt_cost: 4,
            ..AuthSettings::default()
        };
        let throttle = MemoryThrottle::new(settings.login_failure_window());
        let auth = AuthService::new(
            settings,
            b"an openapi test secret of enough bytes",
            Arc::new(store),
            Arc::new(throttle),
        )
        .unwrap();
        testkit::openapi::assert_serves_exactly(super::super::router(Arc::new(auth)), &document())
            .await;
    }

    #[test]
    fn errors_are_problems_and_bodies_are_named_schemas() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "CodeArena auth service");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let register = &doc["paths"]["/api/auth/register"]["post"];
        assert_eq!(register["summary"], "Create an account and start a session");
        assert_eq!(
            register["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/RegisterRequest"})
        );
        assert_eq!(
            register["responses"]["201"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/TokenResponse"})
        );
        let invalid = register["responses"]["422"]["description"]
            .as_str()
            .unwrap();
        assert!(invalid.contains("`validation_failed`") && invalid.contains("`invalid_body`"));
        let conflict = &register["responses"]["409"];
        assert!(
            conflict["description"]
                .as_str()
                .unwrap()
                .contains("`already_taken`")
        );
        assert_eq!(
            conflict["content"]["application/problem+json"]["schema"],
            json!({"$ref": "#/components/schemas/Problem"})
        );
        assert_eq!(
            doc["paths"]["/api/auth/me"]["get"]["security"],
            json!([{"bearer": []}])
        );
        for name in [
            "User",
            "TokenResponse",
            "Identity",
            "LoginRequest",
            "RefreshRequest",
        ] {
            assert!(doc["components"]["schemas"][name].is_object(), "{name}");
        }
    }

    #[test]
    fn register_limits_are_the_domain_limits() {
        let doc = document();
        let fields = &doc["components"]["schemas"]["RegisterRequest"]["properties"];
        let pattern = format!("^[A-Za-z0-9_-]{{{},{}}}$", Username::MIN, Username::MAX);
        assert_eq!(fields["username"]["pattern"], pattern.as_str());
        assert_eq!(fields["email"]["maxLength"], Email::MAX);
        assert_eq!(fields["password"]["minLength"], Password::MIN);
        assert_eq!(fields["password"]["maxLength"], Password::MAX);
    }
}
