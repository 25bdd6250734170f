//! What every replica does with the event bus: battle events to the sockets of each
//! battle's room (through each socket's cursor, see [`crate::session`]), a matched
//! battle's creation to its players' own rooms (`match:found`), rating changes to both
//! players and the battle's room (`rating:updated`), and presence to the battle's room.
//! When the bus says messages may have been lost, every socket catches up from the log.

use std::sync::Arc;
use std::time::Duration;

use contracts::battle::{BattleEvent, BattleMode, EventBody};
use contracts::names;
use contracts::rating::RatingEvent;
use contracts::realtime::{MatchFound, Presence};
use platform::bus::{BusEvent, Subscription};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::Realtime;
use crate::access::{battle_room, user_room};
use crate::handlers::{SocketSink, drop_if_slow};
use crate::session::Session;

/// Pause before subscribing again after the bus refused.
const RETRY: Duration = Duration::from_secs(1);

/// Runs until `shutdown`: one loop per channel.
pub async fn run(realtime: Arc<Realtime>, shutdown: CancellationToken) {
    tokio::join!(
        follow(
            realtime.clone(),
            names::BATTLE_EVENTS,
            shutdown.clone(),
            on_battle
        ),
        follow(
            realtime.clone(),
            names::RATING_EVENTS,
            shutdown.clone(),
            on_rating
        ),
        follow(
            realtime.clone(),
            names::REALTIME_PRESENCE,
            shutdown.clone(),
            on_presence
        ),
        count_rooms(realtime, shutdown),
    );
}

/// How often the rooms gauge is set.
const GAUGES: Duration = Duration::from_secs(5);

/// `realtime_rooms`: battle rooms with at least one socket of this replica.
async fn count_rooms(realtime: Arc<Realtime>, shutdown: CancellationToken) {
    loop {
        // The local adapter cannot fail.
        let Ok(rooms) = realtime.io.rooms().await;
        let battles = rooms.iter().filter(|r| r.starts_with("battle:")).count();
        metrics::gauge!(crate::metrics::ROOMS).set(battles as f64);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(GAUGES) => {}
        }
    }
}

async fn follow<F, Fut>(
    realtime: Arc<Realtime>,
    channel: &'static str,
    shutdown: CancellationToken,
    handle: F,
) where
    F: Fn(Arc<Realtime>, BusEvent) -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        let mut subscription: Subscription = tokio::select! {
            _ = shutdown.cancelled() => return,
            subscribed = realtime.bus.subscribe(channel) => match subscribed {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, channel, "subscribing to the event bus");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(RETRY) => continue,
                    }
                }
            },
        };
        // Events may have been published before the subscription was live.
        handle(realtime.clone(), BusEvent::Missed).await;
        loop {
            let event = tokio::select! {
                _ = shutdown.cancelled() => return,
                event = subscription.recv() => event,
            };
            match event {
                Some(event) => handle(realtime.clone(), event).await,
                None => break,
            }
        }
    }
}

async fn on_battle(realtime: Arc<Realtime>, event: BusEvent) {
    let payload = match event {
        BusEvent::Message(payload) => payload,
        BusEvent::Missed => return resync_all(&realtime).await,
    };
    let event: BattleEvent = match serde_json::from_slice(&payload) {
        Ok(event) => event,
        Err(e) => return tracing::warn!(error = %e, "an undecodable battle event"),
    };
    let lag = (crate::now_ms() - event.at_ms).max(0) as f64 / 1000.0;
    metrics::histogram!(crate::metrics::DELIVERY_LAG).record(lag);
    if let EventBody::Created {
        mode,
        problem,
        players,
        ..
    } = &event.body
        && *mode != BattleMode::Private
    {
        let found = MatchFound {
            battle_id: event.battle_id,
            mode: *mode,
            problem: problem.clone(),
            players: players.clone(),
        };
        for player in players {
            emit(
                &realtime,
                vec![user_room(player.user_id)],
                "match:found",
                &found,
            )
            .await;
        }
    }
    let page = realtime.settings.catch_up_page;
    let encoded = match serde_json::to_value(&event) {
        Ok(encoded) => encoded,
        Err(e) => return tracing::warn!(error = %e, "encoding a battle event"),
    };
    for socket in realtime.io.within(battle_room(event.battle_id)).sockets() {
        let Some(session) = socket.extensions.get::<Session>() else {
            continue;
        };
        let delivered = session
            .deliver(
                realtime.log.as_ref(),
                &SocketSink(&socket),
                &event,
                &encoded,
                page,
            )
            .await;
        if let Err(e) = delivered {
            tracing::warn!(error = %e, socket = %socket.id, "delivering a battle event");
            drop_if_slow(&socket, &e);
        }
    }
}

/// After a possible loss: every local socket catches up on every battle it follows.
async fn resync_all(realtime: &Realtime) {
    let page = realtime.settings.catch_up_page;
    for socket in realtime.io.sockets() {
        let Some(session) = socket.extensions.get::<Session>() else {
            continue;
        };
        let synced = session
            .resync(realtime.log.as_ref(), &SocketSink(&socket), page)
            .await;
        if let Err(e) = synced {
            tracing::warn!(error = %e, socket = %socket.id, "catching a socket up");
            drop_if_slow(&socket, &e);
        }
    }
}

async fn on_rating(realtime: Arc<Realtime>, event: BusEvent) {
    let BusEvent::Message(payload) = event else {
        return;
    };
    let event: RatingEvent = match serde_json::from_slice(&payload) {
        Ok(event) => event,
        Err(e) => return tracing::warn!(error = %e, "an undecodable rating event"),
    };
    let RatingEvent::Updated {
        battle_id, players, ..
    } = &event;
    let mut rooms: Vec<String> = players.iter().map(|p| user_room(p.user_id)).collect();
    rooms.push(battle_room(*battle_id));
    emit(&realtime, rooms, "rating:updated", &event).await;
}

async fn on_presence(realtime: Arc<Realtime>, event: BusEvent) {
    let BusEvent::Message(payload) = event else {
        return;
    };
    match serde_json::from_slice::<Presence>(&payload) {
        Ok(presence) => {
            if !presence.spectator {
                let room = battle_room(presence.battle_id);
                emit(&realtime, vec![room], "presence", &presence).await;
            }
            if presence.online && !presence.reply {
                answer_arrival(&realtime, &presence).await;
            }
        }
        Err(e) => tracing::warn!(error = %e, "an undecodable presence message"),
    }
}

/// The players this replica holds in the room answer a player's arrival: without it, a
/// player who comes second would never learn that the first is connected.
async fn answer_arrival(realtime: &Realtime, arrival: &Presence) {
    let mut here = std::collections::BTreeSet::new();
    for socket in realtime.io.to(battle_room(arrival.battle_id)).sockets() {
        let Some(session) = socket.extensions.get::<Session>() else {
            continue;
        };
        let user = session.viewer.identity.user_id;
        if user != arrival.user_id && session.playing().await.contains(&arrival.battle_id) {
            here.insert(user);
        }
    }
    for user in here {
        crate::handlers::presence(realtime, arrival.battle_id, user, true, true).await;
    }
}

async fn emit<T: Serialize + ?Sized>(
    realtime: &Realtime,
    rooms: Vec<String>,
    event: &'static str,
    data: &T,
) {
    if let Err(e) = realtime.io.to(rooms).emit(event, data).await {
        tracing::warn!(error = %e, event, "emitting to a room");
    } else {
        metrics::counter!(crate::metrics::EVENTS_EMITTED).increment(1);
    }
}
