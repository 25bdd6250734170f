//! The Redis [`Leaderboard`] (cluster mode), under `{prefix}:rating:leaderboard`:
//! `:ranks` a sorted set (user id → rating), `:rows` a hash (user id → the standing as
//! JSON), `:games` a hash (user id → games, what "newer" is judged by) and `:built`, whose
//! existence is what "built" means.
//!
//! `record` is one Lua script (compare games, then write), so concurrent replicas cannot
//! interleave a check and a write. `replace` fills fresh keys of its own (expiring, so a
//! rebuild that dies halfway leaves nothing behind for long) and renames them over the
//! live ones in one `MULTI` (and makes them persistent), so a reader sees the old copy or
//! the new one.

use ::redis::Script;
use ::redis::aio::ConnectionManager;
use contracts::names::{self, prefixed};
use uuid::Uuid;

use super::{Leaderboard, LeaderboardError, Page};
use crate::model::Standing;

/// KEYS: ranks, rows, games, built. ARGV: per player user, rating, games, row JSON.
const RECORD: &str = r#"
if redis.call('EXISTS', KEYS[4]) == 0 then
  return 0
end
for i = 1, #ARGV, 4 do
  local user, rating, games, row = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  local held = tonumber(redis.call('HGET', KEYS[3], user) or '-1')
  if held < games then
    redis.call('ZADD', KEYS[1], rating, user)
    redis.call('HSET', KEYS[2], user, row)
    redis.call('HSET', KEYS[3], user, games)
  end
end
return 1
"#;

/// Rows written per command while a copy is rebuilt.
const CHUNK: usize = 1000;
/// How long the keys of a rebuild in progress live, should it never finish.
const BUILD_TTL_SECS: i64 = 600;

pub struct RedisLeaderboard {
    redis: ConnectionManager,
    ranks: String,
    rows: String,
    games: String,
    built: String,
    record: Script,
}

impl RedisLeaderboard {
    pub fn new(redis: ConnectionManager, prefix: &str) -> Self {
        let base = prefixed(prefix, names::RATING_LEADERBOARD);
        Self {
            redis,
            ranks: format!("{base}:ranks"),
            rows: format!("{base}:rows"),
            games: format!("{base}:games"),
            built: format!("{base}:built"),
            record: Script::new(RECORD),
        }
    }
}

#[async_trait::async_trait]
impl Leaderboard for RedisLeaderboard {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn record(&self, standings: &[Standing]) -> Result<(), LeaderboardError> {
        let mut invocation = self.record.prepare_invoke();
        invocation
            .key(&self.ranks)
            .key(&self.rows)
            .key(&self.games)
            .key(&self.built);
        for s in standings {
            invocation
                .arg(s.user_id.to_string())
                .arg(s.rating)
                .arg(s.games)
                .arg(serde_json::to_string(s)?);
        }
        let _: i64 = invocation.invoke_async(&mut self.redis.clone()).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn page(&self, offset: u64, limit: u32) -> Result<Option<Page>, LeaderboardError> {
        if limit == 0 {
            let built = self.is_built().await?;
            return Ok(built.then(|| Page {
                rows: Vec::new(),
                total: 0,
            }));
        }
        let start = isize::try_from(offset).unwrap_or(isize::MAX);
        let stop = start.saturating_add(limit as isize - 1);
        let (built, total, users): (bool, u64, Vec<String>) = ::redis::pipe()
            .exists(&self.built)
            .zcard(&self.ranks)
            .zrevrange(&self.ranks, start, stop)
            .query_async(&mut self.redis.clone())
            .await?;
        if !built {
            return Ok(None);
        }
        let rows: Vec<Option<String>> = if users.is_empty() {
            Vec::new()
        } else {
            ::redis::cmd("HMGET")
                .arg(&self.rows)
                .arg(&users)
                .query_async(&mut self.redis.clone())
                .await?
        };
        let rows = rows
            .into_iter()
            .flatten()
            .map(|row| serde_json::from_str(&row))
            .collect::<Result<_, _>>()?;
        Ok(Some(Page { rows, total }))
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn rank(&self, user: Uuid) -> Result<Option<u64>, LeaderboardError> {
        let rank: Option<u64> = ::redis::cmd("ZREVRANK")
            .arg(&self.ranks)
            .arg(user.to_string())
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(rank.map(|r| r + 1))
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn is_built(&self) -> Result<bool, LeaderboardError> {
        let built: bool = ::redis::cmd("EXISTS")
            .arg(&self.built)
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(built)
    }

    #[tracing::instrument(level = "debug", skip(self, standings), fields(players = standings.len()))]
    async fn replace(&self, standings: &[Standing]) -> Result<(), LeaderboardError> {
        let build = Uuid::now_v7();
        let fresh = |key: &str| format!("{key}:build:{build}");
        let (ranks, rows, games) = (fresh(&self.ranks), fresh(&self.rows), fresh(&self.games));
        let mut redis = self.redis.clone();
        for chunk in standings.chunks(CHUNK) {
            let mut pipe = ::redis::pipe();
            let scored: Vec<(f64, String)> = chunk
                .iter()
                .map(|s| (s.rating, s.user_id.to_string()))
                .collect();
            pipe.zadd_multiple(&ranks, &scored).ignore();
            let mut row_pairs = Vec::with_capacity(chunk.len());
            let mut game_pairs = Vec::with_capacity(chunk.len());
            for s in chunk {
                row_pairs.push((s.user_id.to_string(), serde_json::to_string(s)?));
                game_pairs.push((s.user_id.to_string(), s.games));
            }
            pipe.hset_multiple(&rows, &row_pairs).ignore();
            pipe.hset_multiple(&games, &game_pairs).ignore();
            for key in [&ranks, &rows, &games] {
                pipe.expire(key, BUILD_TTL_SECS).ignore();
            }
            let () = pipe.query_async(&mut redis).await?;
        }
        // An empty leaderboard has no keys to rename: the live ones are removed instead.
        let mut swap = ::redis::pipe();
        swap.atomic();
        if standings.is_empty() {
            swap.del(&self.ranks).del(&self.rows).del(&self.games);
        } else {
            // A renamed key keeps its time to live: the live copy must not expire.
            swap.rename(&ranks, &self.ranks)
                .rename(&rows, &self.rows)
                .rename(&games, &self.games)
                .persist(&self.ranks)
                .persist(&self.rows)
                .persist(&self.games);
        }
        swap.set(&self.built, 1);
        let _: ::redis::Value = swap.query_async(&mut redis).await?;
        Ok(())
    }
}
