//! The edge: every failure becomes `{ code, message }` with a fitting HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_proto::{ApiError, ErrorCode};

use crate::store::StoreError;

/// An API failure on its way to the client.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub error: ApiError,
}

impl Failure {
    /// A failure with a code and a message the agent can read.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = match code {
            ErrorCode::BadRequest | ErrorCode::InvalidNumber => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict | ErrorCode::OptedOut => StatusCode::CONFLICT,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            error: ApiError::new(code, message),
        }
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

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => {
                Self::new(ErrorCode::NotFound, format!("{what} not found"))
            }
            StoreError::Conflict(message) => Self::new(ErrorCode::Conflict, message),
            StoreError::Forbidden(message) => Self::new(ErrorCode::Forbidden, message),
            StoreError::Invalid(message) => Self::new(ErrorCode::BadRequest, message),
            opted_out @ StoreError::OptedOut => {
                Self::new(ErrorCode::OptedOut, opted_out.to_string())
            }
            internal @ (StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_)) => {
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
        (self.status, Json(self.error)).into_response()
    }
}
