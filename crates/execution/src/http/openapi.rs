//! The OpenAPI 3.1 description of this service, served at `GET /api/execution/openapi.json`.
//!
//! Derived, not written: the operations come from the handlers' `#[utoipa::path]`, which
//! [`super::routes`] registers together with the routes, and the schemas from the body types
//! (`ToSchema`); [`platform::openapi::with_document`] adds what every service shares and
//! serves it. Here is only what the document says about the service as a whole.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "CodeArena execution service",
    description = "Runs code in the sandbox: custom runs and judged submissions, as jobs. Errors are RFC 9457 problem documents with a stable `code`."
))]
pub struct Info;

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use contracts::auth::Identity;
    use platform::auth::{TokenVerifier, VerifyError};
    use serde_json::{Value, json};

    use crate::ExecutionSettings;
    use crate::store::MemoryJobStore;

    /// Every operation of the service. Adding or removing a route means changing this list.
    const OPERATIONS: [(&str, &str); 6] = [
        ("GET", "/api/execution/jobs/{id}"),
        ("GET", "/api/execution/languages"),
        ("GET", "/api/execution/openapi.json"),
        ("POST", "/api/execution/judge"),
        ("POST", "/api/execution/run"),
        ("POST", "/internal/execution/judge"),
    ];

    fn document() -> Value {
        serde_json::to_value(super::super::openapi()).unwrap()
    }

    struct NoTokenIsValid;

    #[async_trait::async_trait]
    impl TokenVerifier for NoTokenIsValid {
        async fn verify(&self, _token: &str) -> Result<Identity, VerifyError> {
            Err(VerifyError::Invalid)
        }
    }

    #[test]
    fn the_document_lists_exactly_the_operations_of_the_service() {
        testkit::openapi::assert_operations(&document(), &OPERATIONS);
    }

    #[tokio::test]
    async fn the_router_serves_exactly_the_documented_operations() {
        let store = Arc::new(MemoryJobStore::new(Duration::from_secs(60)));
        let router = super::super::test_router(store, Arc::new(NoTokenIsValid)).await;
        testkit::openapi::assert_serves_exactly(router, &document()).await;
    }

    /// A blank source is refused (422), so the documents say a source has at least one
    /// character; schemathesis (scripts/check-api-fuzz) found them saying "" was valid.
    #[test]
    fn a_source_is_documented_as_not_empty() {
        let doc = document();
        for schema in ["RunRequest", "JudgeRequest", "ServiceJudgeRequest"] {
            let source = &doc["components"]["schemas"][schema]["properties"]["source"];
            assert_eq!(source["minLength"], 1, "{schema}: {source}");
            assert_eq!(source["maxLength"], 65536, "{schema}: {source}");
        }
    }

    #[test]
    fn errors_are_problems_and_bodies_are_named_schemas() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "CodeArena execution service");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let job = &doc["paths"]["/api/execution/jobs/{id}"]["get"];
        assert_eq!(job["security"], json!([{"bearer": []}]));
        let wait = job["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "wait")
            .unwrap();
        assert_eq!(wait["in"], "query");
        assert_eq!(
            job["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/JobRecord"})
        );
        let missing = &job["responses"]["404"];
        assert!(
            missing["description"]
                .as_str()
                .unwrap()
                .contains("`not_found`")
        );
        assert_eq!(
            missing["content"]["application/problem+json"]["schema"],
            json!({"$ref": "#/components/schemas/Problem"})
        );
        let responses = &doc["paths"]["/api/execution/run"]["post"]["responses"];
        assert_eq!(
            responses["202"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Accepted"})
        );
        for (status, codes) in [
            ("422", ["unknown_language", "invalid_body"]),
            ("503", ["queue_unavailable", "auth_unavailable"]),
        ] {
            let description = responses[status]["description"].as_str().unwrap();
            assert!(
                codes.iter().all(|c| description.contains(c)),
                "{description}"
            );
        }
        let run = &doc["components"]["schemas"]["RunRequest"]["properties"];
        let limits = ExecutionSettings::default();
        assert_eq!(run["source"]["maxLength"], limits.max_source_bytes);
        assert_eq!(run["stdin"]["maxLength"], limits.max_stdin_bytes);
        assert_eq!(wait["schema"]["maximum"], limits.max_wait_secs);
        for name in [
            "RunRequest",
            "JudgeRequest",
            "Accepted",
            "JobRecord",
            "JobState",
            "JobResult",
            "RunOutput",
            "TestOutcome",
            "Verdict",
            "LanguageList",
            "Language",
        ] {
            assert!(doc["components"]["schemas"][name].is_object(), "{name}");
        }
    }
}
