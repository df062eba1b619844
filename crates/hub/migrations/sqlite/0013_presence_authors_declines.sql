-- When an agent's live link (an event stream) last showed them present: NULL until a
-- stream opens after signing in. An agent away longer than the grace period is handed off.
ALTER TABLE agents ADD COLUMN seen_at INTEGER;

-- Who wrote an outbound message, by the name they had then: every view shows its author.
ALTER TABLE messages ADD COLUMN agent_name TEXT;
UPDATE messages SET agent_name = (SELECT name FROM agents WHERE agents.id = messages.agent_id)
 WHERE agent_id IS NOT NULL;

-- The agent who last declined an interaction's offer: routing offers it to someone else.
ALTER TABLE interactions ADD COLUMN declined_by INTEGER REFERENCES agents (id);
