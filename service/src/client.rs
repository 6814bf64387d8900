//! A client of `artmls serve`: one method per route of [`crate::api`], and the log stream.
//!
//! It only moves bytes: what a member does with them (join, process, commit) is the group's
//! business. Every refusal comes back as [`ClientError::Refused`] with the server's
//! [`ErrorBody`], so a caller matches on its [`ErrorCode`].

use futures_util::{Stream, StreamExt};
use thiserror::Error;

use crate::api::{
    ClaimKeyPackage, ClaimWelcomes, ClaimedKeyPackage, ErrorBody, ErrorCode, GroupStatus,
    KeyPackagePublished, LogEntry, LogPage, STREAM_EVENT, ServerStats, Submitted, WelcomeQueued,
    Welcomes, group_path,
};

/// Why a call failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server refused the request; the body says why and what to do.
    #[error("refused ({status}): {}", body.message)]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        body: ErrorBody,
    },
    /// No answer, or one that is not HTTP: the server is down or unreachable. Try again.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// An answer the client cannot read (not the JSON the route promises).
    #[error("unexpected answer ({status}): {detail}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        detail: String,
    },
}

impl ClientError {
    /// The server's error code, if the server refused the request.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused { body, .. } => Some(body.error),
            _ => None,
        }
    }
}

/// A connection to one server (`http://host:port`); cheap to clone.
#[derive(Debug, Clone)]
pub struct DeliveryClient {
    base: String,
    http: reqwest::Client,
}

impl DeliveryClient {
    /// A client of the server at `base` (such as `http://127.0.0.1:7878`).
    pub fn new(base: impl Into<String>) -> Self {
        DeliveryClient {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// The server's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Publishes a KeyPackage (an MLSMessage) signed by its owner.
    pub async fn publish_key_package(
        &self,
        key_package: &[u8],
    ) -> Result<KeyPackagePublished, ClientError> {
        self.post_bytes("/v1/key-packages", key_package).await
    }

    /// Takes one KeyPackage of `identity` in `suite`; the server deletes it.
    pub async fn claim_key_package(
        &self,
        identity: &[u8],
        suite: u16,
    ) -> Result<Vec<u8>, ClientError> {
        let body = ClaimKeyPackage {
            identity: identity.into(),
            suite,
        };
        let claimed: ClaimedKeyPackage = self.post_json("/v1/key-packages/claim", &body).await?;
        Ok(claimed.key_package.0)
    }

    /// Registers a group from its creator's GroupInfo (with the ratchet tree).
    pub async fn create_group(&self, group_info: &[u8]) -> Result<GroupStatus, ClientError> {
        self.post_bytes("/v1/groups", group_info).await
    }

    /// The group as the server follows it.
    pub async fn group(&self, group_id: &[u8]) -> Result<GroupStatus, ClientError> {
        let response = self
            .http
            .get(self.url(&format!("/v1/groups/{}", group_path(group_id))))
            .send()
            .await?;
        read_json(response).await
    }

    /// Submits a handshake or application message to its group's log.
    pub async fn submit(&self, group_id: &[u8], message: &[u8]) -> Result<Submitted, ClientError> {
        let path = format!("/v1/groups/{}/messages", group_path(group_id));
        self.post_bytes(&path, message).await
    }

    /// One page of the group's log from position `from`.
    pub async fn fetch(&self, group_id: &[u8], from: u64) -> Result<LogPage, ClientError> {
        let path = format!("/v1/groups/{}/messages?from={from}", group_path(group_id));
        read_json(self.http.get(self.url(&path)).send().await?).await
    }

    /// One page of the group's log from the first entry of `epoch` (where a member that
    /// joined in `epoch` starts reading).
    pub async fn fetch_from_epoch(
        &self,
        group_id: &[u8],
        epoch: u64,
    ) -> Result<LogPage, ClientError> {
        let path = format!("/v1/groups/{}/messages?epoch={epoch}", group_path(group_id));
        read_json(self.http.get(self.url(&path)).send().await?).await
    }

    /// Every entry of the group's log from `from` to its current end, page after page.
    pub async fn fetch_all(
        &self,
        group_id: &[u8],
        from: u64,
    ) -> Result<Vec<LogEntry>, ClientError> {
        let mut entries = Vec::new();
        let mut next = from;
        loop {
            let page = self.fetch(group_id, next).await?;
            let done = page.entries.is_empty();
            next = page.next;
            entries.extend(page.entries);
            if done {
                return Ok(entries);
            }
        }
    }

    /// Queues a Welcome for the newcomers it names.
    pub async fn post_welcome(
        &self,
        group_id: &[u8],
        welcome: &[u8],
    ) -> Result<WelcomeQueued, ClientError> {
        let path = format!("/v1/groups/{}/welcomes", group_path(group_id));
        self.post_bytes(&path, welcome).await
    }

    /// Takes the Welcomes queued for `identity`.
    pub async fn claim_welcomes(&self, identity: &[u8]) -> Result<Welcomes, ClientError> {
        let body = ClaimWelcomes {
            identity: identity.into(),
        };
        self.post_json("/v1/welcomes/claim", &body).await
    }

    /// What the server holds, and its memory.
    pub async fn stats(&self) -> Result<ServerStats, ClientError> {
        read_json(self.http.get(self.url("/v1/stats")).send().await?).await
    }

    /// The group's log from `from` on, as the server accepts entries: first those already in
    /// the log, then each new one as it comes. The stream ends when the connection does.
    pub async fn stream(
        &self,
        group_id: &[u8],
        from: u64,
    ) -> Result<impl Stream<Item = Result<LogEntry, ClientError>> + use<>, ClientError> {
        let path = format!("/v1/groups/{}/stream?from={from}", group_path(group_id));
        let response = self.http.get(self.url(&path)).send().await?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(refusal(status, response).await);
        }
        let mut events = EventReader::default();
        Ok(response.bytes_stream().flat_map(move |chunk| {
            let entries: Vec<Result<LogEntry, ClientError>> = match chunk {
                Ok(chunk) => events.push(&chunk, status),
                Err(error) => vec![Err(ClientError::Transport(error))],
            };
            futures_util::stream::iter(entries)
        }))
    }

    async fn post_bytes<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &[u8],
    ) -> Result<T, ClientError> {
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", "application/octet-stream")
            .body(body.to_vec())
            .send()
            .await?;
        read_json(response).await
    }

    async fn post_json<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let response = self.http.post(self.url(path)).json(body).send().await?;
        read_json(response).await
    }
}

/// Reads server-sent events from chunks that may split lines anywhere: each complete
/// `event: entry` with its `data:` line becomes one [`LogEntry`]; comments (keep-alives) and
/// other events are skipped.
#[derive(Debug, Default)]
struct EventReader {
    pending: Vec<u8>,
    event: Option<String>,
    data: String,
}

impl EventReader {
    fn push(&mut self, chunk: &[u8], status: u16) -> Vec<Result<LogEntry, ClientError>> {
        self.pending.extend_from_slice(chunk);
        let mut entries = Vec::new();
        while let Some(end) = self.pending.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                // The blank line ends an event.
                let event = self.event.take();
                let data = core::mem::take(&mut self.data);
                if event.as_deref() == Some(STREAM_EVENT) {
                    entries.push(serde_json::from_str(&data).map_err(|error| {
                        ClientError::Unexpected {
                            status,
                            detail: format!("a stream entry that is not a LogEntry: {error}"),
                        }
                    }));
                }
            } else if let Some(name) = line.strip_prefix("event:") {
                self.event = Some(name.trim().to_owned());
            } else if let Some(data) = line.strip_prefix("data:") {
                self.data.push_str(data.trim_start());
            }
        }
        entries
    }
}

async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ClientError> {
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(refusal(status, response).await);
    }
    let body = response.bytes().await?;
    serde_json::from_slice(&body).map_err(|error| ClientError::Unexpected {
        status,
        detail: error.to_string(),
    })
}

async fn refusal(status: u16, response: reqwest::Response) -> ClientError {
    match response.bytes().await {
        Ok(body) => match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(body) => ClientError::Refused { status, body },
            Err(_) => ClientError::Unexpected {
                status,
                detail: String::from_utf8_lossy(&body).into_owned(),
            },
        },
        Err(error) => ClientError::Transport(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Bytes;

    #[test]
    fn events_split_anywhere_are_read_whole() {
        let entry = LogEntry {
            position: 7,
            epoch: 2,
            commit: false,
            message: Bytes(vec![9; 40]),
        };
        let text = format!(
            ": keep-alive\n\nevent: entry\ndata: {}\n\nevent: other\ndata: x\n\n",
            serde_json::to_string(&entry).unwrap()
        );
        for split in [1, 3, 17, text.len()] {
            let mut reader = EventReader::default();
            let mut got = Vec::new();
            for chunk in text.as_bytes().chunks(split) {
                got.extend(reader.push(chunk, 200));
            }
            assert_eq!(got.len(), 1, "split {split}");
            assert_eq!(got.pop().unwrap().unwrap(), entry);
        }
        let mut reader = EventReader::default();
        let bad = reader.push(b"event: entry\ndata: {\n\n", 200);
        assert!(matches!(
            bad.as_slice(),
            [Err(ClientError::Unexpected { .. })]
        ));
    }
}
