-- When the agent last opened a contact on this desktop: a contact opened within the window
-- keeps its whole held history however old; others keep only the window's.
ALTER TABLE fetched_contacts ADD COLUMN opened_at INTEGER;
