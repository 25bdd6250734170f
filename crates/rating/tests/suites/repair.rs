//! The leaderboard copy kept true to the database by the service's check, in process
//! memory and on Redis: built when missing, repaired when an update missed it.

use std::sync::Arc;

use rating::leaderboard::{Leaderboard, MemoryLeaderboard, RedisLeaderboard};
use rating::service::now_ms;
use rating::{RatingService, RatingSettings, RatingStore, SqliteRatingStore};
use testkit::TestDatabase;

use crate::common::{battle, players};

async fn memory() -> Arc<dyn Leaderboard> {
    Arc::new(MemoryLeaderboard::new())
}

async fn redis() -> Arc<dyn Leaderboard> {
    let connection = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    Arc::new(RedisLeaderboard::new(connection, &testkit::unique_prefix()))
}

testkit::suite!(
    memory => memory().await,
    redis => redis().await;
    a_missing_copy_is_built_by_the_check_or_the_first_read,
    an_update_that_missed_the_copy_is_repaired_by_the_next_check,
);

async fn service(board: Arc<dyn Leaderboard>) -> (TestDatabase, RatingService) {
    let db = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
    let store: Arc<dyn RatingStore> = Arc::new(SqliteRatingStore::new(pool).await.unwrap());
    (
        db,
        RatingService::new(RatingSettings::default(), store, board),
    )
}

async fn a_missing_copy_is_built_by_the_check_or_the_first_read(board: Arc<dyn Leaderboard>) {
    let (_db, service) = service(board.clone()).await;
    let p = players(2);
    service.apply(&battle(&p[0], &p[1], 0)).await.unwrap();
    assert!(
        !board.is_built().await.unwrap(),
        "nothing builds it but a check or a read"
    );
    // A read of a missing copy builds it and is answered from it.
    let page = service.leaderboard(1).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|s| s.user_id).collect::<Vec<_>>(),
        vec![p[0].0, p[1].0]
    );
    assert!(board.is_built().await.unwrap());
    assert_eq!(board.rank(p[1].0).await.unwrap(), Some(2));
}

async fn an_update_that_missed_the_copy_is_repaired_by_the_next_check(board: Arc<dyn Leaderboard>) {
    let (_db, service) = service(board.clone()).await;
    let p = players(3);
    service.check_leaderboard().await.unwrap();
    service.apply(&battle(&p[0], &p[1], 0)).await.unwrap();
    // Two battles commit but their updates never reach the copy (Redis was away, or the
    // process died in between): p2 is missing from it, p1 shows an old rating.
    service
        .store()
        .apply(&battle(&p[2], &p[1], 0), now_ms())
        .await
        .unwrap();
    service
        .store()
        .apply(&battle(&p[2], &p[0], 2), now_ms())
        .await
        .unwrap();
    let stale = board.page(0, 10).await.unwrap().unwrap();
    assert_eq!(stale.total, 2);
    service.check_leaderboard().await.unwrap();
    let page = board.page(0, 10).await.unwrap().unwrap();
    let truth = service.store().ranked(0, 10).await.unwrap();
    assert_eq!(page.rows, truth, "the copy equals the database again");
    assert_eq!(page.total, 3);
}
