//! What the store's tests share: a store on each engine, agents, an inbound text, a
//! refusal.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use parley_hub::testing::TestDatabase;
use parley_hub::{
    AgentSettings, FakeClock, Inbound, InboundOutcome, Refusal, Store, StoreError, StoreOptions,
};
use parley_proto::{Agent, Role};

/// A day in the past, so the fake clock never meets the system's.
pub const START: i64 = 1_700_000_000_000;

pub async fn open(db: &TestDatabase, clock: &Arc<FakeClock>) -> Store {
    Store::open_with(
        &db.database,
        StoreOptions {
            clock: clock.clone(),
            claim_lease: Duration::from_secs(30),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap_or_else(|error| panic!("{}: the store opens: {error}", db.engine))
}

pub async fn agent(store: &Store, login: &str, auto_answer: bool, max_chats: u32) -> Agent {
    store
        .create_agent(
            login,
            &format!("Agent {login}"),
            "not a real hash",
            AgentSettings {
                role: Role::Agent,
                auto_answer,
                max_chats,
                permissions: None,
            },
        )
        .await
        .expect("the agent is created")
}

pub async fn text_in(store: &Store, sid: &str, from: &str, body: &str) -> InboundOutcome {
    store
        .receive_inbound(&Inbound {
            provider_sid: sid,
            from,
            to: "+12015550100",
            body,
            media: &[],
        })
        .await
        .expect("the text is stored")
}

pub fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> Refusal {
    match result {
        Err(StoreError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
