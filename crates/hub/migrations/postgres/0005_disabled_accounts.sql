-- An admin can disable an account: it cannot sign in, and its sessions end.
ALTER TABLE agents ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
