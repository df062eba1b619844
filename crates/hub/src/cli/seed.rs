//! `parley-hub seed`: years of a contact center's history in an empty database, for load
//! tests and benchmarks — agents, contacts, and their finished conversations — written
//! through the store's batch import, so every row has its events as the hub's own writes do.

use std::time::Instant;

use parley_proto::{Direction, Millis, Role};
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};

use crate::store::{AgentSettings, Imported, Store, StoreError};

/// How many conversations one transaction imports.
const BATCH: usize = 250;

/// What to seed.
pub(crate) struct Seed {
    pub(crate) contacts: usize,
    pub(crate) messages: usize,
    pub(crate) agents: usize,
    /// Every seeded agent's password.
    pub(crate) password: String,
    /// How far back the history goes, in days.
    pub(crate) days: u32,
    /// The hub's number the customers texted.
    pub(crate) our_number: String,
    /// The same history for the same number.
    pub(crate) random_seed: u64,
}

/// Words the seeded texts are made of: a few very common, most rare (as a real center's
/// are), so search meets both.
const COMMON: &[&str] = &[
    "the", "order", "my", "is", "a", "to", "you", "thanks", "please", "when", "can", "it",
];
const RARE: &[&str] = &[
    "refund",
    "delivery",
    "tracking",
    "invoice",
    "address",
    "parcel",
    "courier",
    "receipt",
    "warranty",
    "exchange",
    "discount",
    "voucher",
    "subscription",
    "cancel",
    "upgrade",
    "password",
    "account",
    "billing",
    "statement",
    "appointment",
    "reschedule",
    "technician",
    "installation",
    "router",
    "signal",
    "outage",
    "coverage",
    "roaming",
    "balance",
    "top-up",
    "pharmacy",
    "prescription",
    "insurance",
    "claim",
    "policy",
    "renewal",
    "premium",
    "mortgage",
    "transfer",
    "deposit",
    "withdrawal",
    "branch",
    "overdraft",
    "fraud",
    "card",
    "pickup",
    "locker",
    "weekend",
    "tomorrow",
    "monday",
    "friday",
    "morning",
    "evening",
];
const FIRST: &[&str] = &[
    "Ada", "Bo", "Cai", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kim", "Lea", "Max",
    "Nia", "Oli", "Pia", "Quinn", "Rui", "Sam", "Tia", "Uma", "Vic", "Wes", "Xia", "Yan", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Brown", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Khan", "Lopez", "Moreau", "Nguyen", "Okafor", "Park", "Quist", "Rossi", "Silva", "Tanaka",
];

/// What was seeded.
pub(crate) struct Seeded {
    pub(crate) agents: usize,
    pub(crate) contacts: usize,
    pub(crate) messages: usize,
    pub(crate) seconds: f64,
}

/// Seeds `seed` into `store`, which must hold no contacts yet.
///
/// # Errors
/// [`StoreError`] from the store; [`StoreError::NotEmpty`] when it holds contacts.
pub(crate) async fn seed(store: &Store, seed: &Seed) -> Result<Seeded, StoreError> {
    let contacts_there = store.contact_count().await?;
    if contacts_there > 0 {
        return Err(StoreError::NotEmpty {
            table: "contacts",
            rows: contacts_there,
        });
    }
    let started = Instant::now();
    let hash = crate::auth::hash_password(&seed.password)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let mut agent_ids = Vec::with_capacity(seed.agents);
    for index in 1..=seed.agents.max(1) {
        let login = format!("agent{index:03}");
        let name = format!(
            "{} {}",
            FIRST[index % FIRST.len()],
            LAST[(index / FIRST.len()) % LAST.len()]
        );
        let agent = store
            .create_agent(
                &login,
                &name,
                &hash,
                AgentSettings {
                    role: Role::Agent,
                    auto_answer: true,
                    max_chats: 5,
                    permissions: None,
                },
            )
            .await?;
        agent_ids.push(agent.id);
    }
    let mut random = rand::rngs::StdRng::seed_from_u64(seed.random_seed);
    let now = store.now();
    let span = Millis::from(seed.days.max(1)) * 86_400_000;
    let contacts = seed.contacts.max(1);
    let mut written = 0;
    let mut next_report = Instant::now();
    for first in (0..contacts).step_by(BATCH) {
        let last = (first + BATCH).min(contacts);
        let mut owned = Vec::with_capacity(last - first);
        for index in first..last {
            // The messages spread evenly, the remainder going to the first contacts.
            let count = seed.messages / contacts + usize::from(index < seed.messages % contacts);
            let phone = format!("+1202{index:07}");
            let name = format!(
                "{} {}",
                FIRST.choose(&mut random).expect("names"),
                LAST.choose(&mut random).expect("names")
            );
            let ends = now - random.random_range(0..span);
            let mut at = ends - i64::try_from(count).unwrap_or(0) * 60_000;
            let mut lines = Vec::with_capacity(count);
            for line in 0..count {
                at += random.random_range(1_000..60_000);
                let direction = if line % 2 == 0 {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                };
                lines.push((direction, text(&mut random), at));
            }
            owned.push((phone, name, agent_ids[index % agent_ids.len()], lines));
        }
        let borrowed: Vec<Vec<(Direction, &str, Millis)>> = owned
            .iter()
            .map(|(_, _, _, lines)| {
                lines
                    .iter()
                    .map(|(direction, body, at)| (*direction, body.as_str(), *at))
                    .collect()
            })
            .collect();
        let batch: Vec<Imported<'_>> = owned
            .iter()
            .zip(&borrowed)
            .map(|((phone, name, agent_id, _), messages)| Imported {
                phone,
                name,
                agent_id: *agent_id,
                our_number: &seed.our_number,
                messages,
            })
            .collect();
        store.import_conversations(&batch).await?;
        written += borrowed.iter().map(Vec::len).sum::<usize>();
        if next_report <= Instant::now() {
            println!("seeded {last} of {contacts} contacts, {written} messages");
            next_report = Instant::now() + std::time::Duration::from_secs(10);
        }
    }
    // The planner has not seen the new rows yet: without fresh statistics its first plans
    // (PostgreSQL's above all) read every match of a search.
    store.analyze().await?;
    Ok(Seeded {
        agents: agent_ids.len(),
        contacts,
        messages: written,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A customer's or an agent's line: a few common words and one or two rare ones.
fn text(random: &mut rand::rngs::StdRng) -> String {
    let mut words = Vec::with_capacity(8);
    for _ in 0..random.random_range(3..7) {
        words.push(*COMMON.choose(random).expect("words"));
    }
    for _ in 0..random.random_range(1..3) {
        let at = random.random_range(0..=words.len());
        words.insert(at, RARE.choose(random).expect("words"));
    }
    let mut line = words.join(" ");
    if let Some(first) = line.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    line.push('.');
    line
}
