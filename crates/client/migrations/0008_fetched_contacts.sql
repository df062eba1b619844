-- Contacts whose whole history this replica fetched from the hub: an agent who sees only
-- their own contacts gets a contact's events only from when it became theirs, so the
-- earlier conversation is fetched once.
CREATE TABLE fetched_contacts (
    contact_id INTEGER PRIMARY KEY
);
