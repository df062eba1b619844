//! The contact center's rules as pure functions: who may do what to an interaction or a
//! message, and what it becomes. They take the rows they need and the time, and return a
//! decision or a typed [`Refusal`]; the store reads, asks a rule, writes and emits. The
//! English for a refusal lives at the edge (`error.rs`).

pub mod lifecycle;
pub mod routing;
pub mod sending;
pub mod workspace;

/// Why the hub refuses what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The interaction belongs to another agent.
    #[error("the interaction is another agent's")]
    NotYours,
    /// Accepting an interaction that is not offered to this agent.
    #[error("the interaction is not offered to this agent")]
    NotOfferedToYou,
    /// The offer moved on (it lapsed, or the agent went Not Ready).
    #[error("the offer is no longer open")]
    OfferGone,
    /// A queued or offered interaction has to be accepted first.
    #[error("the interaction is not accepted yet")]
    NotAccepted,
    /// Wrap-up of an interaction that is Done.
    #[error("the interaction is already Done")]
    AlreadyDone,
    /// Writing into a Done interaction (the conversation goes on elsewhere).
    #[error("the interaction is Done")]
    WritingIntoDone,
    /// Done without the disposition the contact center requires.
    #[error("a disposition is required")]
    DispositionRequired,
    /// Create SMS Interaction, or Write a Message, to a contact another agent (named when
    /// known) or the queue holds.
    #[error("the contact is in another agent's interaction or in the queue")]
    ContactTaken { holder: Option<String> },
    /// Create SMS Interaction past the agent's capacity, without saying so.
    #[error("the agent holds {max_chats} chats already")]
    AtCapacity { max_chats: u32 },
    /// Retry of a message whose error another try cannot fix.
    #[error("sending again cannot fix this error")]
    RetryCannotHelp,
    /// The contact texted STOP.
    #[error("the contact opted out")]
    OptedOut,
    /// Retry of a message that did not fail.
    #[error("the message did not fail")]
    NotFailed,
    /// A client key that already names another message.
    #[error("the client key names another message")]
    KeyTaken,
    /// A picture that is unknown, someone else's or already sent.
    #[error("the picture cannot be attached")]
    UploadUnavailable,
    /// More pictures than one message carries.
    #[error("{count} pictures")]
    TooManyPictures { count: usize },
    /// Pictures larger together than one message carries.
    #[error("the pictures are too large together")]
    PicturesTooLarge,
    /// A text with nothing in it.
    #[error("the message is empty")]
    EmptyMessage,
    /// A text longer than one SMS may be.
    #[error("the message has {length} characters")]
    TooLong { length: usize },
    /// A note longer than the contact center keeps.
    #[error("the note is too long")]
    NoteTooLong,
    /// A contact field longer than the contact center keeps.
    #[error("a contact field is too long")]
    ContactFieldTooLong,
    /// Not an email address.
    #[error("{email:?} is not an email address")]
    NotAnEmail { email: String },
    /// A disposition code the contact center does not use.
    #[error("{code:?} is not a disposition code")]
    UnknownDisposition { code: String },
    /// A Not Ready reason the contact center does not use.
    #[error("{reason:?} is not a Not Ready reason")]
    UnknownNotReadyReason { reason: String },
    /// A search longer than the hub takes.
    #[error("the search is too long")]
    SearchTooLong,
    /// An agent login that is taken.
    #[error("the login {login:?} is taken")]
    LoginTaken { login: String },
}
