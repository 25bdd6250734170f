-- Durable streams in the embedded SQLite file (`platform::streams::SqliteStream`).
-- Entry ids are one counter for every stream; AUTOINCREMENT never reuses one, and
-- appends are serialised by SQLite's write lock, so ids increase in append order.
CREATE TABLE stream_entries (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    stream  TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    payload BLOB    NOT NULL,
    -- `append_once`: a key is appended once per stream.
    UNIQUE (stream, key)
) STRICT;
CREATE INDEX stream_entries_order ON stream_entries (stream, id);

-- A consumer group: every entry after `last_delivered_id` is new to it (0: from the start).
CREATE TABLE stream_groups (
    stream            TEXT    NOT NULL,
    grp               TEXT    NOT NULL,
    last_delivered_id INTEGER NOT NULL,
    PRIMARY KEY (stream, grp)
) STRICT;

-- Entries handed to a consumer of a group and not acknowledged yet. Times are Unix
-- milliseconds (wall clock, so that idleness counts across a restart).
CREATE TABLE stream_pending (
    stream          TEXT    NOT NULL,
    grp             TEXT    NOT NULL,
    id              INTEGER NOT NULL REFERENCES stream_entries (id) ON DELETE CASCADE,
    consumer        TEXT    NOT NULL,
    deliveries      INTEGER NOT NULL,
    delivered_at_ms INTEGER NOT NULL,
    PRIMARY KEY (stream, grp, id)
) STRICT;
CREATE INDEX stream_pending_consumer ON stream_pending (stream, grp, consumer, id);
CREATE INDEX stream_pending_entry ON stream_pending (id);
