-- The interaction lifecycle after the chat: who ended it, wrap-up (disposition, note),
-- Done; and why an agent is Not Ready.

ALTER TABLE agents ADD COLUMN status_reason TEXT;

ALTER TABLE interactions ADD COLUMN ended_by TEXT CHECK (ended_by IN ('agent', 'contact'));
ALTER TABLE interactions ADD COLUMN disposition TEXT;
ALTER TABLE interactions ADD COLUMN note TEXT;

CREATE INDEX messages_by_interaction ON messages (interaction_id, created_at);
