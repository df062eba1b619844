-- Pictures already uploaded to the hub that go with an outbox message (JSON array of ids).
ALTER TABLE outbox ADD COLUMN upload_ids TEXT NOT NULL DEFAULT '[]';
