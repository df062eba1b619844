-- The desktop's local replica of what the agent sees, plus the outbox and the sync cursor.
-- Contact, interaction and agent ids are the hub's; a message has a local id, and the hub's
-- id once the hub has it.

CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    auto_answer INTEGER NOT NULL,
    max_chats INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    name TEXT,
    assigned_agent_id INTEGER,
    last_activity_at INTEGER NOT NULL
) STRICT;

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    agent_id INTEGER,
    created_at INTEGER NOT NULL,
    offered_at INTEGER,
    accepted_at INTEGER,
    ended_at INTEGER
) STRICT;
CREATE INDEX interactions_by_agent ON interactions (agent_id, state);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    hub_id INTEGER UNIQUE,
    client_key TEXT UNIQUE,
    contact_id INTEGER NOT NULL,
    interaction_id INTEGER,
    direction TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code INTEGER,
    agent_id INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_by_contact ON messages (contact_id, created_at, id);

-- The newest hub message id of a contact the agent has read.
CREATE TABLE read_markers (
    contact_id INTEGER PRIMARY KEY,
    last_read_hub_id INTEGER NOT NULL
) STRICT;

-- Messages typed here, in order, until the hub has them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    client_key TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL,
    interaction_id INTEGER,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';

CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
