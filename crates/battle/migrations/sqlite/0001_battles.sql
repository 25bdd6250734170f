-- The battle service's tables (see the PostgreSQL migration for the model). Ids are
-- 16-byte UUID blobs.
-- Times are Unix milliseconds (the tie-break compares them).
-- `version` is the optimistic lock: every change of a battle is one transaction that
-- updates its row only if the version it read is still current.
CREATE TABLE battles (
    id             BLOB    PRIMARY KEY NOT NULL,
    mode           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    problem        TEXT    NOT NULL,
    problem_hash   TEXT    NOT NULL,
    invite_code    TEXT    UNIQUE,
    created_by     BLOB    NOT NULL,
    created_at_ms  INTEGER  NOT NULL,
    duration_secs  INTEGER  NOT NULL,
    -- When the battle's clock next has something to do (expire, start, end); NULL when over.
    due_at_ms      INTEGER,
    starts_at_ms   INTEGER,
    deadline_ms    INTEGER,
    finished_at_ms INTEGER,
    winner         BLOB,
    reason         TEXT,
    version        INTEGER  NOT NULL,
    last_seq       INTEGER  NOT NULL
) STRICT;
CREATE INDEX battles_due ON battles (due_at_ms) WHERE due_at_ms IS NOT NULL;
CREATE INDEX battles_state ON battles (state, created_at_ms);

CREATE TABLE battle_participants (
    battle_id    BLOB    NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    user_id      BLOB    NOT NULL,
    seat         INTEGER NOT NULL,
    username     TEXT    NOT NULL,
    rating       INTEGER NOT NULL,
    joined_at_ms INTEGER  NOT NULL,
    ready        INTEGER NOT NULL,
    submissions  INTEGER NOT NULL,
    best_score   INTEGER NOT NULL,
    best_at_ms   INTEGER,
    last_verdict TEXT,
    judging      BLOB,
    PRIMARY KEY (battle_id, user_id)
) STRICT;
CREATE INDEX battle_participants_user ON battle_participants (user_id);

CREATE TABLE submissions (
    id              BLOB    PRIMARY KEY NOT NULL,
    battle_id       BLOB    NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    user_id         BLOB    NOT NULL,
    language        TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    submitted_at_ms INTEGER  NOT NULL,
    -- The judge job of the current attempt; results are matched by it.
    job_id          BLOB    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL,
    -- While judging: when to send the job again (or give up); NULL once judged.
    resend_at_ms    INTEGER,
    verdict         TEXT,
    score           INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    report          TEXT,
    judged_at_ms    INTEGER
) STRICT;
CREATE INDEX submissions_battle ON submissions (battle_id, submitted_at_ms);
CREATE INDEX submissions_resend ON submissions (resend_at_ms) WHERE resend_at_ms IS NOT NULL;

-- The event log, and the outbox of the event channel: written in the transaction of the
-- change, published by the relay, which then sets published_at_ms.
CREATE TABLE battle_events (
    battle_id       BLOB   NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT   NOT NULL,
    payload         TEXT   NOT NULL,
    at_ms           INTEGER NOT NULL,
    published_at_ms INTEGER,
    PRIMARY KEY (battle_id, seq)
) STRICT;
CREATE INDEX battle_events_unpublished ON battle_events (at_ms) WHERE published_at_ms IS NULL;

-- The outbox of the results stream: one row per finished rated battle.
CREATE TABLE battle_results_outbox (
    battle_id       BLOB   PRIMARY KEY NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    payload         TEXT   NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    published_at_ms INTEGER
) STRICT;
CREATE INDEX battle_results_unpublished ON battle_results_outbox (created_at_ms) WHERE published_at_ms IS NULL;

-- One row per player in a battle that is not over: the primary key is the rule that a
-- player is never in two battles at once.
CREATE TABLE active_players (
    user_id   BLOB PRIMARY KEY NOT NULL,
    battle_id BLOB NOT NULL REFERENCES battles (id) ON DELETE CASCADE
) STRICT;

-- Players waiting to be matched.
CREATE TABLE match_queue (
    user_id        BLOB    PRIMARY KEY NOT NULL,
    username       TEXT    NOT NULL,
    mode           TEXT    NOT NULL,
    language       TEXT,
    rating         INTEGER NOT NULL,
    enqueued_at_ms INTEGER  NOT NULL
) STRICT;
