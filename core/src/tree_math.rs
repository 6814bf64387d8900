//! Array math of a left-balanced binary tree (RFC 9420 Appendix C).
//!
//! Nodes live in one array: leaf `k` at index `2k`, parents at the odd indices in between, and
//! the level of a node is the number of trailing one bits of its index. Trees are always full
//! (a power of two of leaves, as in RFC 9420 and the ART profile): a tree grows by doubling
//! (the old tree becomes the left half, the new right half is blank) and shrinks by dropping its
//! right half. Both keep every surviving node at its index, so the array only grows or shrinks
//! at its end.

use core::fmt;

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
    /// The node index of this leaf.
    pub fn node(self) -> NodeIndex {
        NodeIndex(self.0 * 2)
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

    /// The left child of a parent; `None` for a leaf.
    pub fn left(self) -> Option<NodeIndex> {
        let k = self.level();
        (k > 0).then(|| NodeIndex(self.0 ^ (1 << (k - 1))))
    }

    /// The right child of a parent; `None` for a leaf.
    pub fn right(self) -> Option<NodeIndex> {
        let k = self.level();
        (k > 0).then(|| NodeIndex(self.0 ^ (3 << (k - 1))))
    }

    /// The parent in a tree of `n_leaves` leaves; `None` for the root or a node outside the tree.
    pub fn parent(self, n_leaves: u32) -> Option<NodeIndex> {
        if self == root(n_leaves) || self.0 >= node_width(n_leaves) {
            return None;
        }
        let k = self.level();
        let b = (self.0 >> (k + 1)) & 1;
        Some(NodeIndex((self.0 | (1 << k)) ^ (b << (k + 1))))
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
pub fn node_width(n_leaves: u32) -> u32 {
    if n_leaves == 0 {
        0
    } else {
        2 * (n_leaves - 1) + 1
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
pub fn common_ancestor(x: NodeIndex, y: NodeIndex) -> NodeIndex {
    let (lx, ly) = (x.level() + 1, y.level() + 1);
    if lx <= ly && x.0 >> ly == y.0 >> ly {
        return y;
    }
    if ly <= lx && x.0 >> lx == y.0 >> lx {
        return x;
    }
    let (mut xn, mut yn, mut k) = (x.0, y.0, 0u32);
    while xn != yn {
        xn >>= 1;
        yn >>= 1;
        k += 1;
    }
    NodeIndex((xn << k) + (1 << (k - 1)) - 1)
}

/// The width in leaves of the smallest full tree that holds `n_leaves` leaves.
pub fn full_width(n_leaves: u32) -> u32 {
    n_leaves.max(1).next_power_of_two()
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

    #[test]
    fn full_width_rounds_up() {
        assert_eq!(full_width(0), 1);
        assert_eq!(full_width(1), 1);
        assert_eq!(full_width(3), 4);
        assert_eq!(full_width(1000), 1024);
    }
}
