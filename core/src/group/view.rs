//! The tree as the tree hashes and a Welcome see it: public keys, leaf kinds and LeafNodes,
//! of the current epoch or of a staged commit's.

use std::collections::HashMap;

use super::{ArtRatchetTree, Member, TreeView};
use crate::art_tree::{LeafKind, PublicTree, StagedTreeChange};
use crate::messages::LeafNode;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};

/// The tree as it is.
pub(super) struct CurrentView<'a, S: CipherSuite> {
    pub(super) tree: &'a PublicTree<S>,
    pub(super) members: &'a [Option<Member<S>>],
}

impl<S: CipherSuite> TreeView for CurrentView<'_, S> {
    fn n_leaves(&self) -> u32 {
        self.tree.n_leaves()
    }
    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        self.tree.leaf_kind(leaf)
    }
    fn public_key(&self, node: NodeIndex) -> Option<&[u8]> {
        self.tree.public_key(node).map(AsRef::as_ref)
    }
    fn leaf_node(&self, leaf: LeafIndex) -> Option<&LeafNode> {
        self.members
            .get(leaf.0 as usize)?
            .as_ref()
            .map(|m| &m.leaf_node)
    }
}

/// The tree as a staged commit leaves it.
pub(super) struct NextView<'a, S: CipherSuite> {
    pub(super) base: &'a PublicTree<S>,
    pub(super) staged: &'a StagedTreeChange<S>,
    pub(super) members: &'a [Option<Member<S>>],
    pub(super) member_changes: &'a HashMap<LeafIndex, Option<Member<S>>>,
}

impl<S: CipherSuite> TreeView for NextView<'_, S> {
    fn n_leaves(&self) -> u32 {
        self.staged.n_leaves()
    }
    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        self.staged.leaf_kind(self.base, leaf)
    }
    fn public_key(&self, node: NodeIndex) -> Option<&[u8]> {
        self.staged.public_key(self.base, node).map(AsRef::as_ref)
    }
    fn leaf_node(&self, leaf: LeafIndex) -> Option<&LeafNode> {
        if leaf.0 >= self.staged.n_leaves() {
            return None;
        }
        match self.member_changes.get(&leaf) {
            Some(change) => change.as_ref().map(|m| &m.leaf_node),
            None => self
                .members
                .get(leaf.0 as usize)?
                .as_ref()
                .map(|m| &m.leaf_node),
        }
    }
}

/// The public tree of a view, as a Welcome carries it.
pub(super) fn ratchet_tree(view: &impl TreeView) -> ArtRatchetTree {
    let n_leaves = view.n_leaves();
    ArtRatchetTree {
        leaf_kinds: (0..n_leaves)
            .map(|leaf| view.leaf_kind(LeafIndex(leaf)))
            .collect(),
        keys: (0..node_width(n_leaves))
            .map(|node| view.public_key(NodeIndex(node)).map(<[u8]>::to_vec))
            .collect(),
        leaf_nodes: (0..n_leaves)
            .map(|leaf| view.leaf_node(LeafIndex(leaf)).cloned().map(Box::new))
            .collect(),
    }
}
