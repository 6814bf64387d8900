//! Creating a group: alone, or with its initial members in one commit (the first draft's
//! Initiate).

use rand_core::CryptoRng;
use std::collections::VecDeque;

use super::{CurrentView, Group, GroupConfig, GroupError, Identity, Member, Members, TreeHashes};
use crate::art_tree::ArtMember;
use crate::key_schedule::{EpochSecrets, interim_transcript_hash};
use crate::messages::{GroupContext, KeyPackage, LeafNodeSource};
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::Kdf;

fn fresh_secret<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) -> Secret {
    let mut secret = Secret::zero(S::Kdf::HASH_LEN);
    rng.fill_bytes(secret.as_mut_bytes());
    secret
}

impl<S: CipherSuite> Group<S> {
    /// A one-member group at epoch 0 (its epoch secret is random, RFC 9420 §11).
    pub fn create_with_rng<R: CryptoRng + ?Sized>(
        identity: Identity<S>,
        group_id: Vec<u8>,
        config: GroupConfig,
        rng: &mut R,
    ) -> Result<Self, GroupError> {
        let tree = ArtMember::<S>::create(rng)?;
        let leaf_key = tree
            .tree()
            .public_key(LeafIndex(0).node())
            .map(|key| key.as_ref().to_vec())
            .unwrap_or_default();
        let leaf_node = identity.leaf_node(
            leaf_key,
            LeafNodeSource::Update,
            Some((&group_id, LeafIndex(0))),
        )?;
        let members = Members::new(vec![Some(Member::new(leaf_node)?)])?;
        let hashes = TreeHashes::compute::<S>(&CurrentView {
            tree: tree.tree(),
            members: &members,
        })?;
        let context =
            GroupContext::new(S::ID, group_id, 0, hashes.tree_hash(1).to_vec(), Vec::new());
        let init_secret = fresh_secret::<S, R>(rng);
        let mut secrets =
            EpochSecrets::<S>::derive(&init_secret, tree.commit_secret(), None, &context)?;
        let tag = secrets.confirmation_tag(&[]);
        let interim_transcript_hash = interim_transcript_hash::<S>(&[], &tag)?;
        let secret_tree = SecretTree::with_config(
            core::mem::take(&mut secrets.encryption_secret),
            1,
            config.secret_tree,
        )?;
        Ok(Group {
            context,
            tree,
            members,
            hashes,
            secrets,
            secret_tree,
            interim_transcript_hash,
            identity,
            needs_update: false,
            removed: false,
            config,
            identity_policy: Self::default_identity_policy(),
            past: VecDeque::new(),
            log_position: 0,
            persistence: None,
        })
    }

    /// The first draft's Initiate: a group created with its initial members in one commit
    /// (every changed node computed once, O(n)), and the one Welcome for all of them.
    pub fn initiate_with_rng<R: CryptoRng + ?Sized>(
        identity: Identity<S>,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        config: GroupConfig,
        rng: &mut R,
    ) -> Result<(Self, Vec<u8>), GroupError> {
        let mut group = Self::create_with_rng(identity, group_id, config, rng)?;
        let pending = group.commit_add_with_rng(key_packages, rng)?;
        let welcome = pending
            .welcome
            .clone()
            .ok_or(GroupError::InvalidCommit("an add without a Welcome"))?;
        group.merge_pending_commit(pending)?;
        Ok((group, welcome))
    }
}
