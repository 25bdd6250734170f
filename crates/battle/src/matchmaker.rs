//! Matchmaking: pairs by rating with a window that widens while a player waits, as lichess
//! pools do — a pair is made only when each player's window contains the other's rating,
//! nearest ratings first. A round runs inside the store's transaction (see
//! [`BattleStore::pair`](crate::store::BattleStore::pair)), so two replicas never pair
//! the same player.

use contracts::battle::BattleMode;
use rand::seq::IndexedRandom;
use uuid::Uuid;

use crate::catalogue::{Catalogue, Entry};
use crate::model::{Change, QueueEntry};
use crate::rules::{self, Timing};
use crate::settings::BattleSettings;
use crate::store::Planner;

/// The rating window of a player who has waited `waited_ms`.
pub fn window(settings: &BattleSettings, waited_ms: i64) -> i32 {
    let secs = i32::try_from(waited_ms.max(0) / 1000).unwrap_or(i32::MAX);
    settings
        .match_window
        .saturating_add(secs.saturating_mul(settings.match_window_per_sec))
        .min(settings.match_window_max)
}

/// How many rating neighbours on each side a player is compared with in a round: the
/// nearest candidates are among them, and a round stays linear in the queue's size.
const NEIGHBOURS: usize = 16;

/// Pairs for one round: pairs whose ratings lie in both windows, closest first (then
/// longest waiting), each player at most once.
pub fn pairs(settings: &BattleSettings, queue: &[QueueEntry], now: i64) -> Vec<(usize, usize)> {
    let mut by_rating: Vec<usize> = (0..queue.len()).collect();
    by_rating.sort_by_key(|&i| queue[i].rating);
    let mut candidates = Vec::new();
    for (k, &i) in by_rating.iter().enumerate() {
        for &j in by_rating.iter().skip(k + 1).take(NEIGHBOURS) {
            let (a, b) = (&queue[i], &queue[j]);
            if a.user_id == b.user_id || a.mode != b.mode {
                continue;
            }
            let gap = (a.rating - b.rating).abs();
            let wa = window(settings, now - a.enqueued_at_ms);
            let wb = window(settings, now - b.enqueued_at_ms);
            if gap <= wa && gap <= wb {
                let waited = a.enqueued_at_ms.min(b.enqueued_at_ms);
                candidates.push((gap, waited, i.min(j), i.max(j)));
            }
        }
    }
    candidates.sort();
    let mut taken = vec![false; queue.len()];
    let mut out = Vec::new();
    for (_, _, i, j) in candidates {
        if !taken[i] && !taken[j] {
            taken[i] = true;
            taken[j] = true;
            out.push((i, j));
        }
    }
    out
}

/// The difficulty a rating plays at.
pub fn difficulty_for(rating: i32) -> &'static str {
    match rating {
        ..1400 => "easy",
        1400..1800 => "medium",
        _ => "hard",
    }
}

/// A problem for players around `rating`: of the right difficulty if there is one,
/// avoiding `recent` where possible, at random among the rest.
pub fn choose_problem<'c>(
    catalogue: &'c Catalogue,
    rating: i32,
    recent: &[String],
) -> Option<&'c Entry> {
    let all: Vec<&Entry> = catalogue.list().collect();
    let fresh: Vec<&Entry> = all
        .iter()
        .copied()
        .filter(|e| !recent.contains(&e.detail.summary.slug))
        .collect();
    let pool = if fresh.is_empty() { all } else { fresh };
    let want = difficulty_for(rating);
    let fitting: Vec<&Entry> = pool
        .iter()
        .copied()
        .filter(|e| e.detail.summary.difficulty == want)
        .collect();
    let pool = if fitting.is_empty() { pool } else { fitting };
    pool.choose(&mut rand::rng()).copied()
}

/// The planner the service's rounds use.
pub struct Matchmaker<'a> {
    pub settings: &'a BattleSettings,
    pub timing: Timing,
    pub catalogue: &'a Catalogue,
    pub mode: BattleMode,
}

impl Planner for Matchmaker<'_> {
    fn pairs(&self, queue: &[QueueEntry], now: i64) -> Vec<(usize, usize)> {
        pairs(self.settings, queue, now)
    }

    fn battle(
        &self,
        a: &QueueEntry,
        b: &QueueEntry,
        recent: &[String],
        now: i64,
    ) -> Option<Change> {
        let rating = (a.rating + b.rating) / 2;
        let entry = choose_problem(self.catalogue, rating, recent)?;
        for p in [a, b] {
            let waited = (now - p.enqueued_at_ms).max(0) as f64 / 1000.0;
            metrics::histogram!(crate::metrics::QUEUE_WAIT, "mode" => self.mode.as_str())
                .record(waited);
        }
        Some(rules::create_matched(
            Uuid::now_v7(),
            self.mode,
            [&a.player(), &b.player()],
            (&entry.detail.summary.slug, &entry.hash),
            self.settings.duration_secs,
            now,
            &self.timing,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rating: i32, at: i64) -> QueueEntry {
        QueueEntry {
            user_id: Uuid::new_v4(),
            username: format!("p{rating}"),
            mode: BattleMode::Rated,
            language: None,
            rating,
            enqueued_at_ms: at,
        }
    }

    #[test]
    fn nearest_ratings_are_paired_first() {
        let s = BattleSettings::default();
        let q = vec![
            entry(1500, 0),
            entry(1580, 0),
            entry(1510, 0),
            entry(1590, 0),
        ];
        let mut got = pairs(&s, &q, 0);
        got.sort();
        assert_eq!(got, vec![(0, 2), (1, 3)]);
    }

    #[test]
    fn both_windows_must_contain_the_other() {
        let s = BattleSettings::default();
        // 300 apart: the old-timer's window has grown to 300, the newcomer's is 100.
        let q = vec![entry(1500, 0), entry(1800, 20_000)];
        assert!(pairs(&s, &q, 20_000).is_empty());
        // Once both have waited long enough, they meet.
        assert_eq!(pairs(&s, &q, 40_000), vec![(0, 1)]);
    }

    #[test]
    fn windows_widen_up_to_the_maximum() {
        let s = BattleSettings::default();
        assert_eq!(window(&s, 0), 100);
        assert_eq!(window(&s, 10_000), 200);
        assert_eq!(window(&s, 10_000_000), s.match_window_max);
    }

    #[test]
    fn a_player_is_never_paired_twice_in_a_round() {
        let s = BattleSettings::default();
        let q = vec![entry(1500, 0), entry(1500, 0), entry(1500, 0)];
        let got = pairs(&s, &q, 0);
        assert_eq!(got.len(), 1);
    }
}
