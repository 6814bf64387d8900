//! The members of a group by leaf: their LeafNodes, parsed verifying keys, and the index
//! that keeps two leaves from sharing a key.

use std::collections::HashMap;

use super::{GroupError, VerifyingKey};
use crate::messages::{LeafNode, LeafNodeSource, MessageError};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;

/// The members by leaf index (`None` for a blank or tombstone leaf), with an index of their
/// LeafNodes' keys so that "no two leaves share a signature or encryption key" (RFC 9420 §7.3)
/// is checked without a pass over the group.
pub(super) struct Members<S: CipherSuite> {
    leaves: Vec<Option<Member<S>>>,
    signature_keys: HashMap<Vec<u8>, LeafIndex>,
    encryption_keys: HashMap<Vec<u8>, LeafIndex>,
}

impl<S: CipherSuite> Clone for Members<S> {
    fn clone(&self) -> Self {
        Members {
            leaves: self.leaves.clone(),
            signature_keys: self.signature_keys.clone(),
            encryption_keys: self.encryption_keys.clone(),
        }
    }
}

impl<S: CipherSuite> core::ops::Deref for Members<S> {
    type Target = [Option<Member<S>>];
    fn deref(&self) -> &Self::Target {
        &self.leaves
    }
}

impl<S: CipherSuite> Members<S> {
    /// The members of a tree, refused if two of them share a key.
    pub(super) fn new(leaves: Vec<Option<Member<S>>>) -> Result<Self, GroupError> {
        let mut members = Members {
            leaves: Vec::with_capacity(leaves.len()),
            signature_keys: HashMap::with_capacity(leaves.len()),
            encryption_keys: HashMap::with_capacity(leaves.len()),
        };
        for (index, member) in leaves.into_iter().enumerate() {
            let leaf = LeafIndex(index as u32);
            if let Some(member) = &member {
                members.check_keys_free(leaf, &member.leaf_node)?;
            }
            members.leaves.push(None);
            members.set(leaf, member);
        }
        Ok(members)
    }

    /// Refuses `leaf_node` for `leaf` if another leaf's LeafNode has its signature key or its
    /// encryption key.
    pub(super) fn check_keys_free(
        &self,
        leaf: LeafIndex,
        leaf_node: &LeafNode,
    ) -> Result<(), GroupError> {
        let taken = |index: &HashMap<Vec<u8>, LeafIndex>, key: &[u8]| {
            index.get(key).is_some_and(|holder| *holder != leaf)
        };
        if taken(&self.signature_keys, &leaf_node.signature_key) {
            return Err(GroupError::DuplicateKey("signature key"));
        }
        if taken(&self.encryption_keys, &leaf_node.encryption_key) {
            return Err(GroupError::DuplicateKey("encryption key"));
        }
        Ok(())
    }

    /// Puts `member` at `leaf` (growing the list if needed), keeping the key index in step.
    pub(super) fn set(&mut self, leaf: LeafIndex, member: Option<Member<S>>) {
        let index = leaf.0 as usize;
        if index >= self.leaves.len() {
            self.leaves.resize_with(index + 1, || None);
        }
        if let Some(old) = self.leaves[index].take() {
            self.signature_keys.remove(&old.leaf_node.signature_key);
            self.encryption_keys.remove(&old.leaf_node.encryption_key);
        }
        if let Some(new) = &member {
            self.signature_keys
                .insert(new.leaf_node.signature_key.clone(), leaf);
            self.encryption_keys
                .insert(new.leaf_node.encryption_key.clone(), leaf);
        }
        self.leaves[index] = member;
    }

    /// The verifying key of the member at `sender`, or [`GroupError::UnknownSender`].
    pub(super) fn verifying_key(&self, sender: LeafIndex) -> Result<VerifyingKey<S>, GroupError> {
        self.leaves
            .get(sender.0 as usize)
            .and_then(Option::as_ref)
            .map(|member| member.verifying_key.clone())
            .ok_or(GroupError::UnknownSender(sender))
    }

    /// Shrinks or grows the list to `n_leaves` (leaves past a shrunk tree are never members).
    pub(super) fn resize(&mut self, n_leaves: usize) {
        for index in n_leaves..self.leaves.len() {
            self.set(LeafIndex(index as u32), None);
        }
        self.leaves.resize_with(n_leaves, || None);
    }
}

/// A member as the group knows it: its signed LeafNode and parsed verifying key.
pub(super) struct Member<S: CipherSuite> {
    pub(super) leaf_node: LeafNode,
    pub(super) verifying_key: VerifyingKey<S>,
}

impl<S: CipherSuite> Clone for Member<S> {
    fn clone(&self) -> Self {
        Member {
            leaf_node: self.leaf_node.clone(),
            verifying_key: self.verifying_key.clone(),
        }
    }
}

impl<S: CipherSuite> Member<S> {
    pub(super) fn new(leaf_node: LeafNode) -> Result<Self, GroupError> {
        let verifying_key = S::Signature::verifying_key_from_bytes(&leaf_node.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        Ok(Member {
            leaf_node,
            verifying_key,
        })
    }
}

/// Checks every member's LeafNode signature (for its source), on all cores when there are
/// many, with the verifying keys already parsed into `members`. The error is the first
/// failing leaf's, in order.
pub(super) fn verify_leaf_nodes<S: CipherSuite>(
    group_id: &[u8],
    members: &[Option<Member<S>>],
) -> Result<(), GroupError> {
    let leaves: Vec<(LeafIndex, &Member<S>)> = members
        .iter()
        .enumerate()
        .filter_map(|(leaf, member)| Some((LeafIndex(leaf as u32), member.as_ref()?)))
        .collect();
    crate::parallel::try_map(&leaves, |(leaf, member)| {
        let group = match member.leaf_node.leaf_node_source {
            LeafNodeSource::KeyPackage(_) => None,
            _ => Some((group_id, *leaf)),
        };
        member
            .leaf_node
            .verify_with_key::<S>(&member.verifying_key, group)
    })?;
    Ok(())
}
