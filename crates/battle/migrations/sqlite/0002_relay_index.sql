-- The relay reads unpublished events in sequence order per battle: index what it reads.
DROP INDEX battle_events_unpublished;
CREATE INDEX battle_events_unpublished ON battle_events (battle_id, seq) WHERE published_at_ms IS NULL;
