//! The public tree every member caches: the shape (which leaves are members, tombstones or
//! blank) and one public key per non-blank node, in one flat array.

use std::collections::HashMap;

use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width, root};
use artmls_crypto::DhGroup;

use super::{
    MAX_LEAVES, NodeSecret, Overlay, ParentKeys, PublicKey, StagedTreeChange, TreeChange,
    TreeError, apply_change, check_all_keys_used, path_from_leaf_secret,
};

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

/// The public tree: the shape and every non-blank node's public key, in one flat array.
pub struct PublicTree<S: CipherSuite> {
    pub(super) n_leaves: u32,
    pub(super) leaves: Vec<LeafKind>,
    pub(super) keys: Vec<Option<PublicKey<S>>>,
    /// The number of tombstone leaves: with none, Seal has nothing to do, and an update skips it.
    pub(super) tombstone_count: usize,
    /// Bumped by every merged change, so a pending change made on an older tree is refused.
    pub(super) version: u64,
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
    pub(super) fn blank(n_leaves: u32) -> Self {
        PublicTree {
            n_leaves,
            leaves: vec![LeafKind::Blank; n_leaves as usize],
            keys: vec![None; node_width(n_leaves) as usize],
            tombstone_count: 0,
            version: 0,
        }
    }

    pub(super) fn count_tombstones(&mut self) {
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
    /// recomputes its own path on top ([`ArtMember::stage`](super::ArtMember::stage)).
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
