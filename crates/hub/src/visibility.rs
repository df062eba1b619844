//! What of the event log an agent may see. An agent with the all-contacts permission sees
//! every event; one without it sees the events of the contacts assigned to them or in an
//! interaction that was ever theirs (offered or assigned), and their own account's — every
//! other event reaches them as a placeholder ([`EventKind::Hidden`]) that keeps only its
//! place in the log, so a desktop's stream stays gap-free.

use std::collections::HashSet;

use parley_proto::{Agent, Event, EventKind, Id};

use crate::store::{Store, StoreError};

/// One agent's view of the log, learning as it goes: an interaction offered or assigned to
/// the agent opens its contact from that event on.
pub struct Viewer {
    agent: Agent,
    /// The contacts the agent may see (when not all of them).
    contacts: HashSet<Id>,
}

impl Viewer {
    /// The view of `agent` as the store has it now.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn new(store: &Store, agent: Agent) -> Result<Self, StoreError> {
        let contacts = if agent.permissions.all_contacts {
            HashSet::new()
        } else {
            store.assigned_contacts(agent.id).await?
        };
        Ok(Self { agent, contacts })
    }

    /// Whose view this is.
    #[must_use]
    pub fn agent_id(&self) -> Id {
        self.agent.id
    }

    /// The event as this agent gets it: itself, or a placeholder in its place.
    ///
    /// # Errors
    /// [`StoreError::Database`] when a change of the agent's own permissions needs the
    /// contacts read again.
    pub async fn show(&mut self, store: &Store, event: Event) -> Result<Event, StoreError> {
        let me = self.agent.id;
        match &event.kind {
            EventKind::Interaction { interaction } if interaction.agent_id == Some(me) => {
                self.contacts.insert(interaction.contact_id);
            }
            EventKind::Contact { contact } if contact.assigned_agent_id == Some(me) => {
                self.contacts.insert(contact.id);
            }
            EventKind::Agent { agent } if agent.id == me => {
                let narrowed =
                    self.agent.permissions.all_contacts && !agent.permissions.all_contacts;
                self.agent = agent.clone();
                if narrowed {
                    self.contacts = store.assigned_contacts(me).await?;
                }
            }
            _ => {}
        }
        if self.agent.permissions.all_contacts {
            return Ok(event);
        }
        let visible = match &event.kind {
            EventKind::Contact { contact } => self.contacts.contains(&contact.id),
            EventKind::Interaction { interaction } => {
                self.contacts.contains(&interaction.contact_id)
            }
            EventKind::Message { message } => self.contacts.contains(&message.contact_id),
            EventKind::Agent { agent } => agent.id == me,
            EventKind::Hidden => true,
        };
        Ok(if visible {
            event
        } else {
            Event {
                seq: event.seq,
                at: event.at,
                kind: EventKind::Hidden,
            }
        })
    }
}
