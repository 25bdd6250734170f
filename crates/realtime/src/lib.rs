//! The realtime service: Socket.IO (protocol v5, polling and websocket) for players and
//! spectators. Each replica subscribes to the event bus and emits to its own sockets;
//! it owns no state. Missed events are re-read from the battle's event log, so a socket
//! gets every event of the battles it follows, once each and in order.
//!
//! - [`handlers`]: the handshake (token in `auth.token`) and `battle:join`/`battle:leave`;
//! - [`session`]: a socket's battles and their cursors, where order and dedupe happen;
//! - [`fanout`]: the bus channels to rooms; [`access`]: who may be in a battle's room;
//! - [`clients`]: what it reads from the battle service ([`BattleLog`]);
//! - [`parts`]: the Socket.IO endpoint at `/socket.io/` over an `Infra`.

pub mod access;
pub mod clients;
pub mod fanout;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod handlers;
pub mod metrics;
mod parts;
pub mod session;
pub mod settings;

use std::sync::Arc;

use platform::auth::SharedVerifier;
use platform::bus::EventBus;
use socketioxide::SocketIo;

pub use clients::{BattleLog, LogError, Snapshot, Viewer};
pub use parts::{RealtimeParts, parts};
pub use settings::RealtimeSettings;

/// What handlers and the fan-out share.
pub struct Realtime {
    pub settings: RealtimeSettings,
    pub verifier: SharedVerifier,
    pub log: Arc<dyn BattleLog>,
    pub bus: Arc<dyn EventBus>,
    pub io: SocketIo,
    /// This replica's name, told to each socket in `hello` (which replica am I on?).
    pub server_id: uuid::Uuid,
}

pub use platform::clock::now_ms;
