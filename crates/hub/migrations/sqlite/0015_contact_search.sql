-- Contact search by index: every three-character piece of a contact's name and number,
-- so "what the agent typed" anywhere in either is found without reading every contact.
-- (External content: the index holds no copy; triggers keep it in step.)
CREATE VIRTUAL TABLE contacts_trigram USING fts5 (
    name,
    phone,
    content = 'contacts',
    content_rowid = 'id',
    tokenize = 'trigram case_sensitive 0'
);

INSERT INTO contacts_trigram (rowid, name, phone) SELECT id, name, phone FROM contacts;

CREATE TRIGGER contacts_trigram_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_trigram (rowid, name, phone) VALUES (new.id, new.name, new.phone);
END;

CREATE TRIGGER contacts_trigram_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_trigram (contacts_trigram, rowid, name, phone)
    VALUES ('delete', old.id, old.name, old.phone);
END;

CREATE TRIGGER contacts_trigram_update AFTER UPDATE OF name, phone ON contacts BEGIN
    INSERT INTO contacts_trigram (contacts_trigram, rowid, name, phone)
    VALUES ('delete', old.id, old.name, old.phone);
    INSERT INTO contacts_trigram (rowid, name, phone) VALUES (new.id, new.name, new.phone);
END;
