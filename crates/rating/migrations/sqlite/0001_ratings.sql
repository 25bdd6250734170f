-- The rating service's tables (see the PostgreSQL migration for the model). Ids are
-- 16-byte UUID blobs; ratings are kept to three decimals; times are Unix milliseconds.
CREATE TABLE ratings (
    user_id        BLOB    PRIMARY KEY NOT NULL,
    username       TEXT    NOT NULL,
    rating         REAL    NOT NULL,
    games          INTEGER NOT NULL,
    wins           INTEGER NOT NULL,
    losses         INTEGER NOT NULL,
    draws          INTEGER NOT NULL,
    peak           REAL    NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX ratings_rank ON ratings (rating DESC, user_id DESC);
-- Standings changed since a time: how the leaderboard copy is repaired.
CREATE INDEX ratings_changed ON ratings (updated_at_ms, user_id);

CREATE TABLE rating_history (
    user_id         BLOB    NOT NULL,
    battle_id       BLOB    NOT NULL,
    opponent        BLOB    NOT NULL,
    outcome         TEXT    NOT NULL,
    rating_before   REAL    NOT NULL,
    rating_after    REAL    NOT NULL,
    delta           REAL    NOT NULL,
    k               INTEGER NOT NULL,
    game            INTEGER NOT NULL,
    finished_at_ms  INTEGER NOT NULL,
    applied_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (user_id, battle_id)
) STRICT;
CREATE INDEX rating_history_by_game ON rating_history (user_id, game);

CREATE TABLE rating_battles (
    battle_id       BLOB    PRIMARY KEY NOT NULL,
    applied_at_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE rating_outbox (
    battle_id        BLOB    PRIMARY KEY NOT NULL,
    payload          TEXT    NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    published_at_ms  INTEGER
) STRICT;
CREATE INDEX rating_outbox_unpublished ON rating_outbox (created_at_ms) WHERE published_at_ms IS NULL;
