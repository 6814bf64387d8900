//! The Asynchronous Ratcheting Tree (ART-MLS profile §3-§5).
//!
//! Every node of the tree has a DH key pair; a parent's secret is derived from the
//! Diffie-Hellman value of its two children's keys, so whoever holds the private key of one
//! child and the public key of the other can compute the parent, and from there everything up
//! to the root. The root's secret gives the epoch's `commit_secret`.
//!
//! - [`PublicTree`] is the public part every member caches: the shape (which leaves are
//!   members, tombstones or blank) and one public key per non-blank node, in one flat array.
//! - [`ArtMember`] is one member's view: the public tree plus the secrets of its own direct
//!   path, and nothing else.
//! - A change (update, add, remove) is prepared as a [`PendingTreeChange`] without touching
//!   the member's state, carried to the others as a [`TreeChange`], checked by each receiver
//!   with [`ArtMember::stage`], and applied with [`ArtMember::merge`].
//!
//! Blank rule: a parent with exactly one blank child *is* its other child (same key pair, no
//! DH), and a parent with two blank children is blank.

mod apply;
mod change;
mod error;
mod member;
mod node;
mod overlay;
mod public_tree;

use crate::suite::CipherSuite;
use artmls_crypto::DhGroup;

pub use change::{LeafChange, LeafChangeKind, PendingTreeChange, StagedTreeChange, TreeChange};
pub use error::TreeError;
pub use member::ArtMember;
pub use node::NodeSecret;
pub use public_tree::{LeafKind, PublicTree};

// The items the submodules share, so that each names them from one place.
use apply::{FreeSlots, apply_change, check_all_keys_used, transfers_for};
use member::{ancestor_at, path_from_leaf_secret};
use overlay::{Evaluation, Overlay, ParentKeys, TreeChanges};

/// The largest tree, in leaves (2^30: node indices stay within `u32`).
pub const MAX_LEAVES: u32 = 1 << 30;

type PrivateKey<S> = <<S as CipherSuite>::Dh as DhGroup>::PrivateKey;
type PublicKey<S> = <<S as CipherSuite>::Dh as DhGroup>::PublicKey;
