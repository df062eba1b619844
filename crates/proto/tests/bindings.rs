//! Generates `ui/src/api/generated/api.ts` from the wire types and fails when the committed
//! file is stale. Run with `UPDATE_BINDINGS=1` (or `make bindings`) to rewrite it.

use parley_proto::{
    Agent, AgentStatus, AgentSummary, ApiError, Author, ComposeRequest, ConnectionState, Contact,
    ContactInteraction, ContactSummary, CreateInteractionRequest, DesktopPolicy, Direction,
    EndedBy, ErrorCode, Event, EventKind, Interaction, InteractionState, LoginRequest,
    LoginResponse, Media, MediaIssue, MediaState, Message, MessagePageRequest, MessageStatus,
    NotificationPrivacy, NotificationSettings, Permissions, Reachability, RevokedSessions, Role,
    RolePermissions, SearchHit, SendMessageRequest, Session, SetPasswordRequest, SetStatusRequest,
    SimInboundRequest, SimOutboundMessage, StandardResponse, StreamTicket, UpdateAgentRequest,
    UpdateContactRequest, Upload, WorkspaceSettings, WrapUpRequest,
};
use ts_rs::{Config, TS};

fn declaration<T: TS>(config: &Config) -> String {
    format!("export {}\n", T::decl(config))
}

fn generate() -> String {
    // Ids and times are i64 in Rust; they stay far below 2^53, so plain numbers in TypeScript.
    let config = Config::new().with_large_int("number");
    let declarations = [
        declaration::<AgentStatus>(&config),
        declaration::<Role>(&config),
        declaration::<Permissions>(&config),
        declaration::<Agent>(&config),
        declaration::<RolePermissions>(&config),
        declaration::<UpdateAgentRequest>(&config),
        declaration::<SetPasswordRequest>(&config),
        declaration::<RevokedSessions>(&config),
        declaration::<Reachability>(&config),
        declaration::<NotificationPrivacy>(&config),
        declaration::<NotificationSettings>(&config),
        declaration::<DesktopPolicy>(&config),
        declaration::<Contact>(&config),
        declaration::<InteractionState>(&config),
        declaration::<EndedBy>(&config),
        declaration::<Interaction>(&config),
        declaration::<Direction>(&config),
        declaration::<MessageStatus>(&config),
        declaration::<MediaState>(&config),
        declaration::<MediaIssue>(&config),
        declaration::<Media>(&config),
        declaration::<Message>(&config),
        declaration::<MessagePageRequest>(&config),
        declaration::<Upload>(&config),
        declaration::<ContactSummary>(&config),
        declaration::<Author>(&config),
        declaration::<UpdateContactRequest>(&config),
        declaration::<ContactInteraction>(&config),
        declaration::<SearchHit>(&config),
        declaration::<EventKind>(&config),
        declaration::<Event>(&config),
        declaration::<LoginRequest>(&config),
        declaration::<LoginResponse>(&config),
        declaration::<StreamTicket>(&config),
        declaration::<Session>(&config),
        declaration::<SetStatusRequest>(&config),
        declaration::<SendMessageRequest>(&config),
        declaration::<ComposeRequest>(&config),
        declaration::<SimInboundRequest>(&config),
        declaration::<SimOutboundMessage>(&config),
        declaration::<WrapUpRequest>(&config),
        declaration::<CreateInteractionRequest>(&config),
        declaration::<StandardResponse>(&config),
        declaration::<WorkspaceSettings>(&config),
        declaration::<AgentSummary>(&config),
        declaration::<ConnectionState>(&config),
        declaration::<ErrorCode>(&config),
        declaration::<ApiError>(&config),
    ];
    let mut text =
        String::from("// Generated from crates/proto by `make bindings`. Do not edit by hand.\n\n");
    text.push_str(&declarations.join("\n"));
    text.push('\n');
    text.push_str(&parley_proto::limits::typescript());
    text
}

#[test]
fn typescript_bindings_are_fresh() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/generated/api.ts");
    let generated = generate();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().expect("the bindings path has a parent"))
            .expect("create the generated folder");
        std::fs::write(&path, &generated).expect("write the bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `make bindings` and commit the result",
        path.display()
    );
}
