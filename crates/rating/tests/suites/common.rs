//! What the suites share: made-up finished battles, and the check that every player's
//! history is one unbroken chain ending at their rating.

use contracts::battle::{BattleResult, EndReason};
use rating::RatingStore;
use uuid::Uuid;

/// `n` players with names.
pub fn players(n: usize) -> Vec<(Uuid, String)> {
    (0..n)
        .map(|i| (Uuid::now_v7(), format!("player{i}")))
        .collect()
}

/// A finished rated battle between `a` and `b`; `winner` 0 (a), 1 (b) or anything else
/// for a draw.
pub fn battle(a: &(Uuid, String), b: &(Uuid, String), winner: u8) -> BattleResult {
    BattleResult {
        battle_id: Uuid::now_v7(),
        players: [a.0, b.0],
        usernames: [a.1.clone(), b.1.clone()],
        winner: match winner {
            0 => Some(a.0),
            1 => Some(b.0),
            _ => None,
        },
        reason: if winner > 1 {
            EndReason::Draw
        } else {
            EndReason::Accepted
        },
        finished_at_ms: 1_700_000_000_000,
    }
}

/// `n` battles between random pairs of `players` (a fixed sequence per `seed`); about one
/// in ten is a draw.
pub fn battles(players: &[(Uuid, String)], n: usize, seed: u64) -> Vec<BattleResult> {
    let mut x = seed | 1;
    let mut next = move || {
        // xorshift64: a reproducible sequence without a dependency.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let a = (next() % players.len() as u64) as usize;
            let mut b = (next() % players.len() as u64) as usize;
            if b == a {
                b = (a + 1) % players.len();
            }
            let winner = match next() % 10 {
                0 => 2,
                r => (r % 2) as u8,
            };
            battle(&players[a], &players[b], winner)
        })
        .collect()
}

/// Every player's history is game 1, 2, … n, starting at 1500, each `before` the previous
/// `after` exactly, ending at their rating with n games: no update was lost or doubled.
pub async fn assert_unbroken_chains(store: &dyn RatingStore, players: &[(Uuid, String)]) {
    for (user, name) in players {
        let history = store.history(*user, 0, 100_000).await.unwrap();
        let Some(standing) = store.standing(*user).await.unwrap() else {
            assert!(history.is_empty(), "{name} has history but no rating");
            continue;
        };
        assert_eq!(standing.games as usize, history.len(), "{name}'s games");
        let mut rating = rating::elo::INITIAL_RATING;
        for (i, row) in history.iter().enumerate() {
            assert_eq!(row.game as usize, i + 1, "{name}'s game numbers");
            assert_eq!(
                row.before,
                rating,
                "{name}'s game {} starts where the last ended",
                i + 1
            );
            rating = row.after;
        }
        assert_eq!(
            standing.rating, rating,
            "{name}'s rating is their last history row"
        );
        assert_eq!(
            standing.wins + standing.losses + standing.draws,
            standing.games,
            "{name}'s record"
        );
    }
}
