//! The cursor rules of [`super::Session`], with a log and a sink in memory.

use std::sync::Mutex;

use contracts::auth::Identity;
use contracts::battle::{BattleEvent, BattleMode, BattleState, EventBody};
use contracts::realtime::Role;
use uuid::Uuid;

use super::*;
use crate::clients::Snapshot;

struct Log(Vec<BattleEvent>);

#[async_trait::async_trait]
impl BattleLog for Log {
    async fn snapshot(&self, _: &Viewer, battle: Uuid) -> Result<Snapshot, LogError> {
        Ok(Snapshot {
            battle_id: battle,
            mode: BattleMode::Rated,
            state: BattleState::Active,
            players: Vec::new(),
            last_seq: self.0.len() as i64,
        })
    }
    async fn events(
        &self,
        _: &Viewer,
        battle: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, LogError> {
        Ok(self
            .0
            .iter()
            .filter(|e| e.battle_id == battle && e.seq > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }
}

#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<i64>>,
    capacity: Option<usize>,
}

impl Sink for Recorder {
    fn send(&self, _: &'static str, payload: &serde_json::Value) -> Result<(), SendError> {
        let mut sent = self.sent.lock().unwrap();
        if self.capacity.is_some_and(|c| sent.len() >= c) {
            return Err(SendError::Full);
        }
        sent.push(payload["seq"].as_i64().unwrap());
        Ok(())
    }
}

fn event(battle: Uuid, seq: i64) -> BattleEvent {
    BattleEvent {
        battle_id: battle,
        seq,
        at_ms: seq,
        body: EventBody::Ready {
            user_id: Uuid::nil(),
        },
    }
}

fn encoded(event: &BattleEvent) -> serde_json::Value {
    serde_json::to_value(event).unwrap()
}

fn session() -> Session {
    Session::new(Viewer {
        identity: Identity {
            user_id: Uuid::now_v7(),
            username: "ada".into(),
            session_id: Uuid::now_v7(),
            expires_at: 0,
        },
        token: String::new(),
    })
}

const LIMITS: Limits = Limits {
    max_battles: 2,
    page: 2,
};

#[tokio::test]
async fn joining_sends_what_came_after_the_last_seen_in_pages() {
    let battle = Uuid::now_v7();
    let log = Log((1..=5).map(|n| event(battle, n)).collect());
    let sink = Recorder::default();
    let s = session();
    s.follow(&log, &sink, battle, Role::Player, 1, LIMITS)
        .await
        .unwrap();
    assert_eq!(*sink.sent.lock().unwrap(), vec![2, 3, 4, 5]);
}

#[tokio::test]
async fn live_events_are_sent_once_in_order_and_gaps_come_from_the_log() {
    let battle = Uuid::now_v7();
    let log = Log((1..=6).map(|n| event(battle, n)).collect());
    let sink = Recorder::default();
    let s = session();
    s.follow(&log, &sink, battle, Role::Player, 6, LIMITS)
        .await
        .unwrap();
    // The log and the bus both bring 6: sent once. Nothing followed, nothing sent.
    assert!(
        !s.deliver(
            &log,
            &sink,
            &event(battle, 6),
            &encoded(&event(battle, 6)),
            2
        )
        .await
        .unwrap()
    );
    let elsewhere = event(Uuid::now_v7(), 7);
    let payload = encoded(&elsewhere);
    let delivered = s.deliver(&log, &sink, &elsewhere, &payload, 2);
    assert!(!delivered.await.unwrap());
    assert!(sink.sent.lock().unwrap().is_empty());
    // 7 and 8 were lost on the bus; 9 arrives: 7, 8 come from the log, then 9.
    let log = Log((1..=9).map(|n| event(battle, n)).collect());
    assert!(
        s.deliver(
            &log,
            &sink,
            &event(battle, 9),
            &encoded(&event(battle, 9)),
            2
        )
        .await
        .unwrap()
    );
    assert!(
        !s.deliver(
            &log,
            &sink,
            &event(battle, 8),
            &encoded(&event(battle, 8)),
            2
        )
        .await
        .unwrap()
    );
    assert!(
        s.deliver(
            &log,
            &sink,
            &event(battle, 10),
            &encoded(&event(battle, 10)),
            2
        )
        .await
        .unwrap()
    );
    assert_eq!(*sink.sent.lock().unwrap(), vec![7, 8, 9, 10]);
}

#[tokio::test]
async fn a_socket_follows_a_bounded_number_of_battles() {
    let log = Log(Vec::new());
    let sink = Recorder::default();
    let s = session();
    for _ in 0..2 {
        s.follow(&log, &sink, Uuid::now_v7(), Role::Spectator, 0, LIMITS)
            .await
            .unwrap();
    }
    let third = s
        .follow(&log, &sink, Uuid::now_v7(), Role::Spectator, 0, LIMITS)
        .await;
    assert!(matches!(third, Err(FollowError::TooMany(_))));
}

#[tokio::test]
async fn a_full_buffer_is_reported_and_the_cursor_stays_at_what_was_sent() {
    let battle = Uuid::now_v7();
    let log = Log((1..=4).map(|n| event(battle, n)).collect());
    let sink = Recorder {
        capacity: Some(2),
        ..Recorder::default()
    };
    let s = session();
    let followed = s.follow(&log, &sink, battle, Role::Player, 0, LIMITS).await;
    assert!(matches!(
        followed,
        Err(FollowError::Delivery(DeliveryError::Send(SendError::Full)))
    ));
    assert_eq!(*sink.sent.lock().unwrap(), vec![1, 2]);
    assert_eq!(s.playing().await.len(), 1);
    assert_eq!(s.unfollow(battle).await, Some(Role::Player));
    assert!(s.playing().await.is_empty());
}
