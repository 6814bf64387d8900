//! The routes of [`crate::api`] and their handlers.

use std::sync::Arc;

use artmls::AnyPublicGroup;
use artmls::ordering::MessageHeader;
use axum::body::Bytes as Body;
use axum::extract::Request;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::api::{
    Bytes, ClaimKeyPackage, ClaimWelcomes, ClaimedKeyPackage, ErrorCode, GroupStatus,
    KeyPackagePublished, LogPage, MAX_BODY_BYTES, MAX_PAGE_ENTRIES, ServerStats, Submitted,
    WelcomeEntry, WelcomeQueued, Welcomes,
};

use super::AppState;
use super::error::{ApiError, Refusal};
use super::follow::Followed;
use super::store::{Appended, EpochStart, GroupRow, NewKeyPackage, NewMessage, Published};

type Shared = State<Arc<AppState>>;
type Answer<T> = Result<T, ApiError>;

/// Every route, with the body limit, and JSON refusals for unknown routes and methods.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let router = Router::new()
        .route("/v1/key-packages", post(publish_key_package))
        .route("/v1/key-packages/claim", post(claim_key_package))
        .route("/v1/groups", post(create_group))
        .route("/v1/groups/{group}", get(group_status))
        .route("/v1/groups/{group}/messages", post(submit).get(fetch))
        .route("/v1/groups/{group}/stream", get(super::stream::stream))
        .route("/v1/groups/{group}/welcomes", post(post_welcome))
        .route("/v1/welcomes/claim", post(claim_welcomes))
        .route("/v1/stats", get(stats))
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let router = if state.log_refusals {
        router.layer(axum::middleware::from_fn(log_refusal))
    } else {
        router
    };
    router.with_state(state)
}

/// Writes one line on stderr for each refused request: method, path, status, code, why.
async fn log_refusal(request: Request, next: Next) -> Response {
    let route = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    if let Some(refusal) = response.extensions().get::<Refusal>() {
        eprintln!(
            "refused {route} ({}): {refusal}",
            response.status().as_u16()
        );
    }
    response
}

async fn no_route() -> ApiError {
    ApiError::new(ErrorCode::Malformed, "no such route or method")
}

/// The group id of a path: its hex.
pub(crate) fn path_group_id(path: Result<Path<String>, PathRejection>) -> Answer<Vec<u8>> {
    let Path(group) =
        path.map_err(|rejection| ApiError::new(ErrorCode::Malformed, rejection.body_text()))?;
    hex::decode(group).map_err(|_| {
        ApiError::new(
            ErrorCode::Malformed,
            "the group in the path is not the hex of a group id",
        )
    })
}

fn unsupported_suite(suite: u16) -> ApiError {
    ApiError::new(
        ErrorCode::UnsupportedSuite,
        format!("this server does not serve the cipher suite {suite:#06x}"),
    )
}

async fn publish_key_package(
    State(state): Shared,
    body: Result<Body, BytesRejection>,
) -> Answer<(StatusCode, Json<KeyPackagePublished>)> {
    let body = body?;
    let key_package = artmls::erased::key_package_from_message(&body)
        .map_err(|error| ApiError::new(ErrorCode::Malformed, error.to_string()))?;
    let suite = key_package.cipher_suite.0;
    let provider = state
        .suites
        .provider(suite)
        .ok_or_else(|| unsupported_suite(suite))?;
    let checked = provider
        .check_key_package(&body)
        .map_err(|error| ApiError::new(ErrorCode::InvalidKeyPackage, error.to_string()))?;
    let identity = checked.identity().ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidKeyPackage,
            "the KeyPackage's credential is not a basic credential",
        )
    })?;
    let filed = NewKeyPackage {
        identity: identity.to_vec(),
        signature_key: checked.signature_key().to_vec(),
        suite,
        reference: checked.reference.clone(),
        body: body.to_vec(),
    };
    match state.database.publish_key_package(filed.clone()).await? {
        Published::Filed { available } => Ok((
            StatusCode::CREATED,
            Json(KeyPackagePublished {
                identity: Bytes(filed.identity),
                suite,
                reference: Bytes(filed.reference),
                available,
            }),
        )),
        Published::PinnedToAnotherKey => Err(ApiError::new(
            ErrorCode::InvalidKeyPackage,
            "this identity is pinned to another signature key",
        )),
    }
}

async fn claim_key_package(
    State(state): Shared,
    body: Result<Json<ClaimKeyPackage>, JsonRejection>,
) -> Answer<Json<ClaimedKeyPackage>> {
    let Json(claim) = body?;
    state
        .database
        .claim_key_package(claim.identity.0, claim.suite)
        .await?
        .map(|key_package| {
            Json(ClaimedKeyPackage {
                key_package: Bytes(key_package),
            })
        })
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoKeyPackage,
                "no unclaimed KeyPackage of this identity and suite",
            )
        })
}

async fn create_group(
    State(state): Shared,
    body: Result<Body, BytesRejection>,
) -> Answer<(StatusCode, Json<GroupStatus>)> {
    let body = body?;
    let suite = artmls::erased::group_info_suite(&body)
        .map_err(|error| ApiError::new(ErrorCode::Malformed, error.to_string()))?
        .0;
    let provider = state
        .suites
        .provider(suite)
        .ok_or_else(|| unsupported_suite(suite))?;
    let public = provider
        .public_group(&body)
        .map_err(|error| ApiError::new(ErrorCode::InvalidGroupInfo, error.to_string()))?;
    let status = GroupStatus {
        group_id: Bytes(public.group_id().to_vec()),
        suite,
        epoch: public.epoch(),
        next_position: 0,
        members: public.member_count() as u64,
    };
    let row = GroupRow {
        suite,
        group_info: body.to_vec(),
        first_epoch: public.epoch(),
    };
    if !state
        .database
        .create_group(public.group_id().to_vec(), row)
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::GroupExists,
            "a group with this id exists already",
        ));
    }
    Ok((StatusCode::CREATED, Json(status)))
}

/// The group's public state, caught up with the log. A group that does not exist is not
/// followed: its empty entry goes, so asking for unknown ids costs no memory.
async fn caught_up<'a>(
    state: &AppState,
    followed: &'a mut Followed,
    group_id: &[u8],
) -> Answer<&'a mut AnyPublicGroup> {
    let caught_up = followed
        .catch_up(&state.database, &state.suites, group_id)
        .await;
    if let Err(error) = &caught_up
        && error.code == ErrorCode::UnknownGroup
    {
        state.following.forget(group_id);
    }
    caught_up
}

async fn group_status(
    State(state): Shared,
    group: Result<Path<String>, PathRejection>,
) -> Answer<Json<GroupStatus>> {
    let group_id = path_group_id(group)?;
    let cell = state.following.group(&group_id);
    let mut followed = cell.lock().await;
    let public = caught_up(&state, &mut followed, &group_id).await?;
    let (suite, epoch, members) = (
        public.suite().0,
        public.epoch(),
        public.member_count() as u64,
    );
    Ok(Json(GroupStatus {
        group_id: Bytes(group_id),
        suite,
        epoch,
        next_position: followed.next_position,
        members,
    }))
}

async fn submit(
    State(state): Shared,
    group: Result<Path<String>, PathRejection>,
    body: Result<Body, BytesRejection>,
) -> Answer<(StatusCode, Json<Submitted>)> {
    let group_id = path_group_id(group)?;
    let body = body?;
    let header = MessageHeader::read(&body)
        .map_err(|error| ApiError::new(ErrorCode::Malformed, error.to_string()))?;
    if header.group_id != group_id {
        return Err(ApiError::new(
            ErrorCode::WrongGroup,
            "the message is for another group than the path's",
        ));
    }
    // Run to the end even if the client goes away: between the public state's step and the
    // database's answer, the state must not be abandoned half-way.
    tokio::spawn(order(state, group_id, header, body.to_vec()))
        .await
        .map_err(|error| ApiError::new(ErrorCode::Unavailable, error.to_string()))?
}

/// Checks a message against the group's public state and appends it to the log.
async fn order(
    state: Arc<AppState>,
    group_id: Vec<u8>,
    header: MessageHeader,
    body: Vec<u8>,
) -> Answer<(StatusCode, Json<Submitted>)> {
    let cell = state.following.group(&group_id);
    let mut followed = cell.lock().await;
    let public = caught_up(&state, &mut followed, &group_id).await?;
    let current = public.epoch();
    if header.epoch != current {
        return Err(ApiError::wrong_epoch(current, header.epoch));
    }
    if header.is_commit {
        // A refused commit leaves the state as it was.
        public
            .process_commit(&body)
            .map_err(|error| ApiError::new(ErrorCode::InvalidCommit, error.to_string()))?;
    }
    let message = NewMessage {
        group_id: group_id.clone(),
        epoch: header.epoch,
        is_commit: header.is_commit,
        digest: Sha256::digest(&body).to_vec(),
        body,
    };
    let appended = state.database.append(message).await;
    if !matches!(appended, Ok(Appended::Accepted { .. })) && header.is_commit {
        // The state took a commit the log did not: rebuild it from the log on next use.
        followed.public = None;
    }
    match appended? {
        Appended::Accepted { position } => {
            // Every entry between the state's end and this one is an application message of
            // the same epoch (the database's epoch matched): none moves the public state.
            followed.next_position = position + 1;
            drop(followed);
            state.wakeups.appended(&group_id, position + 1);
            Ok((
                StatusCode::CREATED,
                Json(Submitted {
                    position,
                    epoch: header.epoch,
                }),
            ))
        }
        Appended::WrongEpoch { current } => Err(ApiError::wrong_epoch(current, header.epoch)),
        Appended::Duplicate => Err(ApiError::new(
            ErrorCode::Duplicate,
            "this exact message is in the log already",
        )),
        Appended::UnknownGroup => Err(ApiError::unknown_group()),
    }
}

/// `?from=P` or `?epoch=E`.
#[derive(Debug, Deserialize)]
pub(crate) struct LogQuery {
    from: Option<u64>,
    epoch: Option<u64>,
}

async fn fetch(
    State(state): Shared,
    group: Result<Path<String>, PathRejection>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Answer<Json<LogPage>> {
    let group_id = path_group_id(group)?;
    let Query(query) = query?;
    let from = match (query.from, query.epoch) {
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                ErrorCode::Malformed,
                "ask from a position or from an epoch, not both",
            ));
        }
        (Some(from), None) => {
            if state.database.group(group_id.clone()).await?.is_none() {
                return Err(ApiError::unknown_group());
            }
            from
        }
        (None, epoch) => {
            match state
                .database
                .epoch_start(group_id.clone(), epoch.unwrap_or(0))
                .await?
            {
                EpochStart::At(position) => position,
                EpochStart::NotReached { current } => {
                    return Err(ApiError::wrong_epoch(current, epoch.unwrap_or(0)));
                }
                EpochStart::UnknownGroup => return Err(ApiError::unknown_group()),
            }
        }
    };
    let entries = state
        .database
        .entries(group_id, from, MAX_PAGE_ENTRIES)
        .await?;
    let next = entries.last().map_or(from, |entry| entry.position + 1);
    Ok(Json(LogPage { entries, next }))
}

async fn post_welcome(
    State(state): Shared,
    group: Result<Path<String>, PathRejection>,
    body: Result<Body, BytesRejection>,
) -> Answer<(StatusCode, Json<WelcomeQueued>)> {
    let group_id = path_group_id(group)?;
    let body = body?;
    let row = state
        .database
        .group(group_id.clone())
        .await?
        .ok_or_else(ApiError::unknown_group)?;
    let (suite, references) = artmls::welcome_recipients(&body)
        .map_err(|error| ApiError::new(ErrorCode::InvalidWelcome, error.to_string()))?;
    if suite.0 != row.suite {
        return Err(ApiError::new(
            ErrorCode::InvalidWelcome,
            format!(
                "the Welcome is of the cipher suite {:#06x}, the group of {:#06x}",
                suite.0, row.suite
            ),
        ));
    }
    if references.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidWelcome,
            "the Welcome names no newcomer",
        ));
    }
    let owners = state.database.claimed_owners(references).await?;
    let mut recipients: Vec<Vec<u8>> = Vec::with_capacity(owners.len());
    for owner in owners {
        let owner = owner.ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidWelcome,
                "the Welcome names a KeyPackage this server never handed out",
            )
        })?;
        if !recipients.contains(&owner) {
            recipients.push(owner);
        }
    }
    state
        .database
        .queue_welcome(group_id, body.to_vec(), recipients.clone())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WelcomeQueued {
            recipients: recipients.into_iter().map(Bytes).collect(),
        }),
    ))
}

async fn claim_welcomes(
    State(state): Shared,
    body: Result<Json<ClaimWelcomes>, JsonRejection>,
) -> Answer<Json<Welcomes>> {
    let Json(claim) = body?;
    let welcomes = state.database.claim_welcomes(claim.identity.0).await?;
    Ok(Json(Welcomes {
        welcomes: welcomes
            .into_iter()
            .map(|(group_id, welcome)| WelcomeEntry {
                group_id: Bytes(group_id),
                welcome: Bytes(welcome),
            })
            .collect(),
    }))
}

async fn stats(State(state): Shared) -> Answer<Json<ServerStats>> {
    let counts = state.database.counts().await?;
    Ok(Json(ServerStats {
        storage: state.database.name().to_owned(),
        groups: counts.groups,
        messages: counts.messages,
        key_packages: counts.key_packages,
        followed_groups: state.following.count() as u64,
        rss_bytes: resident_memory(),
    }))
}

/// This process's resident memory from `/proc/self/status` (`VmRSS: N kB`), or 0.
fn resident_memory() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|kilobytes| kilobytes.trim().parse::<u64>().ok())
        .map_or(0, |kilobytes| kilobytes * 1024)
}
