//! The `UserStore` contract, run against SQLite and PostgreSQL.

use std::sync::Arc;

use auth::store::{NewRefreshToken, NewUser, Rotation, StoreError, Taken};
use auth::{PostgresUserStore, SqliteUserStore, UserStore};
use testkit::TestDatabase;
use time::OffsetDateTime;
use uuid::Uuid;

async fn sqlite() -> (TestDatabase, Arc<dyn UserStore>) {
    let db = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(db.path()).await.unwrap();
    (db, Arc::new(SqliteUserStore::new(pool).await.unwrap()))
}

async fn postgres() -> (TestDatabase, Arc<dyn UserStore>) {
    let db = TestDatabase::postgres().await;
    let pool = platform::db::connect_postgres(db.url(), 10).await.unwrap();
    (db, Arc::new(PostgresUserStore::new(pool).await.unwrap()))
}

testkit::suite_with_guard!(
    sqlite => sqlite().await,
    postgres => postgres().await;
    created_users_are_found_by_name_or_email_in_any_case,
    usernames_and_emails_are_unique_ignoring_case,
    concurrent_registrations_of_one_name_let_exactly_one_through,
    refresh_tokens_rotate_and_reuse_revokes_the_session,
    concurrent_refreshes_of_one_token_rotate_it_once,
    expired_and_unknown_refresh_tokens_are_invalid,
    revoking_a_session_leaves_other_sessions_alone,
);

fn now() -> OffsetDateTime {
    // Whole seconds: SQLite keeps Unix seconds, and both stores must compare equal.
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        id: Uuid::now_v7(),
        username: name.to_owned(),
        email: format!("{}@example.com", name.to_lowercase()),
        password_hash: "$2b$04$hash".to_owned(),
        created_at: now(),
    }
}

fn token(family: Uuid, user: Uuid, hash: u8, expires_in: i64) -> NewRefreshToken {
    NewRefreshToken {
        id: Uuid::now_v7(),
        family_id: family,
        user_id: user,
        token_hash: [hash; 32],
        created_at: now(),
        expires_at: now() + time::Duration::seconds(expires_in),
    }
}

async fn created_users_are_found_by_name_or_email_in_any_case(store: Arc<dyn UserStore>) {
    let created = store.create_user(&new_user("Ada_L")).await.unwrap();
    assert_eq!(created.username, "Ada_L");
    for login in [
        "Ada_L",
        "ada_l",
        "ADA_L",
        "ada_l@example.com",
        "ADA_L@EXAMPLE.COM",
    ] {
        let found = store.credentials_by_login(login).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("{login} not found"));
        assert_eq!(found.user, created);
        assert_eq!(found.password_hash, "$2b$04$hash");
    }
    assert!(store.credentials_by_login("ada").await.unwrap().is_none());
    assert_eq!(store.user_by_id(created.id).await.unwrap(), Some(created));
    assert_eq!(store.user_by_id(Uuid::now_v7()).await.unwrap(), None);
}

async fn usernames_and_emails_are_unique_ignoring_case(store: Arc<dyn UserStore>) {
    store.create_user(&new_user("grace")).await.unwrap();
    let mut same_name = new_user("GRACE");
    same_name.email = "other@example.com".into();
    assert!(matches!(
        store.create_user(&same_name).await,
        Err(StoreError::Taken(t)) if t == vec![Taken::Username]
    ));
    let mut same_email = new_user("hopper");
    same_email.email = "Grace@Example.com".into();
    assert!(matches!(
        store.create_user(&same_email).await,
        Err(StoreError::Taken(t)) if t == vec![Taken::Email]
    ));
    assert!(matches!(
        store.create_user(&new_user("Grace")).await,
        Err(StoreError::Taken(t)) if t == vec![Taken::Username, Taken::Email]
    ));
    // Nothing half-written: still exactly one grace.
    assert!(
        store
            .credentials_by_login("other@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

async fn concurrent_registrations_of_one_name_let_exactly_one_through(store: Arc<dyn UserStore>) {
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut user = new_user("racer");
                user.email = format!("racer{i}@example.com");
                store.create_user(&user).await
            })
        })
        .collect();
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => created += 1,
            Err(StoreError::Taken(t)) => assert_eq!(t, vec![Taken::Username]),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(created, 1);
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_session(store: Arc<dyn UserStore>) {
    let user = store.create_user(&new_user("rotor")).await.unwrap();
    let session = Uuid::now_v7();
    store
        .insert_refresh_token(&token(session, user.id, 1, 3600))
        .await
        .unwrap();
    assert!(store.session_active(session).await.unwrap());

    let rotated = store
        .rotate_refresh_token(&[1; 32], &token(Uuid::nil(), Uuid::nil(), 2, 3600))
        .await
        .unwrap();
    assert_eq!(
        rotated,
        Rotation::Rotated {
            user: user.clone(),
            session_id: session
        }
    );
    assert!(store.session_active(session).await.unwrap());

    // The first token again: someone kept a copy. The session ends.
    let reused = store
        .rotate_refresh_token(&[1; 32], &token(Uuid::nil(), Uuid::nil(), 3, 3600))
        .await
        .unwrap();
    assert_eq!(
        reused,
        Rotation::Reused {
            session_id: session
        }
    );
    assert!(!store.session_active(session).await.unwrap());
    // ... and the token that replaced it is dead too.
    let after = store
        .rotate_refresh_token(&[2; 32], &token(Uuid::nil(), Uuid::nil(), 4, 3600))
        .await
        .unwrap();
    assert_eq!(after, Rotation::Invalid);
}

async fn concurrent_refreshes_of_one_token_rotate_it_once(store: Arc<dyn UserStore>) {
    let user = store.create_user(&new_user("twins")).await.unwrap();
    let session = Uuid::now_v7();
    store
        .insert_refresh_token(&token(session, user.id, 9, 3600))
        .await
        .unwrap();
    let attempts: Vec<_> = (0..6u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .rotate_refresh_token(&[9; 32], &token(Uuid::nil(), Uuid::nil(), 100 + i, 3600))
                    .await
            })
        })
        .collect();
    let mut rotated = 0;
    for attempt in attempts {
        match attempt.await.unwrap().unwrap() {
            Rotation::Rotated { .. } => rotated += 1,
            Rotation::Reused { session_id } => assert_eq!(session_id, session),
            Rotation::Invalid => panic!("a live token was reported invalid"),
        }
    }
    assert_eq!(rotated, 1);
}

async fn expired_and_unknown_refresh_tokens_are_invalid(store: Arc<dyn UserStore>) {
    let user = store.create_user(&new_user("late")).await.unwrap();
    let session = Uuid::now_v7();
    store
        .insert_refresh_token(&token(session, user.id, 5, -10))
        .await
        .unwrap();
    let next = token(Uuid::nil(), Uuid::nil(), 6, 3600);
    assert_eq!(
        store.rotate_refresh_token(&[5; 32], &next).await.unwrap(),
        Rotation::Invalid
    );
    assert_eq!(
        store.rotate_refresh_token(&[7; 32], &next).await.unwrap(),
        Rotation::Invalid
    );
}

async fn revoking_a_session_leaves_other_sessions_alone(store: Arc<dyn UserStore>) {
    let user = store.create_user(&new_user("multi")).await.unwrap();
    let (phone, laptop) = (Uuid::now_v7(), Uuid::now_v7());
    store
        .insert_refresh_token(&token(phone, user.id, 11, 3600))
        .await
        .unwrap();
    store
        .insert_refresh_token(&token(laptop, user.id, 12, 3600))
        .await
        .unwrap();
    assert!(store.revoke_session(phone, now()).await.unwrap());
    assert!(
        !store.revoke_session(phone, now()).await.unwrap(),
        "already revoked"
    );
    assert!(!store.session_active(phone).await.unwrap());
    assert!(store.session_active(laptop).await.unwrap());
    assert!(!store.session_active(Uuid::now_v7()).await.unwrap());
    let next = token(Uuid::nil(), Uuid::nil(), 13, 3600);
    assert_eq!(
        store.rotate_refresh_token(&[11; 32], &next).await.unwrap(),
        Rotation::Invalid
    );
}
