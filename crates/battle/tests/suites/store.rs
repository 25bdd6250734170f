//! The `BattleStore` contract, run against SQLite and PostgreSQL.

use std::sync::Arc;

use battle::model::{Battle, Change, QueueEntry, Report, Submission};
use battle::rules::{self, Judgement, Timing};
use battle::store::{Planner, StoreError};
use battle::{BattleStore, PostgresBattleStore, SqliteBattleStore};
use contracts::battle::{BattleMode, BattleState, EndReason, PlayerRef};
use contracts::verdict::Verdict;
use testkit::TestDatabase;
use uuid::Uuid;

async fn sqlite() -> (TestDatabase, Arc<dyn BattleStore>) {
    let db = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
    (db, Arc::new(SqliteBattleStore::new(pool).await.unwrap()))
}

async fn postgres() -> (TestDatabase, Arc<dyn BattleStore>) {
    let db = TestDatabase::postgres().await;
    let pool = platform::db::connect_postgres(db.url(), 10).await.unwrap();
    (db, Arc::new(PostgresBattleStore::new(pool).await.unwrap()))
}

testkit::suite_with_guard!(
    sqlite => sqlite().await,
    postgres => postgres().await;
    a_created_battle_reads_back_with_its_players_and_events,
    a_change_from_a_stale_version_is_refused_and_writes_nothing,
    of_concurrent_changes_from_one_version_exactly_one_commits,
    a_player_holds_one_battle_until_it_is_over,
    submissions_are_found_by_job_and_overdue_ones_are_listed,
    the_outbox_lists_what_is_unpublished_until_marked,
    the_clock_finds_due_battles,
    the_queue_refuses_players_in_battles_and_twice,
    a_matchmaking_round_pairs_and_empties_the_queue,
    concurrent_matchmaking_rounds_never_pair_a_player_twice,
    a_player_racing_into_the_queue_and_a_battle_ends_up_in_one,
);

const TIMING: Timing = Timing {
    countdown_ms: 0,
    invite_ttl_ms: 60_000,
    arrive_ms: 30_000,
    grace_ms: 0,
    result_timeout_ms: 20_000,
};

fn player(name: &str) -> PlayerRef {
    PlayerRef {
        user_id: Uuid::new_v4(),
        username: name.into(),
        rating: 1500,
    }
}

async fn private(store: &Arc<dyn BattleStore>, creator: &PlayerRef, code: &str) -> Battle {
    let change = rules::create_private(
        Uuid::now_v7(),
        creator,
        ("twobells", "h"),
        code.into(),
        60,
        1_000,
        &TIMING,
    );
    store.create(&change).await.unwrap();
    change.battle
}

/// A private battle joined by `b` and started (active).
async fn active(store: &Arc<dyn BattleStore>) -> (Battle, PlayerRef, PlayerRef) {
    let (a, b) = (player("ada"), player("bob"));
    let created = private(store, &a, &Uuid::new_v4().simple().to_string()[..12]).await;
    let joined = rules::join(&created, &b, 2_000, &TIMING).unwrap();
    store.commit(&joined).await.unwrap();
    let started = rules::tick(&joined.battle, 2_000, &TIMING).unwrap();
    store.commit(&started).await.unwrap();
    (store.battle(created.id).await.unwrap().unwrap(), a, b)
}

fn submit(battle: &Battle, s: Submission, now: i64) -> Result<Change, rules::Refusal> {
    rules::submit(battle, s, 50, now)
}

fn submission(battle: &Battle, user: Uuid, at: i64) -> Submission {
    Submission {
        id: Uuid::now_v7(),
        battle_id: battle.id,
        user_id: user,
        language: "python3".into(),
        source: "print(input())".into(),
        submitted_at_ms: at,
        job_id: Uuid::now_v7(),
        attempts: 1,
        resend_at_ms: Some(at + 20_000),
        verdict: None,
        score: 0,
        total: 7,
        report: None,
        judged_at_ms: None,
    }
}

async fn a_created_battle_reads_back_with_its_players_and_events(store: Arc<dyn BattleStore>) {
    let a = player("ada");
    let battle = private(&store, &a, "invite1").await;
    let read = store.battle(battle.id).await.unwrap().unwrap();
    assert_eq!(read, battle);
    assert_eq!(
        store
            .battle_by_invite("invite1")
            .await
            .unwrap()
            .map(|b| b.id),
        Some(battle.id)
    );
    assert_eq!(
        store.active_battle_of(a.user_id).await.unwrap(),
        Some(battle.id)
    );
    let events = store.events(battle.id, 0, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq, 1);
    assert!(store.battle(Uuid::now_v7()).await.unwrap().is_none());

    let (joined, a, b) = active(&store).await;
    assert_eq!(joined.state, BattleState::Active);
    assert_eq!(joined.players.len(), 2);
    assert_eq!(joined.players[1].user_id, b.user_id);
    let seqs: Vec<i64> = store
        .events(joined.id, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    assert_eq!(store.events(joined.id, 2, 100).await.unwrap().len(), 2);
    let mine = store.battles_of(a.user_id, 10).await.unwrap();
    assert_eq!(mine.len(), 1);
    // Private battles are between friends: not listed as live.
    assert!(
        !store
            .live(10)
            .await
            .unwrap()
            .iter()
            .any(|l| l.id == joined.id)
    );
}

async fn a_change_from_a_stale_version_is_refused_and_writes_nothing(store: Arc<dyn BattleStore>) {
    let (battle, a, b) = active(&store).await;
    let first = rules::resign(&battle, a.user_id, 3_000).unwrap();
    let stale = rules::resign(&battle, b.user_id, 3_000).unwrap();
    store.commit(&first).await.unwrap();
    assert!(matches!(
        store.commit(&stale).await,
        Err(StoreError::Conflict)
    ));
    let read = store.battle(battle.id).await.unwrap().unwrap();
    assert_eq!(read.winner, Some(b.user_id));
    assert_eq!(
        store.events(battle.id, 0, 100).await.unwrap().len() as i64,
        read.last_seq
    );
}

async fn of_concurrent_changes_from_one_version_exactly_one_commits(store: Arc<dyn BattleStore>) {
    let (battle, a, b) = active(&store).await;
    // Two submissions judged AC "at the same millisecond", each decided on the same read.
    let (sa, sb) = (
        submission(&battle, a.user_id, 3_000),
        submission(&battle, b.user_id, 3_000),
    );
    let c = submit(&battle, sa.clone(), 3_000).unwrap();
    store.commit(&c).await.unwrap();
    let c = submit(&c.battle, sb.clone(), 3_000).unwrap();
    store.commit(&c).await.unwrap();
    let read = store.battle(battle.id).await.unwrap().unwrap();
    let ac = || Judgement {
        verdict: Verdict::Accepted,
        score: 7,
        report: Report::default(),
    };
    let wins = [
        rules::judged(&read, &sa, ac(), 4_000).unwrap(),
        rules::judged(&read, &sb, ac(), 4_000).unwrap(),
    ];
    let mut tasks = Vec::new();
    for change in wins {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.commit(&change).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok, 1);
    let read = store.battle(battle.id).await.unwrap().unwrap();
    assert_eq!(read.state, BattleState::Finished);
    let finished = store.events(battle.id, 0, 100).await.unwrap();
    let n = finished
        .iter()
        .filter(|e| e.body.kind() == "finished")
        .count();
    assert_eq!(n, 1);
}

async fn a_player_holds_one_battle_until_it_is_over(store: Arc<dyn BattleStore>) {
    let a = player("ada");
    let first = private(&store, &a, "one").await;
    let again = rules::create_private(Uuid::now_v7(), &a, ("p", "h"), "two".into(), 60, 1, &TIMING);
    assert!(matches!(
        store.create(&again).await,
        Err(StoreError::PlayerBusy)
    ));
    assert!(
        store.battle(again.battle.id).await.unwrap().is_none(),
        "nothing half-written"
    );
    assert!(store.battle_by_invite("two").await.unwrap().is_none());
    // Joining while in a battle is refused too.
    let (busy, b, _) = active(&store).await;
    let join = rules::join(&first, &b, 5, &TIMING).unwrap();
    assert!(matches!(
        store.commit(&join).await,
        Err(StoreError::PlayerBusy)
    ));
    assert_eq!(
        store.battle(first.id).await.unwrap().unwrap().players.len(),
        1
    );
    // Over: free again.
    store
        .commit(&rules::withdraw(&first, a.user_id, 6).unwrap())
        .await
        .unwrap();
    assert_eq!(store.active_battle_of(a.user_id).await.unwrap(), None);
    store.create(&again).await.unwrap();
    let _ = busy;
}

async fn submissions_are_found_by_job_and_overdue_ones_are_listed(store: Arc<dyn BattleStore>) {
    let (battle, a, b) = active(&store).await;
    let s = submission(&battle, a.user_id, 3_000);
    let c = submit(&battle, s.clone(), 3_000).unwrap();
    store.commit(&c).await.unwrap();
    assert_eq!(
        store.submission_by_job(s.job_id).await.unwrap(),
        Some(s.clone())
    );
    assert_eq!(store.submission(s.id).await.unwrap(), Some(s.clone()));
    assert!(store.overdue(22_999, 10).await.unwrap().is_empty());
    assert_eq!(store.overdue(23_000, 10).await.unwrap().len(), 1);
    let job = Uuid::now_v7();
    let resent = rules::resend(&c.battle, &s, job, 23_000);
    store.commit(&resent).await.unwrap();
    let taken = store.submission(s.id).await.unwrap().unwrap();
    assert_eq!((taken.job_id, taken.attempts), (job, s.attempts));
    let current = store.battle(battle.id).await.unwrap().unwrap();
    let confirmed = rules::sent(&current, &taken, job, 23_100, &TIMING).unwrap();
    store.commit(&confirmed).await.unwrap();
    let again = store.submission(s.id).await.unwrap().unwrap();
    assert_eq!(again.attempts, s.attempts + 1);
    assert!(store.submission_by_job(s.job_id).await.unwrap().is_none());
    let report = Report {
        compile_output: "warning".into(),
        tests: Vec::new(),
        time_ms: 5,
        memory_bytes: 6,
    };
    let j = Judgement {
        verdict: Verdict::WrongAnswer,
        score: 3,
        report: report.clone(),
    };
    let current = store.battle(battle.id).await.unwrap().unwrap();
    store
        .commit(&rules::judged(&current, &again, j, 24_000).unwrap())
        .await
        .unwrap();
    let done = store.submission(s.id).await.unwrap().unwrap();
    assert_eq!(
        (done.verdict, done.score, done.report),
        (Some(Verdict::WrongAnswer), 3, Some(report))
    );
    assert!(store.overdue(i64::MAX, 10).await.unwrap().is_empty());
    assert_eq!(
        store
            .submissions(battle.id, Some(b.user_id))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(store.submissions(battle.id, None).await.unwrap().len(), 1);
    let p = store.battle(battle.id).await.unwrap().unwrap();
    let pa = p.player(a.user_id).unwrap();
    assert_eq!(
        (pa.best_score, pa.best_at_ms, pa.judging),
        (3, Some(3_000), None)
    );
}

async fn the_outbox_lists_what_is_unpublished_until_marked(store: Arc<dyn BattleStore>) {
    let (a, b) = (player("ada"), player("bob"));
    let matched = rules::create_matched(
        Uuid::now_v7(),
        BattleMode::Rated,
        [&a, &b],
        ("p", "h"),
        60,
        0,
        &TIMING,
    );
    store.create(&matched).await.unwrap();
    let mut battle = matched.battle.clone();
    for user in [a.user_id, b.user_id] {
        let c = rules::arrive(&battle, user, 1, &TIMING).unwrap().unwrap();
        store.commit(&c).await.unwrap();
        battle = c.battle;
    }
    let c = rules::tick(&battle, 1, &TIMING).unwrap();
    store.commit(&c).await.unwrap();
    let live = store.live(10).await.unwrap();
    assert_eq!(
        live.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![battle.id]
    );
    let c = rules::resign(&c.battle, a.user_id, 2).unwrap();
    store.commit(&c).await.unwrap();

    let pending = store.unpublished_events(100).await.unwrap();
    let seqs: Vec<i64> = pending.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=c.battle.last_seq).collect::<Vec<_>>());
    let results = store.unpublished_results(10).await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].winner, Some(b.user_id));
    assert_eq!(results[0].reason, EndReason::Resigned);
    let lag = store.outbox_lag().await.unwrap();
    assert_eq!((lag.events, lag.results), (seqs.len() as u64, 1));

    for e in &pending {
        store
            .mark_event_published(e.battle_id, e.seq, 10)
            .await
            .unwrap();
    }
    store.mark_result_published(battle.id, 10).await.unwrap();
    assert!(store.unpublished_events(100).await.unwrap().is_empty());
    assert!(store.unpublished_results(10).await.unwrap().is_empty());
    assert_eq!(store.outbox_lag().await.unwrap().oldest_ms, None);
    // The log keeps everything.
    assert_eq!(
        store.events(battle.id, 0, 100).await.unwrap().len(),
        seqs.len()
    );
}

async fn the_clock_finds_due_battles(store: Arc<dyn BattleStore>) {
    let a = player("ada");
    let battle = private(&store, &a, "due").await;
    assert!(!store.due(60_999, 10).await.unwrap().contains(&battle.id));
    assert!(store.due(61_000, 10).await.unwrap().contains(&battle.id));
    store
        .commit(&rules::tick(&battle, 61_000, &TIMING).unwrap())
        .await
        .unwrap();
    assert!(!store.due(i64::MAX, 10).await.unwrap().contains(&battle.id));
    let counts = store.count_by_state().await.unwrap();
    assert!(counts.contains(&(BattleState::Cancelled, 1)));
}

fn entry(rating: i32, mode: BattleMode) -> QueueEntry {
    QueueEntry {
        user_id: Uuid::now_v7(),
        username: format!("p{rating}"),
        mode,
        language: None,
        rating,
        enqueued_at_ms: 0,
    }
}

async fn the_queue_refuses_players_in_battles_and_twice(store: Arc<dyn BattleStore>) {
    let e = entry(1500, BattleMode::Rated);
    store.enqueue(&e).await.unwrap();
    assert!(matches!(
        store.enqueue(&e).await,
        Err(StoreError::AlreadyQueued)
    ));
    assert_eq!(store.queued(e.user_id).await.unwrap(), Some(e.clone()));
    assert_eq!(
        store.queue_sizes().await.unwrap(),
        vec![(BattleMode::Rated, 1)]
    );
    // Queued players cannot create a battle.
    let me = PlayerRef {
        user_id: e.user_id,
        username: e.username.clone(),
        rating: 1500,
    };
    let c = rules::create_private(Uuid::now_v7(), &me, ("p", "h"), "q".into(), 60, 0, &TIMING);
    assert!(matches!(
        store.create(&c).await,
        Err(StoreError::PlayerQueued)
    ));
    assert!(store.dequeue(e.user_id).await.unwrap());
    assert!(!store.dequeue(e.user_id).await.unwrap());
    // Players in a battle cannot queue.
    let (_, a, _) = active(&store).await;
    let busy = QueueEntry {
        user_id: a.user_id,
        ..entry(1500, BattleMode::Casual)
    };
    assert!(matches!(
        store.enqueue(&busy).await,
        Err(StoreError::PlayerBusy)
    ));
}

/// Pairs neighbours in queue order; every pair gets a battle.
struct Neighbours;

impl Planner for Neighbours {
    fn pairs(&self, queue: &[QueueEntry], _now: i64) -> Vec<(usize, usize)> {
        (0..queue.len() / 2).map(|i| (2 * i, 2 * i + 1)).collect()
    }
    fn battle(
        &self,
        a: &QueueEntry,
        b: &QueueEntry,
        _recent: &[String],
        now: i64,
    ) -> Option<Change> {
        Some(rules::create_matched(
            Uuid::now_v7(),
            a.mode,
            [&a.player(), &b.player()],
            ("p", "h"),
            60,
            now,
            &TIMING,
        ))
    }
}

async fn a_matchmaking_round_pairs_and_empties_the_queue(store: Arc<dyn BattleStore>) {
    let entries: Vec<QueueEntry> = (0..5).map(|i| entry(1500 + i, BattleMode::Rated)).collect();
    for e in &entries {
        store.enqueue(e).await.unwrap();
    }
    store
        .enqueue(&entry(1500, BattleMode::Casual))
        .await
        .unwrap();
    let made = store
        .pair(BattleMode::Rated, &Neighbours, 10)
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    for change in &made {
        let b = store.battle(change.battle.id).await.unwrap().unwrap();
        assert_eq!(b.state, BattleState::Waiting);
        for p in &b.players {
            assert_eq!(store.active_battle_of(p.user_id).await.unwrap(), Some(b.id));
            assert!(store.queued(p.user_id).await.unwrap().is_none());
        }
    }
    let mut sizes = store.queue_sizes().await.unwrap();
    sizes.sort_by_key(|(m, _)| m.as_str());
    assert_eq!(sizes, vec![(BattleMode::Casual, 1), (BattleMode::Rated, 1)]);
}

async fn concurrent_matchmaking_rounds_never_pair_a_player_twice(store: Arc<dyn BattleStore>) {
    let entries: Vec<QueueEntry> = (0..40)
        .map(|i| entry(1500 + i, BattleMode::Rated))
        .collect();
    for e in &entries {
        store.enqueue(e).await.unwrap();
    }
    let mut rounds = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        rounds.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for _ in 0..5 {
                made.extend(
                    store
                        .pair(BattleMode::Rated, &Neighbours, 10)
                        .await
                        .unwrap(),
                );
            }
            made
        }));
    }
    let mut seen = std::collections::HashSet::new();
    let mut battles = 0;
    for r in rounds {
        for change in r.await.unwrap() {
            battles += 1;
            for p in &change.battle.players {
                assert!(seen.insert(p.user_id), "{} paired twice", p.username);
            }
        }
    }
    assert_eq!(battles, 20);
    assert!(store.queue_sizes().await.unwrap().is_empty());
}

async fn a_player_racing_into_the_queue_and_a_battle_ends_up_in_one(store: Arc<dyn BattleStore>) {
    for round in 0..20 {
        let e = entry(1500, BattleMode::Rated);
        let me = PlayerRef {
            user_id: e.user_id,
            username: e.username.clone(),
            rating: 1500,
        };
        let c = rules::create_private(
            Uuid::now_v7(),
            &me,
            ("p", "h"),
            format!("race{round}"),
            60,
            0,
            &TIMING,
        );
        let (s1, s2) = (store.clone(), store.clone());
        let queued = tokio::spawn(async move { s1.enqueue(&e).await });
        let created = tokio::spawn(async move { s2.create(&c).await });
        let (queued, created) = (queued.await.unwrap(), created.await.unwrap());
        assert!(
            queued.is_ok() != created.is_ok(),
            "round {round}: {queued:?} {created:?}"
        );
        let in_queue = store.queued(me.user_id).await.unwrap().is_some();
        let in_battle = store.active_battle_of(me.user_id).await.unwrap().is_some();
        assert!(
            in_queue != in_battle,
            "round {round}: queued {in_queue}, in a battle {in_battle}"
        );
    }
}
