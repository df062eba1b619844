//! Whole rows in and out of SQLite, for `parley-hub migrate-data`.

use async_trait::async_trait;

use sqlx::{QueryBuilder, Sqlite};

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
        rows.iter().map(|row| row_values(table, row)).collect()
    }

    async fn write_page(&mut self, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            table.column_list()
        ));
        insert.push_values(rows, |mut values, row| {
            for value in row {
                push(&mut values, value);
            }
        });
        if let Some(merge) = table.merge {
            insert.push(" ").push(merge);
        }
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
