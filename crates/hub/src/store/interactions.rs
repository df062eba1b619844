//! Interactions: routing, the offer, the chat, wrap-up, and the sweeps that move on
//! offers nobody accepts and chats that went quiet.

use parley_proto::{AgentStatus, EventKind, Id, Interaction, InteractionState};

use super::accounts::set_status;
use super::{
    Change, NOT_RESPONDING, OFFLINE, Result, SESSION_ENDED, SIGNED_OUT, Store, StoreError,
    transaction,
};
use crate::rules::Refusal;
use crate::rules::lifecycle::{self, Capacity, Opening, Transition, WrapUp};
use crate::rules::routing;

impl Store {
    /// An agent's interactions that are not Done.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_interactions(&self, agent_id: Id) -> Result<Vec<Interaction>> {
        self.read().await?.agent_interactions(agent_id).await
    }

    /// Offers every queued interaction it can to a Ready agent with room, oldest first
    /// (agents who answer automatically get it accepted at once). Returns how many were
    /// placed. On PostgreSQL one hub routes at a time.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn route_queued(&self) -> Result<usize> {
        transaction!(self, change => {
            let now = change.now;
            change.lock_routing().await?;
            let queued = change.claim_queued().await?;
            if queued.is_empty() {
                return Ok(0);
            }
            let (mut candidates, auto_answer): (Vec<routing::Candidate>, Vec<bool>) =
                change.ready_agents().await?.into_iter().unzip();
            let mut placed = 0;
            for queued in queued {
                let interaction = queued.interaction;
                let Some(index) =
                    routing::choose(queued.assigned_agent_id, queued.declined_by, &candidates)
                else {
                    continue;
                };
                let candidate = &mut candidates[index];
                candidate.load += 1;
                candidate.last_offered_at = now;
                let agent_id = candidate.agent_id;
                change.note_offer(agent_id, now).await?;
                let offered = lifecycle::offer(&interaction, agent_id, auto_answer[index], now);
                let interaction = change.save_interaction(&offered).await?;
                if interaction.state == InteractionState::Active {
                    let contact = change.assign_contact(interaction.contact_id, agent_id).await?;
                    change.emit(EventKind::Contact { contact });
                }
                change.emit(EventKind::Interaction { interaction });
                placed += 1;
            }
            Ok(placed)
        })
    }

    /// An interaction by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn interaction(&self, interaction_id: Id) -> Result<Interaction> {
        self.read()
            .await?
            .interaction(interaction_id)
            .await?
            .ok_or(StoreError::NotFound("interaction"))
    }

    /// Accepts an interaction offered to `agent_id`, who becomes the contact's assigned
    /// agent. Accepting twice returns the active interaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`super::Refusal::NotOfferedToYou`],
    /// [`super::Refusal::OfferGone`].
    pub async fn accept(&self, agent_id: Id, interaction_id: Id) -> Result<Interaction> {
        transaction!(self, change => {
            let now = change.now;
            let interaction = locked(&mut change, interaction_id).await?;
            match lifecycle::accept(&interaction, agent_id, now)? {
                Transition::Same(interaction) => Ok(interaction),
                Transition::To(accepted) => activate(&mut change, &accepted, agent_id).await,
            }
        })
    }

    /// The agent ends an active interaction; ending an ended one changes nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`super::Refusal::NotYours`],
    /// [`super::Refusal::NotAccepted`].
    pub async fn end_interaction(&self, agent_id: Id, interaction_id: Id) -> Result<Interaction> {
        transaction!(self, change => {
            let now = change.now;
            let interaction = locked(&mut change, interaction_id).await?;
            match lifecycle::end_by_agent(&interaction, agent_id, now)? {
                Transition::Same(interaction) => Ok(interaction),
                Transition::To(ended) => {
                    let ended = change.save_interaction(&ended).await?;
                    change.emit(EventKind::Interaction { interaction: ended.clone() });
                    Ok(ended)
                }
            }
        })
    }

    /// Saves the disposition and note (a `None` leaves a field as it is) and, when asked,
    /// marks the interaction Done.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`super::Refusal::NotYours`],
    /// [`super::Refusal::DispositionRequired`], [`super::Refusal::AlreadyDone`],
    /// [`super::Refusal::NotAccepted`].
    pub async fn wrap_up(
        &self,
        agent_id: Id,
        interaction_id: Id,
        wrap_up: WrapUp<'_>,
    ) -> Result<Interaction> {
        transaction!(self, change => {
            let now = change.now;
            let interaction = locked(&mut change, interaction_id).await?;
            let updated = lifecycle::wrap_up(&interaction, agent_id, wrap_up, now)?;
            let updated = change.save_interaction(&updated).await?;
            change.emit(EventKind::Interaction { interaction: updated.clone() });
            Ok(updated)
        })
    }

    /// Create SMS Interaction: an active interaction of `agent_id` with a contact, who gets
    /// the agent as assigned agent. The agent's own open interaction with the contact is
    /// returned instead of a second one (reactivated if it ended, accepted if offered).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`super::Refusal::ContactTaken`].
    pub async fn create_interaction(
        &self,
        agent_id: Id,
        contact_id: Id,
        beyond_capacity: bool,
    ) -> Result<Interaction> {
        transaction!(self, change => {
            let now = change.now;
            let contact = change
                .lock_contact(contact_id)
                .await?
                .ok_or(StoreError::NotFound("contact"))?;
            let open = change.open_interaction(contact.id).await?;
            let agent = change.agent(agent_id).await?.ok_or(StoreError::NotFound("agent"))?;
            let capacity = Capacity {
                load: u32::try_from(change.held_by(agent_id).await?.len()).unwrap_or(u32::MAX),
                max_chats: agent.max_chats,
                beyond: beyond_capacity,
            };
            let opening = lifecycle::open_for_agent(open.as_ref(), agent_id, capacity, now);
            match naming_holder(&mut change, open.as_ref(), opening).await? {
                Opening::Existing(interaction) => Ok(interaction),
                Opening::Reactivate(reactivated) => {
                    let interaction = change.save_interaction(&reactivated).await?;
                    change.emit(EventKind::Interaction { interaction: interaction.clone() });
                    Ok(interaction)
                }
                Opening::Accept(accepted) => activate(&mut change, &accepted, agent_id).await,
                Opening::Create => {
                    let created = change
                        .insert_interaction(&Interaction {
                            id: 0,
                            contact_id: contact.id,
                            state: InteractionState::Active,
                            agent_id: Some(agent_id),
                            created_at: now,
                            offered_at: None,
                            accepted_at: Some(now),
                            ended_at: None,
                            ended_by: None,
                            done_at: None,
                            disposition: None,
                            note: None,
                        })
                        .await?;
                    change.emit(EventKind::Interaction { interaction: created.clone() });
                    let contact = change.assign_contact(contact.id, agent_id).await?;
                    change.emit(EventKind::Contact { contact });
                    Ok(created)
                }
            }
        })
    }

    /// The agent declines an interaction offered to them: it goes back to the queue at once,
    /// and routing offers it to someone else while anyone else is Ready.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`super::Refusal::NotOfferedToYou`],
    /// [`super::Refusal::OfferGone`].
    pub async fn decline(&self, agent_id: Id, interaction_id: Id) -> Result<Interaction> {
        transaction!(self, change => {
            let interaction = locked(&mut change, interaction_id).await?;
            let declined = lifecycle::decline(&interaction, agent_id)?;
            let declined = change.save_interaction(&declined).await?;
            change.save_decline(declined.id, Some(agent_id)).await?;
            change.emit(EventKind::Interaction { interaction: declined.clone() });
            Ok(declined)
        })
    }

    /// Ends a session. When it was the agent's last, the agent is gone: their offered and
    /// active interactions go back to the queue and they are Not Ready ("Signed out").
    /// Returns how many interactions were handed back.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sign_out(&self, agent_id: Id, token_hash: &str) -> Result<usize> {
        transaction!(self, change => {
            let now = change.now;
            change.delete_session(token_hash).await?;
            if change.live_sessions(agent_id, now).await? > 0 {
                return Ok(0);
            }
            hand_off(&mut change, agent_id, SIGNED_OUT).await
        })
    }

    /// Records that an agent's live link shows them present now.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn seen(&self, agent_id: Id) -> Result<()> {
        let now = self.now();
        self.read().await?.save_seen(agent_id, Some(now)).await
    }

    /// Agents who are gone — no live session (signed out on another device, expired,
    /// revoked), or their app's link unseen for longer than `grace_ms` (0: never) — hand
    /// their offered and active interactions back to the queue and become Not Ready.
    /// Returns how many agents. One hub sweeps at a time.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn hand_off_away(&self, grace_ms: i64) -> Result<usize> {
        transaction!(self, change => {
            let now = change.now;
            if !change.try_lock_sweeps().await? {
                return Ok(0);
            }
            let seen_before = if grace_ms > 0 { now - grace_ms } else { i64::MIN };
            let away = change.away_agents(now, seen_before).await?;
            for (agent_id, signed_out) in &away {
                let reason = if *signed_out { SESSION_ENDED } else { OFFLINE };
                let handed = hand_off(&mut change, *agent_id, reason).await?;
                tracing::info!(agent_id, reason, handed, "agent gone: interactions handed back");
            }
            Ok(away.len())
        })
    }

    /// Offers not accepted within `timeout_ms` go back to the queue, and their agents are
    /// set Not Ready ("Not responding"), so the next routing pass offers them to someone
    /// else. Returns how many agents lost an offer. One hub sweeps at a time.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn expire_offers(&self, timeout_ms: i64) -> Result<usize> {
        transaction!(self, change => {
            let now = change.now;
            if !change.try_lock_sweeps().await? {
                return Ok(0);
            }
            let mut agents: Vec<Id> = change
                .lapsed_offers(now - timeout_ms)
                .await?
                .into_iter()
                .filter(|offer| lifecycle::offer_lapsed(offer, now, timeout_ms))
                .filter_map(|offer| offer.agent_id)
                .collect();
            agents.sort_unstable();
            agents.dedup();
            for agent_id in &agents {
                tracing::info!(agent_id, "offer not accepted in time; agent set Not Ready");
                set_status(&mut change, *agent_id, AgentStatus::NotReady, Some(NOT_RESPONDING))
                    .await?;
            }
            Ok(agents.len())
        })
    }

    /// Ends active interactions whose conversation has been quiet longer than
    /// `timeout_ms`, on the contact's side. Returns how many ended. One hub sweeps at a
    /// time.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn end_idle(&self, timeout_ms: i64) -> Result<usize> {
        transaction!(self, change => {
            let now = change.now;
            if !change.try_lock_sweeps().await? {
                return Ok(0);
            }
            let mut ended = 0;
            for interaction in change.quiet_interactions(now - timeout_ms).await? {
                // Read again under the lock: a message may have come in since.
                let last_message_at = change.last_message_at(interaction.id).await?;
                if !lifecycle::is_quiet(&interaction, last_message_at, now, timeout_ms) {
                    continue;
                }
                let interaction = change
                    .save_interaction(&lifecycle::end_quiet(&interaction, now))
                    .await?;
                change.emit(EventKind::Interaction { interaction });
                ended += 1;
            }
            Ok(ended)
        })
    }
}

/// The agent is gone: their active interactions go back to the queue (their offers go
/// with Not Ready), and they are Not Ready for `reason`. Returns how many were handed back.
async fn hand_off(change: &mut Change, agent_id: Id, reason: &str) -> Result<usize> {
    let held = change.held_by(agent_id).await?;
    for active in held
        .iter()
        .filter(|held| held.state == InteractionState::Active)
    {
        let interaction = change
            .save_interaction(&lifecycle::hand_back(active))
            .await?;
        change.emit(EventKind::Interaction { interaction });
    }
    set_status(change, agent_id, AgentStatus::NotReady, Some(reason)).await?;
    change.save_seen(agent_id, None).await?;
    Ok(held.len())
}

/// A refusal because another agent holds the contact, with that agent's name.
pub(super) async fn naming_holder<T>(
    change: &mut Change,
    open: Option<&Interaction>,
    outcome: std::result::Result<T, Refusal>,
) -> Result<T> {
    match outcome {
        Err(Refusal::ContactTaken { .. }) => {
            let holder = match open.and_then(|open| open.agent_id) {
                Some(agent_id) => change.agent(agent_id).await?.map(|agent| agent.name),
                None => None,
            };
            Err(Refusal::ContactTaken { holder }.into())
        }
        outcome => Ok(outcome?),
    }
}

/// An interaction locked for a change — its contact first, the order every use case
/// takes them in, so two hubs changing one conversation never wait on each other in a
/// circle.
async fn locked(change: &mut Change, interaction_id: Id) -> Result<Interaction> {
    let seen = change
        .interaction(interaction_id)
        .await?
        .ok_or(StoreError::NotFound("interaction"))?;
    change.lock_contact(seen.contact_id).await?;
    change
        .lock_interaction(interaction_id)
        .await?
        .ok_or(StoreError::NotFound("interaction"))
}

/// Saves an accepted interaction; its agent becomes the contact's assigned agent.
async fn activate(
    change: &mut Change,
    accepted: &Interaction,
    agent_id: Id,
) -> Result<Interaction> {
    let accepted = change.save_interaction(accepted).await?;
    let contact = change.assign_contact(accepted.contact_id, agent_id).await?;
    change.emit(EventKind::Contact { contact });
    change.emit(EventKind::Interaction {
        interaction: accepted.clone(),
    });
    Ok(accepted)
}
