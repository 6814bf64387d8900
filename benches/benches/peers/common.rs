//! What the peer benches share: the sizes they run and where the members that act sit.
//!
//! Every peer builds its group of n the same way as `group_of` in `groups.rs`: one member
//! (leaf 0) creates it with one commit that adds the other n - 1 (joiner i at leaf i + 1),
//! then the sender (leaf n - 1) and the receiver (leaf n/4 + 1, in the other half) each
//! commit an update. Before those two updates, a few more members commit an update (see
//! [`copath_committers`]), so that the sender's measured update is the one of a group in
//! its steady state (O(log n) HPKE encryptions), not the first one after creation, which in
//! RFC 9420 meets blank nodes and encrypts to about n/2 leaves.

/// The sizes the peers run, among those `groups.rs` allows (`ARTMLS_BENCH_GROUP_MAX`).
pub fn sizes() -> Vec<usize> {
    super::sizes()
        .into_iter()
        .filter(|n| [128, 1000].contains(n))
        .collect()
}

/// The sender's leaf: the right end of the tree, as in `groups.rs`.
pub fn sender_leaf(n: usize) -> usize {
    n - 1
}

/// The receiver's leaf: a quarter in, in the other half of the tree, as in `groups.rs`.
pub fn receiver_leaf(n: usize) -> usize {
    (n / 4).min(n - 3) + 1
}

/// Leaves whose update commits give a key to every non-empty node of the sender's copath:
/// the first leaf of each sibling subtree on the way up from the sender. The creator
/// (leaf 0) is among them, since its creating commit may carry no path. The sender and the
/// receiver are left out: they commit after these, in this order.
pub fn copath_committers(n: usize) -> Vec<usize> {
    let (sender, receiver) = (sender_leaf(n), receiver_leaf(n));
    let depth = usize::BITS - (n - 1).leading_zeros();
    (0..depth)
        .map(|level| ((sender >> level) ^ 1) << level)
        .filter(|leaf| *leaf < n && *leaf != sender && *leaf != receiver)
        .collect()
}
