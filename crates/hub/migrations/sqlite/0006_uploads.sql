-- Pictures agents attach to outbound messages. The file is stored like an inbound picture
-- (by digest); `token` is the unguessable part of the URL the provider fetches it from,
-- served only once the picture belongs to a message.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    digest TEXT NOT NULL,
    content_type TEXT NOT NULL,
    thumbnail_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    message_id INTEGER REFERENCES messages (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX uploads_by_message ON uploads (message_id);
