//! The local SQLite replica: what the agent sees, readable offline, plus the outbox and the
//! sync cursor. All of the desktop core's SQL lives here: the reads in this file, the hub's
//! events applied in `events.rs`, the outbox in `outbox.rs`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use parley_proto::rows::{
    self, AGENT_COLUMNS, AgentRow, CONTACT_COLUMNS, ContactRow, INTERACTION_COLUMNS,
    InteractionRow, RowError, optional_spelling, optional_unsigned, spelling, unsigned,
};
use parley_proto::{
    Agent, Contact, ContactSummary, Direction, Id, Interaction, Media, MediaIssue, MediaState,
    Message, MessageStatus, Millis,
};
use parley_proto::{ContactInteraction, SEARCH_LIMIT, SearchHit};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// What can go wrong in the replica.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error("local database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("local database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    #[error("{0} not found")]
    NotFound(&'static str),
}

impl From<RowError> for ReplicaError {
    fn from(error: RowError) -> Self {
        match error {
            RowError::Database(error) => Self::Database(error),
            RowError::Corrupt(what) => Self::Corrupt(what),
        }
    }
}

type Result<T, E = ReplicaError> = std::result::Result<T, E>;

/// Milliseconds since the Unix epoch.
#[must_use]
pub fn now_millis() -> Millis {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

const MESSAGE_COLUMNS: &str = "id, contact_id, interaction_id, direction, body, status, \
    error_code, agent_id, agent_name, client_key, created_at, hub_id";

/// Only constant column lists are interpolated; values are always bound.
macro_rules! sql {
    ($($part:tt)*) => {
        sqlx::AssertSqlSafe(format!($($part)*))
    };
}

mod events;
mod outbox;
mod scope;

pub use outbox::OutboxItem;

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    contact_id: i64,
    interaction_id: Option<i64>,
    direction: String,
    body: String,
    status: String,
    error_code: Option<i64>,
    agent_id: Option<i64>,
    agent_name: Option<String>,
    client_key: Option<String>,
    created_at: i64,
    hub_id: Option<i64>,
}

impl TryFrom<MessageRow> for Message {
    type Error = ReplicaError;
    fn try_from(row: MessageRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            contact_id: row.contact_id,
            interaction_id: row.interaction_id,
            direction: spelling("direction", &row.direction, Direction::parse)?,
            body: row.body,
            status: spelling("message status", &row.status, MessageStatus::parse)?,
            error_code: optional_unsigned("error_code", row.error_code)?,
            agent_id: row.agent_id,
            agent_name: row.agent_name,
            client_key: row.client_key,
            created_at: row.created_at,
            media: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: i64,
    message_hub_id: i64,
    position: i64,
    state: String,
    issue: Option<String>,
    content_type: String,
    size: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    digest: Option<String>,
}

const MEDIA_COLUMNS: &str =
    "id, message_hub_id, position, state, issue, content_type, size, width, height, digest";

impl TryFrom<MediaRow> for Media {
    type Error = ReplicaError;
    fn try_from(row: MediaRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            position: unsigned("media position", row.position)?,
            state: spelling("media state", &row.state, MediaState::parse)?,
            issue: optional_spelling("media issue", row.issue.as_deref(), MediaIssue::parse)?,
            content_type: row.content_type,
            size: optional_unsigned("media size", row.size)?,
            width: optional_unsigned("media width", row.width)?,
            height: optional_unsigned("media height", row.height)?,
            digest: row.digest,
        })
    }
}

/// The replica.
#[derive(Clone)]
pub struct Replica {
    pool: SqlitePool,
}

impl Replica {
    /// Opens (creating when missing) the replica at `path`.
    ///
    /// # Errors
    /// [`ReplicaError`] when the file cannot be opened or migrated.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|error| {
                ReplicaError::Corrupt(format!("cannot create {}: {error}", parent.display()))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The signed-in agent as last synced.
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn agent(&self, id: Id) -> Result<Agent> {
        let row: Option<AgentRow> =
            sqlx::query_as(sql!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.ok_or(ReplicaError::NotFound("agent"))?.try_into()?)
    }

    /// The contacts the Communication tab lists for agent `me`: assigned to them, or in an
    /// interaction that is not done; newest activity first, with unread counts from the
    /// local read markers. (Other contacts held here — history, opened ones — are read one
    /// at a time.)
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn list_contacts(&self, me: Id) -> Result<Vec<ContactSummary>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            contact: ContactRow,
            unread_count: i64,
            last_message: Option<String>,
            last_agent_id: Option<i64>,
            last_agent_name: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.id, c.phone, c.name, c.assigned_agent_id, c.last_activity_at, c.email, c.notes, \
               c.opted_out, c.reachability, \
               (SELECT COUNT(*) FROM messages m LEFT JOIN read_markers r ON r.contact_id = m.contact_id \
                  WHERE m.contact_id = c.id AND m.direction = 'inbound' \
                  AND m.hub_id > COALESCE(r.last_read_hub_id, 0) \
                  AND (r.last_read_hub_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM interactions i \
                         WHERE i.id = m.interaction_id AND i.state = 'done'))) \
                 AS unread_count, \
               lm.body AS last_message, lm.agent_id AS last_agent_id, lm.agent_name AS last_agent_name \
             FROM contacts c LEFT JOIN messages lm ON lm.id = (SELECT m.id FROM messages m \
               WHERE m.contact_id = c.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) \
             WHERE c.assigned_agent_id = ?1 OR c.id IN \
               (SELECT contact_id FROM interactions WHERE state <> 'done') \
             ORDER BY c.last_activity_at DESC, c.id DESC",
        )
        .bind(me)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ContactSummary {
                    contact: row.contact.try_into()?,
                    unread_count: unsigned("unread count", row.unread_count)?,
                    last_message: row.last_message,
                    last_message_author: row.last_agent_id.map(|agent_id| parley_proto::Author {
                        agent_id,
                        name: row.last_agent_name,
                    }),
                })
            })
            .collect()
    }

    /// A contact by id.
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn contact(&self, id: Id) -> Result<Contact> {
        let row: Option<ContactRow> =
            sqlx::query_as(sql!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.ok_or(ReplicaError::NotFound("contact"))?.try_into()?)
    }

    /// A contact's whole history, oldest first, pending messages included.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn list_messages(&self, contact_id: Id) -> Result<Vec<Message>> {
        self.message_page(contact_id, None, None, None).await
    }

    /// A page of a contact's messages, oldest first, with their pictures: the newest
    /// `limit`, or the `limit` just older than message `before` or newer than `after` (local
    /// ids), in the transcript's order (time, then id). Without a limit, all of them.
    ///
    /// # Errors
    /// [`ReplicaError`]; [`ReplicaError::NotFound`] for a `before` or `after` not here.
    pub async fn message_page(
        &self,
        contact_id: Id,
        before: Option<Id>,
        after: Option<Id>,
        limit: Option<u32>,
    ) -> Result<Vec<Message>> {
        let mark = match before.or(after) {
            None => None,
            Some(id) => Some(
                sqlx::query_as::<_, (i64, i64)>("SELECT created_at, id FROM messages WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(ReplicaError::NotFound("message"))?,
            ),
        };
        let limit = limit.map_or(-1, i64::from);
        let mut rows: Vec<MessageRow> = match (mark, after.is_some()) {
            (Some((at, id)), true) => {
                sqlx::query_as(sql!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ?1 \
                     AND (created_at, id) > (?2, ?3) ORDER BY created_at, id LIMIT ?4"
                ))
                .bind(contact_id)
                .bind(at)
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            (mark, _) => {
                let (at, id) = mark.unwrap_or((i64::MAX, i64::MAX));
                let mut rows: Vec<MessageRow> = sqlx::query_as(sql!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ?1 \
                     AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"
                ))
                .bind(contact_id)
                .bind(at)
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.reverse();
                rows
            }
        };
        let hub_ids: Vec<Id> = rows.iter().filter_map(|row| row.hub_id).collect();
        let media: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE message_hub_id IN \
               (SELECT value FROM json_each(?)) ORDER BY message_hub_id, position"
        ))
        .bind(
            serde_json::to_string(&hub_ids)
                .map_err(|error| ReplicaError::Corrupt(error.to_string()))?,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_message: std::collections::HashMap<Id, Vec<Media>> =
            std::collections::HashMap::new();
        for row in media {
            by_message
                .entry(row.message_hub_id)
                .or_default()
                .push(Media::try_from(row)?);
        }
        rows.drain(..)
            .map(|row| {
                let hub_id = row.hub_id;
                let mut message = Message::try_from(row)?;
                if let Some(hub_id) = hub_id {
                    message.media = by_message.remove(&hub_id).unwrap_or_default();
                }
                Ok(message)
            })
            .collect()
    }

    /// The hub's id of a message known here by its local id (`None` while it waits in the
    /// outbox).
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn message_hub_id(&self, local_id: Id) -> Result<Option<Id>> {
        let row: Option<Option<i64>> =
            sqlx::query_scalar("SELECT hub_id FROM messages WHERE id = ?")
                .bind(local_id)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or(ReplicaError::NotFound("message"))
    }

    /// One picture, by the hub's id.
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn media(&self, media_id: Id) -> Result<(Media, Id)> {
        let row: Option<MediaRow> =
            sqlx::query_as(sql!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = ?"))
                .bind(media_id)
                .fetch_optional(&self.pool)
                .await?;
        let row = row.ok_or(ReplicaError::NotFound("picture"))?;
        let contact_id: Option<i64> =
            sqlx::query_scalar("SELECT contact_id FROM messages WHERE hub_id = ?")
                .bind(row.message_hub_id)
                .fetch_optional(&self.pool)
                .await?;
        let contact_id = contact_id.ok_or(ReplicaError::NotFound("message"))?;
        Ok((Media::try_from(row)?, contact_id))
    }

    /// One message by local id.
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn message(&self, id: Id) -> Result<Message> {
        let row: Option<MessageRow> =
            sqlx::query_as(sql!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or(ReplicaError::NotFound("message"))?.try_into()
    }

    /// The agent's interactions that are not done.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn list_interactions(&self, agent_id: Id) -> Result<Vec<Interaction>> {
        Ok(rows::sqlite::agent_interactions(&self.pool, agent_id).await?)
    }

    /// One interaction by id.
    ///
    /// # Errors
    /// [`ReplicaError::NotFound`].
    pub async fn interaction(&self, id: Id) -> Result<Interaction> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .ok_or(ReplicaError::NotFound("interaction"))?
            .try_into()?)
    }

    /// Marks a contact read up to its newest hub message; returns that hub id.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn mark_read(&self, contact_id: Id) -> Result<Option<Id>> {
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(hub_id) FROM messages WHERE contact_id = ?")
                .bind(contact_id)
                .fetch_one(&self.pool)
                .await?;
        if let Some(newest) = newest {
            self.merge_read_markers(&[(contact_id, newest)]).await?;
        }
        Ok(newest)
    }

    /// A contact's interaction history, newest first, with the handling agent's name.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn contact_interactions(&self, contact_id: Id) -> Result<Vec<ContactInteraction>> {
        Ok(rows::sqlite::contact_history(&self.pool, contact_id, None).await?)
    }

    /// Marks a contact's newest inbound message unread again.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn mark_unread(&self, contact_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO read_markers (contact_id, last_read_hub_id) \
             SELECT ?, COALESCE(MAX(hub_id), 1) - 1 FROM messages WHERE contact_id = ? AND direction = 'inbound' \
             ON CONFLICT (contact_id) DO UPDATE SET last_read_hub_id = excluded.last_read_hub_id",
        )
        .bind(contact_id)
        .bind(contact_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Searches contacts (name, number) and message text, offline, with the hub's rules
    /// (see [`parley_proto::search`]): from the top, or (`before`, a local message id) the
    /// message hits just after that one in the same order.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn search(&self, input: &str, before: Option<Id>) -> Result<Vec<SearchHit>> {
        let limit = i64::from(SEARCH_LIMIT);
        let mut hits: Vec<SearchHit> = if before.is_some() {
            Vec::new()
        } else {
            rows::sqlite::search_contacts(&self.pool, input, SEARCH_LIMIT)
                .await?
                .into_iter()
                .map(|contact| SearchHit {
                    contact,
                    message: None,
                })
                .collect()
        };
        // Where the page before ended, in the order below.
        let mark: (i64, i64) = match before {
            None => (i64::MAX, i64::MAX),
            Some(id) => sqlx::query_as(
                "SELECT COALESCE(hub_id, 9223372036854775807), id FROM messages WHERE id = ?",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ReplicaError::NotFound("message"))?,
        };
        let Some(query) = parley_proto::search::fts5_query(input) else {
            return Ok(hits);
        };
        // Newest first by the hub's order; messages not yet on the hub come first.
        let messages: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN \
               (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) \
               AND (COALESCE(hub_id, 9223372036854775807), id) < (?, ?) \
             ORDER BY COALESCE(hub_id, 9223372036854775807) DESC, id DESC LIMIT ?"
        ))
        .bind(query)
        .bind(mark.0)
        .bind(mark.1)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let messages = messages
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<Vec<_>>>()?;
        // The hits' contacts in one query, not one per hit.
        let ids: Vec<Id> = messages.iter().map(|message| message.contact_id).collect();
        let contacts: std::collections::HashMap<Id, Contact> =
            rows::sqlite::contacts_by_id(&self.pool, &ids)
                .await?
                .into_iter()
                .map(|contact| (contact.id, contact))
                .collect();
        for message in messages {
            let contact = contacts
                .get(&message.contact_id)
                .cloned()
                .ok_or(ReplicaError::NotFound("contact"))?;
            hits.push(SearchHit {
                contact,
                message: Some(message),
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use parley_proto::{Direction, Event, EventKind, Media, MediaState, Message, MessageStatus};

    use super::{Replica, ReplicaError};

    fn picture_message() -> Message {
        Message {
            id: 7,
            contact_id: 3,
            interaction_id: None,
            direction: Direction::Inbound,
            body: "a photo".into(),
            status: MessageStatus::Received,
            error_code: None,
            agent_id: None,
            agent_name: None,
            client_key: None,
            created_at: 1,
            media: vec![Media {
                id: 11,
                position: 0,
                state: MediaState::Ready,
                issue: None,
                content_type: "image/jpeg".into(),
                size: Some(10),
                width: Some(2),
                height: Some(2),
                digest: Some("ab".repeat(32)),
            }],
        }
    }

    #[tokio::test]
    async fn a_stored_value_that_does_not_read_back_is_an_error_not_dropped() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let replica = Replica::open(&folder.path().join("replica.db"))
            .await
            .expect("the replica opens");
        replica
            .apply_events(&[Event {
                seq: 1,
                at: 1,
                kind: EventKind::Message {
                    message: picture_message(),
                },
            }])
            .await
            .expect("applied");
        assert_eq!(replica.list_messages(3).await.expect("reads").len(), 1);
        for (corruption, what) in [
            (
                "UPDATE media SET issue = 'melted'",
                "an unknown attachment issue",
            ),
            (
                "UPDATE media SET issue = NULL, position = -1",
                "a negative position",
            ),
            (
                "UPDATE media SET position = 0; UPDATE messages SET error_code = -5",
                "a negative error code",
            ),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(corruption))
                .execute(&replica.pool)
                .await
                .expect("corrupted");
            assert!(
                matches!(
                    replica.list_messages(3).await,
                    Err(ReplicaError::Corrupt(_))
                ),
                "{what} is an error, not a value quietly replaced"
            );
        }
    }

    #[tokio::test]
    async fn pages_of_a_transcript_join_without_gaps_or_repeats_and_keep_pictures() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let replica = Replica::open(&folder.path().join("replica.db"))
            .await
            .expect("the replica opens");
        // 25 texts; some share a time, so the id orders them.
        let events: Vec<Event> = (1..=25)
            .map(|n| Event {
                seq: n,
                at: n,
                kind: EventKind::Message {
                    message: Message {
                        id: 100 + n,
                        body: format!("text {n}"),
                        created_at: n / 2,
                        media: if n == 3 {
                            picture_message().media
                        } else {
                            Vec::new()
                        },
                        ..picture_message()
                    },
                },
            })
            .collect();
        replica.apply_events(&events).await.expect("applied");
        let everything = replica.list_messages(3).await.expect("all");
        assert_eq!(everything.len(), 25);
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = replica
                .message_page(3, before, None, Some(10))
                .await
                .expect("a page");
            let Some(first) = page.first() else { break };
            before = Some(first.id);
            pages.push(page);
        }
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
        let joined: Vec<Message> = pages.into_iter().rev().flatten().collect();
        assert_eq!(joined, everything, "oldest first, whole, pictures and all");
        assert_eq!(joined[2].media.len(), 1);
        let newer = replica
            .message_page(3, None, Some(everything[19].id), Some(3))
            .await
            .expect("a newer page");
        assert_eq!(newer, everything[20..23].to_vec());
        assert!(matches!(
            replica.message_page(3, Some(9_999), None, Some(3)).await,
            Err(ReplicaError::NotFound("message"))
        ));
    }
}
