-- Every agent an interaction was ever offered or assigned to: what an agent without the
-- all-contacts permission may see (those contacts, and their interactions) grows from it,
-- and a desktop hears of an interaction that moved on from its agent.
CREATE TABLE interaction_agents (
    interaction_id BIGINT NOT NULL REFERENCES interactions (id),
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    PRIMARY KEY (interaction_id, agent_id)
);
CREATE INDEX interaction_agents_by_agent ON interaction_agents (agent_id);
INSERT INTO interaction_agents (interaction_id, agent_id)
    SELECT id, agent_id FROM interactions WHERE agent_id IS NOT NULL
    ON CONFLICT DO NOTHING;
CREATE FUNCTION note_interaction_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.agent_id IS NOT NULL THEN
        INSERT INTO interaction_agents (interaction_id, agent_id) VALUES (NEW.id, NEW.agent_id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER interaction_agents_noted AFTER INSERT OR UPDATE OF agent_id ON interactions
    FOR EACH ROW EXECUTE FUNCTION note_interaction_agent();
