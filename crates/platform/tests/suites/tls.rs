//! TLS to the stores, against real PostgreSQL, Redis and RabbitMQ servers that speak only
//! TLS with a certificate for `localhost` from a throwaway CA (`testkit::tls`). For each:
//! with the CA set (through the settings, as a deployment sets it) the connection works and
//! real work goes through the project's own types; without the CA, with the wrong CA, or
//! to a host name the certificate does not name, it fails on the certificate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use platform::Infra;
use platform::bus::BusEvent;
use platform::infra::{AmqpSettings, DatabaseSettings, InfraError, RedisSettings};
use platform::messaging::{AmqpBroker, AmqpConnectError, Outgoing};
use platform::tls::{CaFile, TlsError};
use testkit::tls::{TestCertificates, TlsPostgres, TlsRabbitMq, TlsRedis};
use tokio_util::sync::CancellationToken;

const DEADLINE: Duration = Duration::from_secs(15);

fn database(url: String, ca_file: Option<PathBuf>) -> Infra {
    let settings = DatabaseSettings {
        url: Some(url),
        max_connections: 2,
        ca_file,
    };
    Infra::cluster(
        &settings,
        &RedisSettings::default(),
        &AmqpSettings::default(),
    )
}

fn redis(url: String, ca_file: Option<PathBuf>) -> Infra {
    let settings = RedisSettings {
        url: Some(url),
        prefix: testkit::unique_prefix(),
        ca_file,
    };
    Infra::cluster(
        &DatabaseSettings::default(),
        &settings,
        &AmqpSettings::default(),
    )
}

fn amqp(url: String, ca_file: Option<PathBuf>) -> Infra {
    let settings = AmqpSettings {
        url: Some(url),
        prefix: testkit::unique_prefix(),
        ca_file,
    };
    Infra::cluster(
        &DatabaseSettings::default(),
        &RedisSettings::default(),
        &settings,
    )
}

/// The certificate problem rustls reported, whatever client wrapped it.
fn assert_certificate_error(error: &dyn std::fmt::Display, expected: &str) {
    let text = error.to_string();
    assert!(
        text.contains("invalid peer certificate") && text.contains(expected),
        "expected a certificate error ({expected}), got: {text}"
    );
}

const UNKNOWN_ISSUER: &str = "UnknownIssuer";
/// rustls names the host it was asked for and those the certificate is valid for.
const WRONG_HOST: &str = "certificate not valid for name \"127.0.0.1\"";

/// The connections every TLS server must refuse, as (URL, CA file, expected error): no
/// CA (the self-signed chain is unknown), another CA, and the right CA for the wrong host.
fn refused(
    url: impl Fn(&str) -> String,
    certificates: &TestCertificates,
) -> [(String, Option<PathBuf>, &'static str); 3] {
    [
        (url("localhost"), None, UNKNOWN_ISSUER),
        (
            url("localhost"),
            Some(certificates.other_ca()),
            UNKNOWN_ISSUER,
        ),
        (url("127.0.0.1"), Some(certificates.ca()), WRONG_HOST),
    ]
}

#[tokio::test]
async fn postgres_verifies_the_server_with_the_configured_ca() {
    let certificates = TestCertificates::generate();
    let server = TlsPostgres::start(&certificates);

    let infra = database(server.url("localhost"), Some(certificates.ca()));
    let platform::infra::Database::Postgres(pool) = infra.database().await.unwrap() else {
        panic!("cluster mode gives PostgreSQL");
    };
    // The session is encrypted, and real work goes through it.
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(encrypted);
    sqlx::query("CREATE TABLE notes (body text)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO notes VALUES ('over tls')")
        .execute(&pool)
        .await
        .unwrap();
    let body: String = sqlx::query_scalar("SELECT body FROM notes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(body, "over tls");
    pool.close().await;

    // The server takes nothing but TLS: plaintext is refused by pg_hba.conf.
    let plain = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=disable",
        server.port()
    );
    let error = platform::db::connect_postgres(&plain, 1).await.unwrap_err();
    assert!(
        error.to_string().contains("no pg_hba.conf entry"),
        "{error}"
    );

    for (url, ca, expected) in refused(|host| server.url(host), &certificates) {
        let error = database(url, ca).database().await.unwrap_err();
        assert!(matches!(error, InfraError::Database { .. }), "{error}");
        assert_certificate_error(&error, expected);
    }
}

#[tokio::test]
async fn postgres_refuses_a_ca_file_without_full_verification() {
    let certificates = TestCertificates::generate();
    let ca = CaFile::load("database.ca_file", &certificates.ca()).unwrap();
    // Refused before connecting: nothing listens here.
    for sslmode in ["require", "verify-ca", "prefer"] {
        let url = format!("postgres://postgres@localhost:1/postgres?sslmode={sslmode}");
        let error = platform::db::connect_postgres_with(&url, 1, Some(&ca))
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                platform::db::PostgresError::Tls(TlsError::NotVerified { .. })
            ),
            "{sslmode}: {error}"
        );
    }
    let error = database(
        "postgres://postgres@localhost:1/postgres".into(),
        Some(certificates.ca()),
    )
    .database()
    .await
    .unwrap_err();
    assert!(error.to_string().contains("database.ca_file"), "{error}");
}

#[tokio::test]
async fn redis_verifies_the_server_with_the_configured_ca() {
    let certificates = TestCertificates::generate();
    let server = TlsRedis::start(&certificates);

    let infra = redis(server.url("localhost"), Some(certificates.ca()));
    // The shared connection: a blob stored and read back.
    let blobs = infra.blobs("tls").await.unwrap();
    blobs.put("greeting", b"over tls").await.unwrap();
    assert_eq!(
        blobs.get("greeting").await.unwrap().as_deref(),
        Some(&b"over tls"[..])
    );
    // A durable stream: its blocking reads use connections of their own, made from the
    // same client settings.
    let streams = infra.streams().await.unwrap();
    assert!(streams.append_once("jobs", "k1", b"payload").await.unwrap());
    let entries = streams
        .read("jobs", "workers", "w1", 10, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].payload, b"payload");
    streams
        .ack("jobs", "workers", &entries[0].id)
        .await
        .unwrap();
    assert_eq!(streams.lag("jobs", "workers").await.unwrap(), 0);
    // Pub/sub: the subscription's connection too.
    let bus = infra.bus().await.unwrap();
    let mut events = bus.subscribe("events").await.unwrap();
    bus.publish("events", b"hello").await.unwrap();
    let event = tokio::time::timeout(DEADLINE, events.recv())
        .await
        .expect("an event in time");
    assert_eq!(event, Some(BusEvent::Message(b"hello".to_vec())));

    for (url, ca, expected) in refused(|host| server.url(host), &certificates) {
        let error = redis(url, ca)
            .redis()
            .await
            .err()
            .expect("a certificate error");
        assert!(matches!(error, InfraError::Redis(_)), "{error}");
        assert_certificate_error(&error, expected);
    }
}

#[tokio::test]
async fn redis_refuses_a_ca_file_with_a_plain_url() {
    let certificates = TestCertificates::generate();
    let error = redis("redis://localhost:1".into(), Some(certificates.ca()))
        .redis()
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(
            error,
            InfraError::Tls(TlsError::NotVerified {
                setting: "redis.ca_file",
                ..
            })
        ),
        "{error}"
    );
}

#[tokio::test]
async fn rabbitmq_verifies_the_broker_with_the_configured_ca() {
    let certificates = TestCertificates::generate();
    let server = TlsRabbitMq::start(&certificates);

    let infra = amqp(server.url("localhost"), Some(certificates.ca()));
    let broker = infra.broker().await.unwrap();
    // A durable subscription (a consumer connection of its own) gets what is published.
    let stop = CancellationToken::new();
    let mut deliveries = broker
        .subscribe("events", "events.tls", 4, stop.clone())
        .await
        .unwrap();
    broker
        .publish("events", "", Outgoing::new(b"over tls", "m1"))
        .await
        .unwrap();
    let delivery = tokio::time::timeout(DEADLINE, deliveries.recv())
        .await
        .expect("a delivery in time")
        .expect("the stream is open");
    assert_eq!(delivery.payload, b"over tls");
    delivery.ack.ack().await.unwrap();
    testkit::wait_until(DEADLINE, "the queue to empty", || {
        let broker = broker.clone();
        async move { broker.depth("events.tls").await.is_ok_and(|n| n == 0) }
    })
    .await;
    stop.cancel();
    drop(deliveries);

    for (url, ca, expected) in refused(|host| server.url(host), &certificates) {
        let error = amqp(url, ca)
            .broker()
            .await
            .err()
            .expect("a certificate error");
        assert!(matches!(error, InfraError::Amqp(_)), "{error}");
        assert_certificate_error(&error, expected);
    }
}

#[tokio::test]
async fn rabbitmq_refuses_a_ca_file_with_a_plain_url() {
    let certificates = TestCertificates::generate();
    let ca = CaFile::load("amqp.ca_file", &certificates.ca()).unwrap();
    let error = AmqpBroker::connect_with("amqp://guest:guest@localhost:1/%2f", "p", Some(&ca))
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(
            error,
            AmqpConnectError::Tls(TlsError::NotVerified {
                setting: "amqp.ca_file",
                ..
            })
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreadable_ca_file_stops_the_store_from_connecting() {
    let missing = Path::new("/nonexistent/codearena-ca.pem").to_owned();
    // Nothing listens on these ports: the CA file is refused before any connection.
    let errors = [
        database(
            "postgres://postgres@localhost:1/postgres?sslmode=verify-full".into(),
            Some(missing.clone()),
        )
        .database()
        .await
        .expect_err("refused"),
        redis("rediss://localhost:1".into(), Some(missing.clone()))
            .redis()
            .await
            .err()
            .expect("refused"),
        amqp(
            "amqps://guest:guest@localhost:1/%2f".into(),
            Some(missing.clone()),
        )
        .broker()
        .await
        .err()
        .expect("refused"),
    ];
    for (error, setting) in errors
        .iter()
        .zip(["database.ca_file", "redis.ca_file", "amqp.ca_file"])
    {
        assert!(
            matches!(error, InfraError::Tls(TlsError::Read { .. })),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.contains(setting) && text.contains("/nonexistent/codearena-ca.pem"),
            "{text}"
        );
    }
}
