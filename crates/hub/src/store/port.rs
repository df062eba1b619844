//! The port: small per-table queries that the use cases (the rest of `store`) are written
//! over once, and that each engine implements in its own folder (`sqlite/`, `postgres/`).
//!
//! A [`Tx`] is one connection, inside a write transaction when the use case writes. Its
//! queries take and return domain types; a stored value that does not read back is
//! [`StoreError::Corrupt`](super::StoreError::Corrupt). The `lock_*` reads lock the row for
//! the rest of the transaction where the engine has row locks (PostgreSQL); SQLite's write
//! transaction already holds the whole database.

use async_trait::async_trait;
use parley_proto::{
    Agent, AgentStatus, AgentSummary, Contact, ContactInteraction, ContactSummary, Event,
    EventKind, Id, Interaction, MediaIssue, Message, MessageStatus, Millis, Permissions,
    Reachability, Role, SimOutboundMessage,
};

use super::Result;
use super::types::{
    AgentSettings, ContactDetails, ContactPage, MediaJob, MessagePage, NewMedia, NewMessage,
    NewUpload, PendingSend, Queued, ReadMarker, ReadyMedia, Session, StoredMedia, StoredMessage,
    UploadedPicture,
};
use crate::rules::routing::Candidate;

/// An engine: where connections come from.
#[async_trait]
pub(crate) trait Engine: Send + Sync {
    /// `sqlite` or `postgres`, for logs.
    fn name(&self) -> &'static str;
    /// A write transaction.
    async fn begin(&self) -> Result<Box<dyn Tx>>;
    /// A connection for reads outside any transaction.
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// A read-only transaction whose reads all see one moment of the database (a
    /// snapshot, with the event log's head of that moment).
    async fn snapshot(&self) -> Result<Box<dyn Tx>>;
    /// Wakes when another process commits events (`None`: this engine has one process).
    async fn listen(&self) -> Result<Option<Box<dyn Listener>>>;
    /// Closes every connection.
    async fn close(&self);
    /// Refreshes the query planner's statistics (after a bulk import).
    async fn analyze(&self) -> Result<()>;
    /// How many of this build's migrations the database has not applied (another hub of an
    /// older build migrated it, or a migration failed).
    async fn pending_migrations(&self) -> Result<usize>;
    /// The figures `/metrics` reads at each scrape.
    async fn service_figures(&self) -> Result<super::ServiceFigures>;
}

/// Notifications of events committed by other hubs.
#[async_trait]
pub(crate) trait Listener: Send {
    /// Resolves at the next notification; an error means the link broke (listen again).
    async fn next(&mut self) -> Result<()>;
}

/// One connection with every table's queries.
#[async_trait]
pub(crate) trait Tx:
    Agents
    + Contacts
    + Interactions
    + Messages
    + Pictures
    + Events
    + Scope
    + Claims
    + Carrier
    + super::transfer::Transfer
    + Send
{
    /// Commits a write transaction (a no-op outside one).
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// Agents, their status and their sessions.
#[async_trait]
pub(crate) trait Agents {
    /// A new agent, or `None` when the login is taken.
    async fn insert_agent(
        &mut self,
        login: &str,
        name: &str,
        password_hash: &str,
        settings: AgentSettings,
        permissions: Permissions,
        now: Millis,
    ) -> Result<Option<Agent>>;
    /// Every agent, by login.
    async fn all_agents(&mut self) -> Result<Vec<Agent>>;
    /// What a role's new agents may do.
    async fn role_permissions(&mut self, role: Role) -> Result<Permissions>;
    /// Sets what a role may do, for its new agents and every agent it has; returns those.
    async fn save_role_permissions(
        &mut self,
        role: Role,
        permissions: Permissions,
    ) -> Result<Vec<Agent>>;
    /// Saves an account's name, role, permissions and routing settings.
    async fn save_account(&mut self, agent: &Agent) -> Result<Option<Agent>>;
    async fn agent(&mut self, id: Id) -> Result<Option<Agent>>;
    /// An agent and the stored password hash.
    async fn credentials(&mut self, login: &str) -> Result<Option<(Agent, String)>>;
    async fn save_status(
        &mut self,
        id: Id,
        status: AgentStatus,
        reason: Option<&str>,
    ) -> Result<Option<Agent>>;
    /// Ready agents with their load (offered and active interactions) and whether they
    /// answer automatically.
    async fn ready_agents(&mut self) -> Result<Vec<(Candidate, bool)>>;
    /// Records that an agent was just offered an interaction (fairness).
    async fn note_offer(&mut self, agent_id: Id, now: Millis) -> Result<()>;
    /// Figures for the interactions an agent marked Done since `since`.
    async fn agent_summary(&mut self, agent_id: Id, since: Millis) -> Result<AgentSummary>;
    async fn insert_session(
        &mut self,
        token_hash: &str,
        agent_id: Id,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()>;
    /// A session that has not expired at `now`, of an account that is not disabled.
    async fn session(&mut self, token_hash: &str, now: Millis) -> Result<Option<Session>>;
    async fn extend_session(&mut self, token_hash: &str, expires_at: Millis) -> Result<()>;
    /// Ends every session of an agent; how many there were.
    async fn delete_sessions(&mut self, agent_id: Id) -> Result<u64>;
    async fn save_disabled(&mut self, agent_id: Id, disabled: bool) -> Result<Option<Agent>>;
    /// `false` when there is no such agent.
    async fn save_password(&mut self, agent_id: Id, password_hash: &str) -> Result<bool>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    /// How many sessions of an agent are live at `now`.
    async fn live_sessions(&mut self, agent_id: Id, now: Millis) -> Result<i64>;
    /// Records when an agent's live link last showed them present (`None`: no link).
    async fn save_seen(&mut self, agent_id: Id, seen_at: Option<Millis>) -> Result<()>;
    /// Agents who are Ready or hold offered or active interactions but are gone: no live
    /// session at `now` (`true`), or a link last seen before `seen_before` (`false`).
    async fn away_agents(&mut self, now: Millis, seen_before: Millis) -> Result<Vec<(Id, bool)>>;
    /// Stores a stream ticket for a live session (dropping expired tickets); `false` when
    /// the session is gone.
    async fn insert_ticket(
        &mut self,
        ticket_hash: &str,
        session_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<bool>;
    /// Deletes a ticket and answers its session's hash, unless it had expired at `now`.
    async fn take_ticket(&mut self, ticket_hash: &str, now: Millis) -> Result<Option<String>>;
}

/// Contacts and each agent's read markers.
#[async_trait]
pub(crate) trait Contacts {
    async fn contact(&mut self, id: Id) -> Result<Option<Contact>>;
    async fn lock_contact(&mut self, id: Id) -> Result<Option<Contact>>;
    async fn contact_by_phone(&mut self, phone: &str) -> Result<Option<Contact>>;
    /// The contact with this number (created when new), its activity moved to `at` and
    /// its name set when it had none; locked.
    async fn touch_contact(
        &mut self,
        phone: &str,
        name: Option<&str>,
        at: Millis,
    ) -> Result<Contact>;
    /// [`Contacts::touch_contact`] for each of these numbers (distinct, in the order their
    /// rows are to be locked), with no name; in no set order.
    async fn touch_contacts(&mut self, phones: &[&str], at: Millis) -> Result<Vec<Contact>>;
    async fn save_details(
        &mut self,
        id: Id,
        details: &ContactDetails<'_>,
    ) -> Result<Option<Contact>>;
    /// `Some` only when the flag changed.
    async fn save_opted_out(&mut self, id: Id, opted_out: bool) -> Result<Option<Contact>>;
    async fn save_reachability(
        &mut self,
        id: Id,
        reachability: Option<Reachability>,
        looked_up_at: Option<Millis>,
    ) -> Result<Option<Contact>>;
    /// The number of a contact never looked up.
    async fn phone_to_look_up(&mut self, id: Id) -> Result<Option<String>>;
    async fn assign_contact(&mut self, id: Id, agent_id: Id) -> Result<Contact>;
    async fn contact_count(&mut self) -> Result<i64>;
    /// Every contact (or a page of them), newest activity first, with `agent_id`'s unread
    /// counts.
    async fn contact_summaries(
        &mut self,
        agent_id: Id,
        all_contacts: bool,
        page: Option<ContactPage>,
    ) -> Result<Vec<ContactSummary>>;
    /// The contacts assigned to the agent or in an interaction that was ever theirs.
    async fn assigned_contacts(&mut self, agent_id: Id) -> Result<Vec<Id>>;
    /// Whether a contact is assigned to the agent or in an interaction that was ever theirs.
    async fn contact_assigned(&mut self, agent_id: Id, contact_id: Id) -> Result<bool>;
    /// Contacts whose name or number matches what the agent typed.
    async fn search_contacts(&mut self, input: &str, limit: u32) -> Result<Vec<Contact>>;
    async fn contacts_by_id(&mut self, ids: &[Id]) -> Result<Vec<Contact>>;
    async fn mark_read(&mut self, agent_id: Id, contact_id: Id) -> Result<()>;
    async fn mark_unread(&mut self, agent_id: Id, contact_id: Id) -> Result<()>;
    async fn read_markers(&mut self, agent_id: Id) -> Result<Vec<ReadMarker>>;
}

/// Interactions.
#[async_trait]
pub(crate) trait Interactions {
    async fn interaction(&mut self, id: Id) -> Result<Option<Interaction>>;
    async fn lock_interaction(&mut self, id: Id) -> Result<Option<Interaction>>;
    /// The contact's newest interaction that is not Done.
    async fn open_interaction(&mut self, contact_id: Id) -> Result<Option<Interaction>>;
    /// Every interaction of these contacts that is not Done, locked (in no set order).
    async fn open_interactions(&mut self, contact_ids: &[Id]) -> Result<Vec<Interaction>>;
    /// Inserts these interactions, each of another contact, and returns them with their
    /// ids (in no set order).
    async fn insert_interactions(
        &mut self,
        interactions: &[Interaction],
    ) -> Result<Vec<Interaction>>;
    /// Inserts `interaction` (its id is ignored) and returns it with its id.
    async fn insert_interaction(&mut self, interaction: &Interaction) -> Result<Interaction>;
    /// Writes every field of `interaction` but its id and contact.
    async fn save_interaction(&mut self, interaction: &Interaction) -> Result<Interaction>;
    /// An agent's interactions that are not Done, oldest first.
    async fn agent_interactions(&mut self, agent_id: Id) -> Result<Vec<Interaction>>;
    /// Interactions offered to an agent, locked.
    async fn offered_to(&mut self, agent_id: Id) -> Result<Vec<Interaction>>;
    /// Interactions an agent holds (offered or active), locked.
    async fn held_by(&mut self, agent_id: Id) -> Result<Vec<Interaction>>;
    /// Records who declined an interaction's offer last (`None` clears it).
    async fn save_decline(&mut self, interaction_id: Id, agent_id: Option<Id>) -> Result<()>;
    /// Offers made before `offered_before`, locked.
    async fn lapsed_offers(&mut self, offered_before: Millis) -> Result<Vec<Interaction>>;
    /// Active interactions with no message since `before` (nor acceptance or creation);
    /// locked.
    async fn quiet_interactions(&mut self, before: Millis) -> Result<Vec<Interaction>>;
    /// When the newest message of an interaction was stored.
    async fn last_message_at(&mut self, interaction_id: Id) -> Result<Option<Millis>>;
    /// Queued interactions, oldest first, with their contact's assigned agent and the agent
    /// who declined the last offer; locked, and skipping rows another hub holds.
    async fn claim_queued(&mut self) -> Result<Vec<Queued>>;
    /// A contact's interactions, newest first, with the handling agent's name.
    async fn contact_history(
        &mut self,
        contact_id: Id,
        page: Option<parley_proto::rows::HistoryPage>,
    ) -> Result<Vec<ContactInteraction>>;
}

/// Messages, their earlier send attempts, and what the sender needs.
#[async_trait]
pub(crate) trait Messages {
    async fn stored_message(&mut self, id: Id) -> Result<Option<StoredMessage>>;
    async fn lock_message(&mut self, id: Id) -> Result<Option<StoredMessage>>;
    async fn message_id_by_sid(&mut self, provider_sid: &str) -> Result<Option<Id>>;
    /// The messages among these provider ids already stored: (provider id, message id).
    async fn message_ids_by_sids(&mut self, provider_sids: &[&str]) -> Result<Vec<(String, Id)>>;
    async fn message_by_client_key(&mut self, client_key: &str) -> Result<Option<Message>>;
    /// The outbound message holding `provider_sid`, locked.
    async fn lock_outbound_by_sid(&mut self, provider_sid: &str) -> Result<Option<StoredMessage>>;
    async fn insert_message(&mut self, message: &NewMessage<'_>) -> Result<Message>;
    /// Inserts these messages, each with its own provider id, and returns them (in no set
    /// order).
    async fn insert_messages(&mut self, messages: &[NewMessage<'_>]) -> Result<Vec<StoredMessage>>;
    /// Sets a message's delivery, keeping a provider id it already has.
    async fn save_delivery(
        &mut self,
        id: Id,
        status: MessageStatus,
        error_code: Option<u32>,
        provider_sid: Option<&str>,
    ) -> Result<Message>;
    /// Back to queued with no provider id, for Retry.
    async fn requeue_message(&mut self, id: Id) -> Result<Message>;
    /// Keeps a replaced provider message of `message_id` (its callbacks change nothing).
    async fn insert_attempt(
        &mut self,
        provider_sid: &str,
        message_id: Id,
        status: MessageStatus,
        error_code: Option<u32>,
        now: Millis,
    ) -> Result<()>;
    async fn is_attempt(&mut self, provider_sid: &str) -> Result<bool>;
    /// Records a callback about a replaced attempt; `false` when there is none.
    async fn save_attempt(
        &mut self,
        provider_sid: &str,
        status: MessageStatus,
        error_code: Option<u32>,
    ) -> Result<bool>;
    /// A contact's messages, oldest first, without their pictures.
    async fn contact_messages(&mut self, contact_id: Id) -> Result<Vec<Message>>;
    /// A page of a contact's messages (at most `limit`), oldest first.
    async fn contact_message_page(
        &mut self,
        contact_id: Id,
        page: MessagePage,
        limit: u32,
    ) -> Result<Vec<Message>>;
    /// Outbound messages the provider has not taken, oldest first.
    async fn unsent(&mut self, limit: u32) -> Result<Vec<PendingSend>>;
    /// A contact's oldest outbound message the provider has not taken.
    async fn next_unsent(&mut self, contact_id: Id) -> Result<Option<PendingSend>>;
    async fn pending_send(&mut self, id: Id) -> Result<Option<PendingSend>>;
    /// Records that a send starts; returns how many sends (this one included) may have
    /// reached the provider.
    async fn mark_send_started(&mut self, id: Id, now: Millis) -> Result<u32>;
    /// Takes one send back from the count (never below none); returns the count left.
    async fn unmark_send(&mut self, id: Id) -> Result<u32>;
    /// Provider ids of every message (and earlier attempt) to `to` except `message_id`'s
    /// current one.
    async fn known_sids(&mut self, to: &str, except_message: Id) -> Result<Vec<String>>;
    /// Messages whose text matches, newest first.
    /// Messages matching the search, newest first: the newest `limit`, or the `limit`
    /// just older than message `before`.
    async fn search_messages(
        &mut self,
        input: &str,
        before: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Message>>;
}

/// Pictures: inbound media, agents' uploads, and the files themselves when the database
/// keeps them.
#[async_trait]
pub(crate) trait Pictures {
    async fn insert_media(&mut self, media: &NewMedia<'_>) -> Result<()>;
    /// The pictures of these messages, by message then position.
    async fn media_of(&mut self, message_ids: &[Id]) -> Result<Vec<(Id, parley_proto::Media)>>;
    /// Pictures whose fetch is due at `now`, oldest first.
    async fn due_media(&mut self, now: Millis, limit: u32) -> Result<Vec<MediaJob>>;
    async fn next_media_due(&mut self) -> Result<Option<Millis>>;
    async fn retry_media_at(&mut self, id: Id, at: Millis) -> Result<()>;
    async fn media_ready(&mut self, id: Id, ready: &ReadyMedia) -> Result<()>;
    async fn media_issue(&mut self, id: Id, issue: MediaIssue) -> Result<()>;
    async fn stored_media(&mut self, id: Id) -> Result<Option<StoredMedia>>;
    /// Stores an upload unless the agent's unsent uploads would then pass `quota` bytes
    /// (`None`).
    async fn insert_upload(
        &mut self,
        upload: &NewUpload<'_>,
        quota: u64,
        now: Millis,
    ) -> Result<Option<Id>>;
    /// Takes an agent's unsent upload for a message.
    async fn attach_upload(
        &mut self,
        upload_id: Id,
        agent_id: Id,
        message_id: Id,
    ) -> Result<Option<UploadedPicture>>;
    async fn upload_tokens(&mut self, message_id: Id) -> Result<Vec<String>>;
    /// Forgets uploads made before `before` that never went with a message; returns the
    /// digests nothing refers to any more.
    async fn forget_unsent_uploads(&mut self, before: Millis) -> Result<Vec<String>>;
    /// A sent picture by its token: (digest, content type).
    async fn sent_upload(&mut self, token: &str) -> Result<Option<(String, String)>>;
    /// Keeps a file (or its thumbnail) in the database; the same digest is the same file.
    async fn put_blob(
        &mut self,
        digest: &str,
        thumbnail: bool,
        bytes: &[u8],
        now: Millis,
    ) -> Result<()>;
    async fn blob(&mut self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>>;
    /// Removes these files when nothing refers to them and they were not stored again
    /// since `before`.
    async fn remove_blobs(&mut self, digests: &[String], before: Millis) -> Result<()>;
}

/// The event log clients sync from.
#[async_trait]
pub(crate) trait Events {
    /// Appends events numbered in commit order: the last statement before the commit.
    async fn append_events(&mut self, at: Millis, kinds: &[EventKind]) -> Result<Vec<Event>>;
    async fn events_since(&mut self, since: i64, limit: u32) -> Result<Vec<Event>>;
    async fn head_seq(&mut self) -> Result<i64>;
}

/// Work that one hub does at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Handing a message to the provider.
    Send,
    /// Fetching an inbound picture.
    Media,
}

impl Work {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Media => "media",
        }
    }
}

/// Scoped sync: what each agent's desktop keeps, and the event log's retention.
#[async_trait]
pub(crate) trait Scope {
    /// Records that the agent opened the contact (now, `at`).
    async fn follow(&mut self, agent_id: Id, contact_id: Id, at: Millis) -> Result<()>;
    /// The agent's contacts: assigned to them, in an interaction that was ever theirs, or
    /// followed.
    async fn scope_contact_ids(&mut self, agent_id: Id) -> Result<Vec<Id>>;
    /// Of those (follows since `since` only), the ones active since `since` or in an open
    /// interaction, newest activity first, at most `most`.
    async fn scope_recent_contacts(
        &mut self,
        agent_id: Id,
        since: Millis,
        most: u32,
    ) -> Result<Vec<Id>>;
    /// These contacts' interactions that are open or were created since `since`.
    async fn scope_interactions(
        &mut self,
        contact_ids: &[Id],
        since: Millis,
    ) -> Result<Vec<Interaction>>;
    /// Deletes events older than `before` among the log's first `most` (never the head);
    /// answers how many.
    async fn prune_events(&mut self, before: Millis, most: u32) -> Result<u64>;
    /// The newest event pruned (0: none).
    async fn pruned_through(&mut self) -> Result<i64>;
}

/// Claims: a hub takes a piece of work for a lease it keeps renewing; when it dies, the
/// lease runs out and another hub takes the work.
#[async_trait]
pub(crate) trait Claims {
    /// Takes `work` on `id` for `holder` until `until`, unless a live claim of another
    /// holder has it.
    async fn claim(
        &mut self,
        work: Work,
        id: Id,
        holder: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool>;
    async fn release(&mut self, work: Work, id: Id, holder: &str) -> Result<()>;
    /// Extends every claim of `holder`; returns how many it holds.
    async fn renew_claims(&mut self, holder: &str, until: Millis) -> Result<u64>;
    /// Waits until no other hub is in a routing pass, for the rest of the transaction.
    async fn lock_routing(&mut self) -> Result<()>;
    /// Takes the sweeps (lapsed offers, quiet chats) for this transaction, unless another
    /// hub is running them.
    async fn try_lock_sweeps(&mut self) -> Result<bool>;
}

/// The simulated carrier's outbox.
#[async_trait]
pub(crate) trait Carrier {
    async fn sim_record(
        &mut self,
        sid: &str,
        to: &str,
        from: &str,
        body: &str,
        now: Millis,
    ) -> Result<()>;
    async fn sim_set_status(&mut self, sid: &str, status: MessageStatus) -> Result<()>;
    async fn sim_outbox(&mut self) -> Result<Vec<SimOutboundMessage>>;
    /// How many texts went to `to`.
    async fn sim_sent_to(&mut self, to: &str) -> Result<i64>;
}
