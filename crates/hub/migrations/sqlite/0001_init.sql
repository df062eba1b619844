-- The hub's authoritative store. Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'supervisor', 'admin')),
    status TEXT NOT NULL DEFAULT 'notReady' CHECK (status IN ('ready', 'notReady')),
    auto_answer INTEGER NOT NULL DEFAULT 0,
    max_chats INTEGER NOT NULL DEFAULT 3 CHECK (max_chats > 0),
    last_offered_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    name TEXT,
    assigned_agent_id INTEGER REFERENCES agents (id),
    last_activity_at INTEGER NOT NULL
) STRICT;

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    state TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'active', 'ended', 'done')),
    agent_id INTEGER REFERENCES agents (id),
    created_at INTEGER NOT NULL,
    offered_at INTEGER,
    accepted_at INTEGER,
    ended_at INTEGER,
    done_at INTEGER
) STRICT;
CREATE INDEX interactions_by_state ON interactions (state, created_at);
CREATE INDEX interactions_by_contact ON interactions (contact_id, state);
CREATE INDEX interactions_by_agent ON interactions (agent_id, state);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    interaction_id INTEGER REFERENCES interactions (id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code INTEGER,
    agent_id INTEGER REFERENCES agents (id),
    -- The sending client's idempotency key: one key, one message.
    client_key TEXT UNIQUE,
    -- The provider's message id: one provider message, one row (inbound dedupe).
    provider_sid TEXT UNIQUE,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    -- Set before the first call to the provider, so a restart knows a send may have happened.
    send_started_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_by_contact ON messages (contact_id, id);
CREATE INDEX messages_unsent ON messages (status) WHERE status = 'queued' AND provider_sid IS NULL;

CREATE TABLE read_markers (
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    last_read_message_id INTEGER NOT NULL,
    PRIMARY KEY (agent_id, contact_id)
) STRICT;

-- The ordered event log clients sync from. A payload is the wire `EventKind` as JSON:
-- an event is replayed exactly as it was first sent.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
) STRICT;

-- What the simulated carrier was asked to send.
CREATE TABLE sim_outbox (
    sid TEXT PRIMARY KEY,
    to_number TEXT NOT NULL,
    from_number TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
