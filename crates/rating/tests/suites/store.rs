//! The `RatingStore` contract, run against SQLite and PostgreSQL.

use std::sync::Arc;

use futures_util::StreamExt as _;
use rating::store::Applied;
use rating::{PostgresRatingStore, RatingStore, SqliteRatingStore};
use testkit::TestDatabase;

use crate::common::{assert_unbroken_chains, battle, battles, players};

async fn sqlite() -> (TestDatabase, Arc<dyn RatingStore>) {
    let db = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
    (db, Arc::new(SqliteRatingStore::new(pool).await.unwrap()))
}

async fn postgres() -> (TestDatabase, Arc<dyn RatingStore>) {
    let db = TestDatabase::postgres().await;
    let pool = platform::db::connect_postgres(db.url(), 10).await.unwrap();
    (db, Arc::new(PostgresRatingStore::new(pool).await.unwrap()))
}

testkit::suite_with_guard!(
    sqlite => sqlite().await,
    postgres => postgres().await;
    a_battle_applies_once_and_leaves_one_event_to_publish,
    concurrent_deliveries_of_one_battle_apply_it_once,
    concurrent_battles_sharing_players_lose_no_update,
    ranked_and_rank_follow_the_rating,
    history_pages_by_game,
    k_drops_from_40_to_20_after_thirty_games,
);

async fn a_battle_applies_once_and_leaves_one_event_to_publish(store: Arc<dyn RatingStore>) {
    let p = players(2);
    let result = battle(&p[0], &p[1], 1);
    let Applied::Applied(settlement) = store.apply(&result, 5).await.unwrap() else {
        panic!("the first delivery must apply");
    };
    assert_eq!(settlement.standings[0].rating, 1480.0);
    assert_eq!(settlement.standings[1].rating, 1520.0);
    assert_eq!(store.apply(&result, 6).await.unwrap(), Applied::Duplicate);

    let loser = store.standing(p[0].0).await.unwrap().unwrap();
    assert_eq!((loser.rating, loser.games, loser.losses), (1480.0, 1, 1));
    assert_eq!(loser.username, "player0");
    assert_eq!(loser.peak, 1500.0);
    let winner = store.standing(p[1].0).await.unwrap().unwrap();
    assert_eq!(
        (winner.rating, winner.wins, winner.peak),
        (1520.0, 1, 1520.0)
    );
    let totals = store.totals().await.unwrap();
    assert_eq!(
        (totals.battles, totals.history_rows, totals.players),
        (1, 2, 2)
    );

    let history = store.history(p[1].0, 0, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].before, history[0].after, history[0].delta),
        (1500.0, 1520.0, 20.0)
    );
    assert_eq!((history[0].k, history[0].opponent), (40, p[0].0));

    let events = store.unpublished(10).await.unwrap();
    assert_eq!(events, vec![settlement.event.clone()]);
    assert_eq!(store.outbox_lag().await.unwrap(), 1);
    store.mark_published(result.battle_id, 7).await.unwrap();
    assert!(store.unpublished(10).await.unwrap().is_empty());
    assert_eq!(store.outbox_lag().await.unwrap(), 0);
}

async fn concurrent_deliveries_of_one_battle_apply_it_once(store: Arc<dyn RatingStore>) {
    let p = players(2);
    let result = battle(&p[0], &p[1], 0);
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let (store, result) = (store.clone(), result.clone());
            tokio::spawn(async move { store.apply(&result, i).await.unwrap() })
        })
        .collect();
    let mut applied = 0;
    for racer in racers {
        if matches!(racer.await.unwrap(), Applied::Applied(_)) {
            applied += 1;
        }
    }
    assert_eq!(applied, 1);
    let totals = store.totals().await.unwrap();
    assert_eq!((totals.battles, totals.history_rows), (1, 2));
    assert_eq!(
        store.standing(p[0].0).await.unwrap().unwrap().rating,
        1520.0
    );
}

async fn concurrent_battles_sharing_players_lose_no_update(store: Arc<dyn RatingStore>) {
    let p = players(20);
    let mut all = battles(&p, 300, 42);
    // One in ten comes a second time, in the middle of the others.
    let again: Vec<_> = all.iter().step_by(10).cloned().collect();
    for (i, result) in again.into_iter().enumerate() {
        all.insert((i * 37) % all.len(), result);
    }
    let applied = futures_util::stream::iter(all)
        .map(|result| {
            let store = store.clone();
            async move { store.apply(&result, 1).await.unwrap() }
        })
        .buffer_unordered(8)
        .filter(|a| std::future::ready(matches!(a, Applied::Applied(_))))
        .count()
        .await;
    assert_eq!(applied, 300);
    let totals = store.totals().await.unwrap();
    assert_eq!(
        (totals.battles, totals.history_rows, totals.players),
        (300, 600, 20)
    );
    assert_unbroken_chains(store.as_ref(), &p).await;
}

async fn ranked_and_rank_follow_the_rating(store: Arc<dyn RatingStore>) {
    let p = players(3);
    // 2 beats 0, 2 beats 1, 1 beats 0: 2 first, then 1, then 0.
    for (a, b) in [(2, 0), (2, 1), (1, 0)] {
        store.apply(&battle(&p[a], &p[b], 0), 1).await.unwrap();
    }
    let ranked = store.ranked(0, 10).await.unwrap();
    let order: Vec<_> = ranked.iter().map(|s| s.user_id).collect();
    assert_eq!(order, vec![p[2].0, p[1].0, p[0].0]);
    assert!(ranked.windows(2).all(|w| w[0].rating >= w[1].rating));
    for (i, (user, _)) in [&p[2], &p[1], &p[0]].into_iter().enumerate() {
        assert_eq!(store.rank(*user).await.unwrap(), Some(i as u64 + 1));
    }
    assert_eq!(store.ranked(1, 1).await.unwrap()[0].user_id, p[1].0);
    assert_eq!(store.rank(uuid::Uuid::now_v7()).await.unwrap(), None);
}

async fn history_pages_by_game(store: Arc<dyn RatingStore>) {
    let p = players(2);
    for i in 0..5 {
        store.apply(&battle(&p[0], &p[1], i % 2), 1).await.unwrap();
    }
    let all = store.history(p[0].0, 0, 100).await.unwrap();
    assert_eq!(
        all.iter().map(|h| h.game).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    let page = store.history(p[0].0, 2, 2).await.unwrap();
    assert_eq!(page.iter().map(|h| h.game).collect::<Vec<_>>(), vec![3, 4]);
    assert!(
        store
            .history(uuid::Uuid::now_v7(), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn k_drops_from_40_to_20_after_thirty_games(store: Arc<dyn RatingStore>) {
    let veteran = &players(1)[0];
    for opponent in players(31) {
        store
            .apply(&battle(veteran, &opponent, 2), 1)
            .await
            .unwrap();
    }
    let history = store.history(veteran.0, 0, 100).await.unwrap();
    assert_eq!(history.len(), 31);
    assert!(
        history[..30].iter().all(|h| h.k == 40),
        "games 1–30 at K 40"
    );
    assert_eq!(history[30].k, 20, "game 31 at K 20");
}
