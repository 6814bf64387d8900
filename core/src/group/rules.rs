//! The checks a commit must pass, shared by members ([`super::Group`]) and the ordering
//! service ([`super::PublicGroup`]): the epoch, what the commit does to the members, and the
//! newcomers' KeyPackages and LeafNodes.

use std::collections::HashMap;

use super::{
    ArtCommit, CommitSummary, GroupError, IdentityPolicy, Member, MemberChanges, Members,
    VerifyingKey,
};
use crate::art_tree::{LeafChangeKind, LeafKind, PublicTree, StagedTreeChange};
use crate::messages::{GroupContext, KeyPackage, LeafNode, LeafNodeSource};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;

/// Refuses a message for another group, or for an epoch other than the context's.
pub(super) fn check_epoch(
    context: &GroupContext,
    group_id: &[u8],
    epoch: u64,
) -> Result<(), GroupError> {
    if group_id != context.group_id.as_slice() {
        return Err(GroupError::WrongGroup);
    }
    let current = context.epoch;
    match epoch.cmp(&current) {
        core::cmp::Ordering::Less => Err(GroupError::StaleEpoch {
            current,
            got: epoch,
        }),
        core::cmp::Ordering::Greater => Err(GroupError::FutureEpoch {
            current,
            got: epoch,
        }),
        core::cmp::Ordering::Equal => Ok(()),
    }
}

/// The tombstones a staged change seals (blanks), in leaf order.
pub(super) fn sealed_leaves<S: CipherSuite>(
    base: &PublicTree<S>,
    staged: &StagedTreeChange<S>,
) -> Vec<LeafIndex> {
    let mut sealed: Vec<LeafIndex> = staged
        .changed_leaves()
        .filter(|(leaf, kind)| *kind == LeafKind::Blank && base.leaf_kind(*leaf).is_tombstone())
        .map(|(leaf, _)| leaf)
        .collect();
    sealed.sort_unstable();
    sealed
}

/// What a commit is checked against: the current members, the identity policy, the group
/// and the epoch it leads to. Shared by members ([`super::Group`]) and the ordering service
/// ([`super::PublicGroup`]).
pub(super) struct CommitRules<'a, S: CipherSuite> {
    pub(super) members: &'a Members<S>,
    pub(super) policy: &'a dyn IdentityPolicy,
    pub(super) group_id: &'a [u8],
    pub(super) next_epoch: u64,
}

/// What a commit does to the members, from its leaf changes, its KeyPackages and its
/// LeafNode (whose signature is checked here, unless `own_key` says it is the checker's own,
/// just signed; the KeyPackages' signatures are the caller's to check, with
/// [`verify_key_packages`]).
pub(super) fn member_changes<S: CipherSuite>(
    rules: &CommitRules<'_, S>,
    commit: &ArtCommit,
    sender: LeafIndex,
    own_key: Option<VerifyingKey<S>>,
) -> Result<MemberChanges<S>, GroupError> {
    let group_id = rules.group_id;
    let mut summary = CommitSummary {
        sender,
        epoch: rules.next_epoch,
        ..CommitSummary::default()
    };
    let mut members: HashMap<LeafIndex, Option<Member<S>>> = HashMap::new();
    let mut new_leaf_nodes: Vec<&LeafNode> = Vec::new();
    let mut key_packages = commit.key_packages.iter();
    let mut leaf_node = commit.leaf_node.as_ref();
    for change in &commit.tree_change.leaves {
        match change.kind {
            LeafChangeKind::Update => {
                let leaf_node = leaf_node
                    .take()
                    .ok_or(GroupError::InvalidCommit("an update without a LeafNode"))?;
                if change.leaf != sender {
                    return Err(GroupError::InvalidCommit(
                        "an update of another member's leaf",
                    ));
                }
                if leaf_node.leaf_node_source != LeafNodeSource::Update
                    || leaf_node.encryption_key != change.public_key
                {
                    return Err(GroupError::InvalidCommit(
                        "the LeafNode does not match the new leaf key",
                    ));
                }
                let current = rules
                    .members
                    .get(sender.0 as usize)
                    .and_then(Option::as_ref)
                    .ok_or(GroupError::UnknownSender(sender))?;
                rules
                    .policy
                    .validate_update(&current.leaf_node, leaf_node)?;
                check_new_leaf_node(rules.members, change.leaf, leaf_node)?;
                new_leaf_nodes.push(leaf_node);
                let member = if let Some(verifying_key) = own_key.clone() {
                    Member {
                        leaf_node: leaf_node.clone(),
                        verifying_key,
                    }
                } else {
                    let member = Member::new(leaf_node.clone())?;
                    leaf_node
                        .verify_with_key::<S>(&member.verifying_key, Some((group_id, sender)))?;
                    member
                };
                members.insert(change.leaf, Some(member));
                summary.updated = true;
            }
            LeafChangeKind::Add => {
                let key_package = key_packages
                    .next()
                    .ok_or(GroupError::InvalidCommit("an add without a KeyPackage"))?;
                if key_package.cipher_suite != S::ID {
                    return Err(GroupError::InvalidCommit("a KeyPackage of another suite"));
                }
                if key_package.version != crate::messages::MLS10 {
                    return Err(GroupError::InvalidLeafNode(
                        "a KeyPackage of another protocol version",
                    ));
                }
                let leaf_node = &key_package.leaf_node;
                let LeafNodeSource::KeyPackage(lifetime) = &leaf_node.leaf_node_source else {
                    return Err(GroupError::InvalidLeafNode(
                        "a KeyPackage's LeafNode must have the key_package source",
                    ));
                };
                if !lifetime.contains(rules.policy.now()) {
                    return Err(GroupError::InvalidLeafNode(
                        "the KeyPackage is expired or not yet valid",
                    ));
                }
                if key_package.init_key == leaf_node.encryption_key {
                    return Err(GroupError::InvalidLeafNode(
                        "a KeyPackage's init key equals its LeafNode's encryption key",
                    ));
                }
                rules.policy.validate_newcomer(leaf_node)?;
                check_new_leaf_node(rules.members, change.leaf, leaf_node)?;
                new_leaf_nodes.push(leaf_node);
                members.insert(change.leaf, Some(Member::new(leaf_node.clone())?));
                summary.added.push(change.leaf);
            }
            LeafChangeKind::Remove => {
                members.insert(change.leaf, None);
                summary.removed.push(change.leaf);
            }
            LeafChangeKind::Transfer => summary.transferred.push(change.leaf),
        }
    }
    // So every KeyPackage is a newcomer's, and checking them all checks the newcomers.
    if key_packages.next().is_some() || leaf_node.is_some() {
        return Err(GroupError::InvalidCommit(
            "KeyPackages or a LeafNode the changes do not use",
        ));
    }
    // The new LeafNodes must not share keys among themselves either (the same KeyPackage
    // added twice, say).
    let mut seen_signature = std::collections::HashSet::new();
    let mut seen_encryption = std::collections::HashSet::new();
    for leaf_node in new_leaf_nodes {
        if !seen_signature.insert(leaf_node.signature_key.as_slice()) {
            return Err(GroupError::DuplicateKey("signature key"));
        }
        if !seen_encryption.insert(leaf_node.encryption_key.as_slice()) {
            return Err(GroupError::DuplicateKey("encryption key"));
        }
    }
    Ok(MemberChanges { members, summary })
}

/// RFC 9420 §7.3 for a LeafNode that a commit brings in at `leaf`: its keys are no other
/// leaf's, and it supports this group's protocol version and suite, and its own credential
/// type.
fn check_new_leaf_node<S: CipherSuite>(
    members: &Members<S>,
    leaf: LeafIndex,
    leaf_node: &LeafNode,
) -> Result<(), GroupError> {
    members.check_keys_free(leaf, leaf_node)?;
    let capabilities = &leaf_node.capabilities;
    if !capabilities.versions.contains(&crate::messages::MLS10) {
        return Err(GroupError::InvalidLeafNode(
            "its capabilities lack the protocol version",
        ));
    }
    if !capabilities.cipher_suites.contains(&S::ID) {
        return Err(GroupError::InvalidLeafNode(
            "its capabilities lack the group's cipher suite",
        ));
    }
    if !capabilities
        .credentials
        .contains(&leaf_node.credential.credential_type())
    {
        return Err(GroupError::InvalidLeafNode(
            "its capabilities lack its own credential type",
        ));
    }
    Ok(())
}

/// Checks KeyPackages (two signatures each), on all cores when there are many. The error is
/// the first failing KeyPackage's, in order, as a sequential check gives it.
pub(super) fn verify_key_packages<S: CipherSuite>(
    key_packages: &[KeyPackage],
) -> Result<(), GroupError> {
    crate::parallel::try_map(key_packages, |key_package| key_package.verify::<S>())?;
    Ok(())
}
