-- Execution's job records in the embedded SQLite file (`execution::store::SqliteJobStore`),
-- as `RedisJobStore` keeps them in cluster mode. Times are Unix milliseconds.
CREATE TABLE execution_jobs (
    id              TEXT    PRIMARY KEY,
    -- '' for a job known only by its deliveries
    owner           TEXT    NOT NULL,
    -- the record as admitted (JSON); NULL for a job that was not admitted here
    record          TEXT,
    running         INTEGER NOT NULL DEFAULT 0,
    -- the first result stored (JSON)
    result          TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    submitted_at_ms INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL
) STRICT;
-- An owner's admitted, unfinished jobs (the in-flight cap).
CREATE INDEX execution_jobs_in_flight ON execution_jobs (owner, submitted_at_ms)
    WHERE record IS NOT NULL AND result IS NULL;
CREATE INDEX execution_jobs_expiry ON execution_jobs (expires_at_ms);
