//! The secret tree and its ratchets (RFC 9420 §9), and the sender-data keys (§6.3.2):
//! the message key chains of the ART-MLS profile (§6).
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

use std::collections::{BTreeMap, HashMap};

use thiserror::Error;

use crate::codec::{CodecError, Decode, Encode, MAX_VECTOR_LEN, Reader, varint_len, write_varint};
use crate::error::CryptoError;
use crate::labels::{derive_tree_secret, expand_with_label};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width, root};
use artmls_crypto::{Aead, Kdf};

/// Why the secret tree could not give a key. None of these changes the tree.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
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

// ---------------------------------------------------------------------------------------------
// Persistence.

/// The encoded size of a secret of `len` bytes (`opaque secret<V>`).
fn secret_len(len: usize) -> usize {
    varint_len(len) + len
}

/// Fails unless `secret` is `expected` bytes long.
fn check_secret_len(
    secret: &Secret,
    expected: usize,
    what: &'static str,
) -> Result<(), CodecError> {
    if secret.len() == expected {
        Ok(())
    } else {
        Err(CodecError::InvalidValue {
            what,
            value: secret.len() as u64,
        })
    }
}

/// Reads an `opaque secret<V>` straight into a [`Secret`] and checks its length (a secret of
/// the wrong length is erased before the error is returned).
fn read_secret(
    reader: &mut Reader<'_>,
    expected: usize,
    what: &'static str,
) -> Result<Secret, CodecError> {
    let secret = Secret::decode(reader)?;
    check_secret_len(&secret, expected, what)?;
    Ok(secret)
}

/// Reads an element count and checks, before anything is allocated, that the remaining input
/// can hold that many elements of at least `min_element_len` bytes each.
fn read_count(reader: &mut Reader<'_>, min_element_len: usize) -> Result<usize, CodecError> {
    let count = reader.read_varint()?;
    let claimed = count.saturating_mul(min_element_len);
    let remaining = reader.remaining().len();
    if claimed > remaining {
        return Err(CodecError::LengthExceedsInput { claimed, remaining });
    }
    Ok(count)
}

/// Fails unless `index` is strictly greater than the previous index of its list (the lists of
/// the state are sorted and free of duplicates, so that one state has one encoding).
fn check_increasing(
    previous: &mut Option<u32>,
    index: u32,
    what: &'static str,
) -> Result<(), CodecError> {
    if previous.is_some_and(|previous| index <= previous) {
        return Err(CodecError::InvalidValue {
            what,
            value: u64::from(index),
        });
    }
    *previous = Some(index);
    Ok(())
}

impl<S: CipherSuite> SecretTree<S> {
    /// The encoded size of a ratchet of the state, after checking its secret lengths.
    fn ratchet_state_len(ratchet: &Ratchet) -> Result<usize, CodecError> {
        check_secret_len(
            &ratchet.secret,
            S::Kdf::HASH_LEN,
            "secret tree ratchet secret length",
        )?;
        for key in ratchet.skipped.values() {
            check_secret_len(&key.key, S::Aead::KEY_LEN, "secret tree kept key length")?;
            check_secret_len(
                &key.nonce,
                S::Aead::NONCE_LEN,
                "secret tree kept nonce length",
            )?;
        }
        let kept = ratchet.skipped.len();
        if kept > MAX_VECTOR_LEN {
            return Err(CodecError::VectorTooLong(kept));
        }
        Ok(8 + secret_len(S::Kdf::HASH_LEN) + varint_len(kept) + kept * Self::kept_key_len())
    }

    /// The encoded size of one kept key (generation, key, nonce).
    fn kept_key_len() -> usize {
        4 + secret_len(S::Aead::KEY_LEN) + secret_len(S::Aead::NONCE_LEN)
    }

    /// The smallest encoded size of a ratchet (no kept keys).
    fn min_ratchet_len() -> usize {
        8 + secret_len(S::Kdf::HASH_LEN) + 1
    }

    fn encode_ratchet(ratchet: &Ratchet, out: &mut Vec<u8>) -> Result<(), CodecError> {
        ratchet.next.encode(out)?;
        ratchet.secret.encode(out)?;
        write_varint(out, ratchet.skipped.len())?;
        // A `BTreeMap` iterates in increasing generation order.
        for (generation, key) in &ratchet.skipped {
            generation.encode(out)?;
            key.key.encode(out)?;
            key.nonce.encode(out)?;
        }
        Ok(())
    }

    fn decode_ratchet(
        reader: &mut Reader<'_>,
        config: SecretTreeConfig,
    ) -> Result<Ratchet, CodecError> {
        let next = u64::decode(reader)?;
        if next > GENERATION_LIMIT {
            return Err(CodecError::InvalidValue {
                what: "secret tree ratchet generation",
                value: next,
            });
        }
        let secret = read_secret(
            reader,
            S::Kdf::HASH_LEN,
            "secret tree ratchet secret length",
        )?;
        let count = read_count(reader, Self::kept_key_len())?;
        // The invariant `commit` keeps: only generations in [next - window - 1, next) are kept.
        let oldest_kept = next.saturating_sub(u64::from(config.out_of_order_window) + 1);
        // A B-tree's nodes hold up to about twice its entries: paid before inserting.
        reader.charge_for::<(u32, MessageKey)>(count.saturating_mul(2))?;
        let mut skipped = BTreeMap::new();
        let mut previous = None;
        for _ in 0..count {
            let generation = u32::decode(reader)?;
            check_increasing(
                &mut previous,
                generation,
                "secret tree kept generation (out of order or repeated)",
            )?;
            let wanted = u64::from(generation);
            if wanted >= next || wanted < oldest_kept {
                return Err(CodecError::InvalidValue {
                    what: "secret tree kept generation (outside the window)",
                    value: wanted,
                });
            }
            let key = read_secret(reader, S::Aead::KEY_LEN, "secret tree kept key length")?;
            let nonce = read_secret(reader, S::Aead::NONCE_LEN, "secret tree kept nonce length")?;
            skipped.insert(
                generation,
                MessageKey {
                    generation,
                    key,
                    nonce,
                },
            );
        }
        Ok(Ratchet {
            secret,
            next,
            skipped,
        })
    }

    /// Appends the whole state of the tree to `out`, to be restored with
    /// [`SecretTree::decode_state`] (after a restart, say). The restored tree gives the same
    /// keys and takes the same replay, window and staleness decisions as this one.
    ///
    /// The bytes hold every secret the tree still holds (node secrets, ratchet secrets, the
    /// kept keys of skipped generations): store them encrypted, and erase them (e.g. with
    /// `zeroize`) once written. Nothing is written if an error is returned. `out` is grown
    /// once, before anything is written, so no reallocation leaves copies of secrets behind.
    ///
    /// # Format
    ///
    /// Integers are big-endian; `opaque x<V>` is an RFC 9420 variable-length vector; a list
    /// is an RFC 9420 variable-length integer counting its *elements* (at most 2^30 - 1),
    /// then the elements. Versioning is left to the caller (the format of a member's state
    /// starts with a version byte).
    ///
    /// ```text
    /// uint32 n_leaves;                       // a power of two, at most 2^30
    /// uint32 out_of_order_window;
    /// uint32 max_forward_jump;
    /// uint64 version;                        // bumped by every commit (stale PendingKeys)
    /// list of (node secrets not yet split, increasing node index):
    ///     uint32 node; opaque secret<V>;     // Nh bytes
    /// list of (leaves whose ratchets exist, increasing leaf index):
    ///     uint32 leaf; Ratchet handshake; Ratchet application;
    /// Ratchet:
    ///     uint64 next;                       // next generation, at most 2^32 (exhausted)
    ///     opaque secret<V>;                  // ratchet secret of `next`, Nh bytes
    ///     list of (kept keys of skipped generations, increasing generation):
    ///         uint32 generation; opaque key<V>; opaque nonce<V>;   // Nk and Nn bytes
    /// ```
    ///
    /// Fails with [`CodecError::InvalidValue`] if a secret does not have the length of the
    /// suite (a tree built on an `encryption_secret` that is not `Nh` bytes), and with
    /// [`CodecError::VectorTooLong`] if a list has 2^30 elements or more.
    pub fn encode_state(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let mut nodes: Vec<(&NodeIndex, &Secret)> = self.nodes.iter().collect();
        nodes.sort_unstable_by_key(|(index, _)| **index);
        let mut leaves: Vec<(&LeafIndex, &LeafRatchets)> = self.leaves.iter().collect();
        leaves.sort_unstable_by_key(|(index, _)| **index);

        // Check every length and size the output first, so that an error writes nothing.
        for (_, secret) in &nodes {
            check_secret_len(secret, S::Kdf::HASH_LEN, "secret tree node secret length")?;
        }
        for count in [nodes.len(), leaves.len()] {
            if count > MAX_VECTOR_LEN {
                return Err(CodecError::VectorTooLong(count));
            }
        }
        let mut len = 4 + 4 + 4 + 8;
        len += varint_len(nodes.len()) + nodes.len() * (4 + secret_len(S::Kdf::HASH_LEN));
        len += varint_len(leaves.len());
        for (_, ratchets) in &leaves {
            len += 4
                + Self::ratchet_state_len(&ratchets.handshake)?
                + Self::ratchet_state_len(&ratchets.application)?;
        }
        out.reserve(len);

        self.n_leaves.encode(out)?;
        self.config.out_of_order_window.encode(out)?;
        self.config.max_forward_jump.encode(out)?;
        self.version.encode(out)?;
        write_varint(out, nodes.len())?;
        for (index, secret) in nodes {
            index.0.encode(out)?;
            secret.encode(out)?;
        }
        write_varint(out, leaves.len())?;
        for (index, ratchets) in leaves {
            index.0.encode(out)?;
            Self::encode_ratchet(&ratchets.handshake, out)?;
            Self::encode_ratchet(&ratchets.application, out)?;
        }
        Ok(())
    }

    /// Restores a tree written by [`SecretTree::encode_state`], consuming exactly its
    /// encoding from `reader` (what follows is left for the caller).
    ///
    /// Every field is checked: the width is a power of two of at most 2^30 leaves, node and
    /// leaf indices lie inside the tree and are strictly increasing, every secret has the
    /// suite's length (`Nh`, `Nk`, `Nn`), a ratchet's generation is at most 2^32 and its kept
    /// generations are strictly increasing, below it and inside the window, and the stored
    /// node secrets and derived leaves together cover every leaf exactly once (so that every
    /// leaf's keys can still be derived, from one place only). A list's claimed length is
    /// checked against the remaining input before anything is allocated. Failures are typed
    /// [`CodecError`]s; decoding never panics. Secrets decoded before a failure are erased.
    pub fn decode_state(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let n_leaves = u32::decode(reader)?;
        if !n_leaves.is_power_of_two() || n_leaves > 1 << 30 {
            return Err(CodecError::InvalidValue {
                what: "secret tree width",
                value: u64::from(n_leaves),
            });
        }
        let config = SecretTreeConfig {
            out_of_order_window: u32::decode(reader)?,
            max_forward_jump: u32::decode(reader)?,
        };
        // The same limits as a tree built with `with_config`: a damaged or forged state must
        // not restore a tree that lets one message cost 2^32 derivations.
        config.check().map_err(|_| CodecError::InvalidValue {
            what: "secret tree bounds (out-of-order window or forward jump above its limit)",
            value: u64::from(config.out_of_order_window.max(config.max_forward_jump)),
        })?;
        let version = u64::decode(reader)?;

        let width = node_width(n_leaves);
        let node_count = read_count(reader, 4 + secret_len(S::Kdf::HASH_LEN))?;
        // A hash table of n entries holds up to about twice n buckets: paid before allocating.
        reader.charge_for::<(NodeIndex, Secret)>(node_count.saturating_mul(2))?;
        let mut nodes = HashMap::with_capacity(node_count);
        let mut previous = None;
        for _ in 0..node_count {
            let index = u32::decode(reader)?;
            if index >= width {
                return Err(CodecError::InvalidValue {
                    what: "secret tree node index (outside the tree)",
                    value: u64::from(index),
                });
            }
            check_increasing(
                &mut previous,
                index,
                "secret tree node index (out of order or repeated)",
            )?;
            let secret = read_secret(reader, S::Kdf::HASH_LEN, "secret tree node secret length")?;
            nodes.insert(NodeIndex(index), secret);
        }

        let leaf_count = read_count(reader, 4 + 2 * Self::min_ratchet_len())?;
        reader.charge_for::<(LeafIndex, LeafRatchets)>(leaf_count.saturating_mul(2))?;
        let mut leaves = HashMap::with_capacity(leaf_count);
        let mut previous = None;
        for _ in 0..leaf_count {
            let index = u32::decode(reader)?;
            if index >= n_leaves {
                return Err(CodecError::InvalidValue {
                    what: "secret tree leaf index (outside the tree)",
                    value: u64::from(index),
                });
            }
            check_increasing(
                &mut previous,
                index,
                "secret tree leaf index (out of order or repeated)",
            )?;
            let handshake = Self::decode_ratchet(reader, config)?;
            let application = Self::decode_ratchet(reader, config)?;
            leaves.insert(
                LeafIndex(index),
                LeafRatchets {
                    handshake,
                    application,
                },
            );
        }

        check_coverage(n_leaves, nodes.keys().copied(), leaves.keys().copied())?;
        Ok(SecretTree {
            n_leaves,
            config,
            nodes,
            leaves,
            version,
            _suite: core::marker::PhantomData,
        })
    }
}

/// Checks the invariant every tree keeps: each leaf is covered by exactly one stored node
/// secret (a leaf's own, or an ancestor's) or by its derived ratchets. Node indices are
/// already known to lie in the tree, leaf indices among its leaves.
fn check_coverage(
    n_leaves: u32,
    nodes: impl Iterator<Item = NodeIndex>,
    leaves: impl Iterator<Item = LeafIndex>,
) -> Result<(), CodecError> {
    // The leaves below a node of level k: 2^k of them, starting at (index >> (k + 1)) << k.
    let mut spans: Vec<(u64, u64)> = nodes
        .map(|node| {
            let level = node.level();
            let first = (u64::from(node.0) >> (level + 1)) << level;
            (first, 1u64 << level)
        })
        .chain(leaves.map(|leaf| (u64::from(leaf.0), 1)))
        .collect();
    spans.sort_unstable();
    let mut covered = 0u64;
    for (first, count) in spans {
        if first != covered {
            return Err(CodecError::InvalidValue {
                what: "secret tree state (a leaf is covered twice or not at all)",
                value: first.min(covered),
            });
        }
        covered = first + count;
    }
    if covered != u64::from(n_leaves) {
        return Err(CodecError::InvalidValue {
            what: "secret tree state (a leaf is covered twice or not at all)",
            value: covered,
        });
    }
    Ok(())
}

/// The sender-data key and nonce of a PrivateMessage (RFC 9420 §6.3.2): from the first `Nh`
/// bytes of the content ciphertext (all of it if shorter),
/// `ExpandWithLabel(sender_data_secret, "key", sample, Nk)` and
/// `ExpandWithLabel(sender_data_secret, "nonce", sample, Nn)`.
pub fn sender_data_key_nonce<S: CipherSuite>(
    sender_data_secret: &Secret,
    ciphertext: &[u8],
) -> Result<(Secret, Secret), SecretTreeError> {
    let sample = &ciphertext[..ciphertext.len().min(S::Kdf::HASH_LEN)];
    let key = expand_with_label::<S>(
        sender_data_secret.as_bytes(),
        "key",
        sample,
        S::Aead::KEY_LEN,
    )?;
    let nonce = expand_with_label::<S>(
        sender_data_secret.as_bytes(),
        "nonce",
        sample,
        S::Aead::NONCE_LEN,
    )?;
    Ok((key, nonce))
}

/// The nonce with the reuse guard XORed into its first four bytes (RFC 9420 §6.3.1).
pub fn apply_reuse_guard(nonce: &Secret, reuse_guard: [u8; 4]) -> Secret {
    let mut guarded = nonce.clone();
    for (byte, guard) in guarded.as_mut_bytes().iter_mut().zip(reuse_guard) {
        *byte ^= guard;
    }
    guarded
}
