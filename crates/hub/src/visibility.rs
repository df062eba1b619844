//! What of the event log an agent gets.
//!
//! The full view (the browser's stream, `GET /api/events`): an agent with the all-contacts
//! permission sees every event; one without it sees the events of the contacts assigned to
//! them or in an interaction that was ever theirs (offered or assigned), and their own
//! account's — every other event reaches them as a placeholder ([`EventKind::Hidden`]) that
//! keeps only its place in the log, so the stream stays gap-free.
//!
//! The scoped view (a desktop's, `?scope=agent`): whatever the agent's permissions, only
//! the events of their own contacts — assigned, in an interaction that was ever theirs,
//! or opened by them ([`EventKind::Followed`]) — and of their own account; the others are
//! left out, and the stream says where it got to with one placeholder at the end of a run
//! of them.

use std::collections::HashSet;

use parley_proto::{Agent, Event, EventKind, Id};

use crate::store::{Store, StoreError};

/// Which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What the agent may see, with placeholders.
    Full,
    /// The agent's own contacts only, without placeholders.
    Agent,
}

/// One agent's view of the log, learning as it goes: an interaction offered or assigned to
/// the agent, or a contact they follow, opens its contact from that event on.
pub struct Viewer {
    agent: Agent,
    scope: Scope,
    /// The contacts the agent sees (when not all of them).
    contacts: HashSet<Id>,
}

impl Viewer {
    /// The view `scope` of `agent` as the store has it now.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn with_scope(store: &Store, agent: Agent, scope: Scope) -> Result<Self, StoreError> {
        let contacts = match scope {
            Scope::Full if agent.permissions.all_contacts => HashSet::new(),
            Scope::Full => store.assigned_contacts(agent.id).await?,
            Scope::Agent => store.scope_contacts(agent.id).await?,
        };
        Ok(Self {
            agent,
            scope,
            contacts,
        })
    }

    /// Whose view this is.
    #[must_use]
    pub fn agent_id(&self) -> Id {
        self.agent.id
    }

    /// Whether every event is shown as it is.
    fn sees_all(&self) -> bool {
        self.scope == Scope::Full && self.agent.permissions.all_contacts
    }

    /// The event as this agent gets it: itself, a placeholder in its place (full view),
    /// or nothing (scoped view).
    ///
    /// # Errors
    /// [`StoreError::Database`] when a change of the agent's own permissions needs the
    /// contacts read again.
    pub async fn show(&mut self, store: &Store, event: Event) -> Result<Option<Event>, StoreError> {
        let me = self.agent.id;
        match &event.kind {
            EventKind::Interaction { interaction } if interaction.agent_id == Some(me) => {
                self.contacts.insert(interaction.contact_id);
            }
            EventKind::Contact { contact } if contact.assigned_agent_id == Some(me) => {
                self.contacts.insert(contact.id);
            }
            EventKind::Followed {
                agent_id,
                contact_id,
            } if *agent_id == me && self.scope == Scope::Agent => {
                self.contacts.insert(*contact_id);
            }
            EventKind::Agent { agent } if agent.id == me => {
                let narrowed =
                    self.agent.permissions.all_contacts && !agent.permissions.all_contacts;
                self.agent = agent.clone();
                if narrowed && self.scope == Scope::Full {
                    self.contacts = store.assigned_contacts(me).await?;
                }
            }
            _ => {}
        }
        let visible = match &event.kind {
            // Only the agent who opened a contact hears of it.
            EventKind::Followed { agent_id, .. } => *agent_id == me,
            _ if self.sees_all() => true,
            EventKind::Contact { contact } => self.contacts.contains(&contact.id),
            EventKind::Interaction { interaction } => {
                self.contacts.contains(&interaction.contact_id)
            }
            EventKind::Message { message } => self.contacts.contains(&message.contact_id),
            EventKind::Agent { agent } => agent.id == me,
            EventKind::Hidden => true,
        };
        Ok(match (visible, self.scope) {
            (true, _) => Some(event),
            (false, Scope::Full) => Some(placeholder(&event)),
            (false, Scope::Agent) => None,
        })
    }
}

/// An event's place in the log, without what happened.
#[must_use]
pub fn placeholder(event: &Event) -> Event {
    Event {
        seq: event.seq,
        at: event.at,
        kind: EventKind::Hidden,
    }
}
