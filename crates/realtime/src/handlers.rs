//! The Socket.IO side: the handshake (the access token in `auth.token`, checked through
//! the shared verifier; a bad or missing one is refused with `connect_error` and its
//! code as the message), and what a connected socket may ask: `battle:join`,
//! `battle:leave`. Every socket is also in its user's room, where match and rating news
//! for that user arrive.

use std::sync::Arc;

use contracts::names;
use contracts::realtime::{Hello, JoinReply, JoinRequest, LeaveRequest, Presence, Role};
use platform::auth::AuthFailure;
use serde::Deserialize;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::ConnectHandler as _;
use uuid::Uuid;

use crate::Realtime;
use crate::access::{self, battle_room, user_room};
use crate::clients::{LogError, Viewer};
use crate::session::{FollowError, Limits, SendError, Session, Sink};

/// The handshake's `auth` payload.
#[derive(Deserialize)]
pub(crate) struct Handshake {
    token: String,
}

/// Why a connection was refused: its code is the `connect_error` message.
#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Registers the default namespace on `io`.
pub fn register(io: &SocketIo, realtime: Arc<Realtime>) {
    let on_auth = realtime.clone();
    let authenticate = move |socket: SocketRef, TryData(auth): TryData<Handshake>| {
        let realtime = on_auth.clone();
        async move {
            authenticate(&realtime, &socket, auth.ok()).await?;
            // Before the connect packet goes out (socketioxide sends it after the
            // middleware, then runs the connect handler on its own): a client that joins
            // as soon as it sees `connect` must find the handlers there.
            listen(&realtime, &socket);
            Ok::<(), Refused>(())
        }
    };
    let connected = move |socket: SocketRef| {
        let realtime = realtime.clone();
        async move { connected(realtime, socket) }
    };
    io.ns("/", connected.with(authenticate));
}

async fn authenticate(
    realtime: &Realtime,
    socket: &SocketRef,
    auth: Option<Handshake>,
) -> Result<(), Refused> {
    let token = auth.map(|a| a.token);
    match platform::auth::authenticate(realtime.verifier.as_ref(), token.as_deref()).await {
        Ok(identity) => {
            let token = token.unwrap_or_default();
            socket
                .extensions
                .insert(Session::new(Viewer { identity, token }));
            Ok(())
        }
        Err(failure) => {
            metrics::counter!(crate::metrics::REFUSED, "code" => failure.code()).increment(1);
            Err(Refused(match failure {
                AuthFailure::Missing => "missing_token",
                AuthFailure::Invalid => "invalid_token",
                AuthFailure::Unavailable => "auth_unavailable",
            }))
        }
    }
}

/// What a connected socket may ask: `battle:join`, `battle:leave`.
fn listen(realtime: &Arc<Realtime>, socket: &SocketRef) {
    let on_join = realtime.clone();
    socket.on(
        "battle:join",
        move |socket: SocketRef, TryData(request): TryData<JoinRequest>, ack: AckSender| {
            let realtime = on_join.clone();
            async move {
                let reply = match request {
                    Ok(request) => join(&realtime, &socket, request).await,
                    Err(e) => error("invalid_request", e.to_string()),
                };
                let _ = ack.send(&reply);
            }
        },
    );
    let on_leave = realtime.clone();
    socket.on(
        "battle:leave",
        move |socket: SocketRef, TryData(request): TryData<LeaveRequest>, ack: AckSender| {
            let realtime = on_leave.clone();
            async move {
                let reply = match request {
                    Ok(request) => leave(&realtime, &socket, request.battle_id).await,
                    Err(e) => error("invalid_request", e.to_string()),
                };
                let _ = ack.send(&reply);
            }
        },
    );
}

fn connected(realtime: Arc<Realtime>, socket: SocketRef) {
    let Some(session) = socket.extensions.get::<Session>() else {
        // The handshake stores it; a socket without one cannot be served.
        let _ = socket.disconnect();
        return;
    };
    socket.join(user_room(session.viewer.identity.user_id));
    metrics::gauge!(crate::metrics::SOCKETS).increment(1.0);
    let hello = Hello {
        user_id: session.viewer.identity.user_id,
        username: session.viewer.identity.username.clone(),
        server: realtime.server_id,
    };
    let _ = socket.emit("hello", &hello);
    socket.on_disconnect(move |socket: SocketRef| {
        let realtime = realtime.clone();
        async move {
            metrics::gauge!(crate::metrics::SOCKETS).decrement(1.0);
            if let Some(session) = socket.extensions.get::<Session>() {
                for battle in session.playing().await {
                    presence(
                        &realtime,
                        battle,
                        session.viewer.identity.user_id,
                        false,
                        false,
                    )
                    .await;
                }
            }
        }
    });
}

fn error(code: &str, message: impl Into<String>) -> JoinReply {
    JoinReply::Error {
        code: code.to_owned(),
        message: message.into(),
    }
}

#[tracing::instrument(skip_all, fields(battle = %request.battle_id))]
async fn join(realtime: &Realtime, socket: &SocketRef, request: JoinRequest) -> JoinReply {
    let Some(session) = socket.extensions.get::<Session>() else {
        return error("invalid_request", "not authenticated");
    };
    let user = session.viewer.identity.user_id;
    let battle = match realtime
        .log
        .snapshot(&session.viewer, request.battle_id)
        .await
    {
        Ok(battle) => battle,
        Err(LogError::NotFound) => return error("not_found", "No such battle."),
        Err(LogError::Unavailable(e)) => {
            tracing::warn!(error = %e, "battle log unavailable");
            return error(
                "battle_unavailable",
                "Battles cannot be read now; try again.",
            );
        }
    };
    let role = match access::admit(&battle, user) {
        Ok(role) => role,
        Err(refusal) => return error("not_a_participant", refusal.to_string()),
    };
    // In the room before the log is read: nothing published from now on is missed, and
    // the cursor drops what the log and the bus both bring.
    socket.join(battle_room(battle.battle_id));
    let after = request.after.unwrap_or(battle.last_seq);
    let limits = Limits {
        max_battles: realtime.settings.max_battles_per_socket,
        page: realtime.settings.catch_up_page,
    };
    let followed = session
        .follow(
            realtime.log.as_ref(),
            &SocketSink(socket),
            battle.battle_id,
            role,
            after,
            limits,
        )
        .await;
    match followed {
        Ok(()) => {}
        Err(FollowError::TooMany(e)) => {
            socket.leave(battle_room(battle.battle_id));
            return error("too_many_battles", e.to_string());
        }
        Err(FollowError::Delivery(e)) => {
            tracing::warn!(error = %e, "catching a socket up");
            session.unfollow(battle.battle_id).await;
            socket.leave(battle_room(battle.battle_id));
            drop_if_slow(socket, &e);
            return error(
                "battle_unavailable",
                "Battles cannot be read now; try again.",
            );
        }
    }
    match role {
        Role::Player => presence(realtime, battle.battle_id, user, true, false).await,
        Role::Spectator => spectator_arrived(realtime, battle.battle_id, user).await,
    }
    JoinReply::Ok {
        battle_id: battle.battle_id,
        state: battle.state,
        last_seq: battle.last_seq,
        role,
    }
}

async fn leave(realtime: &Realtime, socket: &SocketRef, battle: Uuid) -> JoinReply {
    socket.leave(battle_room(battle));
    if let Some(session) = socket.extensions.get::<Session>()
        && session.unfollow(battle).await == Some(Role::Player)
    {
        presence(
            realtime,
            battle,
            session.viewer.identity.user_id,
            false,
            false,
        )
        .await;
    }
    JoinReply::Left { battle_id: battle }
}

/// Tells every replica's sockets in the battle's room that `user` came or went (`reply`:
/// that `user` was already there when another player came).
pub(crate) async fn presence(
    realtime: &Realtime,
    battle: Uuid,
    user: Uuid,
    online: bool,
    reply: bool,
) {
    let message = Presence {
        battle_id: battle,
        user_id: user,
        online,
        at_ms: crate::now_ms(),
        reply,
        spectator: false,
    };
    publish_presence(realtime, message).await;
}

async fn publish_presence(realtime: &Realtime, message: Presence) {
    let Ok(payload) = serde_json::to_vec(&message) else {
        return;
    };
    if let Err(e) = realtime
        .bus
        .publish(names::REALTIME_PRESENCE, &payload)
        .await
    {
        tracing::warn!(error = %e, "publishing presence");
    }
}

/// Asks the players in the room (on every replica) to say they are there, for a spectator.
async fn spectator_arrived(realtime: &Realtime, battle: Uuid, user: Uuid) {
    publish_presence(
        realtime,
        Presence {
            battle_id: battle,
            user_id: user,
            online: true,
            at_ms: crate::now_ms(),
            reply: false,
            spectator: true,
        },
    )
    .await;
}

/// A socket as a [`Sink`].
pub struct SocketSink<'a>(pub &'a SocketRef);

impl Sink for SocketSink<'_> {
    fn send(&self, event: &'static str, payload: &serde_json::Value) -> Result<(), SendError> {
        use socketioxide::SendError as E;
        use socketioxide::SocketError;
        match self.0.emit(event, payload) {
            Ok(()) => {
                metrics::counter!(crate::metrics::EVENTS_EMITTED).increment(1);
                Ok(())
            }
            Err(E::Socket(SocketError::InternalChannelFull)) => Err(SendError::Full),
            Err(_) => Err(SendError::Closed),
        }
    }
}

/// A socket whose buffer is full is dropped: it reconnects and catches up from the log,
/// and never holds up its room.
pub fn drop_if_slow(socket: &SocketRef, error: &crate::session::DeliveryError) {
    if matches!(error, crate::session::DeliveryError::Send(SendError::Full)) {
        metrics::counter!(crate::metrics::SLOW_DROPPED).increment(1);
        let _ = socket.clone().disconnect();
    }
}
