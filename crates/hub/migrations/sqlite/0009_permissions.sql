-- What each agent may do besides handling their own interactions (can_save_media is the
-- first), and each role's defaults, which an admin can change.
ALTER TABLE agents ADD COLUMN all_contacts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN edit_contacts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN text_outside_interaction INTEGER NOT NULL DEFAULT 1;

CREATE TABLE role_permissions (
    role TEXT PRIMARY KEY CHECK (role IN ('agent', 'supervisor', 'admin')),
    save_media INTEGER NOT NULL,
    all_contacts INTEGER NOT NULL,
    edit_contacts INTEGER NOT NULL,
    text_outside_interaction INTEGER NOT NULL
) STRICT;
INSERT INTO role_permissions VALUES
    ('agent', 0, 1, 1, 1),
    ('supervisor', 1, 1, 1, 1),
    ('admin', 1, 1, 1, 1);
