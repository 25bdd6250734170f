//! The Redis [`DurableStream`] for cluster mode: Redis Streams and their consumer groups.
//!
//! Names (under the deployment prefix): the stream `{stream}`, with fields `key` and
//! `payload` per entry; `stream:appended:{stream}:{key}` for every key `append_once` has
//! appended, without expiry, since the stream keeps its entries as long.
//!
//! Everything that must be one step is a Lua script on the shared `ConnectionManager`:
//! `append_once` (`EXISTS`, then `XADD`, then `SET`, so a failing `XADD` leaves no key
//! behind), the non-waiting part of `read` (create the group if missing, the consumer's
//! pending entries with their delivery counts, then new ones), `claim_stale` (`XAUTOCLAIM`
//! with delivery counts) and `lag` (`XINFO GROUPS`).
//!
//! Waiting for new entries is the one blocking command, `XREADGROUP … BLOCK`, and it does
//! not go through the shared connection: Redis answers a connection's commands in order,
//! so a blocked read would hold up every other command multiplexed on it (and outlast its
//! 1 s response timeout). It runs on a dedicated connection instead, one per read waiting
//! at the same time, kept for reuse afterwards (at most [`IDLE_BLOCKING`] idle). A
//! connection whose read failed, timed out or was abandoned is dropped, never reused, so a
//! late answer cannot reach the next reader; whatever Redis handed to it is pending for
//! its consumer and comes back on that consumer's next read.

use std::sync::Mutex;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, MultiplexedConnection};
use ::redis::streams::StreamReadReply;
use ::redis::{AsyncConnectionConfig, Script};
use contracts::names::{self, prefixed};

use super::{DurableStream, StreamEntry, StreamError};

/// How many dedicated connections for blocking reads are kept while unused.
const IDLE_BLOCKING: usize = 8;

/// How much longer than its `BLOCK` a blocking read may take before it counts as lost.
const BLOCK_GRACE: Duration = Duration::from_secs(5);

/// How long opening a dedicated connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// KEYS: the key's marker, the stream. ARGV: key, payload. 1 if appended.
const APPEND_ONCE: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'key', ARGV[1], 'payload', ARGV[2])
redis.call('SET', KEYS[1], '1')
return 1
"#;

/// Shared by the scripts that hand out entries: creating the group, and turning replies
/// into `{id, key, payload, deliveries}`.
const ENTRIES: &str = r#"
local stream, group = KEYS[1], ARGV[1]
local created = redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP', 1, true) then
  return created
end
local out = {}
-- `counted`: look up the delivery count (else it is the first delivery).
local function take(entries, counted)
  for _, entry in ipairs(entries) do
    local id, fields = entry[1], entry[2]
    if not fields then
      -- Deleted from the stream while pending: nothing left to hand out.
      redis.call('XACK', stream, group, id)
    else
      local key, payload = false, false
      for i = 1, #fields, 2 do
        if fields[i] == 'key' then key = fields[i + 1] end
        if fields[i] == 'payload' then payload = fields[i + 1] end
      end
      local deliveries = 1
      if counted then
        local pending = redis.call('XPENDING', stream, group, id, id, 1)
        if pending[1] then deliveries = pending[1][4] end
      end
      out[#out + 1] = {id, key, payload, deliveries}
    end
  end
end
"#;

/// KEYS: the stream. ARGV: group, consumer, count. The consumer's pending entries (reading
/// them again counts a delivery), then new ones.
const READ: &str = r#"
local consumer, count = ARGV[2], tonumber(ARGV[3])
local own = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '0')
if own then take(own[1][2], true) end
if #out < count then
  local new = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count - #out, 'STREAMS', stream, '>')
  if new then take(new[1][2], false) end
end
return out
"#;

/// KEYS: the stream. ARGV: group, consumer, min idle ms, count. Each `XAUTOCLAIM` scans at
/// most 10 × COUNT pending entries; ten of them bound the script's work.
const CLAIM: &str = r#"
local consumer, idle, count = ARGV[2], ARGV[3], tonumber(ARGV[4])
local cursor = '0-0'
for _ = 1, 10 do
  local claimed = redis.call('XAUTOCLAIM', stream, group, consumer, idle, cursor, 'COUNT', count - #out)
  take(claimed[2], true)
  cursor = claimed[1]
  if cursor == '0-0' or #out >= count then break end
end
return out
"#;

/// KEYS: the stream. ARGV: group. Pending plus undelivered entries. Redis's own `lag` is
/// exact unless entries were deleted by hand (XDEL; nothing here deletes): then it is
/// unknown, or may count the deleted entries. So a group that has read up to the newest
/// entry has nothing undelivered whatever Redis says, and an unknown lag is counted.
const LAG: &str = r#"
local stream, group = KEYS[1], ARGV[1]
if redis.call('EXISTS', stream) == 0 then
  return 0
end
local function after(a, b)
  local a_ms, a_seq = string.match(a, '^(%d+)-(%d+)$')
  local b_ms, b_seq = string.match(b, '^(%d+)-(%d+)$')
  a_ms, a_seq, b_ms, b_seq = tonumber(a_ms), tonumber(a_seq), tonumber(b_ms), tonumber(b_seq)
  return a_ms > b_ms or (a_ms == b_ms and a_seq > b_seq)
end
for _, fields in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
  local info = {}
  for i = 1, #fields, 2 do info[fields[i]] = fields[i + 1] end
  if info['name'] == group then
    local read_up_to = info['last-delivered-id']
    local newest = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
    local undelivered = info['lag']
    if not newest or not after(newest[1], read_up_to) then
      undelivered = 0
    elseif not undelivered then
      undelivered = #redis.call('XRANGE', stream, '(' .. read_up_to, '+')
    end
    return info['pending'] + undelivered
  end
end
return redis.call('XLEN', stream)
"#;

/// Streams in Redis, names under a prefix.
pub struct RedisStream {
    connection: ConnectionManager,
    client: ::redis::Client,
    prefix: String,
    /// Dedicated connections for blocking reads, not in use.
    idle: Mutex<Vec<MultiplexedConnection>>,
    append_once: Script,
    read: Script,
    claim: Script,
    lag: Script,
}

impl RedisStream {
    /// Runs commands on `connection`, blocking reads on connections of their own from
    /// `client`; every name gets `prefix`.
    pub fn new(
        connection: ConnectionManager,
        client: ::redis::Client,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            connection,
            client,
            prefix: prefix.into(),
            idle: Mutex::new(Vec::new()),
            append_once: Script::new(APPEND_ONCE),
            read: Script::new(&format!("{ENTRIES}{READ}")),
            claim: Script::new(&format!("{ENTRIES}{CLAIM}")),
            lag: Script::new(LAG),
        }
    }

    fn stream_key(&self, stream: &str) -> String {
        prefixed(&self.prefix, stream)
    }

    fn appended_key(&self, stream: &str, key: &str) -> String {
        prefixed(
            &self.prefix,
            &format!("{}:{stream}:{key}", names::STREAM_APPENDED),
        )
    }

    /// Waits up to `block` for new entries, on a dedicated connection.
    async fn read_blocking(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        let mut connection = self.blocking_connection().await?;
        let deadline = block.saturating_add(BLOCK_GRACE);
        let reply = tokio::time::timeout(
            deadline,
            ::redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(group)
                .arg(consumer)
                .arg("COUNT")
                .arg(count)
                .arg("BLOCK")
                .arg(millis(block).max(1))
                .arg("STREAMS")
                .arg(self.stream_key(stream))
                .arg(">")
                .query_async::<Option<StreamReadReply>>(&mut connection),
        )
        .await
        .map_err(|_| StreamError::NoReply(deadline))??;
        // Only a connection that answered is reused; dropping the others closes them.
        {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < IDLE_BLOCKING {
                idle.push(connection);
            }
        }
        let mut entries = Vec::new();
        for key in reply.map(|reply| reply.keys).unwrap_or_default() {
            for id in key.ids {
                let (Some(key), Some(payload)) = (id.get("key"), id.get("payload")) else {
                    return Err(malformed(stream, id.id));
                };
                entries.push(StreamEntry {
                    id: id.id,
                    key,
                    payload,
                    deliveries: 1,
                });
            }
        }
        Ok(entries)
    }

    async fn blocking_connection(&self) -> Result<MultiplexedConnection, StreamError> {
        let reused = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(connection) = reused {
            return Ok(connection);
        }
        // No response timeout: the read's own deadline (`block` + grace) bounds it.
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(None);
        Ok(self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?)
    }
}

/// What the entry scripts return per entry: id, key, payload, deliveries (key and payload
/// nil when the entry lacks them).
type Row = (String, Option<String>, Option<Vec<u8>>, u64);

fn entries(stream: &str, rows: Vec<Row>) -> Result<Vec<StreamEntry>, StreamError> {
    rows.into_iter()
        .map(|(id, key, payload, deliveries)| match (key, payload) {
            (Some(key), Some(payload)) => Ok(StreamEntry {
                id,
                key,
                payload,
                deliveries,
            }),
            _ => Err(malformed(stream, id)),
        })
        .collect()
}

fn malformed(stream: &str, id: String) -> StreamError {
    StreamError::Malformed {
        stream: stream.to_owned(),
        id,
    }
}

fn millis(duration: Duration) -> u64 {
    duration.as_millis().try_into().unwrap_or(u64::MAX)
}

#[async_trait::async_trait]
impl DurableStream for RedisStream {
    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn append_once(
        &self,
        stream: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, StreamError> {
        let mut connection = self.connection.clone();
        let appended: i64 = self
            .append_once
            .key(self.appended_key(stream, key))
            .key(self.stream_key(stream))
            .arg(key)
            .arg(payload)
            .invoke_async(&mut connection)
            .await?;
        Ok(appended == 1)
    }

    #[tracing::instrument(skip(self))]
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let rows: Vec<Row> = self
            .read
            .key(self.stream_key(stream))
            .arg(group)
            .arg(consumer)
            .arg(count)
            .invoke_async(&mut connection)
            .await?;
        if !rows.is_empty() || block.is_zero() {
            return entries(stream, rows);
        }
        self.read_blocking(stream, group, consumer, count, block)
            .await
    }

    #[tracing::instrument(skip(self))]
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), StreamError> {
        let mut connection = self.connection.clone();
        ::redis::cmd("XACK")
            .arg(self.stream_key(stream))
            .arg(group)
            .arg(id)
            .query_async::<()>(&mut connection)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn claim_stale(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let rows: Vec<Row> = self
            .claim
            .key(self.stream_key(stream))
            .arg(group)
            .arg(consumer)
            .arg(millis(idle))
            .arg(count)
            .invoke_async(&mut connection)
            .await?;
        entries(stream, rows)
    }

    #[tracing::instrument(skip(self))]
    async fn lag(&self, stream: &str, group: &str) -> Result<u64, StreamError> {
        let mut connection = self.connection.clone();
        Ok(self
            .lag
            .key(self.stream_key(stream))
            .arg(group)
            .invoke_async(&mut connection)
            .await?)
    }
}
