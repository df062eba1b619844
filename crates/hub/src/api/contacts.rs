//! Contacts: the list, a transcript, details, history, read markers and search.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parley_proto::{
    Contact, ContactInteraction, ContactSummary, Id, Message, SearchHit, UpdateContactRequest,
};
use serde::Deserialize;

use super::{ApiResult, CurrentAgent, Shared};
use crate::error::Failure;
use crate::rules::workspace;
use crate::store::{ContactDetails, ContactPage, MessagePage, ReadMarker};

#[derive(Debug, Deserialize)]
pub struct ContactsQuery {
    /// `<lastActivityAt>.<id>` of the last contact of the page before.
    after: Option<String>,
    limit: Option<u32>,
    /// Only the caller's own contacts: assigned to them, or in an interaction that was
    /// ever theirs.
    #[serde(default)]
    mine: bool,
}

/// `GET /api/contacts[?limit=N][&after=<lastActivityAt>.<id>][&mine=true]`: the contacts
/// the caller may see (`mine`: their own), newest activity first, with their unread counts
/// — a page of `limit` (default 100, at most 500), from the top or following a contact
/// already shown. Without either, every one.
pub async fn contacts(
    State(hub): Shared,
    current: CurrentAgent,
    Query(query): Query<ContactsQuery>,
) -> ApiResult<Vec<ContactSummary>> {
    let mut agent = current.agent;
    if query.mine {
        agent.permissions.all_contacts = false;
    }
    if query.after.is_none() && query.limit.is_none() {
        return Ok(Json(hub.store.visible_contacts(&agent).await?));
    }
    let after = match query.after.as_deref() {
        None => None,
        Some(cursor) => Some(
            cursor
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
                .ok_or_else(|| {
                    Failure::new(
                        parley_proto::ErrorCode::BadRequest,
                        "after is a contact's last activity and id: <lastActivityAt>.<id>",
                    )
                })?,
        ),
    };
    let page = ContactPage {
        after,
        limit: query.limit.unwrap_or(100).clamp(1, MAX_PAGE),
    };
    Ok(Json(hub.store.contact_page(&agent, page).await?))
}

/// `GET /api/contacts/{id}`.
pub async fn contact(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> ApiResult<Contact> {
    current.see_contact(&hub, contact_id).await?;
    Ok(Json(hub.store.contact(contact_id).await?))
}

/// The most messages one page carries.
const MAX_PAGE: u32 = 500;

#[derive(Debug, Deserialize)]
pub struct MessagesQuery {
    before: Option<Id>,
    after: Option<Id>,
    limit: Option<u32>,
}

/// `GET /api/contacts/{id}/messages[?before=ID|after=ID][&limit=N]`: a page of the
/// contact's messages, oldest first — the newest `limit` (default 100, at most 500), or
/// those just older or newer than a message. Without any of them, the whole history.
pub async fn contact_messages(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
    Query(query): Query<MessagesQuery>,
) -> ApiResult<Vec<Message>> {
    current.see_contact(&hub, contact_id).await?;
    let page = match (query.before, query.after) {
        (Some(_), Some(_)) => {
            return Err(Failure::new(
                parley_proto::ErrorCode::BadRequest,
                "ask for messages before one message or after one, not both",
            ));
        }
        (Some(before), None) => MessagePage::Before(before),
        (None, Some(after)) => MessagePage::After(after),
        (None, None) if query.limit.is_some() => MessagePage::Newest,
        (None, None) => return Ok(Json(hub.store.list_messages(contact_id).await?)),
    };
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    Ok(Json(hub.store.message_page(contact_id, page, limit).await?))
}

/// `POST /api/contacts/{id}/follow`: the agent's desktop keeps this contact (one the agent
/// opened): from now on the agent's scoped stream carries its changes. Answers the contact
/// with its newest messages and open interaction.
pub async fn follow(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> ApiResult<parley_proto::Followed> {
    current.see_contact(&hub, contact_id).await?;
    let followed = hub
        .store
        .follow(
            current.agent.id,
            contact_id,
            hub.config.sync.snapshot_messages_per_contact,
        )
        .await?
        .ok_or_else(|| Failure::new(parley_proto::ErrorCode::NotFound, "no such contact"))?;
    Ok(Json(followed))
}

/// `POST /api/contacts/{id}/read`.
pub async fn mark_read(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> Result<StatusCode, Failure> {
    current.see_contact(&hub, contact_id).await?;
    hub.store.mark_read(current.agent.id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/contacts/{id}`: the Contact tab's details.
pub async fn update_contact(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
    Json(request): Json<UpdateContactRequest>,
) -> ApiResult<Contact> {
    current.see_contact(&hub, contact_id).await?;
    current.require(
        current.agent.permissions.edit_contacts,
        "the permission to edit contacts",
    )?;
    workspace::contact_details(
        request.name.as_deref(),
        request.email.as_deref(),
        request.notes.as_deref(),
    )?;
    let contact = hub
        .store
        .update_contact(
            contact_id,
            ContactDetails {
                name: request.name.as_deref(),
                email: request.email.as_deref(),
                notes: request.notes.as_deref(),
            },
        )
        .await?;
    tracing::info!(contact_id, login = %current.agent.login, "contact details updated");
    Ok(Json(contact))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    before: Option<Id>,
    limit: Option<u32>,
}

/// `GET /api/contacts/{id}/interactions[?limit=N][&before=ID]`: the contact's interaction
/// history, newest first — a page of `limit` (default 100, at most 500), the newest or
/// those just older than an interaction. Without either, all of it.
pub async fn contact_interactions(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Vec<ContactInteraction>> {
    current.see_contact(&hub, contact_id).await?;
    if query.before.is_none() && query.limit.is_none() {
        return Ok(Json(hub.store.contact_interactions(contact_id).await?));
    }
    let page = parley_proto::rows::HistoryPage {
        before: query.before,
        limit: query.limit.unwrap_or(100).clamp(1, MAX_PAGE),
    };
    Ok(Json(
        hub.store.contact_interaction_page(contact_id, page).await?,
    ))
}

/// `POST /api/contacts/{id}/unread`.
pub async fn mark_unread(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> Result<StatusCode, Failure> {
    current.see_contact(&hub, contact_id).await?;
    hub.store.mark_unread(current.agent.id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// The next page: the message hits just older than this message.
    before: Option<Id>,
}

/// `GET /api/search?q=…[&before=ID]`: contacts by name or number, messages by text; with
/// `before`, the next page of message hits (those older than message `ID`).
pub async fn search(
    State(hub): Shared,
    current: CurrentAgent,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Vec<SearchHit>> {
    workspace::search(&query.q)?;
    let mut hits = hub.store.search_page(&query.q, query.before).await?;
    if !current.agent.permissions.all_contacts {
        let mut visible = Vec::with_capacity(hits.len());
        for hit in hits {
            if hub
                .store
                .may_see_contact(&current.agent, hit.contact.id)
                .await?
            {
                visible.push(hit);
            }
        }
        hits = visible;
    }
    Ok(Json(hits))
}

/// `GET /api/read-markers`.
pub async fn read_markers(State(hub): Shared, current: CurrentAgent) -> ApiResult<Vec<ReadMarker>> {
    Ok(Json(hub.store.read_markers(current.agent.id).await?))
}
