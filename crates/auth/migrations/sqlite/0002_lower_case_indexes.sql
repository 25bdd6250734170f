-- Case-insensitive uniqueness and lookups through lower(), as on PostgreSQL, so that both
-- stores run the same SQL (and lookups by lower(...) use these indexes).
DROP INDEX users_username_key;
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
