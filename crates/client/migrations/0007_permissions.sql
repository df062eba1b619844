-- The signed-in agent's permissions besides saving pictures.
ALTER TABLE agents ADD COLUMN all_contacts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN edit_contacts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN text_outside_interaction INTEGER NOT NULL DEFAULT 1;
