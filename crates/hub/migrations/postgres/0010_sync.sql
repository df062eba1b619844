-- Scoped sync. A desktop keeps the contacts its agent handles, and those the agent opened:
-- `follows` records the opened ones, so the agent's scoped stream carries their changes.
CREATE TABLE follows (
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    followed_at BIGINT NOT NULL,
    PRIMARY KEY (agent_id, contact_id)
);

-- The event log is pruned past its retention: a cursor at or below `pruned_through` can no
-- longer be replayed (the desktop takes a snapshot instead).
CREATE TABLE event_retention (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    pruned_through BIGINT NOT NULL
);
INSERT INTO event_retention (only_row, pruned_through) VALUES (TRUE, 0);
