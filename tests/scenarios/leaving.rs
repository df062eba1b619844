//! An agent who leaves hands their chats back, on the desktop: signing out of the app
//! hands them back at once; a desktop that stays offline past the grace period hands them
//! back too. The agent is then Not Ready, and the customer's next text reaches the
//! colleague who took the chat over.

use std::path::Path;
use std::sync::Arc;

use parley_client::Client;
use parley_proto::{AgentStatus, Id, Interaction, InteractionState};
use parley_scenarios::{
    FakeTwilio, RecordingSink, add_agent, desktop, eventually, init_logging, start_hub_with,
};

const CUSTOMER: &str = "+12015550171";

async fn signed_in(
    hub: &parley_hub::RunningHub,
    folder: &Path,
    login: &str,
) -> (Client, Arc<RecordingSink>) {
    let (client, sink) = desktop(&folder.join(login));
    client
        .login(&hub.base_url(), login, &format!("pass-{login}"))
        .await
        .expect("signs in");
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    (client, sink)
}

async fn offered(client: &Client, interaction_id: Option<Id>, what: &str) -> Interaction {
    eventually(what, || async {
        client
            .list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| {
                i.state == InteractionState::Offered && interaction_id.is_none_or(|id| id == i.id)
            })
    })
    .await
}

/// Ana has the customer's chat, and Ben is Ready beside her.
async fn ana_chatting(
    hub: &parley_hub::RunningHub,
    fake: &FakeTwilio,
    folder: &Path,
) -> (Client, Client, Interaction) {
    add_agent(hub, "ana", "pass-ana", false).await;
    add_agent(hub, "ben", "pass-ben", false).await;
    let (ana, _) = signed_in(hub, folder, "ana").await;
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000g1",
            CUSTOMER,
            "Where is my parcel?",
        )
        .await;
    assert_eq!(status, 200);
    let offer = offered(&ana, None, "ana's offer").await;
    let chat = ana.accept(offer.id).await.expect("accepted");
    let (ben, _) = signed_in(hub, folder, "ben").await;
    (ana, ben, chat)
}

/// Ben is offered the chat Ana had, takes it, and gets the customer's next text in it.
async fn ben_takes_over(
    hub: &parley_hub::RunningHub,
    fake: &FakeTwilio,
    ben: &Client,
    chat: &Interaction,
) {
    let again = offered(ben, Some(chat.id), "ben to be offered ana's chat").await;
    assert_eq!(again.contact_id, chat.contact_id);
    ben.accept(again.id).await.expect("ben accepts");
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000g2",
            CUSTOMER,
            "Hello, anyone?",
        )
        .await;
    assert_eq!(status, 200);
    let next = eventually("the customer's next text in ben's replica", || async {
        ben.list_messages(chat.contact_id)
            .await
            .ok()?
            .into_iter()
            .find(|message| message.body == "Hello, anyone?")
    })
    .await;
    assert_eq!(
        next.interaction_id,
        Some(chat.id),
        "it joins the chat ben has now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_of_the_desktop_hands_the_chat_to_a_ready_colleague() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    // No grace period: signing out alone hands the chat back.
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.routing.offline_grace_ms = 0;
    })
    .await;
    let (ana, ben, chat) = ana_chatting(&hub, &fake, folder.path()).await;
    let ana_id = ana.agent_id().expect("signed in");
    // The app knows when the session ends, to warn before it does.
    let ends_at = ana
        .session()
        .await
        .expect("the session")
        .and_then(|session| session.session_ends_at)
        .expect("the session's end");
    let lifetime = i64::try_from(hub_lifetime_ms()).expect("fits");
    let now = hub.store.now();
    assert!(
        ends_at > now + lifetime - 60_000 && ends_at <= now + lifetime,
        "the session ends a lifetime after sign-in ({ends_at} vs now {now})"
    );
    ana.logout().await.expect("ana signs out");
    ben_takes_over(&hub, &fake, &ben, &chat).await;
    let ana_now = hub.store.agent(ana_id).await.expect("ana");
    assert_eq!(
        (ana_now.status, ana_now.status_reason.as_deref()),
        (AgentStatus::NotReady, Some("Signed out"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_offline_past_the_grace_period_hands_its_chat_to_a_colleague() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.routing.offline_grace_ms = 1_500;
    })
    .await;
    let (ana, ben, chat) = ana_chatting(&hub, &fake, folder.path()).await;
    let ana_id = ana.agent_id().expect("signed in");
    // Ana's laptop goes offline: the app stops, and its session stays valid.
    drop(ana);
    ben_takes_over(&hub, &fake, &ben, &chat).await;
    let ana_now = hub.store.agent(ana_id).await.expect("ana");
    assert_eq!(
        (ana_now.status, ana_now.status_reason.as_deref()),
        (AgentStatus::NotReady, Some("Offline"))
    );
}

fn hub_lifetime_ms() -> u64 {
    parley_hub::config::SessionsConfig::default().lifetime_ms
}

/// "Stay signed in": the session a desktop kept (the shell keeps it in the OS keychain) is
/// resumed at the next start with the hub, or offline on the replica while the hub is
/// away; once the hub no longer honours it, resuming says so, and the desktop asks for the
/// password again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_session_resumes_online_and_offline_until_the_hub_ends_it() {
    init_logging();
    let fake = FakeTwilio::start().await;
    let folder = tempfile::tempdir().expect("a temp folder");
    let database = folder.path().join("hub.db");
    let listen: std::net::SocketAddr =
        ([127, 0, 0, 1], parley_scenarios::processes::free_port()).into();
    let hub = start_hub_with(&fake, &database, |config| config.listen = listen).await;
    let ana_id = add_agent(&hub, "ana", "pass-ana", false).await.id;
    let (first, _) = signed_in(&hub, folder.path(), "ana").await;
    let kept = first.kept_session().expect("a session to keep");
    assert_eq!((kept.login.as_str(), kept.agent_id), ("ana", ana_id));
    assert!(
        !format!("{kept:?}").contains(&kept.token),
        "the token is never logged"
    );
    drop(first);

    // The next start: no password, the same agent, and the hub answers its calls.
    let (second, _) = desktop(&folder.path().join("ana"));
    let session = second.resume(&kept).await.expect("resumed with the hub");
    assert_eq!(session.agent.id, ana_id);
    assert_eq!(
        session.agent.status,
        AgentStatus::Ready,
        "as the hub has it"
    );
    second.list_interactions().await.expect("signed in");
    drop(second);

    // The hub away: the desktop opens on its replica, as the agent left it.
    hub.stop().await;
    let (away, _) = desktop(&folder.path().join("ana"));
    let session = away.resume(&kept).await.expect("resumed offline");
    assert_eq!(session.agent.login, "ana");
    away.list_contacts()
        .await
        .expect("the replica reads offline");
    drop(away);

    // Back, and the session revoked meanwhile (signed out elsewhere, or by an admin):
    // resuming is refused, so the shell forgets it and asks for the password.
    let hub = start_hub_with(&fake, &database, |config| config.listen = listen).await;
    let revoked = hub.store.revoke_sessions(ana_id).await.expect("revoked");
    assert_eq!(revoked, 1, "the kept session was the one the hub held");
    let (third, _) = desktop(&folder.path().join("ana"));
    let refused = third
        .resume(&kept)
        .await
        .expect_err("the hub ended the session");
    assert!(refused.is_session_refused(), "{refused}");
    hub.stop().await;
}
