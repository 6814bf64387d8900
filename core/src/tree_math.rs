//! Array math of a left-balanced binary tree (RFC 9420 Appendix C).
//!
//! Nodes live in one array: leaf `k` at index `2k`, parents at the odd indices in between, and
//! the level of a node is the number of trailing one bits of its index. Trees are always full
//! (a power of two of leaves, as in RFC 9420 and the ART profile): a tree grows by doubling
//! (the old tree becomes the left half, the new right half is blank) and shrinks by dropping its
//! right half. Both keep every surviving node at its index, so the array only grows or shrinks
//! at its end.
//!
//! Every function here is total: it gives an answer (or `None`) for every `u32`, and never
//! overflows. Trees have at most [`MAX_LEAVES`] leaves, so their node indices use 31 bits;
//! indices beyond any tree get `None` (or, where the type has no `None`, an index outside
//! every tree, so that a lookup with it finds nothing rather than another node). Leaf indices
//! received off the wire are checked against [`MAX_LEAVES`] when decoded.

use core::fmt;

/// The largest tree, in leaves: 2^30 (the same bound as `art_tree::MAX_LEAVES`). Its node
/// indices, and those of the doubled tree a change may ask for, fit in a `u32`.
pub const MAX_LEAVES: u32 = 1 << 30;

/// The largest number of leaves whose node indices all fit in a `u32`: 2^31 (width
/// 2^32 - 1). Functions taking a leaf count treat larger counts as this one.
const MAX_REPRESENTABLE_LEAVES: u32 = 1 << 31;

/// The index of a node in the tree array.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeIndex(pub u32);

/// The index of a leaf among the leaves (leaf `k` is node `2k`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LeafIndex(pub u32);

impl fmt::Debug for NodeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {}", self.0)
    }
}

impl fmt::Debug for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leaf {}", self.0)
    }
}

impl fmt::Display for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl LeafIndex {
    /// The node index of this leaf, or `None` for a leaf at 2^31 or beyond, whose node index
    /// does not fit in a `u32` (no tree has such a leaf).
    pub fn checked_node(self) -> Option<NodeIndex> {
        self.0.checked_mul(2).map(NodeIndex)
    }

    /// The node index of this leaf. For a leaf at 2^31 or beyond (outside every tree) it is
    /// `u32::MAX`, an index outside every tree too, so lookups with it find nothing; use
    /// [`LeafIndex::checked_node`] to tell that case apart.
    pub fn node(self) -> NodeIndex {
        self.checked_node().unwrap_or(NodeIndex(u32::MAX))
    }
}

impl NodeIndex {
    /// The level: 0 for leaves, `k` for a parent whose subtree has `2^k` leaves.
    pub fn level(self) -> u32 {
        self.0.trailing_ones()
    }

    /// Whether the node is a leaf.
    pub fn is_leaf(self) -> bool {
        self.0.is_multiple_of(2)
    }

    /// The leaf index of a leaf node.
    pub fn leaf(self) -> Option<LeafIndex> {
        self.is_leaf().then_some(LeafIndex(self.0 / 2))
    }

    /// The left child of a parent; `None` for a leaf, and for `u32::MAX` (level 32: the root
    /// of 2^32 leaves, whose children do not both fit in a `u32`).
    pub fn left(self) -> Option<NodeIndex> {
        let k = self.level();
        (1..32)
            .contains(&k)
            .then(|| NodeIndex(self.0 ^ (1 << (k - 1))))
    }

    /// The right child of a parent; `None` for a leaf, and for `u32::MAX` (see
    /// [`NodeIndex::left`]).
    pub fn right(self) -> Option<NodeIndex> {
        let k = self.level();
        (1..32)
            .contains(&k)
            .then(|| NodeIndex(self.0 ^ (3 << (k - 1))))
    }

    /// The parent in a tree of `n_leaves` leaves; `None` for the root or a node outside the tree.
    pub fn parent(self, n_leaves: u32) -> Option<NodeIndex> {
        if self == root(n_leaves) || self.0 >= node_width(n_leaves) {
            return None;
        }
        // Inside a tree of at most 2^31 leaves and not its root, the node's level is at most
        // 30, so the parent's index fits; computed in u64 all the same, so no input overflows.
        let k = self.level();
        let index = u64::from(self.0);
        let b = (index >> (k + 1)) & 1;
        let parent = (index | (1 << k)) ^ (b << (k + 1));
        u32::try_from(parent).ok().map(NodeIndex)
    }

    /// The other child of this node's parent; `None` for the root.
    pub fn sibling(self, n_leaves: u32) -> Option<NodeIndex> {
        let parent = self.parent(n_leaves)?;
        if self.0 < parent.0 {
            parent.right()
        } else {
            parent.left()
        }
    }

    /// The ancestors of this node up to and including the root, nearest first.
    pub fn direct_path(self, n_leaves: u32) -> DirectPath {
        DirectPath {
            node: self,
            n_leaves,
        }
    }

    /// The child of `self` (an ancestor of `descendant`) on the side of `descendant`.
    pub fn child_towards(self, descendant: NodeIndex) -> Option<NodeIndex> {
        let (left, right) = (self.left()?, self.right()?);
        Some(if descendant.0 < self.0 { left } else { right })
    }
}

/// Iterator over a node's direct path.
#[derive(Clone, Debug)]
pub struct DirectPath {
    node: NodeIndex,
    n_leaves: u32,
}

impl Iterator for DirectPath {
    type Item = NodeIndex;

    fn next(&mut self) -> Option<NodeIndex> {
        let parent = self.node.parent(self.n_leaves)?;
        self.node = parent;
        Some(parent)
    }
}

/// The number of nodes of a tree with `n_leaves` leaves (`2n - 1`, and 0 for an empty tree).
/// Counts beyond 2^31 are taken as 2^31, whose width `2^32 - 1` is the largest a `u32` holds.
pub fn node_width(n_leaves: u32) -> u32 {
    match n_leaves.min(MAX_REPRESENTABLE_LEAVES) {
        0 => 0,
        // At most 2 * (2^31 - 1) + 1 = 2^32 - 1: no overflow.
        n => 2 * (n - 1) + 1,
    }
}

/// The root of a full tree of `n_leaves` leaves (`n_leaves` a power of two).
pub fn root(n_leaves: u32) -> NodeIndex {
    let width = node_width(n_leaves);
    if width == 0 {
        return NodeIndex(0);
    }
    NodeIndex((1u32 << (u32::BITS - 1 - width.leading_zeros())) - 1)
}

/// The lowest common ancestor of two nodes (either may be the ancestor of the other).
///
/// Computed in `u64`: a level-32 node (`u32::MAX`) shifts by 33 bits. Any two `u32` nodes lie
/// below node `u32::MAX` (the root of 2^32 leaves) or in its left half, so the answer fits.
pub fn common_ancestor(x: NodeIndex, y: NodeIndex) -> NodeIndex {
    let (xi, yi) = (u64::from(x.0), u64::from(y.0));
    let (lx, ly) = (x.level() + 1, y.level() + 1);
    if lx <= ly && xi >> ly == yi >> ly {
        return y;
    }
    if ly <= lx && xi >> lx == yi >> lx {
        return x;
    }
    // Here x != y (equal nodes returned above), so k ends between 1 and 32.
    let (mut xn, mut yn, mut k) = (xi, yi, 0u32);
    while xn != yn {
        xn >>= 1;
        yn >>= 1;
        k += 1;
    }
    let ancestor = (xn << k) + (1 << (k - 1)) - 1;
    NodeIndex(u32::try_from(ancestor).unwrap_or(u32::MAX))
}

/// The width in leaves of the smallest full tree that holds `n_leaves` leaves. Counts beyond
/// 2^31 are taken as 2^31 (see [`node_width`]); trees stop at [`MAX_LEAVES`] well before.
pub fn full_width(n_leaves: u32) -> u32 {
    n_leaves
        .clamp(1, MAX_REPRESENTABLE_LEAVES)
        .next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tree_by_hand() {
        // 4 leaves: nodes 0..7, root 3, parents 1 and 5.
        assert_eq!(root(4), NodeIndex(3));
        assert_eq!(node_width(4), 7);
        assert_eq!(NodeIndex(3).left(), Some(NodeIndex(1)));
        assert_eq!(NodeIndex(3).right(), Some(NodeIndex(5)));
        assert_eq!(NodeIndex(0).parent(4), Some(NodeIndex(1)));
        assert_eq!(NodeIndex(6).parent(4), Some(NodeIndex(5)));
        assert_eq!(NodeIndex(5).parent(4), Some(NodeIndex(3)));
        assert_eq!(NodeIndex(3).parent(4), None);
        assert_eq!(NodeIndex(2).sibling(4), Some(NodeIndex(0)));
        assert_eq!(
            NodeIndex(0).direct_path(4).collect::<Vec<_>>(),
            vec![NodeIndex(1), NodeIndex(3)]
        );
        assert_eq!(common_ancestor(NodeIndex(0), NodeIndex(6)), NodeIndex(3));
        assert_eq!(common_ancestor(NodeIndex(4), NodeIndex(6)), NodeIndex(5));
        assert_eq!(common_ancestor(NodeIndex(5), NodeIndex(6)), NodeIndex(5));
        assert_eq!(root(1), NodeIndex(0));
        assert_eq!(NodeIndex(0).parent(1), None);
    }

    #[test]
    fn doubling_keeps_indices() {
        // The root of a tree is the left child of the root of the doubled tree.
        for n in [1u32, 2, 4, 8, 1024] {
            let doubled = root(2 * n);
            assert_eq!(doubled.left(), Some(root(n)));
            assert_eq!(root(n).parent(2 * n), Some(doubled));
        }
    }

    /// Values around every power of two, and the extremes.
    fn edge_values() -> Vec<u32> {
        let mut values = vec![0, 1, 2, 3, u32::MAX, u32::MAX - 1];
        for shift in 1..32 {
            let power = 1u32 << shift;
            values.extend([power - 1, power, power + 1]);
        }
        values
    }

    /// Every function, on every pair of edge values: an answer, never a panic (the tests run
    /// with overflow checks on), and the answers that exist are consistent.
    #[test]
    fn every_function_is_total() {
        let values = edge_values();
        for &a in &values {
            let leaf = LeafIndex(a);
            assert_eq!(leaf.checked_node().is_some(), a < 1 << 31, "{a}");
            let _ = leaf.node().direct_path(a).count();
            let node = NodeIndex(a);
            let _ = (node.level(), node.is_leaf(), node.leaf());
            for child in [node.left(), node.right()].into_iter().flatten() {
                assert_eq!(child.level() + 1, node.level(), "{a}");
                assert_eq!(common_ancestor(child, node), node, "{a}");
            }
            let _ = (node_width(a), root(a), full_width(a));
            for &b in &values {
                let _ = node.parent(b);
                let _ = node.sibling(b);
                let path: Vec<_> = node.direct_path(b).collect();
                assert!(path.len() <= 32, "{a} in {b}");
                let _ = node.child_towards(NodeIndex(b));
                let ancestor = common_ancestor(node, NodeIndex(b));
                assert!(ancestor.level() >= node.level().min(NodeIndex(b).level()));
            }
        }
        assert_eq!(node_width(u32::MAX), u32::MAX);
        assert_eq!(node_width(1 << 31), u32::MAX);
        assert_eq!(root(u32::MAX), NodeIndex(u32::MAX >> 1));
        assert_eq!(full_width(u32::MAX), 1 << 31);
        assert_eq!(LeafIndex(u32::MAX).node(), NodeIndex(u32::MAX));
        assert_eq!(LeafIndex((1 << 31) - 1).node(), NodeIndex(u32::MAX - 1));
        assert_eq!(NodeIndex(u32::MAX).left(), None);
        assert_eq!(NodeIndex(u32::MAX).parent(u32::MAX), None);
        assert_eq!(
            common_ancestor(NodeIndex(0), NodeIndex(u32::MAX - 1)),
            NodeIndex(u32::MAX >> 1)
        );
        assert_eq!(
            common_ancestor(NodeIndex(u32::MAX), NodeIndex(0)),
            NodeIndex(u32::MAX)
        );
    }

    /// The largest trees: the last leaf of a tree of 2^30 (and of 2^31) leaves reaches the
    /// root through the expected number of parents.
    #[test]
    fn largest_trees() {
        for n in [MAX_LEAVES, 1 << 31] {
            let last = LeafIndex(n - 1).node();
            let path: Vec<_> = last.direct_path(n).collect();
            assert_eq!(path.len(), n.trailing_zeros() as usize);
            assert_eq!(path.last(), Some(&root(n)));
            assert_eq!(common_ancestor(LeafIndex(0).node(), last), root(n));
        }
    }

    #[test]
    fn full_width_rounds_up() {
        assert_eq!(full_width(0), 1);
        assert_eq!(full_width(1), 1);
        assert_eq!(full_width(3), 4);
        assert_eq!(full_width(1000), 1024);
    }
}
