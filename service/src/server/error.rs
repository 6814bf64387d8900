//! Refusals as the client sees them: an [`ErrorCode`], its HTTP status, and an [`ErrorBody`].

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::{ErrorBody, ErrorCode, MAX_BODY_BYTES};

use super::store::StoreError;

/// A refused request: what the handler answers with instead of its success body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    pub(crate) current_epoch: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            current_epoch: None,
        }
    }

    /// A message for another epoch than the group's `current` one.
    pub(crate) fn wrong_epoch(current: u64, got: u64) -> Self {
        let (code, word) = if got < current {
            (ErrorCode::StaleEpoch, "stale")
        } else {
            (ErrorCode::FutureEpoch, "future")
        };
        ApiError {
            code,
            message: format!(
                "{word} epoch: the group is at epoch {current}, the message is for epoch {got}"
            ),
            current_epoch: Some(current),
        }
    }

    pub(crate) fn unknown_group() -> Self {
        ApiError::new(ErrorCode::UnknownGroup, "no group with this id")
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if let StoreError::BeyondRange(_) = error {
            return ApiError::new(ErrorCode::Malformed, error.to_string());
        }
        ApiError::new(ErrorCode::Unavailable, format!("database: {error}"))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        body_rejection(rejection.status(), rejection.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        body_rejection(rejection.status(), rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(ErrorCode::Malformed, rejection.body_text())
    }
}

/// A body the extractor could not read: too large (the body limit answers 413), or not what
/// the route takes.
fn body_rejection(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::TooLarge,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
    } else {
        ApiError::new(ErrorCode::Malformed, text)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: self.code,
            message: self.message,
            current_epoch: self.current_epoch,
        };
        let refusal = Refusal {
            code: self.code,
            message: body.message.clone(),
        };
        let mut response = (status, Json(body)).into_response();
        // For the log of refusals (see `routes::log_refusal`).
        response.extensions_mut().insert(refusal);
        response
    }
}

/// What a refusal said, kept on its response for the log.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The code as it is written in JSON (snake case).
        let code = serde_json::to_string(&self.code).unwrap_or_default();
        write!(f, "{}: {}", code.trim_matches('"'), self.message)
    }
}
