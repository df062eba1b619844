-- Pictures of MMS, opt-outs, reachability and the save-media permission (mirrors the hub).

-- Keyed by the hub's ids: a picture belongs to a message the hub has.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    message_hub_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL,
    issue TEXT,
    content_type TEXT NOT NULL,
    size INTEGER,
    width INTEGER,
    height INTEGER,
    digest TEXT
) STRICT;
CREATE INDEX media_by_message ON media (message_hub_id, position);

ALTER TABLE agents ADD COLUMN can_save_media INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN reachability TEXT;
