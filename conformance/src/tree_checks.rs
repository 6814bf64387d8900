//! Protocol properties of the ART tree, generic over a suite: random sequences of adds,
//! updates and removes over simulated members, and the rejection of bad changes.

use artmls::internals::art_tree::{
    ArtMember, LeafChange, LeafChangeKind, LeafKind, TreeChange, TreeError,
};
use artmls::tree_math::{LeafIndex, NodeIndex};
use artmls::{CipherSuite, DhGroup, Secret};
use rand::RngExt;
use rand::rngs::StdRng;

use crate::rng::seeded;

/// A simulated group of members, each with its own state.
struct Group<S: CipherSuite> {
    members: Vec<ArtMember<S>>,
}

impl<S: CipherSuite> Group<S> {
    fn member_index(&self, leaf: LeafIndex) -> usize {
        self.members
            .iter()
            .position(|member| member.own_leaf() == leaf)
            .unwrap_or_else(|| panic!("no member at {leaf:?}"))
    }

    /// The sender prepares; everyone else stages and merges; newcomers join.
    fn commit(
        &mut self,
        sender: usize,
        pending: artmls::internals::art_tree::PendingTreeChange<S>,
    ) -> TreeChange {
        let change = pending.change().clone();
        let newcomers: Vec<(LeafIndex, Secret)> = pending.newcomers().to_vec();
        let expected = pending.commit_secret().clone();
        let sender_leaf = self.members[sender].own_leaf();
        self.members[sender]
            .merge(pending)
            .expect("sender merges its own change");
        let removed: Vec<LeafIndex> = change
            .leaves
            .iter()
            .filter(|c| c.kind == LeafChangeKind::Remove)
            .map(|c| c.leaf)
            .collect();
        for leaf in &removed {
            let index = self.member_index(*leaf);
            let removed_member = self.members.remove(index);
            assert_eq!(
                removed_member.stage(&change, sender_leaf).err(),
                Some(TreeError::OwnLeafRemoved),
                "a removed member learns it was removed"
            );
        }
        for member in self
            .members
            .iter_mut()
            .filter(|m| m.own_leaf() != sender_leaf)
        {
            let staged = member
                .stage(&change, sender_leaf)
                .unwrap_or_else(|e| panic!("{} rejects a valid change: {e}", member.own_leaf()));
            member.merge(staged).expect("merge of a fresh stage");
        }
        let tree = self.members[0].tree().clone();
        for (leaf, secret) in newcomers {
            let newcomer = ArtMember::join(tree.clone(), leaf, &secret).expect("newcomer joins");
            self.members.push(newcomer);
        }
        for member in &self.members {
            assert_eq!(
                member.commit_secret(),
                &expected,
                "{} disagrees on commit_secret",
                member.own_leaf()
            );
            assert_holds_only_own_path(member);
        }
        change
    }
}

/// A member holds secrets for its leaf and its direct path in the current tree, nothing else.
fn assert_holds_only_own_path<S: CipherSuite>(member: &ArtMember<S>) {
    let n_leaves = member.tree().n_leaves();
    let leaf_node = member.own_leaf().node();
    let mut expected: Vec<NodeIndex> = vec![leaf_node];
    expected.extend(leaf_node.direct_path(n_leaves));
    assert_eq!(
        member.secret_nodes(),
        expected,
        "{} holds secrets off its direct path",
        member.own_leaf()
    );
}

/// Every secret a removed member held derives a key that appears nowhere in the new tree, and
/// its last commit_secret is not the group's.
fn lockout_after_merge<S: CipherSuite>(removed: &ArtMember<S>, group_member: &ArtMember<S>) {
    assert_ne!(
        removed.commit_secret(),
        group_member.commit_secret(),
        "removed member keeps the group secret"
    );
    let tree = group_member.tree();
    let (_, keys) = tree.to_parts();
    for node in removed.secret_nodes() {
        let secret = removed.node_secret(node).expect("held secret");
        let (_, public) = S::Dh::derive_key_pair::<S::Kdf>(secret.as_bytes()).expect("derive");
        assert!(
            !keys
                .iter()
                .flatten()
                .any(|key| key.as_slice() == public.as_ref()),
            "a removed member's secret for {node:?} still matches a key in the tree"
        );
    }
}

/// Random sequences of add, update and remove over simulated members: after every step all
/// members agree on `commit_secret`, each holds secrets only on its own direct path, and a
/// removed member holds no secret that matches any key of the new tree.
pub fn verify_art_tree_random<S: CipherSuite>(seed: u64, steps: usize, max_members: usize) {
    let mut rng: StdRng = seeded(seed);
    let creator = ArtMember::<S>::create(&mut rng).expect("create");
    let mut group = Group {
        members: vec![creator],
    };
    for step in 0..steps {
        let size = group.members.len();
        let sender = rng.random_range(0..size);
        let roll: u32 = rng.random_range(0..10);
        if roll < 4 && size < max_members {
            let count = rng.random_range(1..=3.min(max_members - size));
            let pending = group.members[sender]
                .prepare_add(count, &mut rng)
                .expect("prepare add");
            assert_eq!(pending.newcomers().len(), count);
            group.commit(sender, pending);
        } else if roll < 7 && size > 1 {
            let mut victim = rng.random_range(0..size - 1);
            if victim >= sender {
                victim += 1;
            }
            let leaf = group.members[victim].own_leaf();
            let removed = group.members[victim].clone();
            let pending = group.members[sender]
                .prepare_remove(&[leaf], &mut rng)
                .expect("prepare remove");
            let sender_leaf = group.members[sender].own_leaf();
            group.commit(sender, pending);
            let sender_now = group.member_index(sender_leaf);
            lockout_after_merge(&removed, &group.members[sender_now]);
        } else {
            let pending = group.members[sender]
                .prepare_update(&mut rng)
                .expect("prepare update");
            group.commit(sender, pending);
        }
        let tree = group.members[0].tree();
        assert_eq!(
            tree.member_count(),
            group.members.len(),
            "step {step}: member count"
        );
        // The tree is as small as it can be: its right half holds a member (or it has one leaf).
        let n = tree.n_leaves();
        if n > 1 {
            assert!(
                (n / 2..n).any(|leaf| tree.leaf_kind(LeafIndex(leaf)) == LeafKind::Member),
                "step {step}: tree not truncated"
            );
        }
    }
}

/// Receivers reject bad changes with a typed error and keep their state: a flipped parent
/// key, a missing or extra key, an add to an occupied slot, an update of a non-member, a
/// change that is not for this tree version, an invalid public key.
pub fn verify_art_tree_rejections<S: CipherSuite>(seed: u64) {
    let mut rng: StdRng = seeded(seed);
    let creator = ArtMember::<S>::create(&mut rng).expect("create");
    let mut group = Group {
        members: vec![creator],
    };
    let pending = group.members[0].prepare_add(7, &mut rng).expect("add");
    group.commit(0, pending);

    let sender = 3;
    let pending = group.members[sender]
        .prepare_update(&mut rng)
        .expect("update");
    let good = pending.change().clone();
    let receiver = group.members[0].clone();
    let before = (receiver.tree().to_parts(), receiver.commit_secret().clone());

    let mut bad_changes: Vec<(&str, TreeChange)> = Vec::new();
    for index in 0..good.parent_keys.len() {
        let mut flipped = good.clone();
        let key = &mut flipped.parent_keys[index];
        let last = key.len() - 1;
        key[last] ^= 1;
        bad_changes.push(("flipped parent key", flipped));
        let mut swapped = good.clone();
        let other = S::Dh::generate_key_pair(&mut rng).1;
        swapped.parent_keys[index] = other.as_ref().to_vec();
        bad_changes.push(("substituted parent key", swapped));
    }
    let mut missing = good.clone();
    missing.parent_keys.pop();
    bad_changes.push(("missing parent key", missing));
    let mut extra = good.clone();
    extra.parent_keys.push(good.parent_keys[0].clone());
    bad_changes.push(("extra parent key", extra));
    let mut truncated_key = good.clone();
    truncated_key.parent_keys[0] = good.parent_keys[0][1..].to_vec();
    bad_changes.push(("truncated parent key", truncated_key));
    let zero_key = vec![0u8; S::Dh::PUBLIC_KEY_LEN];
    let mut zero_leaf = good.clone();
    zero_leaf.leaves[0].public_key = zero_key;
    bad_changes.push(("all-zero leaf key", zero_leaf));
    let mut occupied = good.clone();
    occupied.leaves[0] = LeafChange {
        kind: LeafChangeKind::Add,
        leaf: LeafIndex(1),
        ..good.leaves[0].clone()
    };
    bad_changes.push(("add to an occupied slot", occupied));
    let mut outside = good.clone();
    outside.leaves[0].leaf = LeafIndex(1000);
    bad_changes.push(("update of a leaf outside the tree", outside));
    bad_changes.push((
        "empty change",
        TreeChange {
            leaves: vec![],
            parent_keys: vec![],
        },
    ));

    for (what, change) in bad_changes {
        let result = receiver.stage(&change, LeafIndex(sender as u32));
        assert!(result.is_err(), "{}: {what} accepted", S::ID);
        assert_eq!(
            (receiver.tree().to_parts(), receiver.commit_secret().clone()),
            before,
            "{what}: state changed"
        );
    }
    // The good change still goes through, and a second merge of a stale stage is refused.
    let mut receiver = receiver;
    let sender_leaf = LeafIndex(sender as u32);
    let staged = receiver.stage(&good, sender_leaf).expect("good change");
    let stale = receiver
        .stage(&good, sender_leaf)
        .expect("good change, again");
    receiver.merge(staged).expect("merge");
    assert_eq!(
        receiver.merge(stale).err(),
        Some(TreeError::StalePendingChange)
    );
}

/// What a party knows that could open a later epoch: every leaf secret it ever drew (its own,
/// its newcomers', its tombstones') and every secret of its own path it ever held.
#[derive(Default)]
struct Knowledge {
    drawn: Vec<Secret>,
    path_keys: Vec<Vec<u8>>,
}

/// Profile revision 2 §8 as a property: random adds, removes and updates in which every party
/// keeps every secret it ever drew or computed. A removed party can derive a later epoch only
/// through a newcomer it added that has not updated yet, never through a tombstone; and no
/// secret of a path it once held is a key of the tree after its removal.
pub fn verify_removed_parties_locked_out<S: CipherSuite>(
    seed: u64,
    steps: usize,
    max_members: usize,
) {
    use std::collections::HashMap;

    use artmls::internals::art_tree::NodeSecret;

    use crate::rng::RecordingRng;

    let mut rng: StdRng = seeded(seed);
    // Parties by number; the leaf each current member holds; who added whom (until it updates).
    let mut knowledge: Vec<Knowledge> = vec![Knowledge::default()];
    let mut party_at: HashMap<LeafIndex, usize> = HashMap::new();
    let mut added_by: HashMap<LeafIndex, usize> = HashMap::new();
    let mut removed_parties: Vec<usize> = Vec::new();

    let mut recording = RecordingRng::new(&mut rng);
    let creator = ArtMember::<S>::create(&mut recording).expect("create");
    knowledge[0]
        .drawn
        .extend(recording.into_draws().iter().map(|d| Secret::from_slice(d)));
    party_at.insert(creator.own_leaf(), 0);
    let mut group = Group {
        members: vec![creator],
    };
    for step in 0..steps {
        let size = group.members.len();
        let sender = rng.random_range(0..size);
        let sender_leaf = group.members[sender].own_leaf();
        let sender_party = party_at[&sender_leaf];
        let roll: u32 = rng.random_range(0..10);
        let mut recording = RecordingRng::new(&mut rng);
        let (pending, removed_leaves, newcomer_count) = if roll < 4 && size < max_members {
            let count = 1 + (roll as usize % 2);
            let pending = group.members[sender]
                .prepare_add(count.min(max_members - size), &mut recording)
                .expect("add");
            (pending, Vec::new(), count.min(max_members - size))
        } else if roll < 7 && size > 2 {
            let mut victim = (sender + 1 + roll as usize) % size;
            if victim == sender {
                victim = (victim + 1) % size;
            }
            let leaf = group.members[victim].own_leaf();
            let pending = group.members[sender]
                .prepare_remove(&[leaf], &mut recording)
                .expect("remove");
            (pending, vec![leaf], 0)
        } else {
            let pending = group.members[sender]
                .prepare_update(&mut recording)
                .expect("update");
            added_by.remove(&sender_leaf);
            (pending, Vec::new(), 0)
        };
        knowledge[sender_party]
            .drawn
            .extend(recording.into_draws().iter().map(|d| Secret::from_slice(d)));
        let newcomers: Vec<LeafIndex> = pending.newcomers().iter().map(|(l, _)| *l).collect();
        assert_eq!(newcomers.len(), newcomer_count);
        group.commit(sender, pending);
        for leaf in &removed_leaves {
            let party = party_at.remove(leaf).expect("a removed member was a party");
            removed_parties.push(party);
            added_by.remove(leaf);
        }
        for leaf in newcomers {
            knowledge.push(Knowledge::default());
            party_at.insert(leaf, knowledge.len() - 1);
            added_by.insert(leaf, sender_party);
        }
        // Every member remembers its path (the secrets it holds now).
        for member in &group.members {
            let party = party_at[&member.own_leaf()];
            for node in member.secret_nodes() {
                let secret = member.node_secret(node).expect("held");
                let (_, public) =
                    S::Dh::derive_key_pair::<S::Kdf>(secret.as_bytes()).expect("derive");
                knowledge[party].path_keys.push(public.as_ref().to_vec());
            }
        }

        // The invariant, for every removed party.
        let tree = group.members[0].tree();
        let (_, keys) = tree.to_parts();
        for &party in &removed_parties {
            for secret in &knowledge[party].drawn {
                let Ok((_, leaf_key)) = NodeSecret::<S>::from_leaf_secret(secret) else {
                    continue;
                };
                for leaf in 0..tree.n_leaves() {
                    let leaf = LeafIndex(leaf);
                    if tree.public_key(leaf.node()) != Some(&leaf_key) {
                        continue;
                    }
                    let opened = tree
                        .commit_secret_from_leaf_secret(leaf, secret)
                        .expect("tree")
                        .expect("the leaf's own secret opens the path");
                    assert_eq!(&opened, group.members[0].commit_secret());
                    assert!(
                        tree.leaf_kind(leaf) == LeafKind::Member
                            && added_by.get(&leaf) == Some(&party),
                        "step {step}: removed party {party} opens the epoch through {leaf:?} \
                         ({:?}), which is not a newcomer it added that has not updated",
                        tree.leaf_kind(leaf)
                    );
                }
            }
            for key in &knowledge[party].path_keys {
                assert!(
                    !keys.iter().flatten().any(|k| k == key),
                    "step {step}: removed party {party} still holds the secret of a tree node"
                );
            }
        }
    }
}
