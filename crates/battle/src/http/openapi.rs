//! The OpenAPI 3.1 description of this service, served at `GET /api/battle/openapi.json`,
//! derived from the handlers and body types as auth's and execution's are.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "CodeArena battle service",
    description = "Problems, matchmaking, battles, submissions and their event log. Errors are RFC 9457 problem documents with a stable `code`."
))]
pub struct Info;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use contracts::auth::Identity;
    use platform::auth::{TokenVerifier, VerifyError};
    use serde_json::{Value, json};

    use crate::catalogue::Catalogue;
    use crate::clients::{FixedRatings, JudgeRequest, Judging, JudgingError};
    use crate::service::BattleService;
    use crate::store::SqliteBattleStore;

    /// Every operation of the service. Adding or removing a route means changing this list.
    const OPERATIONS: [(&str, &str); 18] = [
        ("DELETE", "/api/battle/queue"),
        ("DELETE", "/api/battle/{id}"),
        ("GET", "/api/battle/live"),
        ("GET", "/api/battle/mine"),
        ("GET", "/api/battle/openapi.json"),
        ("GET", "/api/battle/problems"),
        ("GET", "/api/battle/problems/{slug}"),
        ("GET", "/api/battle/queue"),
        ("GET", "/api/battle/{id}"),
        ("GET", "/api/battle/{id}/events"),
        ("GET", "/api/battle/{id}/submissions"),
        ("GET", "/api/battle/{id}/submissions/{submission}"),
        ("POST", "/api/battle/create"),
        ("POST", "/api/battle/join/{code}"),
        ("POST", "/api/battle/queue"),
        ("POST", "/api/battle/{id}/ready"),
        ("POST", "/api/battle/{id}/resign"),
        ("POST", "/api/battle/{id}/submissions"),
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

    struct NoJudge;

    #[async_trait::async_trait]
    impl Judging for NoJudge {
        async fn judge(&self, _r: JudgeRequest) -> Result<(), JudgingError> {
            Err(JudgingError::Unavailable("no judge in this test".into()))
        }
        async fn languages(&self) -> Result<Vec<String>, JudgingError> {
            Ok(Vec::new())
        }
    }

    #[test]
    fn the_document_lists_exactly_the_operations_of_the_service() {
        testkit::openapi::assert_operations(&document(), &OPERATIONS);
    }

    #[tokio::test]
    async fn the_router_serves_exactly_the_documented_operations() {
        let db = testkit::TestDatabase::sqlite();
        let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
        let store = Arc::new(SqliteBattleStore::new(pool).await.unwrap());
        let service = BattleService::new(
            crate::BattleSettings::default(),
            store,
            Arc::new(Catalogue::default()),
            Arc::new(NoJudge),
            Arc::new(FixedRatings::default()),
        );
        let router = super::super::router(Arc::new(service), Arc::new(NoTokenIsValid));
        testkit::openapi::assert_serves_exactly(router, &document()).await;
    }

    /// The create request's body may be left out (the API answers 201 without one); found
    /// by scripts/check-api-fuzz, when the document said it was required.
    #[test]
    fn the_create_body_is_optional() {
        let doc = document();
        let create = &doc["paths"]["/api/battle/create"]["post"]["requestBody"];
        assert_eq!(create["required"], json!(false), "{create}");
        let schema = &create["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/CreateRequest");
    }

    /// The event log's page size is bounded as the handler checks it, and a negative
    /// `after` (read as 0) is not documented as invalid.
    #[test]
    fn the_event_query_is_documented_as_checked() {
        let doc = document();
        let events = &doc["paths"]["/api/battle/{id}/events"]["get"];
        let param = |name: &str| {
            events["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()
                .clone()
        };
        let limit = param("limit");
        assert_eq!(limit["schema"]["minimum"], 1);
        assert_eq!(limit["schema"]["maximum"], crate::service::MAX_EVENTS_PAGE);
        assert!(param("after")["schema"].get("minimum").is_none());
    }

    /// A blank source is refused (422), so the document says a source has at least one
    /// character; schemathesis (scripts/check-api-fuzz) found it saying "" was valid.
    #[test]
    fn a_source_is_documented_as_not_empty() {
        let doc = document();
        let source = &doc["components"]["schemas"]["SubmitRequest"]["properties"]["source"];
        assert_eq!(source["minLength"], 1, "{source}");
    }

    /// There is no queue for private battles (422), so the document offers only `rated`
    /// and `casual`; schemathesis (scripts/check-api-fuzz) found `private` documented.
    #[test]
    fn the_queue_is_documented_for_rated_and_casual_only() {
        let doc = document();
        let mode = &doc["components"]["schemas"]["QueueRequest"]["properties"]["mode"];
        assert_eq!(mode["enum"], json!(["rated", "casual"]), "{mode}");
    }

    #[test]
    fn errors_are_problems_and_bodies_are_named_schemas() {
        let doc = document();
        assert_eq!(doc["info"]["title"], "CodeArena battle service");
        let submit = &doc["paths"]["/api/battle/{id}/submissions"]["post"];
        assert_eq!(submit["security"], json!([{"bearer": []}]));
        for (status, code) in [
            ("403", "not_a_participant"),
            ("409", "battle_over"),
            ("429", "still_judging"),
        ] {
            let description = submit["responses"][status]["description"].as_str().unwrap();
            assert!(description.contains(code), "{status}: {description}");
        }
        for name in [
            "BattleView",
            "PlayerView",
            "SubmissionView",
            "BattleEvent",
            "ProblemDetail",
            "QueueStatus",
        ] {
            assert!(doc["components"]["schemas"][name].is_object(), "{name}");
        }
    }
}
