-- Who wrote an outbound message, by name, as the hub tells it.
ALTER TABLE messages ADD COLUMN agent_name TEXT;
