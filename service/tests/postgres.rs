//! Two server processes' worth of servers (in this process) on one throwaway PostgreSQL
//! database: commits for the same epoch sent to both at once are ordered once, the two
//! servers show the same log, and each one's streams carry what the other accepted.

use std::time::Duration;

use artmls::group::{GroupConfig, Received};
use artmls::{AnyGroup, Provider, SuiteId};
use artmls_service::api::{ErrorCode, LogEntry};
use artmls_service::server::{RunningServer, ServerConfig, Storage, start};
use artmls_service::testing::TempPostgres;
use artmls_service::{ClientError, DeliveryClient};
use futures_util::{Stream, StreamExt};
use rand::SeedableRng;
use rand::rngs::StdRng;

const F001: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;
const GROUP: &[u8] = b"shared group";
const ROUNDS: usize = 12;

fn dalek() -> &'static dyn Provider {
    &artmls_dalek::PROVIDER
}

async fn server(connection: String) -> (RunningServer, DeliveryClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = start(listener, ServerConfig::new(Storage::Postgres(connection)))
        .await
        .unwrap();
    let client = DeliveryClient::new(server.url());
    (server, client)
}

async fn next_entry(
    stream: &mut (impl Stream<Item = Result<LogEntry, ClientError>> + Unpin),
) -> LogEntry {
    tokio::time::timeout(Duration::from_secs(3), stream.next())
        .await
        .expect("no entry on the stream in time")
        .expect("the stream ended")
        .expect("a bad stream entry")
}

/// Alice (on server A) creates the group and adds Bob (who talks to server B).
async fn alice_and_bob(
    a: &DeliveryClient,
    b: &DeliveryClient,
    rng: &mut StdRng,
) -> (AnyGroup, AnyGroup) {
    let mut alice = dalek()
        .create(F001, b"alice", GROUP, GroupConfig::default(), rng)
        .unwrap();
    a.create_group(&alice.public_group_info().unwrap())
        .await
        .unwrap();
    let bob_identity = dalek().identity(F001, b"bob", rng).unwrap();
    let bundle = bob_identity.key_package_with_rng(rng).unwrap();
    b.publish_key_package(&bundle.key_package_message().unwrap())
        .await
        .unwrap();
    let key_package = a.claim_key_package(b"bob", F001.0).await.unwrap();
    let key_package = artmls::erased::key_package_from_message(&key_package).unwrap();
    let pending = alice.commit_add_with_rng(&[key_package], rng).unwrap();
    a.submit(GROUP, pending.message()).await.unwrap();
    a.post_welcome(GROUP, pending.welcome().unwrap())
        .await
        .unwrap();
    alice.merge_pending_commit(pending).unwrap();
    let welcome = b.claim_welcomes(b"bob").await.unwrap().welcomes.remove(0);
    let bob = dalek()
        .join(
            &welcome.welcome.0,
            &bundle,
            bob_identity,
            GroupConfig::default(),
        )
        .unwrap();
    (alice, bob)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_keep_one_order() {
    let Some(postgres) = TempPostgres::start_unless_missing().unwrap() else {
        return;
    };
    // Both start on the empty database at once: creating the schema must not race.
    let ((server_a, a), (server_b, b)) = tokio::join!(
        server(postgres.connection_string()),
        server(postgres.connection_string())
    );
    let mut rng = StdRng::seed_from_u64(7);
    let (mut alice, mut bob) = alice_and_bob(&a, &b, &mut rng).await;
    // B's stream, opened now: it must carry A's entries too.
    let mut stream_b = Box::pin(b.stream(GROUP, 0).await.unwrap());

    for round in 0..ROUNDS {
        let epoch = alice.epoch();
        assert_eq!(bob.epoch(), epoch, "round {round}");
        let alices = alice.commit_update_with_rng(&mut rng).unwrap();
        let bobs = bob.commit_update_with_rng(&mut rng).unwrap();
        let (to_a, to_b) = tokio::join!(
            a.submit(GROUP, alices.message()),
            b.submit(GROUP, bobs.message())
        );
        let (winner, loser) = match (&to_a, &to_b) {
            (Ok(_), Err(error)) => {
                assert_eq!(error.code(), Some(ErrorCode::StaleEpoch), "round {round}");
                (alices.message().to_vec(), &mut bob)
            }
            (Err(error), Ok(_)) => {
                assert_eq!(error.code(), Some(ErrorCode::StaleEpoch), "round {round}");
                (bobs.message().to_vec(), &mut alice)
            }
            other => panic!("round {round}: not one winner: {other:?}"),
        };
        let Ok(submitted) = to_a.as_ref().or(to_b.as_ref()) else {
            unreachable!()
        };
        assert_eq!(submitted.epoch, epoch);
        // The loser processes the winner's commit from the log; the winner merges its own.
        let entry = b
            .fetch(GROUP, submitted.position)
            .await
            .unwrap()
            .entries
            .remove(0);
        assert_eq!(entry.message.0, winner);
        assert!(matches!(
            loser.process_message(&entry.message.0).unwrap(),
            Received::Commit(_)
        ));
        if to_a.is_ok() {
            alice.merge_pending_commit(alices).unwrap();
        } else {
            bob.merge_pending_commit(bobs).unwrap();
        }
        assert_eq!((alice.epoch(), bob.epoch()), (epoch + 1, epoch + 1));
    }

    let log_a = a.fetch_all(GROUP, 0).await.unwrap();
    let log_b = b.fetch_all(GROUP, 0).await.unwrap();
    assert_eq!(log_a, log_b);
    assert_eq!(log_a.len(), 1 + ROUNDS);
    for (position, entry) in log_a.iter().enumerate() {
        assert_eq!(entry.position, position as u64);
        assert_eq!(entry.epoch, position as u64);
        assert!(entry.commit);
    }
    let (status_a, status_b) = (a.group(GROUP).await.unwrap(), b.group(GROUP).await.unwrap());
    assert_eq!(status_a, status_b);
    assert_eq!(status_a.epoch, 1 + ROUNDS as u64);

    for expected in &log_a {
        assert_eq!(&next_entry(&mut stream_b).await, expected);
    }
    // An entry only A sees being accepted reaches B's stream at once (through NOTIFY, well
    // before a stream would look on its own).
    let hello = alice
        .encrypt_application_with_rng(b"hello", &mut rng)
        .unwrap();
    let submitted = a.submit(GROUP, &hello).await.unwrap();
    let live = tokio::time::timeout(Duration::from_secs(2), stream_b.next())
        .await
        .expect("A's entry did not reach B's stream")
        .unwrap()
        .unwrap();
    assert_eq!(live.position, submitted.position);
    match bob.process_message(&live.message.0).unwrap() {
        Received::Application { data, .. } => assert_eq!(data, b"hello"),
        other => panic!("{other:?}"),
    }
    // The same bytes through the other server are a replay.
    assert_eq!(
        b.submit(GROUP, &hello).await.unwrap_err().code(),
        Some(ErrorCode::Duplicate)
    );
    let stats = b.stats().await.unwrap();
    assert_eq!(stats.storage, "postgres");
    assert_eq!((stats.groups, stats.messages), (1, 2 + ROUNDS as u64));

    drop(stream_b);
    server_a.shutdown().await.unwrap();
    server_b.shutdown().await.unwrap();
}
