//! The simulated carrier's requests.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::MessageStatus;

/// `POST /api/sim/inbound`: inject a customer SMS into the simulated carrier.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimInboundRequest {
    pub from: String,
    pub body: String,
    /// Pictures: names of the simulated carrier's samples (`photo.jpg`, `bomb.png`, …; see
    /// `parley-hub simulate inbound --help`). Nothing else: the carrier never makes the hub
    /// fetch an address a caller chose.
    #[serde(default)]
    pub media: Vec<String>,
}

/// One message the simulated carrier was asked to send (`GET /api/sim/outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimOutboundMessage {
    pub sid: String,
    pub to: String,
    pub from: String,
    pub body: String,
    pub status: MessageStatus,
}
