-- The message broker in the embedded SQLite file (`platform::messaging::SqliteBroker`):
-- RabbitMQ's exchanges, queues, bindings and persistent messages, so that what was
-- queued survives a restart.
CREATE TABLE broker_exchanges (
    name TEXT PRIMARY KEY,
    -- 'direct' or 'fanout'
    kind TEXT NOT NULL
) STRICT;

CREATE TABLE broker_queues (
    name                 TEXT    PRIMARY KEY,
    -- 0: first in, first out
    max_priority         INTEGER NOT NULL,
    dead_letter_exchange TEXT
) STRICT;

CREATE TABLE broker_bindings (
    exchange    TEXT NOT NULL REFERENCES broker_exchanges (name),
    queue       TEXT NOT NULL REFERENCES broker_queues (name),
    routing_key TEXT NOT NULL,
    PRIMARY KEY (exchange, queue, routing_key)
) STRICT;

-- A message in a queue. Ids are one AUTOINCREMENT counter (never reused), so a queue
-- hands out by priority, then in order of arrival; a message put back keeps its id and
-- so its place. `taken_by` is the broker instance that handed it to a consumer and has
-- not seen it settled (NULL: waiting); a new instance puts back what an old one held.
CREATE TABLE broker_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    queue       TEXT    NOT NULL REFERENCES broker_queues (name),
    priority    INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    redelivered INTEGER NOT NULL DEFAULT 0,
    taken_by    TEXT
) STRICT;
CREATE INDEX broker_messages_next ON broker_messages (queue, priority DESC, id)
    WHERE taken_by IS NULL;
