//! Whole rows in and out of PostgreSQL, for `parley-hub migrate-data`.

use async_trait::async_trait;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Postgres, QueryBuilder, Row as _};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::transfer::{Kind, Table, Transfer, Value};

fn bind<'q>(
    query: sqlx::query::Query<'q, Postgres, PgArguments>,
    value: &Value,
) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    match value.clone() {
        Value::Null(Kind::Int) => query.bind(None::<i64>),
        Value::Null(Kind::Text) => query.bind(None::<String>),
        Value::Null(Kind::Bool) => query.bind(None::<bool>),
        Value::Null(Kind::Bytes) => query.bind(None::<Vec<u8>>),
        Value::Int(value) => query.bind(value),
        Value::Text(value) => query.bind(value),
        Value::Bool(value) => query.bind(value),
        Value::Bytes(value) => query.bind(value),
    }
}

fn values(table: &Table, row: &PgRow) -> Result<Vec<Value>> {
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

#[async_trait]
impl Transfer for Connection {
    async fn count_rows(&mut self, table: &Table) -> Result<i64> {
        let name = table.name;
        Ok(sqlx::query_scalar(sql!("SELECT COUNT(*) FROM {name}"))
            .fetch_one(self.db())
            .await?)
    }

    async fn read_page(
        &mut self,
        table: &Table,
        after: Option<&[Value]>,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>> {
        let (name, columns, keys) = (table.name, table.column_list(), table.key_list());
        let rows = match after {
            None => {
                sqlx::query(sql!(
                    "SELECT {columns} FROM {name} ORDER BY {keys} LIMIT $1"
                ))
                .bind(i64::from(limit))
                .fetch_all(self.db())
                .await?
            }
            Some(after) => {
                let marks = (1..=after.len())
                    .map(|index| format!("${index}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let last = after.len() + 1;
                let mut query = sqlx::query(sql!(
                    "SELECT {columns} FROM {name} WHERE ({keys}) > ({marks}) \
                     ORDER BY {keys} LIMIT ${last}"
                ));
                for value in after {
                    query = bind(query, value);
                }
                query.bind(i64::from(limit)).fetch_all(self.db()).await?
            }
        };
        rows.iter().map(|row| values(table, row)).collect()
    }

    async fn write_page(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
        // A message's words for search are the hub's to compute (see `messages.rs`).
        let words = table.name == "messages";
        let mut insert: QueryBuilder<Postgres> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}{}) ",
            table.name,
            table.column_list(),
            if words { ", words" } else { "" }
        ));
        let body = table
            .columns
            .iter()
            .position(|(column, _)| *column == "body");
        insert.push_values(rows, |mut row_values, row| {
            for value in row {
                match value.clone() {
                    Value::Null(Kind::Int) => row_values.push_bind(None::<i64>),
                    Value::Null(Kind::Text) => row_values.push_bind(None::<String>),
                    Value::Null(Kind::Bool) => row_values.push_bind(None::<bool>),
                    Value::Null(Kind::Bytes) => row_values.push_bind(None::<Vec<u8>>),
                    Value::Int(value) => row_values.push_bind(value),
                    Value::Text(value) => row_values.push_bind(value),
                    Value::Bool(value) => row_values.push_bind(value),
                    Value::Bytes(value) => row_values.push_bind(value),
                };
            }
            if words {
                let text = match body.and_then(|index| row.get(index)) {
                    Some(Value::Text(text)) => text.as_str(),
                    _ => "",
                };
                row_values
                    .push_bind(parley_proto::search::tsvector(text))
                    .push_unseparated("::tsvector");
            }
        });
        insert.build().execute(self.db()).await?;
        Ok(())
    }

    async fn continue_numbering(&mut self) -> Result<()> {
        // Identities handed out by default start after the highest id copied.
        for table in [
            "agents",
            "contacts",
            "interactions",
            "messages",
            "media",
            "uploads",
        ] {
            sqlx::query(sql!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                   COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(self.db())
            .await?;
        }
        sqlx::query("UPDATE event_head SET seq = (SELECT COALESCE(MAX(seq), 0) FROM events)")
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn picture_digests(&mut self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT digest FROM media WHERE digest IS NOT NULL \
             UNION SELECT digest FROM uploads ORDER BY 1",
        )
        .fetch_all(self.db())
        .await?)
    }
}
