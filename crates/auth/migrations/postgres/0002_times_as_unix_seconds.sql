-- Times as Unix seconds, as in the SQLite schema, so that both stores run the same SQL.
ALTER TABLE users
    ALTER COLUMN created_at TYPE bigint USING extract(epoch FROM created_at)::bigint;
ALTER TABLE refresh_tokens
    ALTER COLUMN created_at  TYPE bigint USING extract(epoch FROM created_at)::bigint,
    ALTER COLUMN expires_at  TYPE bigint USING extract(epoch FROM expires_at)::bigint,
    ALTER COLUMN replaced_at TYPE bigint USING extract(epoch FROM replaced_at)::bigint,
    ALTER COLUMN revoked_at  TYPE bigint USING extract(epoch FROM revoked_at)::bigint;
