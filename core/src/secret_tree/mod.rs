//! The secret tree and its ratchets (RFC 9420 §9): the message key chains of the ART-MLS
//! profile (§6). The sender-data keys (§6.3.2) belong to [`crate::framing`].
//!
//! The tree has the shape of the group's tree (one leaf per leaf of the ART tree, a power of
//! two) and its root secret is the epoch's `encryption_secret`:
//!
//! ```text
//! tree_node_[root]_secret = encryption_secret
//! left(N)  = ExpandWithLabel(tree_node_[N]_secret, "tree", "left",  Nh)
//! right(N) = ExpandWithLabel(tree_node_[N]_secret, "tree", "right", Nh)
//! handshake_ratchet_secret_[leaf]_[0]   = ExpandWithLabel(leaf secret, "handshake",   "", Nh)
//! application_ratchet_secret_[leaf]_[0] = ExpandWithLabel(leaf secret, "application", "", Nh)
//! key_[j]    = DeriveTreeSecret(ratchet_secret_[j], "key",    j, Nk)
//! nonce_[j]  = DeriveTreeSecret(ratchet_secret_[j], "nonce",  j, Nn)
//! secret_[j+1] = DeriveTreeSecret(ratchet_secret_[j], "secret", j, Nh)
//! ```
//!
//! Forward secrecy (RFC 9420 §9.2): a node's secret is erased as soon as its children are
//! derived, a leaf's secret as soon as its two ratchets are, a ratchet secret as soon as the
//! next one is, and a message key as soon as it is handed out. The only keys kept for later are
//! those of generations skipped by out-of-order delivery, within a bounded window
//! ([`SecretTreeConfig`]); a generation whose key was handed out is rejected as a replay.
//!
//! Receiving is two-phase so that a message that fails to decrypt consumes nothing:
//! [`SecretTree::prepare`] computes the key without touching the tree, and
//! [`SecretTree::commit`] applies the change once the message has been authenticated.
//!
//! A tree's whole state (every secret it still holds, the ratchet positions, the kept keys and
//! the window) can be written with [`SecretTree::encode_state`] and restored after a restart
//! with [`SecretTree::decode_state`]; the restored tree behaves exactly like the original.

mod persist;
#[cfg(test)]
mod tests;

// The sender-data keys are framing's; this path stays for the callers that name it here.
pub use crate::framing::{apply_reuse_guard, sender_data_key_nonce};

use std::collections::{BTreeMap, HashMap};

use thiserror::Error;

use crate::error::CryptoError;
use crate::labels::{derive_tree_secret, expand_with_label};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, root};
use artmls_crypto::{Aead, Kdf};

/// Why the secret tree could not give a key. None of these changes the tree.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecretTreeError {
    /// The tree's width is not a power of two between 1 and 2^30 leaves.
    #[error("invalid secret tree width {0}: a power of two from 1 to 2^30 leaves")]
    InvalidWidth(u32),
    /// The leaf is outside the tree. A message naming it is malformed or from another epoch.
    #[error("{leaf:?} is outside a tree of {n_leaves} leaves")]
    LeafOutOfRange {
        /// The leaf asked for.
        leaf: LeafIndex,
        /// The tree's width.
        n_leaves: u32,
    },
    /// The generation is older than the out-of-order window: its key (if it was ever kept) has
    /// been erased. The message cannot be decrypted any more.
    #[error("generation {generation} is older than the window (oldest kept: {oldest_kept})")]
    GenerationExpired {
        /// The generation asked for.
        generation: u32,
        /// The oldest generation whose key could still be kept.
        oldest_kept: u64,
    },
    /// The key of this generation was already handed out: the message is a replay (or the
    /// sender reused a generation). Drop it.
    #[error("the key of generation {0} was already used (replay)")]
    GenerationConsumed(u32),
    /// The generation is further ahead than the configured maximum jump: the sender is broken
    /// or the message is an attempt to make this member derive many keys. Drop it.
    #[error("generation {generation} is more than {max_jump} ahead of the next one ({next})")]
    GenerationTooFarAhead {
        /// The generation asked for.
        generation: u32,
        /// The next generation expected.
        next: u64,
        /// The configured maximum forward jump.
        max_jump: u32,
    },
    /// The ratchet used all 2^32 generations; the sender must move to a new epoch.
    #[error("the ratchet has used all its generations")]
    RatchetExhausted,
    /// A pending key was prepared on an earlier state of the tree (another key was committed
    /// in between). Prepare it again.
    #[error("the pending key was prepared on an earlier state of the tree")]
    StalePendingKey,
    /// The secrets needed to derive this leaf's ratchets were erased (never happens through
    /// this API; would mean the state was corrupted).
    #[error("the secrets of {0:?} are no longer available")]
    LeafSecretErased(LeafIndex),
    /// A [`SecretTreeConfig`] bound is above its limit. Configure a smaller value (see
    /// [`SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW`] and [`SecretTreeConfig::MAX_FORWARD_JUMP`]).
    #[error("secret tree {what} {value} is above its limit {max}: configure at most {max}")]
    ConfigOutOfBounds {
        /// The field.
        what: &'static str,
        /// The value given.
        value: u32,
        /// The largest value accepted.
        max: u32,
    },
    /// A key derivation failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The bounds of out-of-order delivery.
///
/// Both are checked against their limits ([`SecretTreeConfig::check`]) wherever a tree is
/// built or restored with them, so no configuration lets one message cost more than
/// [`SecretTreeConfig::MAX_FORWARD_JUMP`] key derivations or keep more than
/// [`SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW`] keys per ratchet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretTreeConfig {
    /// How many generations behind the newest one received a message may still arrive: the
    /// keys of skipped generations within this window are kept (and only those). 0 allows no
    /// reordering.
    pub out_of_order_window: u32,
    /// How far ahead of the next expected generation a message may jump (bounds the work and
    /// memory one message can cause).
    pub max_forward_jump: u32,
}

impl SecretTreeConfig {
    /// The largest `out_of_order_window`: 1024 generations. Every kept key stays in memory
    /// until it is used or falls out of the window, and a member can make others keep a
    /// window of keys for every leaf's two ratchets, so the window is what bounds that memory.
    pub const MAX_OUT_OF_ORDER_WINDOW: u32 = 1 << 10;

    /// The largest `max_forward_jump`: 2^14 generations. A message that jumps ahead costs one
    /// key derivation per skipped generation before it can be authenticated, so this bounds
    /// what one forged message can cost a receiver (a few tens of milliseconds); without it,
    /// a generation near 2^32 would cost 2^32 derivations.
    pub const MAX_FORWARD_JUMP: u32 = 1 << 14;

    /// A configuration, checked against the limits.
    pub fn new(out_of_order_window: u32, max_forward_jump: u32) -> Result<Self, SecretTreeError> {
        let config = SecretTreeConfig {
            out_of_order_window,
            max_forward_jump,
        };
        config.check()?;
        Ok(config)
    }

    /// Fails with [`SecretTreeError::ConfigOutOfBounds`] if a bound is above its limit.
    pub fn check(&self) -> Result<(), SecretTreeError> {
        for (what, value, max) in [
            (
                "out_of_order_window",
                self.out_of_order_window,
                Self::MAX_OUT_OF_ORDER_WINDOW,
            ),
            (
                "max_forward_jump",
                self.max_forward_jump,
                Self::MAX_FORWARD_JUMP,
            ),
        ] {
            if value > max {
                return Err(SecretTreeError::ConfigOutOfBounds { what, value, max });
            }
        }
        Ok(())
    }
}

impl Default for SecretTreeConfig {
    /// 32 generations back, 1024 ahead.
    fn default() -> Self {
        SecretTreeConfig {
            out_of_order_window: 32,
            max_forward_jump: 1024,
        }
    }
}

/// Which ratchet of a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatchetKind {
    /// The handshake ratchet (proposals and commits).
    Handshake,
    /// The application ratchet (application data).
    Application,
}

/// A message key and nonce for one generation. Both are erased when this is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageKey {
    generation: u32,
    key: Secret,
    nonce: Secret,
}

impl core::fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MessageKey")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl MessageKey {
    /// The generation.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The AEAD key (`Nk` bytes).
    pub fn key(&self) -> &Secret {
        &self.key
    }

    /// The AEAD nonce (`Nn` bytes), before the reuse guard is applied.
    pub fn nonce(&self) -> &Secret {
        &self.nonce
    }
}

/// One ratchet: the secret of generation `next`, and the kept keys of skipped generations.
#[derive(Clone)]
struct Ratchet {
    secret: Secret,
    /// The generation of `secret`; 2^32 once exhausted.
    next: u64,
    skipped: BTreeMap<u32, MessageKey>,
}

impl Ratchet {
    fn new(secret: Secret) -> Self {
        Ratchet {
            secret,
            next: 0,
            skipped: BTreeMap::new(),
        }
    }
}

#[derive(Clone)]
struct LeafRatchets {
    handshake: Ratchet,
    application: Ratchet,
}

impl LeafRatchets {
    fn get(&self, kind: RatchetKind) -> &Ratchet {
        match kind {
            RatchetKind::Handshake => &self.handshake,
            RatchetKind::Application => &self.application,
        }
    }

    fn get_mut(&mut self, kind: RatchetKind) -> &mut Ratchet {
        match kind {
            RatchetKind::Handshake => &mut self.handshake,
            RatchetKind::Application => &mut self.application,
        }
    }
}

/// The derivation of a leaf's ratchets from the tree: node secrets to erase and to store.
struct LeafInit {
    erase: Vec<NodeIndex>,
    store: Vec<(NodeIndex, Secret)>,
    ratchets: LeafRatchets,
}

enum Change {
    /// Take the kept key of a skipped generation.
    TakeSkipped(u32),
    /// Ratchet forward: the new secret and generation, and keys of skipped generations to keep.
    Advance {
        secret: Secret,
        next: u64,
        keep: Vec<MessageKey>,
    },
}

/// A key computed by [`SecretTree::prepare`] but not yet consumed. Dropping it leaves the
/// tree as it was; [`SecretTree::commit`] consumes the key in the tree.
pub struct PendingKey {
    leaf: LeafIndex,
    kind: RatchetKind,
    version: u64,
    key: MessageKey,
    init: Option<LeafInit>,
    change: Change,
}

impl core::fmt::Debug for PendingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingKey")
            .field("leaf", &self.leaf)
            .field("kind", &self.kind)
            .field("generation", &self.key.generation)
            .finish_non_exhaustive()
    }
}

impl PendingKey {
    /// The key, to try the decryption with.
    pub fn key(&self) -> &MessageKey {
        &self.key
    }

    /// The leaf it belongs to.
    pub fn leaf(&self) -> LeafIndex {
        self.leaf
    }
}

/// The secret tree of one epoch.
pub struct SecretTree<S> {
    n_leaves: u32,
    config: SecretTreeConfig,
    /// Node secrets not yet split; a node is removed as soon as its children are derived.
    nodes: HashMap<NodeIndex, Secret>,
    leaves: HashMap<LeafIndex, LeafRatchets>,
    /// Bumped by every change, so a stale [`PendingKey`] is refused.
    version: u64,
    _suite: core::marker::PhantomData<fn() -> S>,
}

impl<S> core::fmt::Debug for SecretTree<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecretTree")
            .field("n_leaves", &self.n_leaves)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

const GENERATION_LIMIT: u64 = 1 << 32;

impl<S: CipherSuite> SecretTree<S> {
    /// A tree of `n_leaves` leaves (a power of two: the width of the group's tree) rooted at
    /// `encryption_secret`, with the default window.
    pub fn new(encryption_secret: Secret, n_leaves: u32) -> Result<Self, SecretTreeError> {
        Self::with_config(encryption_secret, n_leaves, SecretTreeConfig::default())
    }

    /// A tree with the given out-of-order bounds (refused if above their limits, see
    /// [`SecretTreeConfig::check`]).
    pub fn with_config(
        encryption_secret: Secret,
        n_leaves: u32,
        config: SecretTreeConfig,
    ) -> Result<Self, SecretTreeError> {
        if !n_leaves.is_power_of_two() || n_leaves > 1 << 30 {
            return Err(SecretTreeError::InvalidWidth(n_leaves));
        }
        config.check()?;
        let mut nodes = HashMap::new();
        nodes.insert(root(n_leaves), encryption_secret);
        Ok(SecretTree {
            n_leaves,
            config,
            nodes,
            leaves: HashMap::new(),
            version: 0,
            _suite: core::marker::PhantomData,
        })
    }

    /// The width in leaves.
    pub fn n_leaves(&self) -> u32 {
        self.n_leaves
    }

    /// The out-of-order bounds.
    pub fn config(&self) -> SecretTreeConfig {
        self.config
    }

    /// The next generation a ratchet will derive (0 for a ratchet not used yet), or `None`
    /// for a leaf outside the tree.
    pub fn next_generation(&self, leaf: LeafIndex, kind: RatchetKind) -> Option<u64> {
        if leaf.0 >= self.n_leaves {
            return None;
        }
        Some(self.leaves.get(&leaf).map_or(0, |r| r.get(kind).next))
    }

    /// The generations whose keys are kept for late messages, oldest first.
    pub fn kept_generations(&self, leaf: LeafIndex, kind: RatchetKind) -> Vec<u32> {
        self.leaves
            .get(&leaf)
            .map(|r| r.get(kind).skipped.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The number of node secrets still stored (for tests of erasure).
    pub fn stored_node_secrets(&self) -> usize {
        self.nodes.len()
    }

    fn check_leaf(&self, leaf: LeafIndex) -> Result<(), SecretTreeError> {
        if leaf.0 < self.n_leaves {
            Ok(())
        } else {
            Err(SecretTreeError::LeafOutOfRange {
                leaf,
                n_leaves: self.n_leaves,
            })
        }
    }

    /// Derives a leaf's ratchets from the lowest stored ancestor, without changing the tree.
    fn derive_leaf(&self, leaf: LeafIndex) -> Result<LeafInit, SecretTreeError> {
        // The leaf and its ancestors, up to the lowest one whose secret is still stored.
        let target = leaf.node();
        let mut below = Vec::new();
        let mut stored = None;
        for node in core::iter::once(target).chain(target.direct_path(self.n_leaves)) {
            if let Some(secret) = self.nodes.get(&node) {
                stored = Some((node, secret));
                break;
            }
            below.push(node);
        }
        let (mut node, secret) = stored.ok_or(SecretTreeError::LeafSecretErased(leaf))?;
        let mut erase = vec![node];
        let mut store = Vec::new();
        let mut current = secret.clone();
        // Walk down to the leaf, splitting each node: the child on the way is derived, its
        // sibling stored, and the node erased.
        for child in below.into_iter().rev() {
            let left =
                expand_with_label::<S>(current.as_bytes(), "tree", b"left", S::Kdf::HASH_LEN)?;
            let right =
                expand_with_label::<S>(current.as_bytes(), "tree", b"right", S::Kdf::HASH_LEN)?;
            let (toward, other) = if child.0 < node.0 {
                (left, right)
            } else {
                (right, left)
            };
            if let Some(sibling) = child.sibling(self.n_leaves) {
                store.push((sibling, other));
            }
            erase.push(child);
            current = toward;
            node = child;
        }
        let handshake =
            expand_with_label::<S>(current.as_bytes(), "handshake", &[], S::Kdf::HASH_LEN)?;
        let application =
            expand_with_label::<S>(current.as_bytes(), "application", &[], S::Kdf::HASH_LEN)?;
        Ok(LeafInit {
            erase,
            store,
            ratchets: LeafRatchets {
                handshake: Ratchet::new(handshake),
                application: Ratchet::new(application),
            },
        })
    }

    /// The key of `generation` from the ratchet secret of that generation, and the next secret.
    fn step(secret: &Secret, generation: u32) -> Result<(MessageKey, Secret), SecretTreeError> {
        let key = derive_tree_secret::<S>(secret.as_bytes(), "key", generation, S::Aead::KEY_LEN)?;
        let nonce =
            derive_tree_secret::<S>(secret.as_bytes(), "nonce", generation, S::Aead::NONCE_LEN)?;
        let next =
            derive_tree_secret::<S>(secret.as_bytes(), "secret", generation, S::Kdf::HASH_LEN)?;
        Ok((
            MessageKey {
                generation,
                key,
                nonce,
            },
            next,
        ))
    }

    /// Computes the key of `generation` of a leaf's ratchet for a received message, without
    /// changing the tree. Commit it with [`SecretTree::commit`] once the message is
    /// authenticated; drop it otherwise.
    pub fn prepare(
        &self,
        leaf: LeafIndex,
        kind: RatchetKind,
        generation: u32,
    ) -> Result<PendingKey, SecretTreeError> {
        self.check_leaf(leaf)?;
        let init = match self.leaves.get(&leaf) {
            Some(_) => None,
            None => Some(self.derive_leaf(leaf)?),
        };
        let ratchet = match (&init, self.leaves.get(&leaf)) {
            (Some(init), _) => init.ratchets.get(kind),
            (None, Some(ratchets)) => ratchets.get(kind),
            (None, None) => return Err(SecretTreeError::LeafSecretErased(leaf)),
        };
        let window = u64::from(self.config.out_of_order_window);
        let wanted = u64::from(generation);
        if wanted < ratchet.next {
            if let Some(key) = ratchet.skipped.get(&generation) {
                return Ok(PendingKey {
                    leaf,
                    kind,
                    version: self.version,
                    key: key.clone(),
                    init,
                    change: Change::TakeSkipped(generation),
                });
            }
            // The newest generation received is `next - 1`; the window reaches back from it.
            let oldest_kept = ratchet.next.saturating_sub(window + 1);
            return Err(if wanted < oldest_kept {
                SecretTreeError::GenerationExpired {
                    generation,
                    oldest_kept,
                }
            } else {
                SecretTreeError::GenerationConsumed(generation)
            });
        }
        if ratchet.next >= GENERATION_LIMIT {
            return Err(SecretTreeError::RatchetExhausted);
        }
        if wanted - ratchet.next > u64::from(self.config.max_forward_jump) {
            return Err(SecretTreeError::GenerationTooFarAhead {
                generation,
                next: ratchet.next,
                max_jump: self.config.max_forward_jump,
            });
        }
        // Keys of the skipped generations in [wanted - window, wanted) are kept.
        let keep_from = wanted.saturating_sub(window);
        let mut keep = Vec::new();
        let mut secret = ratchet.secret.clone();
        let mut at = ratchet.next;
        while at < wanted {
            let at32 = u32::try_from(at).map_err(|_| SecretTreeError::RatchetExhausted)?;
            if at >= keep_from {
                let (key, next) = Self::step(&secret, at32)?;
                keep.push(key);
                secret = next;
            } else {
                secret =
                    derive_tree_secret::<S>(secret.as_bytes(), "secret", at32, S::Kdf::HASH_LEN)?;
            }
            at += 1;
        }
        let (key, next_secret) = Self::step(&secret, generation)?;
        Ok(PendingKey {
            leaf,
            kind,
            version: self.version,
            key,
            init,
            change: Change::Advance {
                secret: next_secret,
                next: wanted + 1,
                keep,
            },
        })
    }

    /// Consumes a prepared key in the tree: the key (and every secret it came from) is erased
    /// from the tree, and later calls for its generation fail with
    /// [`SecretTreeError::GenerationConsumed`].
    pub fn commit(&mut self, pending: PendingKey) -> Result<(), SecretTreeError> {
        if pending.version != self.version {
            return Err(SecretTreeError::StalePendingKey);
        }
        let PendingKey {
            leaf,
            kind,
            init,
            change,
            ..
        } = pending;
        if let Some(init) = init {
            for node in init.erase {
                self.nodes.remove(&node);
            }
            self.nodes.extend(init.store);
            self.leaves.insert(leaf, init.ratchets);
        }
        let window = u64::from(self.config.out_of_order_window);
        let ratchet = self
            .leaves
            .get_mut(&leaf)
            .ok_or(SecretTreeError::LeafSecretErased(leaf))?
            .get_mut(kind);
        match change {
            Change::TakeSkipped(generation) => {
                ratchet.skipped.remove(&generation);
            }
            Change::Advance { secret, next, keep } => {
                ratchet.secret = secret;
                ratchet.next = next;
                for key in keep {
                    ratchet.skipped.insert(key.generation, key);
                }
                let oldest_kept = next.saturating_sub(window + 1);
                ratchet
                    .skipped
                    .retain(|generation, _| u64::from(*generation) >= oldest_kept);
            }
        }
        self.version += 1;
        Ok(())
    }

    /// The key of a received message's generation, consumed at once (prepare and commit in
    /// one step; use the two steps to leave the tree unchanged when decryption fails).
    pub fn take_key(
        &mut self,
        leaf: LeafIndex,
        kind: RatchetKind,
        generation: u32,
    ) -> Result<MessageKey, SecretTreeError> {
        let pending = self.prepare(leaf, kind, generation)?;
        let key = pending.key.clone();
        self.commit(pending)?;
        Ok(key)
    }

    /// The next key of this member's own ratchet, to send with; consumed at once.
    pub fn next_send_key(
        &mut self,
        leaf: LeafIndex,
        kind: RatchetKind,
    ) -> Result<MessageKey, SecretTreeError> {
        let next = self
            .next_generation(leaf, kind)
            .ok_or(SecretTreeError::LeafOutOfRange {
                leaf,
                n_leaves: self.n_leaves,
            })?;
        let generation = u32::try_from(next).map_err(|_| SecretTreeError::RatchetExhausted)?;
        self.take_key(leaf, kind, generation)
    }
}
