-- Contact search by index: trigram indexes on name and number answer "ILIKE '%…%'"
-- without reading every contact. pg_trgm ships with PostgreSQL and is a trusted extension:
-- the database's owner may create it.
--
-- A search reads the whole of a GIN index's list of entries not merged yet (up to 4 MB
-- by default, merged by vacuum): after a burst of texts that is a hundred milliseconds.
-- Kept short, a search costs the same at any moment.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_name_trigrams ON contacts USING gin (name gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);
CREATE INDEX contacts_phone_trigrams ON contacts USING gin (phone gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);
ALTER INDEX messages_words SET (gin_pending_list_limit = 256);
