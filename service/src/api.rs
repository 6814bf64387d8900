//! The HTTP interface between `artmls serve` and its clients: the routes, and the JSON bodies
//! both sides read and write.
//!
//! MLS messages travel as they are (`application/octet-stream` request bodies); in JSON they
//! are base64 strings ([`Bytes`]). A group appears in a path as the hex of its id.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /v1/key-packages` | a KeyPackage (MLSMessage) | 201 [`KeyPackagePublished`] |
//! | `POST /v1/key-packages/claim` | [`ClaimKeyPackage`] | 200 [`ClaimedKeyPackage`] (consumed) |
//! | `POST /v1/groups` | a GroupInfo (MLSMessage) with the ratchet tree | 201 [`GroupStatus`] |
//! | `GET /v1/groups/{group}` | | 200 [`GroupStatus`] |
//! | `POST /v1/groups/{group}/messages` | a PublicMessage or PrivateMessage | 201 [`Submitted`] |
//! | `GET /v1/groups/{group}/messages?from=P` or `?epoch=E` | | 200 [`LogPage`] |
//! | `GET /v1/groups/{group}/stream?from=P` | | server-sent events, one [`LogEntry`] each |
//! | `POST /v1/groups/{group}/welcomes` | a Welcome (MLSMessage) | 201 [`WelcomeQueued`] |
//! | `POST /v1/welcomes/claim` | [`ClaimWelcomes`] | 200 [`Welcomes`] (consumed) |
//! | `GET /v1/stats` | | 200 [`ServerStats`] |
//!
//! Every refusal is a 4xx status with an [`ErrorBody`], whose [`ErrorCode`] says what the
//! caller can do about it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest request body the server reads, in bytes (an add of about a thousand
/// KeyPackages fits). A larger one is refused with 413 before it is read in full.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The most log entries one [`LogPage`] holds; ask again from [`LogPage::next`] for more.
pub const MAX_PAGE_ENTRIES: usize = 1000;

/// The name of each server-sent event that carries a [`LogEntry`].
pub const STREAM_EVENT: &str = "entry";

/// Binary data, written in JSON as a base64 string (standard alphabet, padded).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Bytes(pub Vec<u8>);

impl core::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

impl From<&[u8]> for Bytes {
    fn from(bytes: &[u8]) -> Self {
        Bytes(bytes.to_vec())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// A group id as it appears in a path: lowercase hex.
pub fn group_path(group_id: &[u8]) -> String {
    hex::encode(group_id)
}

/// A KeyPackage the server checked and filed (`POST /v1/key-packages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPackagePublished {
    /// The identity of its basic credential.
    pub identity: Bytes,
    /// Its cipher suite.
    pub suite: u16,
    /// Its `KeyPackageRef`.
    pub reference: Bytes,
    /// How many unclaimed KeyPackages of this identity and suite the server now holds.
    pub available: u64,
}

/// Asks for one KeyPackage of `identity` in `suite` (`POST /v1/key-packages/claim`). The one
/// handed out is deleted: each is used once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimKeyPackage {
    /// Whose.
    pub identity: Bytes,
    /// For which cipher suite.
    pub suite: u16,
}

/// The KeyPackage handed out (an MLSMessage), as its owner published it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimedKeyPackage {
    /// The KeyPackage.
    pub key_package: Bytes,
}

/// A group as the server follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupStatus {
    /// The group id.
    pub group_id: Bytes,
    /// Its cipher suite.
    pub suite: u16,
    /// The epoch the next commit must be for.
    pub epoch: u64,
    /// The position the next message will get in the group's log.
    pub next_position: u64,
    /// The number of members in the public tree.
    pub members: u64,
}

/// A message the server put in a group's log (`POST /v1/groups/{group}/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// Its position in the group's log (the first message is at 0).
    pub position: u64,
    /// The epoch it was sent in.
    pub epoch: u64,
}

/// One entry of a group's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Its position.
    pub position: u64,
    /// The epoch it was sent in.
    pub epoch: u64,
    /// Whether it is a commit (the group's next entry is in `epoch + 1`).
    pub commit: bool,
    /// The MLSMessage, as it was submitted.
    pub message: Bytes,
}

/// Consecutive entries of a group's log (`GET /v1/groups/{group}/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    /// The entries, in log order; at most [`MAX_PAGE_ENTRIES`].
    pub entries: Vec<LogEntry>,
    /// The position to ask from next; equal to the group's next position once the page
    /// reaches the end of the log.
    pub next: u64,
}

/// A Welcome the server queued for its newcomers (`POST /v1/groups/{group}/welcomes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeQueued {
    /// The identities it was queued for: the owners of the KeyPackages it names.
    pub recipients: Vec<Bytes>,
}

/// Asks for the Welcomes queued for `identity` (`POST /v1/welcomes/claim`); they are handed
/// out once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimWelcomes {
    /// Whose.
    pub identity: Bytes,
}

/// One queued Welcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeEntry {
    /// The group it is for, as its sender named it.
    pub group_id: Bytes,
    /// The Welcome (an MLSMessage).
    pub welcome: Bytes,
}

/// The Welcomes queued for an identity, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcomes {
    /// The Welcomes.
    pub welcomes: Vec<WelcomeEntry>,
}

/// What a server holds and uses (`GET /v1/stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStats {
    /// `"sqlite"` or `"postgres"`.
    pub storage: String,
    /// Groups in the database.
    pub groups: u64,
    /// Log entries in the database, over all groups.
    pub messages: u64,
    /// Unclaimed KeyPackages.
    pub key_packages: u64,
    /// Groups whose public state this process holds in memory.
    pub followed_groups: u64,
    /// This process's resident memory, in bytes (0 where the system does not say).
    pub rss_bytes: u64,
}

/// Why a request was refused, and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not what the route takes (not an MLSMessage of the right kind, not
    /// JSON of the right shape). Do not send it again.
    Malformed,
    /// 413: the body is larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// 404: no group with this id. Create it first.
    UnknownGroup,
    /// 404: no unclaimed KeyPackage of this identity and suite. Ask its owner to publish more.
    NoKeyPackage,
    /// 409: a group with this id exists already.
    GroupExists,
    /// 409: another commit took this epoch first, or the message is for an epoch the group
    /// left. Fetch the log, process it, and send again in the current epoch.
    StaleEpoch,
    /// 409: the message is for an epoch the group has not reached.
    FutureEpoch,
    /// 409: this exact message is in the log already (a replay).
    Duplicate,
    /// 422: the message's group id is not the group of the path.
    WrongGroup,
    /// 422: the commit does not check out against the group's public state: not signed by a
    /// current member, or a tree change or LeafNode against the rules. Nothing was ordered.
    InvalidCommit,
    /// 422: the KeyPackage's signatures do not verify, its credential is not a basic one, or
    /// its identity is pinned to another signature key.
    InvalidKeyPackage,
    /// 422: the GroupInfo does not check out (signature, tree, LeafNodes).
    InvalidGroupInfo,
    /// 422: the Welcome does not decode, is of another suite than the group, or names a
    /// KeyPackage the server never handed out.
    InvalidWelcome,
    /// 422: the server does not serve this cipher suite.
    UnsupportedSuite,
    /// 503: the database failed; nothing was written. Try again later.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status the server answers with.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Malformed => 400,
            ErrorCode::UnknownGroup | ErrorCode::NoKeyPackage => 404,
            ErrorCode::GroupExists
            | ErrorCode::StaleEpoch
            | ErrorCode::FutureEpoch
            | ErrorCode::Duplicate => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::WrongGroup
            | ErrorCode::InvalidCommit
            | ErrorCode::InvalidKeyPackage
            | ErrorCode::InvalidGroupInfo
            | ErrorCode::InvalidWelcome
            | ErrorCode::UnsupportedSuite => 422,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// The body of every refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub error: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// For [`ErrorCode::StaleEpoch`] and [`ErrorCode::FutureEpoch`]: the group's epoch at
    /// the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_epoch: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_base64_in_json() {
        let entry = LogEntry {
            position: 3,
            epoch: 1,
            commit: true,
            message: Bytes(vec![0, 1, 2, 255]),
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert!(json.contains("\"message\":\"AAEC/w==\""), "{json}");
        assert_eq!(serde_json::from_str::<LogEntry>(&json).unwrap(), entry);
        assert!(serde_json::from_str::<Bytes>("\"not base64!\"").is_err());
    }

    #[test]
    fn error_codes_are_snake_case_with_their_status() {
        let body = ErrorBody {
            error: ErrorCode::StaleEpoch,
            message: "stale".into(),
            current_epoch: Some(4),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert!(json.contains("\"error\":\"stale_epoch\""), "{json}");
        assert_eq!(ErrorCode::StaleEpoch.status(), 409);
        assert_eq!(ErrorCode::TooLarge.status(), 413);
        assert_eq!(ErrorCode::InvalidCommit.status(), 422);
    }
}
