//! Bounds an attacker (or damaged storage) must not get past: secret-tree limits, persisted
//! state read strictly, and secrets kept out of `Debug`.
//!
//! - Secret tree: a configuration above the limits is refused where a tree is built (so no
//!   configuration lets one message cost 2^32 derivations), and a far-future generation is
//!   refused at once even under the largest configuration allowed.
//! - Persisted state: a flag byte other than 0 or 1, or secret-tree bounds above the limits,
//!   written into the bytes by hand, are refused with a typed error.
//! - `Debug` of a group, its identity and KeyPackage bundle, and of the persisted bytes shows
//!   none of the member's secrets.

use std::time::{Duration, Instant};

use artmls::codec::CodecError;
use artmls::group::{Group, GroupConfig, GroupError, Identity};
use artmls::secret_tree::{RatchetKind, SecretTree, SecretTreeConfig, SecretTreeError};
use artmls::tree_math::LeafIndex;
use artmls::{Secret, SignatureScheme};
use artmls_conformance::rng::seeded;
use artmls_dalek::X25519Aes128GcmSha256Ed25519 as Suite;

type Ed25519 = artmls_dalek::Ed25519;

fn config(out_of_order_window: u32, max_forward_jump: u32) -> SecretTreeConfig {
    SecretTreeConfig {
        out_of_order_window,
        max_forward_jump,
    }
}

// ---------------------------------------------------------------------------------------------
// Secret tree.

#[test]
fn secret_tree_configurations_above_the_limits_are_refused() {
    let window = SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW;
    let jump = SecretTreeConfig::MAX_FORWARD_JUMP;
    for (what, bad) in [
        ("max_forward_jump", config(32, u32::MAX)),
        ("max_forward_jump", config(32, jump + 1)),
        ("out_of_order_window", config(u32::MAX, 1024)),
        ("out_of_order_window", config(window + 1, 1024)),
    ] {
        let expected = SecretTreeError::ConfigOutOfBounds {
            what,
            value: if what == "max_forward_jump" {
                bad.max_forward_jump
            } else {
                bad.out_of_order_window
            },
            max: if what == "max_forward_jump" {
                jump
            } else {
                window
            },
        };
        assert_eq!(
            SecretTree::<Suite>::with_config(Secret::new(vec![1; 32]), 4, bad).err(),
            Some(expected.clone()),
            "{bad:?}"
        );
        assert_eq!(
            SecretTreeConfig::new(bad.out_of_order_window, bad.max_forward_jump),
            Err(expected),
            "{bad:?}"
        );
        // A group takes its secret tree's configuration from GroupConfig: refused there too.
        let mut rng = seeded(1);
        let identity = Identity::<Suite>::new_with_rng("alice", &mut rng);
        let result = Group::<Suite>::create_with_rng(
            identity,
            b"group".to_vec(),
            GroupConfig {
                secret_tree: bad,
                ..GroupConfig::default()
            },
            &mut rng,
        );
        assert!(
            matches!(
                result,
                Err(GroupError::SecretTree(
                    SecretTreeError::ConfigOutOfBounds { .. }
                ))
            ),
            "{bad:?}: {result:?}"
        );
    }
    assert_eq!(
        SecretTreeConfig::new(window, jump),
        Ok(config(window, jump))
    );
}

/// Under the largest configuration allowed, a message naming generation 2^32 - 1 is refused
/// before any derivation, and the farthest jump allowed costs a bounded time.
#[test]
fn a_far_future_generation_is_refused_quickly() {
    let largest = SecretTreeConfig::new(
        SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW,
        SecretTreeConfig::MAX_FORWARD_JUMP,
    )
    .expect("the limits are allowed");
    let tree =
        SecretTree::<Suite>::with_config(Secret::new(vec![1; 32]), 4, largest).expect("tree");
    let leaf = LeafIndex(1);
    for generation in [
        u32::MAX,
        u32::MAX / 2,
        SecretTreeConfig::MAX_FORWARD_JUMP + 1,
    ] {
        let started = Instant::now();
        let result = tree.prepare(leaf, RatchetKind::Application, generation);
        let took = started.elapsed();
        assert!(
            matches!(result, Err(SecretTreeError::GenerationTooFarAhead { .. })),
            "{generation}: {result:?}"
        );
        assert!(took < Duration::from_millis(100), "{generation}: {took:?}");
    }
    let started = Instant::now();
    let pending = tree
        .prepare(
            leaf,
            RatchetKind::Application,
            SecretTreeConfig::MAX_FORWARD_JUMP,
        )
        .expect("the farthest jump allowed");
    let took = started.elapsed();
    println!(
        "a jump of {} generations took {took:?}",
        SecretTreeConfig::MAX_FORWARD_JUMP
    );
    assert_eq!(
        pending.key().generation(),
        SecretTreeConfig::MAX_FORWARD_JUMP
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// Persisted state.

/// A one-member group with distinctive secret-tree bounds (29 back, 1021 ahead), and its bytes.
fn persisted() -> (Group<Suite>, Vec<u8>) {
    let mut rng = seeded(2);
    let identity = Identity::<Suite>::new_with_rng("alice", &mut rng);
    let group = Group::<Suite>::create_with_rng(
        identity,
        b"group".to_vec(),
        GroupConfig {
            secret_tree: config(29, 1021),
            ..GroupConfig::default()
        },
        &mut rng,
    )
    .expect("group");
    let bytes = group.to_bytes().expect("to_bytes").as_bytes().to_vec();
    (group, bytes)
}

/// The state ends with `uint8 needs_update; uint8 removed; uint8 update_first; uint32
/// padding_block`.
#[test]
fn persisted_flags_other_than_zero_and_one_are_refused() {
    let (group, bytes) = persisted();
    assert!(Group::<Suite>::from_bytes(&bytes).is_ok());
    let flags = bytes.len() - 7;
    for (offset, name) in [
        (flags, "needs_update"),
        (flags + 1, "removed"),
        (flags + 2, "update_first"),
    ] {
        for value in [2u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[offset] = value;
            let result = Group::<Suite>::from_bytes(&damaged);
            assert!(
                matches!(
                    &result,
                    Err(GroupError::Codec(CodecError::InvalidValue { what, value: got }))
                        if what.contains(name) && *got == u64::from(value)
                ),
                "{name} = {value}: {result:?}"
            );
        }
        // Both flag values are read as written.
        for value in [0u8, 1] {
            let mut flipped = bytes.clone();
            flipped[offset] = value;
            let restored = Group::<Suite>::from_bytes(&flipped).expect("a valid flag");
            if name == "needs_update" {
                assert_eq!(restored.needs_update(), value == 1);
            }
        }
    }
    drop(group);
}

#[test]
fn persisted_secret_tree_bounds_go_through_the_limits() {
    let (_, bytes) = persisted();
    // uint32 out_of_order_window (29); uint32 max_forward_jump (1021): once in the state.
    let pattern = [0, 0, 0, 29, 0, 0, 0x03, 0xfd];
    let at: Vec<usize> = bytes
        .windows(pattern.len())
        .enumerate()
        .filter(|(_, window)| *window == pattern)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(at.len(), 1, "the bounds appear once");
    let at = at[0];
    assert!(Group::<Suite>::from_bytes(&bytes).is_ok());
    for (offset, value) in [
        (at + 4, u32::MAX),
        (at + 4, SecretTreeConfig::MAX_FORWARD_JUMP + 1),
        (at, u32::MAX),
        (at, SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW + 1),
    ] {
        let mut damaged = bytes.clone();
        damaged[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
        let result = Group::<Suite>::from_bytes(&damaged);
        assert!(
            matches!(
                &result,
                Err(GroupError::Codec(CodecError::InvalidValue { what, value: got }))
                    if what.contains("secret tree bounds") && *got == u64::from(value)
            ),
            "{value} at {offset}: {result:?}"
        );
    }
    // The limits themselves restore.
    let mut at_limits = bytes.clone();
    at_limits[at..at + 4].copy_from_slice(&SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW.to_be_bytes());
    at_limits[at + 4..at + 8].copy_from_slice(&SecretTreeConfig::MAX_FORWARD_JUMP.to_be_bytes());
    assert!(Group::<Suite>::from_bytes(&at_limits).is_ok());
}

/// Two members at the ends of a 512-leaf tree whose other leaves were removed and sealed to
/// blank: a genuine state whose tree is mostly absent entries (one byte each on the wire,
/// hundreds in memory). It must restore: the decoder's budget for bytes off the network would
/// refuse it, so a persisted state gets a budget of its own.
#[test]
fn a_sparse_tree_restores_from_its_persisted_state() {
    let mut rng = seeded(4);
    let n = 512;
    let creator = Identity::<Suite>::new_with_rng("creator", &mut rng);
    let last = Identity::<Suite>::new_with_rng("last", &mut rng);
    let last_bundle = last.key_package_with_rng(&mut rng).expect("key package");
    let mut key_packages: Vec<_> = (1..n - 1)
        .map(|i| {
            Identity::<Suite>::new_with_rng(format!("member {i}"), &mut rng)
                .key_package_with_rng(&mut rng)
                .expect("key package")
                .key_package()
                .clone()
        })
        .collect();
    key_packages.push(last_bundle.key_package().clone());
    let (mut group, welcome) = Group::<Suite>::initiate_with_rng(
        creator,
        b"group".to_vec(),
        &key_packages,
        GroupConfig::default(),
        &mut rng,
    )
    .expect("initiate");
    let mut last =
        Group::<Suite>::join(&welcome, &last_bundle, last, GroupConfig::default()).expect("join");
    assert_eq!(last.own_leaf(), LeafIndex(n - 1));

    let victims: Vec<LeafIndex> = (1..n - 1).map(LeafIndex).collect();
    let remove = group
        .commit_remove_with_rng(&victims, &mut rng)
        .expect("remove");
    last.process_message(remove.message()).expect("process");
    group.merge_pending_commit(remove).expect("merge");
    // Each end's update seals the memberless half on its side to blank.
    let update = last.commit_update_with_rng(&mut rng).expect("update");
    group.process_message(update.message()).expect("process");
    last.merge_pending_commit(update).expect("merge");
    let update = group.commit_update_with_rng(&mut rng).expect("update");
    last.process_message(update.message()).expect("process");
    group.merge_pending_commit(update).expect("merge");
    assert_eq!(group.member_count(), 2);

    for member in [&group, &last] {
        let bytes = member.to_bytes().expect("to_bytes");
        let restored = Group::<Suite>::from_bytes(bytes.as_bytes()).expect("restore");
        assert_eq!(restored.epoch_authenticator(), member.epoch_authenticator());
    }
}

// ---------------------------------------------------------------------------------------------
// Debug.

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
