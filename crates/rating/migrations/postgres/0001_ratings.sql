-- The rating service's tables. Ratings are kept to three decimals (see elo::round3);
-- times are Unix milliseconds.
CREATE TABLE ratings (
    user_id        uuid             PRIMARY KEY,
    username       text             NOT NULL,
    rating         double precision NOT NULL,
    games          integer          NOT NULL,
    wins           integer          NOT NULL,
    losses         integer          NOT NULL,
    draws          integer          NOT NULL,
    peak           double precision NOT NULL,
    updated_at_ms  bigint           NOT NULL
);
-- The leaderboard's order, for rebuilding it and for ranks without Redis.
CREATE INDEX ratings_rank ON ratings (rating DESC, user_id DESC);
-- Standings changed since a time: how the leaderboard copy is repaired.
CREATE INDEX ratings_changed ON ratings (updated_at_ms, user_id);

-- One row per player per battle: the points of a rating graph.
CREATE TABLE rating_history (
    user_id         uuid             NOT NULL,
    battle_id       uuid             NOT NULL,
    opponent        uuid             NOT NULL,
    outcome         text             NOT NULL,
    rating_before   double precision NOT NULL,
    rating_after    double precision NOT NULL,
    delta           double precision NOT NULL,
    k               integer          NOT NULL,
    game            integer          NOT NULL,
    finished_at_ms  bigint           NOT NULL,
    applied_at_ms   bigint           NOT NULL,
    PRIMARY KEY (user_id, battle_id)
);
CREATE INDEX rating_history_by_game ON rating_history (user_id, game);

-- Battles applied: the idempotency key. A battle delivered again finds its row here.
CREATE TABLE rating_battles (
    battle_id       uuid    PRIMARY KEY,
    applied_at_ms   bigint  NOT NULL
);

-- `rating.updated` events not yet on the channel (written in the battle's transaction).
CREATE TABLE rating_outbox (
    battle_id        uuid    PRIMARY KEY,
    payload          text    NOT NULL,
    created_at_ms    bigint  NOT NULL,
    published_at_ms  bigint
);
CREATE INDEX rating_outbox_unpublished ON rating_outbox (created_at_ms) WHERE published_at_ms IS NULL;
