//! Groups: the first draft's session state and session management (profile §5-§8).
//!
//! A [`Group`] is one member's state: the ART tree (public tree plus its own direct path), the
//! members' LeafNodes, the epoch's key schedule and secret tree, and the transcript hashes.
//!
//! - Create a one-member group ([`Group::create_with_rng`]), or create it with its initial
//!   members in one commit ([`Group::initiate_with_rng`], the first draft's Initiate).
//! - Commit an update, an add (one or many KeyPackages) or a remove. Making a commit does not
//!   change the group: it gives a [`PendingCommit`], merged with
//!   [`Group::merge_pending_commit`] once the ordering service accepted it, or dropped.
//! - [`Group::process_message`] takes what others sent: a commit for the current epoch, or an
//!   application message. Anything wrong (stale or future epoch, a bad signature, membership
//!   or confirmation tag, another group, an inconsistent tree) is a typed [`GroupError`] and
//!   leaves the group exactly as it was.
//! - A newcomer joins from a Welcome ([`Group::join`]). Its adder chose its leaf secret, so
//!   [`Group::needs_update`] is true until the newcomer commits an update; by default the
//!   newcomer's other commits are refused until then.
//! - [`Group::to_bytes`] and [`Group::from_bytes`] persist the whole state.
//!
//! ```
//! use artmls::group::{Group, GroupConfig, Identity, Received};
//! use rand::SeedableRng;
//! type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//! let alice = Identity::<Suite>::new_with_rng("alice", &mut rng);
//! let bob = Identity::<Suite>::new_with_rng("bob", &mut rng);
//! let bob_key_package = bob.key_package_with_rng(&mut rng)?;
//!
//! // Alice creates the group with Bob in it: one commit, one Welcome.
//! let (mut alice_group, welcome) = Group::initiate_with_rng(
//!     alice,
//!     b"group".to_vec(),
//!     &[bob_key_package.key_package().clone()],
//!     GroupConfig::default(),
//!     &mut rng,
//! )?;
//! let mut bob_group = Group::join(&welcome, &bob_key_package, bob, GroupConfig::default())?;
//!
//! // Bob's leaf secret came from Alice: he updates first.
//! assert!(bob_group.needs_update());
//! let update = bob_group.commit_update_with_rng(&mut rng)?;
//! alice_group.process_message(update.message())?;
//! bob_group.merge_pending_commit(update)?;
//!
//! let message = alice_group.encrypt_application_with_rng(b"hi Bob", &mut rng)?;
//! let received = bob_group.process_message(&message)?;
//! assert!(matches!(received, Received::Application { data, .. } if data == b"hi Bob"));
//! assert_eq!(alice_group.epoch_authenticator(), bob_group.epoch_authenticator());
//! # Ok::<(), artmls::group::GroupError>(())
//! ```

mod identity;
mod persist;
mod policy;
mod public;
mod tree_hash;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use rand_core::CryptoRng;
use thiserror::Error;

use crate::art_tree::{
    ArtMember, LeafChangeKind, LeafKind, PendingTreeChange, PublicTree, StagedTreeChange, TreeError,
};
use crate::codec::{CodecError, Decode, Encode};
use crate::error::CryptoError;
use crate::framing::{
    FramingError, Padding, decrypt_private, encrypt_private, framed_content_tbs, open_public,
    protect_public, sign_content,
};
use crate::key_schedule::{
    EpochSecrets, KeyScheduleError, confirmed_transcript_hash, interim_transcript_hash,
};
use crate::labels::sign_with_label;
use crate::messages::{
    AuthenticatedContent, Content, ContentType, Extension, FramedContent, FramedContentAuthData,
    GroupContext, GroupInfo, KeyPackage, LeafNode, LeafNodeSource, MessageError, MlsMessage,
    PrivateMessage, PublicMessage, Sender, WireFormat,
};
use crate::secret::Secret;
use crate::secret_tree::{SecretTree, SecretTreeConfig, SecretTreeError};
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};
use crate::welcome::{NewMember, OpenedWelcome, WelcomeError, seal_welcome};
use artmls_crypto::{Kdf, SignatureScheme};

pub use identity::{Identity, KeyPackageBundle};
pub use policy::{IdentityPolicy, IdentityRejected, SAME_CREDENTIAL, SameCredential};
pub use public::PublicGroup;
pub use wire::{ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree};

use tree_hash::{TreeHashUpdate, TreeHashes, TreeView};

/// The allocation budget of a received ratchet tree, per byte of its encoding (see
/// [`Group::join`]).
const RATCHET_TREE_ALLOCATION_PER_BYTE: usize = 64;

type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;

/// Why a group operation failed or a message was rejected.
///
/// Every rejection leaves the group exactly as it was. For a received message the remedy is
/// in the variant: a [`GroupError::StaleEpoch`] commit lost the race for its epoch (its sender
/// rebuilds); a [`GroupError::FutureEpoch`] message arrived early (process the commits before
/// it first); anything else is a broken or malicious sender (drop the message).
#[derive(Debug, Error)]
pub enum GroupError {
    /// The message is for an epoch the group has left. For a commit: another commit won the
    /// epoch; drop yours, process the winner, and commit again.
    #[error("stale epoch: the message is for epoch {got}, the group is at epoch {current}")]
    StaleEpoch {
        /// The group's epoch.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The message is for an epoch the group has not reached: process the commits before it.
    #[error("future epoch: the message is for epoch {got}, the group is at epoch {current}")]
    FutureEpoch {
        /// The group's epoch.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The message is for another group.
    #[error("the message is for another group")]
    WrongGroup,
    /// The sender is not a member (no LeafNode at its leaf).
    #[error("unknown sender {0:?}")]
    UnknownSender(LeafIndex),
    /// The message is of a kind an ART group does not take (a proposal, a commit sent as a
    /// PrivateMessage, a Welcome where a group message was expected, ...).
    #[error("unsupported message: {0}")]
    Unsupported(&'static str),
    /// The commit is not well formed (key packages or leaf node missing or extra, a leaf node
    /// that does not match its tree key, a KeyPackage of another suite).
    #[error("invalid commit: {0}")]
    InvalidCommit(&'static str),
    /// The pending commit was made for another epoch or tree version.
    #[error("the pending commit is stale: the group moved on")]
    StalePendingCommit,
    /// This member was removed; the group can no longer be used.
    #[error("this member was removed from the group")]
    NotAMember,
    /// This member joined with a leaf secret its adder knows: commit an update first (see
    /// [`GroupConfig::update_first`]).
    #[error("commit an update first: the adder still knows this member's leaf key")]
    UpdateRequired,
    /// The Welcome does not carry this member's leaf, or its tree does not check out.
    #[error("invalid Welcome: {0}")]
    InvalidWelcome(&'static str),
    /// The computed tree hash differs from the GroupInfo's: the tree is not the group's.
    #[error("the tree does not match the group's tree hash")]
    TreeHashMismatch,
    /// Two leaves would share a signature key or an encryption key (RFC 9420 §7.3): the same
    /// KeyPackage twice, or a LeafNode copying another member's key. Drop the commit or the
    /// Welcome.
    #[error("two leaves would share a {0}")]
    DuplicateKey(&'static str),
    /// A newcomer's KeyPackage or a new LeafNode is not acceptable here: expired or not yet
    /// valid, or its capabilities lack this group's version, suite or credential type.
    #[error("unacceptable LeafNode: {0}")]
    InvalidLeafNode(&'static str),
    /// The application's identity policy refused a newcomer or an Update.
    #[error(transparent)]
    IdentityRejected(#[from] IdentityRejected),
    /// The epoch counter would overflow: the group cannot take another commit.
    #[error("the epoch counter is exhausted")]
    EpochExhausted,
    /// Persisted state that cannot be restored (another format version, another suite,
    /// damaged bytes).
    #[error("invalid persisted state: {0}")]
    InvalidState(&'static str),
    /// Encoding or decoding failed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// Framing rejected the message.
    #[error(transparent)]
    Framing(#[from] FramingError),
    /// The tree rejected the change.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The key schedule failed (a confirmation tag mismatch, for instance).
    #[error(transparent)]
    KeySchedule(#[from] KeyScheduleError),
    /// A signed structure (KeyPackage, LeafNode, GroupInfo) was rejected.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The Welcome could not be opened.
    #[error(transparent)]
    Welcome(#[from] WelcomeError),
    /// The secret tree refused a key.
    #[error(transparent)]
    SecretTree(#[from] SecretTreeError),
    /// A primitive failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Settings of a member's group state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupConfig {
    /// Out-of-order bounds for application and handshake messages.
    pub secret_tree: SecretTreeConfig,
    /// Padding of PrivateMessages.
    pub padding: Padding,
    /// Refuse a newcomer's commits other than an update until it has updated (default true).
    pub update_first: bool,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            secret_tree: SecretTreeConfig::default(),
            padding: Padding::None,
            update_first: true,
        }
    }
}

/// The members by leaf index (`None` for a blank or tombstone leaf), with an index of their
/// LeafNodes' keys so that "no two leaves share a signature or encryption key" (RFC 9420 §7.3)
/// is checked without a pass over the group.
struct Members<S: CipherSuite> {
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
    fn new(leaves: Vec<Option<Member<S>>>) -> Result<Self, GroupError> {
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
    fn check_keys_free(&self, leaf: LeafIndex, leaf_node: &LeafNode) -> Result<(), GroupError> {
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
    fn set(&mut self, leaf: LeafIndex, member: Option<Member<S>>) {
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
    fn verifying_key(&self, sender: LeafIndex) -> Result<VerifyingKey<S>, GroupError> {
        self.leaves
            .get(sender.0 as usize)
            .and_then(Option::as_ref)
            .map(|member| member.verifying_key.clone())
            .ok_or(GroupError::UnknownSender(sender))
    }

    /// Shrinks or grows the list to `n_leaves` (leaves past a shrunk tree are never members).
    fn resize(&mut self, n_leaves: usize) {
        for index in n_leaves..self.leaves.len() {
            self.set(LeafIndex(index as u32), None);
        }
        self.leaves.resize_with(n_leaves, || None);
    }
}

/// A member as the group knows it: its signed LeafNode and parsed verifying key.
struct Member<S: CipherSuite> {
    leaf_node: LeafNode,
    verifying_key: VerifyingKey<S>,
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
    fn new(leaf_node: LeafNode) -> Result<Self, GroupError> {
        let verifying_key = S::Signature::verifying_key_from_bytes(&leaf_node.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        Ok(Member {
            leaf_node,
            verifying_key,
        })
    }
}

/// What [`Group::process_message`] found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Application data from a member.
    Application {
        /// The sender's leaf.
        sender: LeafIndex,
        /// The data.
        data: Vec<u8>,
    },
    /// A commit, now applied: the group is in a new epoch.
    Commit(CommitSummary),
    /// A commit that removes this member. The group can no longer be used.
    Removed {
        /// Who removed this member.
        by: LeafIndex,
    },
}

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
    welcome: Option<Vec<u8>>,
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
    outcome: StagedOutcome<S>,
}

enum StagedOutcome<S: CipherSuite> {
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
struct NextEpoch<S: CipherSuite> {
    context: GroupContext,
    tree: StagedTreeChange<S>,
    member_changes: HashMap<LeafIndex, Option<Member<S>>>,
    hashes: TreeHashUpdate,
    secrets: EpochSecrets<S>,
    interim_transcript_hash: Vec<u8>,
    confirmation_tag: Vec<u8>,
    own_update: bool,
}

/// What a commit does to the members: the new or removed members by leaf, and the summary.
struct MemberChanges<S: CipherSuite> {
    members: HashMap<LeafIndex, Option<Member<S>>>,
    summary: CommitSummary,
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

/// What a joiner takes from a Welcome before the signatures are checked (see
/// [`Group::prepare_join`]).
struct PreparedJoin<S: CipherSuite> {
    own_leaf: LeafIndex,
    leaf_secret: Secret,
    public_tree: PublicTree<S>,
    members: Members<S>,
}

/// One member's state in one group.
pub struct Group<S: CipherSuite> {
    context: GroupContext,
    tree: ArtMember<S>,
    members: Members<S>,
    hashes: TreeHashes,
    secrets: EpochSecrets<S>,
    secret_tree: SecretTree<S>,
    interim_transcript_hash: Vec<u8>,
    identity: Identity<S>,
    needs_update: bool,
    removed: bool,
    config: GroupConfig,
    identity_policy: Arc<dyn IdentityPolicy>,
}

impl<S: CipherSuite> core::fmt::Debug for Group<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Group")
            .field("group_id", &self.context.group_id)
            .field("epoch", &self.context.epoch)
            .field("own_leaf", &self.tree.own_leaf())
            .field("members", &self.member_count())
            .finish_non_exhaustive()
    }
}

/// The tree as it is.
struct CurrentView<'a, S: CipherSuite> {
    tree: &'a PublicTree<S>,
    members: &'a [Option<Member<S>>],
}

impl<S: CipherSuite> TreeView for CurrentView<'_, S> {
    fn n_leaves(&self) -> u32 {
        self.tree.n_leaves()
    }
    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        self.tree.leaf_kind(leaf)
    }
    fn public_key(&self, node: NodeIndex) -> Option<&[u8]> {
        self.tree.public_key(node).map(AsRef::as_ref)
    }
    fn leaf_node(&self, leaf: LeafIndex) -> Option<&LeafNode> {
        self.members
            .get(leaf.0 as usize)?
            .as_ref()
            .map(|m| &m.leaf_node)
    }
}

/// The tree as a staged commit leaves it.
struct NextView<'a, S: CipherSuite> {
    base: &'a PublicTree<S>,
    staged: &'a StagedTreeChange<S>,
    members: &'a [Option<Member<S>>],
    member_changes: &'a HashMap<LeafIndex, Option<Member<S>>>,
}

impl<S: CipherSuite> TreeView for NextView<'_, S> {
    fn n_leaves(&self) -> u32 {
        self.staged.n_leaves()
    }
    fn leaf_kind(&self, leaf: LeafIndex) -> LeafKind {
        self.staged.leaf_kind(self.base, leaf)
    }
    fn public_key(&self, node: NodeIndex) -> Option<&[u8]> {
        self.staged.public_key(self.base, node).map(AsRef::as_ref)
    }
    fn leaf_node(&self, leaf: LeafIndex) -> Option<&LeafNode> {
        if leaf.0 >= self.staged.n_leaves() {
            return None;
        }
        match self.member_changes.get(&leaf) {
            Some(change) => change.as_ref().map(|m| &m.leaf_node),
            None => self
                .members
                .get(leaf.0 as usize)?
                .as_ref()
                .map(|m| &m.leaf_node),
        }
    }
}

/// The public tree of a view, as a Welcome carries it.
fn ratchet_tree(view: &impl TreeView) -> ArtRatchetTree {
    let n_leaves = view.n_leaves();
    ArtRatchetTree {
        leaf_kinds: (0..n_leaves)
            .map(|leaf| view.leaf_kind(LeafIndex(leaf)))
            .collect(),
        keys: (0..node_width(n_leaves))
            .map(|node| view.public_key(NodeIndex(node)).map(<[u8]>::to_vec))
            .collect(),
        leaf_nodes: (0..n_leaves)
            .map(|leaf| view.leaf_node(LeafIndex(leaf)).cloned().map(Box::new))
            .collect(),
    }
}

fn fresh_secret<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) -> Secret {
    let mut secret = Secret::zero(S::Kdf::HASH_LEN);
    rng.fill_bytes(secret.as_mut_bytes());
    secret
}

/// Checks every member's LeafNode signature (for its source), on all cores when there are
/// many, with the verifying keys already parsed into `members`. The error is the first
/// failing leaf's, in order.
fn verify_leaf_nodes<S: CipherSuite>(
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

impl<S: CipherSuite> Group<S> {
    /// The identity policy a group starts with: [`SameCredential`].
    fn default_identity_policy() -> Arc<dyn IdentityPolicy> {
        Arc::new(SameCredential)
    }

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
        let context = GroupContext::new(
            S::ID.0,
            group_id,
            0,
            hashes.tree_hash(1).to_vec(),
            Vec::new(),
        );
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

    /// Joins from a Welcome made for `key_package`, with the identity that made it.
    pub fn join(
        welcome: &[u8],
        key_package: &KeyPackageBundle<S>,
        identity: Identity<S>,
        config: GroupConfig,
    ) -> Result<Self, GroupError> {
        let MlsMessage::<ArtCommit>::Welcome(welcome) =
            MlsMessage::<ArtCommit>::decode_exact(welcome)?
        else {
            return Err(GroupError::Unsupported("expected a Welcome"));
        };
        let mut opened = crate::welcome::open_welcome::<S>(
            &welcome,
            key_package.key_package(),
            key_package.init_private_key(),
            |_| None,
        )?;
        let (ratchet_tree, signer_key) = Self::welcome_tree(&opened.group_info)?;
        // The checks below come in this order, and a failure is reported as the first of
        // them: the GroupInfo (signature, confirmation tag), the tree's shape and keys, every
        // member's LeafNode signature, this member's path and the tree hash. The LeafNode
        // signatures (one per member: most of a join's work) depend on nothing else, so the
        // others run beside them; nothing of the unverified GroupInfo is kept unless it checks
        // out.
        let prepared = match Self::prepare_join(&mut opened, ratchet_tree, key_package) {
            Ok(prepared) => prepared,
            Err(error) => {
                opened.verify::<S>(&signer_key)?;
                return Err(error);
            }
        };
        let PreparedJoin {
            own_leaf,
            leaf_secret,
            public_tree,
            members,
        } = prepared;
        let group_id = opened.group_info.group_context.group_id.clone();
        let tree_hash = opened.group_info.group_context.tree_hash.clone();
        let members_ref = &members;
        let (leaves_checked, rest) = crate::parallel::join(
            || verify_leaf_nodes::<S>(&group_id, members_ref),
            || -> Result<_, GroupError> {
                let joined = opened.verify::<S>(&signer_key)?;
                let own = Self::own_tree(public_tree, own_leaf, &leaf_secret, members_ref)
                    .and_then(|(tree, hashes)| {
                        if hashes.tree_hash(tree.tree().n_leaves()) == tree_hash.as_slice() {
                            Ok((tree, hashes))
                        } else {
                            Err(GroupError::TreeHashMismatch)
                        }
                    });
                Ok((joined, own))
            },
        );
        let (joined, own) = rest?;
        leaves_checked?;
        let (tree, hashes) = own?;
        let context = joined.group_info.group_context;
        let interim_transcript_hash = interim_transcript_hash::<S>(
            &context.confirmed_transcript_hash,
            &joined.group_info.confirmation_tag,
        )?;
        let mut secrets = joined.epoch_secrets;
        let secret_tree = SecretTree::with_config(
            core::mem::take(&mut secrets.encryption_secret),
            tree.tree().n_leaves(),
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
            needs_update: true,
            removed: false,
            config,
            identity_policy: Self::default_identity_policy(),
        })
    }

    /// The ART tree a Welcome's GroupInfo carries, and the verifying key of the GroupInfo's
    /// signer from it.
    ///
    /// The tree is decoded before any signature can be checked (the signer's key is in it),
    /// with an allocation budget of [`RATCHET_TREE_ALLOCATION_PER_BYTE`] times its length: a
    /// blank node is one byte on the wire and a vector entry in memory, so a genuine tree that
    /// is mostly blank needs more than the network default, and the bound stays linear.
    fn welcome_tree(
        group_info: &GroupInfo,
    ) -> Result<(ArtRatchetTree, VerifyingKey<S>), GroupError> {
        let extension = group_info
            .extensions
            .iter()
            .find(|e| e.extension_type == ART_RATCHET_TREE_EXTENSION)
            .ok_or(GroupError::InvalidWelcome("the GroupInfo carries no tree"))?;
        let data = &extension.extension_data;
        let budget = data
            .len()
            .saturating_mul(RATCHET_TREE_ALLOCATION_PER_BYTE)
            .saturating_add(crate::codec::ALLOCATION_BASE);
        let tree = ArtRatchetTree::decode_exact_with_budget(data, budget)?;
        let signer = tree
            .leaf_nodes
            .get(group_info.signer as usize)
            .and_then(Option::as_ref)
            .ok_or(WelcomeError::UnknownSigner(group_info.signer))?;
        let key = S::Signature::verifying_key_from_bytes(&signer.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        Ok((tree, key))
    }

    /// What a joiner takes from an opened Welcome besides the GroupInfo's checks: its leaf
    /// secret and leaf, and the tree with its shape and keys checked (its LeafNodes'
    /// signatures not yet).
    fn prepare_join(
        opened: &mut OpenedWelcome,
        ratchet_tree: ArtRatchetTree,
        key_package: &KeyPackageBundle<S>,
    ) -> Result<PreparedJoin<S>, GroupError> {
        if opened.group_info.group_context.cipher_suite != S::ID.0 {
            return Err(GroupError::InvalidWelcome("the group uses another suite"));
        }
        let leaf_secret = opened
            .group_secrets
            .path_secret
            .take()
            .ok_or(GroupError::InvalidWelcome("no leaf secret for this member"))?
            .path_secret;
        let own_leaf = ratchet_tree
            .leaf_nodes
            .iter()
            .position(|leaf_node| {
                leaf_node.as_deref() == Some(&key_package.key_package().leaf_node)
            })
            .ok_or(GroupError::InvalidWelcome(
                "this member's leaf is not in the tree",
            ))?;
        let (public_tree, members) = Self::import_tree(ratchet_tree)?;
        Ok(PreparedJoin {
            own_leaf: LeafIndex(own_leaf as u32),
            leaf_secret,
            public_tree,
            members,
        })
    }

    /// A joiner's view of the tree (its direct path recomputed from its leaf secret) and the
    /// tree hashes.
    fn own_tree(
        public_tree: PublicTree<S>,
        own_leaf: LeafIndex,
        leaf_secret: &Secret,
        members: &[Option<Member<S>>],
    ) -> Result<(ArtMember<S>, TreeHashes), GroupError> {
        let tree = ArtMember::join(public_tree, own_leaf, leaf_secret)?;
        let hashes = TreeHashes::compute::<S>(&CurrentView {
            tree: tree.tree(),
            members,
        })?;
        Ok((tree, hashes))
    }

    /// A public tree and the members from a received tree, with its shape and keys checked.
    /// The LeafNodes' signatures are the caller's to check ([`verify_leaf_nodes`]).
    fn import_tree(tree: ArtRatchetTree) -> Result<(PublicTree<S>, Members<S>), GroupError> {
        if tree.leaf_nodes.len() != tree.leaf_kinds.len() {
            return Err(GroupError::InvalidWelcome(
                "leaf nodes and leaves differ in number",
            ));
        }
        for (kind, leaf_node) in tree.leaf_kinds.iter().zip(&tree.leaf_nodes) {
            if (*kind == LeafKind::Member) != leaf_node.is_some() {
                return Err(GroupError::InvalidWelcome(
                    "a LeafNode on a non-member leaf, or a member without one",
                ));
            }
        }
        let public_tree = PublicTree::<S>::from_parts(tree.leaf_kinds, &tree.keys)?;
        // Parsing validates each signature key: for a large group, on all cores.
        let verifying_keys = crate::parallel::try_map(&tree.leaf_nodes, |leaf_node| {
            leaf_node
                .as_ref()
                .map(|leaf_node| S::Signature::verifying_key_from_bytes(&leaf_node.signature_key))
                .transpose()
                .map_err(MessageError::InvalidSignatureKey)
        })?;
        let members = tree
            .leaf_nodes
            .into_iter()
            .zip(verifying_keys)
            .map(|(leaf_node, verifying_key)| {
                Some(Member {
                    leaf_node: *leaf_node?,
                    verifying_key: verifying_key?,
                })
            })
            .collect();
        Ok((public_tree, Members::new(members)?))
    }

    fn check_active(&self) -> Result<(), GroupError> {
        if self.removed {
            Err(GroupError::NotAMember)
        } else {
            Ok(())
        }
    }

    /// The group id.
    pub fn group_id(&self) -> &[u8] {
        &self.context.group_id
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.context.epoch
    }

    /// The cipher suite id.
    pub fn suite(&self) -> crate::SuiteId {
        S::ID
    }

    /// The current GroupContext.
    pub fn context(&self) -> &GroupContext {
        &self.context
    }

    /// This member's leaf.
    pub fn own_leaf(&self) -> LeafIndex {
        self.tree.own_leaf()
    }

    /// This member's identity.
    pub fn identity(&self) -> &Identity<S> {
        &self.identity
    }

    /// The number of members.
    pub fn member_count(&self) -> usize {
        self.members.iter().flatten().count()
    }

    /// The members: leaf and LeafNode.
    pub fn members(&self) -> impl Iterator<Item = (LeafIndex, &LeafNode)> + '_ {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(leaf, member)| {
                member
                    .as_ref()
                    .map(|m| (LeafIndex(leaf as u32), &m.leaf_node))
            })
    }

    /// The leaf of the member whose credential names `name`.
    pub fn leaf_of(&self, name: &[u8]) -> Option<LeafIndex> {
        self.members()
            .find_map(|(leaf, leaf_node)| match &leaf_node.credential {
                crate::messages::Credential::Basic { identity } if identity == name => Some(leaf),
                _ => None,
            })
    }

    /// The ART tree view of this member (public tree and own path).
    pub fn art(&self) -> &ArtMember<S> {
        &self.tree
    }

    /// Whether this member's leaf key is still the one its adder chose: until it commits an
    /// update, its adder could compute its keys.
    ///
    /// Also true when this member is the sponsor of a live tombstone (profile revision 2 §5,
    /// Seal): its next Update blanks the tombstone, so make it soon. See
    /// [`Group::sponsored_tombstones`].
    pub fn needs_update(&self) -> bool {
        self.needs_update || !self.sponsored_tombstones().is_empty()
    }

    /// Whether this member's leaf key is still the one its adder chose (it joined and has not
    /// updated since). [`GroupConfig::update_first`] acts on this.
    pub fn adder_knows_leaf_key(&self) -> bool {
        self.needs_update
    }

    /// The live tombstones, in leaf order, each with its owner: the member that drew its
    /// current secret. A removed member's tombstones are transferred to its remover, so every
    /// owner is a current member.
    pub fn tombstones(&self) -> Vec<(LeafIndex, LeafIndex)> {
        self.tree.tree().tombstones().collect()
    }

    /// The live tombstones whose sponsor this member is: its next Update seals them.
    pub fn sponsored_tombstones(&self) -> Vec<LeafIndex> {
        let tree = self.tree.tree();
        tree.tombstones()
            .filter(|(leaf, _)| tree.sponsor(*leaf) == Some(self.own_leaf()))
            .map(|(leaf, _)| leaf)
            .collect()
    }

    /// Replaces the identity policy (by default [`SameCredential`]), which every later commit
    /// this member makes or receives must satisfy.
    pub fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        self.identity_policy = policy;
    }

    /// The epoch authenticator: equal for all members of an epoch.
    pub fn epoch_authenticator(&self) -> &Secret {
        &self.secrets.epoch_authenticator
    }

    /// This epoch's membership key, which keys the membership tag of PublicMessages.
    ///
    /// Every member holds it, so a valid membership tag shows that *a* member sent a message,
    /// not which one: the signature and the confirmation tag (checked on receipt) say the rest.
    /// Exposed for applications that frame their own PublicMessages, and for tests that play a
    /// dishonest member.
    pub fn membership_key(&self) -> &Secret {
        &self.secrets.membership_key
    }

    /// `MLS-Exporter(label, context, length)` of the current epoch.
    pub fn export_secret(
        &self,
        label: &str,
        context: &[u8],
        length: usize,
    ) -> Result<Secret, GroupError> {
        self.check_active()?;
        Ok(self.secrets.export(label, context, length)?)
    }

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
    /// [`PublicGroup::from_group_info`]) starts from. It holds no secret.
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
    fn member_changes(
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
    fn next_epoch_number(&self) -> Result<u64, GroupError> {
        self.context
            .epoch
            .checked_add(1)
            .ok_or(GroupError::EpochExhausted)
    }

    /// Computes and checks everything a commit leads to, from its tree change and its member
    /// changes (KeyPackages already checked). `received_tag` is the confirmation tag of a
    /// received commit (checked), `None` for this member's own commit.
    fn next_epoch(
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
    fn enter(&mut self, next: NextEpoch<S>) -> Result<(), GroupError> {
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
        self.secret_tree = secret_tree;
        self.secrets = secrets;
        self.context = context;
        self.interim_transcript_hash = interim_transcript_hash;
        if own_update {
            self.needs_update = false;
        }
        Ok(())
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

    /// Encrypts application data for the group (a PrivateMessage, as an MLSMessage).
    pub fn encrypt_application_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, GroupError> {
        self.check_active()?;
        let content = FramedContent {
            group_id: self.context.group_id.clone(),
            epoch: self.context.epoch,
            sender: Sender::Member(self.own_leaf()),
            authenticated_data: Vec::new(),
            content: Content::<ArtCommit>::Application(data.to_vec()),
        };
        let signed = sign_content::<S, ArtCommit>(
            WireFormat::PrivateMessage,
            content,
            &self.context,
            self.identity.signing_key(),
            None,
        )?;
        let message = encrypt_private::<S, ArtCommit, R>(
            &signed,
            &mut self.secret_tree,
            &self.secrets.sender_data_secret,
            self.config.padding,
            rng,
        )?;
        Ok(MlsMessage::<ArtCommit>::PrivateMessage(message).encode_to_vec()?)
    }

    fn check_epoch(&self, group_id: &[u8], epoch: u64) -> Result<(), GroupError> {
        check_epoch(&self.context, group_id, epoch)
    }

    /// Processes a message from the group: a commit for the current epoch (applied at once)
    /// or application data. A rejected message leaves the group exactly as it was.
    pub fn process_message(&mut self, message: &[u8]) -> Result<Received, GroupError> {
        self.check_active()?;
        match MlsMessage::<ArtCommit>::decode_exact(message)? {
            MlsMessage::PublicMessage(message) => {
                let staged = self.stage_public(&message)?;
                self.merge_staged_commit(staged)
            }
            MlsMessage::PrivateMessage(message) => self.process_private(&message),
            _ => Err(GroupError::Unsupported("not a group message")),
        }
    }

    /// Checks a received commit for the current epoch and computes the epoch it leads to,
    /// without changing the group (so an application can look at it first); apply it with
    /// [`Group::merge_staged_commit`]. [`Group::process_message`] does both.
    pub fn stage_commit(&self, message: &[u8]) -> Result<StagedCommit<S>, GroupError> {
        self.check_active()?;
        match MlsMessage::<ArtCommit>::decode_exact(message)? {
            MlsMessage::PublicMessage(message) => self.stage_public(&message),
            _ => Err(GroupError::Unsupported("commits travel as PublicMessages")),
        }
    }

    /// Applies a commit staged by [`Group::stage_commit`]. Fails, changing nothing, if the
    /// group moved on since.
    pub fn merge_staged_commit(&mut self, staged: StagedCommit<S>) -> Result<Received, GroupError> {
        self.check_active()?;
        match staged.outcome {
            StagedOutcome::Removed { by, epoch } => {
                if epoch != self.context.epoch {
                    return Err(GroupError::StalePendingCommit);
                }
                self.removed = true;
                Ok(Received::Removed { by })
            }
            StagedOutcome::Next { next, summary } => {
                if next.context.epoch != self.next_epoch_number()? {
                    return Err(GroupError::StalePendingCommit);
                }
                self.enter(*next)?;
                Ok(Received::Commit(summary))
            }
        }
    }

    fn stage_public(
        &self,
        message: &PublicMessage<ArtCommit>,
    ) -> Result<StagedCommit<S>, GroupError> {
        self.check_epoch(&message.content.group_id, message.content.epoch)?;
        let Sender::Member(sender) = message.content.sender else {
            return Err(GroupError::Unsupported("a commit from a non-member"));
        };
        let verifying_key = self.members.verifying_key(sender)?;
        if sender == self.own_leaf() {
            return Err(GroupError::Unsupported(
                "a commit of this member's own: merge its pending commit",
            ));
        }
        let signed = open_public::<S, ArtCommit>(
            message,
            &self.context,
            &self.secrets.membership_key,
            &verifying_key,
        )?;
        let Content::Commit(commit) = &signed.content.content else {
            return Err(GroupError::Unsupported("proposals"));
        };
        let tag = signed
            .auth
            .confirmation_tag
            .clone()
            .ok_or(GroupError::InvalidCommit("no confirmation tag"))?;
        // A commit that removes this member is checked as far as it can be without the next
        // epoch's secrets (the tree change against the public tree, the LeafNodes and
        // KeyPackages) before it is believed: a forged removal is rejected like any bad commit.
        let staged = match self.tree.stage(&commit.tree_change, sender) {
            Err(TreeError::OwnLeafRemoved) => {
                self.member_changes(commit, sender, false)?;
                verify_key_packages::<S>(&commit.key_packages)?;
                return Ok(StagedCommit {
                    outcome: StagedOutcome::Removed {
                        by: sender,
                        epoch: self.context.epoch,
                    },
                });
            }
            staged => staged?,
        };
        let changes = self.member_changes(commit, sender, false)?;
        verify_key_packages::<S>(&commit.key_packages)?;
        let (next, summary) = self.next_epoch(staged, &signed, changes, Some(&tag))?;
        Ok(StagedCommit {
            outcome: StagedOutcome::Next {
                next: Box::new(next),
                summary,
            },
        })
    }

    fn process_private(&mut self, message: &PrivateMessage) -> Result<Received, GroupError> {
        self.check_epoch(&message.group_id, message.epoch)?;
        if message.content_type != ContentType::Application {
            return Err(GroupError::Unsupported(
                "handshake messages in a PrivateMessage",
            ));
        }
        let members = &self.members;
        let content = decrypt_private::<S, ArtCommit>(
            message,
            &mut self.secret_tree,
            &self.secrets.sender_data_secret,
            &self.context,
            |leaf| {
                members
                    .get(leaf.0 as usize)?
                    .as_ref()
                    .map(|m| m.verifying_key.clone())
            },
        )?;
        let Sender::Member(sender) = content.content.sender else {
            return Err(GroupError::Unsupported("a non-member sender"));
        };
        match content.content.content {
            Content::Application(data) => Ok(Received::Application { sender, data }),
            _ => Err(GroupError::Unsupported(
                "handshake messages in a PrivateMessage",
            )),
        }
    }
}

/// Refuses a message for another group, or for an epoch other than the context's.
fn check_epoch(context: &GroupContext, group_id: &[u8], epoch: u64) -> Result<(), GroupError> {
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
fn sealed_leaves<S: CipherSuite>(
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
/// and the epoch it leads to. Shared by members ([`Group`]) and the ordering service
/// ([`PublicGroup`]).
struct CommitRules<'a, S: CipherSuite> {
    members: &'a Members<S>,
    policy: &'a dyn IdentityPolicy,
    group_id: &'a [u8],
    next_epoch: u64,
}

/// What a commit does to the members, from its leaf changes, its KeyPackages and its
/// LeafNode (whose signature is checked here, unless `own_key` says it is the checker's own,
/// just signed; the KeyPackages' signatures are the caller's to check, with
/// [`verify_key_packages`]).
fn member_changes<S: CipherSuite>(
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
                if key_package.cipher_suite != S::ID.0 {
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
    if !capabilities.cipher_suites.contains(&S::ID.0) {
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
fn verify_key_packages<S: CipherSuite>(key_packages: &[KeyPackage]) -> Result<(), GroupError> {
    crate::parallel::try_map(key_packages, |key_package| key_package.verify::<S>())?;
    Ok(())
}
