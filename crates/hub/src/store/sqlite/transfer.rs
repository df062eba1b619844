//! Whole rows in and out of SQLite, for `parley-hub migrate-data`.

use async_trait::async_trait;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{QueryBuilder, Row as _, Sqlite};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::transfer::{Kind, Table, Transfer, Value};

fn bind<'q>(
    query: sqlx::query::Query<'q, Sqlite, SqliteArguments>,
    value: &Value,
) -> sqlx::query::Query<'q, Sqlite, SqliteArguments> {
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

fn values(table: &Table, row: &SqliteRow) -> Result<Vec<Value>> {
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
                sqlx::query(sql!("SELECT {columns} FROM {name} ORDER BY {keys} LIMIT ?"))
                    .bind(i64::from(limit))
                    .fetch_all(self.db())
                    .await?
            }
            Some(after) => {
                let marks = vec!["?"; after.len()].join(", ");
                let mut query = sqlx::query(sql!(
                    "SELECT {columns} FROM {name} WHERE ({keys}) > ({marks}) \
                     ORDER BY {keys} LIMIT ?"
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
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            table.column_list()
        ));
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
        });
        insert.build().execute(self.db()).await?;
        Ok(())
    }

    async fn continue_numbering(&mut self) -> Result<()> {
        // Rows inserted with their ids move SQLite's counters past them on their own
        // (`AUTOINCREMENT` keeps the highest in `sqlite_sequence`).
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
