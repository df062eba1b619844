//! The one error shape at every edge, and the codes the UI branches on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Small, stable error codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The request itself is malformed or breaks a rule (empty text, too long, …).
    BadRequest,
    /// Not signed in, or the session expired.
    Unauthorized,
    /// Signed in, but not allowed.
    Forbidden,
    NotFound,
    /// The request conflicts with the current state (e.g. accepting an offer that moved on).
    Conflict,
    /// The phone number is incorrect (not a valid number, or the provider says so).
    InvalidNumber,
    /// The contact opted out of texts (STOP); nothing is sent until they text START.
    OptedOut,
    /// The agent holds as many chats as they may: Create SMS Interaction asks again with
    /// `beyondCapacity` to open one more.
    AtCapacity,
    /// Too many attempts lately (failed sign-ins): wait as `Retry-After` says.
    TooManyRequests,
    /// What was asked for is no longer kept (the event log was pruned past the cursor, or
    /// the gap is too long to replay): start again from a snapshot.
    Gone,
    /// The hub (or the provider behind it) cannot be reached right now.
    Unavailable,
    /// Something went wrong on our side; details are in the log.
    Internal,
}

/// The one error shape at every edge (HTTP and IPC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    /// Builds an error from its code and a message for the agent.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
