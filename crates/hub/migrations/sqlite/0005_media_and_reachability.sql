-- Pictures (MMS), opt-outs, reachability, retried sends and the save-media permission.

-- One row per media file of a message. The file itself lives on disk under the hub's
-- media folder, named by its SHA-256 (`digest`), with its thumbnail next to it.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),
    -- Where the provider keeps it (fetched with the provider's credentials).
    source_url TEXT NOT NULL,
    -- The provider's claim; `content_type` becomes what the file really is.
    declared_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'issue')),
    issue TEXT CHECK (issue IN ('unsupportedType', 'tooLarge', 'corrupt', 'fetchFailed')),
    size INTEGER,
    width INTEGER,
    height INTEGER,
    digest TEXT,
    thumbnail_type TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (message_id, position)
) STRICT;
CREATE INDEX media_pending ON media (next_attempt_at) WHERE state = 'pending';

ALTER TABLE agents ADD COLUMN can_save_media INTEGER NOT NULL DEFAULT 0;

ALTER TABLE contacts ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0;
-- 'landline' | 'unreachable' | 'unknownNumber', from a lookup or a carrier error.
ALTER TABLE contacts ADD COLUMN reachability TEXT;
-- When the provider's line type lookup last answered for this number.
ALTER TABLE contacts ADD COLUMN looked_up_at INTEGER;

-- Earlier provider messages of a message that was sent again (Retry). The message row
-- holds the newest attempt; callbacks about these older ones change nothing.
CREATE TABLE message_attempts (
    provider_sid TEXT PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    status TEXT NOT NULL,
    error_code INTEGER,
    replaced_at INTEGER NOT NULL
) STRICT;
