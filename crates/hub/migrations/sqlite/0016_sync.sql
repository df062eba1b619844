-- Scoped sync. A desktop keeps the contacts its agent handles, and those the agent opened:
-- `follows` records the opened ones, so the agent's scoped stream carries their changes.
CREATE TABLE follows (
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    followed_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, contact_id)
) STRICT;

-- The event log is pruned past its retention: a cursor at or below `pruned_through` can no
-- longer be replayed (the desktop takes a snapshot instead).
CREATE TABLE event_retention (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    pruned_through INTEGER NOT NULL
) STRICT;
INSERT INTO event_retention (only_row, pruned_through) VALUES (1, 0);

