-- Contact search by index: trigram indexes on name and number answer "ILIKE '%…%'"
-- without reading every contact. pg_trgm ships with PostgreSQL and is a trusted extension:
-- the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_name_trigrams ON contacts USING gin (name gin_trgm_ops);
CREATE INDEX contacts_phone_trigrams ON contacts USING gin (phone gin_trgm_ops);
