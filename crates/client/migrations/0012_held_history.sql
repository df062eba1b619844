-- How much of a contact's history this replica holds: every message from the hub message
-- `oldest_message_id` on (older ones are fetched from the hub when the agent scrolls up), or
-- all of it when NULL. A contact without a row here has not been fetched yet.
ALTER TABLE fetched_contacts ADD COLUMN oldest_message_id INTEGER;
