-- The battle service's tables. Times are Unix milliseconds (the tie-break compares them).
-- `version` is the optimistic lock: every change of a battle is one transaction that
-- updates its row only if the version it read is still current.
CREATE TABLE battles (
    id             uuid    PRIMARY KEY,
    mode           text    NOT NULL,
    state          text    NOT NULL,
    problem        text    NOT NULL,
    problem_hash   text    NOT NULL,
    invite_code    text    UNIQUE,
    created_by     uuid    NOT NULL,
    created_at_ms  bigint  NOT NULL,
    duration_secs  bigint  NOT NULL,
    -- When the battle's clock next has something to do (expire, start, end); NULL when over.
    due_at_ms      bigint,
    starts_at_ms   bigint,
    deadline_ms    bigint,
    finished_at_ms bigint,
    winner         uuid,
    reason         text,
    version        bigint  NOT NULL,
    last_seq       bigint  NOT NULL
);
CREATE INDEX battles_due ON battles (due_at_ms) WHERE due_at_ms IS NOT NULL;
CREATE INDEX battles_state ON battles (state, created_at_ms);

CREATE TABLE battle_participants (
    battle_id    uuid    NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    user_id      uuid    NOT NULL,
    seat         integer NOT NULL,
    username     text    NOT NULL,
    rating       integer NOT NULL,
    joined_at_ms bigint  NOT NULL,
    ready        boolean NOT NULL,
    submissions  integer NOT NULL,
    best_score   integer NOT NULL,
    best_at_ms   bigint,
    last_verdict text,
    judging      uuid,
    PRIMARY KEY (battle_id, user_id)
);
CREATE INDEX battle_participants_user ON battle_participants (user_id);

CREATE TABLE submissions (
    id              uuid    PRIMARY KEY,
    battle_id       uuid    NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    user_id         uuid    NOT NULL,
    language        text    NOT NULL,
    source          text    NOT NULL,
    submitted_at_ms bigint  NOT NULL,
    -- The judge job of the current attempt; results are matched by it.
    job_id          uuid    NOT NULL UNIQUE,
    attempts        integer NOT NULL,
    -- While judging: when to send the job again (or give up); NULL once judged.
    resend_at_ms    bigint,
    verdict         text,
    score           integer NOT NULL,
    total           integer NOT NULL,
    report          text,
    judged_at_ms    bigint
);
CREATE INDEX submissions_battle ON submissions (battle_id, submitted_at_ms);
CREATE INDEX submissions_resend ON submissions (resend_at_ms) WHERE resend_at_ms IS NOT NULL;

-- The event log, and the outbox of the event channel: written in the transaction of the
-- change, published by the relay, which then sets published_at_ms.
CREATE TABLE battle_events (
    battle_id       uuid   NOT NULL REFERENCES battles (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    kind            text   NOT NULL,
    payload         text   NOT NULL,
    at_ms           bigint NOT NULL,
    published_at_ms bigint,
    PRIMARY KEY (battle_id, seq)
);
CREATE INDEX battle_events_unpublished ON battle_events (at_ms) WHERE published_at_ms IS NULL;

-- The outbox of the results stream: one row per finished rated battle.
CREATE TABLE battle_results_outbox (
    battle_id       uuid   PRIMARY KEY REFERENCES battles (id) ON DELETE CASCADE,
    payload         text   NOT NULL,
    created_at_ms   bigint NOT NULL,
    published_at_ms bigint
);
CREATE INDEX battle_results_unpublished ON battle_results_outbox (created_at_ms) WHERE published_at_ms IS NULL;

-- One row per player in a battle that is not over: the primary key is the rule that a
-- player is never in two battles at once.
CREATE TABLE active_players (
    user_id   uuid PRIMARY KEY,
    battle_id uuid NOT NULL REFERENCES battles (id) ON DELETE CASCADE
);

-- Players waiting to be matched.
CREATE TABLE match_queue (
    user_id        uuid    PRIMARY KEY,
    username       text    NOT NULL,
    mode           text    NOT NULL,
    language       text,
    rating         integer NOT NULL,
    enqueued_at_ms bigint  NOT NULL
);
