//! The in-process [`Leaderboard`] (embedded mode): an ordered set beside a map of rows,
//! behind one lock. Built from the database when the process starts (it starts missing).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::sync::RwLock;

use uuid::Uuid;

use super::{Leaderboard, LeaderboardError, Page};
use crate::model::Standing;

/// Ratings have three decimals, so thousandths order them exactly.
type Key = (Reverse<i64>, Reverse<Uuid>);

fn key(s: &Standing) -> Key {
    (
        Reverse((s.rating * 1000.0).round() as i64),
        Reverse(s.user_id),
    )
}

#[derive(Default)]
struct Copy {
    order: BTreeSet<Key>,
    rows: HashMap<Uuid, Standing>,
}

impl Copy {
    fn put(&mut self, s: &Standing) {
        if let Some(old) = self.rows.get(&s.user_id) {
            if old.games >= s.games {
                return;
            }
            self.order.remove(&key(old));
        }
        self.order.insert(key(s));
        self.rows.insert(s.user_id, s.clone());
    }
}

#[derive(Default)]
pub struct MemoryLeaderboard {
    copy: RwLock<Option<Copy>>,
}

impl MemoryLeaderboard {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl Leaderboard for MemoryLeaderboard {
    async fn record(&self, standings: &[Standing]) -> Result<(), LeaderboardError> {
        let mut guard = self.copy.write().unwrap_or_else(|p| p.into_inner());
        if let Some(copy) = guard.as_mut() {
            for s in standings {
                copy.put(s);
            }
        }
        Ok(())
    }

    async fn page(&self, offset: u64, limit: u32) -> Result<Option<Page>, LeaderboardError> {
        let guard = self.copy.read().unwrap_or_else(|p| p.into_inner());
        Ok(guard.as_ref().map(|copy| Page {
            rows: copy
                .order
                .iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(limit as usize)
                .filter_map(|(_, Reverse(user))| copy.rows.get(user).cloned())
                .collect(),
            total: copy.rows.len() as u64,
        }))
    }

    async fn rank(&self, user: Uuid) -> Result<Option<u64>, LeaderboardError> {
        let guard = self.copy.read().unwrap_or_else(|p| p.into_inner());
        let Some(copy) = guard.as_ref() else {
            return Ok(None);
        };
        Ok(copy
            .rows
            .get(&user)
            .map(|s| copy.order.range(..key(s)).count() as u64 + 1))
    }

    async fn is_built(&self) -> Result<bool, LeaderboardError> {
        let guard = self.copy.read().unwrap_or_else(|p| p.into_inner());
        Ok(guard.is_some())
    }

    async fn replace(&self, standings: &[Standing]) -> Result<(), LeaderboardError> {
        let mut copy = Copy::default();
        for s in standings {
            copy.put(s);
        }
        *self.copy.write().unwrap_or_else(|p| p.into_inner()) = Some(copy);
        Ok(())
    }
}
