//! The identity hook: what the application accepts as a member's identity.
//!
//! The library checks that LeafNodes are well formed and correctly signed; only the
//! application knows whether the credential in one names the person it claims to. A group
//! asks its [`IdentityPolicy`] about every newcomer's LeafNode and about every Update, which
//! may replace a member's credential and signature key. Without such a check a member could
//! update its leaf to carry another member's name.
//!
//! The default, [`SameCredential`], accepts any newcomer and lets an Update change the keys
//! but never the credential: a member stays who it was when it was added.

use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

use crate::messages::LeafNode;

/// Why the identity policy refused a LeafNode. The commit that carries it is rejected; the
/// message says what the policy objected to.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("identity refused: {0}")]
pub struct IdentityRejected(pub String);

/// What the application accepts as a member's identity (compare RFC 9420 §5.3.1: the
/// application decides what a credential means).
pub trait IdentityPolicy: Send + Sync {
    /// Whether `leaf_node` (a newcomer's, from its KeyPackage) may join the group.
    fn validate_newcomer(&self, leaf_node: &LeafNode) -> Result<(), IdentityRejected> {
        let _ = leaf_node;
        Ok(())
    }

    /// Whether the member whose LeafNode is `current` may replace it by `updated`.
    fn validate_update(
        &self,
        current: &LeafNode,
        updated: &LeafNode,
    ) -> Result<(), IdentityRejected>;

    /// The time against which KeyPackage lifetimes are checked, in seconds since the Unix
    /// epoch. The default reads the system clock; a policy with a fixed clock makes tests and
    /// replays reproducible.
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

/// The default policy: any newcomer may join; an Update keeps the member's credential byte
/// for byte (its keys may change).
#[derive(Debug, Clone, Copy, Default)]
pub struct SameCredential;

impl IdentityPolicy for SameCredential {
    fn validate_update(
        &self,
        current: &LeafNode,
        updated: &LeafNode,
    ) -> Result<(), IdentityRejected> {
        if current.credential == updated.credential {
            Ok(())
        } else {
            Err(IdentityRejected(
                "an update may not change the member's credential".into(),
            ))
        }
    }
}

/// The default policy as a value that lives for the whole program.
pub static SAME_CREDENTIAL: SameCredential = SameCredential;
