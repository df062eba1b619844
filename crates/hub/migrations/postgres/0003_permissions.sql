-- What each agent may do besides handling their own interactions (can_save_media is the
-- first), and each role's defaults, which an admin can change.
ALTER TABLE agents ADD COLUMN all_contacts BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN edit_contacts BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN text_outside_interaction BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE role_permissions (
    role TEXT PRIMARY KEY CHECK (role IN ('agent', 'supervisor', 'admin')),
    save_media BOOLEAN NOT NULL,
    all_contacts BOOLEAN NOT NULL,
    edit_contacts BOOLEAN NOT NULL,
    text_outside_interaction BOOLEAN NOT NULL
);
INSERT INTO role_permissions VALUES
    ('agent', FALSE, TRUE, TRUE, TRUE),
    ('supervisor', TRUE, TRUE, TRUE, TRUE),
    ('admin', TRUE, TRUE, TRUE, TRUE);
