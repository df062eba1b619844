-- Whether the signed-in agent's account is disabled.
ALTER TABLE agents ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
