//! Rating changes: what the rating service publishes on [`crate::names::RATING_EVENTS`]
//! after it applied a finished rated battle, and what other services ask of it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How one player's rating moved in one battle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingChange {
    pub user_id: Uuid,
    pub username: String,
    /// Elo before and after the battle (three decimals kept), and the difference.
    pub before: f64,
    pub after: f64,
    pub delta: f64,
    /// The K factor the change was computed with (40, 20 or 10).
    pub k: u32,
}

/// A message on the rating channel. `type` is `rating.updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type")]
pub enum RatingEvent {
    /// A finished rated battle was applied: both players' ratings moved.
    #[serde(rename = "rating.updated")]
    Updated {
        battle_id: Uuid,
        /// The two players, in the battle's seat order.
        players: [RatingChange; 2],
        /// Unix milliseconds when it was applied.
        at_ms: i64,
    },
}

/// A player's standing, as `GET /api/rating/users/{id}` answers it (and as battle asks
/// for it before matchmaking).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlayerRating {
    pub user_id: Uuid,
    /// Empty for a player who has not played a rated battle yet.
    pub username: String,
    pub rating: f64,
    /// 1-based place on the leaderboard; `None` before the first rated battle.
    pub rank: Option<u64>,
    pub games: u32,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    /// The highest rating reached.
    pub peak: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_tagged_rating_updated() {
        let change = RatingChange {
            user_id: Uuid::nil(),
            username: "ada".into(),
            before: 1500.0,
            after: 1520.0,
            delta: 20.0,
            k: 40,
        };
        let event = RatingEvent::Updated {
            battle_id: Uuid::nil(),
            players: [change.clone(), change],
            at_ms: 1,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "rating.updated");
        assert_eq!(json["players"][0]["after"], 1520.0);
        let back: RatingEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
