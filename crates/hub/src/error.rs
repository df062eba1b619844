//! The edge: every failure becomes `{ code, message }` with a fitting HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_proto::{ApiError, ErrorCode};

use crate::rules::Refusal;
use crate::store::StoreError;

/// An API failure on its way to the client.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub error: ApiError,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl Failure {
    /// A failure with a code and a message the agent can read.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = match code {
            ErrorCode::BadRequest | ErrorCode::InvalidNumber => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict | ErrorCode::OptedOut | ErrorCode::AtCapacity => {
                StatusCode::CONFLICT
            }
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Gone => StatusCode::GONE,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            error: ApiError::new(code, message),
            retry_after: None,
        }
    }

    /// With a `Retry-After` of `seconds`.
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 401.
    #[must_use]
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "sign in first (the session is missing or expired)",
        )
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Self {
        use parley_proto::limits::{
            MAX_ATTACHMENTS, MAX_BODY_CHARS, MAX_NOTE_CHARS, MAX_SEARCH_CHARS,
        };
        let (code, message) = match refusal {
            Refusal::NotYours => (ErrorCode::Forbidden, "this interaction is not yours".into()),
            Refusal::NotOfferedToYou => (
                ErrorCode::Conflict,
                "this interaction is not offered to you".into(),
            ),
            Refusal::OfferGone => (ErrorCode::Conflict, "this offer is no longer open".into()),
            Refusal::NotAccepted => (ErrorCode::Conflict, "accept the interaction first".into()),
            Refusal::AlreadyDone => (
                ErrorCode::Conflict,
                "this interaction is already Done".into(),
            ),
            Refusal::WritingIntoDone => (
                ErrorCode::Conflict,
                "this interaction is Done: continue from the Communication tab or create a new SMS interaction".into(),
            ),
            Refusal::DispositionRequired => (
                ErrorCode::BadRequest,
                "choose a disposition before Done".into(),
            ),
            Refusal::ContactTaken { holder: Some(holder) } => (
                ErrorCode::Conflict,
                format!("{holder} is in a conversation with this contact: only they can write to them until it is Done"),
            ),
            Refusal::ContactTaken { holder: None } => (
                ErrorCode::Conflict,
                "this contact's conversation is waiting in the queue for an agent: it will be offered to a Ready agent".into(),
            ),
            Refusal::AtCapacity { max_chats } => (
                ErrorCode::AtCapacity,
                format!("you already have {max_chats} chats open, your limit: end one first, or open this one beyond your limit"),
            ),
            Refusal::RetryCannotHelp => (
                ErrorCode::Conflict,
                "sending this text again cannot fix its error: correct the number or contact the customer another way".into(),
            ),
            Refusal::OptedOut => (
                ErrorCode::OptedOut,
                "the contact opted out of text messages (STOP); nothing can be sent until they text START".into(),
            ),
            Refusal::NotFailed => (
                ErrorCode::Conflict,
                "only a failed or undelivered message can be sent again".into(),
            ),
            Refusal::KeyTaken => (
                ErrorCode::Forbidden,
                "this client key belongs to another message".into(),
            ),
            Refusal::UploadUnavailable => (
                ErrorCode::BadRequest,
                "a picture is unknown, someone else's, or already sent; attach it again".into(),
            ),
            Refusal::TooManyPictures { count } => (
                ErrorCode::BadRequest,
                format!("{count} pictures are attached; at most {MAX_ATTACHMENTS} can go with one message"),
            ),
            Refusal::PicturesTooLarge => (
                ErrorCode::BadRequest,
                "the pictures together are larger than 5 MB, the most one message can carry".into(),
            ),
            Refusal::EmptyMessage => (ErrorCode::BadRequest, "the message is empty".into()),
            Refusal::TooLong { length } => (
                ErrorCode::BadRequest,
                format!("the message has {length} characters; at most {MAX_BODY_CHARS} can be sent"),
            ),
            Refusal::NoteTooLong => (
                ErrorCode::BadRequest,
                format!("the note is longer than {MAX_NOTE_CHARS} characters"),
            ),
            Refusal::ContactFieldTooLong => {
                (ErrorCode::BadRequest, "a contact field is too long".into())
            }
            Refusal::NotAnEmail { email } => (
                ErrorCode::BadRequest,
                format!("{email:?} is not an email address"),
            ),
            Refusal::UnknownDisposition { code } => (
                ErrorCode::BadRequest,
                format!("{code:?} is not a disposition code here"),
            ),
            Refusal::UnknownNotReadyReason { reason } => (
                ErrorCode::BadRequest,
                format!("{reason:?} is not a Not Ready reason here"),
            ),
            Refusal::SearchTooLong => (
                ErrorCode::BadRequest,
                format!("the search is longer than {MAX_SEARCH_CHARS} characters"),
            ),
            Refusal::LoginTaken { login } => {
                (ErrorCode::Conflict, format!("the login {login:?} is taken"))
            }
        };
        Self::new(code, message)
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => {
                Self::new(ErrorCode::NotFound, format!("{what} not found"))
            }
            StoreError::Refused(refusal) => refusal.into(),
            internal @ (StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_)
            | StoreError::Closed
            | StoreError::NotEmpty { .. }) => {
                tracing::error!(error = %internal, "store failure");
                Self::new(
                    ErrorCode::Internal,
                    "the hub could not complete the request; see its log",
                )
            }
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.error)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
