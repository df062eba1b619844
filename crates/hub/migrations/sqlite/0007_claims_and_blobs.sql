-- Work a hub has taken (sending a message, fetching a picture) until its lease runs out.
-- One hub process runs on SQLite, but the sender and the media fetcher claim their work on
-- every engine, so the use cases are the same.
CREATE TABLE claims (
    work TEXT NOT NULL CHECK (work IN ('send', 'media')),
    id INTEGER NOT NULL,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (work, id)
) STRICT;
CREATE INDEX claims_by_holder ON claims (holder);

-- Pictures kept in the database (`media.store = "database"`), by SHA-256: the original and
-- its thumbnail. The default on SQLite is the media folder.
CREATE TABLE blobs (
    digest TEXT NOT NULL,
    thumbnail INTEGER NOT NULL CHECK (thumbnail IN (0, 1)),
    bytes BLOB NOT NULL,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (digest, thumbnail)
) STRICT;


-- The sender looks up what was sent to a number (after a lost answer), and the simulated
-- carrier counts what went to one.
CREATE INDEX messages_by_recipient ON messages (to_number);
CREATE INDEX sim_outbox_by_recipient ON sim_outbox (to_number);
