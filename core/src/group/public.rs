//! A group as a party outside it sees it: the public state that the ordering service follows.
//!
//! Everything an ART commit changes about the group's public state is public: the tree's keys
//! and shape, the LeafNodes, the epoch, the tree hash and the transcript hashes. So a service
//! that holds no key can follow a group and refuse, before it orders anything, a commit that
//! does not decode, is not signed by a current member, or whose tree change breaks the rules
//! (a self-removal, missing transfers, a wrong number of keys, an invalid key, an identity
//! takeover, duplicate keys). What it cannot check: the confirmation tag and the keys a
//! member recomputes on its own path (both need the epoch's secrets).

use std::sync::Arc;

use crate::art_tree::PublicTree;
use crate::codec::{Decode, Encode};
use crate::framing::verify_content;
use crate::key_schedule::{confirmed_transcript_hash, interim_transcript_hash};
use crate::messages::{
    AuthenticatedContent, Content, GroupContext, MlsMessage, Sender, WireFormat,
};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;

use super::tree_hash::TreeHashes;
use super::{
    ArtCommit, CommitRules, CommitSummary, CurrentView, GroupError, IdentityPolicy, Members,
    NextView, SameCredential, check_epoch, member_changes, sealed_leaves, verify_key_packages,
    verify_leaf_nodes,
};

/// One group's public state, followed commit by commit.
pub struct PublicGroup<S: CipherSuite> {
    context: GroupContext,
    tree: PublicTree<S>,
    members: Members<S>,
    hashes: TreeHashes,
    interim_transcript_hash: Vec<u8>,
    identity_policy: Arc<dyn IdentityPolicy>,
}

impl<S: CipherSuite> core::fmt::Debug for PublicGroup<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicGroup")
            .field("group_id", &self.context.group_id)
            .field("epoch", &self.context.epoch)
            .field("members", &self.members.iter().flatten().count())
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> PublicGroup<S> {
    /// The public state from a member's GroupInfo (an MLSMessage, see
    /// [`super::Group::public_group_info`]): its signature, the tree's shape and keys, every
    /// LeafNode's signature and the tree hash are checked.
    pub fn from_group_info(message: &[u8]) -> Result<Self, GroupError> {
        let MlsMessage::<ArtCommit>::GroupInfo(group_info) =
            MlsMessage::<ArtCommit>::decode_exact(message)?
        else {
            return Err(GroupError::Unsupported("expected a GroupInfo"));
        };
        if group_info.group_context.cipher_suite != S::ID {
            return Err(GroupError::InvalidWelcome("the group uses another suite"));
        }
        let (ratchet_tree, signer_key) = super::Group::<S>::welcome_tree(&group_info)?;
        group_info.verify::<S>(&signer_key)?;
        let (tree, members) = super::Group::<S>::import_tree(ratchet_tree)?;
        verify_leaf_nodes::<S>(&group_info.group_context.group_id, &members)?;
        let hashes = TreeHashes::compute::<S>(&CurrentView {
            tree: &tree,
            members: &members,
        })?;
        if hashes.tree_hash(tree.n_leaves()) != group_info.group_context.tree_hash.as_slice() {
            return Err(GroupError::TreeHashMismatch);
        }
        let interim_transcript_hash = interim_transcript_hash::<S>(
            &group_info.group_context.confirmed_transcript_hash,
            &group_info.confirmation_tag,
        )?;
        Ok(PublicGroup {
            context: group_info.group_context,
            tree,
            members,
            hashes,
            interim_transcript_hash,
            identity_policy: Arc::new(SameCredential),
        })
    }

    /// The group id.
    pub fn group_id(&self) -> &[u8] {
        &self.context.group_id
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.context.epoch
    }

    /// The current GroupContext: equal to every member's.
    pub fn context(&self) -> &GroupContext {
        &self.context
    }

    /// The public tree.
    pub fn tree(&self) -> &PublicTree<S> {
        &self.tree
    }

    /// The number of members.
    pub fn member_count(&self) -> usize {
        self.members.iter().flatten().count()
    }

    /// Replaces the identity policy (by default [`SameCredential`]); use the members' policy.
    pub fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        self.identity_policy = policy;
    }

    /// Checks a commit (an MLSMessage) for the current epoch as far as public state allows and,
    /// if it passes, applies it: the group moves to the next epoch. A refused commit changes
    /// nothing.
    pub fn process_commit(&mut self, message: &[u8]) -> Result<CommitSummary, GroupError> {
        let MlsMessage::<ArtCommit>::PublicMessage(public) =
            MlsMessage::<ArtCommit>::decode_exact(message)?
        else {
            return Err(GroupError::Unsupported("commits travel as PublicMessages"));
        };
        check_epoch(
            &self.context,
            &public.content.group_id,
            public.content.epoch,
        )?;
        let current = self.context.epoch;
        let Sender::Member(sender) = public.content.sender else {
            return Err(GroupError::Unsupported("a commit from a non-member"));
        };
        let verifying_key = self.members.verifying_key(sender)?;
        let Content::Commit(commit) = &public.content.content else {
            return Err(GroupError::Unsupported("proposals"));
        };
        let tag = public
            .auth
            .confirmation_tag
            .clone()
            .ok_or(GroupError::InvalidCommit("no confirmation tag"))?;
        let signed = AuthenticatedContent {
            wire_format: WireFormat::PublicMessage,
            content: public.content.clone(),
            auth: public.auth.clone(),
        };
        verify_content::<S, ArtCommit>(&signed, &self.context, &verifying_key)?;
        let staged = self.tree.stage(&commit.tree_change, sender)?;
        let next_epoch = current.checked_add(1).ok_or(GroupError::EpochExhausted)?;
        let changes = member_changes(
            &CommitRules {
                members: &self.members,
                policy: self.identity_policy.as_ref(),
                group_id: &self.context.group_id,
                next_epoch,
            },
            commit,
            sender,
            None::<<S::Signature as SignatureScheme>::VerifyingKey>,
        )?;
        verify_key_packages::<S>(&commit.key_packages)?;
        let mut summary = changes.summary;
        summary.sealed = sealed_leaves(&self.tree, &staged);
        let view = NextView {
            base: &self.tree,
            staged: &staged,
            members: &self.members,
            member_changes: &changes.members,
        };
        let changed: Vec<_> = staged
            .changed_nodes()
            .chain(changes.members.keys().map(|leaf| leaf.node()))
            .collect();
        let hashes = self.hashes.update::<S>(&view, changed.into_iter())?;
        let confirmed =
            confirmed_transcript_hash::<S, ArtCommit>(&self.interim_transcript_hash, &signed)?;
        let interim = interim_transcript_hash::<S>(&confirmed, &tag)?;
        let context = GroupContext {
            epoch: next_epoch,
            tree_hash: hashes.tree_hash().to_vec(),
            confirmed_transcript_hash: confirmed,
            ..self.context.clone()
        };
        // Everything is checked and computed: apply.
        let n_leaves = staged.n_leaves();
        self.tree
            .merge(staged)
            .map_err(|_| GroupError::StalePendingCommit)?;
        self.members.resize(n_leaves as usize);
        for (leaf, member) in changes.members {
            if leaf.0 < n_leaves {
                self.members.set(leaf, member);
            }
        }
        self.hashes.apply(hashes);
        self.context = context;
        self.interim_transcript_hash = interim;
        Ok(summary)
    }

    /// Whether `leaf` holds a member.
    pub fn is_member(&self, leaf: LeafIndex) -> bool {
        self.members
            .get(leaf.0 as usize)
            .is_some_and(Option::is_some)
    }

    /// The public tree and LeafNodes in the encoding a Welcome carries them, to compare with a
    /// member's view.
    pub fn ratchet_tree_bytes(&self) -> Result<Vec<u8>, GroupError> {
        let view = CurrentView {
            tree: &self.tree,
            members: &self.members,
        };
        Ok(super::ratchet_tree(&view).encode_to_vec()?)
    }
}
