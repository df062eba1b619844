-- How many times a message was handed to the provider without a clear "not taken" answer.
-- The sender sends a message at most twice, ever: once, and once more only after the
-- provider said it does not have the first.
ALTER TABLE messages ADD COLUMN send_attempts INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET send_attempts = 1 WHERE send_started_at IS NOT NULL;
