//! `GET /languages`: what workers can compile and run here.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::service::LanguageInfo;

#[derive(Serialize, ToSchema)]
pub struct LanguageList {
    pub languages: Vec<LanguageInfo>,
}

/// Installed languages and versions
#[utoipa::path(
    get,
    path = "/api/execution/languages",
    responses((status = 200, description = "languages", body = LanguageList))
)]
pub async fn languages(State(state): State<AppState>) -> Json<LanguageList> {
    Json(LanguageList {
        languages: state.service.languages().to_vec(),
    })
}
