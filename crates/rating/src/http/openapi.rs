//! The OpenAPI 3.1 description of this service, served at `GET /api/rating/openapi.json`,
//! derived from the handlers and body types as the other services' are.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "CodeArena rating service",
    description = "Elo ratings, the leaderboard and rating histories. Errors are RFC 9457 problem documents with a stable `code`."
))]
pub struct Info;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::Value;

    use crate::leaderboard::MemoryLeaderboard;
    use crate::service::RatingService;
    use crate::store::SqliteRatingStore;

    /// Every operation of the service. Adding or removing a route means changing this list.
    const OPERATIONS: [(&str, &str); 4] = [
        ("GET", "/api/rating/leaderboard"),
        ("GET", "/api/rating/openapi.json"),
        ("GET", "/api/rating/users/{id}"),
        ("GET", "/api/rating/users/{id}/history"),
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
        let store = Arc::new(SqliteRatingStore::new(pool).await.unwrap());
        let service = RatingService::new(
            crate::RatingSettings::default(),
            store,
            Arc::new(MemoryLeaderboard::new()),
        );
        let router = super::super::router(Arc::new(service));
        testkit::openapi::assert_serves_exactly(router, &document()).await;
    }

    /// `after` takes any `u32`; found by scripts/check-api-fuzz, when the document said
    /// `int32` and the service answered 200 to 2^31.
    #[test]
    fn the_history_cursor_is_documented_with_its_real_range() {
        let doc = document();
        let history = &doc["paths"]["/api/rating/users/{id}/history"]["get"];
        let after = history["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "after")
            .unwrap();
        assert_eq!(after["schema"]["minimum"], 0);
        assert_eq!(after["schema"]["maximum"], u64::from(u32::MAX));
        assert_ne!(after["schema"]["format"], "int32");
    }

    #[test]
    fn errors_are_problems_and_bodies_are_named_schemas() {
        let doc = document();
        assert_eq!(doc["info"]["title"], "CodeArena rating service");
        let board = &doc["paths"]["/api/rating/leaderboard"]["get"];
        let description = board["responses"]["400"]["description"].as_str().unwrap();
        assert!(description.contains("invalid_query"), "{description}");
        for name in ["LeaderboardPage", "PlayerRating", "History"] {
            assert!(doc["components"]["schemas"][name].is_object(), "{name}");
        }
    }
}
