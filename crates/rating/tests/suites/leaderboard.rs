//! The `Leaderboard` contract, in process memory and on Redis.

use std::sync::Arc;

use rating::leaderboard::{Leaderboard, MemoryLeaderboard, RedisLeaderboard};
use rating::model::Standing;
use uuid::Uuid;

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
    a_missing_copy_says_so_and_ignores_updates,
    a_replaced_copy_pages_in_rating_order,
    record_keeps_the_newer_standing,
    equal_ratings_order_by_user_id_greatest_first,
    an_empty_replacement_is_built_and_empty,
);

fn standing(rating: f64, games: u32) -> Standing {
    let mut s = Standing::new(Uuid::now_v7(), "p");
    s.username = format!("p{rating}");
    s.rating = rating;
    s.games = games;
    s
}

fn users(rows: &[Standing]) -> Vec<Uuid> {
    rows.iter().map(|s| s.user_id).collect()
}

async fn a_missing_copy_says_so_and_ignores_updates(board: Arc<dyn Leaderboard>) {
    assert_eq!(board.page(0, 10).await.unwrap(), None);
    assert!(!board.is_built().await.unwrap());
    let s = standing(1510.0, 1);
    board.record(std::slice::from_ref(&s)).await.unwrap();
    assert_eq!(board.page(0, 10).await.unwrap(), None, "still missing");
    assert_eq!(board.rank(s.user_id).await.unwrap(), None);
}

async fn a_replaced_copy_pages_in_rating_order(board: Arc<dyn Leaderboard>) {
    let rows: Vec<_> = [1450.5, 1700.0, 1500.0, 1623.25]
        .into_iter()
        .map(|r| standing(r, 3))
        .collect();
    board.replace(&rows).await.unwrap();
    assert!(board.is_built().await.unwrap());
    let page = board.page(0, 10).await.unwrap().unwrap();
    assert_eq!(page.total, 4);
    let ratings: Vec<f64> = page.rows.iter().map(|s| s.rating).collect();
    assert_eq!(ratings, vec![1700.0, 1623.25, 1500.0, 1450.5]);
    assert_eq!(page.rows[0], rows[1], "rows come back whole");
    let second = board.page(2, 2).await.unwrap().unwrap();
    assert_eq!(users(&second.rows), vec![rows[2].user_id, rows[0].user_id]);
    assert!(board.page(10, 5).await.unwrap().unwrap().rows.is_empty());
    assert_eq!(board.rank(rows[1].user_id).await.unwrap(), Some(1));
    assert_eq!(board.rank(rows[0].user_id).await.unwrap(), Some(4));
    assert_eq!(board.rank(Uuid::now_v7()).await.unwrap(), None);
}

async fn record_keeps_the_newer_standing(board: Arc<dyn Leaderboard>) {
    let a = standing(1500.0, 2);
    board.replace(std::slice::from_ref(&a)).await.unwrap();
    let mut newer = a.clone();
    newer.rating = 1540.0;
    newer.games = 3;
    let b = standing(1480.0, 1);
    board.record(&[newer.clone(), b.clone()]).await.unwrap();
    // An older standing of `a` (a replica's late update) does not go back in.
    let mut older = a.clone();
    older.rating = 1490.0;
    board.record(&[older]).await.unwrap();
    let page = board.page(0, 10).await.unwrap().unwrap();
    assert_eq!(page.rows, vec![newer.clone(), b.clone()]);
    // Recording the same standing again changes nothing.
    board.record(&[newer.clone(), b.clone()]).await.unwrap();
    assert_eq!(
        board.page(0, 10).await.unwrap().unwrap().rows,
        vec![newer, b.clone()]
    );
    assert_eq!(board.rank(b.user_id).await.unwrap(), Some(2));
}

async fn equal_ratings_order_by_user_id_greatest_first(board: Arc<dyn Leaderboard>) {
    let rows: Vec<_> = (0..4).map(|_| standing(1600.0, 1)).collect();
    board.replace(&rows).await.unwrap();
    let mut want = users(&rows);
    want.sort();
    want.reverse();
    let page = board.page(0, 10).await.unwrap().unwrap();
    assert_eq!(users(&page.rows), want);
    assert_eq!(board.rank(want[3]).await.unwrap(), Some(4));
}

async fn an_empty_replacement_is_built_and_empty(board: Arc<dyn Leaderboard>) {
    board.replace(&[standing(1500.0, 1)]).await.unwrap();
    board.replace(&[]).await.unwrap();
    let page = board.page(0, 10).await.unwrap().unwrap();
    assert_eq!((page.rows.len(), page.total), (0, 0));
    assert!(board.is_built().await.unwrap());
}
