//! Bounds an attacker must not get past: a configuration above the limits is refused where a
//! tree is built (so no configuration lets one message cost 2^32 derivations), and a
//! far-future generation is refused at once even under the largest configuration allowed.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{RatchetKind, SecretTree, SecretTreeConfig, SecretTreeError};
use crate::group::{Group, GroupConfig, GroupError, Identity};
use crate::secret::Secret;
use crate::tree_math::LeafIndex;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn config(out_of_order_window: u32, max_forward_jump: u32) -> SecretTreeConfig {
    SecretTreeConfig {
        out_of_order_window,
        max_forward_jump,
    }
}

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
