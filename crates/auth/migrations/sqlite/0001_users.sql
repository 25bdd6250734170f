-- Users and their refresh tokens (see the PostgreSQL migration for the model).
-- Ids are 16-byte UUID blobs; times are Unix seconds.
CREATE TABLE users (
    id            BLOB    PRIMARY KEY NOT NULL,
    username      TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_username_key ON users (username COLLATE NOCASE);
CREATE UNIQUE INDEX users_email_key ON users (email COLLATE NOCASE);

CREATE TABLE refresh_tokens (
    id          BLOB    PRIMARY KEY NOT NULL,
    family_id   BLOB    NOT NULL,
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    replaced_at INTEGER,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
