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

mod application;
mod commit;
mod create;
mod error;
mod identity;
mod join;
mod members;
mod past;
mod persist;
pub(crate) use persist::MAGIC as STATE_MAGIC;
mod policy;
mod public;
mod receive;
mod rules;
mod stored;
#[cfg(test)]
mod tests;
mod tree_hash;
mod view;
mod wire;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::art_tree::ArtMember;
use crate::framing::Padding;
use crate::key_schedule::EpochSecrets;
use crate::messages::{GroupContext, LeafNode};
use crate::secret::Secret;
use crate::secret_tree::{SecretTree, SecretTreeConfig};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;

pub use commit::{CommitSummary, PendingCommit, StagedCommit};
pub use error::GroupError;
pub use identity::{Identity, KeyPackageBundle};
pub use policy::{IdentityPolicy, IdentityRejected, SAME_CREDENTIAL, SameCredential};
pub use public::PublicGroup;
pub use receive::Received;
pub use wire::{ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree};

// The items the submodules share, so that each names them from one place.
use commit::{MemberChanges, StagedOutcome};
use members::{Member, Members, verify_leaf_nodes};
use rules::{CommitRules, check_epoch, member_changes, sealed_leaves, verify_key_packages};
use tree_hash::{TreeHashUpdate, TreeHashes, TreeView};
use view::{CurrentView, NextView, ratchet_tree};

type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;

/// Settings of a member's group state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupConfig {
    /// Out-of-order bounds for application and handshake messages.
    pub secret_tree: SecretTreeConfig,
    /// Padding of PrivateMessages.
    pub padding: Padding,
    /// Refuse a newcomer's commits other than an update until it has updated (default true).
    pub update_first: bool,
    /// How many past epochs to keep, so application messages sent before a commit and
    /// delivered after it still decrypt (default 1, at most [`GroupConfig::MAX_PAST_EPOCHS`]).
    /// Each kept epoch keeps its message keys on the device, and in its store, until it
    /// leaves the window: 0 gives the most forward secrecy.
    pub past_epochs: u32,
}

impl GroupConfig {
    /// The most past epochs a group keeps.
    pub const MAX_PAST_EPOCHS: u32 = 16;
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            secret_tree: SecretTreeConfig::default(),
            padding: Padding::None,
            update_first: true,
            past_epochs: 1,
        }
    }
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
    /// Past epochs kept for late application messages, oldest first.
    past: VecDeque<past::PastEpoch<S>>,
    /// The position in the delivery service's log this member has read up to: the next
    /// entry it expects.
    log_position: u64,
    /// The store this group is kept in, and what it holds of it.
    persistence: Option<Box<stored::Persistence>>,
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

impl<S: CipherSuite> Group<S> {
    /// The identity policy a group starts with: [`SameCredential`].
    fn default_identity_policy() -> Arc<dyn IdentityPolicy> {
        Arc::new(SameCredential)
    }

    fn check_active(&self) -> Result<(), GroupError> {
        self.check_synced()?;
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
}
