//! Whole rows in and out of PostgreSQL, for `parley-hub migrate-data`.

use async_trait::async_trait;

use sqlx::{Postgres, QueryBuilder};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::transfer::{Table, Transfer, Value, bind, push, row_values};

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
        rows.iter().map(|row| row_values(table, row)).collect()
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
        insert.push_values(rows, |mut values, row| {
            for value in row {
                push(&mut values, value);
            }
            if words {
                let text = match body.and_then(|index| row.get(index)) {
                    Some(Value::Text(text)) => text.as_str(),
                    _ => "",
                };
                values
                    .push_bind(parley_proto::search::tsvector(text))
                    .push_unseparated("::tsvector");
            }
        });
        if let Some(merge) = table.merge {
            insert.push(" ").push(merge);
        }
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
