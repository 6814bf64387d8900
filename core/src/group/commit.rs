//! This member's commits (update, add, remove), from drafting to merging, and what every
//! commit leads to: the next epoch, computed and checked before anything changes.

use super::past::PastEpoch;
use std::collections::HashMap;

use rand_core::CryptoRng;

use super::{
    ART_RATCHET_TREE_EXTENSION, ArtCommit, CommitRules, CurrentView, Group, GroupError, Member,
    NextView, TreeHashUpdate, member_changes, ratchet_tree, sealed_leaves, verify_key_packages,
};
use crate::art_tree::{PendingTreeChange, StagedTreeChange};
use crate::codec::Encode;
use crate::framing::{framed_content_tbs, protect_public};
use crate::key_schedule::{EpochSecrets, confirmed_transcript_hash, interim_transcript_hash};
use crate::labels::sign_with_label;
use crate::messages::{
    AuthenticatedContent, Content, Extension, FramedContent, FramedContentAuthData, GroupContext,
    GroupInfo, KeyPackage, LeafNode, LeafNodeSource, MlsMessage, PublicMessage, Sender, WireFormat,
};
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex};
use crate::welcome::{NewMember, seal_welcome};
use artmls_crypto::SignatureScheme;

/// What a commit changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitSummary {
    /// Who committed.
    pub sender: LeafIndex,
    /// The epoch the group is in now.
    pub epoch: u64,
    /// The sender updated its leaf.
    pub updated: bool,
    /// Leaves of the members added.
    pub added: Vec<LeafIndex>,
    /// Leaves of the members removed.
    pub removed: Vec<LeafIndex>,
    /// Tombstones the removed members owned, re-keyed by the sender, which owns them now
    /// (profile revision 2 §5, Transfer).
    pub transferred: Vec<LeafIndex>,
    /// Tombstones the commit sealed: their leaves are blank now (profile revision 2 §5, Seal).
    pub sealed: Vec<LeafIndex>,
}

/// A commit made by this member, not yet applied to its group.
///
/// Send [`PendingCommit::message`] to the ordering service, and the Welcome (if any) to the
/// newcomers once it is accepted; then [`Group::merge_pending_commit`]. Dropping it erases the
/// secrets it holds.
pub struct PendingCommit<S: CipherSuite> {
    message: Vec<u8>,
    pub(super) welcome: Option<Vec<u8>>,
    summary: CommitSummary,
    next: NextEpoch<S>,
}

impl<S: CipherSuite> core::fmt::Debug for PendingCommit<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingCommit")
            .field("summary", &self.summary)
            .field("message_len", &self.message.len())
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> PendingCommit<S> {
    /// The commit, an MLSMessage to send to the group.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// The Welcome for the newcomers (an MLSMessage), for an add.
    pub fn welcome(&self) -> Option<&[u8]> {
        self.welcome.as_deref()
    }

    /// What the commit does.
    pub fn summary(&self) -> &CommitSummary {
        &self.summary
    }

    /// The epoch authenticator of the epoch the commit leads to.
    pub fn epoch_authenticator(&self) -> &Secret {
        &self.next.secrets.epoch_authenticator
    }
}

/// A received commit, checked, not yet applied (see [`Group::stage_commit`]).
pub struct StagedCommit<S: CipherSuite> {
    pub(super) outcome: StagedOutcome<S>,
}

pub(super) enum StagedOutcome<S: CipherSuite> {
    Removed {
        by: LeafIndex,
        /// The epoch the commit was for: the removal is merged only in that epoch.
        epoch: u64,
    },
    Next {
        next: Box<NextEpoch<S>>,
        summary: CommitSummary,
    },
}

impl<S: CipherSuite> core::fmt::Debug for StagedCommit<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.outcome {
            StagedOutcome::Removed { by, .. } => f
                .debug_struct("StagedCommit")
                .field("removed_by", by)
                .finish(),
            StagedOutcome::Next { summary, .. } => f
                .debug_struct("StagedCommit")
                .field("summary", summary)
                .finish(),
        }
    }
}

impl<S: CipherSuite> StagedCommit<S> {
    /// What the commit does, unless it removes this member.
    pub fn summary(&self) -> Option<&CommitSummary> {
        match &self.outcome {
            StagedOutcome::Next { summary, .. } => Some(summary),
            StagedOutcome::Removed { .. } => None,
        }
    }

    /// The epoch authenticator of the epoch the commit leads to (`None` if it removes this
    /// member).
    pub fn epoch_authenticator(&self) -> Option<&Secret> {
        match &self.outcome {
            StagedOutcome::Next { next, .. } => Some(&next.secrets.epoch_authenticator),
            StagedOutcome::Removed { .. } => None,
        }
    }
}

/// Everything a commit changes, computed and checked, not yet applied.
pub(super) struct NextEpoch<S: CipherSuite> {
    pub(super) context: GroupContext,
    pub(super) tree: StagedTreeChange<S>,
    pub(super) member_changes: HashMap<LeafIndex, Option<Member<S>>>,
    pub(super) hashes: TreeHashUpdate,
    pub(super) secrets: EpochSecrets<S>,
    pub(super) interim_transcript_hash: Vec<u8>,
    pub(super) confirmation_tag: Vec<u8>,
    pub(super) own_update: bool,
}

/// What a commit does to the members: the new or removed members by leaf, and the summary.
pub(super) struct MemberChanges<S: CipherSuite> {
    pub(super) members: HashMap<LeafIndex, Option<Member<S>>>,
    pub(super) summary: CommitSummary,
}

/// This member's commit, made but for its Welcome's sealing (see [`Group::draft_commit`]).
struct CommitDraft<S: CipherSuite> {
    message: PublicMessage<ArtCommit>,
    /// The signed GroupInfo for the Welcome, when the commit adds members.
    group_info: Option<GroupInfo>,
    newcomers: Vec<(LeafIndex, Secret)>,
    summary: CommitSummary,
    next: NextEpoch<S>,
}

impl<S: CipherSuite> Group<S> {
    /// Prepares an update of this member's leaf: a fresh leaf secret, a new signed LeafNode,
    /// new keys from the leaf to the root. The group is unchanged until the commit is merged.
    pub fn commit_update_with_rng<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<PendingCommit<S>, GroupError> {
        self.check_active()?;
        let pending = self.tree.prepare_update(rng)?;
        let own_leaf = self.own_leaf();
        let leaf_key = pending
            .change()
            .leaves
            .first()
            .map(|change| change.public_key.clone())
            .unwrap_or_default();
        let leaf_node = self.identity.leaf_node(
            leaf_key,
            LeafNodeSource::Update,
            Some((&self.context.group_id, own_leaf)),
        )?;
        self.commit(pending, Some(leaf_node), rng)
    }

    /// Prepares adding the members of `key_packages` (checked first), each in the leftmost
    /// free leaf, with one Welcome for all. The group is unchanged until the commit is merged.
    pub fn commit_add_with_rng<R: CryptoRng + ?Sized>(
        &self,
        key_packages: &[KeyPackage],
        rng: &mut R,
    ) -> Result<PendingCommit<S>, GroupError> {
        self.check_active()?;
        if self.needs_update && self.config.update_first {
            return Err(GroupError::UpdateRequired);
        }
        if key_packages.is_empty() {
            return Err(GroupError::InvalidCommit("no key packages"));
        }
        // The newcomers' leaf secrets are all the randomness a commit draws before its Welcome.
        // Once they are drawn, the KeyPackage checks (two signatures each: most of a large
        // add's work) need nothing from the rest of the commit, so they run beside it: the
        // tree's key derivations, the signature, the next epoch, the GroupInfo. Sealing the
        // Welcome draws from `rng` again, so it waits for the checks, as in sequential order.
        let drawn = self.tree.draw_add(key_packages.len(), rng)?;
        let check = || verify_key_packages::<S>(key_packages);
        let draft = || {
            let pending = self.tree.prepare_drawn_add(drawn)?;
            self.draft_commit(pending, key_packages.to_vec(), None)
        };
        let draft = if key_packages.len() >= crate::parallel::MIN_PARALLEL_BATCH {
            let (checked, draft) = crate::parallel::join(check, draft);
            // Both ran to the end: a bad KeyPackage is reported first, whichever failed.
            checked?;
            draft?
        } else {
            check()?;
            draft()?
        };
        self.finish_commit(draft, rng)
    }

    /// Prepares removing the members at `leaves`. The group is unchanged until the commit is
    /// merged.
    pub fn commit_remove_with_rng<R: CryptoRng + ?Sized>(
        &self,
        leaves: &[LeafIndex],
        rng: &mut R,
    ) -> Result<PendingCommit<S>, GroupError> {
        self.check_active()?;
        if self.needs_update && self.config.update_first {
            return Err(GroupError::UpdateRequired);
        }
        let pending = self.tree.prepare_remove(leaves, rng)?;
        self.commit(pending, None, rng)
    }

    /// A commit without newcomers (an update or a remove): no KeyPackages to check.
    fn commit<R: CryptoRng + ?Sized>(
        &self,
        pending: PendingTreeChange<S>,
        leaf_node: Option<LeafNode>,
        rng: &mut R,
    ) -> Result<PendingCommit<S>, GroupError> {
        let draft = self.draft_commit(pending, Vec::new(), leaf_node)?;
        self.finish_commit(draft, rng)
    }

    /// This member's commit up to its Welcome, all of it without randomness: signed, its next
    /// epoch computed, protected, and for an add the signed GroupInfo. The KeyPackages'
    /// signatures are the caller's to check ([`verify_key_packages`]).
    fn draft_commit(
        &self,
        pending: PendingTreeChange<S>,
        key_packages: Vec<KeyPackage>,
        leaf_node: Option<LeafNode>,
    ) -> Result<CommitDraft<S>, GroupError> {
        let own_leaf = self.own_leaf();
        let newcomers: Vec<(LeafIndex, Secret)> = pending.newcomers().to_vec();
        let commit = ArtCommit {
            tree_change: pending.change().clone(),
            key_packages,
            leaf_node,
        };
        let content = FramedContent {
            group_id: self.context.group_id.clone(),
            epoch: self.context.epoch,
            sender: Sender::Member(own_leaf),
            authenticated_data: Vec::new(),
            content: Content::Commit(Box::new(commit)),
        };
        let tbs = framed_content_tbs(WireFormat::PublicMessage, &content, &self.context)?;
        let signature =
            sign_with_label::<S>(self.identity.signing_key(), "FramedContentTBS", &tbs)?;
        let mut signed = AuthenticatedContent {
            wire_format: WireFormat::PublicMessage,
            content,
            auth: FramedContentAuthData {
                signature,
                confirmation_tag: None,
            },
        };
        let Content::Commit(commit) = &signed.content.content else {
            return Err(GroupError::InvalidCommit("not a commit"));
        };
        let changes = self.member_changes(commit, own_leaf, true)?;
        let (next, summary) = self.next_epoch(pending.into_staged(), &signed, changes, None)?;
        signed.auth.confirmation_tag = Some(next.confirmation_tag.clone());
        let message =
            protect_public::<S, ArtCommit>(signed, &self.context, &self.secrets.membership_key)?;
        let group_info = if newcomers.is_empty() {
            None
        } else {
            Some(self.group_info(&next)?)
        };
        Ok(CommitDraft {
            message,
            group_info,
            newcomers,
            summary,
            next,
        })
    }

    /// Seals a drafted commit's Welcome for its newcomers (the HPKE ephemeral keys drawn from
    /// `rng`) and encodes the commit.
    fn finish_commit<R: CryptoRng + ?Sized>(
        &self,
        draft: CommitDraft<S>,
        rng: &mut R,
    ) -> Result<PendingCommit<S>, GroupError> {
        let CommitDraft {
            message,
            group_info,
            newcomers,
            summary,
            next,
        } = draft;
        let welcome = match &group_info {
            Some(group_info) => {
                let Content::Commit(commit) = &message.content.content else {
                    return Err(GroupError::InvalidCommit("not a commit"));
                };
                Some(Self::welcome(
                    &next,
                    group_info,
                    &commit.key_packages,
                    &newcomers,
                    rng,
                )?)
            }
            None => None,
        };
        let message = MlsMessage::PublicMessage(message).encode_to_vec()?;
        Ok(PendingCommit {
            message,
            welcome,
            summary,
            next,
        })
    }

    /// This epoch's GroupInfo with the public tree, signed by this member, as an MLSMessage:
    /// what a party that follows the group without being in it (the ordering service,
    /// [`PublicGroup::from_group_info`](super::PublicGroup::from_group_info)) starts from. It
    /// holds no secret.
    pub fn public_group_info(&self) -> Result<Vec<u8>, GroupError> {
        self.check_active()?;
        let view = CurrentView {
            tree: self.tree.tree(),
            members: &self.members,
        };
        let mut group_info = GroupInfo {
            group_context: self.context.clone(),
            extensions: vec![Extension {
                extension_type: ART_RATCHET_TREE_EXTENSION,
                extension_data: ratchet_tree(&view).encode_to_vec()?,
            }],
            confirmation_tag: self
                .secrets
                .confirmation_tag(&self.context.confirmed_transcript_hash),
            signer: self.own_leaf().0,
            signature: Vec::new(),
        };
        group_info.sign::<S>(self.identity.signing_key())?;
        Ok(MlsMessage::<ArtCommit>::GroupInfo(group_info).encode_to_vec()?)
    }

    /// The GroupInfo of the epoch a commit leads to, with the public tree, signed: what the
    /// commit's Welcome carries.
    fn group_info(&self, next: &NextEpoch<S>) -> Result<GroupInfo, GroupError> {
        let view = NextView {
            base: self.tree.tree(),
            staged: &next.tree,
            members: &self.members,
            member_changes: &next.member_changes,
        };
        let mut group_info = GroupInfo {
            group_context: next.context.clone(),
            extensions: vec![Extension {
                extension_type: ART_RATCHET_TREE_EXTENSION,
                extension_data: ratchet_tree(&view).encode_to_vec()?,
            }],
            confirmation_tag: next.confirmation_tag.clone(),
            signer: self.own_leaf().0,
            signature: Vec::new(),
        };
        group_info.sign::<S>(self.identity.signing_key())?;
        Ok(group_info)
    }

    /// The Welcome of an add: the signed GroupInfo, and each newcomer's leaf secret sealed to
    /// its KeyPackage.
    fn welcome<R: CryptoRng + ?Sized>(
        next: &NextEpoch<S>,
        group_info: &GroupInfo,
        key_packages: &[KeyPackage],
        newcomers: &[(LeafIndex, Secret)],
        rng: &mut R,
    ) -> Result<Vec<u8>, GroupError> {
        let new_members: Vec<NewMember<'_>> = key_packages
            .iter()
            .zip(newcomers)
            .map(|(key_package, (_, leaf_secret))| NewMember {
                key_package,
                path_secret: Some(leaf_secret.clone()),
            })
            .collect();
        let welcome = seal_welcome::<S, R>(
            group_info,
            &next.secrets.joiner_secret,
            &[],
            &new_members,
            rng,
        )?;
        Ok(MlsMessage::<ArtCommit>::Welcome(welcome).encode_to_vec()?)
    }

    /// What a commit does to the members, from its leaf changes, its KeyPackages and its
    /// LeafNode (whose signature is checked here; the KeyPackages' are the caller's to check,
    /// with [`verify_key_packages`]).
    ///
    /// For this member's own commit (`own_commit`), its new LeafNode is the one it has just
    /// signed: it is neither parsed nor verified again (that verification was a tenth of an
    /// update's cost).
    pub(super) fn member_changes(
        &self,
        commit: &ArtCommit,
        sender: LeafIndex,
        own_commit: bool,
    ) -> Result<MemberChanges<S>, GroupError> {
        let own_key = own_commit.then(|| S::Signature::verifying_key(self.identity.signing_key()));
        member_changes(
            &CommitRules {
                members: &self.members,
                policy: self.identity_policy.as_ref(),
                group_id: &self.context.group_id,
                next_epoch: self.next_epoch_number()?,
            },
            commit,
            sender,
            own_key,
        )
    }

    /// The number of the next epoch, refused when the counter would overflow (a Welcome may
    /// carry any epoch).
    pub(super) fn next_epoch_number(&self) -> Result<u64, GroupError> {
        self.context
            .epoch
            .checked_add(1)
            .ok_or(GroupError::EpochExhausted)
    }

    /// Computes and checks everything a commit leads to, from its tree change and its member
    /// changes (KeyPackages already checked). `received_tag` is the confirmation tag of a
    /// received commit (checked), `None` for this member's own commit.
    pub(super) fn next_epoch(
        &self,
        tree: StagedTreeChange<S>,
        signed: &AuthenticatedContent<ArtCommit>,
        changes: MemberChanges<S>,
        received_tag: Option<&[u8]>,
    ) -> Result<(NextEpoch<S>, CommitSummary), GroupError> {
        let MemberChanges {
            members: member_changes,
            mut summary,
        } = changes;
        summary.sealed = sealed_leaves(self.tree.tree(), &tree);
        let view = NextView {
            base: self.tree.tree(),
            staged: &tree,
            members: &self.members,
            member_changes: &member_changes,
        };
        let changed: Vec<NodeIndex> = tree
            .changed_nodes()
            .chain(member_changes.keys().map(|leaf| leaf.node()))
            .collect();
        let hashes = self.hashes.update::<S>(&view, changed.into_iter())?;
        let confirmed =
            confirmed_transcript_hash::<S, ArtCommit>(&self.interim_transcript_hash, signed)?;
        let context = GroupContext {
            epoch: summary.epoch,
            tree_hash: hashes.tree_hash().to_vec(),
            confirmed_transcript_hash: confirmed,
            ..self.context.clone()
        };
        let secrets = EpochSecrets::<S>::derive(
            &self.secrets.init_secret,
            tree.commit_secret(),
            None,
            &context,
        )?;
        let confirmation_tag = match received_tag {
            Some(tag) => {
                secrets.verify_confirmation_tag(&context.confirmed_transcript_hash, tag)?;
                tag.to_vec()
            }
            None => secrets.confirmation_tag(&context.confirmed_transcript_hash),
        };
        let interim_transcript_hash =
            interim_transcript_hash::<S>(&context.confirmed_transcript_hash, &confirmation_tag)?;
        let own_update = summary.updated && summary.sender == self.own_leaf();
        Ok((
            NextEpoch {
                context,
                tree,
                member_changes,
                hashes,
                secrets,
                interim_transcript_hash,
                confirmation_tag,
                own_update,
            },
            summary,
        ))
    }

    /// Applies a checked next epoch. Fails, changing nothing, if the tree moved on.
    pub(super) fn enter(&mut self, next: NextEpoch<S>) -> Result<(), GroupError> {
        let NextEpoch {
            context,
            tree,
            member_changes,
            hashes,
            mut secrets,
            interim_transcript_hash,
            own_update,
            ..
        } = next;
        let n_leaves = tree.n_leaves();
        if let Some(persistence) = self.persistence.as_mut() {
            persistence.mark_changed(
                tree.changed_nodes()
                    .chain(tree.changed_leaves().map(|(leaf, _)| leaf.node()))
                    .chain(member_changes.keys().map(|leaf| leaf.node())),
            );
        }
        let secret_tree = SecretTree::with_config(
            core::mem::take(&mut secrets.encryption_secret),
            n_leaves,
            self.config.secret_tree,
        )?;
        self.tree
            .merge(tree)
            .map_err(|_| GroupError::StalePendingCommit)?;
        self.members.resize(n_leaves as usize);
        for (leaf, member) in member_changes {
            if leaf.0 < n_leaves {
                self.members.set(leaf, member);
            }
        }
        self.hashes.apply(hashes);
        let old_secret_tree = core::mem::replace(&mut self.secret_tree, secret_tree);
        let mut old_secrets = core::mem::replace(&mut self.secrets, secrets);
        let old_context = core::mem::replace(&mut self.context, context);
        self.keep_past_epoch(PastEpoch {
            context: old_context,
            sender_data_secret: core::mem::take(&mut old_secrets.sender_data_secret),
            secret_tree: old_secret_tree,
            touched: false,
        });
        self.interim_transcript_hash = interim_transcript_hash;
        if own_update {
            self.needs_update = false;
        }
        self.persist()
    }

    /// Keeps the epoch just left, and lets the oldest go beyond the window.
    fn keep_past_epoch(&mut self, epoch: PastEpoch<S>) {
        self.past.push_back(epoch);
        while self.past.len() > self.config.past_epochs as usize {
            // Dropped: its secrets are erased.
            self.past.pop_front();
        }
    }

    /// Applies this member's own commit, once the ordering service accepted it.
    pub fn merge_pending_commit(
        &mut self,
        pending: PendingCommit<S>,
    ) -> Result<CommitSummary, GroupError> {
        self.check_active()?;
        if pending.next.context.epoch != self.next_epoch_number()? {
            return Err(GroupError::StalePendingCommit);
        }
        self.enter(pending.next)?;
        Ok(pending.summary)
    }
}
