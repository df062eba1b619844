-- Pages at a contact center's volumes: the contact list by last activity (everyone's, and
-- an agent's assigned contacts), a contact's unread texts counted from an index, and a
-- contact's interactions newest first.
CREATE INDEX contacts_by_activity ON contacts (last_activity_at, id);
CREATE INDEX contacts_by_assignee ON contacts (assigned_agent_id, last_activity_at, id);
CREATE INDEX messages_inbound_by_contact ON messages (contact_id, id) WHERE direction = 'inbound';
CREATE INDEX interactions_of_contact ON interactions (contact_id, id);
