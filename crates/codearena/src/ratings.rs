//! The battle service's [`battle::Ratings`]: straight into the rating service of the same
//! process (embedded), or over HTTP to `GET /api/rating/users/{id}` (cluster).

use std::sync::Arc;
use std::time::Duration;

use battle::{Ratings, RatingsError};
use contracts::rating::PlayerRating;
use rating::RatingService;
use uuid::Uuid;

/// Embedded mode: the rating service is in this process.
pub struct InProcessRatings(pub Arc<RatingService>);

#[async_trait::async_trait]
impl Ratings for InProcessRatings {
    async fn rating(&self, user: Uuid) -> Result<i32, RatingsError> {
        let rating = self
            .0
            .rating(user)
            .await
            .map_err(|e| RatingsError(e.to_string()))?;
        Ok(rating.round() as i32)
    }
}

/// Cluster mode: asks the rating service's public API.
pub struct RemoteRatings {
    client: reqwest::Client,
    base: String,
}

impl RemoteRatings {
    pub fn new(base: &str) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(3))
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }
}

#[async_trait::async_trait]
impl Ratings for RemoteRatings {
    #[tracing::instrument(skip(self))]
    async fn rating(&self, user: Uuid) -> Result<i32, RatingsError> {
        let url = format!("{}/api/rating/users/{user}", self.base);
        let unavailable = |e: reqwest::Error| RatingsError(e.to_string());
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(unavailable)?
            .error_for_status()
            .map_err(unavailable)?;
        let player: PlayerRating = response.json().await.map_err(unavailable)?;
        Ok(player.rating.round() as i32)
    }
}
