//! `Debug` of a group, its identity and KeyPackage bundle, and of the persisted bytes shows
//! none of the member's secrets.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{Group, GroupConfig, Identity};
use artmls_crypto::SignatureScheme;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
type Ed25519 = artmls_dalek::Ed25519;

fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Fails if `shown` contains `secret` as hex, or any 8 bytes of it in a row as hex or as a
/// Rust byte list.
fn assert_not_shown(what: &str, shown: &str, secret: &[u8]) {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let list = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for window in secret.windows(8.min(secret.len())) {
        assert!(!shown.contains(&hex(window)), "{what} shows secret bytes");
        assert!(!shown.contains(&list(window)), "{what} shows secret bytes");
    }
}

#[test]
fn debug_shows_no_secret() {
    let mut rng = seeded(3);
    let alice = Identity::<Suite>::new_with_rng("alice", &mut rng);
    let bob = Identity::<Suite>::new_with_rng("bob", &mut rng);
    let bob_signing_key = bob.signing_key_bytes();
    let bundle = bob.key_package_with_rng(&mut rng).expect("key package");
    let (alice_group, welcome) = Group::<Suite>::initiate_with_rng(
        alice,
        b"group".to_vec(),
        std::slice::from_ref(bundle.key_package()),
        GroupConfig::default(),
        &mut rng,
    )
    .expect("initiate");
    let init_key = bundle.init_private_key().clone();
    let shown_bundle = format!("{bundle:?} {:?} {bob:?}", bob.signing_key());
    let bob_group =
        Group::<Suite>::join(&welcome, &bundle, bob, GroupConfig::default()).expect("join");

    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        ("bob's signing key", bob_signing_key.as_bytes().to_vec()),
        ("bob's init key", init_key.as_bytes().to_vec()),
        (
            "alice's signing key",
            Ed25519::signing_key_to_bytes(alice_group.identity().signing_key())
                .as_bytes()
                .to_vec(),
        ),
        (
            "the epoch authenticator",
            bob_group.epoch_authenticator().as_bytes().to_vec(),
        ),
    ];
    for group in [&alice_group, &bob_group] {
        for secret in group.art().own_path_secrets() {
            secrets.push(("a path secret", secret.as_bytes().to_vec()));
        }
    }
    let persisted = bob_group.to_bytes().expect("to_bytes");
    let shown = [
        shown_bundle,
        format!("{alice_group:?}"),
        format!("{bob_group:?}"),
        format!("{:?}", alice_group.identity()),
        format!("{persisted:?}"),
    ];
    for shown in &shown {
        for (what, secret) in &secrets {
            assert_not_shown(what, shown, secret);
        }
    }
}
