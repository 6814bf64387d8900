//! The tree hash of an ART group (profile §6): a hash over every node's ART public key and
//! every member's LeafNode, in the shape of RFC 9420 §7.8, kept per node so that a commit
//! rehashes only the nodes it changes and their ancestors.
//!
//! ```text
//! enum { leaf(1), parent(2), tombstone(3) } ARTNodeType;
//! struct {
//!     ARTNodeType node_type;
//!     select (node_type) {
//!         case leaf:      uint32 leaf_index; optional<HPKEPublicKey> public_key;
//!                         optional<LeafNode> leaf_node;          // both absent for a blank leaf
//!         case tombstone: uint32 leaf_index; uint32 owner; HPKEPublicKey public_key;
//!         case parent:    optional<HPKEPublicKey> public_key;    // absent for a blank parent
//!                         opaque left_hash<V>; opaque right_hash<V>;
//!     };
//! } ARTTreeHashInput;
//! ```
//! A pass-through parent hashes the key it passes through. `tree_hash` is the root's hash.

use std::collections::HashMap;

use crate::art_tree::LeafKind;
use crate::codec::{CodecError, Encode, write_varint};
use crate::messages::LeafNode;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width, root};
use artmls_crypto::HashFunction;

const LEAF: u8 = 1;
const PARENT: u8 = 2;
const TOMBSTONE: u8 = 3;

/// What the hash of one node needs to know about the tree.
pub(crate) trait TreeView {
    fn n_leaves(&self) -> u32;
    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind;
    fn public_key(&self, node: NodeIndex) -> Option<&[u8]>;
    fn leaf_node(&self, leaf: LeafIndex) -> Option<&LeafNode>;
}

/// The hash of every node, by node index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TreeHashes {
    hashes: Vec<Vec<u8>>,
}

/// New hashes for some nodes, and the width they belong to; applied with [`TreeHashes::apply`].
#[derive(Debug)]
pub(crate) struct TreeHashUpdate {
    n_leaves: u32,
    hashes: HashMap<NodeIndex, Vec<u8>>,
    root_hash: Vec<u8>,
}

impl TreeHashUpdate {
    /// The tree hash after the update.
    pub(crate) fn tree_hash(&self) -> &[u8] {
        &self.root_hash
    }
}

/// `opaque bytes<V>`.
fn opaque(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), CodecError> {
    write_varint(out, bytes.len())?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// `optional<opaque bytes<V>>`.
fn optional_opaque(out: &mut Vec<u8>, bytes: Option<&[u8]>) -> Result<(), CodecError> {
    match bytes {
        Some(bytes) => {
            out.push(1);
            opaque(out, bytes)
        }
        None => {
            out.push(0);
            Ok(())
        }
    }
}

fn node_hash<S: CipherSuite>(
    view: &impl TreeView,
    node: NodeIndex,
    child_hash: impl Fn(NodeIndex) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, CodecError> {
    // The node's parts are written straight from the view: no copy of a key or LeafNode.
    let mut input = Vec::with_capacity(128);
    if let Some(leaf) = node.leaf() {
        let key = view.public_key(node);
        match view.leaf_kind(leaf) {
            LeafKind::Tombstone { owner } => {
                input.push(TOMBSTONE);
                leaf.0.encode(&mut input)?;
                owner.0.encode(&mut input)?;
                opaque(&mut input, key.unwrap_or_default())?;
            }
            kind => {
                input.push(LEAF);
                leaf.0.encode(&mut input)?;
                optional_opaque(&mut input, key)?;
                match view.leaf_node(leaf).filter(|_| kind == LeafKind::Member) {
                    Some(leaf_node) => {
                        input.push(1);
                        leaf_node.encode(&mut input)?;
                    }
                    None => input.push(0),
                }
            }
        }
    } else {
        input.push(PARENT);
        optional_opaque(&mut input, view.public_key(node))?;
        let (left, right) = node.left().zip(node.right()).unwrap_or((node, node));
        child_hash(left).unwrap_or_default().encode(&mut input)?;
        child_hash(right).unwrap_or_default().encode(&mut input)?;
    }
    Ok(S::Hash::hash(&input))
}

impl TreeHashes {
    /// Every node's hash, computed from scratch (a joiner, a restored member).
    pub(crate) fn compute<S: CipherSuite>(view: &impl TreeView) -> Result<Self, CodecError> {
        let width = node_width(view.n_leaves()) as usize;
        let mut hashes: Vec<Vec<u8>> = vec![Vec::new(); width];
        let mut order: Vec<NodeIndex> = (0..width as u32).map(NodeIndex).collect();
        order.sort_unstable_by_key(|node| (node.level(), node.0));
        for node in order {
            let hash = node_hash::<S>(view, node, |child| hashes.get(child.0 as usize).cloned())?;
            hashes[node.0 as usize] = hash;
        }
        Ok(TreeHashes { hashes })
    }

    /// The tree hash (the root's hash) of a tree of `n_leaves` leaves.
    pub(crate) fn tree_hash(&self, n_leaves: u32) -> &[u8] {
        self.hashes
            .get(root(n_leaves).0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The hashes after a change: the changed nodes, every node the tree gained, and all
    /// their ancestors are rehashed against `view` (the tree after the change).
    pub(crate) fn update<S: CipherSuite>(
        &self,
        view: &impl TreeView,
        changed: impl Iterator<Item = NodeIndex>,
    ) -> Result<TreeHashUpdate, CodecError> {
        let n_leaves = view.n_leaves();
        let width = node_width(n_leaves);
        let mut dirty: Vec<NodeIndex> = Vec::new();
        let gained = (self.hashes.len() as u32)..width;
        for node in changed
            .filter(|node| node.0 < width)
            .chain(gained.map(NodeIndex))
        {
            dirty.push(node);
            dirty.extend(node.direct_path(n_leaves));
        }
        dirty.sort_unstable_by_key(|node| (node.level(), node.0));
        dirty.dedup();
        let mut hashes: HashMap<NodeIndex, Vec<u8>> = HashMap::with_capacity(dirty.len());
        for node in dirty {
            let hash = node_hash::<S>(view, node, |child| {
                hashes
                    .get(&child)
                    .cloned()
                    .or_else(|| self.hashes.get(child.0 as usize).cloned())
            })?;
            hashes.insert(node, hash);
        }
        let root = root(n_leaves);
        let root_hash = match hashes.get(&root) {
            Some(hash) => hash.clone(),
            None => self
                .hashes
                .get(root.0 as usize)
                .cloned()
                .unwrap_or_default(),
        };
        Ok(TreeHashUpdate {
            n_leaves,
            hashes,
            root_hash,
        })
    }

    /// Applies an update made by [`TreeHashes::update`] on this value.
    pub(crate) fn apply(&mut self, update: TreeHashUpdate) {
        self.hashes
            .resize(node_width(update.n_leaves) as usize, Vec::new());
        for (node, hash) in update.hashes {
            if let Some(slot) = self.hashes.get_mut(node.0 as usize) {
                *slot = hash;
            }
        }
    }
}
