//! Contacts and read markers, on SQLite.

use async_trait::async_trait;
use parley_proto::rows;
use parley_proto::{Contact, ContactSummary, Id, Millis, Reachability};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::port::Contacts;
use crate::store::rows::{CONTACT_COLUMNS, ContactRow, SummaryRow, all, one};
use crate::store::types::{ContactDetails, ContactPage, ReadMarker};

/// Rows one bulk statement writes (well under SQLite's limit of parameters).
pub(super) const BULK_ROWS: usize = 500;

#[async_trait]
impl Contacts for Connection {
    async fn contact(&mut self, id: Id) -> Result<Option<Contact>> {
        let row: Option<ContactRow> =
            sqlx::query_as(sql!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.db())
                .await?;
        one(row)
    }

    async fn lock_contact(&mut self, id: Id) -> Result<Option<Contact>> {
        self.contact(id).await
    }

    async fn contact_by_phone(&mut self, phone: &str) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE phone = ?"
        ))
        .bind(phone)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn touch_contact(
        &mut self,
        phone: &str,
        name: Option<&str>,
        at: Millis,
    ) -> Result<Contact> {
        let row: ContactRow = sqlx::query_as(sql!(
            "INSERT INTO contacts (phone, name, last_activity_at) VALUES (?, ?, ?) \
             ON CONFLICT (phone) DO UPDATE SET \
               last_activity_at = MAX(last_activity_at, excluded.last_activity_at), \
               name = COALESCE(contacts.name, excluded.name) \
             RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(phone)
        .bind(name)
        .bind(at)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn touch_contacts(&mut self, phones: &[&str], at: Millis) -> Result<Vec<Contact>> {
        let mut contacts = Vec::with_capacity(phones.len());
        for chunk in phones.chunks(BULK_ROWS) {
            let mut upsert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO contacts (phone, name, last_activity_at) ",
            );
            upsert.push_values(chunk, |mut row, phone| {
                row.push_bind(*phone).push_bind(None::<&str>).push_bind(at);
            });
            upsert.push(format!(
                " ON CONFLICT (phone) DO UPDATE SET \
                   last_activity_at = MAX(last_activity_at, excluded.last_activity_at) \
                 RETURNING {CONTACT_COLUMNS}"
            ));
            let rows: Vec<ContactRow> = upsert.build_query_as().fetch_all(self.db()).await?;
            contacts.extend(all::<_, Contact>(rows)?);
        }
        Ok(contacts)
    }

    async fn save_details(
        &mut self,
        id: Id,
        details: &ContactDetails<'_>,
    ) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET name = ?, email = ?, notes = ? WHERE id = ? \
             RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(details.name)
        .bind(details.email)
        .bind(details.notes)
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn save_opted_out(&mut self, id: Id, opted_out: bool) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET opted_out = ? WHERE id = ? AND opted_out != ? \
             RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(opted_out)
        .bind(id)
        .bind(opted_out)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn save_reachability(
        &mut self,
        id: Id,
        reachability: Option<Reachability>,
        looked_up_at: Option<Millis>,
    ) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET reachability = ?, looked_up_at = COALESCE(?, looked_up_at) \
             WHERE id = ? RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(reachability.map(Reachability::as_str))
        .bind(looked_up_at)
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn phone_to_look_up(&mut self, id: Id) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT phone FROM contacts WHERE id = ? AND looked_up_at IS NULL")
                .bind(id)
                .fetch_optional(self.db())
                .await?,
        )
    }

    async fn assign_contact(&mut self, id: Id, agent_id: Id) -> Result<Contact> {
        let row: ContactRow = sqlx::query_as(sql!(
            "UPDATE contacts SET assigned_agent_id = ? WHERE id = ? RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(agent_id)
        .bind(id)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn contact_count(&mut self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
            .fetch_one(self.db())
            .await?)
    }

    async fn contact_summaries(
        &mut self,
        agent_id: Id,
        all_contacts: bool,
        page: Option<ContactPage>,
    ) -> Result<Vec<ContactSummary>> {
        // Without a page: from the top, every row. Unread counts and the newest text are
        // read for the page's rows only, each from an index.
        let (activity, id) = page
            .and_then(|page| page.after)
            .unwrap_or((Millis::MAX, Id::MAX));
        let limit = page.map(|page| i64::from(page.limit));
        // An agent's own contacts are found from their assignments and interactions (an
        // index each), not by reading every contact in activity order.
        let from = if all_contacts {
            "contacts c"
        } else {
            "(SELECT id FROM contacts WHERE assigned_agent_id = ?1 \
               UNION SELECT i.contact_id FROM interaction_agents ia \
                 JOIN interactions i ON i.id = ia.interaction_id WHERE ia.agent_id = ?1) mine \
             JOIN contacts c ON c.id = mine.id"
        };
        let rows: Vec<SummaryRow> = sqlx::query_as(sql!(
            "SELECT c.id, c.phone, c.name, c.assigned_agent_id, c.last_activity_at, c.email, \
               c.notes, c.opted_out, c.reachability, \
               (SELECT COUNT(*) FROM messages m LEFT JOIN read_markers r \
                  ON r.agent_id = ?1 AND r.contact_id = m.contact_id \
                  WHERE m.contact_id = c.id AND m.direction = 'inbound' \
                  AND m.id > COALESCE(r.last_read_message_id, 0) \
                  AND (r.last_read_message_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM interactions i \
                         WHERE i.id = m.interaction_id AND i.state = 'done'))) \
                 AS unread_count, \
               lm.body AS last_message, lm.agent_id AS last_agent_id, \
               lm.agent_name AS last_agent_name \
             FROM {from} LEFT JOIN messages lm ON lm.id = \
               (SELECT m.id FROM messages m WHERE m.contact_id = c.id ORDER BY m.id DESC LIMIT 1) \
             WHERE (c.last_activity_at, c.id) < (?3, ?4) \
               AND (?2 OR c.assigned_agent_id = ?1 \
                OR EXISTS (SELECT 1 FROM interaction_agents ia JOIN interactions i \
                             ON i.id = ia.interaction_id WHERE i.contact_id = c.id AND ia.agent_id = ?1)) \
             ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?5"
        ))
        .bind(agent_id)
        .bind(all_contacts)
        .bind(activity)
        .bind(id)
        .bind(limit.unwrap_or(-1))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn contact_assigned(&mut self, agent_id: Id, contact_id: Id) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM contacts c WHERE c.id = ? AND (c.assigned_agent_id = ? \
               OR EXISTS (SELECT 1 FROM interaction_agents ia JOIN interactions i \
                 ON i.id = ia.interaction_id WHERE i.contact_id = c.id AND ia.agent_id = ?)))",
        )
        .bind(contact_id)
        .bind(agent_id)
        .bind(agent_id)
        .fetch_one(self.db())
        .await?)
    }

    async fn assigned_contacts(&mut self, agent_id: Id) -> Result<Vec<Id>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM contacts WHERE assigned_agent_id = ? \
             UNION SELECT i.contact_id FROM interaction_agents ia \
               JOIN interactions i ON i.id = ia.interaction_id WHERE ia.agent_id = ?",
        )
        .bind(agent_id)
        .bind(agent_id)
        .fetch_all(self.db())
        .await?)
    }

    async fn search_contacts(&mut self, input: &str, limit: u32) -> Result<Vec<Contact>> {
        Ok(rows::sqlite::search_contacts(self.db(), input, limit).await?)
    }

    async fn contacts_by_id(&mut self, ids: &[Id]) -> Result<Vec<Contact>> {
        Ok(rows::sqlite::contacts_by_id(self.db(), ids).await?)
    }

    async fn mark_read(&mut self, agent_id: Id, contact_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO read_markers (agent_id, contact_id, last_read_message_id) \
             SELECT ?, ?, COALESCE(MAX(id), 0) FROM messages WHERE contact_id = ? \
             ON CONFLICT (agent_id, contact_id) DO UPDATE \
             SET last_read_message_id = MAX(last_read_message_id, excluded.last_read_message_id)",
        )
        .bind(agent_id)
        .bind(contact_id)
        .bind(contact_id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn mark_unread(&mut self, agent_id: Id, contact_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO read_markers (agent_id, contact_id, last_read_message_id) \
             SELECT ?, ?, COALESCE(MAX(id), 1) - 1 FROM messages \
             WHERE contact_id = ? AND direction = 'inbound' \
             ON CONFLICT (agent_id, contact_id) DO UPDATE \
             SET last_read_message_id = excluded.last_read_message_id",
        )
        .bind(agent_id)
        .bind(contact_id)
        .bind(contact_id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn read_markers(&mut self, agent_id: Id) -> Result<Vec<ReadMarker>> {
        Ok(sqlx::query_as(
            "SELECT contact_id, last_read_message_id FROM read_markers WHERE agent_id = ?",
        )
        .bind(agent_id)
        .fetch_all(self.db())
        .await?)
    }
}
