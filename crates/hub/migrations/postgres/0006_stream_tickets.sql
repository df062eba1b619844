-- Single-use tickets for opening the event stream, so a session's token never travels in a
-- WebSocket URL (where proxies log it). A ticket lives seconds and is deleted when used.
CREATE TABLE stream_tickets (
    ticket_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);

CREATE INDEX stream_tickets_by_expiry ON stream_tickets (expires_at);
