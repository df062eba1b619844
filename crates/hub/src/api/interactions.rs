//! Interactions: the agent's list, Accept, Create SMS Interaction, End, wrap-up and Done.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parley_proto::{CreateInteractionRequest, ErrorCode, Id, Interaction, WrapUpRequest};

use super::{ApiResult, CurrentAgent, Shared};
use crate::error::Failure;
use crate::rules::lifecycle::WrapUp;
use crate::rules::workspace;
use crate::store::Completion;

/// `GET /api/interactions`.
pub async fn interactions(
    State(hub): Shared,
    current: CurrentAgent,
) -> ApiResult<Vec<Interaction>> {
    Ok(Json(hub.store.list_interactions(current.agent.id).await?))
}

/// `POST /api/interactions/{id}/accept`.
pub async fn accept(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
) -> ApiResult<Interaction> {
    let interaction = hub.store.accept(current.agent.id, interaction_id).await?;
    tracing::info!(interaction_id, login = %current.agent.login, "interaction accepted");
    Ok(Json(interaction))
}

/// `POST /api/interactions/{id}/decline`: the offer moves on at once.
pub async fn decline(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
) -> ApiResult<Interaction> {
    let interaction = hub.store.decline(current.agent.id, interaction_id).await?;
    tracing::info!(interaction_id, login = %current.agent.login, "offer declined");
    hub.router.kick();
    Ok(Json(interaction))
}

/// `POST /api/interactions` (Create SMS Interaction).
pub async fn create_interaction(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<CreateInteractionRequest>,
) -> Result<(StatusCode, Json<Interaction>), Failure> {
    let contact_id = match (request.contact_id, request.phone.as_deref()) {
        (Some(contact_id), _) => {
            current.see_contact(&hub, contact_id).await?;
            contact_id
        }
        (None, Some(phone)) => {
            let phone = hub.number(phone)?;
            let contact_id = hub.store.ensure_contact(&phone).await?.id;
            if hub.line_type_lookups {
                // So the agent is warned about a landline before the first text.
                let (store, provider) = (hub.store.clone(), hub.provider.clone());
                tokio::spawn(async move {
                    crate::outbound::look_up(&store, provider.as_ref(), contact_id).await;
                });
            }
            contact_id
        }
        (None, None) => {
            return Err(Failure::new(
                ErrorCode::BadRequest,
                "give the contact or the number to text",
            ));
        }
    };
    let interaction = hub
        .store
        .create_interaction(
            current.agent.id,
            contact_id,
            request.beyond_capacity.unwrap_or(false),
        )
        .await?;
    tracing::info!(interaction_id = interaction.id, login = %current.agent.login, "SMS interaction created");
    Ok((StatusCode::CREATED, Json(interaction)))
}

/// `POST /api/interactions/{id}/end`.
pub async fn end_interaction(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
) -> ApiResult<Interaction> {
    let interaction = hub
        .store
        .end_interaction(current.agent.id, interaction_id)
        .await?;
    hub.router.kick();
    Ok(Json(interaction))
}

/// `PUT /api/interactions/{id}/wrap-up`: save the disposition and note.
pub async fn save_wrap_up(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
    Json(request): Json<WrapUpRequest>,
) -> ApiResult<Interaction> {
    let (disposition, note) = workspace::wrap_up_fields(
        &hub.config.workspace.dispositions,
        request.disposition.as_deref(),
        request.note.as_deref(),
    )?;
    Ok(Json(
        hub.store
            .wrap_up(
                current.agent.id,
                interaction_id,
                WrapUp {
                    disposition,
                    note,
                    done: None,
                },
            )
            .await?,
    ))
}

/// `POST /api/interactions/{id}/done`: wrap up and close.
pub async fn mark_done(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
    Json(request): Json<WrapUpRequest>,
) -> ApiResult<Interaction> {
    let (disposition, note) = workspace::wrap_up_fields(
        &hub.config.workspace.dispositions,
        request.disposition.as_deref(),
        request.note.as_deref(),
    )?;
    let completion = if hub.config.workspace.disposition_required {
        Completion::DispositionRequired
    } else {
        Completion::DispositionOptional
    };
    let interaction = hub
        .store
        .wrap_up(
            current.agent.id,
            interaction_id,
            WrapUp {
                disposition,
                note,
                done: Some(completion),
            },
        )
        .await?;
    tracing::info!(interaction_id, login = %current.agent.login, disposition = ?interaction.disposition, "interaction done");
    hub.router.kick();
    Ok(Json(interaction))
}
