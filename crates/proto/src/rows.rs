//! Rows as the stores keep them — the hub's (SQLite or PostgreSQL) and the desktop replica's
//! (SQLite) hold agents, contacts and interactions in the same columns — and how a row
//! becomes a wire type. A stored value that does not read back (an unknown spelling, a
//! negative count) is a [`RowError::Corrupt`], never a panic and never silently dropped.
//! [`sqlite`] holds the queries both SQLite stores run alike.

use crate::{
    Agent, AgentStatus, Contact, ContactInteraction, EndedBy, Interaction, InteractionState,
    Permissions, Reachability, Role,
};

/// A row that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
}

/// A stored spelling read back with `parse`, or [`RowError::Corrupt`] naming `what`.
///
/// # Errors
/// [`RowError::Corrupt`].
pub fn spelling<T>(
    what: &str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, RowError> {
    parse(text).ok_or_else(|| RowError::Corrupt(format!("{what} {text:?}")))
}

/// An optional stored spelling read back with `parse`.
///
/// # Errors
/// [`RowError::Corrupt`] for a spelling `parse` does not know.
pub fn optional_spelling<T>(
    what: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, RowError> {
    text.map(|text| spelling(what, text, parse)).transpose()
}

/// A stored count or size that must fit a `u32`.
///
/// # Errors
/// [`RowError::Corrupt`] for a negative or too large value.
pub fn unsigned(what: &str, value: i64) -> Result<u32, RowError> {
    u32::try_from(value).map_err(|_| RowError::Corrupt(format!("{what} {value}")))
}

/// An optional stored count or size that must fit a `u32`.
///
/// # Errors
/// [`RowError::Corrupt`] for a negative or too large value.
pub fn optional_unsigned(what: &str, value: Option<i64>) -> Result<Option<u32>, RowError> {
    value.map(|value| unsigned(what, value)).transpose()
}

/// Columns of [`AgentRow`].
pub const AGENT_COLUMNS: &str = "id, login, name, role, status, status_reason, auto_answer, \
     max_chats, can_save_media, all_contacts, edit_contacts, text_outside_interaction, disabled";

/// An agent as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct AgentRow {
    id: i64,
    login: String,
    name: String,
    role: String,
    status: String,
    status_reason: Option<String>,
    auto_answer: bool,
    max_chats: i64,
    can_save_media: bool,
    all_contacts: bool,
    edit_contacts: bool,
    text_outside_interaction: bool,
    disabled: bool,
}

impl TryFrom<AgentRow> for Agent {
    type Error = RowError;
    fn try_from(row: AgentRow) -> Result<Self, RowError> {
        Ok(Self {
            id: row.id,
            login: row.login,
            name: row.name,
            role: spelling("agent role", &row.role, Role::parse)?,
            status: spelling("agent status", &row.status, AgentStatus::parse)?,
            status_reason: row.status_reason,
            auto_answer: row.auto_answer,
            max_chats: unsigned("max_chats", row.max_chats)?,
            permissions: Permissions {
                save_media: row.can_save_media,
                all_contacts: row.all_contacts,
                edit_contacts: row.edit_contacts,
                text_outside_interaction: row.text_outside_interaction,
            },
            disabled: row.disabled,
        })
    }
}

/// Columns of [`ContactRow`].
pub const CONTACT_COLUMNS: &str = "id, phone, name, assigned_agent_id, last_activity_at, \
     email, notes, opted_out, reachability";

/// A contact as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ContactRow {
    id: i64,
    phone: String,
    name: Option<String>,
    assigned_agent_id: Option<i64>,
    last_activity_at: i64,
    email: Option<String>,
    notes: Option<String>,
    opted_out: bool,
    reachability: Option<String>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = RowError;
    fn try_from(row: ContactRow) -> Result<Self, RowError> {
        Ok(Self {
            id: row.id,
            phone: row.phone,
            name: row.name,
            assigned_agent_id: row.assigned_agent_id,
            last_activity_at: row.last_activity_at,
            email: row.email,
            notes: row.notes,
            opted_out: row.opted_out,
            reachability: optional_spelling(
                "reachability",
                row.reachability.as_deref(),
                Reachability::parse,
            )?,
        })
    }
}

/// Columns of [`InteractionRow`].
pub const INTERACTION_COLUMNS: &str = "id, contact_id, state, agent_id, created_at, \
     offered_at, accepted_at, ended_at, ended_by, done_at, disposition, note";

/// [`INTERACTION_COLUMNS`] of a table aliased `i`.
pub const INTERACTION_COLUMNS_OF_I: &str = "i.id, i.contact_id, i.state, i.agent_id, \
     i.created_at, i.offered_at, i.accepted_at, i.ended_at, i.ended_by, i.done_at, \
     i.disposition, i.note";

/// An interaction as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct InteractionRow {
    id: i64,
    contact_id: i64,
    state: String,
    agent_id: Option<i64>,
    created_at: i64,
    offered_at: Option<i64>,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<String>,
    done_at: Option<i64>,
    disposition: Option<String>,
    note: Option<String>,
}

impl TryFrom<InteractionRow> for Interaction {
    type Error = RowError;
    fn try_from(row: InteractionRow) -> Result<Self, RowError> {
        Ok(Self {
            id: row.id,
            contact_id: row.contact_id,
            state: spelling("interaction state", &row.state, InteractionState::parse)?,
            agent_id: row.agent_id,
            created_at: row.created_at,
            offered_at: row.offered_at,
            accepted_at: row.accepted_at,
            ended_at: row.ended_at,
            ended_by: optional_spelling("ended_by", row.ended_by.as_deref(), EndedBy::parse)?,
            done_at: row.done_at,
            disposition: row.disposition,
            note: row.note,
        })
    }
}

/// A contact's interaction with the handling agent's name.
#[derive(Debug, sqlx::FromRow)]
pub struct HistoryRow {
    #[sqlx(flatten)]
    interaction: InteractionRow,
    agent_name: Option<String>,
}

impl TryFrom<HistoryRow> for ContactInteraction {
    type Error = RowError;
    fn try_from(row: HistoryRow) -> Result<Self, RowError> {
        Ok(Self {
            interaction: row.interaction.try_into()?,
            agent_name: row.agent_name,
        })
    }
}

/// Rows into wire values, failing on the first bad one.
///
/// # Errors
/// The first row's conversion error.
pub fn all<R, T: TryFrom<R>>(rows: Vec<R>) -> Result<Vec<T>, T::Error> {
    rows.into_iter().map(T::try_from).collect()
}

/// The queries the hub's SQLite store and the desktop replica run alike.
pub mod sqlite {
    use sqlx::{Sqlite, SqliteExecutor};

    use super::{
        CONTACT_COLUMNS, ContactRow, HistoryPage, HistoryRow, INTERACTION_COLUMNS,
        INTERACTION_COLUMNS_OF_I, InteractionRow, RowError, all,
    };
    use crate::search;
    use crate::{Contact, ContactInteraction, Id, Interaction};

    macro_rules! sql {
        ($($part:tt)*) => {
            sqlx::AssertSqlSafe(format!($($part)*))
        };
    }

    /// Contacts whose name or number matches what the agent typed (see [`search`]),
    /// newest activity first.
    ///
    /// # Errors
    /// [`RowError`].
    pub async fn search_contacts<'c>(
        executor: impl SqliteExecutor<'c>,
        input: &str,
        limit: u32,
    ) -> Result<Vec<Contact>, RowError> {
        // Three characters or more: the trigram index finds them, whatever the volume.
        if let Some(query) = search::trigram_query(input) {
            let rows: Vec<ContactRow> = sqlx::query_as::<Sqlite, ContactRow>(sql!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN \
                   (SELECT rowid FROM contacts_trigram WHERE contacts_trigram MATCH ?) \
                 ORDER BY last_activity_at DESC, id DESC LIMIT ?"
            ))
            .bind(query)
            .bind(i64::from(limit))
            .fetch_all(executor)
            .await?;
            return all(rows);
        }
        // One or two: most contacts match, so the newest are found after a few rows.
        let pattern = search::like_pattern(input);
        let rows: Vec<ContactRow> = sqlx::query_as::<Sqlite, ContactRow>(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts \
             WHERE name LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\' \
             ORDER BY last_activity_at DESC, id DESC LIMIT ?2"
        ))
        .bind(&pattern)
        .bind(i64::from(limit))
        .fetch_all(executor)
        .await?;
        all(rows)
    }

    /// The contacts with these ids, in one query.
    ///
    /// # Errors
    /// [`RowError`].
    pub async fn contacts_by_id<'c>(
        executor: impl SqliteExecutor<'c>,
        ids: &[Id],
    ) -> Result<Vec<Contact>, RowError> {
        let ids = format!(
            "[{}]",
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let rows: Vec<ContactRow> = sqlx::query_as::<Sqlite, ContactRow>(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN (SELECT value FROM json_each(?))"
        ))
        .bind(ids)
        .fetch_all(executor)
        .await?;
        all(rows)
    }

    /// An agent's interactions that are not Done, oldest first.
    ///
    /// # Errors
    /// [`RowError`].
    pub async fn agent_interactions<'c>(
        executor: impl SqliteExecutor<'c>,
        agent_id: Id,
    ) -> Result<Vec<Interaction>, RowError> {
        let rows: Vec<InteractionRow> = sqlx::query_as::<Sqlite, InteractionRow>(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = ? AND state IN ('offered', 'active', 'ended') ORDER BY id"
        ))
        .bind(agent_id)
        .fetch_all(executor)
        .await?;
        all(rows)
    }

    /// A contact's interactions, newest first, with the handling agent's name.
    ///
    /// # Errors
    /// [`RowError`].
    pub async fn contact_history<'c>(
        executor: impl SqliteExecutor<'c>,
        contact_id: Id,
        page: Option<HistoryPage>,
    ) -> Result<Vec<ContactInteraction>, RowError> {
        let rows: Vec<HistoryRow> = sqlx::query_as::<Sqlite, HistoryRow>(sql!(
            "SELECT {INTERACTION_COLUMNS_OF_I}, a.name AS agent_name \
             FROM interactions i LEFT JOIN agents a ON a.id = i.agent_id \
             WHERE i.contact_id = ?1 AND i.id < ?2 ORDER BY i.id DESC LIMIT ?3"
        ))
        .bind(contact_id)
        .bind(page.and_then(|page| page.before).unwrap_or(Id::MAX))
        .bind(page.map_or(-1, |page| i64::from(page.limit)))
        .fetch_all(executor)
        .await?;
        all(rows)
    }
}

/// A page of a contact's interaction history (newest first): the newest `limit`, or the
/// `limit` just older than an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryPage {
    pub before: Option<crate::Id>,
    pub limit: u32,
}
