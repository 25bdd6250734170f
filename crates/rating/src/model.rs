//! A player's standing, a rating-history row, and [`settle`]: what one finished rated
//! battle changes, as a pure function of the two standings read in its transaction.

use contracts::battle::BattleResult;
use contracts::rating::{RatingChange, RatingEvent};
use uuid::Uuid;

use crate::elo::{self, Outcome, Record};

/// One player's rating and record (also what the leaderboard keeps of them, as JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Standing {
    pub user_id: Uuid,
    pub username: String,
    pub rating: f64,
    pub games: u32,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    pub peak: f64,
    /// Unix milliseconds of the last change.
    pub updated_at_ms: i64,
}

impl Standing {
    /// A player before their first rated battle.
    pub fn new(user_id: Uuid, username: &str) -> Self {
        Self {
            user_id,
            username: username.to_owned(),
            rating: elo::INITIAL_RATING,
            games: 0,
            wins: 0,
            losses: 0,
            draws: 0,
            peak: elo::INITIAL_RATING,
            updated_at_ms: 0,
        }
    }
}

/// How one battle moved one player: a point of their rating graph.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub user_id: Uuid,
    pub battle_id: Uuid,
    pub opponent: Uuid,
    pub outcome: Outcome,
    pub before: f64,
    pub after: f64,
    pub delta: f64,
    pub k: u32,
    /// The player's rated games after this one (1 for the first).
    pub game: u32,
    /// When the battle finished, Unix milliseconds.
    pub finished_at_ms: i64,
}

/// Everything one battle writes: both new standings (seat order), both history rows and
/// the event for the channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    pub standings: [Standing; 2],
    pub history: [HistoryRow; 2],
    pub event: RatingEvent,
}

/// What `result` does to the players standing at `a` and `b` (in the result's seat order)
/// at time `now`. Ratings are kept to three decimals, so each rating equals the `after` of
/// its latest history row exactly.
pub fn settle(result: &BattleResult, a: &Standing, b: &Standing, now: i64) -> Settlement {
    let outcome = match result.winner {
        Some(w) if w == a.user_id => Outcome::Win,
        Some(_) => Outcome::Loss,
        None => Outcome::Draw,
    };
    let k = |s: &Standing| {
        elo::k_factor(Record {
            games: s.games,
            peak: s.peak,
        })
    };
    let (ka, kb) = (k(a), k(b));
    let (ra, rb) = elo::game((a.rating, ka), (b.rating, kb), outcome);
    let moved = |s: &Standing, name: &str, after: f64, outcome: Outcome, k: u32, opponent: Uuid| {
        let after = elo::round3(after);
        let mut next = s.clone();
        if !name.is_empty() {
            next.username = name.to_owned();
        }
        next.rating = after;
        next.peak = s.peak.max(after);
        next.games += 1;
        match outcome {
            Outcome::Win => next.wins += 1,
            Outcome::Loss => next.losses += 1,
            Outcome::Draw => next.draws += 1,
        }
        next.updated_at_ms = now;
        let row = HistoryRow {
            user_id: s.user_id,
            battle_id: result.battle_id,
            opponent,
            outcome,
            before: s.rating,
            after,
            delta: elo::round3(after - s.rating),
            k,
            game: next.games,
            finished_at_ms: result.finished_at_ms,
        };
        (next, row)
    };
    let (na, ha) = moved(a, &result.usernames[0], ra, outcome, ka, b.user_id);
    let (nb, hb) = moved(
        b,
        &result.usernames[1],
        rb,
        outcome.opposite(),
        kb,
        a.user_id,
    );
    let change = |s: &Standing, h: &HistoryRow| RatingChange {
        user_id: s.user_id,
        username: s.username.clone(),
        before: h.before,
        after: h.after,
        delta: h.delta,
        k: h.k,
    };
    let event = RatingEvent::Updated {
        battle_id: result.battle_id,
        players: [change(&na, &ha), change(&nb, &hb)],
        at_ms: now,
    };
    Settlement {
        standings: [na, nb],
        history: [ha, hb],
        event,
    }
}

#[cfg(test)]
mod tests {
    use contracts::battle::EndReason;

    use super::*;

    fn result(a: Uuid, b: Uuid, winner: Option<Uuid>) -> BattleResult {
        BattleResult {
            battle_id: Uuid::now_v7(),
            players: [a, b],
            usernames: ["ada".into(), "bob".into()],
            winner,
            reason: EndReason::Accepted,
            finished_at_ms: 7,
        }
    }

    #[test]
    fn a_first_win_between_newcomers_moves_both_by_20() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let s = settle(
            &result(a, b, Some(b)),
            &Standing::new(a, ""),
            &Standing::new(b, ""),
            9,
        );
        assert_eq!(s.standings[0].rating, 1480.0);
        assert_eq!(s.standings[1].rating, 1520.0);
        assert_eq!((s.standings[0].losses, s.standings[1].wins), (1, 1));
        assert_eq!(s.standings[1].peak, 1520.0);
        assert_eq!(s.standings[0].peak, 1500.0);
        assert_eq!(s.standings[0].username, "ada");
        assert_eq!(s.history[1].outcome, Outcome::Win);
        assert_eq!(s.history[1].opponent, a);
        assert_eq!((s.history[0].k, s.history[0].game), (40, 1));
        assert_eq!(s.history[0].delta, -20.0);
    }

    #[test]
    fn a_draw_counts_half_and_the_thirty_first_game_uses_k_20() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut sa = Standing::new(a, "ada");
        sa.rating = 1200.0;
        sa.games = 30;
        let mut sb = Standing::new(b, "bob");
        sb.rating = 1000.0;
        sb.games = 29;
        let s = settle(&result(a, b, None), &sa, &sb, 9);
        assert_eq!((s.history[0].k, s.history[1].k), (20, 40));
        assert_eq!(s.standings[0].rating, 1194.805);
        assert_eq!(s.standings[1].rating, 1010.390);
        assert_eq!((s.standings[0].draws, s.standings[1].draws), (1, 1));
        assert_eq!((s.standings[0].games, s.standings[1].games), (31, 30));
    }
}
