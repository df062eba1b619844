//! `parley-hub simulate`: the simulated carrier of a running hub, driven over its API as a
//! supervisor or admin.

use anyhow::{Context as _, bail};
use parley_proto::{Agent, Role, SimInboundRequest, SimOutboundMessage};

use super::SimulateCommand;
use crate::{Store, auth};

/// Runs `command` against the hub at `hub` in a session of `operator` (or the first admin,
/// else supervisor) that lasts while it runs.
pub(super) async fn simulate(
    store: &Store,
    hub: &str,
    operator: Option<&str>,
    command: SimulateCommand,
) -> anyhow::Result<()> {
    let operator = operator_account(store, operator).await?;
    let token = auth::new_token();
    let session = auth::token_hash(&token);
    store
        .create_session(operator.id, &session, store.now() + SESSION_MS)
        .await?;
    let outcome = drive(hub.trim_end_matches('/'), &token, command).await;
    if let Err(error) = store.delete_session(&session).await {
        tracing::warn!(%error, "the carrier's session was not ended; it expires by itself");
    }
    outcome
}

/// How long the session this command opens lasts at most.
const SESSION_MS: i64 = 5 * 60 * 1000;

/// The supervisor or admin the carrier acts as.
async fn operator_account(store: &Store, login: Option<&str>) -> anyhow::Result<Agent> {
    let accounts = store.list_agents().await?;
    let operators = |role: Role| {
        accounts
            .iter()
            .filter(move |agent| agent.role == role && !agent.disabled)
    };
    let Some(login) = login else {
        return operators(Role::Admin)
            .chain(operators(Role::Supervisor))
            .next()
            .cloned()
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the simulated carrier acts as a supervisor or an admin, and this hub has \
                     none: add one (parley-hub agent add --role supervisor …)"
                )
            });
    };
    let Some(agent) = accounts.iter().find(|agent| agent.login == login.trim()) else {
        bail!("no account has the login {login:?}");
    };
    if !matches!(agent.role, Role::Supervisor | Role::Admin) {
        bail!("{login} is an agent: the simulated carrier acts as a supervisor or an admin");
    }
    if agent.disabled {
        bail!("{login} is disabled");
    }
    Ok(agent.clone())
}

async fn drive(hub: &str, token: &str, command: SimulateCommand) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    match command {
        SimulateCommand::Inbound { from, body, media } => {
            let response = client
                .post(format!("{hub}/api/sim/inbound"))
                .bearer_auth(token)
                .json(&SimInboundRequest { from, body, media })
                .send()
                .await
                .with_context(|| format!("cannot reach the hub at {hub}"))?;
            let status = response.status();
            let text = response.text().await?;
            if status == reqwest::StatusCode::NOT_FOUND {
                bail!(
                    "the hub has no simulated carrier (404): it runs with provider = \"sim\" \
                     only, and beyond loopback only with [sim] allow_remote = true"
                );
            }
            if !status.is_success() {
                bail!("the hub refused the message ({status}): {text}");
            }
            println!("{text}");
            Ok(())
        }
        SimulateCommand::Outbox { json } => {
            let response = client
                .get(format!("{hub}/api/sim/outbox"))
                .bearer_auth(token)
                .send()
                .await
                .with_context(|| format!("cannot reach the hub at {hub}"))?;
            let status = response.status();
            if !status.is_success() {
                let text = response.text().await.unwrap_or_default();
                bail!(
                    "the hub refused ({status}): {text} (is it running with provider = \"sim\"?)"
                );
            }
            let messages: Vec<SimOutboundMessage> = response.json().await?;
            for message in messages {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "to": message.to, "from": message.from, "body": message.body,
                            "status": message.status.as_str(), "sid": message.sid,
                        })
                    );
                } else {
                    println!(
                        "{}  {} -> {}  [{}]  {}",
                        message.sid,
                        message.from,
                        message.to,
                        message.status.as_str(),
                        message.body
                    );
                }
            }
            Ok(())
        }
    }
}
