//! The interaction lifecycle: queued → offered → active → ended → done, and back to active
//! when the conversation goes on (asynchronous chat). Each function takes the interaction
//! as stored and returns what it becomes, or why not.

use parley_proto::{EndedBy, Id, Interaction, InteractionState, Millis};

use super::Refusal;

/// What a request does to an interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Nothing to change (asked twice): here it is as it is.
    Same(Interaction),
    /// It becomes this.
    To(Interaction),
}

impl Transition {
    /// The interaction after the transition.
    #[must_use]
    pub fn into_interaction(self) -> Interaction {
        match self {
            Self::Same(interaction) | Self::To(interaction) => interaction,
        }
    }
}

/// How an interaction is marked Done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Done needs a disposition (given now or saved before).
    DispositionRequired,
    /// Done with or without one.
    DispositionOptional,
}

/// The wrap-up an agent saves: a `None` field stays as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct WrapUp<'a> {
    pub disposition: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Also mark the interaction Done.
    pub done: Option<Completion>,
}

fn owned(interaction: &Interaction, agent_id: Id) -> Result<(), Refusal> {
    if interaction.agent_id == Some(agent_id) {
        Ok(())
    } else {
        Err(Refusal::NotYours)
    }
}

/// An agent accepts an interaction offered to them; accepting twice changes nothing.
///
/// # Errors
/// [`Refusal::NotOfferedToYou`], or [`Refusal::OfferGone`] when it moved on.
pub fn accept(interaction: &Interaction, agent_id: Id, now: Millis) -> Result<Transition, Refusal> {
    if interaction.agent_id != Some(agent_id) {
        return Err(Refusal::NotOfferedToYou);
    }
    match interaction.state {
        InteractionState::Active => Ok(Transition::Same(interaction.clone())),
        InteractionState::Offered => Ok(Transition::To(Interaction {
            state: InteractionState::Active,
            accepted_at: Some(now),
            ..interaction.clone()
        })),
        InteractionState::Queued | InteractionState::Ended | InteractionState::Done => {
            Err(Refusal::OfferGone)
        }
    }
}

/// The agent ends an active interaction; ending an ended (or Done) one changes nothing.
///
/// # Errors
/// [`Refusal::NotYours`], [`Refusal::NotAccepted`].
pub fn end_by_agent(
    interaction: &Interaction,
    agent_id: Id,
    now: Millis,
) -> Result<Transition, Refusal> {
    owned(interaction, agent_id)?;
    match interaction.state {
        InteractionState::Ended | InteractionState::Done => {
            Ok(Transition::Same(interaction.clone()))
        }
        InteractionState::Active => Ok(Transition::To(Interaction {
            state: InteractionState::Ended,
            ended_at: Some(now),
            ended_by: Some(EndedBy::Agent),
            ..interaction.clone()
        })),
        InteractionState::Queued | InteractionState::Offered => Err(Refusal::NotAccepted),
    }
}

/// Saves the wrap-up (disposition, note) and, when asked, marks the interaction Done —
/// ending it first if it is still active.
///
/// # Errors
/// [`Refusal::NotYours`], [`Refusal::DispositionRequired`], [`Refusal::AlreadyDone`],
/// [`Refusal::NotAccepted`].
pub fn wrap_up(
    interaction: &Interaction,
    agent_id: Id,
    wrap_up: WrapUp<'_>,
    now: Millis,
) -> Result<Interaction, Refusal> {
    owned(interaction, agent_id)?;
    if wrap_up.done == Some(Completion::DispositionRequired)
        && wrap_up.disposition.is_none()
        && interaction.disposition.is_none()
    {
        return Err(Refusal::DispositionRequired);
    }
    match interaction.state {
        InteractionState::Active | InteractionState::Ended => {}
        InteractionState::Done => return Err(Refusal::AlreadyDone),
        InteractionState::Queued | InteractionState::Offered => return Err(Refusal::NotAccepted),
    }
    let mut updated = Interaction {
        disposition: wrap_up
            .disposition
            .map(str::to_owned)
            .or_else(|| interaction.disposition.clone()),
        note: wrap_up
            .note
            .map(str::to_owned)
            .or_else(|| interaction.note.clone()),
        ..interaction.clone()
    };
    if wrap_up.done.is_some() {
        updated.state = InteractionState::Done;
        updated.ended_at = updated.ended_at.or(Some(now));
        updated.ended_by = updated.ended_by.or(Some(EndedBy::Agent));
        updated.done_at = Some(now);
    }
    Ok(updated)
}

/// A message to or from an ended interaction's contact makes it active again.
#[must_use]
pub fn reactivate(interaction: &Interaction) -> Interaction {
    Interaction {
        state: InteractionState::Active,
        ended_at: None,
        ended_by: None,
        ..interaction.clone()
    }
}

/// Routing places a queued interaction with an agent: offered, or accepted at once for an
/// agent who answers automatically.
#[must_use]
pub fn offer(
    interaction: &Interaction,
    agent_id: Id,
    auto_answer: bool,
    now: Millis,
) -> Interaction {
    Interaction {
        state: if auto_answer {
            InteractionState::Active
        } else {
            InteractionState::Offered
        },
        agent_id: Some(agent_id),
        offered_at: Some(now),
        accepted_at: auto_answer.then_some(now),
        ..interaction.clone()
    }
}

/// An agent who is gone (signed out, or offline past the grace period) hands an offered or
/// active interaction back: it is queued for the next Ready agent, its transcript intact.
#[must_use]
pub fn hand_back(interaction: &Interaction) -> Interaction {
    Interaction {
        accepted_at: None,
        ..requeue(interaction)
    }
}

/// The agent declines an offer made to them: it goes back to the queue at once.
///
/// # Errors
/// [`Refusal::NotOfferedToYou`], or [`Refusal::OfferGone`] when it was accepted or moved on.
pub fn decline(interaction: &Interaction, agent_id: Id) -> Result<Interaction, Refusal> {
    if interaction.agent_id != Some(agent_id) {
        return Err(Refusal::NotOfferedToYou);
    }
    match interaction.state {
        InteractionState::Offered => Ok(requeue(interaction)),
        _ => Err(Refusal::OfferGone),
    }
}

/// An offer goes back to the queue (the agent went Not Ready, or let it lapse).
#[must_use]
pub fn requeue(interaction: &Interaction) -> Interaction {
    Interaction {
        state: InteractionState::Queued,
        agent_id: None,
        offered_at: None,
        ..interaction.clone()
    }
}

/// Whether an offer has waited longer than `timeout_ms` to be accepted.
#[must_use]
pub fn offer_lapsed(interaction: &Interaction, now: Millis, timeout_ms: i64) -> bool {
    interaction.state == InteractionState::Offered
        && interaction
            .offered_at
            .is_some_and(|offered_at| offered_at < now - timeout_ms)
}

/// Whether an active conversation has been quiet longer than `timeout_ms`: no message since
/// then (or, before the first message, since it was accepted or created).
#[must_use]
pub fn is_quiet(
    interaction: &Interaction,
    last_message_at: Option<Millis>,
    now: Millis,
    timeout_ms: i64,
) -> bool {
    let last = last_message_at
        .or(interaction.accepted_at)
        .unwrap_or(interaction.created_at);
    interaction.state == InteractionState::Active && last < now - timeout_ms
}

/// The contact went quiet: the interaction ends on their side.
#[must_use]
pub fn end_quiet(interaction: &Interaction, now: Millis) -> Interaction {
    Interaction {
        state: InteractionState::Ended,
        ended_at: Some(now),
        ended_by: Some(EndedBy::Contact),
        ..interaction.clone()
    }
}

/// Where a customer's message goes, given the contact's newest interaction not yet Done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundPlace {
    /// Into this open interaction as it is.
    Join(Interaction),
    /// Into this ended interaction, which becomes active again.
    Reactivate(Interaction),
    /// Into a new interaction, queued for routing.
    Queue,
}

/// Where a customer's message goes: the open interaction, reactivated if it ended (the
/// agent who had it keeps it); after Done, a new interaction is routed.
#[must_use]
pub fn place_inbound(open: Option<&Interaction>) -> InboundPlace {
    match open {
        Some(interaction) if interaction.state == InteractionState::Ended => {
            InboundPlace::Reactivate(reactivate(interaction))
        }
        Some(interaction) if interaction.state != InteractionState::Done => {
            InboundPlace::Join(interaction.clone())
        }
        _ => InboundPlace::Queue,
    }
}

/// What Create SMS Interaction does, given the contact's newest interaction not yet Done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// The agent's own open interaction with the contact, returned as it is.
    Existing(Interaction),
    /// The agent's own ended interaction, which becomes active again.
    Reactivate(Interaction),
    /// The interaction offered to this agent: opening it accepts it.
    Accept(Interaction),
    /// A new active interaction of this agent.
    Create,
}

/// How many chats an agent holds and may hold, for Create SMS Interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Offered and active interactions now.
    pub load: u32,
    pub max_chats: u32,
    /// The agent chose to open one beyond the limit.
    pub beyond: bool,
}

impl Capacity {
    fn admits_one_more(self) -> Result<(), Refusal> {
        if self.beyond || self.load < self.max_chats {
            Ok(())
        } else {
            Err(Refusal::AtCapacity {
                max_chats: self.max_chats,
            })
        }
    }
}

/// Create SMS Interaction: one interaction per contact at a time, within the agent's
/// capacity unless they chose to go beyond it.
///
/// # Errors
/// [`Refusal::ContactTaken`] when another agent (or the queue) holds the contact;
/// [`Refusal::AtCapacity`].
pub fn open_for_agent(
    open: Option<&Interaction>,
    agent_id: Id,
    capacity: Capacity,
    now: Millis,
) -> Result<Opening, Refusal> {
    let Some(existing) = open.filter(|open| open.state != InteractionState::Done) else {
        capacity.admits_one_more()?;
        return Ok(Opening::Create);
    };
    if existing.agent_id != Some(agent_id) {
        return Err(Refusal::ContactTaken { holder: None });
    }
    Ok(match existing.state {
        InteractionState::Ended => {
            capacity.admits_one_more()?;
            Opening::Reactivate(reactivate(existing))
        }
        InteractionState::Offered => Opening::Accept(
            accept(existing, agent_id, now)
                .map_err(|_| Refusal::ContactTaken { holder: None })?
                .into_interaction(),
        ),
        _ => Opening::Existing(existing.clone()),
    })
}

/// Write a Message outside an interaction: not while another agent holds the contact's
/// conversation (offered, active or in wrap-up), so two agents never text one customer at
/// once. A conversation waiting in the queue is nobody's yet.
///
/// # Errors
/// [`Refusal::ContactTaken`].
pub fn write_outside(open: Option<&Interaction>, agent_id: Id) -> Result<(), Refusal> {
    match open {
        Some(open)
            if matches!(
                open.state,
                InteractionState::Offered | InteractionState::Active | InteractionState::Ended
            ) && open.agent_id != Some(agent_id) =>
        {
            Err(Refusal::ContactTaken { holder: None })
        }
        _ => Ok(()),
    }
}

/// An agent writes into an interaction: it must be theirs, with this contact, and
/// accepted. An ended one becomes active again (returned); an active one is `None`.
///
/// # Errors
/// [`Refusal::NotYours`], [`Refusal::WritingIntoDone`], [`Refusal::NotAccepted`].
pub fn write_into(
    interaction: &Interaction,
    contact_id: Id,
    agent_id: Id,
) -> Result<Option<Interaction>, Refusal> {
    if interaction.contact_id != contact_id || interaction.agent_id != Some(agent_id) {
        return Err(Refusal::NotYours);
    }
    match interaction.state {
        InteractionState::Active => Ok(None),
        InteractionState::Ended => Ok(Some(reactivate(interaction))),
        InteractionState::Done => Err(Refusal::WritingIntoDone),
        InteractionState::Queued | InteractionState::Offered => Err(Refusal::NotAccepted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: Id = 1;
    const BEN: Id = 2;

    fn interaction(state: InteractionState, agent_id: Option<Id>) -> Interaction {
        Interaction {
            id: 10,
            contact_id: 20,
            state,
            agent_id,
            created_at: 1_000,
            offered_at: agent_id.map(|_| 2_000),
            accepted_at: None,
            ended_at: None,
            ended_by: None,
            done_at: None,
            disposition: None,
            note: None,
        }
    }

    #[test]
    fn accepting_an_offer_makes_it_active_once() {
        let offered = interaction(InteractionState::Offered, Some(ANA));
        let Transition::To(active) = accept(&offered, ANA, 5_000).expect("offered to ana") else {
            panic!("an offer changes when accepted");
        };
        assert_eq!(active.state, InteractionState::Active);
        assert_eq!(
            active.accepted_at,
            Some(5_000),
            "the accept time is the clock's"
        );
        assert_eq!(
            accept(&active, ANA, 6_000),
            Ok(Transition::Same(active.clone())),
            "accepting twice changes nothing"
        );
        assert_eq!(accept(&offered, BEN, 5_000), Err(Refusal::NotOfferedToYou));
        let requeued = requeue(&offered);
        assert_eq!(
            accept(&requeued, ANA, 5_000),
            Err(Refusal::NotOfferedToYou),
            "a requeued offer belongs to nobody"
        );
        let ended = interaction(InteractionState::Ended, Some(ANA));
        assert_eq!(accept(&ended, ANA, 5_000), Err(Refusal::OfferGone));
    }

    #[test]
    fn only_the_owner_ends_and_only_once_accepted() {
        let active = interaction(InteractionState::Active, Some(ANA));
        assert_eq!(end_by_agent(&active, BEN, 9_000), Err(Refusal::NotYours));
        let ended = end_by_agent(&active, ANA, 9_000)
            .expect("ana's")
            .into_interaction();
        assert_eq!(
            (ended.state, ended.ended_at, ended.ended_by),
            (InteractionState::Ended, Some(9_000), Some(EndedBy::Agent))
        );
        assert_eq!(
            end_by_agent(&ended, ANA, 10_000),
            Ok(Transition::Same(ended.clone())),
            "ending twice keeps the first end time"
        );
        let offered = interaction(InteractionState::Offered, Some(ANA));
        assert_eq!(
            end_by_agent(&offered, ANA, 9_000),
            Err(Refusal::NotAccepted)
        );
    }

    #[test]
    fn done_keeps_what_was_saved_and_needs_a_disposition_when_required() {
        let active = interaction(InteractionState::Active, Some(ANA));
        let required = WrapUp {
            done: Some(Completion::DispositionRequired),
            ..WrapUp::default()
        };
        assert_eq!(
            wrap_up(&active, ANA, required, 9_000),
            Err(Refusal::DispositionRequired),
            "no disposition now and none saved"
        );
        let saved = wrap_up(
            &active,
            ANA,
            WrapUp {
                disposition: Some("Resolved"),
                note: Some("called back"),
                done: None,
            },
            8_000,
        )
        .expect("saving is allowed while active");
        assert_eq!(saved.state, InteractionState::Active, "saving is not Done");
        let done =
            wrap_up(&saved, ANA, required, 9_000).expect("the disposition saved earlier counts");
        assert_eq!(done.state, InteractionState::Done);
        assert_eq!(done.disposition.as_deref(), Some("Resolved"));
        assert_eq!(
            done.note.as_deref(),
            Some("called back"),
            "a None note keeps the saved one"
        );
        assert_eq!(
            (done.ended_at, done.ended_by, done.done_at),
            (Some(9_000), Some(EndedBy::Agent), Some(9_000)),
            "Done on an active chat ends it first"
        );
        assert_eq!(
            wrap_up(&done, ANA, WrapUp::default(), 10_000),
            Err(Refusal::AlreadyDone)
        );
        assert_eq!(
            wrap_up(&active, BEN, WrapUp::default(), 10_000),
            Err(Refusal::NotYours)
        );
    }

    #[test]
    fn quiet_and_lapsed_are_measured_against_the_clock() {
        let mut offered = interaction(InteractionState::Offered, Some(ANA));
        offered.offered_at = Some(10_000);
        assert!(
            !offer_lapsed(&offered, 40_000, 30_000),
            "exactly the timeout is not past it"
        );
        assert!(offer_lapsed(&offered, 40_001, 30_000));
        let mut active = interaction(InteractionState::Active, Some(ANA));
        active.accepted_at = Some(10_000);
        assert!(
            !is_quiet(&active, Some(50_000), 60_000, 30_000),
            "a recent message keeps it going"
        );
        assert!(
            is_quiet(&active, None, 60_000, 30_000),
            "no message since it was accepted"
        );
        let ended = end_quiet(&active, 60_000);
        assert_eq!(
            ended.ended_by,
            Some(EndedBy::Contact),
            "the contact went quiet"
        );
        assert!(
            !is_quiet(&ended, None, 90_000, 30_000),
            "only active chats end"
        );
    }

    #[test]
    fn inbound_joins_reactivates_or_queues() {
        let active = interaction(InteractionState::Active, Some(ANA));
        assert_eq!(
            place_inbound(Some(&active)),
            InboundPlace::Join(active.clone())
        );
        let ended = end_by_agent(&active, ANA, 9_000)
            .expect("ana's")
            .into_interaction();
        let InboundPlace::Reactivate(again) = place_inbound(Some(&ended)) else {
            panic!("an ended chat takes the contact's reply");
        };
        assert_eq!(
            (again.state, again.agent_id, again.ended_at),
            (InteractionState::Active, Some(ANA), None)
        );
        let done = interaction(InteractionState::Done, Some(ANA));
        assert_eq!(
            place_inbound(Some(&done)),
            InboundPlace::Queue,
            "after Done, a new interaction"
        );
        assert_eq!(place_inbound(None), InboundPlace::Queue);
    }

    #[test]
    fn create_sms_interaction_keeps_one_interaction_per_contact() {
        assert_eq!(open_for_agent(None, ANA, ROOM, 1), Ok(Opening::Create));
        let bens = interaction(InteractionState::Active, Some(BEN));
        assert_eq!(
            open_for_agent(Some(&bens), ANA, ROOM, 1),
            Err(Refusal::ContactTaken { holder: None })
        );
        let queued = interaction(InteractionState::Queued, None);
        assert_eq!(
            open_for_agent(Some(&queued), ANA, ROOM, 1),
            Err(Refusal::ContactTaken { holder: None })
        );
        let offered = interaction(InteractionState::Offered, Some(ANA));
        let Ok(Opening::Accept(accepted)) = open_for_agent(Some(&offered), ANA, ROOM, 7) else {
            panic!("opening an offer made to me accepts it");
        };
        assert_eq!(accepted.accepted_at, Some(7));
    }

    const ROOM: Capacity = Capacity {
        load: 0,
        max_chats: 3,
        beyond: false,
    };

    #[test]
    fn create_sms_interaction_respects_capacity_unless_told_otherwise() {
        let full = Capacity { load: 3, ..ROOM };
        assert_eq!(
            open_for_agent(None, ANA, full, 1),
            Err(Refusal::AtCapacity { max_chats: 3 })
        );
        assert_eq!(
            open_for_agent(
                None,
                ANA,
                Capacity {
                    beyond: true,
                    ..full
                },
                1
            ),
            Ok(Opening::Create),
            "the agent chose to go beyond the limit"
        );
        let ended = interaction(InteractionState::Ended, Some(ANA));
        assert_eq!(
            open_for_agent(Some(&ended), ANA, full, 1),
            Err(Refusal::AtCapacity { max_chats: 3 }),
            "reopening an ended chat takes a place too"
        );
        let active = interaction(InteractionState::Active, Some(ANA));
        assert_eq!(
            open_for_agent(Some(&active), ANA, full, 1),
            Ok(Opening::Existing(active.clone())),
            "the open chat is already counted"
        );
    }

    #[test]
    fn nobody_writes_into_another_agents_conversation() {
        for state in [
            InteractionState::Offered,
            InteractionState::Active,
            InteractionState::Ended,
        ] {
            let bens = interaction(state, Some(BEN));
            assert_eq!(
                write_outside(Some(&bens), ANA),
                Err(Refusal::ContactTaken { holder: None }),
                "{state:?}"
            );
            assert_eq!(
                write_outside(Some(&bens), BEN),
                Ok(()),
                "{state:?}: his own"
            );
        }
        let queued = interaction(InteractionState::Queued, None);
        assert_eq!(write_outside(Some(&queued), ANA), Ok(()), "nobody's yet");
        let done = interaction(InteractionState::Done, Some(BEN));
        assert_eq!(write_outside(Some(&done), ANA), Ok(()));
        assert_eq!(write_outside(None, ANA), Ok(()));
    }

    #[test]
    fn decline_moves_the_offer_on_and_hand_back_queues_a_live_chat() {
        let offered = interaction(InteractionState::Offered, Some(ANA));
        assert_eq!(decline(&offered, BEN), Err(Refusal::NotOfferedToYou));
        let declined = decline(&offered, ANA).expect("offered to ana");
        assert_eq!(
            (declined.state, declined.agent_id),
            (InteractionState::Queued, None)
        );
        let mut active = interaction(InteractionState::Active, Some(ANA));
        active.accepted_at = Some(3_000);
        assert_eq!(decline(&active, ANA), Err(Refusal::OfferGone));
        let handed = hand_back(&active);
        assert_eq!(
            (
                handed.state,
                handed.agent_id,
                handed.accepted_at,
                handed.created_at
            ),
            (InteractionState::Queued, None, None, active.created_at)
        );
    }

    #[test]
    fn writing_needs_an_accepted_interaction_of_ones_own() {
        let active = interaction(InteractionState::Active, Some(ANA));
        assert_eq!(write_into(&active, 20, ANA), Ok(None));
        assert_eq!(
            write_into(&active, 21, ANA),
            Err(Refusal::NotYours),
            "another contact's"
        );
        assert_eq!(write_into(&active, 20, BEN), Err(Refusal::NotYours));
        let ended = end_by_agent(&active, ANA, 9)
            .expect("ana's")
            .into_interaction();
        assert_eq!(
            write_into(&ended, 20, ANA).map(|reactivated| reactivated.map(|i| i.state)),
            Ok(Some(InteractionState::Active)),
            "writing into an ended chat reactivates it"
        );
        let done = interaction(InteractionState::Done, Some(ANA));
        assert_eq!(write_into(&done, 20, ANA), Err(Refusal::WritingIntoDone));
        let offered = interaction(InteractionState::Offered, Some(ANA));
        assert_eq!(write_into(&offered, 20, ANA), Err(Refusal::NotAccepted));
    }
}
