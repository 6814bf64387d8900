//! One member's view of the tree: the public tree and the secrets of its own direct path,
//! with the changes it prepares, checks and merges.

use std::collections::HashMap;

use rand_core::CryptoRng;

use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, root};
use artmls_crypto::Kdf;

use super::{
    FreeSlots, LeafChange, LeafChangeKind, LeafKind, NodeSecret, ParentKeys, PendingTreeChange,
    PublicKey, PublicTree, StagedTreeChange, TreeChange, TreeError, apply_change,
    check_all_keys_used, transfers_for,
};

/// One member's view of the tree: the public tree and the secrets of its own direct path.
pub struct ArtMember<S: CipherSuite> {
    tree: PublicTree<S>,
    pub(super) own_leaf: LeafIndex,
    /// The secrets of the own leaf's direct path, by level (0 = the leaf, last = the root).
    pub(super) own_path: Vec<NodeSecret<S>>,
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
pub(super) fn ancestor_at(leaf: LeafIndex, level: u32) -> NodeIndex {
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

    pub(super) fn is_on_own_path(&self, node: NodeIndex) -> bool {
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
pub(super) fn path_from_leaf_secret<S: CipherSuite>(
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
