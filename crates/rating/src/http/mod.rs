//! The rating service's HTTP API, under `/api/rating`: the leaderboard and players'
//! standings and histories ([`ratings`]), and the OpenAPI document ([`openapi`]). Every
//! route is public: ratings are shown to everyone, as on lichess.

mod openapi;
mod ratings;

use std::sync::Arc;

use axum::Router;
use platform::ApiError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::service::{RatingError, RatingService};

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<RatingService>,
}

pub fn router(service: Arc<RatingService>) -> Router {
    let (router, _) = routes().split_for_parts();
    router.with_state(AppState { service })
}

/// The OpenAPI document, exactly as `GET /api/rating/openapi.json` serves it; `codearena
/// openapi` writes it for the web app, whose API types are generated from it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

fn routes() -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::with_openapi(openapi::Info::openapi())
        .routes(routes!(ratings::leaderboard))
        .routes(routes!(ratings::player))
        .routes(routes!(ratings::history));
    platform::openapi::with_document(routes, "/api/rating/openapi.json")
}

impl From<RatingError> for ApiError {
    fn from(err: RatingError) -> Self {
        match err {
            RatingError::Invalid(why) => ApiError::internal(why),
            RatingError::Store(e) => {
                tracing::error!(error = %e, "rating store");
                ApiError::unavailable("store_unavailable", "Ratings cannot be read now.")
                    .with_retry_after(2)
            }
        }
    }
}
