//! The store's interactions, run on every engine: routing, the lifecycle, the sweeps that
//! move on what nobody answers, and an agent who leaves (signing out, going offline,
//! declining) handing their conversations back. SQLite always, PostgreSQL when
//! `PARLEY_TEST_POSTGRES_URL` names a server.

mod support;

use std::sync::Arc;

use parley_hub::testing::TestDatabase;
use parley_hub::{
    Completion, FakeClock, InboundOutcome, Outbound, Refusal, Store, StoreError, WrapUp,
};
use parley_proto::{AgentStatus, EndedBy, Id, Interaction, InteractionState};
use support::{START, agent, open, refusal, text_in};

#[tokio::test]
async fn routing_offers_to_the_assigned_agent_first_and_respects_capacity() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 1).await;
        let ben = agent(&store, "ben", true, 1).await;
        text_in(&store, "SMr1", "+12015550121", "first").await;
        text_in(&store, "SMr2", "+12015550122", "second").await;
        text_in(&store, "SMr3", "+12015550123", "third").await;
        assert_eq!(
            store.route_queued().await.expect("routes"),
            0,
            "{}: nobody is Ready",
            db.engine
        );
        for agent in [&ana, &ben] {
            store
                .set_agent_status(agent.id, AgentStatus::Ready, None)
                .await
                .expect("Ready");
        }
        assert_eq!(
            store.route_queued().await.expect("routes"),
            2,
            "{}: one interaction each; the third waits",
            db.engine
        );
        let anas = store.list_interactions(ana.id).await.expect("ana's");
        let bens = store.list_interactions(ben.id).await.expect("ben's");
        assert_eq!(anas.len(), 1, "{}", db.engine);
        assert_eq!(
            anas[0].state,
            InteractionState::Offered,
            "{}: ana accepts herself",
            db.engine
        );
        assert_eq!(
            bens[0].state,
            InteractionState::Active,
            "{}: ben answers automatically",
            db.engine
        );
        let bens_contact = store.contact(bens[0].contact_id).await.expect("contact");
        assert_eq!(
            bens_contact.assigned_agent_id,
            Some(ben.id),
            "{}",
            db.engine
        );

        // Ben's contact writes again after Done: back to Ben, the agent assigned.
        store
            .end_interaction(ben.id, bens[0].id)
            .await
            .expect("ends");
        store
            .wrap_up(
                ben.id,
                bens[0].id,
                WrapUp {
                    done: Some(Completion::DispositionOptional),
                    ..WrapUp::default()
                },
            )
            .await
            .expect("done");
        store.accept(ana.id, anas[0].id).await.expect("accepts");
        store
            .end_interaction(ana.id, anas[0].id)
            .await
            .expect("ends");
        store
            .wrap_up(
                ana.id,
                anas[0].id,
                WrapUp {
                    done: Some(Completion::DispositionOptional),
                    ..WrapUp::default()
                },
            )
            .await
            .expect("done");
        assert_eq!(
            store.route_queued().await.expect("routes"),
            1,
            "{}: the third goes out",
            db.engine
        );
        text_in(&store, "SMr4", &bens_contact.phone, "me again").await;
        let placed = store.route_queued().await.expect("routes");
        let bens_now = store.list_interactions(ben.id).await.expect("ben's");
        assert!(
            placed == 1 && bens_now.iter().any(|i| i.contact_id == bens_contact.id && i.state == InteractionState::Active),
            "{}: the assigned agent gets the returning contact: {bens_now:?}",
            db.engine
        );
    }
}

#[tokio::test]
async fn the_lifecycle_refuses_with_typed_reasons() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        store
            .set_agent_status(ana.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
        text_in(&store, "SMl1", "+12015550131", "help").await;
        store.route_queued().await.expect("routes");
        let offer = store.list_interactions(ana.id).await.expect("ana's")[0].clone();
        assert_eq!(
            refusal(store.accept(ben.id, offer.id).await),
            Refusal::NotOfferedToYou,
            "{}",
            db.engine
        );
        assert_eq!(
            refusal(store.end_interaction(ana.id, offer.id).await),
            Refusal::NotAccepted,
            "{}",
            db.engine
        );
        clock.advance(1_000);
        let active = store.accept(ana.id, offer.id).await.expect("accepts");
        assert_eq!(active.accepted_at, Some(START + 1_000), "{}", db.engine);
        assert_eq!(
            store.accept(ana.id, offer.id).await.expect("again").state,
            InteractionState::Active
        );
        assert_eq!(
            refusal(store.end_interaction(ben.id, offer.id).await),
            Refusal::NotYours,
            "{}",
            db.engine
        );
        let required = WrapUp {
            done: Some(Completion::DispositionRequired),
            ..WrapUp::default()
        };
        assert_eq!(
            refusal(store.wrap_up(ana.id, offer.id, required).await),
            Refusal::DispositionRequired,
            "{}",
            db.engine
        );
        store
            .wrap_up(
                ana.id,
                offer.id,
                WrapUp {
                    disposition: Some("Resolved"),
                    ..WrapUp::default()
                },
            )
            .await
            .expect("saved");
        clock.advance(1_000);
        let done = store
            .wrap_up(ana.id, offer.id, required)
            .await
            .expect("the saved disposition counts");
        assert_eq!(
            (done.state, done.ended_by, done.done_at),
            (
                InteractionState::Done,
                Some(EndedBy::Agent),
                Some(START + 2_000)
            ),
            "{}",
            db.engine
        );
        assert_eq!(
            refusal(store.wrap_up(ana.id, offer.id, required).await),
            Refusal::AlreadyDone,
            "{}",
            db.engine
        );
        let summary = store.agent_summary(ana.id, START).await.expect("figures");
        assert_eq!(
            (summary.handled, summary.average_handle_ms),
            (1, Some(1_000)),
            "{}",
            db.engine
        );
        assert!(matches!(
            store.accept(ana.id, 9_999).await,
            Err(StoreError::NotFound("interaction"))
        ));
    }
}

#[tokio::test]
async fn a_conversation_goes_on_after_it_ended_and_starts_anew_after_done() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        store
            .set_agent_status(ana.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
        text_in(&store, "SMc1", "+12015550141", "hi").await;
        store.route_queued().await.expect("routes");
        let chat = store.list_interactions(ana.id).await.expect("ana's")[0].clone();
        store.end_interaction(ana.id, chat.id).await.expect("ends");
        let again = text_in(&store, "SMc2", "+12015550141", "one more thing").await;
        assert!(
            matches!(again, InboundOutcome::Stored { interaction_id, new_interaction: false, .. } if interaction_id == chat.id)
        );
        let reactivated = store.list_interactions(ana.id).await.expect("ana's")[0].clone();
        assert_eq!(
            (reactivated.state, reactivated.ended_at),
            (InteractionState::Active, None),
            "{}",
            db.engine
        );

        // Create SMS Interaction: the agent's own open chat is returned; another agent is refused.
        let contact_id = chat.contact_id;
        assert_eq!(
            store
                .create_interaction(ana.id, contact_id, false)
                .await
                .expect("own")
                .id,
            chat.id
        );
        assert_eq!(
            refusal(store.create_interaction(ben.id, contact_id, false).await),
            Refusal::ContactTaken {
                holder: Some("Agent ana".into())
            },
            "{}",
            db.engine
        );
        store
            .wrap_up(
                ana.id,
                chat.id,
                WrapUp {
                    done: Some(Completion::DispositionOptional),
                    ..WrapUp::default()
                },
            )
            .await
            .expect("done");
        let outbound = Outbound {
            agent_id: ana.id,
            agent_name: "Agent ana",
            contact_id,
            interaction_id: Some(chat.id),
            body: "after done",
            client_key: "key-after-done",
            from_number: "+12015550100",
            upload_ids: &[],
        };
        assert_eq!(
            refusal(store.create_outbound(&outbound).await),
            Refusal::WritingIntoDone,
            "{}",
            db.engine
        );
        let fresh = store
            .create_interaction(ben.id, contact_id, false)
            .await
            .expect("a new one");
        assert_ne!(
            fresh.id, chat.id,
            "{}: after Done, a new interaction",
            db.engine
        );
        assert_eq!(fresh.agent_id, Some(ben.id));
        assert_eq!(
            store
                .contact(contact_id)
                .await
                .expect("contact")
                .assigned_agent_id,
            Some(ben.id)
        );
        let history = store
            .contact_interactions(contact_id)
            .await
            .expect("history");
        let handlers: Vec<Option<&str>> = history.iter().map(|h| h.agent_name.as_deref()).collect();
        assert_eq!(
            handlers,
            [Some("Agent ben"), Some("Agent ana")],
            "{}: newest first, with names",
            db.engine
        );
    }
}

#[tokio::test]
async fn lapsed_offers_and_quiet_chats_move_on_by_the_clock() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let ben = agent(&store, "ben", true, 3).await;
        store
            .set_agent_status(ana.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
        text_in(&store, "SMo1", "+12015550171", "anyone?").await;
        store.route_queued().await.expect("routes");
        clock.advance(30_000);
        assert_eq!(
            store.expire_offers(30_000).await.expect("sweep"),
            0,
            "{}: not past the timeout yet",
            db.engine
        );
        clock.advance(1);
        assert_eq!(
            store.expire_offers(30_000).await.expect("sweep"),
            1,
            "{}",
            db.engine
        );
        let ana_now = store.agent(ana.id).await.expect("ana");
        assert_eq!(
            (ana_now.status, ana_now.status_reason.as_deref()),
            (AgentStatus::NotReady, Some(parley_hub::NOT_RESPONDING)),
            "{}",
            db.engine
        );
        assert!(
            store
                .list_interactions(ana.id)
                .await
                .expect("ana's")
                .is_empty(),
            "{}: the offer went back",
            db.engine
        );
        store
            .set_agent_status(ben.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
        store.route_queued().await.expect("routes");
        let chat = store.list_interactions(ben.id).await.expect("ben's")[0].clone();
        clock.advance(60_000);
        text_in(&store, "SMo2", "+12015550171", "still there?").await;
        clock.advance(59_000);
        assert_eq!(
            store.end_idle(60_000).await.expect("sweep"),
            0,
            "{}: a message 59 s ago keeps it going",
            db.engine
        );
        clock.advance(2_000);
        assert_eq!(
            store.end_idle(60_000).await.expect("sweep"),
            1,
            "{}",
            db.engine
        );
        let ended = store.list_interactions(ben.id).await.expect("ben's")[0].clone();
        assert_eq!(
            (ended.id, ended.ended_by),
            (chat.id, Some(EndedBy::Contact)),
            "{}",
            db.engine
        );
    }
}

/// The interaction a text from `phone` went into.
async fn texted(store: &Store, sid: &str, phone: &str, body: &str) -> Id {
    match text_in(store, sid, phone, body).await {
        InboundOutcome::Stored { interaction_id, .. } => interaction_id,
        other => panic!("the text is stored, not {other:?}"),
    }
}

async fn interaction(store: &Store, id: Id) -> Interaction {
    store.interaction(id).await.expect("the interaction")
}

async fn ready(store: &Store, agent_id: Id) {
    store
        .set_agent_status(agent_id, AgentStatus::Ready, None)
        .await
        .expect("Ready");
}

#[tokio::test]
async fn signing_out_hands_the_agents_conversations_back_to_routing() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        let far = START + 3_600_000;
        store
            .create_session(ana.id, "ana-desk", far)
            .await
            .expect("signed in");
        store
            .create_session(ana.id, "ana-browser", far)
            .await
            .expect("signed in");
        store
            .create_session(ben.id, "ben-desk", far)
            .await
            .expect("signed in");
        ready(&store, ana.id).await;
        let active = texted(&store, "SMo1", "+12015550901", "Where is my order?").await;
        store.route_queued().await.expect("routed");
        store.accept(ana.id, active).await.expect("accepted");
        let offered = texted(&store, "SMo2", "+12015550902", "Hello?").await;
        store.route_queued().await.expect("routed");
        assert_eq!(
            interaction(&store, offered).await.state,
            InteractionState::Offered
        );

        assert_eq!(
            store
                .sign_out(ana.id, "ana-browser")
                .await
                .expect("signed out"),
            0,
            "{}: still signed in on the desktop, ana keeps her chats",
            db.engine
        );
        assert_eq!(interaction(&store, active).await.agent_id, Some(ana.id));

        assert_eq!(
            store
                .sign_out(ana.id, "ana-desk")
                .await
                .expect("signed out"),
            2,
            "{}: the last session hands both back",
            db.engine
        );
        for id in [active, offered] {
            let back = interaction(&store, id).await;
            assert_eq!(
                (back.state, back.agent_id),
                (InteractionState::Queued, None),
                "{}",
                db.engine
            );
        }
        let ana_now = store.agent(ana.id).await.expect("ana");
        assert_eq!(
            (ana_now.status, ana_now.status_reason.as_deref()),
            (AgentStatus::NotReady, Some("Signed out")),
            "{}",
            db.engine
        );

        ready(&store, ben.id).await;
        store.route_queued().await.expect("routed");
        assert_eq!(
            interaction(&store, active).await.agent_id,
            Some(ben.id),
            "{}",
            db.engine
        );
        let next = texted(&store, "SMo3", "+12015550901", "Any news?").await;
        assert_eq!(
            next, active,
            "{}: the customer's next text joins the conversation ben now has",
            db.engine
        );
    }
}

#[tokio::test]
async fn an_agent_offline_past_the_grace_period_or_whose_session_expired_is_handed_off() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        store
            .create_session(ana.id, "ana", START + 3_600_000)
            .await
            .expect("signed in");
        store
            .create_session(ben.id, "ben", START + 90_000)
            .await
            .expect("signed in");
        store.seen(ana.id).await.expect("ana's app is linked");
        ready(&store, ana.id).await;
        ready(&store, ben.id).await;
        store
            .set_agent_status(ben.id, AgentStatus::NotReady, None)
            .await
            .expect("break");
        let chat = texted(&store, "SMg1", "+12015550911", "Hi").await;
        store.route_queued().await.expect("routed");
        assert_eq!(
            interaction(&store, chat).await.state,
            InteractionState::Active
        );
        ready(&store, ben.id).await;

        clock.advance(60_000);
        assert_eq!(
            store.hand_off_away(120_000).await.expect("swept"),
            0,
            "{}",
            db.engine
        );
        clock.advance(61_000);
        assert_eq!(
            store.hand_off_away(120_000).await.expect("swept"),
            2,
            "{}: ana's link is gone past the grace period; ben's session expired",
            db.engine
        );
        let ana_now = store.agent(ana.id).await.expect("ana");
        assert_eq!(
            (ana_now.status, ana_now.status_reason.as_deref()),
            (AgentStatus::NotReady, Some("Offline")),
            "{}",
            db.engine
        );
        let ben_now = store.agent(ben.id).await.expect("ben");
        assert_eq!(
            ben_now.status_reason.as_deref(),
            Some("Session ended"),
            "{}",
            db.engine
        );
        let back = interaction(&store, chat).await;
        assert_eq!(
            (back.state, back.agent_id),
            (InteractionState::Queued, None)
        );
        assert_eq!(
            store.hand_off_away(120_000).await.expect("swept"),
            0,
            "{}: once handed off, nothing more to do",
            db.engine
        );
    }
}

#[tokio::test]
async fn a_declined_offer_moves_on_at_once() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        ready(&store, ana.id).await;
        let chat = texted(&store, "SMd1", "+12015550921", "Hi").await;
        store.route_queued().await.expect("routed");
        assert_eq!(interaction(&store, chat).await.agent_id, Some(ana.id));
        assert_eq!(
            refusal(store.decline(ben.id, chat).await),
            Refusal::NotOfferedToYou,
            "{}",
            db.engine
        );
        ready(&store, ben.id).await;
        let declined = store.decline(ana.id, chat).await.expect("declined");
        assert_eq!(declined.state, InteractionState::Queued, "{}", db.engine);
        store.route_queued().await.expect("routed");
        assert_eq!(
            interaction(&store, chat).await.agent_id,
            Some(ben.id),
            "{}: to the other Ready agent, not back to ana",
            db.engine
        );
        assert_eq!(
            store.agent(ana.id).await.expect("ana").status,
            AgentStatus::Ready,
            "{}: declining is not letting it lapse",
            db.engine
        );
        store.accept(ben.id, chat).await.expect("accepted");
        assert_eq!(
            refusal(store.decline(ben.id, chat).await),
            Refusal::OfferGone,
            "{}",
            db.engine
        );
    }
}

#[tokio::test]
async fn a_second_agent_cannot_write_into_anothers_conversation() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        ready(&store, ana.id).await;
        let chat = texted(&store, "SMw1", "+12015550931", "Hi").await;
        store.route_queued().await.expect("routed");
        let contact_id = interaction(&store, chat).await.contact_id;
        let write = |agent_id, agent_name, interaction_id, key| Outbound {
            agent_id,
            agent_name,
            contact_id,
            interaction_id,
            body: "Hello from us",
            client_key: key,
            from_number: "+12015550100",
            upload_ids: &[],
        };
        let holder = Refusal::ContactTaken {
            holder: Some("Agent ana".into()),
        };
        assert_eq!(
            refusal(
                store
                    .create_outbound(&write(ben.id, "Agent ben", None, "w1"))
                    .await
            ),
            holder,
            "{}: Write a Message",
            db.engine
        );
        assert_eq!(
            refusal(store.create_interaction(ben.id, contact_id, false).await),
            holder,
            "{}: Create SMS Interaction",
            db.engine
        );
        let (own, _) = store
            .create_outbound(&write(ana.id, "Agent ana", Some(chat), "w2"))
            .await
            .expect("ana writes in her chat");
        assert_eq!(
            own.agent_name.as_deref(),
            Some("Agent ana"),
            "{}",
            db.engine
        );
        let transcript = store.list_messages(contact_id).await.expect("transcript");
        assert_eq!(
            transcript.last().and_then(|m| m.agent_name.as_deref()),
            Some("Agent ana"),
            "{}: the author is stored with the text",
            db.engine
        );
        let listed = store.list_contacts(ben.id).await.expect("contacts");
        let preview = listed
            .iter()
            .find(|summary| summary.contact.id == contact_id)
            .expect("the contact");
        assert_eq!(
            preview.last_message_author,
            Some(parley_proto::Author {
                agent_id: ana.id,
                name: Some("Agent ana".into())
            }),
            "{}: the list's preview names who wrote the newest text",
            db.engine
        );
    }
}

#[tokio::test]
async fn create_sms_interaction_stays_within_capacity_unless_the_agent_goes_beyond() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 1).await;
        let first = store.ensure_contact("+12015550941").await.expect("contact");
        let second = store.ensure_contact("+12015550942").await.expect("contact");
        let chat = store
            .create_interaction(ana.id, first.id, false)
            .await
            .expect("first");
        assert_eq!(
            refusal(store.create_interaction(ana.id, second.id, false).await),
            Refusal::AtCapacity { max_chats: 1 },
            "{}",
            db.engine
        );
        store
            .create_interaction(ana.id, second.id, true)
            .await
            .expect("beyond the limit, as the agent chose");
        // One opened and closed without a text is not a handled conversation.
        store
            .wrap_up(
                ana.id,
                chat.id,
                WrapUp {
                    done: Some(Completion::DispositionOptional),
                    ..WrapUp::default()
                },
            )
            .await
            .expect("done");
        let summary = store.agent_summary(ana.id, START).await.expect("figures");
        assert_eq!(summary.handled, 0, "{}", db.engine);
    }
}
