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

use std::collections::HashMap;

use rand_core::CryptoRng;
use thiserror::Error;

use crate::codec::{impl_codec_enum, impl_codec_struct, write_opaque};
use crate::error::CryptoError;
use crate::labels::{derive_secret, expand_with_label};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width, root};
use artmls_crypto::{DhGroup, Kdf};

/// The largest tree, in leaves (2^30: node indices stay within `u32`).
pub const MAX_LEAVES: u32 = 1 << 30;

type PrivateKey<S> = <<S as CipherSuite>::Dh as DhGroup>::PrivateKey;
type PublicKey<S> = <<S as CipherSuite>::Dh as DhGroup>::PublicKey;

/// Why a tree operation or a received change was rejected. A rejected change leaves the
/// member's state as it was.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TreeError {
    /// A received public key does not decode or validate.
    #[error("invalid public key for {node:?}: {source}")]
    InvalidPublicKey {
        /// Where the key was to go.
        node: NodeIndex,
        /// What the DH group said.
        source: CryptoError,
    },
    /// A public key recomputed from this member's secrets differs from the one sent: the
    /// sender computed a different tree (or lies about it). Drop the change.
    #[error("recomputed public key of {0:?} differs from the transmitted one")]
    PublicKeyMismatch(NodeIndex),
    /// The change carries more or fewer parent keys than its leaf changes imply.
    #[error("expected {expected} parent keys, got {got}")]
    WrongKeyCount {
        /// The number the tree's shape implies.
        expected: usize,
        /// The number received.
        got: usize,
    },
    /// A leaf change names a leaf that cannot take it (not a member for an update or remove,
    /// not the leftmost free slot for an add, or outside the tree).
    #[error("{leaf:?} cannot take this change: {reason}")]
    InvalidLeaf {
        /// The leaf.
        leaf: LeafIndex,
        /// Why.
        reason: &'static str,
    },
    /// The change removes this member: it is no longer in the group. Returned only once the
    /// change has passed every check that can be made without the next epoch's secrets.
    #[error("this member's own leaf is removed by the change")]
    OwnLeafRemoved,
    /// The change removes its own sender. A member never removes itself (it would choose its
    /// own tombstone's secret and keep reading): drop the commit.
    #[error("the sender removes itself")]
    SelfRemoval,
    /// The sender of the change is not a member of the tree.
    #[error("the sender {0:?} is not a member")]
    SenderNotMember(LeafIndex),
    /// The change mixes kinds of leaf change that one commit cannot carry together (an update
    /// is alone; adds are only adds; removes come with exactly their transfers).
    #[error("a change cannot mix these leaf changes: {0}")]
    MixedChange(&'static str),
    /// The transfers of a remove are not exactly the live tombstones the removed members own,
    /// in leaf order, before the removes (profile revision 2 §5, Transfer).
    #[error("the transfers do not match the tombstones the removed members own")]
    WrongTransfers,
    /// The change updates this member's own leaf, which only the member itself does.
    #[error("the change updates this member's own leaf")]
    OwnLeafUpdated,
    /// A change has no leaf changes.
    #[error("empty change")]
    EmptyChange,
    /// The tree would exceed [`MAX_LEAVES`].
    #[error("tree would exceed {MAX_LEAVES} leaves")]
    TreeTooLarge,
    /// A pending change was prepared on another version of the tree.
    #[error("the pending change was made for another version of the tree")]
    StalePendingChange,
    /// A public tree handed over (in a Welcome) is not well formed.
    #[error("malformed tree: {0}")]
    MalformedTree(&'static str),
    /// A primitive failed (a zero DH output, for instance).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// What a leaf holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeafKind {
    /// Never used, beyond the members after the tree grew, or a sealed tombstone.
    Blank,
    /// A member's leaf.
    Member,
    /// A removed member's leaf: it keeps a key so the nodes above it can still be computed.
    /// Its secret was drawn by its `owner`, a current member; when the owner is removed, the
    /// remover transfers the tombstone to itself with a fresh secret (profile revision 2 §5).
    Tombstone {
        /// The member that drew the tombstone's current secret.
        owner: LeafIndex,
    },
}

impl LeafKind {
    /// Whether the leaf is a tombstone (of any owner).
    pub fn is_tombstone(self) -> bool {
        matches!(self, LeafKind::Tombstone { .. })
    }
}

/// The secret of a node and the private key derived from it.
pub struct NodeSecret<S: CipherSuite> {
    secret: Secret,
    private_key: PrivateKey<S>,
}

impl<S: CipherSuite> Clone for NodeSecret<S> {
    fn clone(&self) -> Self {
        NodeSecret {
            secret: self.secret.clone(),
            private_key: self.private_key.clone(),
        }
    }
}

impl<S: CipherSuite> core::fmt::Debug for NodeSecret<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NodeSecret([redacted])")
    }
}

impl<S: CipherSuite> NodeSecret<S> {
    /// `node_secret`, as the profile names it.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// A node's secret and key pair from its `node_secret`: `DeriveKeyPair(node_secret)`.
    fn from_secret(secret: Secret) -> Result<(Self, PublicKey<S>), CryptoError> {
        let (private_key, public_key) = S::Dh::derive_key_pair::<S::Kdf>(secret.as_bytes())?;
        Ok((
            NodeSecret {
                secret,
                private_key,
            },
            public_key,
        ))
    }

    /// A leaf's secret and key pair: `node_secret = DeriveSecret(leaf_secret, "node")`.
    pub fn from_leaf_secret(leaf_secret: &Secret) -> Result<(Self, PublicKey<S>), CryptoError> {
        Self::from_secret(derive_secret::<S>(leaf_secret.as_bytes(), "node")?)
    }

    /// The parent's secret and key pair from this child's private key and the other child's
    /// public key (profile §4).
    fn parent(
        &self,
        parent: NodeIndex,
        other: &PublicKey<S>,
        left: &PublicKey<S>,
        right: &PublicKey<S>,
    ) -> Result<(Self, PublicKey<S>), CryptoError> {
        let dh = S::Dh::dh(&self.private_key, other)?;
        let prk = S::Kdf::extract(&[], dh.as_bytes());
        let mut context = Vec::with_capacity(4 + 2 * (left.as_ref().len() + 2));
        context.extend_from_slice(&parent.0.to_be_bytes());
        write_opaque(&mut context, left.as_ref())?;
        write_opaque(&mut context, right.as_ref())?;
        let secret =
            expand_with_label::<S>(prk.as_bytes(), "ART node", &context, S::Kdf::HASH_LEN)?;
        Self::from_secret(secret)
    }

    /// `commit_secret = DeriveSecret(node_secret(root), "ART commit")`.
    fn commit_secret(&self) -> Result<Secret, CryptoError> {
        derive_secret::<S>(self.secret.as_bytes(), "ART commit")
    }
}

/// The public tree: the shape and every non-blank node's public key, in one flat array.
pub struct PublicTree<S: CipherSuite> {
    n_leaves: u32,
    leaves: Vec<LeafKind>,
    keys: Vec<Option<PublicKey<S>>>,
    /// The number of tombstone leaves: with none, Seal has nothing to do, and an update skips it.
    tombstone_count: usize,
    /// Bumped by every merged change, so a pending change made on an older tree is refused.
    version: u64,
}

impl<S: CipherSuite> Clone for PublicTree<S> {
    fn clone(&self) -> Self {
        PublicTree {
            n_leaves: self.n_leaves,
            leaves: self.leaves.clone(),
            keys: self.keys.clone(),
            tombstone_count: self.tombstone_count,
            version: self.version,
        }
    }
}

impl<S: CipherSuite> core::fmt::Debug for PublicTree<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicTree")
            .field("n_leaves", &self.n_leaves)
            .field("members", &self.member_count())
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> PublicTree<S> {
    fn blank(n_leaves: u32) -> Self {
        PublicTree {
            n_leaves,
            leaves: vec![LeafKind::Blank; n_leaves as usize],
            keys: vec![None; node_width(n_leaves) as usize],
            tombstone_count: 0,
            version: 0,
        }
    }

    fn count_tombstones(&mut self) {
        self.tombstone_count = self
            .leaves
            .iter()
            .filter(|kind| kind.is_tombstone())
            .count();
    }

    /// The width of the tree in leaves (a power of two).
    pub fn n_leaves(&self) -> u32 {
        self.n_leaves
    }

    /// The root node.
    pub fn root(&self) -> NodeIndex {
        root(self.n_leaves)
    }

    /// What leaf `leaf` holds (`Blank` outside the tree).
    pub fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        self.leaves
            .get(leaf.0 as usize)
            .copied()
            .unwrap_or(LeafKind::Blank)
    }

    /// The public key of a node (for a pass-through parent: the key it passes through); `None`
    /// for a blank node or one outside the tree.
    pub fn public_key(&self, node: NodeIndex) -> Option<&PublicKey<S>> {
        self.keys.get(node.0 as usize).and_then(Option::as_ref)
    }

    /// The number of member leaves.
    pub fn member_count(&self) -> usize {
        self.leaves
            .iter()
            .filter(|kind| **kind == LeafKind::Member)
            .count()
    }

    /// The member leaves, in order.
    pub fn members(&self) -> impl Iterator<Item = LeafIndex> + '_ {
        self.leaves
            .iter()
            .enumerate()
            .filter(|(_, kind)| **kind == LeafKind::Member)
            .map(|(index, _)| LeafIndex(index as u32))
    }

    /// The live tombstones, in leaf order, each with its owner.
    pub fn tombstones(&self) -> impl Iterator<Item = (LeafIndex, LeafIndex)> + '_ {
        self.leaves
            .iter()
            .enumerate()
            .filter_map(|(index, kind)| match kind {
                LeafKind::Tombstone { owner } => Some((LeafIndex(index as u32), *owner)),
                _ => None,
            })
    }

    /// Whether the subtree under `node` holds a member leaf. A blank node's subtree is all
    /// blank, so the search skips it; it stops at the first member, leftmost first.
    pub fn subtree_has_member(&self, node: NodeIndex) -> bool {
        self.leftmost_member(node).is_some()
    }

    /// The leftmost member leaf under `node`, if any.
    pub fn leftmost_member(&self, node: NodeIndex) -> Option<LeafIndex> {
        self.public_key(node)?;
        if let Some(leaf) = node.leaf() {
            return (self.leaf_kind(leaf) == LeafKind::Member).then_some(leaf);
        }
        let (left, right) = node.left().zip(node.right())?;
        self.leftmost_member(left)
            .or_else(|| self.leftmost_member(right))
    }

    /// The sponsor of a live tombstone (profile revision 2 §5, Seal): the leftmost member under
    /// the sibling of the largest memberless subtree that holds the tombstone. Its next Update
    /// seals the tombstone (its leaf becomes blank). `None` if `tombstone` is not a tombstone.
    pub fn sponsor(&self, tombstone: LeafIndex) -> Option<LeafIndex> {
        if !self.leaf_kind(tombstone).is_tombstone() {
            return None;
        }
        let mut memberless = tombstone.node();
        while let Some(parent) = memberless.parent(self.n_leaves) {
            if self.subtree_has_member(parent) {
                break;
            }
            memberless = parent;
        }
        self.leftmost_member(memberless.sibling(self.n_leaves)?)
    }

    /// The `commit_secret` that whoever knows `leaf_secret` computes from this public tree, if
    /// `leaf_secret` is the secret of `leaf`'s current key (a member or a tombstone): the leaf's
    /// path to the root needs only the public keys of its copath. This is what a party that
    /// kept an old secret can still derive; tests use it to show who is locked out.
    pub fn commit_secret_from_leaf_secret(
        &self,
        leaf: LeafIndex,
        leaf_secret: &Secret,
    ) -> Result<Option<Secret>, TreeError> {
        if self.leaf_kind(leaf) == LeafKind::Blank {
            return Ok(None);
        }
        match path_from_leaf_secret(self, leaf, leaf_secret) {
            Ok(path) => Ok(Some(
                path.last().ok_or(TreeError::EmptyChange)?.commit_secret()?,
            )),
            Err(TreeError::PublicKeyMismatch(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Rebuilds a public tree from its leaves and node keys in wire form, checking the shape:
    /// blank leaves have no key, other leaves have one, a parent is blank exactly when both
    /// children are, and a pass-through parent carries its child's key.
    pub fn from_parts(leaves: Vec<LeafKind>, keys: &[Option<Vec<u8>>]) -> Result<Self, TreeError> {
        let n_leaves = u32::try_from(leaves.len()).map_err(|_| TreeError::TreeTooLarge)?;
        if n_leaves == 0 || !n_leaves.is_power_of_two() || n_leaves > MAX_LEAVES {
            return Err(TreeError::MalformedTree("the width is not a power of two"));
        }
        if keys.len() != node_width(n_leaves) as usize {
            return Err(TreeError::MalformedTree("wrong number of nodes"));
        }
        let mut tree = Self::blank(n_leaves);
        tree.leaves = leaves;
        tree.count_tombstones();
        // Parsing validates each key (a point check for P-256): for a large tree, on all cores.
        let nodes: Vec<NodeIndex> = (0..keys.len() as u32).map(NodeIndex).collect();
        tree.keys = crate::parallel::try_map(&nodes, |&node| {
            keys[node.0 as usize]
                .as_deref()
                .map(S::Dh::public_key_from_bytes)
                .transpose()
                .map_err(|source| TreeError::InvalidPublicKey { node, source })
        })?;
        // A tombstone's owner drew its secret and must still be a member: a removed owner's
        // tombstones are transferred by the commit that removes it.
        for kind in &tree.leaves {
            if let LeafKind::Tombstone { owner } = kind
                && tree.leaf_kind(*owner) != LeafKind::Member
            {
                return Err(TreeError::MalformedTree(
                    "a tombstone's owner is not a member",
                ));
            }
        }
        for index in 0..tree.keys.len() {
            let node = NodeIndex(index as u32);
            let present = tree.keys[index].is_some();
            match (node.leaf(), node.left().zip(node.right())) {
                (Some(leaf), _) => {
                    if present != (tree.leaf_kind(leaf) != LeafKind::Blank) {
                        return Err(TreeError::MalformedTree(
                            "a leaf's key does not match its kind",
                        ));
                    }
                }
                (None, Some((left, right))) => {
                    let expected = match (tree.public_key(left), tree.public_key(right)) {
                        (None, None) => Some(None),
                        (Some(key), None) | (None, Some(key)) => Some(Some(key)),
                        (Some(_), Some(_)) => None,
                    };
                    match expected {
                        Some(expected) if tree.public_key(node) != expected => {
                            return Err(TreeError::MalformedTree(
                                "a blank or pass-through parent has the wrong key",
                            ));
                        }
                        None if !present => {
                            return Err(TreeError::MalformedTree(
                                "a parent of two non-blank children has no key",
                            ));
                        }
                        _ => {}
                    }
                }
                (None, None) => return Err(TreeError::MalformedTree("bad node")),
            }
        }
        Ok(tree)
    }

    /// Checks a change from the member at `sender` as far as the public tree allows (the
    /// change's rules, Transfer and Seal, every key's validity, the number of parent keys) and
    /// computes the public tree it leads to, without changing this one: what a party that
    /// follows the group without being in it (the ordering service) can check. A member
    /// recomputes its own path on top ([`ArtMember::stage`]).
    pub fn stage(
        &self,
        change: &TreeChange,
        sender: LeafIndex,
    ) -> Result<StagedTreeChange<S>, TreeError> {
        let mut received = ParentKeys::Received {
            keys: &change.parent_keys,
            next: 0,
        };
        let (overlay, _) = apply_change(self, change, sender, HashMap::new(), &mut received, None)?;
        check_all_keys_used(&received)?;
        Ok(StagedTreeChange {
            base_version: self.version,
            public_only: true,
            changes: overlay.into_changes(),
            own_path: Vec::new(),
            commit_secret: Secret::zero(0),
        })
    }

    /// Applies a change staged with [`PublicTree::stage`]. Fails, changing nothing, if the
    /// tree moved on since.
    pub fn merge(&mut self, staged: StagedTreeChange<S>) -> Result<(), TreeError> {
        if staged.base_version != self.version || !staged.public_only {
            return Err(TreeError::StalePendingChange);
        }
        let tree = core::mem::replace(self, PublicTree::blank(1));
        *self = staged.changes.apply_to(tree);
        Ok(())
    }

    /// The leaves and node keys in wire form (the inverse of [`PublicTree::from_parts`]).
    pub fn to_parts(&self) -> (Vec<LeafKind>, Vec<Option<Vec<u8>>>) {
        let keys = self
            .keys
            .iter()
            .map(|key| key.as_ref().map(|key| key.as_ref().to_vec()))
            .collect();
        (self.leaves.clone(), keys)
    }

    /// The public tree of the given leaf secrets (`None` for a blank leaf), computed from
    /// scratch, with the root's `node_secret` (`None` for an all-blank tree). This is what the
    /// `art-tree` vectors describe; leaves with a secret are members.
    pub fn from_leaf_secrets(
        leaf_secrets: &[Option<Secret>],
    ) -> Result<(Self, Option<Secret>), TreeError> {
        let leaves: Vec<(LeafKind, Option<Secret>)> = leaf_secrets
            .iter()
            .map(|secret| match secret {
                Some(secret) => (LeafKind::Member, Some(secret.clone())),
                None => (LeafKind::Blank, None),
            })
            .collect();
        Self::from_leaves(&leaves)
    }

    /// The public tree of the given leaves, each a kind and a leaf secret (present exactly for
    /// members and tombstones), computed from scratch, with the root's `node_secret` (`None`
    /// for an all-blank tree). No rule of a commit (Seal, truncation) is applied: the tree is
    /// the one described. This is what the `art-update` vectors start from.
    pub fn from_leaves(
        leaves: &[(LeafKind, Option<Secret>)],
    ) -> Result<(Self, Option<Secret>), TreeError> {
        let n_leaves = u32::try_from(leaves.len()).map_err(|_| TreeError::TreeTooLarge)?;
        if n_leaves == 0 || !n_leaves.is_power_of_two() || n_leaves > MAX_LEAVES {
            return Err(TreeError::MalformedTree("the width is not a power of two"));
        }
        let base = Self::blank(n_leaves);
        let mut overlay = Overlay::new(&base);
        let mut known = HashMap::new();
        let mut changed = Vec::new();
        for (index, (kind, secret)) in leaves.iter().enumerate() {
            let leaf = LeafIndex(index as u32);
            match (kind, secret) {
                (LeafKind::Blank, None) => {}
                (LeafKind::Member | LeafKind::Tombstone { .. }, Some(secret)) => {
                    let (node_secret, public_key) = NodeSecret::<S>::from_leaf_secret(secret)?;
                    overlay.set_leaf(leaf, *kind, Some(public_key));
                    known.insert(leaf.node(), node_secret);
                    changed.push(leaf);
                }
                _ => {
                    return Err(TreeError::MalformedTree(
                        "a secret is given exactly for members and tombstones",
                    ));
                }
            }
        }
        let evaluation =
            overlay.evaluate(&changed, known, &mut ParentKeys::Collect(Vec::new()), None)?;
        let root_secret = evaluation
            .known
            .get(&root(n_leaves))
            .map(|node| node.secret.clone());
        let tree = overlay.into_changes().apply_to(base);
        Ok((tree, root_secret))
    }
}

/// What a [`LeafChange`] does to its leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LeafChangeKind {
    /// The member at the leaf (the sender) has a new leaf key.
    Update = 1,
    /// A newcomer takes the leaf: the leftmost blank or tombstone slot, or the first slot past
    /// the end, which doubles the tree.
    Add = 2,
    /// The member at the leaf is removed; the leaf becomes a tombstone with a fresh key, owned
    /// by the sender.
    Remove = 3,
    /// A live tombstone owned by a member this change removes gets a fresh key drawn by the
    /// sender, which becomes its owner (profile revision 2 §5, Transfer).
    Transfer = 4,
}

impl_codec_enum!(LeafChangeKind: u8, "leaf change kind" { Update, Add, Remove, Transfer });

/// One leaf's part of a [`TreeChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafChange {
    /// What happens to the leaf.
    pub kind: LeafChangeKind,
    /// The leaf.
    pub leaf: LeafIndex,
    /// The leaf's new public key: the sender's new key, the one the adder derived for the
    /// newcomer, or the tombstone's.
    pub public_key: Vec<u8>,
}

impl_codec_struct!(LeafChange {
    kind,
    leaf,
    public_key
});

/// The public part of a tree change, as a commit carries it: the leaf changes, then the
/// public keys of every changed parent that has two non-blank children, in order of level,
/// then of node index. Pass-through and blank parents are not sent: every member knows the
/// tree's shape and derives them.
///
/// ```text
/// struct { LeafChange leaves<V>; opaque parent_keys<V><V>; } TreeChange;
/// struct { uint8 kind; uint32 leaf; opaque public_key<V>; } LeafChange;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreeChange {
    /// The leaf changes, applied in order.
    pub leaves: Vec<LeafChange>,
    /// The changed parents' public keys.
    pub parent_keys: Vec<Vec<u8>>,
}

impl_codec_struct!(TreeChange {
    leaves,
    parent_keys
});

/// A change prepared by a member and not yet applied to its state.
///
/// Send [`PendingTreeChange::change`] to the group; once the ordering service confirms it,
/// apply it with [`ArtMember::merge`], or drop it. Dropping it erases the secrets it holds.
pub struct PendingTreeChange<S: CipherSuite> {
    change: TreeChange,
    newcomers: Vec<(LeafIndex, Secret)>,
    staged: StagedTreeChange<S>,
}

impl<S: CipherSuite> core::fmt::Debug for PendingTreeChange<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingTreeChange")
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> PendingTreeChange<S> {
    /// What to send to the group.
    pub fn change(&self) -> &TreeChange {
        &self.change
    }

    /// The leaves and leaf secrets given to newcomers, to hand to each of them (in a Welcome).
    /// Until a newcomer updates, whoever knows its leaf secret knows its keys.
    pub fn newcomers(&self) -> &[(LeafIndex, Secret)] {
        &self.newcomers
    }

    /// The `commit_secret` the change leads to.
    pub fn commit_secret(&self) -> &Secret {
        &self.staged.commit_secret
    }

    /// The staged result, for [`ArtMember::merge`].
    pub fn into_staged(self) -> StagedTreeChange<S> {
        self.staged
    }
}

/// A checked change, ready to be applied with [`ArtMember::merge`].
pub struct StagedTreeChange<S: CipherSuite> {
    base_version: u64,
    /// Staged on the public tree alone ([`PublicTree::stage`]): no path secrets, no
    /// `commit_secret`; only [`PublicTree::merge`] takes it.
    public_only: bool,
    changes: TreeChanges<S>,
    own_path: Vec<NodeSecret<S>>,
    commit_secret: Secret,
}

impl<S: CipherSuite> core::fmt::Debug for StagedTreeChange<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StagedTreeChange")
            .field("n_leaves", &self.changes.n_leaves)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> StagedTreeChange<S> {
    /// The `commit_secret` after the change (empty for a change staged on the public tree
    /// alone, which gives none).
    pub fn commit_secret(&self) -> &Secret {
        &self.commit_secret
    }

    /// The width of the tree after the change, in leaves.
    pub fn n_leaves(&self) -> u32 {
        self.changes.n_leaves
    }

    /// The nodes whose key the change sets (changed leaves and their recomputed ancestors), in
    /// no particular order. Nodes past the new width are included when the tree shrinks.
    pub fn changed_nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.changes.keys.keys().copied()
    }

    /// The leaves whose kind the change sets, with their new kind.
    pub fn changed_leaves(&self) -> impl Iterator<Item = (LeafIndex, LeafKind)> + '_ {
        self.changes
            .leaves
            .iter()
            .map(|(leaf, kind)| (*leaf, *kind))
    }

    /// The public key of `node` in the tree after the change, where `base` is the tree the
    /// change was staged on.
    pub fn public_key<'a>(
        &'a self,
        base: &'a PublicTree<S>,
        node: NodeIndex,
    ) -> Option<&'a PublicKey<S>> {
        if node.0 >= node_width(self.changes.n_leaves) {
            return None;
        }
        match self.changes.keys.get(&node) {
            Some(key) => key.as_ref(),
            None => base.public_key(node),
        }
    }

    /// What `leaf` holds after the change, where `base` is the tree the change was staged on.
    pub fn leaf_kind(&self, base: &PublicTree<S>, leaf: LeafIndex) -> LeafKind {
        if leaf.0 >= self.changes.n_leaves {
            return LeafKind::Blank;
        }
        self.changes
            .leaves
            .get(&leaf)
            .copied()
            .unwrap_or_else(|| base.leaf_kind(leaf))
    }
}

impl<S: CipherSuite> From<PendingTreeChange<S>> for StagedTreeChange<S> {
    fn from(pending: PendingTreeChange<S>) -> Self {
        pending.staged
    }
}

/// One member's view of the tree: the public tree and the secrets of its own direct path.
pub struct ArtMember<S: CipherSuite> {
    tree: PublicTree<S>,
    own_leaf: LeafIndex,
    /// The secrets of the own leaf's direct path, by level (0 = the leaf, last = the root).
    own_path: Vec<NodeSecret<S>>,
    commit_secret: Secret,
}

impl<S: CipherSuite> Clone for ArtMember<S> {
    fn clone(&self) -> Self {
        ArtMember {
            tree: self.tree.clone(),
            own_leaf: self.own_leaf,
            own_path: self.own_path.clone(),
            commit_secret: self.commit_secret.clone(),
        }
    }
}

impl<S: CipherSuite> core::fmt::Debug for ArtMember<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArtMember")
            .field("own_leaf", &self.own_leaf)
            .field("tree", &self.tree)
            .finish_non_exhaustive()
    }
}

fn fresh_leaf_secret<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) -> Secret {
    let mut secret = Secret::zero(S::Kdf::HASH_LEN);
    rng.fill_bytes(secret.as_mut_bytes());
    secret
}

/// The newcomers' leaves and leaf secrets of an add, drawn and not yet used.
pub(crate) struct DrawnAdd(Vec<(LeafChangeKind, LeafIndex, Secret)>);

/// The ancestor of `leaf` at `level`.
fn ancestor_at(leaf: LeafIndex, level: u32) -> NodeIndex {
    let x = leaf.node().0;
    NodeIndex(((x >> (level + 1)) << (level + 1)) | ((1u32 << level) - 1))
}

impl<S: CipherSuite> ArtMember<S> {
    /// A one-member tree with a fresh leaf secret from `rng`.
    pub fn create<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, TreeError> {
        Self::create_with_leaf_secret(&fresh_leaf_secret::<S, R>(rng))
    }

    /// A one-member tree with the given leaf secret.
    pub fn create_with_leaf_secret(leaf_secret: &Secret) -> Result<Self, TreeError> {
        let (node_secret, public_key) = NodeSecret::<S>::from_leaf_secret(leaf_secret)?;
        let mut tree = PublicTree::blank(1);
        tree.leaves[0] = LeafKind::Member;
        tree.keys[0] = Some(public_key);
        let commit_secret = node_secret.commit_secret()?;
        Ok(ArtMember {
            tree,
            own_leaf: LeafIndex(0),
            own_path: vec![node_secret],
            commit_secret,
        })
    }

    /// A newcomer's view, from the public tree and the leaf secret its adder chose. The own
    /// direct path is recomputed and must match the tree's public keys.
    pub fn join(
        tree: PublicTree<S>,
        own_leaf: LeafIndex,
        leaf_secret: &Secret,
    ) -> Result<Self, TreeError> {
        if tree.leaf_kind(own_leaf) != LeafKind::Member {
            return Err(TreeError::InvalidLeaf {
                leaf: own_leaf,
                reason: "not a member leaf of the tree",
            });
        }
        let own_path = path_from_leaf_secret(&tree, own_leaf, leaf_secret)?;
        let commit_secret = own_path
            .last()
            .ok_or(TreeError::EmptyChange)?
            .commit_secret()?;
        Ok(ArtMember {
            tree,
            own_leaf,
            own_path,
            commit_secret,
        })
    }

    /// The `node_secret`s of this member's direct path, leaf first (to persist the member).
    pub fn own_path_secrets(&self) -> impl Iterator<Item = &Secret> + '_ {
        self.own_path.iter().map(|node| &node.secret)
    }

    /// A member restored from its public tree, its leaf and the `node_secret`s of its direct
    /// path (leaf first), as [`ArtMember::own_path_secrets`] gave them. Every key pair is
    /// derived again and must match the tree's public key at its node.
    pub fn restore(
        tree: PublicTree<S>,
        own_leaf: LeafIndex,
        path_secrets: Vec<Secret>,
    ) -> Result<Self, TreeError> {
        if tree.leaf_kind(own_leaf) != LeafKind::Member {
            return Err(TreeError::InvalidLeaf {
                leaf: own_leaf,
                reason: "not a member leaf of the tree",
            });
        }
        if path_secrets.len() != root(tree.n_leaves).level() as usize + 1 {
            return Err(TreeError::MalformedTree("wrong number of path secrets"));
        }
        let mut own_path = Vec::with_capacity(path_secrets.len());
        for (level, secret) in (0u32..).zip(path_secrets) {
            let node = ancestor_at(own_leaf, level);
            let (node_secret, public_key) = NodeSecret::<S>::from_secret(secret)?;
            if tree.public_key(node) != Some(&public_key) {
                return Err(TreeError::PublicKeyMismatch(node));
            }
            own_path.push(node_secret);
        }
        let commit_secret = own_path
            .last()
            .ok_or(TreeError::EmptyChange)?
            .commit_secret()?;
        Ok(ArtMember {
            tree,
            own_leaf,
            own_path,
            commit_secret,
        })
    }

    /// The public tree.
    pub fn tree(&self) -> &PublicTree<S> {
        &self.tree
    }

    /// This member's leaf.
    pub fn own_leaf(&self) -> LeafIndex {
        self.own_leaf
    }

    /// The current `commit_secret`.
    pub fn commit_secret(&self) -> &Secret {
        &self.commit_secret
    }

    /// The nodes whose secrets this member holds: its leaf and its direct path, nothing else.
    pub fn secret_nodes(&self) -> Vec<NodeIndex> {
        (0..self.own_path.len() as u32)
            .map(|level| ancestor_at(self.own_leaf, level))
            .collect()
    }

    fn is_on_own_path(&self, node: NodeIndex) -> bool {
        ancestor_at(self.own_leaf, node.level()) == node
    }

    /// The secret this member holds for `node`, if it is on its direct path.
    pub fn node_secret(&self, node: NodeIndex) -> Option<&Secret> {
        let level = node.level();
        let held = self.own_path.get(level as usize)?;
        (ancestor_at(self.own_leaf, level) == node).then_some(&held.secret)
    }

    /// Prepares an update of the own leaf: a fresh leaf secret and new keys from the leaf to
    /// the root. Does not change this member.
    pub fn prepare_update<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        self.prepare_update_with_leaf_secret(fresh_leaf_secret::<S, R>(rng))
    }

    /// [`ArtMember::prepare_update`] with the given fresh leaf secret (for test vectors).
    pub fn prepare_update_with_leaf_secret(
        &self,
        leaf_secret: Secret,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        self.prepare(
            vec![(LeafChangeKind::Update, self.own_leaf, leaf_secret)],
            false,
        )
    }

    /// Prepares adding `count` newcomers, each in the leftmost blank or tombstone slot (the
    /// tree doubles when there is none), with a fresh leaf secret each. Does not change this
    /// member.
    pub fn prepare_add<R: CryptoRng + ?Sized>(
        &self,
        count: usize,
        rng: &mut R,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        let drawn = self.draw_add(count, rng)?;
        self.prepare_drawn_add(drawn)
    }

    /// The part of [`ArtMember::prepare_add`] that uses `rng`: the newcomers' slots and leaf
    /// secrets, drawn in order. The rest ([`ArtMember::prepare_drawn_add`]) draws nothing, so
    /// it can run beside other work.
    pub(crate) fn draw_add<R: CryptoRng + ?Sized>(
        &self,
        count: usize,
        rng: &mut R,
    ) -> Result<DrawnAdd, TreeError> {
        let mut slots = FreeSlots::new(&self.tree);
        let mut leaves = Vec::with_capacity(count);
        for _ in 0..count {
            let leaf = slots.take().ok_or(TreeError::TreeTooLarge)?;
            leaves.push((LeafChangeKind::Add, leaf, fresh_leaf_secret::<S, R>(rng)));
        }
        if leaves.is_empty() {
            return Err(TreeError::EmptyChange);
        }
        Ok(DrawnAdd(leaves))
    }

    /// The tree change of an add whose leaf secrets were drawn by [`ArtMember::draw_add`].
    pub(crate) fn prepare_drawn_add(
        &self,
        drawn: DrawnAdd,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        self.prepare(drawn.0, true)
    }

    /// Prepares removing the members at `leaves`: each becomes a tombstone owned by this
    /// member, with a fresh secret that is erased once the change is computed. First, every
    /// live tombstone a removed member owns is transferred to this member with a fresh secret
    /// (profile revision 2 §5), so no removed party keeps a live secret. Does not change this
    /// member.
    pub fn prepare_remove<R: CryptoRng + ?Sized>(
        &self,
        leaves: &[LeafIndex],
        rng: &mut R,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        if leaves.contains(&self.own_leaf) {
            return Err(TreeError::SelfRemoval);
        }
        let changes = transfers_for(&self.tree, leaves)
            .into_iter()
            .map(|leaf| (LeafChangeKind::Transfer, leaf))
            .chain(leaves.iter().map(|leaf| (LeafChangeKind::Remove, *leaf)))
            .map(|(kind, leaf)| (kind, leaf, fresh_leaf_secret::<S, R>(rng)))
            .collect();
        self.prepare(changes, false)
    }

    fn prepare(
        &self,
        leaf_changes: Vec<(LeafChangeKind, LeafIndex, Secret)>,
        keep_newcomers: bool,
    ) -> Result<PendingTreeChange<S>, TreeError> {
        let mut known = HashMap::with_capacity(leaf_changes.len() * 2);
        let mut wire = Vec::with_capacity(leaf_changes.len());
        let mut newcomers = Vec::new();
        // Each leaf's key pair depends on its own secret only: for a large add, on all cores.
        let leaf_keys = crate::parallel::try_map(&leaf_changes, |(_, _, leaf_secret)| {
            NodeSecret::<S>::from_leaf_secret(leaf_secret)
        })?;
        for ((kind, leaf, leaf_secret), (node_secret, public_key)) in
            leaf_changes.into_iter().zip(leaf_keys)
        {
            wire.push(LeafChange {
                kind,
                leaf,
                public_key: public_key.as_ref().to_vec(),
            });
            known.insert(leaf.node(), node_secret);
            if keep_newcomers {
                newcomers.push((leaf, leaf_secret));
            }
        }
        let mut change = TreeChange {
            leaves: wire,
            parent_keys: Vec::new(),
        };
        let mut collected = ParentKeys::Collect(Vec::new());
        let staged = self.stage_with(&change, self.own_leaf, known, &mut collected)?;
        if let ParentKeys::Collect(keys) = collected {
            change.parent_keys = keys;
        }
        Ok(PendingTreeChange {
            change,
            newcomers,
            staged,
        })
    }

    /// Checks a change received from the member at `sender` and computes its result, without
    /// changing this member. Every public key on this member's direct path that the change
    /// touches is recomputed from this member's secrets and must equal the one sent.
    ///
    /// A change that removes this member is checked as far as the public tree allows
    /// ([`ArtMember::check_public`]) and then refused with [`TreeError::OwnLeafRemoved`], so a
    /// forged removal is rejected like any other bad change.
    pub fn stage(
        &self,
        change: &TreeChange,
        sender: LeafIndex,
    ) -> Result<StagedTreeChange<S>, TreeError> {
        if sender == self.own_leaf {
            return Err(TreeError::OwnLeafUpdated);
        }
        let removes_self = change
            .leaves
            .iter()
            .any(|leaf_change| leaf_change.leaf == self.own_leaf);
        if removes_self {
            self.check_public(change, sender)?;
            return Err(
                match change.leaves.iter().find(|c| c.leaf == self.own_leaf) {
                    Some(c) if c.kind == LeafChangeKind::Remove => TreeError::OwnLeafRemoved,
                    _ => TreeError::OwnLeafUpdated,
                },
            );
        }
        self.stage_received(change, sender)
    }

    /// Every check of a change from `sender` that needs only the public tree: the change's
    /// shape and rules (who may change which leaf, Transfer, Seal), every key's validity and
    /// the number of parent keys. What it cannot check is the recomputation of this member's
    /// own path.
    pub fn check_public(&self, change: &TreeChange, sender: LeafIndex) -> Result<(), TreeError> {
        self.tree.stage(change, sender).map(drop)
    }

    fn stage_received(
        &self,
        change: &TreeChange,
        sender: LeafIndex,
    ) -> Result<StagedTreeChange<S>, TreeError> {
        let mut received = ParentKeys::Received {
            keys: &change.parent_keys,
            next: 0,
        };
        let staged = self.stage_with(change, sender, HashMap::new(), &mut received)?;
        check_all_keys_used(&received)?;
        Ok(staged)
    }

    /// Applies `change` from `sender` to an overlay of the tree and evaluates it, with this
    /// member's own path secrets taking part (and checked).
    fn stage_with(
        &self,
        change: &TreeChange,
        sender: LeafIndex,
        known: HashMap<NodeIndex, NodeSecret<S>>,
        parent_keys: &mut ParentKeys<'_>,
    ) -> Result<StagedTreeChange<S>, TreeError> {
        let (overlay, mut evaluation) =
            apply_change(&self.tree, change, sender, known, parent_keys, Some(self))?;
        let own_path = (0..=root(overlay.n_leaves).level())
            .map(|level| {
                let node = ancestor_at(self.own_leaf, level);
                match evaluation.known.remove(&node) {
                    Some(secret) => Ok(secret),
                    None => self
                        .own_path
                        .get(level as usize)
                        .cloned()
                        .ok_or(TreeError::PublicKeyMismatch(node)),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let commit_secret = own_path
            .last()
            .ok_or(TreeError::EmptyChange)?
            .commit_secret()?;
        Ok(StagedTreeChange {
            base_version: self.tree.version,
            public_only: false,
            changes: overlay.into_changes(),
            own_path,
            commit_secret,
        })
    }

    /// Applies a staged change (own or received). Fails, changing nothing, if the tree moved
    /// on since the change was staged.
    pub fn merge(&mut self, staged: impl Into<StagedTreeChange<S>>) -> Result<(), TreeError> {
        let staged = staged.into();
        if staged.base_version != self.tree.version || staged.public_only {
            return Err(TreeError::StalePendingChange);
        }
        let tree = core::mem::replace(&mut self.tree, PublicTree::blank(1));
        self.tree = staged.changes.apply_to(tree);
        self.own_path = staged.own_path;
        self.commit_secret = staged.commit_secret;
        Ok(())
    }

    /// Checks and applies a received change in one step.
    pub fn apply(&mut self, change: &TreeChange, sender: LeafIndex) -> Result<(), TreeError> {
        let staged = self.stage(change, sender)?;
        self.merge(staged)
    }
}

/// The secrets of `leaf`'s direct path, leaf first, computed from its leaf secret and the
/// public keys of its copath; every computed key must equal the tree's.
fn path_from_leaf_secret<S: CipherSuite>(
    tree: &PublicTree<S>,
    leaf: LeafIndex,
    leaf_secret: &Secret,
) -> Result<Vec<NodeSecret<S>>, TreeError> {
    let (mut current, public_key) = NodeSecret::<S>::from_leaf_secret(leaf_secret)?;
    if tree.public_key(leaf.node()) != Some(&public_key) {
        return Err(TreeError::PublicKeyMismatch(leaf.node()));
    }
    let mut node = leaf.node();
    let mut path = Vec::new();
    for parent in node.direct_path(tree.n_leaves) {
        let next = match node
            .sibling(tree.n_leaves)
            .and_then(|sibling| tree.public_key(sibling))
        {
            None => current.clone(),
            Some(sibling_key) => {
                let (left, right) = children_keys(tree, parent)?;
                let (next, public_key) = current.parent(parent, sibling_key, left, right)?;
                if tree.public_key(parent) != Some(&public_key) {
                    return Err(TreeError::PublicKeyMismatch(parent));
                }
                next
            }
        };
        path.push(core::mem::replace(&mut current, next));
        node = parent;
    }
    path.push(current);
    Ok(path)
}

/// Applies `change` from `sender` to an overlay of `tree` and evaluates it: the rules of the
/// change ([`check_shape`]), each leaf change, Seal, truncation, then every changed parent.
/// With `member`, that member's own path secrets take part (and are checked); without, only
/// the public tree does.
fn apply_change<'t, S: CipherSuite>(
    tree: &'t PublicTree<S>,
    change: &TreeChange,
    sender: LeafIndex,
    known: HashMap<NodeIndex, NodeSecret<S>>,
    parent_keys: &mut ParentKeys<'_>,
    member: Option<&ArtMember<S>>,
) -> Result<(Overlay<'t, S>, Evaluation<S>), TreeError> {
    let shape = check_shape(tree, change, sender)?;
    let mut overlay = Overlay::new(tree);
    let mut slots = FreeSlots::new(tree);
    let mut changed = Vec::with_capacity(change.leaves.len());
    for leaf_change in &change.leaves {
        let leaf = leaf_change.leaf;
        let node = leaf.node();
        let public_key = S::Dh::public_key_from_bytes(&leaf_change.public_key)
            .map_err(|source| TreeError::InvalidPublicKey { node, source })?;
        let kind = match leaf_change.kind {
            LeafChangeKind::Update | LeafChangeKind::Remove => {
                if overlay.leaf_kind(leaf) != LeafKind::Member {
                    return Err(TreeError::InvalidLeaf {
                        leaf,
                        reason: "not a member",
                    });
                }
                if leaf_change.kind == LeafChangeKind::Update {
                    LeafKind::Member
                } else {
                    LeafKind::Tombstone { owner: sender }
                }
            }
            LeafChangeKind::Transfer => {
                if !overlay.leaf_kind(leaf).is_tombstone() {
                    return Err(TreeError::InvalidLeaf {
                        leaf,
                        reason: "not a tombstone",
                    });
                }
                LeafKind::Tombstone { owner: sender }
            }
            LeafChangeKind::Add => {
                if slots.take() != Some(leaf) {
                    return Err(TreeError::InvalidLeaf {
                        leaf,
                        reason: "not the leftmost free slot",
                    });
                }
                overlay.grow_to_hold(leaf)?;
                LeafKind::Member
            }
        };
        overlay.set_leaf(leaf, kind, Some(public_key));
        changed.push(leaf);
    }
    // Seal (profile revision 2 §5): before the new paths are computed, every memberless
    // subtree on their copaths is blanked, tombstones included.
    if shape != ChangeShape::Remove {
        overlay.seal_copaths(&changed);
    }
    overlay.truncate();
    let evaluation = overlay.evaluate(&changed, known, parent_keys, member)?;
    Ok((overlay, evaluation))
}

/// Checks that a received change used every parent key it carried.
fn check_all_keys_used(parent_keys: &ParentKeys<'_>) -> Result<(), TreeError> {
    if let ParentKeys::Received { keys, next } = parent_keys
        && *next != keys.len()
    {
        return Err(TreeError::WrongKeyCount {
            expected: *next,
            got: keys.len(),
        });
    }
    Ok(())
}

fn children_keys<S: CipherSuite>(
    tree: &PublicTree<S>,
    parent: NodeIndex,
) -> Result<(&PublicKey<S>, &PublicKey<S>), TreeError> {
    let (left, right) = parent
        .left()
        .zip(parent.right())
        .ok_or(TreeError::MalformedTree("leaf as parent"))?;
    tree.public_key(left)
        .zip(tree.public_key(right))
        .ok_or(TreeError::MalformedTree("missing child key"))
}

/// The three kinds of change a commit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeShape {
    /// The sender's own leaf, alone.
    Update,
    /// Newcomers only.
    Add,
    /// Removes of other members, after the transfers of the tombstones they own.
    Remove,
}

/// The live tombstones owned by any of `removed`, in leaf order: what a commit removing them
/// must transfer.
fn transfers_for<S: CipherSuite>(tree: &PublicTree<S>, removed: &[LeafIndex]) -> Vec<LeafIndex> {
    // A set, so a commit that removes many members costs a pass over the tree, not one per
    // removed member.
    let removed: std::collections::HashSet<LeafIndex> = removed.iter().copied().collect();
    tree.tombstones()
        .filter(|(_, owner)| removed.contains(owner))
        .map(|(leaf, _)| leaf)
        .collect()
}

/// The rules of a change that do not depend on its keys (profile §5, revision 2): the sender
/// is a member; an update is the sender's own leaf, alone; adds come alone; a remove never
/// names the sender and comes after exactly the transfers of the tombstones the removed
/// members own, in leaf order. Per-leaf checks (a member to update or remove, the leftmost
/// free slot for an add, a tombstone to transfer) follow when the change is applied.
fn check_shape<S: CipherSuite>(
    tree: &PublicTree<S>,
    change: &TreeChange,
    sender: LeafIndex,
) -> Result<ChangeShape, TreeError> {
    let first = change.leaves.first().ok_or(TreeError::EmptyChange)?;
    if tree.leaf_kind(sender) != LeafKind::Member {
        return Err(TreeError::SenderNotMember(sender));
    }
    match first.kind {
        LeafChangeKind::Update => {
            if change.leaves.len() != 1 {
                return Err(TreeError::MixedChange("an update comes alone"));
            }
            if first.leaf != sender {
                return Err(TreeError::InvalidLeaf {
                    leaf: first.leaf,
                    reason: "an update of another member's leaf",
                });
            }
            Ok(ChangeShape::Update)
        }
        LeafChangeKind::Add => {
            if change.leaves.iter().any(|c| c.kind != LeafChangeKind::Add) {
                return Err(TreeError::MixedChange("adds come alone"));
            }
            Ok(ChangeShape::Add)
        }
        LeafChangeKind::Remove | LeafChangeKind::Transfer => {
            let transfers = change
                .leaves
                .iter()
                .take_while(|c| c.kind == LeafChangeKind::Transfer)
                .count();
            let (transferred, removes) = change.leaves.split_at(transfers);
            if removes.is_empty() {
                return Err(TreeError::MixedChange("transfers without a remove"));
            }
            if removes.iter().any(|c| c.kind != LeafChangeKind::Remove) {
                return Err(TreeError::MixedChange(
                    "removes come alone, after their transfers",
                ));
            }
            let removed: Vec<LeafIndex> = removes.iter().map(|c| c.leaf).collect();
            if removed.contains(&sender) {
                return Err(TreeError::SelfRemoval);
            }
            let expected = transfers_for(tree, &removed);
            if !transferred.iter().map(|c| c.leaf).eq(expected) {
                return Err(TreeError::WrongTransfers);
            }
            Ok(ChangeShape::Remove)
        }
    }
}

/// Hands out the leftmost free (blank or tombstone) leaves, then the leaves past the end.
struct FreeSlots<'a, S: CipherSuite> {
    tree: &'a PublicTree<S>,
    next: u32,
}

impl<'a, S: CipherSuite> FreeSlots<'a, S> {
    fn new(tree: &'a PublicTree<S>) -> Self {
        FreeSlots { tree, next: 0 }
    }

    fn take(&mut self) -> Option<LeafIndex> {
        while self.next < self.tree.n_leaves
            && self.tree.leaves[self.next as usize] == LeafKind::Member
        {
            self.next += 1;
        }
        if self.next >= MAX_LEAVES {
            return None;
        }
        let leaf = LeafIndex(self.next);
        self.next += 1;
        Some(leaf)
    }
}

/// Whether any of the sorted leaf indices `placed` lies under `node`.
fn placed_under(placed: &[u32], node: NodeIndex) -> bool {
    let level = node.level();
    let first = (node.0 >> (level + 1)) << level;
    let end = first + (1u32 << level);
    let at = placed.partition_point(|leaf| *leaf < first);
    placed.get(at).is_some_and(|leaf| *leaf < end)
}

/// [`PublicTree::subtree_has_member`] with the answers remembered across the calls of one
/// Seal, so a large add looks at each node of the tree once at most.
fn base_has_member<S: CipherSuite>(
    tree: &PublicTree<S>,
    node: NodeIndex,
    memo: &mut HashMap<NodeIndex, bool>,
) -> bool {
    if let Some(known) = memo.get(&node) {
        return *known;
    }
    let answer = if tree.public_key(node).is_none() {
        false
    } else if let Some(leaf) = node.leaf() {
        tree.leaf_kind(leaf) == LeafKind::Member
    } else {
        match node.left().zip(node.right()) {
            Some((left, right)) => {
                base_has_member(tree, left, memo) || base_has_member(tree, right, memo)
            }
            None => false,
        }
    };
    memo.insert(node, answer);
    answer
}

/// Parent keys either collected (the author) or read from a received change.
enum ParentKeys<'a> {
    Collect(Vec<Vec<u8>>),
    Received { keys: &'a [Vec<u8>], next: usize },
}

/// The changes a tree change makes to a public tree, kept apart from it until merged.
struct TreeChanges<S: CipherSuite> {
    n_leaves: u32,
    leaves: HashMap<LeafIndex, LeafKind>,
    keys: HashMap<NodeIndex, Option<PublicKey<S>>>,
}

impl<S: CipherSuite> TreeChanges<S> {
    fn apply_to(self, mut tree: PublicTree<S>) -> PublicTree<S> {
        // The tombstones are counted again only when a change may have moved their number.
        let recount = tree.n_leaves != self.n_leaves
            || self
                .leaves
                .iter()
                .any(|(leaf, kind)| kind.is_tombstone() || tree.leaf_kind(*leaf).is_tombstone());
        tree.n_leaves = self.n_leaves;
        tree.leaves.resize(self.n_leaves as usize, LeafKind::Blank);
        tree.keys.resize(node_width(self.n_leaves) as usize, None);
        for (leaf, kind) in self.leaves {
            if let Some(slot) = tree.leaves.get_mut(leaf.0 as usize) {
                *slot = kind;
            }
        }
        for (node, key) in self.keys {
            if let Some(slot) = tree.keys.get_mut(node.0 as usize) {
                *slot = key;
            }
        }
        if recount {
            tree.count_tombstones();
        }
        tree.version += 1;
        tree
    }
}

/// A public tree seen through pending changes.
struct Overlay<'a, S: CipherSuite> {
    base: &'a PublicTree<S>,
    n_leaves: u32,
    leaves: HashMap<LeafIndex, LeafKind>,
    keys: HashMap<NodeIndex, Option<PublicKey<S>>>,
}

struct Evaluation<S: CipherSuite> {
    known: HashMap<NodeIndex, NodeSecret<S>>,
}

impl<'a, S: CipherSuite> Overlay<'a, S> {
    fn new(base: &'a PublicTree<S>) -> Self {
        Overlay {
            base,
            n_leaves: base.n_leaves,
            leaves: HashMap::new(),
            keys: HashMap::new(),
        }
    }

    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        if leaf.0 >= self.n_leaves {
            return LeafKind::Blank;
        }
        self.leaves
            .get(&leaf)
            .copied()
            .unwrap_or_else(|| self.base.leaf_kind(leaf))
    }

    fn key(&self, node: NodeIndex) -> Option<&PublicKey<S>> {
        if node.0 >= node_width(self.n_leaves) {
            return None;
        }
        match self.keys.get(&node) {
            Some(key) => key.as_ref(),
            None => self.base.public_key(node),
        }
    }

    fn set_leaf(&mut self, leaf: LeafIndex, kind: LeafKind, key: Option<PublicKey<S>>) {
        self.leaves.insert(leaf, kind);
        self.keys.insert(leaf.node(), key);
    }

    fn grow_to_hold(&mut self, leaf: LeafIndex) -> Result<(), TreeError> {
        while leaf.0 >= self.n_leaves {
            if self.n_leaves >= MAX_LEAVES {
                return Err(TreeError::TreeTooLarge);
            }
            self.n_leaves *= 2;
        }
        Ok(())
    }

    /// Seal (profile revision 2 §5): for each new path (of the `changed` leaves, all members:
    /// the sender's in an update, each newcomer's in an add), every node on its copath whose
    /// subtree holds no member but is not all blank has its whole subtree blanked, tombstones
    /// included. Blanking the whole subtree, not just the copath node, keeps a later add from
    /// bringing an old tombstone back into the computation.
    fn seal_copaths(&mut self, changed: &[LeafIndex]) {
        // A memberless subtree that is not all blank holds a tombstone of the base tree (the
        // change so far only placed members): without any, there is nothing to seal.
        if self.base.tombstone_count == 0 {
            return;
        }
        // The new members of this change, which the base tree does not show yet.
        let mut placed: Vec<u32> = changed.iter().map(|leaf| leaf.0).collect();
        placed.sort_unstable();
        let mut has_member: HashMap<NodeIndex, bool> = HashMap::new();
        for leaf in changed {
            let mut node = leaf.node();
            while let Some(sibling) = node.sibling(self.n_leaves) {
                let sealed_already = matches!(self.keys.get(&sibling), Some(None));
                if !sealed_already
                    && self.base.public_key(sibling).is_some()
                    && !placed_under(&placed, sibling)
                    && !base_has_member(self.base, sibling, &mut has_member)
                {
                    self.blank_subtree(sibling);
                }
                match node.parent(self.n_leaves) {
                    Some(parent) => node = parent,
                    None => break,
                }
            }
        }
    }

    /// Sets every node under `top` (inclusive) to blank.
    fn blank_subtree(&mut self, top: NodeIndex) {
        let level = top.level();
        let first_leaf = (top.0 >> (level + 1)) << level;
        let first_node = first_leaf * 2;
        let last_node = first_node + (2u32 << level) - 2;
        for index in first_node..=last_node {
            let node = NodeIndex(index);
            if self.key(node).is_some() {
                self.keys.insert(node, None);
            }
            if let Some(leaf) = node.leaf()
                && self.leaf_kind(leaf) != LeafKind::Blank
            {
                self.leaves.insert(leaf, LeafKind::Blank);
            }
        }
    }

    /// Halves the tree while its right half holds no member.
    fn truncate(&mut self) {
        while self.n_leaves > 1 {
            let half = self.n_leaves / 2;
            if (half..self.n_leaves).any(|leaf| self.leaf_kind(LeafIndex(leaf)) == LeafKind::Member)
            {
                break;
            }
            self.n_leaves = half;
        }
    }

    /// Recomputes every ancestor of the changed leaves, lowest level first.
    ///
    /// A parent with two non-blank children is computed when a child's secret is known (one
    /// computed in this pass, or, for `member`, one on its own direct path); its key is then
    /// collected (author) or compared with the received one (receiver). Otherwise the
    /// received key is taken as it is: a member can only check what lies on its own path.
    fn evaluate(
        &mut self,
        changed: &[LeafIndex],
        mut known: HashMap<NodeIndex, NodeSecret<S>>,
        parent_keys: &mut ParentKeys<'_>,
        member: Option<&ArtMember<S>>,
    ) -> Result<Evaluation<S>, TreeError> {
        let mut dirty: Vec<NodeIndex> = Vec::new();
        for leaf in changed {
            if leaf.0 < self.n_leaves {
                dirty.extend(leaf.node().direct_path(self.n_leaves));
            }
        }
        dirty.sort_unstable_by_key(|node| (node.level(), node.0));
        dirty.dedup();

        // A parent depends on the level below it only, so the parents of one level are
        // independent: each level's DH parents are computed first (on all cores when there are
        // many, as in a large add), then the level's keys are set in order.
        for level in dirty.chunk_by(|a, b| a.level() == b.level()) {
            let computed = self.compute_level(level, &known, member)?;
            for (&parent, computed) in level.iter().zip(computed) {
                let (left, right) = parent
                    .left()
                    .zip(parent.right())
                    .ok_or(TreeError::MalformedTree("leaf as parent"))?;
                match (self.key(left).cloned(), self.key(right).cloned()) {
                    (None, None) => {
                        self.keys.insert(parent, None);
                        continue;
                    }
                    (Some(key), None) | (None, Some(key)) => {
                        // Pass-through: the parent is its non-blank child.
                        let child = if self.key(left).is_some() {
                            left
                        } else {
                            right
                        };
                        match Self::held_secret(&known, member, child).cloned() {
                            Some(secret) => {
                                known.insert(parent, secret);
                            }
                            None if member.is_some_and(|member| member.is_on_own_path(parent)) => {
                                return Err(TreeError::PublicKeyMismatch(parent));
                            }
                            None => {}
                        }
                        self.keys.insert(parent, Some(key));
                        continue;
                    }
                    (Some(_), Some(_)) => {}
                }
                let computed = computed.transpose()?;
                if computed.is_none() && member.is_some_and(|member| member.is_on_own_path(parent))
                {
                    // Cannot happen for a well-formed tree: an own-path node always has a held child.
                    return Err(TreeError::PublicKeyMismatch(parent));
                }
                let public_key = match parent_keys {
                    ParentKeys::Collect(keys) => {
                        let (_, public_key) = computed
                            .as_ref()
                            .ok_or(TreeError::PublicKeyMismatch(parent))?;
                        keys.push(public_key.as_ref().to_vec());
                        public_key.clone()
                    }
                    ParentKeys::Received { keys, next } => {
                        let sent = keys.get(*next).ok_or(TreeError::WrongKeyCount {
                            expected: *next + 1,
                            got: keys.len(),
                        })?;
                        *next += 1;
                        let sent = S::Dh::public_key_from_bytes(sent).map_err(|source| {
                            TreeError::InvalidPublicKey {
                                node: parent,
                                source,
                            }
                        })?;
                        if let Some((_, public_key)) = &computed
                            && *public_key != sent
                        {
                            return Err(TreeError::PublicKeyMismatch(parent));
                        }
                        sent
                    }
                };
                if let Some((secret, _)) = computed {
                    known.insert(parent, secret);
                }
                self.keys.insert(parent, Some(public_key));
            }
        }
        Ok(Evaluation { known })
    }

    /// For each parent of one level, in order: its secret and key pair when it has two
    /// non-blank children and the secret of one of them is known to this pass (one DH and one
    /// DeriveKeyPair), else `None`. Reads only the level below, which is complete.
    #[allow(clippy::type_complexity)]
    fn compute_level(
        &self,
        level: &[NodeIndex],
        known: &HashMap<NodeIndex, NodeSecret<S>>,
        member: Option<&ArtMember<S>>,
    ) -> Result<Vec<Option<Result<(NodeSecret<S>, PublicKey<S>), CryptoError>>>, TreeError> {
        struct Job<'a, S: CipherSuite> {
            position: usize,
            parent: NodeIndex,
            held: &'a NodeSecret<S>,
            other: &'a PublicKey<S>,
            left: &'a PublicKey<S>,
            right: &'a PublicKey<S>,
        }
        let mut jobs = Vec::new();
        for (position, &parent) in level.iter().enumerate() {
            let (left, right) = parent
                .left()
                .zip(parent.right())
                .ok_or(TreeError::MalformedTree("leaf as parent"))?;
            let (Some(left_key), Some(right_key)) = (self.key(left), self.key(right)) else {
                continue;
            };
            let (held, other) = if let Some(held) = Self::held_secret(known, member, left) {
                (held, right_key)
            } else if let Some(held) = Self::held_secret(known, member, right) {
                (held, left_key)
            } else {
                continue;
            };
            jobs.push(Job {
                position,
                parent,
                held,
                other,
                left: left_key,
                right: right_key,
            });
        }
        let results = crate::parallel::map(&jobs, |job| {
            job.held.parent(job.parent, job.other, job.left, job.right)
        });
        let mut computed: Vec<Option<_>> = (0..level.len()).map(|_| None).collect();
        for (job, result) in jobs.iter().zip(results) {
            if let Some(slot) = computed.get_mut(job.position) {
                *slot = Some(result);
            }
        }
        Ok(computed)
    }

    /// A node secret available for `node`: computed in this pass, or held on the member's
    /// own direct path (which a change never makes stale below the changed nodes).
    fn held_secret<'k>(
        known: &'k HashMap<NodeIndex, NodeSecret<S>>,
        member: Option<&'k ArtMember<S>>,
        node: NodeIndex,
    ) -> Option<&'k NodeSecret<S>> {
        if let Some(secret) = known.get(&node) {
            return Some(secret);
        }
        let member = member?;
        let level = node.level();
        (ancestor_at(member.own_leaf, level) == node)
            .then(|| member.own_path.get(level as usize))
            .flatten()
    }

    fn into_changes(self) -> TreeChanges<S> {
        TreeChanges {
            n_leaves: self.n_leaves,
            leaves: self.leaves,
            keys: self.keys,
        }
    }
}
