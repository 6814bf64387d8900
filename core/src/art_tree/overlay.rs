//! A public tree seen through a change not yet merged: Seal, truncation, and the evaluation
//! of every changed parent, level by level.

use std::collections::HashMap;

use crate::error::CryptoError;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};
use artmls_crypto::DhGroup;

use super::{
    ArtMember, LeafKind, MAX_LEAVES, NodeSecret, PublicKey, PublicTree, TreeError, ancestor_at,
};

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
pub(super) enum ParentKeys<'a> {
    Collect(Vec<Vec<u8>>),
    Received { keys: &'a [Vec<u8>], next: usize },
}

/// The changes a tree change makes to a public tree, kept apart from it until merged.
pub(super) struct TreeChanges<S: CipherSuite> {
    pub(super) n_leaves: u32,
    pub(super) leaves: HashMap<LeafIndex, LeafKind>,
    pub(super) keys: HashMap<NodeIndex, Option<PublicKey<S>>>,
}

impl<S: CipherSuite> TreeChanges<S> {
    pub(super) fn apply_to(self, mut tree: PublicTree<S>) -> PublicTree<S> {
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
pub(super) struct Overlay<'a, S: CipherSuite> {
    base: &'a PublicTree<S>,
    pub(super) n_leaves: u32,
    leaves: HashMap<LeafIndex, LeafKind>,
    keys: HashMap<NodeIndex, Option<PublicKey<S>>>,
}

pub(super) struct Evaluation<S: CipherSuite> {
    pub(super) known: HashMap<NodeIndex, NodeSecret<S>>,
}

impl<'a, S: CipherSuite> Overlay<'a, S> {
    pub(super) fn new(base: &'a PublicTree<S>) -> Self {
        Overlay {
            base,
            n_leaves: base.n_leaves,
            leaves: HashMap::new(),
            keys: HashMap::new(),
        }
    }

    pub(super) fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
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

    pub(super) fn set_leaf(&mut self, leaf: LeafIndex, kind: LeafKind, key: Option<PublicKey<S>>) {
        self.leaves.insert(leaf, kind);
        self.keys.insert(leaf.node(), key);
    }

    pub(super) fn grow_to_hold(&mut self, leaf: LeafIndex) -> Result<(), TreeError> {
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
    pub(super) fn seal_copaths(&mut self, changed: &[LeafIndex]) {
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
    pub(super) fn truncate(&mut self) {
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
    pub(super) fn evaluate(
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

    pub(super) fn into_changes(self) -> TreeChanges<S> {
        TreeChanges {
            n_leaves: self.n_leaves,
            leaves: self.leaves,
            keys: self.keys,
        }
    }
}
