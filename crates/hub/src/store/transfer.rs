//! Copying a hub's data from one database to another (`parley-hub migrate-data`), ids
//! kept: every table in the order its references need, in pages read by key, into one
//! transaction on the target, which must be empty. Claims are not copied: they belong to
//! the hubs running on the source.

use async_trait::async_trait;
use sqlx::query::Query;
use sqlx::query_builder::Separated;
use sqlx::{ColumnIndex, Database, Decode, Encode, Row, Type};

use super::{Result, Store, StoreError};

/// A column's kind, for reading it from one engine and binding it on the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
    Bool,
    Bytes,
}

/// One value of a copied row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A NULL of this column's kind (PostgreSQL types its parameters).
    Null(Kind),
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

/// A table as copied: its columns, and the key it is read in order of.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [(&'static str, Kind)],
    /// The leading columns that make the key (the primary key).
    pub(crate) key: usize,
    /// For a table the target already fills (seeded by a migration, or by a trigger as
    /// other tables are copied): how a copied row meets a row already there.
    pub(crate) merge: Option<&'static str>,
}

use Kind::{Bool, Bytes, Int, Text};

/// Every table with data, in an order where a row's references are copied before it.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "agents",
        columns: &[
            ("id", Int),
            ("login", Text),
            ("name", Text),
            ("password_hash", Text),
            ("role", Text),
            ("status", Text),
            ("status_reason", Text),
            ("auto_answer", Bool),
            ("max_chats", Int),
            ("can_save_media", Bool),
            ("all_contacts", Bool),
            ("edit_contacts", Bool),
            ("text_outside_interaction", Bool),
            ("disabled", Bool),
            ("last_offered_at", Int),
            ("created_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "role_permissions",
        columns: &[
            ("role", Text),
            ("save_media", Bool),
            ("all_contacts", Bool),
            ("edit_contacts", Bool),
            ("text_outside_interaction", Bool),
        ],
        key: 1,
        merge: Some(
            "ON CONFLICT (role) DO UPDATE SET save_media = excluded.save_media, \
             all_contacts = excluded.all_contacts, edit_contacts = excluded.edit_contacts, \
             text_outside_interaction = excluded.text_outside_interaction",
        ),
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("agent_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "contacts",
        columns: &[
            ("id", Int),
            ("phone", Text),
            ("name", Text),
            ("assigned_agent_id", Int),
            ("last_activity_at", Int),
            ("email", Text),
            ("notes", Text),
            ("opted_out", Bool),
            ("reachability", Text),
            ("looked_up_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "interactions",
        columns: &[
            ("id", Int),
            ("contact_id", Int),
            ("state", Text),
            ("agent_id", Int),
            ("created_at", Int),
            ("offered_at", Int),
            ("accepted_at", Int),
            ("ended_at", Int),
            ("ended_by", Text),
            ("done_at", Int),
            ("disposition", Text),
            ("note", Text),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "interaction_agents",
        columns: &[("interaction_id", Int), ("agent_id", Int)],
        key: 2,
        merge: Some("ON CONFLICT DO NOTHING"),
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Int),
            ("contact_id", Int),
            ("interaction_id", Int),
            ("direction", Text),
            ("body", Text),
            ("status", Text),
            ("error_code", Int),
            ("agent_id", Int),
            ("agent_name", Text),
            ("client_key", Text),
            ("provider_sid", Text),
            ("from_number", Text),
            ("to_number", Text),
            ("send_started_at", Int),
            ("send_attempts", Int),
            ("created_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "read_markers",
        columns: &[
            ("agent_id", Int),
            ("contact_id", Int),
            ("last_read_message_id", Int),
        ],
        key: 2,
        merge: None,
    },
    Table {
        name: "media",
        columns: &[
            ("id", Int),
            ("message_id", Int),
            ("position", Int),
            ("source_url", Text),
            ("declared_type", Text),
            ("content_type", Text),
            ("state", Text),
            ("issue", Text),
            ("size", Int),
            ("width", Int),
            ("height", Int),
            ("digest", Text),
            ("thumbnail_type", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("created_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "message_attempts",
        columns: &[
            ("provider_sid", Text),
            ("message_id", Int),
            ("status", Text),
            ("error_code", Int),
            ("replaced_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "uploads",
        columns: &[
            ("id", Int),
            ("agent_id", Int),
            ("digest", Text),
            ("content_type", Text),
            ("thumbnail_type", Text),
            ("size", Int),
            ("width", Int),
            ("height", Int),
            ("token", Text),
            ("message_id", Int),
            ("created_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "events",
        columns: &[("seq", Int), ("at", Int), ("kind", Text), ("payload", Text)],
        key: 1,
        merge: None,
    },
    Table {
        name: "sim_outbox",
        columns: &[
            ("sid", Text),
            ("to_number", Text),
            ("from_number", Text),
            ("body", Text),
            ("status", Text),
            ("created_at", Int),
        ],
        key: 1,
        merge: None,
    },
    Table {
        name: "blobs",
        columns: &[
            ("digest", Text),
            ("thumbnail", Bool),
            ("bytes", Bytes),
            ("stored_at", Int),
        ],
        key: 2,
        merge: None,
    },
];

impl Table {
    /// The columns as a list for SQL.
    pub(crate) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The key columns as a list for SQL.
    pub(crate) fn key_list(&self) -> String {
        self.columns[..self.key]
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The values of one row of `table`, as its columns' kinds read them.
pub(crate) fn row_values<R>(table: &Table, row: &R) -> Result<Vec<Value>>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<Vec<u8>>: Decode<'r, R::Database> + Type<R::Database>,
{
    table
        .columns
        .iter()
        .enumerate()
        .map(|(index, (_, kind))| {
            Ok(match kind {
                Kind::Int => row
                    .try_get::<Option<i64>, _>(index)?
                    .map_or(Value::Null(Kind::Int), Value::Int),
                Kind::Text => row
                    .try_get::<Option<String>, _>(index)?
                    .map_or(Value::Null(Kind::Text), Value::Text),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(index)?
                    .map_or(Value::Null(Kind::Bool), Value::Bool),
                Kind::Bytes => row
                    .try_get::<Option<Vec<u8>>, _>(index)?
                    .map_or(Value::Null(Kind::Bytes), Value::Bytes),
            })
        })
        .collect()
}

/// Binds a value to a query (the key a page is read after).
pub(crate) fn bind<'q, DB>(
    query: Query<'q, DB, <DB as Database>::Arguments>,
    value: &Value,
) -> Query<'q, DB, <DB as Database>::Arguments>
where
    DB: Database,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<bool>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<Vec<u8>>: Encode<'t, DB> + Type<DB>,
{
    match value.clone() {
        Value::Null(kind) => match kind {
            Kind::Int => query.bind(None::<i64>),
            Kind::Text => query.bind(None::<String>),
            Kind::Bool => query.bind(None::<bool>),
            Kind::Bytes => query.bind(None::<Vec<u8>>),
        },
        Value::Int(value) => query.bind(Some(value)),
        Value::Text(value) => query.bind(Some(value)),
        Value::Bool(value) => query.bind(Some(value)),
        Value::Bytes(value) => query.bind(Some(value)),
    }
}

/// Binds a value into a row of a multi-row `INSERT`.
pub(crate) fn push<DB>(row: &mut Separated<'_, DB, &'static str>, value: &Value)
where
    DB: Database,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<bool>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<Vec<u8>>: Encode<'t, DB> + Type<DB>,
{
    match value.clone() {
        Value::Null(kind) => match kind {
            Kind::Int => row.push_bind(None::<i64>),
            Kind::Text => row.push_bind(None::<String>),
            Kind::Bool => row.push_bind(None::<bool>),
            Kind::Bytes => row.push_bind(None::<Vec<u8>>),
        },
        Value::Int(value) => row.push_bind(Some(value)),
        Value::Text(value) => row.push_bind(Some(value)),
        Value::Bool(value) => row.push_bind(Some(value)),
        Value::Bytes(value) => row.push_bind(Some(value)),
    };
}

/// Reading and writing whole rows, for copying between engines.
#[async_trait]
pub(crate) trait Transfer {
    async fn count_rows(&mut self, table: &Table) -> Result<i64>;
    /// Rows after `after` (the last key read), in key order.
    async fn read_page(
        &mut self,
        table: &Table,
        after: Option<&[Value]>,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>>;
    async fn write_page(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()>;
    /// After the rows: ids and the event log continue after the highest ones copied.
    async fn continue_numbering(&mut self) -> Result<()>;
    /// Every picture digest the messages and uploads refer to.
    async fn picture_digests(&mut self) -> Result<Vec<String>>;
}

/// How many rows of each table were copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(&'static str, u64)>,
}

/// Rows read and written at a time.
const PAGE: u32 = 500;

impl Store {
    /// Copies every row of this store into `target`, which must hold no data. `progress`
    /// hears of each table as it is done.
    ///
    /// # Errors
    /// [`StoreError::NotEmpty`] when the target holds data; [`StoreError::Database`].
    pub async fn copy_into(
        &self,
        target: &Store,
        mut progress: impl FnMut(&'static str, u64),
    ) -> Result<Copied> {
        // The source is read in one transaction: a consistent picture even if something
        // writes to it meanwhile (which it should not: stop its hubs first).
        let mut source = self.inner.engine.begin().await?;
        let mut writing = target.inner.engine.begin().await?;
        for table in TABLES.iter().filter(|table| table.merge.is_none()) {
            let held = writing.count_rows(table).await?;
            if held > 0 {
                return Err(StoreError::NotEmpty {
                    table: table.name,
                    rows: held,
                });
            }
        }
        let mut copied = Copied::default();
        for table in TABLES {
            let mut count: u64 = 0;
            let mut after: Option<Vec<Value>> = None;
            loop {
                let page = source.read_page(table, after.as_deref(), PAGE).await?;
                let Some(last) = page.last() else { break };
                after = Some(last[..table.key].to_vec());
                writing.write_page(table, &page).await?;
                count += page.len() as u64;
                if page.len() < PAGE as usize {
                    break;
                }
            }
            progress(table.name, count);
            copied.tables.push((table.name, count));
        }
        writing.continue_numbering().await?;
        writing.commit().await?;
        source.commit().await?;
        Ok(copied)
    }

    /// Every picture digest the messages and uploads refer to.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn picture_digests(&self) -> Result<Vec<String>> {
        self.read().await?.picture_digests().await
    }
}
