-- The interaction lifecycle after the chat, and Not Ready reasons (mirrors the hub).
ALTER TABLE agents ADD COLUMN status_reason TEXT;
ALTER TABLE interactions ADD COLUMN ended_by TEXT;
ALTER TABLE interactions ADD COLUMN done_at INTEGER;
ALTER TABLE interactions ADD COLUMN disposition TEXT;
ALTER TABLE interactions ADD COLUMN note TEXT;
