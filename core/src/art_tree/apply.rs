//! The rules of a change (profile §5, revision 2), and a change applied leaf by leaf to an
//! overlay of the tree, then evaluated.

use std::collections::HashMap;

use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex};
use artmls_crypto::DhGroup;

use super::{
    ArtMember, Evaluation, LeafChangeKind, LeafKind, MAX_LEAVES, NodeSecret, Overlay, ParentKeys,
    PublicTree, TreeChange, TreeError,
};

/// Applies `change` from `sender` to an overlay of `tree` and evaluates it: the rules of the
/// change ([`check_shape`]), each leaf change, Seal, truncation, then every changed parent.
/// With `member`, that member's own path secrets take part (and are checked); without, only
/// the public tree does.
pub(super) fn apply_change<'t, S: CipherSuite>(
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
pub(super) fn check_all_keys_used(parent_keys: &ParentKeys<'_>) -> Result<(), TreeError> {
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
pub(super) fn transfers_for<S: CipherSuite>(
    tree: &PublicTree<S>,
    removed: &[LeafIndex],
) -> Vec<LeafIndex> {
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
pub(super) struct FreeSlots<'a, S: CipherSuite> {
    tree: &'a PublicTree<S>,
    next: u32,
}

impl<'a, S: CipherSuite> FreeSlots<'a, S> {
    pub(super) fn new(tree: &'a PublicTree<S>) -> Self {
        FreeSlots { tree, next: 0 }
    }

    pub(super) fn take(&mut self) -> Option<LeafIndex> {
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
