-- Every agent an interaction was ever offered or assigned to: what an agent without the
-- all-contacts permission may see (those contacts, and their interactions) grows from it,
-- and a desktop hears of an interaction that moved on from its agent.
CREATE TABLE interaction_agents (
    interaction_id INTEGER NOT NULL REFERENCES interactions (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (interaction_id, agent_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX interaction_agents_by_agent ON interaction_agents (agent_id);
INSERT OR IGNORE INTO interaction_agents (interaction_id, agent_id)
    SELECT id, agent_id FROM interactions WHERE agent_id IS NOT NULL;
CREATE TRIGGER interaction_agents_on_insert AFTER INSERT ON interactions
    WHEN NEW.agent_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO interaction_agents (interaction_id, agent_id) VALUES (NEW.id, NEW.agent_id);
END;
CREATE TRIGGER interaction_agents_on_update AFTER UPDATE OF agent_id ON interactions
    WHEN NEW.agent_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO interaction_agents (interaction_id, agent_id) VALUES (NEW.id, NEW.agent_id);
END;
