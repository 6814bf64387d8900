//! The server over real HTTP, in this process on 127.0.0.1 with SQLite in a temporary
//! directory: a real group (dalek, suite 0xF001) goes through it, and every kind of bad input
//! is refused with its exact error code while the stored log stays as it was.

use std::path::Path;
use std::time::Duration;

use artmls::group::{GroupConfig, Received};
use artmls::{AnyGroup, AnyIdentity, AnyKeyPackageBundle, Provider, SuiteId};
use artmls_service::api::{ErrorCode, GroupStatus, LogEntry, MAX_BODY_BYTES};
use artmls_service::server::{RunningServer, ServerConfig, Storage, start};
use artmls_service::{ClientError, DeliveryClient};
use futures_util::StreamExt;
use rand::SeedableRng;
use rand::rngs::StdRng;

const F001: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;
const F002: SuiteId = SuiteId::P256_AES128GCM_SHA256_P256;
const GROUP: &[u8] = b"the group";

fn dalek() -> &'static dyn Provider {
    &artmls_dalek::PROVIDER
}

async fn server(directory: &Path, suites: Vec<SuiteId>) -> (RunningServer, DeliveryClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServerConfig {
        storage: Storage::Sqlite(directory.join("server.sqlite")),
        suites,
        backend: None,
        log_refusals: true,
    };
    let server = start(listener, config).await.unwrap();
    let client = DeliveryClient::new(server.url());
    (server, client)
}

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ErrorCode {
    match result {
        Err(error) => error
            .code()
            .unwrap_or_else(|| panic!("not a refusal: {error}")),
        Ok(value) => panic!("accepted: {value:?}"),
    }
}

/// A newcomer: an identity and a KeyPackage it published.
struct Newcomer {
    name: &'static [u8],
    identity: AnyIdentity,
    bundle: AnyKeyPackageBundle,
}

async fn publish(client: &DeliveryClient, name: &'static [u8], rng: &mut StdRng) -> Newcomer {
    let identity = dalek().identity(F001, name, rng).unwrap();
    let bundle = identity.key_package_with_rng(rng).unwrap();
    let published = client
        .publish_key_package(&bundle.key_package_message().unwrap())
        .await
        .unwrap();
    assert_eq!(published.identity.0, name);
    assert_eq!(published.suite, F001.0);
    Newcomer {
        name,
        identity,
        bundle,
    }
}

/// `adder` claims the newcomer's KeyPackage, commits the add through the server and posts
/// the Welcome; the newcomer claims it and joins.
async fn add(
    client: &DeliveryClient,
    adder: &mut AnyGroup,
    newcomer: Newcomer,
    rng: &mut StdRng,
) -> AnyGroup {
    let key_package = client
        .claim_key_package(newcomer.name, F001.0)
        .await
        .unwrap();
    let key_package = artmls::erased::key_package_from_message(&key_package).unwrap();
    let pending = adder.commit_add_with_rng(&[key_package], rng).unwrap();
    let commit = pending.message().to_vec();
    let welcome = pending.welcome().unwrap().to_vec();
    let submitted = client.submit(adder.group_id(), &commit).await.unwrap();
    assert_eq!(submitted.epoch, adder.epoch());
    adder.merge_pending_commit(pending).unwrap();
    let queued = client
        .post_welcome(adder.group_id(), &welcome)
        .await
        .unwrap();
    assert_eq!(queued.recipients.len(), 1);
    assert_eq!(queued.recipients[0].0, newcomer.name);
    let mut welcomes = client.claim_welcomes(newcomer.name).await.unwrap().welcomes;
    assert_eq!(welcomes.len(), 1);
    let entry = welcomes.remove(0);
    assert_eq!(entry.group_id.0, adder.group_id());
    assert!(
        client
            .claim_welcomes(newcomer.name)
            .await
            .unwrap()
            .welcomes
            .is_empty()
    );
    dalek()
        .join(
            &entry.welcome.0,
            &newcomer.bundle,
            newcomer.identity,
            GroupConfig::default(),
        )
        .unwrap()
}

/// A commit of `member`'s that the server accepted, merged.
async fn update(client: &DeliveryClient, member: &mut AnyGroup, rng: &mut StdRng) -> Vec<u8> {
    let pending = member.commit_update_with_rng(rng).unwrap();
    let commit = pending.message().to_vec();
    client.submit(member.group_id(), &commit).await.unwrap();
    member.merge_pending_commit(pending).unwrap();
    commit
}

/// Alice's group on the server, with Bob added: both at epoch 1.
async fn alice_and_bob(client: &DeliveryClient, rng: &mut StdRng) -> (AnyGroup, AnyGroup) {
    let mut alice = dalek()
        .create(F001, b"alice", GROUP, GroupConfig::default(), rng)
        .unwrap();
    let status = client
        .create_group(&alice.public_group_info().unwrap())
        .await
        .unwrap();
    assert_eq!(
        status,
        GroupStatus {
            group_id: GROUP.into(),
            suite: F001.0,
            epoch: 0,
            next_position: 0,
            members: 1,
        }
    );
    let bob = publish(client, b"bob", rng).await;
    let bob = add(client, &mut alice, bob, rng).await;
    assert_eq!((alice.epoch(), bob.epoch()), (1, 1));
    (alice, bob)
}

/// The stored log and the group's status, to compare before and after a refusal.
async fn snapshot(client: &DeliveryClient) -> (Vec<LogEntry>, GroupStatus) {
    (
        client.fetch_all(GROUP, 0).await.unwrap(),
        client.group(GROUP).await.unwrap(),
    )
}

#[tokio::test]
async fn a_group_runs_through_the_server() {
    let directory = tempfile::tempdir().unwrap();
    let (server, client) = server(directory.path(), Vec::new()).await;
    let mut rng = StdRng::seed_from_u64(1);

    // A KeyPackage is handed out once.
    let carol = publish(&client, b"carol", &mut rng).await;
    let claimed = client.claim_key_package(b"carol", F001.0).await.unwrap();
    assert_eq!(claimed, carol.bundle.key_package_message().unwrap());
    let again = client.claim_key_package(b"carol", F001.0).await;
    assert_eq!(code(again), ErrorCode::NoKeyPackage);

    let (mut alice, mut bob) = alice_and_bob(&client, &mut rng).await;
    let mut stream = Box::pin(client.stream(GROUP, 0).await.unwrap());

    // Application messages both ways, each read from the log.
    let hello = alice
        .encrypt_application_with_rng(b"hello bob", &mut rng)
        .unwrap();
    let submitted = client.submit(GROUP, &hello).await.unwrap();
    assert_eq!((submitted.position, submitted.epoch), (1, 1));
    // Bob joined in epoch 1: he reads from its first entry.
    let page = client.fetch_from_epoch(GROUP, 1).await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.next, 2);
    match bob.process_message(&page.entries[0].message.0).unwrap() {
        Received::Application { data, .. } => assert_eq!(data, b"hello bob"),
        other => panic!("{other:?}"),
    }

    // Bob updates; Alice follows through the log.
    let commit = update(&client, &mut bob, &mut rng).await;
    let page = client.fetch(GROUP, 2).await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert!(page.entries[0].commit);
    assert_eq!(page.entries[0].message.0, commit);
    assert!(matches!(
        alice.process_message(&commit).unwrap(),
        Received::Commit(_)
    ));
    assert_eq!(alice.epoch(), 2);
    let reply = bob
        .encrypt_application_with_rng(b"hello alice", &mut rng)
        .unwrap();
    client.submit(GROUP, &reply).await.unwrap();
    let page = client.fetch_from_epoch(GROUP, 2).await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].position, 3);
    match alice.process_message(&page.entries[0].message.0).unwrap() {
        Received::Application { data, .. } => assert_eq!(data, b"hello alice"),
        other => panic!("{other:?}"),
    }
    let creation = client.fetch_from_epoch(GROUP, 0).await.unwrap();
    assert_eq!(creation.entries.len(), 4);
    assert_eq!(creation.next, 4);
    let ahead = client.fetch_from_epoch(GROUP, 3).await;
    assert_eq!(code(ahead), ErrorCode::FutureEpoch);

    let status = client.group(GROUP).await.unwrap();
    assert_eq!(
        (status.epoch, status.next_position, status.members),
        (2, 4, 2)
    );

    // The stream gave the backlog, and gives what comes next.
    let log = client.fetch_all(GROUP, 0).await.unwrap();
    for expected in &log {
        let got = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(&got, expected);
    }
    update(&client, &mut alice, &mut rng).await;
    let live = tokio::time::timeout(Duration::from_secs(2), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((live.position, live.epoch, live.commit), (4, 2, true));
    // A stream from the middle starts there.
    let mut middle = Box::pin(client.stream(GROUP, 3).await.unwrap());
    let first = middle.next().await.unwrap().unwrap();
    assert_eq!(first.position, 3);

    let stats = client.stats().await.unwrap();
    assert_eq!(stats.storage, "sqlite");
    assert_eq!(
        (stats.groups, stats.messages, stats.key_packages),
        (1, 5, 0)
    );
    assert_eq!(stats.followed_groups, 1);
    assert!(stats.rss_bytes > 0);
    drop((stream, middle));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let (server, client) = server(directory.path(), vec![F001]).await;
    let mut rng = StdRng::seed_from_u64(2);
    let (mut alice, mut bob) = alice_and_bob(&client, &mut rng).await;
    let hello = alice
        .encrypt_application_with_rng(b"hello", &mut rng)
        .unwrap();
    client.submit(GROUP, &hello).await.unwrap();
    let before = snapshot(&client).await;
    let http = reqwest::Client::new();
    let messages = format!("{}/v1/groups/{}/messages", server.url(), hex::encode(GROUP));

    // Junk where a message goes.
    let junk: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
    assert_eq!(
        code(client.submit(GROUP, &junk).await),
        ErrorCode::Malformed
    );
    let commit_pending = alice.commit_update_with_rng(&mut rng).unwrap();
    let commit = commit_pending.message().to_vec();
    assert_eq!(
        code(client.submit(GROUP, &commit[..5]).await),
        ErrorCode::Malformed
    );
    assert_eq!(
        code(client.submit(GROUP, &commit[..commit.len() / 2]).await),
        ErrorCode::Malformed
    );
    // A commit whose signature was changed on the way. It ends with the signature (64 bytes
    // with Ed25519), then the confirmation tag and the membership tag (32 bytes each), each
    // after a one-byte length; the server checks the signature only (it lacks the keys of
    // the tags).
    let mut tampered = commit.clone();
    let in_signature = tampered.len() - 33 - 33 - 20;
    tampered[in_signature] ^= 1;
    assert_eq!(
        code(client.submit(GROUP, &tampered).await),
        ErrorCode::InvalidCommit
    );
    // Bad JSON, a bad group path, a body one byte too large.
    let response = http
        .post(format!("{}/v1/key-packages/claim", server.url()))
        .header("content-type", "application/json")
        .body("{\"identity\": 5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: artmls_service::api::ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::Malformed);
    for path in ["/v1/groups/not-hex", "/v1/groups/abc/messages?from=0"] {
        let response = http
            .get(format!("{}{path}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: artmls_service::api::ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error, ErrorCode::Malformed, "{path}");
    }
    let response = http
        .post(&messages)
        .body(vec![0u8; MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: artmls_service::api::ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::TooLarge);
    let response = http.get(format!("{messages}?from=x")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    // Positions past the database's integers: the request's fault, not the
    // database's (no 503 asking to try again).
    let stream = format!("{}/v1/groups/{}/stream", server.url(), hex::encode(GROUP));
    for url in [
        format!("{messages}?from={}", u64::MAX),
        format!("{stream}?from={}", u64::MAX),
    ] {
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{url}");
        let body: artmls_service::api::ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error, ErrorCode::Malformed, "{url}");
    }
    let response = http
        .get(format!("{messages}?epoch={}", u64::MAX))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let body: artmls_service::api::ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::FutureEpoch);

    // A message of this group sent to another group's path.
    let other = dalek()
        .create(
            F001,
            b"dave",
            b"another group",
            GroupConfig::default(),
            &mut rng,
        )
        .unwrap();
    client
        .create_group(&other.public_group_info().unwrap())
        .await
        .unwrap();
    assert_eq!(
        code(client.submit(b"another group", &hello).await),
        ErrorCode::WrongGroup
    );
    assert_eq!(
        code(client.submit(b"no such group", &hello).await),
        ErrorCode::WrongGroup
    );

    // An outsider's group with the same id, at the same epoch: its commit is not signed by a
    // member of the server's group.
    let mut outsider = dalek()
        .create(F001, b"mallory", GROUP, GroupConfig::default(), &mut rng)
        .unwrap();
    let pending = outsider.commit_update_with_rng(&mut rng).unwrap();
    outsider.merge_pending_commit(pending).unwrap();
    let forged = outsider.commit_update_with_rng(&mut rng).unwrap();
    assert_eq!(
        code(client.submit(GROUP, forged.message()).await),
        ErrorCode::InvalidCommit
    );
    // The same group id registered again.
    assert_eq!(
        code(
            client
                .create_group(&outsider.public_group_info().unwrap())
                .await
        ),
        ErrorCode::GroupExists
    );
    let _ = other.commit_update_with_rng(&mut rng).unwrap();

    // A replayed application message.
    assert_eq!(
        code(client.submit(GROUP, &hello).await),
        ErrorCode::Duplicate
    );
    assert_eq!(snapshot(&client).await, before);

    // Two commits for the same epoch: the first wins, the second (and a replay of the first)
    // is stale.
    let bobs = bob.commit_update_with_rng(&mut rng).unwrap();
    client.submit(GROUP, &commit).await.unwrap();
    alice.merge_pending_commit(commit_pending).unwrap();
    let stale = client.submit(GROUP, bobs.message()).await;
    match stale {
        Err(ClientError::Refused { status, body }) => {
            assert_eq!((status, body.error), (409, ErrorCode::StaleEpoch));
            assert_eq!(body.current_epoch, Some(2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        code(client.submit(GROUP, &commit).await),
        ErrorCode::StaleEpoch
    );
    // An application message of the epoch the group left.
    let late = bob.encrypt_application_with_rng(b"late", &mut rng).unwrap();
    assert_eq!(
        code(client.submit(GROUP, &late).await),
        ErrorCode::StaleEpoch
    );
    bob.process_message(&commit).unwrap();
    let before = snapshot(&client).await;
    assert_eq!((before.1.epoch, before.1.next_position), (2, 3));

    // KeyPackages: another suite, a bad signature, another key for a pinned identity.
    let p256 = artmls_providers::serving(F002)[0];
    let foreign = p256.identity(F002, b"erin", &mut rng).unwrap();
    let foreign = foreign.key_package_with_rng(&mut rng).unwrap();
    assert_eq!(
        code(
            client
                .publish_key_package(&foreign.key_package_message().unwrap())
                .await
        ),
        ErrorCode::UnsupportedSuite
    );
    let foreign_group = p256
        .create(
            F002,
            b"erin",
            b"p256 group",
            GroupConfig::default(),
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        code(
            client
                .create_group(&foreign_group.public_group_info().unwrap())
                .await
        ),
        ErrorCode::UnsupportedSuite
    );
    let frank = dalek().identity(F001, b"frank", &mut rng).unwrap();
    let mut flipped = frank
        .key_package_with_rng(&mut rng)
        .unwrap()
        .key_package_message()
        .unwrap();
    *flipped.last_mut().unwrap() ^= 1;
    assert_eq!(
        code(client.publish_key_package(&flipped).await),
        ErrorCode::InvalidKeyPackage
    );
    assert_eq!(
        code(client.publish_key_package(&junk).await),
        ErrorCode::Malformed
    );
    publish(&client, b"frank", &mut rng).await;
    let impostor = dalek().identity(F001, b"frank", &mut rng).unwrap();
    let impostor = impostor.key_package_with_rng(&mut rng).unwrap();
    assert_eq!(
        code(
            client
                .publish_key_package(&impostor.key_package_message().unwrap())
                .await
        ),
        ErrorCode::InvalidKeyPackage
    );
    assert_eq!(client.stats().await.unwrap().key_packages, 1);

    // A Welcome for a KeyPackage the server never handed out (Alice got it another way).
    let grace = dalek().identity(F001, b"grace", &mut rng).unwrap();
    let grace = grace.key_package_with_rng(&mut rng).unwrap();
    let add = alice
        .commit_add_with_rng(&[grace.key_package().clone()], &mut rng)
        .unwrap();
    assert_eq!(
        code(client.post_welcome(GROUP, add.welcome().unwrap()).await),
        ErrorCode::InvalidWelcome
    );
    assert_eq!(
        code(client.post_welcome(GROUP, &junk).await),
        ErrorCode::InvalidWelcome
    );
    assert_eq!(
        code(
            client
                .post_welcome(b"no such group", add.welcome().unwrap())
                .await
        ),
        ErrorCode::UnknownGroup
    );
    assert!(
        client
            .claim_welcomes(b"grace")
            .await
            .unwrap()
            .welcomes
            .is_empty()
    );

    assert_eq!(
        code(client.group(b"no such group").await),
        ErrorCode::UnknownGroup
    );
    assert_eq!(
        code(client.fetch(b"no such group", 0).await),
        ErrorCode::UnknownGroup
    );
    assert_eq!(snapshot(&client).await, before);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_restarted_server_keeps_its_groups() {
    let directory = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let (server, client) = server(directory.path(), Vec::new()).await;
    let (mut alice, mut bob) = alice_and_bob(&client, &mut rng).await;
    let commit = update(&client, &mut alice, &mut rng).await;
    bob.process_message(&commit).unwrap();
    let before = snapshot(&client).await;
    // A stream open at shutdown ends, and does not hold the server up.
    let mut stream = Box::pin(client.stream(GROUP, 0).await.unwrap());
    assert_eq!(stream.next().await.unwrap().unwrap(), before.0[0]);
    let started = std::time::Instant::now();
    server.shutdown().await.unwrap();
    eprintln!("shutdown took {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(1));
    let rest: Vec<_> = tokio::time::timeout(Duration::from_secs(1), stream.collect())
        .await
        .unwrap();
    assert_eq!(rest.len(), before.0.len() - 1);

    let (server, client) = self::server(directory.path(), Vec::new()).await;
    assert_eq!(client.stats().await.unwrap().followed_groups, 0);
    assert_eq!(snapshot(&client).await, before);
    assert_eq!((before.1.epoch, before.1.members), (2, 2));
    // The public state was rebuilt from the log: a stale commit is refused, a current one
    // taken, and a forged one refused.
    let stale = dalek()
        .create(F001, b"mallory", GROUP, GroupConfig::default(), &mut rng)
        .unwrap();
    let stale = stale.commit_update_with_rng(&mut rng).unwrap();
    assert_eq!(
        code(client.submit(GROUP, stale.message()).await),
        ErrorCode::StaleEpoch
    );
    let commit = update(&client, &mut bob, &mut rng).await;
    alice.process_message(&commit).unwrap();
    let status = client.group(GROUP).await.unwrap();
    assert_eq!((status.epoch, status.next_position), (3, 3));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_claims_hand_out_each_key_package_once() {
    let directory = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let (server, client) = server(directory.path(), Vec::new()).await;
    let identity = dalek().identity(F001, b"henry", &mut rng).unwrap();
    let mut published = Vec::new();
    for _ in 0..4 {
        let message = identity
            .key_package_with_rng(&mut rng)
            .unwrap()
            .key_package_message()
            .unwrap();
        client.publish_key_package(&message).await.unwrap();
        published.push(message);
    }
    let claims = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.claim_key_package(b"henry", F001.0).await })
    });
    let mut handed_out = Vec::new();
    let mut refused = 0;
    for claim in claims.collect::<Vec<_>>() {
        match claim.await.unwrap() {
            Ok(key_package) => handed_out.push(key_package),
            Err(error) => {
                assert_eq!(error.code(), Some(ErrorCode::NoKeyPackage));
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 4);
    handed_out.sort();
    published.sort();
    assert_eq!(handed_out, published);
    server.shutdown().await.unwrap();
}
