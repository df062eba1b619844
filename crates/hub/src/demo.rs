//! Demo data: an agent, a supervisor and a few contacts with history, so a newcomer sees
//! Parley work.

use parley_proto::{Direction, Role};

use crate::auth;
use crate::store::{AgentSettings, Refusal, Store, StoreError};

/// The demo agent's login and password.
pub const DEMO_LOGIN: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo";

/// The demo supervisor's login and password (the simulated carrier acts as them).
pub const DEMO_SUPERVISOR_LOGIN: &str = "lead";
pub const DEMO_SUPERVISOR_PASSWORD: &str = "lead";

/// A demo conversation: phone, name, how long ago it started (ms), and its lines.
type Conversation<'a> = (&'a str, &'a str, i64, &'a [(Direction, &'a str)]);

/// Seeds the demo agent and contacts into an empty store; does nothing otherwise.
///
/// # Errors
/// [`StoreError`] from the store.
pub async fn seed(store: &Store, our_number: &str) -> Result<bool, StoreError> {
    if !store.is_empty().await? {
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_PASSWORD)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let agent = match store
        .create_agent(
            DEMO_LOGIN,
            "Dana Demo",
            &hash,
            AgentSettings {
                role: Role::Agent,
                auto_answer: false,
                max_chats: 3,
                permissions: Some(parley_proto::Permissions {
                    save_media: true,
                    ..parley_proto::Permissions::default_for(Role::Agent)
                }),
            },
        )
        .await
    {
        Ok(agent) => agent,
        Err(StoreError::Refused(Refusal::LoginTaken { .. })) => return Ok(false),
        Err(error) => return Err(error),
    };
    let supervisor_hash = auth::hash_password(DEMO_SUPERVISOR_PASSWORD)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    store
        .create_agent(
            DEMO_SUPERVISOR_LOGIN,
            "Lee Lead",
            &supervisor_hash,
            AgentSettings {
                role: Role::Supervisor,
                auto_answer: false,
                max_chats: 3,
                permissions: None,
            },
        )
        .await?;
    let hour = 60 * 60 * 1000;
    let now = store.now();
    let conversations: [Conversation<'_>; 3] = [
        (
            "+12015550101",
            "Maria Lopez",
            26 * hour,
            &[
                (Direction::Inbound, "Hi, my order #4471 hasn't arrived yet."),
                (
                    Direction::Outbound,
                    "Sorry to hear that, Maria. Let me check the tracking for you.",
                ),
                (
                    Direction::Outbound,
                    "It's with the courier and due tomorrow before noon.",
                ),
                (Direction::Inbound, "Great, thanks!"),
            ],
        ),
        (
            "+12015550102",
            "James Chen",
            5 * hour,
            &[
                (Direction::Inbound, "Can I change my delivery address?"),
                (Direction::Outbound, "Of course. What's the new address?"),
                (Direction::Inbound, "221B Baker Street, apt 2"),
                (
                    Direction::Outbound,
                    "Done — you'll get a confirmation email shortly.",
                ),
            ],
        ),
        (
            "+12015550103",
            "Priya Natarajan",
            50 * hour,
            &[
                (Direction::Inbound, "Is the store open on Sunday?"),
                (Direction::Outbound, "Yes, from 10am to 4pm."),
            ],
        ),
    ];
    for (phone, name, age, lines) in conversations {
        let start = now - age;
        let messages: Vec<(Direction, &str, i64)> = lines
            .iter()
            .enumerate()
            .map(|(index, (direction, body))| {
                (
                    *direction,
                    *body,
                    start + i64::try_from(index).unwrap_or(0) * 90_000,
                )
            })
            .collect();
        let contact = store
            .import_conversation(phone, name, agent.id, our_number, &messages)
            .await?;
        // History the demo agent handled is read history.
        store.mark_read(agent.id, contact.id).await?;
    }
    seed_problems(store, agent.id, our_number, now).await?;
    Ok(true)
}

/// What can go wrong, to see at once: a reply to a landline the carrier could not deliver
/// (with Retry), and a contact who opted out (the composer is locked).
async fn seed_problems(
    store: &Store,
    agent_id: parley_proto::Id,
    our_number: &str,
    now: i64,
) -> Result<(), StoreError> {
    let hour = 60 * 60 * 1000;
    let start = now - 3 * hour;
    let landline = store
        .import_conversation(
            "+15005550010",
            "Lee Landline",
            agent_id,
            our_number,
            &[
                (
                    Direction::Inbound,
                    "Can you text me the invoice total?",
                    start,
                ),
                (
                    Direction::Outbound,
                    "Sure, it's $42.10, due Friday.",
                    start + 60_000,
                ),
            ],
        )
        .await?;
    if let Some(reply) = store
        .list_messages(landline.id)
        .await?
        .into_iter()
        .rfind(|message| message.direction == Direction::Outbound)
    {
        store.fail_unsent(reply.id, Some(30006)).await?;
    }
    store.mark_read(agent_id, landline.id).await?;
    let start = now - 30 * hour;
    let opted_out = store
        .import_conversation(
            "+12015550105",
            "Olivia Park",
            agent_id,
            our_number,
            &[
                (
                    Direction::Outbound,
                    "Your table for two is booked for 8pm.",
                    start,
                ),
                (Direction::Inbound, "STOP", start + 120_000),
            ],
        )
        .await?;
    store.set_contact_opted_out(opted_out.id, true).await?;
    store.mark_read(agent_id, opted_out.id).await?;
    Ok(())
}
